package emit

import (
	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
)

// The code for External types, the Go types specs name with x-go-type.
// A builtin is encoded, converted and bound as the primitive it is closest
// to; any other type through its own JSON form.

func externalGoType(t *ir.Type) *jen.Statement {
	if t.GoPath == "" {
		return jen.Id(t.GoName)
	}
	return jen.Qual(t.GoPath, t.GoName)
}

// builtinPrim is the primitive kind a builtin External type travels as.
func builtinPrim(t *ir.Type) *ir.Type {
	switch ir.BuiltinKind(t.GoName) {
	case "integer":
		return &ir.Type{Kind: ir.Int}
	case "number":
		return &ir.Type{Kind: ir.Float}
	case "string":
		return &ir.Type{Kind: ir.String}
	}
	return &ir.Type{Kind: ir.Bool}
}

func externalEncode(t *ir.Type, x *jen.Statement) jen.Code {
	if !t.IsBuiltin() {
		return jen.Id("dst").Op("=").Add(helper("AppendJSONText")).Call(jen.Id("dst"), x)
	}
	p := builtinPrim(t)
	val := jen.Code(x)
	if t.GoName != underlying(p) {
		val = jen.Id(underlying(p)).Call(x)
	}
	return jen.Id("dst").Op("=").Add(helper(appendFunc(p))).Call(jen.Id("dst"), val)
}

func externalDecode(t *ir.Type, target lv) jen.Code {
	if !t.IsBuiltin() {
		return helper("ReadJSONText").Call(jen.Id("rd"), target.addr.Clone())
	}
	p := builtinPrim(t)
	val := readCall(p)
	if t.GoName != underlying(p) {
		val = jen.Id(t.GoName).Call(val)
	}
	return target.val.Clone().Op("=").Add(val)
}

// externalConv converts a raw source value, checking the range of a
// sized builtin.
func externalConv(t *ir.Type, target, path, raw *jen.Statement) []jen.Code {
	var call *jen.Statement
	switch {
	case !t.IsBuiltin():
		call = jen.Qual(kit, "AsUserType").Types(externalGoType(t)).Call(path, raw)
	case t.GoName == "int64" || t.GoName == "float64" || t.GoName == "string" || t.GoName == "bool":
		call = jen.Add(helper(asFunc(builtinPrim(t)))).Call(path, raw)
	case t.GoName == "float32":
		call = jen.Qual(kit, "AsFloat32").Call(path, raw)
	default:
		call = jen.Qual(kit, "AsInteger").Types(jen.Id(t.GoName)).Call(path, raw)
	}
	return []jen.Code{
		jen.List(target.Clone(), jen.Err()).Op("=").Add(call),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return()),
	}
}
