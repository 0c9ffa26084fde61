package load

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/reftask/reftask/gen/diag"
)

// Numbers in spec and schema files are read exactly. Two rules keep them
// so, both here:
//
//   - every number of a file has a magnitude between 1e-10000 and 1e10000
//     (or is zero): within that, big.Rat, the schema compiler and the
//     generated code hold it to the digit; beyond it the compiler drops a
//     bound without a word or crashes, and no real schema needs one;
//   - count keywords (minLength, maxItems, ...) are read from the file's
//     own number, since the compiler reads them through a float64, which
//     loses digits past 2^53 and wraps past 2^63.

// maxDecimalExponent bounds a number's magnitude: 10^-maxDecimalExponent
// <= |x| < 10^maxDecimalExponent.
const maxDecimalExponent = 10000

// outOfRangeNumbers lists the pointers and texts of the numbers in a
// decoded document whose magnitude is out of range, in document order.
func outOfRangeNumbers(v any, ptr string, out *[][2]string) {
	switch x := v.(type) {
	case json.Number:
		if e, zero := decimalExponent(string(x)); !zero && (e > maxDecimalExponent || e <= -maxDecimalExponent) {
			*out = append(*out, [2]string{ptr, string(x)})
		}
	case map[string]any:
		for _, k := range slices.Sorted(mapsKeys(x)) {
			outOfRangeNumbers(x[k], ptr+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), out)
		}
	case []any:
		for i, e := range x {
			outOfRangeNumbers(e, ptr+"/"+strconv.Itoa(i), out)
		}
	}
}

// decimalExponent returns E such that the JSON number text is 0.d... ×
// 10^E with a first digit d that is not 0, or zero when the number is 0.
// E saturates far beyond any limit that matters, so that no exponent
// text overflows it.
func decimalExponent(s string) (e int64, zero bool) {
	s = strings.TrimPrefix(s, "-")
	mant, exp, _ := strings.Cut(strings.ToLower(s), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	lead := len(digits) - len(strings.TrimLeft(digits, "0"))
	if lead == len(digits) {
		return 0, true
	}
	var x int64
	neg := strings.HasPrefix(exp, "-")
	for _, c := range strings.TrimLeft(exp, "+-") {
		if x < 1<<40 {
			x = x*10 + int64(c-'0')
		}
	}
	if neg {
		x = -x
	}
	return int64(len(intPart)-lead) + x, false
}

// countKeywords are the keywords whose value is a count, with the field
// the compiler keeps each in and whether a larger value is stricter.
var countKeywords = []struct {
	name  string
	field func(*jsonschema.Schema) *int
	min   bool
}{
	{"minLength", func(s *jsonschema.Schema) *int { return &s.MinLength }, true},
	{"maxLength", func(s *jsonschema.Schema) *int { return &s.MaxLength }, false},
	{"minItems", func(s *jsonschema.Schema) *int { return &s.MinItems }, true},
	{"maxItems", func(s *jsonschema.Schema) *int { return &s.MaxItems }, false},
	{"minProperties", func(s *jsonschema.Schema) *int { return &s.MinProperties }, true},
	{"maxProperties", func(s *jsonschema.Schema) *int { return &s.MaxProperties }, false},
	{"minContains", func(s *jsonschema.Schema) *int { return &s.MinContains }, true},
	{"maxContains", func(s *jsonschema.Schema) *int { return &s.MaxContains }, false},
}

// exactCounts sets the count keywords of every schema a spec reaches to
// the numbers its files hold. A maximum past what any Go string, slice or
// map can hold (math.MaxInt) constrains nothing and is dropped, which is
// exact; a minimum past it can never be met and is an error.
func (s *Set) exactCounts(sp *Spec) {
	seen := map[*jsonschema.Schema]bool{}
	var walk func(x *jsonschema.Schema)
	walk = func(x *jsonschema.Schema) {
		if x == nil || seen[x] {
			return
		}
		seen[x] = true
		if raw, ok := s.RawAt(x.Location); ok {
			if m, ok := raw.(map[string]any); ok {
				s.exactCountsOf(x, m)
			}
		}
		for _, sub := range subschemas(x) {
			walk(sub)
		}
	}
	walk(sp.Params)
	walk(sp.Result)
}

func (s *Set) exactCountsOf(x *jsonschema.Schema, m map[string]any) {
	for _, kw := range countKeywords {
		n, ok := m[kw.name].(json.Number)
		if !ok {
			continue
		}
		r, ok := new(big.Rat).SetString(string(n))
		if !ok || !r.IsInt() || r.Sign() < 0 {
			continue // the meta-schema has said why already
		}
		switch {
		case r.Num().IsInt64() && r.Num().Int64() <= math.MaxInt:
			*kw.field(x) = int(r.Num().Int64())
		case !kw.min:
			*kw.field(x) = -1
		default:
			d := s.Locate(x.Location + "/" + kw.name)
			d.Msg = fmt.Sprintf("%s %s can never be met: a Go value has at most %d characters, items or properties; use a smaller bound", kw.name, diag.Clip(string(n)), math.MaxInt)
			s.diags.Add(d)
		}
	}
}

// Subschemas are the schemas directly inside x, for walks over a compiled schema.
func Subschemas(x *jsonschema.Schema) []*jsonschema.Schema { return subschemas(x) }

// subschemas are the schemas directly inside x.
func subschemas(x *jsonschema.Schema) []*jsonschema.Schema {
	out := []*jsonschema.Schema{x.Ref, x.RecursiveRef, x.DynamicRef, x.Not, x.If, x.Then, x.Else, x.PropertyNames,
		x.UnevaluatedProperties, x.Items2020, x.Contains, x.UnevaluatedItems, x.ContentSchema}
	out = append(out, x.AllOf...)
	out = append(out, x.AnyOf...)
	out = append(out, x.OneOf...)
	out = append(out, x.PrefixItems...)
	for _, k := range slices.Sorted(mapsKeys(x.Properties)) {
		out = append(out, x.Properties[k])
	}
	for _, p := range x.PatternProperties {
		out = append(out, p)
	}
	for _, k := range slices.Sorted(mapsKeys(x.DependentSchemas)) {
		out = append(out, x.DependentSchemas[k])
	}
	for _, k := range slices.Sorted(mapsKeys(x.Dependencies)) {
		if d, ok := x.Dependencies[k].(*jsonschema.Schema); ok {
			out = append(out, d)
		}
	}
	for _, v := range []any{x.AdditionalProperties, x.AdditionalItems, x.Items} {
		switch y := v.(type) {
		case *jsonschema.Schema:
			out = append(out, y)
		case []*jsonschema.Schema:
			out = append(out, y...)
		}
	}
	return out
}

// Int is an integer of a spec's policies, read as JSON Schema reads an
// integer: 3, 3.0 and 0.3e1 are all 3. The meta-schema has already
// checked that it is one, in range.
type Int int64

// UnmarshalJSON reads any JSON number whose value is an int64.
func (n *Int) UnmarshalJSON(data []byte) error {
	r, ok := new(big.Rat).SetString(string(data))
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return fmt.Errorf("%s is not an integer", diag.Clip(string(data)))
	}
	*n = Int(r.Num().Int64())
	return nil
}
