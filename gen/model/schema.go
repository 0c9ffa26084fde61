package model

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/names"
)

// needsJSON tells why a schema cannot have a precise Go type and gets the
// JSON value kind instead, or "" when it can. The reasons are the ones the
// README documents: several or all JSON types allowed, or a keyword whose
// meaning no Go type carries (applicators, conditional keywords, tuples,
// pattern-keyed properties, ...). The value is then validated by a
// generated program that honours every keyword.
func needsJSON(s *jsonschema.Schema) string {
	if s.Always != nil {
		return "boolean schema"
	}
	if s.Ref != nil && !onlyRef(s) {
		return "keywords beside $ref"
	}
	if kws := unsupportedTyped(s); len(kws) > 0 {
		return strings.Join(kws, ", ")
	}
	types := slices.DeleteFunc(slices.Clone(s.Types), func(x string) bool { return x == "null" })
	if s.Enum != nil && len(s.Enum) == 0 {
		return "empty enum"
	}
	if len(types) == 0 {
		vals := s.Enum
		if len(vals) == 0 {
			vals = s.Constant
		}
		if len(vals) == 0 {
			return "no type"
		}
		types = enumTypes(vals)
		if slices.Contains(types, "null") && len(types) > 1 {
			return "mixed-type enum"
		}
	}
	if len(types) != 1 {
		return "several types"
	}
	for _, v := range append(slices.Clone(s.Enum), s.Constant...) {
		switch v.(type) {
		case map[string]any, []any, nil:
			return "enum or const of composite values"
		}
	}
	if len(s.Enum) > 0 && len(s.Constant) > 0 {
		return "enum beside const"
	}
	switch types[0] {
	case "object":
		_, apSchema := s.AdditionalProperties.(*jsonschema.Schema)
		if len(s.Properties) == 0 && len(s.PatternProperties) == 0 && !apSchema {
			return "object without properties"
		}
		if why := mapFieldsWhy(s); why != "" {
			return why
		}
		if len(s.Required) > 0 && len(s.Properties) == 0 {
			return "required without properties"
		}
		for _, r := range s.Required {
			if _, ok := s.Properties[r]; !ok && len(s.Properties) > 0 {
				return "required property not among properties"
			}
		}
	case "array":
		if s.Items2020 == nil {
			if _, ok := s.Items.(*jsonschema.Schema); !ok {
				return "array without items"
			}
		}
	case "integer":
		for _, r := range []*big.Rat{s.Minimum, s.Maximum, s.ExclusiveMinimum, s.ExclusiveMaximum, s.MultipleOf} {
			if r != nil && !r.IsInt() {
				return "fractional bound on an integer"
			}
		}
		if why := beyondGo(s, ir.Int); why != "" {
			return why
		}
	case "number":
		if why := beyondGo(s, ir.Float); why != "" {
			return why
		}
	case "string", "boolean":
		if len(s.Enum) > 0 && s.Format == "date-time" {
			return "enum of date-times"
		}
	default:
		return "unknown type"
	}
	if slices.Contains(s.Types, "null") && (len(s.Enum) > 0 || len(s.Constant) > 0) {
		// null is a value the type allows and the enum or const does not
		// (or does): a pointer's nil would skip the check.
		return "nullable enum"
	}
	return ""
}

// jsonType builds the JSON value kind for a schema with its validation program.
func (b *builder) jsonType(s *jsonschema.Schema, suggested string) *ir.Type {
	prog := b.program(s, "check"+suggested)
	if prog == nil {
		return nil
	}
	return &ir.Type{Kind: ir.JSON, Schema: prog, Origin: s.Location, Doc: s.Description}
}

// program returns the validation program of a schema, built once per
// schema location; fn is the Go name its function gets when it is new.
func (b *builder) program(s *jsonschema.Schema, fn string) *ir.Schema {
	if p, ok := b.progs[s.Location]; ok {
		return p
	}
	if b.tooDeepAt(s) {
		return nil
	}
	b.depth++
	defer func() { b.depth-- }()
	// Schemas reached through an $id or a remote $ref have no place in
	// the spec files; their errors are reported at the nearest schema that has one.
	if b.set.Locate(s.Location).Line > 0 {
		defer func(prev string) { b.near = prev }(b.near)
		b.near = s.Location
	}
	if s.DynamicRef != nil || s.RecursiveRef != nil {
		kw := "$dynamicRef"
		if s.RecursiveRef != nil {
			kw = "$recursiveRef"
		}
		msg := fmt.Sprintf("keyword %s is not supported by reftaskgen: its target depends on the dynamic scope, which generated Go code cannot follow; use a plain \"$ref\" to the schema you mean", kw)
		if b.near != s.Location && b.near != "" {
			msg += " (in " + s.Location + ")"
			b.errAt(b.near, msg)
		} else {
			b.errAt(s.Location, msg)
		}
		return nil
	}
	for b.funcNames[fn] {
		fn += "X"
	}
	b.funcNames[fn] = true
	p := &ir.Schema{Func: fn, Origin: s.Location, Types: slices.Clone(s.Types)}
	b.progs[s.Location] = p
	ok := true
	sub := func(x *jsonschema.Schema, suffix string) *ir.Schema {
		if x == nil {
			return nil
		}
		q := b.program(x, fn+suffix)
		if q == nil {
			ok = false
		}
		return q
	}
	subs := func(xs []*jsonschema.Schema, suffix string) []*ir.Schema {
		var out []*ir.Schema
		for i, x := range xs {
			out = append(out, sub(x, fmt.Sprintf("%s%d", suffix, i)))
		}
		return out
	}
	if s.Always != nil {
		p.Bool = ptr(*s.Always)
	}
	if s.Ref != nil {
		p.Ref = sub(s.Ref, "Ref")
	}
	if s.Enum != nil {
		p.Enum, p.HasEnum = s.Enum, true
	}
	if len(s.Constant) > 0 {
		p.Const, p.HasConst = s.Constant[0], true
	}
	rat := func(r *big.Rat) string {
		if r == nil {
			return ""
		}
		return r.RatString()
	}
	p.Minimum, p.Maximum = rat(s.Minimum), rat(s.Maximum)
	p.ExclusiveMinimum, p.ExclusiveMaximum = rat(s.ExclusiveMinimum), rat(s.ExclusiveMaximum)
	p.MultipleOf = rat(s.MultipleOf)
	opt := func(n int) *int64 {
		if n < 0 {
			return nil
		}
		return ptr(int64(n))
	}
	p.MinLength, p.MaxLength = opt(s.MinLength), opt(s.MaxLength)
	if s.Pattern != nil {
		p.Pattern = s.Pattern.String()
	}
	p.MinItems, p.MaxItems = opt(s.MinItems), opt(s.MaxItems)
	p.UniqueItems = s.UniqueItems
	p.PrefixItems = subs(s.PrefixItems, "Prefix")
	switch items := s.Items.(type) {
	case *jsonschema.Schema:
		p.Items = sub(items, "Items")
	case []*jsonschema.Schema:
		p.PrefixItems = subs(items, "Prefix")
		switch ai := s.AdditionalItems.(type) {
		case *jsonschema.Schema:
			p.Items = sub(ai, "Items")
		case bool:
			p.Items = b.boolProgram(ai, fn+"Items", s.Location+"/additionalItems")
		}
	}
	if s.Items2020 != nil {
		p.Items = sub(s.Items2020, "Items")
	}
	if s.Contains != nil {
		p.Contains = sub(s.Contains, "Contains")
		p.MinContains, p.MaxContains = opt(s.MinContains), opt(s.MaxContains)
	}
	p.UnevaluatedItems = sub(s.UnevaluatedItems, "UnevaluatedItems")
	for _, k := range slices.Sorted(mapKeys(s.Properties)) {
		p.Properties = append(p.Properties, ir.SchemaProp{Name: k, Schema: sub(s.Properties[k], "Prop"+names.Exported(k))})
	}
	var pats []string
	byPat := map[string]*jsonschema.Schema{}
	for re, x := range s.PatternProperties {
		pats = append(pats, re.String())
		byPat[re.String()] = x
	}
	slices.Sort(pats)
	for i, re := range pats {
		p.PatternProperties = append(p.PatternProperties, ir.SchemaPattern{Pattern: re, Schema: sub(byPat[re], fmt.Sprintf("Pattern%d", i))})
	}
	switch ap := s.AdditionalProperties.(type) {
	case *jsonschema.Schema:
		p.AdditionalProperties = sub(ap, "Additional")
	case bool:
		p.AdditionalProperties = b.boolProgram(ap, fn+"Additional", s.Location+"/additionalProperties")
	}
	p.Required = slices.Clone(s.Required)
	p.MinProps, p.MaxProps = opt(s.MinProperties), opt(s.MaxProperties)
	for _, k := range slices.Sorted(mapKeys(s.DependentRequired)) {
		p.DependentRequired = append(p.DependentRequired, ir.Dependent{Name: k, Required: s.DependentRequired[k]})
	}
	for _, k := range slices.Sorted(mapKeys(s.DependentSchemas)) {
		p.DependentSchemas = append(p.DependentSchemas, ir.SchemaProp{Name: k, Schema: sub(s.DependentSchemas[k], "Dep"+names.Exported(k))})
	}
	for _, k := range slices.Sorted(mapKeys(s.Dependencies)) {
		switch d := s.Dependencies[k].(type) {
		case []string:
			p.DependentRequired = append(p.DependentRequired, ir.Dependent{Name: k, Required: d})
		case *jsonschema.Schema:
			p.DependentSchemas = append(p.DependentSchemas, ir.SchemaProp{Name: k, Schema: sub(d, "Dep"+names.Exported(k))})
		}
	}
	p.PropertyNames = sub(s.PropertyNames, "Names")
	p.UnevaluatedProperties = sub(s.UnevaluatedProperties, "Unevaluated")
	p.AllOf = subs(s.AllOf, "AllOf")
	p.AnyOf = subs(s.AnyOf, "AnyOf")
	p.OneOf = subs(s.OneOf, "OneOf")
	p.Not = sub(s.Not, "Not")
	if s.If != nil {
		p.If = sub(s.If, "If")
		p.Then = sub(s.Then, "Then")
		p.Else = sub(s.Else, "Else")
	}
	if !ok {
		return nil
	}
	return p
}

// boolProgram is the program of an additionalProperties or additionalItems
// given as true or false, with a name of its own.
func (b *builder) boolProgram(v bool, fn, loc string) *ir.Schema {
	for b.funcNames[fn] {
		fn += "X"
	}
	b.funcNames[fn] = true
	return &ir.Schema{Func: fn, Bool: ptr(v), Origin: loc}
}

// beyondGo tells whether an enum or const of a number schema holds a
// value the Go type cannot: an integer outside int64, a number that is
// not a float64's shortest decimal (1e400, or more digits than a float64
// keeps). No typed value could equal it, while JSON Schema compares
// numbers exactly; the JSON value kind keeps every digit.
func beyondGo(s *jsonschema.Schema, kind ir.Kind) string {
	for _, v := range append(slices.Clone(s.Enum), s.Constant...) {
		n, ok := v.(json.Number)
		if !ok {
			continue
		}
		switch r, _ := new(big.Rat).SetString(string(n)); {
		case r == nil:
		case kind == ir.Int && r.IsInt() && !r.Num().IsInt64():
			return "enum or const value beyond int64"
		case kind == ir.Float:
			// A typed float64 stands for its shortest decimal: a value
			// that is no float64's shortest decimal equals none of them.
			f, err := strconv.ParseFloat(string(n), 64)
			if back, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64)); err != nil || back == nil || back.Cmp(r) != 0 {
				return "enum or const value a float64 does not hold exactly"
			}
		}
	}
	return ""
}
