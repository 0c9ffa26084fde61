package runtime

import (
	"math/big"
	"strings"
)

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
