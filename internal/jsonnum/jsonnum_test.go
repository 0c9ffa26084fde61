package jsonnum

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

func TestNumberDecimalParseAndInt(t *testing.T) {
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
		if got := Compare(json.Number(tt.n), tt.bound); got != tt.want {
			t.Errorf("Compare(%s, %s) = %d, want %d", tt.n, tt.bound, got, tt.want)
		}
	}
}

// Exact arithmetic is bounded (issue 11, class 6): Compare, IsMultipleOf and Int64Text decide
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
		if got := IsMultipleOf(json.Number(n), m); got != want {
			t.Fatalf("IsMultipleOf(%s, %s) = %v, big.Rat says %v", n, m, got, want)
		}
		bound := divisors[rng.IntN(len(divisors))]
		if rng.IntN(2) == 0 {
			bound = randNumber(rng, rng.Int64N(40)-20)
		}
		if got, want := Compare(json.Number(n), bound), rn.Cmp(ratOf(t, bound)); got != want {
			t.Fatalf("Compare(%s, %s) = %d, big.Rat says %d", n, bound, got, want)
		}
		text, ok := Int64Text(n)
		if want := rn.IsInt() && rn.Num().IsInt64(); ok != want || (ok && text != rn.Num().String()) {
			t.Fatalf("Int64Text(%s) = %q, %v; big.Rat says %s, int64 %v", n, text, ok, rn.RatString(), want)
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
		if got := IsMultipleOf(json.Number(c.n), c.m); got != c.want {
			t.Errorf("IsMultipleOf(%s, %s) = %v, want %v", c.n, c.m, got, c.want)
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
			IsMultipleOf(n, m)
			Compare(n, m)
			Int64Text(string(n))
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
		got := IsMultipleOf(json.Number(n), m)
		c := Compare(json.Number(n), m)
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
			t.Fatalf("IsMultipleOf(%s, %s) = %v, big.Rat says %v", n, m, got, want)
		}
		if want := rn.Cmp(rm); c != want {
			t.Fatalf("Compare(%s, %s) = %d, big.Rat says %d", n, m, c, want)
		}
	})
}

func TestIsIntegerNumber(t *testing.T) {
	tests := []struct {
		n    string
		want bool
	}{
		{"0", true}, {"-0", true}, {"1", true}, {"1.0", true}, {"1.000", true},
		{"1e2", true}, {"1E2", true}, {"1e+2", true}, {"100e-2", true}, {"1e0", true},
		{"12345678901234567890", true}, {"1e400", true}, {"-1e400", true},
		{"1.5", false}, {"0.1", false}, {"1e-1", false}, {"1e-400", false},
		{"123456789012345678901.5", false},
		{"", false}, {"abc", false},
	}
	for _, tc := range tests {
		if got := IsInteger(json.Number(tc.n)); got != tc.want {
			t.Errorf("IsInteger(%q) = %v, want %v", tc.n, got, tc.want)
		}
	}
}

func TestCompareNumber(t *testing.T) {
	tests := []struct {
		n, bound string
		want     int
	}{
		{"1", "1", 0},
		{"1", "1.0", 0},
		{"1.0", "1", 0},
		{"1e2", "100", 0},
		{"-0", "0", 0},
		{"0.1", "0.10", 0},
		{"1", "2", -1},
		{"2", "1", 1},
		{"-1", "1", -1},
		{"1.5", "1.4999999999999999999999", 1},
		{"0.30000000000000000001", "0.3", 1},
		{"12345678901234567890", "12345678901234567891", -1},
		{"12345678901234567891", "12345678901234567890", 1},
		{"9007199254740993", "9007199254740992", 1}, // equal as float64
		{"1e400", "1e399", 1},
		{"1e400", "1.7976931348623157e308", 1},
		{"-1e400", "-1e399", -1},
		{"1e-400", "0", 1},
		{"-1e-400", "0", -1},
		{"1e308", "1e308", 0},
		// Exponents far beyond what big.Rat reads, and more exact cases.
		{"1", "1e0", 0},
		{"0", "-0", 0},
		{"0.0", "0e5", 0},
		{"1e1000001", "100", 1},
		{"-1e1000001", "100", -1},
		{"1e-1000001", "0", 1},
		{"1e-1000001", "1e-1000000", -1},
		{"12345678901234567890", "1.2345678901234567890e19", 0},
		{"0.1", "0.10000000000000000001", -1},
		{"-2.5", "-2.49", -1},
		{"100", "1e2", 0},
		{"99.999", "1e2", -1},
		{"1e99999999999999999999", "1e100", 1},
	}
	for _, tc := range tests {
		if got := Compare(json.Number(tc.n), tc.bound); got != tc.want {
			t.Errorf("Compare(%s, %s) = %d, want %d", tc.n, tc.bound, got, tc.want)
		}
		if got := Compare(json.Number(tc.bound), tc.n); got != -tc.want {
			t.Errorf("Compare(%s, %s) = %d, want %d", tc.bound, tc.n, got, -tc.want)
		}
	}
}

func TestCompareNumberHugeExponent(t *testing.T) {
	if got := Compare("1e1000001", "100"); got != 1 {
		t.Errorf("Compare(1e1000001, 100) = %d, want 1", got)
	}
	if got := Compare("-1e1000001", "-100"); got != -1 {
		t.Errorf("Compare(-1e1000001, -100) = %d, want -1", got)
	}
}

func TestIsMultipleOfNumber(t *testing.T) {
	tests := []struct {
		n, m string
		want bool
	}{
		{"0.0075", "0.0001", true}, // float64 division says 74.99999999999999
		{"0.0075", "0.001", false},
		{"0.3", "0.1", true}, // 0.3/0.1 in float64 is 2.9999999999999996
		{"0.35", "0.1", false},
		{"19.99", "0.01", true},
		{"10", "2.5", true},
		{"10", "3", false},
		{"-9", "3", true},
		{"9", "-3", true},
		{"0", "0.7", true},
		{"1.0", "1", true},
		{"1e2", "10", true},
		{"1e308", "1e-308", true},
		{"1e308", "1e308", true},
		{"1e308", "3", false},
		{"1e308", "7", false},
		{"1e308", "2", true},
		{"1.7976931348623157e308", "1e-308", true},
		{"1e400", "1e399", true},
		{"1e-400", "1e-401", true},
		{"1e-401", "1e-400", false},
		{"12345678901234567890", "10", true},
		{"12345678901234567891", "2", false}, // even once rounded to float64
		{"4", "0", false},
		{"0", "0", false},
		{"4", "abc", false},
		{"abc", "2", false},
	}
	for _, tc := range tests {
		if got := IsMultipleOf(json.Number(tc.n), tc.m); got != tc.want {
			t.Errorf("IsMultipleOf(%s, %s) = %v, want %v", tc.n, tc.m, got, tc.want)
		}
	}
}

func TestEqualJSON(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"null", `null`, `null`, true},
		{"null vs false", `null`, `false`, false},
		{"null vs 0", `null`, `0`, false},
		{"null vs empty string", `null`, `""`, false},
		{"true", `true`, `true`, true},
		{"true vs false", `true`, `false`, false},
		{"true vs 1", `true`, `1`, false},
		{"1 == 1.0", `1`, `1.0`, true},
		{"1 == 1e0", `1`, `1e0`, true},
		{"100 == 1e2", `100`, `1e2`, true},
		{"0 == -0", `0`, `-0`, true},
		{"0 == -0.0", `0`, `-0.0`, true},
		{"1 != 2", `1`, `2`, false},
		{"big ints differ", `12345678901234567890`, `12345678901234567891`, false},
		{"big ints equal", `12345678901234567890`, `1.2345678901234567890e19`, true},
		{"beyond float64 precision", `9007199254740993`, `9007199254740992`, false},
		{"1e400", `1e400`, `10e399`, true},
		{"1e400 vs 1e401", `1e400`, `1e401`, false},
		{"number vs string", `1`, `"1"`, false},
		{"strings", `"a"`, `"a"`, true},
		{"strings differ", `"a"`, `"A"`, false},
		{"escaped string", `"\u00e9"`, `"é"`, true},
		{"empty arrays", `[]`, `[]`, true},
		{"arrays", `[1,"a",null]`, `[1.0,"a",null]`, true},
		{"arrays ordered", `[1,2]`, `[2,1]`, false},
		{"array lengths", `[1]`, `[1,1]`, false},
		{"array vs object", `[]`, `{}`, false},
		{"empty objects", `{}`, `{}`, true},
		{"object key order", `{"a":1,"b":[1,2]}`, `{"b":[1.0,2e0],"a":1.00}`, true},
		{"object values differ", `{"a":1}`, `{"a":2}`, false},
		{"object keys differ", `{"a":1}`, `{"b":1}`, false},
		{"object extra key", `{"a":1}`, `{"a":1,"b":1}`, false},
		{"object null vs absent", `{"a":null}`, `{"b":null}`, false},
		{"nested", `{"x":{"y":[{"z":1}]}}`, `{"x":{"y":[{"z":1.0}]}}`, true},
		{"nested differ", `{"x":{"y":[{"z":1}]}}`, `{"x":{"y":[{"z":"1"}]}}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := decode(t, tc.a), decode(t, tc.b)
			if got := Equal(a, b); got != tc.want {
				t.Errorf("Equal(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
			if got := Equal(b, a); got != tc.want {
				t.Errorf("Equal(%s, %s) = %v, want %v (not symmetric)", tc.b, tc.a, got, tc.want)
			}
			if !Equal(a, a) {
				t.Errorf("Equal(%s, itself) = false", tc.a)
			}
		})
	}
	// Values that a decoder never produces are not equal to anything.
	if Equal(1.0, 1.0) || Equal(json.Number("1"), 1.0) {
		t.Error("Equal with a float64 returned true")
	}
	if Equal([]any(nil), nil) || Equal(nil, []any(nil)) {
		t.Error("Equal: empty array equals null")
	}
}

func TestEqualJSONHugeExponent(t *testing.T) {
	if Equal(json.Number("1e1000001"), json.Number("5")) {
		t.Error("Equal(1e1000001, 5) = true")
	}
}

// decode decodes a JSON text with exact numbers for a test, failing it on error.
func decode(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func TestIsLiteral(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"0", true}, {"-0", true}, {"12", true}, {"1.50", true}, {"1e3", true}, {"-1.5E-7", true}, {"1e+2", true},
		{"123456789012345678901234567890", true},
		{"", false}, {"-", false}, {"+1", false}, {"01", false}, {".5", false}, {"1.", false}, {"1e", false},
		{"0x1F", false}, {"1_000", false}, {" 1", false}, {"1 ", false}, {"NaN", false},
	} {
		if got := IsLiteral(tc.s); got != tc.want {
			t.Errorf("IsLiteral(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}
