package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/ir"
)

// objectParts flattens a schema made of allOf and $ref into its parts when
// every part is a plain object schema: "type": "object" (or no type),
// properties, required, minProperties and maxProperties, and annotations.
// typed reports whether some part says "type": "object".
func objectParts(s *jsonschema.Schema, depth int) (parts []*jsonschema.Schema, typed, ok bool) {
	if depth > 32 {
		return nil, false, false
	}
	c := *s
	c.Types, c.Properties, c.Required = nil, nil, nil
	c.MinProperties, c.MaxProperties = -1, -1
	c.AllOf, c.Ref = nil, nil
	if !onlyRef(&c) {
		return nil, false, false
	}
	if len(s.Types) > 0 && !slices.Equal(s.Types, []string{"object"}) {
		return nil, false, false
	}
	typed = len(s.Types) > 0
	sub := func(x *jsonschema.Schema) bool {
		p, t, ok := objectParts(x, depth+1)
		parts = append(parts, p...)
		typed = typed || t
		return ok
	}
	if s.Ref != nil && !sub(s.Ref) {
		return nil, false, false
	}
	for _, a := range s.AllOf {
		if !sub(a) {
			return nil, false, false
		}
	}
	return append(parts, s), typed, true
}

// mergedObject merges an allOf of object schemas, or a $ref with sibling
// object keywords, into one object schema: properties of every part,
// required properties of every part, the tightest property counts. A
// property that several parts declare differently keeps every schema: it
// becomes a JSON value checked against all of them (see conflicts). It
// returns nil when the schema is not such a composition, or when no part
// says "type": "object" (the composition then also accepts non-objects).
func (b *builder) mergedObject(s *jsonschema.Schema) *jsonschema.Schema {
	if len(s.AllOf) == 0 && s.Ref == nil {
		return nil
	}
	parts, typed, ok := objectParts(s, 0)
	if !ok || !typed {
		return nil
	}
	m := *s
	m.AllOf, m.Ref = nil, nil
	m.Types = []string{"object"}
	m.Properties = map[string]*jsonschema.Schema{}
	m.Required = nil
	m.MinProperties, m.MaxProperties = -1, -1
	var order []string
	decl := map[string][]*jsonschema.Schema{}
	for _, p := range parts {
		for _, name := range b.sortedProps(p) {
			ps := p.Properties[name]
			if !slices.ContainsFunc(decl[name], func(x *jsonschema.Schema) bool { return deref(x).Location == deref(ps).Location }) {
				decl[name] = append(decl[name], ps)
			}
			if !slices.Contains(order, name) {
				order = append(order, name)
			}
		}
		for _, r := range p.Required {
			if !slices.Contains(m.Required, r) {
				m.Required = append(m.Required, r)
			}
		}
		if p.MinProperties > m.MinProperties {
			m.MinProperties = p.MinProperties
		}
		if p.MaxProperties >= 0 && (m.MaxProperties < 0 || p.MaxProperties < m.MaxProperties) {
			m.MaxProperties = p.MaxProperties
		}
	}
	for _, r := range m.Required {
		if _, ok := decl[r]; !ok {
			return nil
		}
	}
	for name, schemas := range decl {
		if len(schemas) == 1 {
			m.Properties[name] = schemas[0]
			continue
		}
		if merged := mergeScalars(schemas); merged != nil {
			m.Properties[name] = merged
			continue
		}
		// A placeholder that reads as the first declaration; the field
		// type is built from all of them.
		ph := *schemas[0]
		m.Properties[name] = &ph
		b.conflicts[&ph] = schemas
	}
	b.propOrder[&m] = order
	return &m
}

// sortedProps lists the properties of an object schema in declaration
// order in its file.
func (b *builder) sortedProps(s *jsonschema.Schema) []string {
	if o, ok := b.propOrder[s]; ok {
		return o
	}
	props := slices.Collect(mapKeys(s.Properties))
	f := b.set.FileOf(s.Location)
	_, frag, _ := strings.Cut(s.Location, "#")
	// Each property's place is looked up once: sorting compares n log n
	// times, and a spec may have thousands of properties.
	at := make(map[string]int, len(props))
	for _, p := range props {
		at[p] = -1
		if f != nil {
			if off, ok := f.Index.Offset(frag + "/properties/" + escape(p)); ok {
				at[p] = off
			}
		}
	}
	slices.SortFunc(props, func(x, y string) int {
		if at[x] != at[y] {
			return at[x] - at[y]
		}
		return strings.Compare(x, y)
	})
	return props
}

// conflictType is the type of a property that several allOf parts declare:
// a JSON value whose program applies every declaration.
func (b *builder) conflictType(schemas []*jsonschema.Schema, fn string) *ir.Type {
	for b.funcNames[fn] {
		fn += "X"
	}
	b.funcNames[fn] = true
	p := &ir.Schema{Func: fn, Origin: schemas[0].Location}
	for i, x := range schemas {
		q := b.program(x, fmt.Sprintf("%sPart%d", fn, i))
		if q == nil {
			return nil
		}
		p.AllOf = append(p.AllOf, q)
	}
	return &ir.Type{Kind: ir.JSON, Schema: p, Origin: schemas[0].Location, Doc: deref(schemas[0]).Description}
}

// unsupportedTyped is unsupported without the keywords a typed struct
// carries itself: patternProperties, as map fields.
func unsupportedTyped(s *jsonschema.Schema) []string {
	kws := unsupported(s)
	if mapFieldsWhy(s) == "" {
		kws = slices.DeleteFunc(kws, func(k string) bool { return k == "patternProperties" })
	}
	return kws
}

// mapFieldsWhy tells why an object's patternProperties or
// additionalProperties schema cannot be map fields of its struct, or "".
// A declared property whose name matches a pattern would have to satisfy
// two schemas in one field; property counts over overlapping pattern maps
// are not a plain sum: both stay JSON values.
func mapFieldsWhy(s *jsonschema.Schema) string {
	_, apSchema := s.AdditionalProperties.(*jsonschema.Schema)
	if len(s.PatternProperties) == 0 && !(apSchema && len(s.Properties) > 0) {
		return ""
	}
	if !slices.Equal(s.Types, []string{"object"}) {
		return "patternProperties or additionalProperties on a value that is not only an object"
	}
	for re := range s.PatternProperties {
		for p := range s.Properties {
			if re.MatchString(p) {
				return "property " + p + " matches a patternProperties pattern"
			}
		}
	}
	if len(s.PatternProperties) > 1 && (s.MinProperties >= 0 || s.MaxProperties >= 0) {
		return "minProperties or maxProperties beside several patternProperties"
	}
	return ""
}

// mapFields adds a struct's additionalProperties schema (beside properties
// or patternProperties) and patternProperties as map fields.
func (b *builder) mapFields(s *jsonschema.Schema, t *ir.Type, goNames map[string]string) bool {
	pick := func(want ...string) string {
		for _, n := range want {
			if _, taken := goNames[n]; !taken {
				goNames[n] = ""
				return n
			}
		}
		return ""
	}
	var pats []string
	byPat := map[string]*jsonschema.Schema{}
	for re, x := range s.PatternProperties {
		pats = append(pats, re.String())
		byPat[re.String()] = x
	}
	slices.Sort(pats)
	for i, re := range pats {
		ps := byPat[re]
		want := "PatternProps"
		if len(pats) > 1 {
			want = fmt.Sprintf("PatternProps%d", i+1)
		}
		if n := b.goName(ps); n != "" {
			want = n
		}
		fname := pick(want, want+"Map")
		elem := b.typeOf(ps, t.Name+fname)
		if elem == nil || fname == "" {
			if fname == "" {
				b.errAt(ps.Location, fmt.Sprintf("Go field %s for the pattern %s is taken by a property; set \"x-go-name\" on the pattern's schema", diag.Clip(want), diag.Quote(re)))
			}
			return false
		}
		t.Patterns = append(t.Patterns, &ir.MapField{Name: fname, Pattern: re, Elem: elem})
	}
	if ap, ok := s.AdditionalProperties.(*jsonschema.Schema); ok {
		fname := pick("Extra", "AdditionalProperties")
		if fname == "" {
			b.errAt(ap.Location, "Go fields Extra and AdditionalProperties are both taken by properties; rename one with \"x-go-name\"")
			return false
		}
		elem := b.typeOf(ap, t.Name+"Extra")
		if elem == nil {
			return false
		}
		t.Extra = &ir.MapField{Name: fname, Elem: elem}
	}
	if open, isBool := s.AdditionalProperties.(bool); t.Extra == nil && (s.AdditionalProperties == nil || (isBool && open)) &&
		(s.MinProperties >= 0 || s.MaxProperties >= 0) {
		// minProperties and maxProperties count every property, so an
		// open object keeps the ones it does not declare, as JSON values.
		fname := pick("Extra", "AdditionalProperties")
		if fname == "" {
			b.errAt(s.Location, "Go fields Extra and AdditionalProperties are both taken by properties; rename one with \"x-go-name\"")
			return false
		}
		prog := b.boolProgram(true, "check"+t.Name+"Extra", s.Location+"/additionalProperties")
		t.Extra = &ir.MapField{Name: fname, Elem: &ir.Type{Kind: ir.JSON, Schema: prog, Origin: s.Location}}
	}
	return true
}

// mergeScalars merges declarations of one property that constrain a
// scalar with different keywords ({"type": "integer", "minimum": 1} and
// {"maximum": 9}, or {"type": "string"} and {"const": "circle"}) into one
// schema with all of them: the conjunction of disjoint keywords is that
// schema. Declarations that share a keyword, or use one that is not a
// plain scalar keyword, give nil.
func mergeScalars(schemas []*jsonschema.Schema) *jsonschema.Schema {
	plain := func(d *jsonschema.Schema) bool {
		c := *d
		c.Types, c.MinLength, c.MaxLength, c.Pattern = nil, -1, -1, nil
		c.Minimum, c.Maximum, c.ExclusiveMinimum, c.ExclusiveMaximum, c.MultipleOf = nil, nil, nil, nil, nil
		c.Enum, c.Constant = nil, nil
		return onlyRef(&c) && c.Ref == nil
	}
	out := *deref(schemas[0])
	if !plain(&out) {
		return nil
	}
	out.Location += "/allOf-merged"
	out.Title = ""
	for _, x := range schemas[1:] {
		d := deref(x)
		if !plain(d) {
			return nil
		}
		switch {
		case len(d.Types) == 0:
		case len(out.Types) == 0:
			out.Types = d.Types
		case !slices.Equal(out.Types, d.Types):
			return nil
		}
		for _, k := range []struct {
			set, taken bool
			take       func()
		}{
			{d.MinLength >= 0, out.MinLength >= 0, func() { out.MinLength = d.MinLength }},
			{d.MaxLength >= 0, out.MaxLength >= 0, func() { out.MaxLength = d.MaxLength }},
			{d.Pattern != nil, out.Pattern != nil, func() { out.Pattern = d.Pattern }},
			{d.Minimum != nil, out.Minimum != nil, func() { out.Minimum = d.Minimum }},
			{d.Maximum != nil, out.Maximum != nil, func() { out.Maximum = d.Maximum }},
			{d.ExclusiveMinimum != nil, out.ExclusiveMinimum != nil, func() { out.ExclusiveMinimum = d.ExclusiveMinimum }},
			{d.ExclusiveMaximum != nil, out.ExclusiveMaximum != nil, func() { out.ExclusiveMaximum = d.ExclusiveMaximum }},
			{d.MultipleOf != nil, out.MultipleOf != nil, func() { out.MultipleOf = d.MultipleOf }},
			{d.Enum != nil || d.Constant != nil, out.Enum != nil || out.Constant != nil, func() { out.Enum, out.Constant = d.Enum, d.Constant }},
		} {
			if k.set && k.taken {
				return nil
			}
			if k.set {
				k.take()
			}
		}
	}
	if len(out.Types) != 1 || out.Types[0] == "object" || out.Types[0] == "array" {
		return nil
	}
	return &out
}
