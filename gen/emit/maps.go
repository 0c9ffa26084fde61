package emit

import (
	"fmt"
	"strconv"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/ir"
)

// mapFields lists a struct's patternProperties maps, then its
// additionalProperties map: the order keys are sorted into and written.
func mapFields(t *ir.Type) []*ir.MapField {
	out := append([]*ir.MapField(nil), t.Patterns...)
	if t.Extra != nil {
		out = append(out, t.Extra)
	}
	return out
}

func mapType(m *ir.MapField) *ir.Type { return &ir.Type{Kind: ir.Map, Elem: m.Elem} }

// mapFieldDecl declares a map field; it is not a JSON property itself.
func mapFieldDecl(g *jen.Group, m *ir.MapField) {
	if m.Pattern != "" {
		comment(g, fmt.Sprintf("%s holds the properties whose names match %s.", m.Name, strconv.Quote(m.Pattern)))
	} else {
		comment(g, fmt.Sprintf("%s holds the properties that no other field takes (additionalProperties).", m.Name))
	}
	g.Id(m.Name).Add(goType(mapType(m))).Tag(map[string]string{"json": "-"})
}

// decodeValue decodes data into target, a pointer to a value of type t, the
// way a property of that type decodes: a nullable type takes null.
func decodeValue(t *ir.Type, data, target jen.Code) *jen.Statement {
	switch {
	case ownStrictDecode(t):
		return jen.Parens(target).Dot("UnmarshalJSON").Call(data)
	case ir.HoldsNull(t):
		return jen.Qual("encoding/json", "Unmarshal").Call(data, target)
	case t.Kind == ir.Pointer || t.Kind == ir.OptNull:
		return jen.Qual(kit, "DecodeNullable").Call(data, target)
	}
	return helper("DecodeStrict").Call(data, target)
}

// mapsUnmarshal emits UnmarshalJSON for a struct with map fields: the
// properties first, then every other key into the map it belongs to.
func (e *emitter) mapsUnmarshal(t *ir.Type) {
	required, nonNull, known := keyLists(t)
	into := func(m *ir.MapField) []jen.Code {
		return []jen.Code{
			jen.Var().Id("x").Add(goType(m.Elem)),
			jen.If(jen.Err().Op(":=").Add(decodeValue(m.Elem, jen.Id("raw").Index(jen.Id("k")), jen.Op("&").Id("x"))), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Qual(kit, "PropError").Call(jen.Id("k"), jen.Err()))),
			jen.If(jen.Id("v").Dot(m.Name).Op("==").Nil()).Block(jen.Id("v").Dot(m.Name).Op("=").Make(goType(mapType(m)))),
			jen.Id("v").Dot(m.Name).Index(jen.Id("k")).Op("=").Id("x"),
		}
	}
	var rest []jen.Code
	switch {
	case t.Extra != nil:
		rest = into(t.Extra)
	case t.Closed:
		rest = []jen.Code{jen.Id("vs").Dot("Add").Call(helper("JoinPointer").Call(jen.Lit(""), jen.Id("k")), jen.Lit("additionalProperties"), jen.Qual("fmt", "Sprintf").Call(jen.Lit("unknown property %q"), jen.Id("k")))}
	}
	var loop []jen.Code
	track := len(rest) > 0 && len(t.Patterns) > 0
	if track {
		loop = append(loop, jen.Id("matched").Op(":=").False())
	}
	for _, m := range t.Patterns {
		block := into(m)
		if track {
			block = append([]jen.Code{jen.Id("matched").Op("=").True()}, block...)
		}
		loop = append(loop, jen.If(jen.Id(e.pattern(m.Pattern)).Dot("MatchString").Call(jen.Id("k"))).Block(block...))
	}
	switch {
	case track:
		loop = append(loop, jen.If(jen.Op("!").Id("matched")).Block(rest...))
	case len(rest) > 0:
		loop = append(loop, rest...)
	}
	body := []jen.Code{
		jen.If(jen.Err().Op(":=").Qual(kit, "RequireKeys").Call(jen.Id("data"), required, nonNull, jen.Nil(), jen.False()), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Type().Id("plain").Id(t.Name),
		jen.If(jen.Err().Op(":=").Add(helper("DecodeStrict")).Call(jen.Id("data"), jen.Parens(jen.Op("*").Id("plain")).Parens(jen.Id("v"))), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
	}
	body = append(body, nullFields(t)...)
	for _, m := range mapFields(t) {
		body = append(body, jen.Id("v").Dot(m.Name).Op("=").Nil())
	}
	body = append(body,
		jen.List(jen.Id("keys"), jen.Id("raw"), jen.Err()).Op(":=").Qual(kit, "OtherProps").Call(jen.Id("data"), known),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
	)
	// A null untagged field was set by nullFields already; decoding null leaves it.
	body = append(body, untaggedDecode(t)...)
	unknown := t.Closed && t.Extra == nil
	if unknown {
		body = append(body,
			jen.Var().Id("vs").Qual(kit, "Violations"),
			jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Id("keys")).Block(loop...),
			jen.Return(jen.Id("vs").Dot("Err").Call()))
	} else {
		body = append(body,
			jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Id("keys")).Block(loop...),
			jen.Return(jen.Nil()))
	}
	comment(e.f, fmt.Sprintf("UnmarshalJSON decodes a %s strictly (missing required properties, nulls where null is not allowed%s are errors)", t.Name, map[bool]string{true: " and unknown properties", false: ""}[unknown]))
	e.f.Comment("and puts every key that no property takes into the map it belongs to.")
	e.f.Func().Params(jen.Id("v").Op("*").Id(t.Name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Block(body...)
	e.f.Line()

	marshal := []jen.Code{
		jen.Type().Id("plain").Id(t.Name),
		jen.Var().Id("w").Qual(kit, "ObjectWriter"),
		jen.Id("w").Dot("Struct").Call(jen.Id("plain").Call(jen.Id("v"))),
	}
	marshal = append(marshal, untaggedEncode(t)...)
	for _, m := range mapFields(t) {
		marshal = append(marshal, jen.Qual(kit, "WriteProps").Call(jen.Op("&").Id("w"), jen.Id("v").Dot(m.Name)))
	}
	marshal = append(marshal, jen.Return(jen.Id("w").Dot("Bytes").Call()))
	e.f.Comment("MarshalJSON writes the properties, then the keys of the maps in sorted order; a key is written once.")
	e.f.Func().Params(jen.Id("v").Id(t.Name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(marshal...)
	e.f.Line()
}

// mapChecksOf validates a struct's map fields: each key belongs to its map
// (matches the pattern; an additional property is no declared property and
// matches no pattern), and each value its schema.
func (e *emitter) mapFieldChecks(t *ir.Type) []jen.Code {
	var out []jen.Code
	for _, m := range mapFields(t) {
		x := jen.Id("v").Dot(m.Name)
		var keyCheck []jen.Code
		if m.Pattern != "" {
			keyCheck = append(keyCheck, jen.If(jen.Op("!").Id(e.pattern(m.Pattern)).Dot("MatchString").Call(jen.Id("k"))).Block(
				jen.Id("vs").Dot("Addf").Call(jen.Id("p").Dot("String").Call(), jen.Lit("patternProperties"), jen.Lit("%q does not match "+pct(diag.Quote(m.Pattern))+", the pattern of "+m.Name), jen.Id("k"))))
		} else {
			var conds []jen.Code
			var known []jen.Code
			for _, fd := range t.Fields {
				known = append(known, jen.Lit(fd.JSON))
			}
			for _, p := range t.Patterns {
				conds = append(conds, jen.Id(e.pattern(p.Pattern)).Dot("MatchString").Call(jen.Id("k")))
			}
			switch {
			case len(known) == 1:
				conds = append(conds, jen.Id("k").Op("==").Add(known[0]))
			case len(known) > 1:
				conds = append(conds, jen.Qual("slices", "Contains").Call(jen.Index().String().Values(known...), jen.Id("k")))
			}
			if len(conds) > 0 {
				cond := jen.Add(conds[0])
				for _, c := range conds[1:] {
					cond = cond.Op("||").Add(c)
				}
				keyCheck = append(keyCheck, jen.If(cond).Block(
					jen.Id("vs").Dot("Addf").Call(jen.Id("p").Dot("String").Call(), jen.Lit("additionalProperties"), jen.Lit("%q is a declared or patterned property, not an additional one"), jen.Id("k"))))
			}
		}
		var elem []jen.Code
		if needsCheck(m.Elem, map[*ir.Type]bool{}) {
			elem = e.checks(m.Elem, jen.Id("e"), "&p", 1)
		}
		if len(keyCheck)+len(elem) == 0 {
			continue
		}
		inner := append([]jen.Code{jen.Id("p").Op(":=").Id("path").Dot("Key").Call(jen.Id("k"))}, keyCheck...)
		inner = append(inner, elem...)
		vars := jen.List(jen.Id("k"), jen.Id("e"))
		if len(elem) == 0 {
			vars = jen.Id("k")
		}
		out = append(out, jen.For(vars.Op(":=").Range().Add(x)).Block(inner...))
	}
	return out
}

// mapFieldsConv converts the keys of a source object that no property
// takes into the struct's maps; in m, the object, at path.
func (e *emitter) mapFieldsConv(t *ir.Type) ([]jen.Code, bool) {
	var known []jen.Code
	for _, fd := range t.Fields {
		known = append(known, jen.Lit(fd.JSON))
	}
	// Only additionalProperties, whose values convert in one call: one kit call, as a field's.
	if t.Extra != nil && len(t.Patterns) == 0 {
		if fn := e.convFunc(t.Extra.Elem); fn != nil {
			var knownList jen.Code = jen.Nil()
			if len(known) > 0 {
				knownList = jen.Index().String().Values(known...)
			}
			return []jen.Code{jen.Id("out").Dot(t.Extra.Name).Op("=").Qual(kit, "ExtraProps").Call(jen.Op("&").Err(), jen.Id("path"), jen.Id("m"), knownList, fn)}, true
		}
	}
	into := func(mf *ir.MapField) []jen.Code {
		out := []jen.Code{jen.Var().Id("x").Add(goType(mf.Elem))}
		out = append(out, e.conv(mf.Elem, jen.Id("x"), helper("JoinPointer").Call(jen.Id("path"), jen.Id("k")), jen.Id("m").Index(jen.Id("k")), 2)...)
		out = append(out,
			jen.If(jen.Id("out").Dot(mf.Name).Op("==").Nil()).Block(jen.Id("out").Dot(mf.Name).Op("=").Make(goType(mapType(mf)))),
			jen.Id("out").Dot(mf.Name).Index(jen.Id("k")).Op("=").Id("x"))
		return out
	}
	var loop []jen.Code
	if len(known) > 0 {
		loop = append(loop, jen.If(jen.Qual("slices", "Contains").Call(jen.Index().String().Values(known...), jen.Id("k"))).Block(jen.Continue()))
	}
	if t.Extra != nil && len(t.Patterns) > 0 {
		loop = append(loop, jen.Id("matched").Op(":=").False())
	}
	for _, mf := range t.Patterns {
		block := into(mf)
		if t.Extra != nil {
			block = append([]jen.Code{jen.Id("matched").Op("=").True()}, block...)
		}
		loop = append(loop, jen.If(jen.Id(e.pattern(mf.Pattern)).Dot("MatchString").Call(jen.Id("k"))).Block(block...))
	}
	if t.Extra != nil && len(t.Patterns) > 0 {
		loop = append(loop, jen.If(jen.Id("matched")).Block(jen.Continue()))
	}
	if t.Extra != nil {
		loop = append(loop, into(t.Extra)...)
	}
	return []jen.Code{jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Add(helper("SortedKeys")).Call(jen.Id("m"))).Block(loop...)}, false
}
