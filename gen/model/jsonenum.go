package model

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/names"
	"github.com/reftask/reftask/internal/jsonnum"
)

// jsonEnumValues returns the values of a schema that is only an enum (or
// only a const), with at most a "type" every value satisfies: a JSONEnum
// expresses it exactly, whatever the values' types.
func jsonEnumValues(s *jsonschema.Schema) ([]any, bool) {
	var vals []any
	switch {
	case s.Enum != nil && s.Constant == nil:
		vals = s.Enum
	case s.Constant != nil && s.Enum == nil:
		vals = s.Constant[:1]
	default:
		return nil, false
	}
	if len(vals) == 0 {
		return nil, false
	}
	c := *s
	c.Enum, c.Constant, c.Types = nil, nil, nil
	if !onlyRef(&c) || c.Ref != nil {
		return nil, false
	}
	if len(s.Types) > 0 {
		for _, v := range vals {
			k := valueType(v)
			ok := slices.Contains(s.Types, k) || (k == "integer" && slices.Contains(s.Types, "number"))
			if n, isNum := v.(json.Number); isNum && k == "number" && slices.Contains(s.Types, "integer") && isIntegral(n) {
				ok = true
			}
			if !ok {
				return nil, false
			}
		}
	}
	return vals, true
}

func isIntegral(n json.Number) bool {
	r, ok := new(big.Rat).SetString(string(n))
	return ok && r.IsInt()
}

// jsonEnum builds the named type of an enum of mixed or composite values:
// a string type holding each value's compact JSON text, one constant per value.
func (b *builder) jsonEnum(s *jsonschema.Schema, vals []any, suggested string) *ir.Type {
	name := b.nameFor(s, suggested)
	name = b.claim(name, s.Location)
	t := &ir.Type{Kind: ir.JSONEnum, Name: name, Doc: s.Description, Origin: s.Location}
	// x-go-enum-names names the constants here as for an enum of one type (the meta-schema's const has no
	// names: enumNames wants one per enum value).
	constNames, ok := b.enumNames(s)
	if !ok {
		return nil
	}
	if len(constNames) != len(vals) {
		constNames = nil
	}
	used := map[string]bool{}
	var kept []any
	var keptNames []string
	for i, v := range vals {
		// A value listed twice, or written twice (1 and 1.0, objects with
		// keys in another order), is one value with one constant.
		if j := slices.IndexFunc(kept, func(k any) bool { return jsonnum.Equal(k, v) }); j >= 0 {
			if constNames != nil && constNames[i] != keptNames[j] {
				b.errAt(s.Location+"/x-go-enum-names/"+strconv.Itoa(i), fmt.Sprintf("enum value %s is listed twice, named %s and %s; one value has one constant", diag.Value(v), diag.Clip(keptNames[j]), diag.Clip(constNames[i])))
				return nil
			}
			continue
		}
		kept = append(kept, v)
		text, err := json.Marshal(v)
		if err != nil {
			b.errAt(s.Location, fmt.Sprintf("enum value %s: %v", diag.Value(v), err))
			return nil
		}
		cn := name + enumValueSuffix(v, i)
		if used[cn] || !names.IsExportedIdent(cn) {
			cn = fmt.Sprintf("%sValue%d", name, i)
		}
		if constNames != nil {
			cn = constNames[i]
			keptNames = append(keptNames, cn)
		}
		used[cn] = true
		cn = b.claim(cn, s.Location+constSuffix)
		t.Values = append(t.Values, ir.EnumValue{Const: cn, Value: v, JSON: string(text)})
	}
	b.byLoc[s.Location] = t
	b.named = append(b.named, t)
	return t
}

// enumValueSuffix names a value's constant after the type name: the words of
// a string, a number's digits (Neg for a minus, _ for the point), True,
// False, Null; composite values are numbered.
func enumValueSuffix(v any, i int) string {
	switch x := v.(type) {
	case nil:
		return "Null"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		if e := names.Exported(x); e != "" {
			return e
		}
		return "Empty"
	case json.Number:
		r := strings.NewReplacer("-", "Neg", ".", "_", "+", "", "e", "E")
		return r.Replace(string(x))
	}
	return fmt.Sprintf("Value%d", i)
}

// valueType is the JSON type of a decoded value; integer for a number
// without a fraction.
func valueType(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return enumTypes([]any{v})[0]
}
