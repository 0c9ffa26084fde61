package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
)

func unionKeyword(t *ir.Type) string {
	if t.OneOf {
		return "oneOf"
	}
	return "anyOf"
}

// unionType emits a sum type: a struct with one pointer per branch, of
// which exactly one is set, with its JSON methods.
func (e *emitter) unionType(t *ir.Type) {
	kw := unionKeyword(t)
	rule := "exactly one branch must match"
	if !t.OneOf {
		rule = "at least one branch must match; decoding takes the first that does"
	}
	comment(e.f, doc(t.Name, t.Doc, fmt.Sprintf("%s is the value at %s.", t.Name, shortOrigin(t.Origin))))
	comment(e.f, fmt.Sprintf("It is one of the %d branches of its %s (%s): exactly one field", len(t.Variants), kw, rule))
	e.f.Comment("is set, so switch on which one is not nil.")
	e.f.Type().Id(t.Name).StructFunc(func(g *jen.Group) {
		for _, v := range t.Variants {
			g.Id(v.Name).Op("*").Add(goType(v.Type))
		}
	})
	e.f.Line()

	e.f.Comment("MarshalJSON writes the variant that is set.")
	e.f.Func().Params(jen.Id("v").Id(t.Name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Switch().BlockFunc(func(g *jen.Group) {
			for _, v := range t.Variants {
				g.Case(jen.Id("v").Dot(v.Name).Op("!=").Nil()).Block(jen.Return(jen.Qual("encoding/json", "Marshal").Call(jen.Id("v").Dot(v.Name))))
			}
		}),
		jen.Return(jen.Nil(), jen.Qual("errors", "New").Call(jen.Lit(t.Name+": no variant is set"))),
	)
	e.f.Line()

	e.f.Comment("Value returns the variant that is set, a pointer to its type, or nil: for a type switch.")
	e.f.Func().Params(jen.Id("v").Id(t.Name)).Id("Value").Params().Any().Block(
		jen.Switch().BlockFunc(func(g *jen.Group) {
			for _, v := range t.Variants {
				g.Case(jen.Id("v").Dot(v.Name).Op("!=").Nil()).Block(jen.Return(jen.Id("v").Dot(v.Name)))
			}
		}),
		jen.Return(jen.Nil()),
	)
	e.f.Line()

	if t.Discriminator != "" {
		e.unionUnmarshalTagged(t)
	} else {
		e.unionUnmarshalTrial(t)
	}
}

// decodeInto decodes data into target, a pointer to a value of type t.
func decodeInto(t *ir.Type, target jen.Code) *jen.Statement {
	if ownStrictDecode(t) {
		return jen.Add(target).Dot("UnmarshalJSON").Call(jen.Id("data"))
	}
	if ir.HoldsNull(t) {
		// A JSON value holds null and any number exactly; a union that
		// may be null decides for itself.
		return jen.Qual("encoding/json", "Unmarshal").Call(jen.Id("data"), target)
	}
	return helper("DecodeStrict").Call(jen.Id("data"), target)
}

func (e *emitter) unionUnmarshalTagged(t *ir.Type) {
	var want []string
	for _, v := range t.Variants {
		want = append(want, briefJSON(v.Tag))
	}
	comment(e.f, fmt.Sprintf("UnmarshalJSON reads the property %q first and decodes the variant it names.", t.Discriminator))
	e.f.Func().Params(jen.Id("v").Op("*").Id(t.Name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Block(
		jen.List(jen.Id("tag"), jen.Err()).Op(":=").Qual(kit, "Discriminator").Call(jen.Id("data"), jen.Lit(t.Discriminator)),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Op("*").Id("v").Op("=").Id(t.Name).Values(),
		e.tagSwitch(t, func(v *ir.Variant) []jen.Code {
			return []jen.Code{
				jen.Id("v").Dot(v.Name).Op("=").New(goType(v.Type)),
				jen.Return(decodeInto(v.Type, jen.Id("v").Dot(v.Name))),
			}
		}),
		jen.Return(jen.Qual(kit, "UnknownTag").Call(jen.Lit(t.Discriminator), jen.Id("tag"), jen.Lit(strings.Join(want, ", ")))),
	)
	e.f.Line()
}

// tagSwitch switches on the discriminator value tag: on the value itself
// when every tag is a string, a boolean or null, else comparing numbers
// as JSON Schema does (1 is 1.0).
func (e *emitter) tagSwitch(t *ir.Type, body func(v *ir.Variant) []jen.Code) jen.Code {
	plain := true
	for _, v := range t.Variants {
		switch v.Tag.(type) {
		case string, bool, nil:
		default:
			plain = false
		}
	}
	if plain {
		return jen.Switch(jen.Id("tag")).BlockFunc(func(g *jen.Group) {
			for _, v := range t.Variants {
				g.Case(jsonLit(v.Tag)).Block(body(v)...)
			}
		})
	}
	return jen.Switch().BlockFunc(func(g *jen.Group) {
		for _, v := range t.Variants {
			g.Case(helper("EqualJSON").Call(jen.Id("tag"), jsonLit(v.Tag))).Block(body(v)...)
		}
	})
}

func (e *emitter) unionUnmarshalTrial(t *ir.Type) {
	// One new value per branch, then one candidate per branch in order: the decoding calls in the
	// candidates' fields run in that order, as PickVariant reads them.
	var xs, news []jen.Code
	var cands []jen.Code
	for i, v := range t.Variants {
		x := jen.Id(fmt.Sprintf("x%d", i))
		xs = append(xs, x.Clone())
		news = append(news, jen.New(goType(v.Type)))
		cands = append(cands, jen.Line().Values(
			jen.Id("Name").Op(":").Lit(v.Name),
			jen.Id("Value").Op(":").Id(t.Name).Values(jen.Id(v.Name).Op(":").Add(x.Clone())),
			jen.Id("Err").Op(":").Add(decodeInto(v.Type, x.Clone())),
		))
	}
	cands = append(cands, jen.Line())
	body := []jen.Code{
		jen.List(xs...).Op(":=").List(news...),
		jen.Return(jen.Qual(kit, "PickVariant").Call(jen.Id("v"), jen.Lit(t.OneOf),
			jen.Index().Qual(kit, "Candidate").Types(jen.Id(t.Name)).Values(cands...),
			jen.Parens(jen.Op("*").Id(t.Name)).Dot("checkVariant"))),
	}
	if t.OneOf {
		e.f.Comment("UnmarshalJSON tries every branch and keeps the one branch that matches; a value that matches several is an error.")
	} else {
		e.f.Comment("UnmarshalJSON tries every branch and keeps the first branch that matches.")
	}
	e.f.Comment("When none matches, the first branch that decodes is kept, for Validate to report why.")
	e.f.Func().Params(jen.Id("v").Op("*").Id(t.Name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Block(body...)
	e.f.Line()
	e.f.Comment("checkVariant validates the variant that is set against its own branch.")
	e.f.Func().Params(jen.Id("v").Op("*").Id(t.Name)).Id("checkVariant").Params().Error().Block(
		jen.Var().Id("vs").Qual(kit, "Violations"),
		jen.Id("v").Dot("validateVariant").Call(jen.Op("&").Id("vs"), jen.Nil()),
		jen.Return(jen.Id("vs").Dot("Err").Call()),
	)
	e.f.Line()
}

// unionChecks is the body of a union's validate: the variant set, its own
// branch, and for oneOf that no other branch matches it.
func (e *emitter) unionChecks(t *ir.Type) []jen.Code {
	kw := unionKeyword(t)
	var variant []jen.Code
	variant = append(variant, jen.Id("n").Op(":=").Lit(0))
	for _, v := range t.Variants {
		x := jen.Id("v").Dot(v.Name)
		inner := []jen.Code{jen.Id("n").Op("++")}
		switch v.Type.Kind {
		case ir.Struct, ir.Union, ir.Named, ir.Enum, ir.Tuple:
			if needsCheck(v.Type, map[*ir.Type]bool{}) {
				inner = append(inner, x.Clone().Dot("validate").Call(jen.Id("vs"), jen.Id("path")))
			}
		default:
			inner = append(inner, e.checks(v.Type, jen.Parens(jen.Op("*").Add(x.Clone())), "path", 0)...)
		}
		variant = append(variant, jen.If(x.Clone().Op("!=").Nil()).Block(inner...))
	}
	variant = append(variant, jen.If(jen.Id("n").Op("!=").Lit(1)).Block(
		jen.Id("vs").Dot("Addf").Call(jen.Id("path").Dot("String").Call(), jen.Lit(kw), jen.Lit(fmt.Sprintf("%%d of the %d variants are set, want exactly 1", len(t.Variants))), jen.Id("n"))))
	cross := false
	for _, v := range t.Variants {
		if len(v.Others) > 0 {
			cross = true
		}
	}
	if !cross && t.Discriminator != "" {
		// Nothing else calls the variant's checks on their own.
		return variant
	}
	e.f.Comment("validateVariant checks that one variant is set and that it satisfies its branch.")
	e.f.Func().Params(jen.Id("v").Op("*").Id(t.Name)).Id("validateVariant").Params(jen.Id("vs").Op("*").Qual(kit, "Violations"), jen.Id("path").Op("*").Qual(kit, "Path")).Block(variant...)
	e.f.Line()

	body := []jen.Code{}
	if !cross {
		return append(body, jen.Id("v").Dot("validateVariant").Call(jen.Id("vs"), jen.Id("path")))
	}
	body = append(body,
		jen.Id("before").Op(":=").Id("vs").Dot("Len").Call(),
		jen.Id("v").Dot("validateVariant").Call(jen.Id("vs"), jen.Id("path")),
		jen.If(jen.Id("vs").Dot("Len").Call().Op(">").Id("before")).Block(jen.Return()),
		jen.Comment("oneOf: the value must match no other branch."),
	)
	var cases []jen.Code
	for _, v := range t.Variants {
		if len(v.Others) == 0 {
			continue
		}
		args := []jen.Code{jen.Id("v").Dot(v.Name), jen.Id("path")}
		var names []jen.Code
		for i, o := range v.Others {
			other := otherVariant(t, v.OtherNames[i])
			// The program leaves format an annotation; the branch's Go type does not.
			switch {
			case other == nil || !holdsFormat(other.Type, map[*ir.Type]bool{}):
			case other.Type.Kind == ir.Format:
				args = append(args, jen.Qual(kit, "FormatChecked").Call(jen.Lit(other.Type.Format), checkFunc(o)))
				continue
			case other.Type.Kind == ir.Time:
				args = append(args, jen.Qual(kit, "FormatChecked").Call(jen.Lit("date-time"), checkFunc(o)))
				continue
			case other.Type.Name != "":
				args = append(args, jen.Qual(kit, "DecodedBy").Types(goType(other.Type)).Call(checkFunc(o)))
				continue
			default:
				args = append(args, jen.Qual(kit, "DecodesAs").Types(goType(other.Type)).Call(checkFunc(o)))
				continue
			}
			args = append(args, checkFunc(o))
			names = append(names, jen.Lit(v.OtherNames[i]))
		}
		cases = append(cases, jen.Case(jen.Id("v").Dot(v.Name).Op("!=").Nil()).Block(
			jen.If(jen.Id("i").Op(":=").Qual(kit, "FirstMatch").Call(args...), jen.Id("i").Op(">=").Lit(0)).Block(
				jen.Id("vs").Dot("Addf").Call(jen.Id("path").Dot("String").Call(), jen.Lit("oneOf"), jen.Lit(fmt.Sprintf("the %s value also matches %%s, want exactly one branch", v.Name)), jen.Index().String().Values(names...).Index(jen.Id("i"))),
			),
		))
	}
	body = append(body, jen.Switch().Block(cases...))
	return body
}

func otherVariant(t *ir.Type, name string) *ir.Variant {
	for _, v := range t.Variants {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// holdsFormat reports whether a value of t holds a typed format somewhere
// (a date-time included), which its Go type asserts.
func holdsFormat(t *ir.Type, seen map[*ir.Type]bool) bool {
	if t == nil || seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind {
	case ir.Format, ir.Time:
		return true
	}
	if holdsFormat(t.Elem, seen) {
		return true
	}
	for _, f := range t.Fields {
		if holdsFormat(f.Type, seen) {
			return true
		}
	}
	for _, v := range t.Variants {
		if holdsFormat(v.Type, seen) {
			return true
		}
	}
	if t.Extra != nil && holdsFormat(t.Extra.Elem, seen) {
		return true
	}
	for _, m := range t.Patterns {
		if holdsFormat(m.Elem, seen) {
			return true
		}
	}
	return false
}

// unionCodec encodes the index of the variant set, then the variant.
func (e *emitter) unionCodec(t *ir.Type) (enc, dec []jen.Code) {
	var encCases, decCases []jen.Code
	for i, v := range t.Variants {
		x := jen.Id("v").Dot(v.Name)
		in := []jen.Code{jen.Id("dst").Op("=").Qual(kit, "AppendInt64").Call(jen.Id("dst"), jen.Lit(i))}
		switch v.Type.Kind {
		case ir.Struct, ir.Named, ir.Union, ir.Tuple:
			in = append(in, jen.Id("dst").Op("=").Id("append"+v.Type.Name).Call(jen.Id("dst"), x.Clone()))
		default:
			in = append(in, e.encode(v.Type, jen.Parens(jen.Op("*").Add(x.Clone())), 0)...)
		}
		encCases = append(encCases, jen.Case(x.Clone().Op("!=").Nil()).Block(in...))
		out := []jen.Code{x.Clone().Op("=").New(goType(v.Type))}
		out = append(out, e.decode(v.Type, lv{jen.Parens(jen.Op("*").Add(x.Clone())), x.Clone()}, 0)...)
		decCases = append(decCases, jen.Case(jen.Lit(i)).Block(out...))
	}
	encCases = append(encCases, jen.Default().Block(jen.Id("dst").Op("=").Qual(kit, "AppendInt64").Call(jen.Id("dst"), jen.Lit(-1))))
	enc = []jen.Code{jen.Switch().Block(encCases...)}
	dec = []jen.Code{jen.Switch(jen.Id("rd").Dot("Variant").Call(jen.Lit(len(t.Variants)))).Block(decCases...)}
	return enc, dec
}

// ownStrictDecode reports whether a type's own UnmarshalJSON decodes it
// strictly, null included, so that it is called directly rather than
// through DecodeStrict's second pass over the data.
func ownStrictDecode(t *ir.Type) bool {
	return (t.Kind == ir.Struct || t.Kind == ir.Tuple || t.Kind == ir.Union) && !ir.HoldsNull(t)
}
