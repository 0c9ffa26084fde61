package model

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/ir"
)

// fitsGo checks that every number of a decoded JSON value (a fallback
// value, already valid against its schema) fits the Go type that will
// hold it: JSON Schema's integers and numbers have no range, int64,
// float64 and the sized x-go-type builtins do. It returns the pointer and
// the reason of the first that does not. Values of kinds that hold any
// JSON (JSON values, unions, mixed enums) always fit.
func fitsGo(v any, t *ir.Type, ptr string) (string, string) {
	switch t.Kind {
	case ir.Pointer, ir.OptNull:
		if v == nil {
			return "", ""
		}
		return fitsGo(v, t.Elem, ptr)
	case ir.Named, ir.Enum:
		return fitsGo(v, t.Elem, ptr)
	case ir.Int:
		return fitsNumber(v, "int64", ptr)
	case ir.Float:
		return fitsNumber(v, "float64", ptr)
	case ir.GoType:
		if t.IsBuiltin() {
			return fitsNumber(v, t.GoName, ptr)
		}
	case ir.Slice:
		if xs, ok := v.([]any); ok {
			for i, x := range xs {
				if p, why := fitsGo(x, t.Elem, ptr+"/"+strconv.Itoa(i)); why != "" {
					return p, why
				}
			}
		}
	case ir.Tuple:
		if xs, ok := v.([]any); ok {
			for i, x := range xs {
				et := t.Elem
				if i < len(t.Fields) {
					et = t.Fields[i].Type
				}
				if et == nil {
					break
				}
				if p, why := fitsGo(x, et, ptr+"/"+strconv.Itoa(i)); why != "" {
					return p, why
				}
			}
		}
	case ir.Map:
		if m, ok := v.(map[string]any); ok {
			for _, k := range slices.Sorted(mapKeys(m)) {
				if p, why := fitsGo(m[k], t.Elem, ptr+"/"+escape(k)); why != "" {
					return p, why
				}
			}
		}
	case ir.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		byJSON := map[string]*ir.Type{}
		for _, f := range t.Fields {
			byJSON[f.JSON] = f.Type
		}
		for _, k := range slices.Sorted(mapKeys(m)) {
			ft, ok := byJSON[k]
			switch {
			case !ok && len(t.Patterns) == 0 && t.Extra != nil:
				ft = t.Extra.Elem
			case !ok:
				continue // a pattern's map, or nowhere: the schema has decided
			}
			if p, why := fitsGo(m[k], ft, ptr+"/"+escape(k)); why != "" {
				return p, why
			}
		}
	}
	return "", ""
}

// fitsNumber checks a JSON number against a Go number type.
func fitsNumber(v any, goType, ptr string) (string, string) {
	n, ok := v.(json.Number)
	if !ok {
		return "", ""
	}
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		return ptr, fmt.Sprintf("%s is not a number Go reads", diag.Clip(string(n)))
	}
	var lo, hi *big.Rat
	switch goType {
	case "float32", "float64":
		bits := 64
		if goType == "float32" {
			bits = 32
		}
		if f, err := strconv.ParseFloat(string(n), bits); err != nil || math.IsInf(f, 0) {
			return ptr, fmt.Sprintf("%s is beyond the range of %s", diag.Clip(string(n)), goType)
		}
		return "", ""
	case "int8", "int16", "int32", "int64", "int":
		bits := map[string]uint{"int8": 8, "int16": 16, "int32": 32, "int64": 64, "int": 32}[goType]
		lo = new(big.Rat).SetInt(new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), bits-1)))
		hi = new(big.Rat).SetInt(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits-1), big.NewInt(1)))
	case "uint8", "uint16", "uint32", "uint64", "uint":
		bits := map[string]uint{"uint8": 8, "uint16": 16, "uint32": 32, "uint64": 64, "uint": 32}[goType]
		lo = new(big.Rat)
		hi = new(big.Rat).SetInt(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits), big.NewInt(1)))
	default:
		return "", ""
	}
	if !r.IsInt() {
		return ptr, fmt.Sprintf("%s is not an integer, which %s holds", diag.Clip(string(n)), goType)
	}
	if r.Cmp(lo) < 0 || r.Cmp(hi) > 0 {
		if goType == "int" || goType == "uint" {
			// int and uint have 32 bits on 386 and arm, and the generated code must compile there too.
			return ptr, fmt.Sprintf("%s is beyond the range of %s on 32-bit targets (GOARCH 386, arm), where the generated code must compile too; use %s64", diag.Clip(string(n)), goType, goType)
		}
		return ptr, fmt.Sprintf("%s is beyond the range of %s", diag.Clip(string(n)), goType)
	}
	return "", ""
}
