package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
)

// codec emits appendX and readX: the cache encoding of a named type,
// written out field by field so that a cache hit uses no reflection.
func (e *emitter) codec(t *ir.Type) {
	var enc, dec []jen.Code
	var ret jen.Code // what appendX returns: dst after enc, or one call that appends everything
	switch t.Kind {
	case ir.Struct:
		for _, fd := range t.Fields {
			enc = append(enc, e.encode(fd.Type, jen.Id("v").Dot(fd.Name), 0)...)
			dec = append(dec, e.decode(fd.Type, lv{jen.Id("v").Dot(fd.Name), jen.Op("&").Id("v").Dot(fd.Name)}, 0)...)
		}
		for _, m := range mapFields(t) {
			enc = append(enc, e.encode(mapType(m), jen.Id("v").Dot(m.Name), 0)...)
			dec = append(dec, e.decode(mapType(m), lv{jen.Id("v").Dot(m.Name), jen.Op("&").Id("v").Dot(m.Name)}, 0)...)
		}
	case ir.Union:
		enc, dec = e.unionCodec(t)
	case ir.Tuple:
		enc, dec = e.tupleCodec(t)
	case ir.JSONEnum:
		ret = jen.Qual(kit, "AppendString").Call(jen.Id("dst"), jen.String().Call(jen.Op("*").Id("v")))
		dec = []jen.Code{jen.Op("*").Id("v").Op("=").Id(t.Name).Call(jen.Id("rd").Dot("String").Call())}
	case ir.Enum:
		ret = jen.Add(helper(appendFunc(t.Elem))).Call(jen.Id("dst"), jen.Id(underlying(t.Elem)).Call(jen.Op("*").Id("v")))
		dec = []jen.Code{jen.Op("*").Id("v").Op("=").Id(t.Name).Call(readCall(t.Elem))}
	case ir.Named:
		if t.Elem.Kind == ir.JSON {
			ret = helper("AppendJSONValue").Call(jen.Id("dst"), jen.Id("v").Dot("JSONValue"))
			dec = []jen.Code{jen.Id("v").Dot("JSONValue").Op("=").Add(helper("ReadJSONValue")).Call(jen.Id("rd"))}
			break
		}
		if t.Elem.Kind.IsPrimitive() {
			ret = jen.Add(helper(appendFunc(t.Elem))).Call(jen.Id("dst"), primConv(t.Elem, jen.Op("*").Id("v")))
			dec = []jen.Code{jen.Op("*").Id("v").Op("=").Id(t.Name).Call(readCall(t.Elem))}
			break
		}
		enc = e.encode(t.Elem, jen.Parens(jen.Op("*").Id("v")), 0)
		dec = e.decode(t.Elem, lv{jen.Parens(jen.Op("*").Id("v")), jen.Id("v")}, 0)
	}
	if ret == nil {
		ret = jen.Id("dst")
	}
	enc = append(enc, jen.Return(ret))
	e.f.Func().Id("append"+t.Name).Params(jen.Id("dst").Index().Byte(), jen.Id("v").Op("*").Id(t.Name)).Index().Byte().Block(enc...)
	e.f.Line()
	if e.reads[t] {
		e.f.Func().Id("read"+t.Name).Params(jen.Id("rd").Op("*").Qual(kit, "Reader"), jen.Id("v").Op("*").Id(t.Name)).Block(dec...)
		e.f.Line()
	}
}

func appendFunc(t *ir.Type) string {
	switch t.Kind {
	case ir.String:
		return "AppendString"
	case ir.Int:
		return "AppendInt64"
	case ir.Float:
		return "AppendFloat64"
	case ir.Bool:
		return "AppendBool"
	case ir.Time:
		return "AppendTime"
	case ir.Format:
		return formatOf(t).append
	}
	return ""
}

// readCall reads a primitive value with the Reader's method, a format value with its kit read function.
func readCall(t *ir.Type) *jen.Statement {
	if t.Kind == ir.Format {
		return helper(formatOf(t).read).Call(jen.Id("rd"))
	}
	return jen.Id("rd").Dot(readMethod(t)).Call()
}

// readMethod names the Reader method that reads a primitive value.
func readMethod(t *ir.Type) string {
	return map[ir.Kind]string{ir.String: "String", ir.Int: "Int64", ir.Float: "Float64", ir.Bool: "Bool", ir.Time: "Time"}[t.Kind]
}

// encode appends the value x (an addressable expression) of type t to dst.
func (e *emitter) encode(t *ir.Type, x *jen.Statement, depth int) []jen.Code {
	assign := func(call jen.Code) jen.Code { return jen.Id("dst").Op("=").Add(call) }
	switch t.Kind {
	case ir.String, ir.Int, ir.Float, ir.Bool, ir.Time, ir.Format:
		return []jen.Code{assign(jen.Add(helper(appendFunc(t))).Call(jen.Id("dst"), x))}
	case ir.JSON:
		return []jen.Code{assign(helper("AppendJSONValue").Call(jen.Id("dst"), x))}
	case ir.GoType:
		return []jen.Code{externalEncode(t, x)}
	case ir.Enum:
		return []jen.Code{assign(jen.Add(helper(appendFunc(t.Elem))).Call(jen.Id("dst"), jen.Id(underlying(t.Elem)).Call(x)))}
	case ir.JSONEnum:
		return []jen.Code{assign(jen.Qual(kit, "AppendString").Call(jen.Id("dst"), jen.String().Call(x)))}
	case ir.Struct, ir.Named, ir.Union, ir.Tuple:
		return []jen.Code{assign(jen.Id("append"+t.Name).Call(jen.Id("dst"), jen.Op("&").Add(x)))}
	case ir.Pointer:
		if fn := appendValueFunc(t.Elem); fn != nil {
			return []jen.Code{assign(jen.Qual(kit, "AppendOpt").Call(jen.Id("dst"), x.Clone(), fn))}
		}
		if refElem(t.Elem) {
			return []jen.Code{assign(jen.Qual(kit, "AppendOptRef").Call(jen.Id("dst"), x.Clone(), jen.Id("append"+t.Elem.Name)))}
		}
		inner := []jen.Code{assign(jen.Qual(kit, "AppendPresent").Call(jen.Id("dst"), jen.True()))}
		if t.Elem.Kind == ir.Struct || t.Elem.Kind == ir.Named || t.Elem.Kind == ir.Union || t.Elem.Kind == ir.Tuple {
			inner = append(inner, assign(jen.Id("append"+t.Elem.Name).Call(jen.Id("dst"), x.Clone())))
		} else {
			inner = append(inner, e.encode(t.Elem, jen.Parens(jen.Op("*").Add(x.Clone())), depth)...)
		}
		return []jen.Code{jen.If(x.Clone().Op("!=").Nil()).Block(inner...).Else().Block(
			assign(jen.Qual(kit, "AppendPresent").Call(jen.Id("dst"), jen.False())))}
	case ir.OptNull:
		if fn := appendValueFunc(t.Elem); fn != nil {
			return []jen.Code{assign(jen.Qual(kit, "AppendOptNull").Call(jen.Id("dst"), jen.Op("&").Add(x.Clone()), fn))}
		}
		if refElem(t.Elem) {
			return []jen.Code{assign(jen.Qual(kit, "AppendOptNullRef").Call(jen.Id("dst"), jen.Op("&").Add(x.Clone()), jen.Id("append"+t.Elem.Name)))}
		}
		return []jen.Code{
			assign(jen.Qual(kit, "AppendPresent").Call(jen.Id("dst"), x.Clone().Dot("Set"))),
			jen.If(x.Clone().Dot("Set")).Block(
				assign(jen.Qual(kit, "AppendPresent").Call(jen.Id("dst"), x.Clone().Dot("Null"))),
				jen.If(jen.Op("!").Add(x.Clone()).Dot("Null")).Block(e.encode(t.Elem, x.Clone().Dot("Value"), depth)...),
			),
		}
	case ir.Slice:
		i := fmt.Sprintf("i%d", depth)
		return []jen.Code{
			assign(jen.Qual(kit, "AppendLen").Call(jen.Id("dst"), jen.Len(x.Clone()))),
			jen.For(jen.Id(i).Op(":=").Range().Add(x.Clone())).Block(e.encode(t.Elem, x.Clone().Index(jen.Id(i)), depth+1)...),
		}
	case ir.Map:
		k, v := fmt.Sprintf("k%d", depth), fmt.Sprintf("e%d", depth)
		return []jen.Code{
			assign(jen.Qual(kit, "AppendLen").Call(jen.Id("dst"), jen.Len(x.Clone()))),
			jen.For(jen.List(jen.Id(k), jen.Id(v)).Op(":=").Range().Add(x.Clone())).Block(
				append([]jen.Code{assign(jen.Qual(kit, "AppendString").Call(jen.Id("dst"), jen.Id(k)))}, e.encode(t.Elem, jen.Id(v), depth+1)...)...),
		}
	}
	return nil
}

// lv is an assignable expression and its address.
type lv struct {
	val, addr *jen.Statement
}

// decode reads a value of type t from rd into target.
func (e *emitter) decode(t *ir.Type, target lv, depth int) []jen.Code {
	set := func(v jen.Code) jen.Code { return target.val.Clone().Op("=").Add(v) }
	switch t.Kind {
	case ir.String, ir.Int, ir.Float, ir.Bool, ir.Time, ir.Format:
		return []jen.Code{set(readCall(t))}
	case ir.JSON:
		return []jen.Code{set(helper("ReadJSONValue").Call(jen.Id("rd")))}
	case ir.GoType:
		return []jen.Code{externalDecode(t, target)}
	case ir.Enum:
		return []jen.Code{set(jen.Id(t.Name).Call(readCall(t.Elem)))}
	case ir.JSONEnum:
		return []jen.Code{set(jen.Id(t.Name).Call(jen.Id("rd").Dot("String").Call()))}
	case ir.Struct, ir.Named, ir.Union, ir.Tuple:
		return []jen.Code{jen.Id("read"+t.Name).Call(jen.Id("rd"), target.addr.Clone())}
	case ir.Pointer:
		if fn := readValueFunc(t.Elem); fn != nil {
			return []jen.Code{set(jen.Qual(kit, "ReadOpt").Call(jen.Id("rd"), fn))}
		}
		if refElem(t.Elem) && e.reads[t.Elem] {
			return []jen.Code{set(jen.Qual(kit, "ReadOptRef").Call(jen.Id("rd"), jen.Id("read"+t.Elem.Name)))}
		}
		p := fmt.Sprintf("p%d", depth)
		return []jen.Code{jen.If(jen.Id("rd").Dot("Present").Call()).Block(
			append(append([]jen.Code{jen.Id(p).Op(":=").New(goType(t.Elem))},
				e.decode(t.Elem, lv{jen.Parens(jen.Op("*").Id(p)), jen.Id(p)}, depth+1)...),
				set(jen.Id(p)))...,
		)}
	case ir.OptNull:
		if fn := readValueFunc(t.Elem); fn != nil {
			return []jen.Code{set(jen.Qual(kit, "ReadOptNull").Call(jen.Id("rd"), fn))}
		}
		if refElem(t.Elem) && e.reads[t.Elem] {
			return []jen.Code{set(jen.Qual(kit, "ReadOptNullRef").Call(jen.Id("rd"), jen.Id("read"+t.Elem.Name)))}
		}
		return []jen.Code{jen.If(jen.Id("rd").Dot("Present").Call()).Block(
			target.val.Clone().Dot("Set").Op("=").True(),
			jen.If(jen.Id("rd").Dot("Present").Call()).Block(
				target.val.Clone().Dot("Null").Op("=").True(),
			).Else().Block(e.decode(t.Elem, lv{target.val.Clone().Dot("Value"), jen.Op("&").Add(target.val.Clone()).Dot("Value")}, depth+1)...),
		)}
	case ir.Slice:
		i := fmt.Sprintf("i%d", depth)
		el := target.val.Clone().Index(jen.Id(i))
		return []jen.Code{
			set(jen.Make(goType(t), jen.Id("rd").Dot("Len").Call())),
			jen.For(jen.Id(i).Op(":=").Range().Add(target.val.Clone())).Block(
				e.decode(t.Elem, lv{el, jen.Op("&").Add(el.Clone())}, depth+1)...),
		}
	case ir.Map:
		n, k, v := fmt.Sprintf("n%d", depth), fmt.Sprintf("k%d", depth), fmt.Sprintf("e%d", depth)
		return []jen.Code{jen.Block(
			jen.Id(n).Op(":=").Id("rd").Dot("Len").Call(),
			set(jen.Make(goType(t), jen.Id(n))),
			jen.For(jen.Range().Id(n)).Block(
				append(append([]jen.Code{
					jen.Id(k).Op(":=").Id("rd").Dot("String").Call(),
					jen.Var().Id(v).Add(goType(t.Elem)),
				}, e.decode(t.Elem, lv{jen.Id(v), jen.Op("&").Id(v)}, depth+1)...),
					target.val.Clone().Index(jen.Id(k)).Op("=").Id(v))...),
		)}
	}
	return nil
}

// appendValueFunc is the kit function that appends a value of the primitive or format type t, given by
// value, or nil for other types.
func appendValueFunc(t *ir.Type) jen.Code {
	switch t.Kind {
	case ir.String, ir.Int, ir.Float, ir.Bool, ir.Time, ir.Format:
		return helper(appendFunc(t))
	}
	return nil
}

// readValueFunc is the function that reads back what appendValueFunc appends (a Reader method as a function
// for a primitive), or nil.
func readValueFunc(t *ir.Type) jen.Code {
	if appendValueFunc(t) == nil {
		return nil
	}
	if t.Kind == ir.Format {
		return helper(formatOf(t).read)
	}
	return jen.Parens(jen.Op("*").Qual(kit, "Reader")).Dot(readMethod(t))
}

// refElem reports whether t is a generated type whose appendX and readX take a pointer.
func refElem(t *ir.Type) bool {
	switch t.Kind {
	case ir.Struct, ir.Named, ir.Union, ir.Tuple, ir.Enum, ir.JSONEnum:
		return true
	}
	return false
}
