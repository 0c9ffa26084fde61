package model

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/names"
)

// unionBranches returns the branches of a schema that is a oneOf or an
// anyOf and asserts nothing else, so that a union type expresses it exactly.
// A "type" beside them is allowed when every branch already says a type
// within it ({"type": "object", "oneOf": [objects...]}), so it adds nothing.
// Object keywords beside them (properties, required, ...) are returned as
// rest: they hold for whichever branch matches, so each branch becomes
// allOf [rest, branch] (see withParent), which means the same.
func unionBranches(s *jsonschema.Schema) (branches []*jsonschema.Schema, oneOf bool, rest *jsonschema.Schema) {
	if (len(s.OneOf) > 0) == (len(s.AnyOf) > 0) || s.Ref != nil {
		return nil, false, nil
	}
	branches, oneOf = s.AnyOf, false
	if len(s.OneOf) > 0 {
		branches, oneOf = s.OneOf, true
	}
	c := *s
	c.OneOf, c.AnyOf, c.Types = nil, nil, nil
	if !onlyRef(&c) {
		r := *s
		r.OneOf, r.AnyOf = nil, nil
		r.Location = s.Location + "/without-" + map[bool]string{true: "oneOf", false: "anyOf"}[oneOf]
		r.Title, r.Description = "", ""
		if _, _, ok := objectParts(&r, 0); !ok {
			return nil, false, nil
		}
		return branches, oneOf, &r
	}
	if len(s.Types) > 0 {
		for _, br := range branches {
			d := deref(br)
			if len(d.Types) == 0 {
				return nil, false, nil
			}
			for _, k := range d.Types {
				if !slices.Contains(s.Types, k) && !(k == "integer" && slices.Contains(s.Types, "number")) {
					return nil, false, nil
				}
			}
		}
	}
	return branches, oneOf, nil
}

// withParent is the schema of a branch under the object keywords beside
// its union: allOf [rest, branch], at a location of its own.
func withParent(rest, br *jsonschema.Schema) *jsonschema.Schema {
	w := *rest
	w.Location = br.Location + "/with-parent"
	w.Types, w.Properties, w.Required = nil, nil, nil
	w.MinProperties, w.MaxProperties = -1, -1
	w.AllOf = []*jsonschema.Schema{rest, br}
	return &w
}

// union builds the sum type of a oneOf or anyOf: a struct with one pointer
// per branch, exactly one set.
func (b *builder) union(s *jsonschema.Schema, branches []*jsonschema.Schema, oneOf bool, rest *jsonschema.Schema, suggested string, pointerOK bool) *ir.Type {
	// The branches' own schemas name the variants and tell them apart;
	// typed are the branches under the keywords beside the union.
	typed := branches
	if rest != nil {
		typed = nil
		for _, br := range branches {
			typed = append(typed, withParent(rest, br))
		}
		pointerOK = false
	}
	if !pointerOK {
		// A named result cannot be a pointer type.
	} else if t := b.nullableBranch(branches, suggested); t != nil {
		return t
	}
	name := b.nameFor(s, suggested)
	name = b.claim(name, s.Location)
	t := &ir.Type{Kind: ir.Union, Name: name, Doc: s.Description, Origin: s.Location, OneOf: oneOf}
	b.byLoc[s.Location] = t
	b.named = append(b.named, t)
	disc, tags := discriminator(branches, rest)
	t.Discriminator = disc
	used := map[string]bool{}
	ok := true
	for i, br := range branches {
		var tag any
		if disc != "" {
			tag = tags[i]
		}
		vname := b.variantName(name, br, i, disc != "", tag, used)
		vt := b.typeOf(typed[i], name+vname)
		if vt == nil {
			ok = false
			continue
		}
		if vt.Kind == ir.Pointer || vt.Kind == ir.OptNull {
			// A nullable branch: its variant is a JSON value, which holds null.
			vt = b.jsonType(typed[i], name+vname)
			if vt == nil {
				ok = false
				continue
			}
		}
		t.Variants = append(t.Variants, &ir.Variant{Name: vname, Type: vt, Tag: tag})
	}
	if !ok {
		return nil
	}
	if oneOf && disc == "" {
		// A value of one branch may also match another whose JSON types
		// overlap; Validate checks those against the value's JSON form.
		for i, v := range t.Variants {
			for j, w := range t.Variants {
				if i == j || !overlap(jsonKinds(v.Type, map[*ir.Type]bool{}), jsonKinds(w.Type, map[*ir.Type]bool{})) {
					continue
				}
				prog := b.program(typed[j], "check"+name+w.Name)
				if prog == nil {
					return nil
				}
				v.Others = append(v.Others, prog)
				v.OtherNames = append(v.OtherNames, w.Name)
			}
		}
	}
	return t
}

// variantName names a branch's field: x-go-name, title or $ref target
// name, then the discriminator value, then the branch's JSON type, then
// Variant<i>; a name taken by an earlier branch gets the branch index.
func (b *builder) variantName(unionName string, br *jsonschema.Schema, i int, hasTag bool, tag any, used map[string]bool) string {
	target := deref(br)
	n := b.goName(br)
	reported := false
	if n != "" {
		holder := ""
		if used[n] {
			holder = "another branch"
		}
		// The generation fails with the error; the name below only keeps
		// the model whole until then.
		reported = b.explicitClash(br.Location, n, ir.IsMethod(ir.Union, n), holder, unionName)
	}
	if n == "" {
		n = b.nameFor(target, "")
	}
	if n == "" && hasTag {
		n = names.Exported(fmt.Sprint(tag))
		if tag == nil {
			n = "Null"
		}
	}
	if n == "" {
		types := slices.DeleteFunc(slices.Clone(target.Types), func(x string) bool { return x == "null" })
		if len(types) == 0 {
			vals := target.Enum
			if len(vals) == 0 {
				vals = target.Constant
			}
			types = enumTypes(vals)
		}
		if len(types) == 1 {
			n = names.Exported(types[0])
		} else if slices.Equal(target.Types, []string{"null"}) {
			n = "Null"
		}
	}
	if n == "" || !names.IsExportedIdent(n) {
		n = fmt.Sprintf("Variant%d", i)
	}
	if ir.IsMethod(ir.Union, n) {
		if !reported {
			b.methodClash(br.Location, fmt.Sprintf("branch %d", i), n, unionName, fmt.Sprintf("%s%d", n, i))
		}
		n = fmt.Sprintf("%s%d", n, i)
	} else if used[n] {
		n = fmt.Sprintf("%s%d", n, i)
	}
	// An earlier branch may hold the indexed name too ("A", "A2", "A").
	for base, k := n, 2; used[n]; k++ {
		n = fmt.Sprintf("%s_%d", base, k)
	}
	used[n] = true
	return n
}

// discriminator finds the property that tells object branches apart: every
// branch is an object that requires it and allows one scalar value for it,
// each branch a different one. Decoding reads it first; the choice is exact,
// since no other branch can accept a value carrying another branch's tag.
func discriminator(branches []*jsonschema.Schema, rest *jsonschema.Schema) (string, []any) {
	if len(branches) < 2 {
		return "", nil
	}
	object := func(d *jsonschema.Schema) bool {
		return slices.Equal(d.Types, []string{"object"}) || (rest != nil && slices.Equal(rest.Types, []string{"object"}))
	}
	requires := func(d *jsonschema.Schema, prop string) bool {
		return slices.Contains(d.Required, prop) || (rest != nil && slices.Contains(rest.Required, prop))
	}
	candidates := slices.Clone(deref(branches[0]).Required)
	if rest != nil {
		candidates = append(candidates, rest.Required...)
	}
	slices.Sort(candidates)
	for _, prop := range slices.Compact(candidates) {
		var tags []any
		for _, br := range branches {
			d := deref(br)
			if !object(d) || !requires(d, prop) {
				break
			}
			ps, ok := d.Properties[prop]
			if !ok {
				break
			}
			tag, ok := tagOf(deref(ps))
			if !ok || slices.ContainsFunc(tags, func(x any) bool { return equalScalar(x, tag) }) {
				break
			}
			tags = append(tags, tag)
		}
		if len(tags) == len(branches) {
			return prop, tags
		}
	}
	return "", nil
}

// tagOf returns the only value a property schema allows, when it is a scalar.
func tagOf(s *jsonschema.Schema) (any, bool) {
	var v any
	switch {
	case len(s.Constant) == 1:
		v = s.Constant[0]
	case len(s.Enum) == 1:
		v = s.Enum[0]
	default:
		return nil, false
	}
	switch v.(type) {
	case nil, bool, string, json.Number:
		return v, true
	}
	return nil, false
}

// equalScalar compares two decoded JSON scalars as JSON Schema does (1 and 1.0 are equal).
func equalScalar(a, b any) bool {
	x, ok1 := a.(json.Number)
	y, ok2 := b.(json.Number)
	if ok1 && ok2 {
		rx, okx := new(big.Rat).SetString(string(x))
		ry, oky := new(big.Rat).SetString(string(y))
		return okx && oky && rx.Cmp(ry) == 0
	}
	return a == b
}

// jsonKinds lists the JSON types the values of a Go type can take.
func jsonKinds(t *ir.Type, seen map[*ir.Type]bool) []string {
	if seen[t] {
		return nil
	}
	seen[t] = true
	switch t.Kind {
	case ir.String, ir.Time:
		return []string{"string"}
	case ir.Int:
		return []string{"integer"}
	case ir.Float:
		return []string{"number"}
	case ir.Bool:
		return []string{"boolean"}
	case ir.Struct, ir.Map:
		return []string{"object"}
	case ir.Slice, ir.Tuple:
		return []string{"array"}
	case ir.Enum, ir.Named:
		return jsonKinds(t.Elem, seen)
	case ir.JSONEnum:
		var out []string
		for _, v := range t.Values {
			out = append(out, valueType(v.Value))
		}
		return out
	case ir.Pointer, ir.OptNull:
		return append(jsonKinds(t.Elem, seen), "null")
	case ir.Union:
		var out []string
		for _, v := range t.Variants {
			out = append(out, jsonKinds(v.Type, seen)...)
		}
		return out
	case ir.JSON:
		if t.Schema != nil && len(t.Schema.Types) > 0 {
			return t.Schema.Types
		}
	}
	return []string{"null", "boolean", "number", "string", "array", "object"}
}

// overlap reports whether two lists of JSON types share a value; integers
// are numbers.
func overlap(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y || (x == "integer" && y == "number") || (x == "number" && y == "integer") {
				return true
			}
		}
	}
	return false
}

// nullableBranch types a union of one schema and {"type": "null"} as a
// pointer to the schema's type: null matches only the null branch, and any
// other value only the schema (whose type cannot hold null), so oneOf and
// anyOf mean the same and nil is null. It returns nil for other unions.
func (b *builder) nullableBranch(branches []*jsonschema.Schema, suggested string) *ir.Type {
	if len(branches) != 2 {
		return nil
	}
	other := -1
	for i, br := range branches {
		d := deref(br)
		c := *d
		c.Types = nil
		if slices.Equal(d.Types, []string{"null"}) && onlyRef(&c) {
			other = 1 - i
		}
	}
	if other < 0 {
		return nil
	}
	if slices.Contains(deref(branches[other]).Types, "null") {
		return nil
	}
	t := b.typeOf(branches[other], suggested)
	if t == nil || t.Kind == ir.Pointer || t.Kind == ir.OptNull || ir.HoldsNull(t) {
		return nil
	}
	return &ir.Type{Kind: ir.Pointer, Elem: t, Origin: branches[other].Location}
}
