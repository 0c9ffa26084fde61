package emit

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
)

// Schema numbers are exact decimals of any size (the model keeps them as
// big.Rat); typed values are int64 or float64. A bound is compared with a
// typed value through a Go constant of the value's type chosen so that the
// comparison is exact: for an int64, the bound's ceiling or floor; for a
// float64, the nearest float64 on the side of the bound that keeps the
// answer. A bound past the type's range makes the comparison the same for
// every value, which is then emitted as that answer. multipleOf works the
// same way: exactly, or through its exact decimal text.

var (
	minInt64 = big.NewInt(math.MinInt64)
	maxInt64 = big.NewInt(math.MaxInt64)
)

// violation is when a check fails: always, never, or when cond holds.
type violation struct {
	always bool
	cond   *jen.Statement
}

// boundViolation is the violation of a bound keyword by x, a value of
// kind ir.Int or ir.Float: bad is the comparison that fails the keyword
// ("<" for minimum, "<=" for exclusiveMinimum, ">" for maximum, ">=" for
// exclusiveMaximum).
func boundViolation(x *jen.Statement, kind ir.Kind, bad string, r *big.Rat) violation {
	if kind == ir.Int {
		return intBoundViolation(x, bad, r)
	}
	var c float64
	switch bad {
	case "<", ">=":
		c = ceilFloat(r)
	default:
		c = floorFloat(r)
	}
	return violation{cond: x.Clone().Op(bad).Add(floatLit(c))}
}

func intBoundViolation(x *jen.Statement, bad string, r *big.Rat) violation {
	// An integer is below r exactly when it is below r's ceiling, above
	// it exactly when it is above r's floor.
	c := new(big.Int)
	switch bad {
	case "<", ">=":
		c = ratCeil(r)
	default:
		c = ratFloor(r)
	}
	above, below := c.Cmp(maxInt64) > 0, c.Cmp(minInt64) < 0
	switch bad {
	case "<": // x < c
		if above {
			return violation{always: true}
		}
		if c.Cmp(minInt64) <= 0 {
			return violation{}
		}
	case "<=": // x <= c
		if c.Cmp(maxInt64) >= 0 {
			return violation{always: true}
		}
		if below {
			return violation{}
		}
	case ">": // x > c
		if c.Cmp(maxInt64) >= 0 {
			return violation{}
		}
		if below {
			return violation{always: true}
		}
	case ">=": // x >= c
		if above {
			return violation{}
		}
		if c.Cmp(minInt64) <= 0 {
			return violation{always: true}
		}
	}
	return violation{cond: x.Clone().Op(bad).Lit(int(c.Int64()))}
}

// multipleViolation is the violation of multipleOf m by x.
func multipleViolation(x *jen.Statement, kind ir.Kind, m *big.Rat) violation {
	if kind == ir.Int && m.IsInt() {
		if m.Num().Cmp(maxInt64) <= 0 {
			return violation{cond: x.Clone().Op("%").Lit(int(m.Num().Int64())).Op("!=").Lit(0)}
		}
		// The only int64 multiples of a divisor past MaxInt64 are 0, and
		// MinInt64 when the divisor is 2^63.
		cond := x.Clone().Op("!=").Lit(0)
		if new(big.Int).Neg(m.Num()).Cmp(minInt64) == 0 {
			cond = cond.Op("&&").Add(x.Clone()).Op("!=").Qual("math", "MinInt64")
		}
		return violation{cond: cond}
	}
	if f, ok := shortestExact(m); ok {
		return violation{cond: jen.Op("!").Qual(kit, "IsMultipleOf").Call(jen.Float64().Call(x.Clone()), jen.Lit(f))}
	}
	return violation{cond: jen.Op("!").Qual(kit, "IsMultipleOfExact").Call(jen.Float64().Call(x.Clone()), jen.Lit(m.RatString()))}
}

// shortestExact returns r as a float64 when the float64's shortest
// decimal is r itself, so that code given the float64 reads r exactly.
func shortestExact(r *big.Rat) (float64, bool) {
	f, _ := r.Float64()
	if math.IsInf(f, 0) || f == 0 {
		return 0, false
	}
	back, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	return f, ok && back.Cmp(r) == 0
}

// A typed float64 stands for the shortest decimal it prints as (README:
// a float64 is read from the JSON text "0.1" and written back as "0.1"),
// and its checks apply to that decimal. Shortest decimals grow with the
// float64, so "dec(x) < r" is "x < c" for c the least float64 whose
// decimal is at least r (ceilFloat), and "dec(x) > r" is "x > c" for c the
// greatest whose decimal is at most r (floorFloat). Past the finite range,
// c is an infinity.
func ceilFloat(r *big.Rat) float64 {
	f := clampFloat(r)
	for !math.IsInf(f, 1) && floatDecimal(f).Cmp(r) < 0 {
		f = math.Nextafter(f, math.Inf(1))
	}
	for p := math.Nextafter(f, math.Inf(-1)); !math.IsInf(p, -1) && floatDecimal(p).Cmp(r) >= 0; p = math.Nextafter(f, math.Inf(-1)) {
		f = p
	}
	return f
}

func floorFloat(r *big.Rat) float64 {
	f := clampFloat(r)
	for !math.IsInf(f, -1) && floatDecimal(f).Cmp(r) > 0 {
		f = math.Nextafter(f, math.Inf(-1))
	}
	for n := math.Nextafter(f, math.Inf(1)); !math.IsInf(n, 1) && floatDecimal(n).Cmp(r) <= 0; n = math.Nextafter(f, math.Inf(1)) {
		f = n
	}
	return f
}

// clampFloat is the float64 nearest r, the largest finite one for an r
// beyond them, as a start for the searches above.
func clampFloat(r *big.Rat) float64 {
	f, _ := r.Float64()
	return math.Max(-math.MaxFloat64, math.Min(math.MaxFloat64, f))
}

// floatDecimal is the shortest decimal of a finite float64, exactly.
func floatDecimal(f float64) *big.Rat {
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	return r
}

// floatLit writes a float64 constant; the infinities are math.Inf calls.
func floatLit(f float64) jen.Code {
	switch {
	case math.IsInf(f, 1):
		return jen.Qual("math", "Inf").Call(jen.Lit(1))
	case math.IsInf(f, -1):
		return jen.Qual("math", "Inf").Call(jen.Lit(-1))
	}
	return jen.Lit(f)
}

func ratFloor(r *big.Rat) *big.Int {
	return new(big.Int).Div(r.Num(), r.Denom()) // Euclidean division, and the denominator is positive: the floor
}

func ratCeil(r *big.Rat) *big.Int {
	q := ratFloor(r)
	if !r.IsInt() {
		q.Add(q, big.NewInt(1))
	}
	return q
}

// numberText writes a schema number for a message: its exact decimal,
// in scientific notation when the plain form would be long (1e400, not
// four hundred digits), or as a fraction when it has no finite decimal.
func numberText(r *big.Rat) string {
	// A decimal's denominator has no prime factors but 2 and 5: scaled
	// by 10^k, k the larger of their powers, it is an integer.
	den := new(big.Int).Set(r.Denom())
	twos, fives := 0, 0
	for m := new(big.Int); ; twos++ {
		if q, _ := new(big.Int).QuoRem(den, big.NewInt(2), m); m.Sign() == 0 {
			den = q
			continue
		}
		break
	}
	for m := new(big.Int); ; fives++ {
		if q, _ := new(big.Int).QuoRem(den, big.NewInt(5), m); m.Sign() == 0 {
			den = q
			continue
		}
		break
	}
	if den.Cmp(big.NewInt(1)) != 0 {
		return r.RatString()
	}
	k := max(twos, fives)
	num := new(big.Int).Mul(r.Num(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil))
	num.Quo(num, r.Denom())
	neg := num.Sign() < 0
	digits := new(big.Int).Abs(num).String()
	// Trailing zeros of an integer go into the exponent.
	exp := -k
	for len(digits) > 1 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		exp++
	}
	sign := ""
	if neg {
		sign = "-"
	}
	// Plain: the digits with the point placed, when that stays short.
	if point := len(digits) + exp; exp >= 0 && point <= 21 {
		return sign + digits + strings.Repeat("0", exp)
	} else if exp < 0 && point > 0 && len(digits) <= 24 {
		return sign + digits[:point] + "." + digits[point:]
	} else if exp < 0 && point <= 0 && -point <= 6 {
		return sign + "0." + strings.Repeat("0", -point) + digits
	}
	// Scientific: d.ddd e exponent.
	e := len(digits) - 1 + exp
	mant := digits[:1]
	if len(digits) > 1 {
		mant += "." + digits[1:]
	}
	return sign + mant + "e" + strconv.Itoa(e)
}

// schemaNumberText is numberText for a number the model wrote as big.Rat text.
func schemaNumberText(s string) string {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return s
	}
	return numberText(r)
}

// bound is one bound keyword of a number: bad is the comparison that
// breaks it.
type bound struct {
	r            *big.Rat
	bad, kw, msg string
}

// bounds lists the bound keywords c has.
func bounds(c ir.Constraints) []bound {
	var out []bound
	for _, b := range []bound{
		{c.Minimum, "<", "minimum", "is less than"},
		{c.Maximum, ">", "maximum", "is greater than"},
		{c.ExclusiveMinimum, "<=", "exclusiveMinimum", "is not greater than"},
		{c.ExclusiveMaximum, ">=", "exclusiveMaximum", "is not less than"},
	} {
		if b.r != nil {
			out = append(out, b)
		}
	}
	return out
}

// numberNeedsCheck reports whether a number can break any of its
// keywords; a bound outside the Go type's range may hold for every value.
func numberNeedsCheck(t *ir.Type) bool {
	c := t.Check
	if c.MultipleOf != nil || c.Const != nil {
		return true
	}
	for _, b := range bounds(c) {
		if v := boundViolation(jen.Id("x"), t.Kind, b.bad, b.r); v.always || v.cond != nil {
			return true
		}
	}
	return false
}

// countCmp compares a count (a len or a rune count, which are ints) with a bound from the schema. A bound beyond
// the int32 range would overflow int where int has 32 bits (GOARCH 386, arm), and accepted specs must compile
// for every target: there the count is compared as an int64, which holds every count exactly, so the check
// means the same on every GOARCH (on a 32-bit one a bound above MaxInt32 is met, or missed, by every value).
func countCmp(count *jen.Statement, op string, bound int64) *jen.Statement {
	if bound > math.MaxInt32 || bound < math.MinInt32 {
		return jen.Int64().Call(count).Op(op).Lit(bound)
	}
	return count.Op(op).Lit(int(bound))
}
