package emit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
)

// restName is the Go field of a tuple's items after its positional ones.
const restName = "Rest"

// present is the condition that an optional tuple item is there.
func present(fd *ir.Field) *jen.Statement {
	x := jen.Id("v").Dot(fd.Name)
	if fd.Type.Kind == ir.OptNull {
		return x.Dot("Set")
	}
	return x.Op("!=").Nil()
}

// tupleType emits a tuple: a struct with one field per positional item,
// written and read as a JSON array.
func (e *emitter) tupleType(t *ir.Type) {
	comment(e.f, doc(t.Name, t.Doc, fmt.Sprintf("%s is the array at %s.", t.Name, shortOrigin(t.Origin))))
	e.f.Comment("It is a tuple: each field is one position of the JSON array; an optional")
	e.f.Comment("position is nil when the array ends before it.")
	e.f.Type().Id(t.Name).StructFunc(func(g *jen.Group) {
		for _, fd := range t.Fields {
			if fd.Doc != "" {
				comment(g, fmt.Sprintf("%s is item %s: %s", fd.Name, fd.JSON, fd.Doc))
			}
			g.Id(fd.Name).Add(goType(fd.Type))
		}
		if t.Elem != nil {
			comment(g, fmt.Sprintf("%s holds the items after position %d.", restName, len(t.Fields)-1))
			g.Id(restName).Index().Add(goType(t.Elem))
		}
	})
	e.f.Line()

	// MarshalJSON: the items up to the first absent one, then the rest.
	m := []jen.Code{jen.Id("items").Op(":=").Make(jen.Index().Any(), jen.Lit(0), jen.Lit(len(t.Fields)))}
	var tail []jen.Code
	for i := len(t.Fields) - 1; i >= 0; i-- {
		fd := t.Fields[i]
		add := jen.Id("items").Op("=").Append(jen.Id("items"), jen.Id("v").Dot(fd.Name))
		if fd.Required {
			tail = append([]jen.Code{add}, tail...)
			continue
		}
		tail = []jen.Code{jen.If(present(fd)).Block(append([]jen.Code{add}, tail...)...)}
	}
	m = append(m, tail...)
	if t.Elem != nil {
		m = append(m, jen.For(jen.List(jen.Id("_"), jen.Id("x")).Op(":=").Range().Id("v").Dot(restName)).Block(
			jen.Id("items").Op("=").Append(jen.Id("items"), jen.Id("x"))))
	}
	m = append(m, jen.Return(jen.Qual("encoding/json", "Marshal").Call(jen.Id("items"))))
	e.f.Comment("MarshalJSON writes the items as a JSON array, up to the first absent position.")
	e.f.Func().Params(jen.Id("v").Id(t.Name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(m...)
	e.f.Line()

	// UnmarshalJSON.
	req := 0
	for _, fd := range t.Fields {
		if fd.Required {
			req++
		}
	}
	maxLen := -1
	if t.Closed {
		maxLen = len(t.Fields)
	}
	u := []jen.Code{
		jen.List(jen.Id("items"), jen.Err()).Op(":=").Qual(kit, "TupleItems").Call(jen.Id("data"), jen.Lit(req), jen.Lit(maxLen)),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Op("*").Id("v").Op("=").Id(t.Name).Values(),
	}
	wrap := func(i jen.Code) jen.Code {
		return jen.Return(jen.Qual(kit, "PropError").Call(i, jen.Err()))
	}
	for i, fd := range t.Fields {
		pre, call := e.decodeItem(fd, jen.Id("items").Index(jen.Lit(i)), jen.Id("v").Dot(fd.Name))
		dec := append(pre, jen.If(jen.Err().Op(":=").Add(call), jen.Err().Op("!=").Nil()).Block(wrap(jen.Lit(strconv.Itoa(i)))))
		if fd.Required {
			u = append(u, dec...)
		} else {
			u = append(u, jen.If(jen.Len(jen.Id("items")).Op(">").Lit(i)).Block(dec...))
		}
	}
	if t.Elem != nil {
		u = append(u, jen.For(jen.Id("i").Op(":=").Lit(len(t.Fields)), jen.Id("i").Op("<").Len(jen.Id("items")), jen.Id("i").Op("++")).Block(
			jen.Var().Id("x").Add(goType(t.Elem)),
			jen.If(jen.Err().Op(":=").Add(decodeValue(t.Elem, jen.Id("items").Index(jen.Id("i")), jen.Op("&").Id("x"))), jen.Err().Op("!=").Nil()).Block(wrap(jen.Qual("strconv", "Itoa").Call(jen.Id("i")))),
			jen.Id("v").Dot(restName).Op("=").Append(jen.Id("v").Dot(restName), jen.Id("x")),
		))
	}
	u = append(u, jen.Return(jen.Nil()))
	var bounds []string
	if req > 0 {
		bounds = append(bounds, fmt.Sprintf("at least %d", req))
	}
	if maxLen >= 0 {
		bounds = append(bounds, fmt.Sprintf("at most %d", maxLen))
	}
	what := "a JSON array"
	if len(bounds) > 0 {
		what += " of " + strings.Join(bounds, " and ") + " items"
	}
	comment(e.f, fmt.Sprintf("UnmarshalJSON decodes %s, each item strictly.", what))
	e.f.Func().Params(jen.Id("v").Op("*").Id(t.Name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Block(u...)
	e.f.Line()
}

// decodeItem decodes raw (a json.RawMessage) into target, a tuple field:
// statements to run first, then the call that returns the error.
func (e *emitter) decodeItem(fd *ir.Field, raw jen.Code, target *jen.Statement) ([]jen.Code, *jen.Statement) {
	t := fd.Type
	switch {
	case t.Kind == ir.Pointer && ir.HoldsNull(t.Elem):
		// Present, and null is a value of its own.
		return []jen.Code{target.Clone().Op("=").New(goType(t.Elem))},
			jen.Qual("encoding/json", "Unmarshal").Call(raw, target.Clone())
	case t.Kind == ir.OptNull:
		return nil, jen.Qual("encoding/json", "Unmarshal").Call(helper("NormalizeIntegers").Call(raw), jen.Op("&").Add(target.Clone()))
	case t.Kind == ir.Pointer && !fd.Required:
		// Optional but not nullable: null is rejected.
		return nil, helper("DecodeStrict").Call(raw, jen.Op("&").Add(target.Clone()))
	}
	return nil, decodeValue(t, raw, jen.Op("&").Add(target.Clone()))
}

// tupleChecks validates a tuple: positions filled without gaps, the item
// count, and each item.
func (e *emitter) tupleChecks(t *ir.Type) []jen.Code {
	// n is the length of the array MarshalJSON writes: the positions up
	// to the first absent one, then the rest.
	req := 0
	for req < len(t.Fields) && t.Fields[req].Required {
		req++
	}
	body := []jen.Code{jen.Id("n").Op(":=").Lit(req)}
	var tail []jen.Code
	if t.Elem != nil {
		tail = []jen.Code{jen.Id("n").Op("+=").Len(jen.Id("v").Dot(restName))}
	}
	for i := len(t.Fields) - 1; i >= req; i-- {
		fd := t.Fields[i]
		tail = []jen.Code{jen.If(present(fd)).Block(append([]jen.Code{jen.Id("n").Op("=").Lit(i + 1)}, tail...)...)}
	}
	body = append(body, tail...)
	counted := len(body)
	// What is set after an absent position cannot be written.
	for i, fd := range t.Fields[req:] {
		if i == 0 {
			continue // the first optional position follows required ones
		}
		body = append(body, jen.If(jen.Id("n").Op("<=").Lit(req+i).Op("&&").Add(present(fd))).Block(
			jen.Id("vs").Dot("Add").Call(jen.Id("path").Dot("String").Call(), jen.Lit("prefixItems"), jen.Lit(fmt.Sprintf("item %s (%s) is set after an absent item", fd.JSON, fd.Name)))))
	}
	if t.Elem != nil && req < len(t.Fields) {
		body = append(body, jen.If(jen.Id("n").Op("<").Lit(len(t.Fields)).Op("&&").Len(jen.Id("v").Dot(restName)).Op(">").Lit(0)).Block(
			jen.Id("vs").Dot("Add").Call(jen.Id("path").Dot("String").Call(), jen.Lit("prefixItems"), jen.Lit(restName+" items are set after an absent item"))))
	}
	if c := t.Check.MinItems; c != nil && *c > int64(req) {
		body = append(body, jen.If(countCmp(jen.Id("n"), "<", int64(*c))).Block(
			jen.Id("vs").Dot("Addf").Call(jen.Id("path").Dot("String").Call(), jen.Lit("minItems"), jen.Lit(fmt.Sprintf("%%d items, want at least %d", *c)), jen.Id("n"))))
	}
	if c := t.Check.MaxItems; c != nil && (t.Elem != nil || *c < int64(len(t.Fields))) {
		body = append(body, jen.If(countCmp(jen.Id("n"), ">", int64(*c))).Block(
			jen.Id("vs").Dot("Addf").Call(jen.Id("path").Dot("String").Call(), jen.Lit("maxItems"), jen.Lit(fmt.Sprintf("%%d items, want at most %d", *c)), jen.Id("n"))))
	}
	if len(body) == counted {
		body = nil // nothing looks at the count
	}
	for _, fd := range t.Fields {
		if !needsCheck(fd.Type, map[*ir.Type]bool{}) {
			continue
		}
		pv := "p" + fd.Name
		inner := append([]jen.Code{jen.Id(pv).Op(":=").Id("path").Dot("Index").Call(jen.Lit(mustAtoi(fd.JSON)))},
			e.checks(fd.Type, jen.Id("v").Dot(fd.Name), "&"+pv, 0)...)
		body = append(body, jen.Block(inner...))
	}
	if t.Elem != nil && needsCheck(t.Elem, map[*ir.Type]bool{}) {
		inner := []jen.Code{jen.Id("p").Op(":=").Id("path").Dot("Index").Call(jen.Lit(len(t.Fields)).Op("+").Id("i"))}
		elem := jen.Id("v").Dot(restName).Index(jen.Id("i"))
		inner = append(inner, e.checks(t.Elem, elem, "&p", 1)...)
		body = append(body, jen.For(jen.Id("i").Op(":=").Range().Id("v").Dot(restName)).Block(inner...))
	}
	return body
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// tupleCodec encodes the fields in order, then the rest.
func (e *emitter) tupleCodec(t *ir.Type) (enc, dec []jen.Code) {
	for _, fd := range t.Fields {
		enc = append(enc, e.encode(fd.Type, jen.Id("v").Dot(fd.Name), 0)...)
		dec = append(dec, e.decode(fd.Type, lv{jen.Id("v").Dot(fd.Name), jen.Op("&").Id("v").Dot(fd.Name)}, 0)...)
	}
	if t.Elem != nil {
		st := &ir.Type{Kind: ir.Slice, Elem: t.Elem}
		enc = append(enc, e.encode(st, jen.Id("v").Dot(restName), 0)...)
		dec = append(dec, e.decode(st, lv{jen.Id("v").Dot(restName), jen.Op("&").Id("v").Dot(restName)}, 0)...)
	}
	return enc, dec
}
