package runtime

import (
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	goruntime "runtime"
	"strconv"
	"strings"
	"testing"
)

func TestDecimalCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1", "1.0", 0},
		{"1", "1e0", 0},
		{"0", "-0", 0},
		{"0.0", "0e5", 0},
		{"1e1000001", "100", 1},
		{"-1e1000001", "100", -1},
		{"1e-1000001", "0", 1},
		{"1e-1000001", "1e-1000000", -1},
		{"9007199254740993", "9007199254740992", 1},
		{"12345678901234567890", "1.2345678901234567890e19", 0},
		{"0.1", "0.10000000000000000001", -1},
		{"-2.5", "-2.49", -1},
		{"100", "1e2", 0},
		{"99.999", "1e2", -1},
		{"1e99999999999999999999", "1e100", 1},
	}
	for _, tt := range tests {
		a, okA := parseDecimal(tt.a)
		b, okB := parseDecimal(tt.b)
		if !okA || !okB {
			t.Fatalf("parse %q, %q: %v %v", tt.a, tt.b, okA, okB)
		}
		if got := a.cmp(b); got != tt.want {
			t.Errorf("cmp(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := b.cmp(a); got != -tt.want {
			t.Errorf("cmp(%s, %s) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

func TestDecimalParseAndInt(t *testing.T) {
	tests := []struct {
		s       string
		ok, int bool
	}{
		{"1", true, true}, {"1.0", true, true}, {"1e2", true, true}, {"1.5", true, false},
		{"1e-1", true, false}, {"1e1000001", true, true}, {"1e-1000001", true, false},
		{"-0.0", true, true}, {"12.50e1", true, true}, {"1.25e1", true, false},
		{"", false, false}, {"-", false, false}, {"1.", false, false}, {".5", false, false},
		{"1e", false, false}, {"1e+", false, false}, {"0x10", false, false}, {"1a", false, false},
	}
	for _, tt := range tests {
		d, ok := parseDecimal(tt.s)
		if ok != tt.ok {
			t.Errorf("parseDecimal(%q) ok = %v, want %v", tt.s, ok, tt.ok)
			continue
		}
		if ok && d.isInt() != tt.int {
			t.Errorf("parseDecimal(%q).isInt() = %v, want %v", tt.s, d.isInt(), tt.int)
		}
	}
}

func TestCompareNumberFractionBounds(t *testing.T) {
	tests := []struct {
		n, bound string
		want     int
	}{
		{"1.2", "11/10", 1},
		{"1.1", "11/10", 0},
		{"1e1000001", "11/10", 1},
		{"-1e1000001", "11/10", -1},
		{"1e-1000001", "11/10", -1},
		{"1e-1000001", "-11/10", 1},
		{"1e-1000001", "0", 1},
	}
	for _, tt := range tests {
		if got := CompareNumber(json.Number(tt.n), tt.bound); got != tt.want {
			t.Errorf("CompareNumber(%s, %s) = %d, want %d", tt.n, tt.bound, got, tt.want)
		}
	}
}

// Exact arithmetic is bounded (issue 11, class 6): CompareNumber, IsMultipleOfNumber and NormalizeIntegers decide
// numbers of any exponent at a cost set by the length of their text, and agree with big.Rat wherever big.Rat is
// affordable.

// randNumber writes a JSON number with a random mantissa and the exponent e.
func randNumber(rng *rand.Rand, e int64) string {
	var b strings.Builder
	if rng.IntN(3) == 0 {
		b.WriteByte('-')
	}
	switch rng.IntN(4) {
	case 0:
		b.WriteString("0")
	case 1:
		fmt.Fprintf(&b, "%d", rng.IntN(1000))
	case 2:
		fmt.Fprintf(&b, "%d.%d", rng.IntN(100), rng.IntN(1000))
	default:
		fmt.Fprintf(&b, "%d%03d", 1+rng.IntN(99), 5*rng.IntN(200)) // with trailing zeros, factors 2 and 5
	}
	if e != 0 || rng.IntN(2) == 0 {
		fmt.Fprintf(&b, "e%d", e)
	}
	return b.String()
}

var divisors = []string{"1", "2", "5", "10", "0.1", "0.5", "0.25", "0.01", "3", "7", "0.3", "1.5", "12.5", "0.0001", "1e-5",
	"2.5e3", "40", "1e3", "6.25e-2", "1/3", "2/7", "5/2", "-3", "1e-20", "11/10", "0.0075", "96"}

func ratOf(t *testing.T, s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("big.Rat cannot read %s", s)
	}
	return r
}

// TestExactNumbersAgreeWithRat: on exponents big.Rat affords, the bounded helpers give its answers.
func TestExactNumbersAgreeWithRat(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for range 20000 {
		e := rng.Int64N(60) - 30
		if rng.IntN(4) == 0 {
			e = rng.Int64N(800) - 400
		}
		n := randNumber(rng, e)
		rn := ratOf(t, n)
		m := divisors[rng.IntN(len(divisors))]
		rm := ratOf(t, m)
		want := rm.Sign() != 0 && new(big.Rat).Quo(rn, rm).IsInt()
		if got := IsMultipleOfNumber(json.Number(n), m); got != want {
			t.Fatalf("IsMultipleOfNumber(%s, %s) = %v, big.Rat says %v", n, m, got, want)
		}
		bound := divisors[rng.IntN(len(divisors))]
		if rng.IntN(2) == 0 {
			bound = randNumber(rng, rng.Int64N(40)-20)
		}
		if got, want := CompareNumber(json.Number(n), bound), rn.Cmp(ratOf(t, bound)); got != want {
			t.Fatalf("CompareNumber(%s, %s) = %d, big.Rat says %d", n, bound, got, want)
		}
		doc := []byte(`[` + n + `]`)
		out := NormalizeIntegers(doc)
		if rn.IsInt() && rn.Num().IsInt64() {
			if want := `[` + rn.Num().String() + `]`; string(out) != want && string(out) != string(doc) {
				t.Fatalf("NormalizeIntegers(%s) = %s", doc, out)
			}
			if strings.ContainsAny(n, ".eE") && string(out) != `[`+rn.Num().String()+`]` {
				t.Fatalf("NormalizeIntegers(%s) = %s, want %s", doc, out, rn.Num())
			}
		} else if string(out) != string(doc) {
			t.Fatalf("NormalizeIntegers(%s) = %s, want it unchanged", doc, out)
		}
	}
	// Hand-picked: huge exponents whose answer is known.
	for _, c := range []struct {
		n, m string
		want bool
	}{
		{"1e999999999", "1", true}, {"1e999999999", "7", false}, {"7e999999999", "7", true}, {"1e999999999", "0.5", true},
		{"1e999999999", "1e-20", true}, {"1e999999999", "1/3", true}, {"1e999999999", "2/3", true}, {"1e999999999", "3/2", false}, {"1e-999999999", "1", false},
		{"0e999999999", "3", true}, {"-0", "0.1", true}, {"1e5", "0", false}, {"3e999999999", "96", true}, {"1e999999999", "96", false},
		{"1.5e-999999999", "1e-999999999", false}, {"2.5e999999998", "1/4", true},
	} {
		if got := IsMultipleOfNumber(json.Number(c.n), c.m); got != c.want {
			t.Errorf("IsMultipleOfNumber(%s, %s) = %v, want %v", c.n, c.m, got, c.want)
		}
	}
}

// TestExactNumbersBounded: for exponents from -10^9 to 10^9, each helper allocates a bounded number of bytes (a
// huge exponent written out would take hundreds of megabytes).
func TestExactNumbersBounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 7))
	exps := []int64{1e9, -1e9, 999999, -999999, 1e6 + 1, 123456789, -987654321, 1 << 40, -(1 << 40)}
	for range 30 {
		exps = append(exps, rng.Int64N(2e9)-1e9)
	}
	var ms goruntime.MemStats
	for _, e := range exps {
		n := json.Number(randNumber(rng, e))
		for _, m := range divisors {
			goruntime.ReadMemStats(&ms)
			before := ms.TotalAlloc
			IsMultipleOfNumber(n, m)
			CompareNumber(n, m)
			NormalizeIntegers([]byte(`{"a":` + string(n) + `}`))
			goruntime.ReadMemStats(&ms)
			if used := ms.TotalAlloc - before; used > 64<<10 {
				t.Errorf("%s with %s: %d bytes allocated", n, m, used)
			}
		}
	}
}

// FuzzIsMultipleOfNumber checks the bounded helpers against big.Rat on every exponent it affords.
func FuzzIsMultipleOfNumber(f *testing.F) {
	f.Add("12", int64(3), "0.5")
	f.Add("-7", int64(-300), "1/3")
	f.Add("25", int64(999999999), "0.04")
	f.Fuzz(func(t *testing.T, mant string, e int64, m string) {
		n := mant + "e" + strconv.FormatInt(e, 10)
		if _, ok := parseDecimal(n); !ok || len(n) > 200 || len(m) > 40 {
			return
		}
		got := IsMultipleOfNumber(json.Number(n), m)
		c := CompareNumber(json.Number(n), m)
		if e > 400 || e < -400 || strings.ContainsAny(m, "eE") {
			return
		}
		rn, ok1 := new(big.Rat).SetString(n)
		rm, ok2 := new(big.Rat).SetString(m)
		if !ok1 || !ok2 {
			return
		}
		if _, dec := parseDecimal(m); !dec && strings.Contains(m, ".") {
			return // big.Rat reads "1.5/2"; generated divisors never look like that
		}
		if want := rm.Sign() != 0 && new(big.Rat).Quo(rn, rm).IsInt(); got != want {
			t.Fatalf("IsMultipleOfNumber(%s, %s) = %v, big.Rat says %v", n, m, got, want)
		}
		if want := rn.Cmp(rm); c != want {
			t.Fatalf("CompareNumber(%s, %s) = %d, big.Rat says %d", n, m, c, want)
		}
	})
}
