package model

import (
	"fmt"
	"slices"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/names"
)

// tupleParts returns the positional item schemas of an array schema that
// a tuple type expresses exactly, and the schema of the items after them:
// nil with closed true for "items": false (or "additionalItems": false),
// nil with closed false when they are unconstrained. ok is false when the
// schema is no such tuple: it has keywords a tuple does not carry
// (uniqueItems, contains, unevaluatedItems, ...).
func tupleParts(s *jsonschema.Schema) (prefix []*jsonschema.Schema, rest *jsonschema.Schema, closed, ok bool) {
	if !slices.Equal(s.Types, []string{"array"}) {
		return nil, nil, false, false
	}
	c := *s
	c.Types, c.PrefixItems, c.Items, c.Items2020, c.AdditionalItems = nil, nil, nil, nil, nil
	c.MinItems, c.MaxItems = -1, -1
	if !onlyRef(&c) || c.Ref != nil {
		return nil, nil, false, false
	}
	var more any
	switch items := s.Items.(type) {
	case []*jsonschema.Schema:
		prefix, more = items, s.AdditionalItems
	default:
		if s.Items != nil {
			return nil, nil, false, false
		}
		prefix = s.PrefixItems
		if s.Items2020 != nil {
			more = s.Items2020
		}
	}
	if len(prefix) == 0 {
		return nil, nil, false, false
	}
	switch m := more.(type) {
	case bool:
		closed = !m
	case *jsonschema.Schema:
		if m.Always != nil {
			closed = !*m.Always
		} else {
			rest = m
		}
	}
	return prefix, rest, closed, true
}

// tuple builds the struct of a tuple: one field per positional item,
// required up to minItems, and a Rest slice for the items after them.
func (b *builder) tuple(s *jsonschema.Schema, suggested string) *ir.Type {
	prefix, rest, closed, _ := tupleParts(s)
	name := b.nameFor(s, suggested)
	name = b.claim(name, s.Location)
	t := &ir.Type{Kind: ir.Tuple, Name: name, Doc: s.Description, Origin: s.Location, Closed: closed}
	if s.MinItems >= 0 {
		t.Check.MinItems = ptr(int64(s.MinItems))
	}
	if s.MaxItems >= 0 {
		t.Check.MaxItems = ptr(int64(s.MaxItems))
	}
	b.byLoc[s.Location] = t
	b.named = append(b.named, t)
	used := map[string]bool{}
	for i, it := range prefix {
		fname := b.goName(it)
		if fname == "" && deref(it).Title != "" {
			fname = names.Exported(deref(it).Title)
		}
		if explicit := b.goName(it); explicit != "" {
			holder := ""
			if used[explicit] || explicit == "Rest" {
				holder = "another position"
			}
			if b.explicitClash(it.Location, explicit, ir.IsMethod(ir.Tuple, explicit), holder, name) {
				return nil
			}
		}
		if ir.IsMethod(ir.Tuple, fname) {
			b.methodClash(it.Location, fmt.Sprintf("tuple position %d", i), fname, name, fmt.Sprintf("V%d", i))
			fname = ""
		}
		if fname == "" || used[fname] || fname == "Rest" || !names.IsExportedIdent(fname) {
			fname = fmt.Sprintf("V%d", i)
		}
		// A title may have taken V<i> already ("title": "V1" at position 0).
		for k := 2; used[fname]; k++ {
			fname = fmt.Sprintf("V%d_%d", i, k)
		}
		used[fname] = true
		ft := b.typeOf(it, name+fname)
		if ft == nil {
			return nil
		}
		required := int64(i) < int64(s.MinItems)
		t.Fields = append(t.Fields, b.breakCycle(newField(fname, fmt.Sprint(i), deref(it).Description, ft, required)))
	}
	switch {
	case rest != nil:
		et := b.typeOf(rest, name+"Item")
		if et == nil {
			return nil
		}
		t.Elem = et
	case !closed:
		// Any items may follow: JSON values.
		prog := b.boolProgram(true, "check"+name+"Item", s.Location+"/items")
		t.Elem = &ir.Type{Kind: ir.JSON, Schema: prog, Origin: s.Location}
	}
	return t
}
