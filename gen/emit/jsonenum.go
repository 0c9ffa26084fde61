package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
)

func jsonEnumList(t *ir.Type) string {
	var parts []string
	for _, v := range t.Values {
		parts = append(parts, v.JSON)
	}
	return strings.Join(parts, ", ")
}

// jsonEnumType emits an enum of mixed or composite values: a string type
// that holds the value's JSON text, with one constant per value.
func (e *emitter) jsonEnumType(t *ir.Type) {
	comment(e.f, doc(t.Name, t.Doc, fmt.Sprintf("%s is one of the values allowed at %s.", t.Name, shortOrigin(t.Origin))))
	comment(e.f, fmt.Sprintf("It holds the value's JSON text, one of: %s.", jsonEnumList(t)))
	e.f.Comment("Decoding keeps the constant's spelling for any equal value (1.0 is 1).")
	e.f.Type().Id(t.Name).String()
	e.f.Line()
	comment(e.f, fmt.Sprintf("The values of %s.", t.Name))
	e.f.Const().DefsFunc(func(g *jen.Group) {
		for _, v := range t.Values {
			g.Id(v.Const).Id(t.Name).Op("=").Lit(v.JSON)
		}
	})
	e.f.Line()
	var cases, texts []jen.Code
	for _, v := range t.Values {
		cases = append(cases, jen.Id(v.Const))
		texts = append(texts, jen.String().Call(jen.Id(v.Const)))
	}
	comment(e.f, fmt.Sprintf("Valid reports whether v is one of the values of %s.", t.Name))
	e.f.Func().Params(jen.Id("v").Id(t.Name)).Id("Valid").Params().Bool().Block(
		jen.Switch(jen.Id("v")).Block(jen.Case(cases...).Block(jen.Return(jen.True()))),
		jen.Return(jen.False()),
	)
	e.f.Line()
	e.f.Comment("Value returns the decoded JSON value: nil, bool, json.Number, string, []any or map[string]any.")
	e.f.Func().Params(jen.Id("v").Id(t.Name)).Id("Value").Params().Any().Block(
		jen.List(jen.Id("x"), jen.Id("_")).Op(":=").Add(helper("DecodeJSON")).Call(jen.Index().Byte().Call(jen.Id("v"))),
		jen.Return(jen.Id("x")),
	)
	e.f.Line()
	e.f.Comment("MarshalJSON writes the value; a value that is not JSON text is an error.")
	e.f.Func().Params(jen.Id("v").Id(t.Name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Return(jen.Qual(kit, "EnumJSON").Call(jen.String().Call(jen.Id("v")))),
	)
	e.f.Line()
	e.f.Comment("UnmarshalJSON decodes any JSON value, spelled as the constant it equals; Validate reports a value that equals none.")
	e.f.Func().Params(jen.Id("v").Op("*").Id(t.Name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Block(
		jen.List(jen.Id("s"), jen.Err()).Op(":=").Qual(kit, "EnumText").Call(append([]jen.Code{jen.Id("data")}, texts...)...),
		jen.Op("*").Id("v").Op("=").Id(t.Name).Call(jen.Id("s")),
		jen.Return(jen.Err()),
	)
	e.f.Line()
}
