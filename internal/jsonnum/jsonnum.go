// Package jsonnum compares JSON numbers and JSON values exactly, whatever their exponents, at a cost bounded by
// the length of their text. The runtime's validation and the generator's enum checks share it, so both decide
// equality and bounds the same way.
package jsonnum

import (
	"encoding/json"
	"math/big"
	"strings"
)

// IsInteger reports whether n has no fractional part (1.0 and 1e2 have none).
func IsInteger(n json.Number) bool {
	d, ok := parseDecimal(string(n))
	return ok && d.isInt()
}

// Int64Text returns n written as a plain integer ("1.0e2" becomes "100") when n has no fractional part and fits
// an int64; ok is false otherwise. A huge exponent is refused without writing it out.
func Int64Text(n string) (text string, ok bool) {
	// An int64 has at most 19 digits before the point: a larger exponent is refused, never written out (1e999999
	// would cost big.Rat a million digits).
	d, ok := parseDecimal(n)
	if !ok || !d.isInt() || d.exp > 19 {
		return "", false
	}
	if r := d.rat(); r.IsInt() && r.Num().IsInt64() {
		return r.Num().String(), true
	}
	return "", false
}

// Compare compares n with the decimal bound, exactly: -1, 0 or +1.
// Its cost is bounded by the length of the texts, whatever their exponents.
func Compare(n json.Number, bound string) int {
	a, ok1 := parseDecimal(string(n))
	b, ok2 := parseDecimal(bound)
	if ok1 && ok2 {
		return a.cmp(b)
	}
	// Generated bounds may be written as fractions ("11/10"), which only
	// big.Rat reads; such bounds have small exponents.
	rb, ok2 := new(big.Rat).SetString(bound)
	if !ok1 || !ok2 || strings.ContainsAny(bound, "eE") {
		return 0
	}
	if limit := int64(len(bound)) + 2; a.exp > limit || a.exp < -limit {
		// n's magnitude alone decides: big.Rat would spell out its exponent's
		// digits (a million of them is 20 ms and 400 KB a call).
		return hugeCmp(a, rb)
	}
	return a.rat().Cmp(rb)
}

// hugeCmp compares a decimal with a fraction p/q whose text is shorter than
// |a.exp|-2 characters: then |p/q| < 10^(a.exp-1) <= |a| when a.exp is
// positive, and |a| < 10^a.exp < 1/q <= |p/q| (unless p is 0) when it is
// negative, so only signs and the direction of the exponent matter.
func hugeCmp(a decimal, r *big.Rat) int {
	if a.exp > 0 { // |a| is larger than |r|
		if a.neg {
			return -1
		}
		return 1
	}
	// |a| is smaller than |r|: it compares as zero, unless r is zero.
	switch r.Sign() {
	case 0:
		return a.sign()
	default:
		return -r.Sign()
	}
}

// IsMultipleOf reports, exactly, whether n is a multiple of m, a
// decimal or a fraction ("1/3"). Its cost is bounded by the length of the
// texts, whatever their exponents: 1e999999999 is decided without writing
// out its digits (see multipleOf).
func IsMultipleOf(n json.Number, m string) bool {
	a, ok := parseDecimal(string(n))
	if !ok {
		return false
	}
	if a.digits == "" {
		return mNonZero(m) // 0 is a multiple of every m but 0
	}
	N := a.mantissa() // |n| = N × 10^e
	e := a.exp - int64(len(a.digits))
	if b, ok := parseDecimal(m); ok {
		if b.digits == "" {
			return false
		}
		// n/m = N × 10^(e-f) / M, with m = M × 10^f.
		return multipleOf(N, big.NewInt(1), b.mantissa(), e-(b.exp-int64(len(b.digits))))
	}
	if strings.ContainsAny(m, "eE.") {
		return false // neither a decimal nor a fraction of integers
	}
	r, ok := new(big.Rat).SetString(m)
	if !ok || r.Sign() == 0 {
		return false
	}
	// n/m = N × 10^e × Q / P, with m = P/Q in lowest terms.
	return multipleOf(N, r.Denom(), new(big.Int).Abs(r.Num()), e)
}

func mNonZero(m string) bool {
	if b, ok := parseDecimal(m); ok {
		return b.digits != ""
	}
	r, ok := new(big.Rat).SetString(m)
	return ok && !strings.ContainsAny(m, "eE") && r.Sign() != 0
}

// multipleOf reports whether D divides N × Q × 10^g, for positive N, Q, D with
// D coprime to Q, without computing a power of ten larger than the inputs.
// Write D = 2^i × 5^j × D'. For g >= max(i, j), the powers of 2 and 5 in 10^g
// cover those of D, and D' is coprime to 10, so the answer is whether D'
// divides N × Q, the same as at g = max(i, j): g is capped there. For g < 0,
// D × 10^-g must divide N × Q, which needs 2^-g to divide it: impossible once
// -g exceeds the bit length of N × Q.
func multipleOf(N, Q, D *big.Int, g int64) bool {
	NQ := new(big.Int).Mul(N, Q)
	if g >= 0 {
		g = min(g, max(int64(D.TrailingZeroBits()), power5(D)))
		NQ.Mul(NQ, pow10(g))
		return NQ.Rem(NQ, D).Sign() == 0
	}
	if -g > int64(NQ.BitLen()) {
		return false
	}
	div := new(big.Int).Mul(D, pow10(-g))
	return NQ.Rem(NQ, div).Sign() == 0
}

// power5 returns how many times 5 divides x (x > 0).
func power5(x *big.Int) int64 {
	five := big.NewInt(5)
	q, r := new(big.Int), new(big.Int)
	x = new(big.Int).Set(x)
	k := int64(0)
	for {
		q.QuoRem(x, five, r)
		if r.Sign() != 0 {
			return k
		}
		x, q = q, x
		k++
	}
}

func pow10(k int64) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(k), nil)
}

// Equal reports whether two decoded JSON values are equal as JSON
// Schema defines it: numbers by value (1 equals 1.0), objects regardless
// of key order.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		return Compare(x, string(y)) == 0
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !Equal(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

// decimal is a JSON number read exactly, whatever its exponent: the value
// is 0.digits × 10^exp, with no leading or trailing zeros in digits (zero
// has no digits). big.Rat refuses exponents past a million, which valid JSON
// allows, so comparisons and integer checks go through this instead.
type decimal struct {
	neg    bool
	digits string
	exp    int64
}

// maxExp keeps exponent arithmetic far from overflow; a number that large
// or small compares correctly against every number of a sane size.
const maxExp = int64(1) << 60

// parseDecimal reads JSON number text; ok is false for anything else.
func parseDecimal(s string) (d decimal, ok bool) {
	if strings.HasPrefix(s, "-") {
		d.neg, s = true, s[1:]
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intPart := s[:i]
	if intPart == "" {
		return d, false
	}
	s = s[i:]
	frac := ""
	if strings.HasPrefix(s, ".") {
		j := 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		frac, s = s[1:j], s[j:]
		if frac == "" {
			return d, false
		}
	}
	var e int64
	if len(s) > 0 {
		if s[0] != 'e' && s[0] != 'E' {
			return d, false
		}
		s = s[1:]
		eneg := false
		if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
			eneg, s = s[0] == '-', s[1:]
		}
		if s == "" {
			return d, false
		}
		for k := 0; k < len(s); k++ {
			if s[k] < '0' || s[k] > '9' {
				return d, false
			}
			if e < maxExp {
				e = e*10 + int64(s[k]-'0')
			}
		}
		if eneg {
			e = -e
		}
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	d.exp = int64(len(intPart)) + e - int64(len(intPart)+len(frac)-len(digits))
	d.digits = strings.TrimRight(digits, "0")
	if d.digits == "" {
		d.neg, d.exp = false, 0
	}
	return d, true
}

// cmp compares two decimals: -1, 0 or +1.
func (a decimal) cmp(b decimal) int {
	sa, sb := a.sign(), b.sign()
	switch {
	case sa != sb:
		if sa < sb {
			return -1
		}
		return 1
	case sa == 0:
		return 0
	}
	c := 0
	switch {
	case a.exp != b.exp:
		c = -1
		if a.exp > b.exp {
			c = 1
		}
	default:
		c = strings.Compare(a.digits, b.digits) // no trailing zeros: a longer common prefix is larger
	}
	if a.neg {
		return -c
	}
	return c
}

func (a decimal) sign() int {
	switch {
	case a.digits == "":
		return 0
	case a.neg:
		return -1
	}
	return 1
}

// isInt reports whether the decimal has no fractional part.
func (a decimal) isInt() bool {
	return a.digits == "" || a.exp >= int64(len(a.digits))
}

// mantissa returns the digits as a positive integer (0 for zero).
func (a decimal) mantissa() *big.Int {
	n, _ := new(big.Int).SetString("0"+a.digits, 10)
	return n
}

// rat returns the decimal as a big.Rat; only for exponents of ordinary size,
// since 10^exp is written out.
func (a decimal) rat() *big.Rat {
	r := new(big.Rat).SetInt(a.mantissa())
	e := a.exp - int64(len(a.digits))
	if e >= 0 {
		r.Mul(r, new(big.Rat).SetInt(pow10(e)))
	} else {
		r.Quo(r, new(big.Rat).SetInt(pow10(-e)))
	}
	if a.neg {
		r.Neg(r)
	}
	return r
}

// IsLiteral reports whether s is a number literal by the JSON grammar exactly (no sign but a leading minus, no
// leading zeros, no bare dot): the runtime checks with it that a value's text is JSON, and the file source keeps
// such YAML numbers as written, so that big or precise ones stay exact.
func IsLiteral(s string) bool {
	i := 0
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
