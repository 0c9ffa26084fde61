package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
)

// converter emits convX: from a raw source value (a database row, decoded
// JSON) to the typed value, converting only where no information is lost.
func (e *emitter) converter(t *ir.Type) {
	var body []jen.Code
	switch t.Kind {
	case ir.Struct:
		m, op := jen.Id("m"), ":="
		if len(t.Fields) == 0 && len(mapFields(t)) == 0 {
			m, op = jen.Id("_"), "=" // an object without properties: only its being an object is checked
		}
		body = append(body,
			jen.List(m, jen.Err()).Op(op).Add(helper("AsObject")).Call(jen.Id("path"), jen.Id("raw")),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return()),
		)
		var fields convRun
		for _, fd := range t.Fields {
			fields.add(e.convField(fd))
		}
		if len(mapFields(t)) > 0 {
			fields.add(e.mapFieldsConv(t))
		}
		body = append(body, fields.code...)
	case ir.Union, ir.Tuple, ir.JSONEnum:
		body = append(body, jen.Err().Op("=").Qual(kit, "DecodeVia").Call(jen.Id("path"), jen.Id("raw"), jen.Op("&").Id("out")))
	case ir.Enum:
		body = append(body,
			jen.List(jen.Id("x"), jen.Err()).Op(":=").Add(helper(asFunc(t.Elem))).Call(jen.Id("path"), jen.Id("raw")),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return()),
			jen.Id("out").Op("=").Id(t.Name).Call(jen.Id("x")),
		)
	case ir.Named:
		if t.Elem.Kind == ir.JSON {
			body = append(body,
				jen.List(jen.Id("out").Dot("JSONValue"), jen.Err()).Op("=").Add(asJSONValue(t.Elem, jen.Id("path"), jen.Id("raw"))),
			)
			break
		}
		if !t.Elem.Kind.IsPrimitive() {
			body = append(body, e.conv(t.Elem, jen.Id("out"), jen.Id("path"), jen.Id("raw"), 0)...)
			break
		}
		body = append(body,
			jen.List(jen.Id("x"), jen.Err()).Op(":=").Add(helper(asFunc(t.Elem))).Call(jen.Id("path"), jen.Id("raw")),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return()),
			jen.Id("out").Op("=").Id(t.Name).Call(jen.Id("x")),
		)
	}
	body = append(body, jen.Return())
	e.f.Func().Id("conv"+t.Name).Params(jen.Id("path").String(), jen.Id("raw").Any()).Params(jen.Id("out").Id(t.Name), jen.Err().Error()).Block(body...)
	e.f.Line()
}

// asJSONValue converts raw into a JSON value; with the schema's program at
// hand, JSON text in a column becomes the object or array the schema wants.
func asJSONValue(t *ir.Type, path, raw *jen.Statement) *jen.Statement {
	if t.Schema == nil {
		return helper("AsJSONValue").Call(path, raw)
	}
	return jen.Qual(kit, "AsJSONValueFor").Call(path, raw, checkFunc(t.Schema))
}

// asOfFunc is the kit conversion into a named type over the primitive t (kit.AsStringOf, ...), or "".
func asOfFunc(t *ir.Type) string {
	switch t.Kind {
	case ir.String, ir.Int, ir.Float, ir.Bool:
		return asFunc(t) + "Of"
	}
	return ""
}

func asFunc(t *ir.Type) string {
	if t.Kind == ir.Format {
		return formatOf(t).as
	}
	return map[ir.Kind]string{ir.String: "AsString", ir.Int: "AsInt64", ir.Float: "AsFloat64", ir.Bool: "AsBool", ir.Time: "AsTime"}[t.Kind]
}

func schemaName(t *ir.Type) string {
	switch t.Kind {
	case ir.String, ir.Enum:
		if t.Kind == ir.Enum {
			return schemaName(t.Elem)
		}
		return "string"
	case ir.Int:
		return "integer"
	case ir.Float:
		return "number"
	case ir.Bool:
		return "boolean"
	case ir.Time:
		return "date-time"
	case ir.Format:
		return t.Format
	case ir.Struct:
		return "object"
	case ir.Union:
		return "value"
	case ir.Tuple:
		return "array"
	case ir.Map:
		return "object"
	case ir.Slice:
		return "array"
	case ir.Named, ir.Pointer, ir.OptNull:
		return schemaName(t.Elem)
	}
	return "value"
}

// A convRun collects the conversions of an object's fields. A field converted with kit.Field (or its
// optional and nullable forms) keeps its error in err and runs nothing once err is set, so a run of them
// needs one check of err, made before the next conversion of another kind (or by flush).
type convRun struct {
	code    []jen.Code
	pending bool // fields since the last check of err keep their error in it
}

// add appends a field's conversion; kept says whether it keeps its error in err (kit.Field).
func (r *convRun) add(code []jen.Code, kept bool) {
	if !kept {
		r.flush()
	}
	r.code = append(r.code, code...)
	r.pending = r.pending || kept
}

// flush checks err after the fields that kept it.
func (r *convRun) flush() {
	if r.pending {
		r.code = append(r.code, jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return()))
		r.pending = false
	}
}

// convFunc is the function that converts a raw value into a value of type t in one call (path, raw) ->
// (T, error), or nil when t's conversion takes more than a call.
func (e *emitter) convFunc(t *ir.Type) jen.Code {
	switch t.Kind {
	case ir.String, ir.Int, ir.Float, ir.Bool, ir.Time, ir.Format:
		return helper(asFunc(t))
	case ir.Enum, ir.Named:
		// A named type over a primitive converts as the primitive does, then takes its name.
		if of := asOfFunc(t.Elem); of != "" {
			return jen.Qual(kit, of).Types(jen.Id(t.Name))
		}
		e.convs.need(t)
		return jen.Id("conv" + t.Name)
	case ir.Struct, ir.Union, ir.Tuple, ir.JSONEnum:
		e.convs.need(t)
		return jen.Id("conv" + t.Name)
	case ir.JSON:
		if t.Schema == nil {
			return helper("AsJSONValue")
		}
	}
	return nil
}

// listElemFunc is the conversion of the elements of an unnamed list type t whose elements convert in one
// call (see convFunc), or nil.
func (e *emitter) listElemFunc(t *ir.Type) jen.Code {
	if t.Kind != ir.Slice {
		return nil
	}
	return e.convFunc(t.Elem)
}

// convField converts property fd of the object m into out.
func (e *emitter) convField(fd *ir.Field) ([]jen.Code, bool) {
	rawVar := "r" + fd.Name
	return e.convFieldFrom(fd, jen.Id("out").Dot(fd.Name), jen.Id("path").Op("+").Lit("/"+escapePointer(fd.JSON)),
		jen.List(jen.Id(rawVar), jen.Id("ok")).Op(":=").Id("m").Index(jen.Lit(fd.JSON)),
		// kit.Prop marks an absent property, so that the conversion reports "missing" and "null" apart.
		helper("Prop").Call(jen.Id("m"), jen.Lit(fd.JSON)))
}

// convFieldFrom converts one property into target. get assigns the raw value and whether it is present to r<Name>
// and ok; prop yields the raw value, or an absent marker when there is none. It reports whether the
// conversion keeps its error in err (see convRun).
func (e *emitter) convFieldFrom(fd *ir.Field, target, childPath, get, prop *jen.Statement) ([]jen.Code, bool) {
	if code := e.convFieldCall(fd, target, childPath, prop); code != nil {
		return []jen.Code{code}, true
	}
	return e.convFieldBlock(fd, target, childPath, get, prop), false
}

// convFieldCall converts one property in a kit.Field call, or returns nil when its type needs more.
func (e *emitter) convFieldCall(fd *ir.Field, target, childPath, prop *jen.Statement) jen.Code {
	switch fd.Type.Kind {
	case ir.Pointer:
		if fd.Type.Elem.Kind == ir.JSON && fd.Type.Elem.Schema != nil {
			return nil // a NULL is null or absent as the schema says: see convFieldBlock
		}
		if el := e.listElemFunc(fd.Type.Elem); el != nil && !fd.Required {
			return target.Clone().Op("=").Qual(kit, "OptionalListField").Call(jen.Op("&").Err(), childPath.Clone(), prop.Clone(), el)
		}
		fn := e.convFunc(fd.Type.Elem)
		if fn == nil {
			return nil
		}
		if ir.HoldsNull(fd.Type.Elem) { // null is a value of the type: only absence leaves the field nil
			if fd.Required {
				return nil
			}
			return target.Clone().Op("=").Qual(kit, "PresentField").Call(jen.Op("&").Err(), childPath.Clone(), prop.Clone(), fn)
		}
		if fd.Required {
			return target.Clone().Op("=").Qual(kit, "NullableField").Call(jen.Op("&").Err(), childPath.Clone(), jen.Lit(schemaName(fd.Type)), prop.Clone(), fn)
		}
		return target.Clone().Op("=").Qual(kit, "OptionalField").Call(jen.Op("&").Err(), childPath.Clone(), prop.Clone(), fn)
	case ir.OptNull:
		fn := e.convFunc(fd.Type.Elem)
		if fn == nil {
			return nil
		}
		return target.Clone().Op("=").Qual(kit, "OptNullField").Call(jen.Op("&").Err(), childPath.Clone(), prop.Clone(), fn)
	}
	if el := e.listElemFunc(fd.Type); el != nil {
		return target.Clone().Op("=").Qual(kit, "ListField").Call(jen.Op("&").Err(), childPath.Clone(), prop.Clone(), el)
	}
	fn := e.convFunc(fd.Type)
	if fn == nil {
		return nil
	}
	return target.Clone().Op("=").Qual(kit, "Field").Call(jen.Op("&").Err(), childPath.Clone(), prop.Clone(), fn)
}

// convFieldBlock converts one property with statements of its own, returning on failure.
func (e *emitter) convFieldBlock(fd *ir.Field, target, childPath, get, prop *jen.Statement) []jen.Code {
	rawVar := "r" + fd.Name
	switch fd.Type.Kind {
	case ir.OptNull:
		return []jen.Code{jen.If(get, jen.Id("ok")).Block(
			target.Clone().Dot("Set").Op("=").True(),
			jen.If(jen.Id(rawVar).Op("==").Nil()).Block(
				target.Clone().Dot("Null").Op("=").True(),
			).Else().Block(e.conv(fd.Type.Elem, target.Clone().Dot("Value"), childPath, jen.Id(rawVar), 1)...),
		)}
	case ir.Pointer:
		p := "v" + fd.Name
		inner := append([]jen.Code{jen.Var().Id(p).Add(goType(fd.Type.Elem))},
			e.conv(fd.Type.Elem, jen.Id(p), childPath, jen.Id(rawVar), 1)...)
		inner = append(inner, target.Clone().Op("=").Op("&").Id(p))
		present := jen.Id("ok").Op("&&").Id(rawVar).Op("!=").Nil()
		switch {
		case fd.Type.Elem.Kind == ir.JSON && fd.Type.Elem.Schema != nil:
			// A NULL is null where the schema takes null, else absent, as for other optional fields.
			present = jen.Id("ok").Op("&&").Parens(jen.Id(rawVar).Op("!=").Nil().Op("||").Qual(kit, "AcceptsNull").Call(checkFunc(fd.Type.Elem.Schema)))
		case ir.HoldsNull(fd.Type.Elem): // null is a JSON value too
			present = jen.Id("ok")
		}
		block := jen.If(get, present).Block(inner...)
		if fd.Required { // nullable but required: absence is an error
			block = block.Else().If(jen.Op("!").Id("ok")).Block(
				jen.Err().Op("=").Qual(kit, "Missing").Call(childPath.Clone(), jen.Lit(schemaName(fd.Type))),
				jen.Return(),
			)
		}
		return []jen.Code{block}
	default:
		return e.conv(fd.Type, target.Clone(), childPath.Clone(), prop, 1)
	}
}

// conv converts raw at path into target; on failure it sets err and returns.
func (e *emitter) conv(t *ir.Type, target, path, raw *jen.Statement, depth int) []jen.Code {
	fail := jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return())
	switch t.Kind {
	case ir.String, ir.Int, ir.Float, ir.Bool, ir.Time, ir.Format:
		return []jen.Code{
			jen.List(target.Clone(), jen.Err()).Op("=").Add(helper(asFunc(t))).Call(path, raw),
			fail,
		}
	case ir.Enum, ir.Struct, ir.Named, ir.Union, ir.Tuple, ir.JSONEnum:
		e.convs.need(t)
		return []jen.Code{
			jen.List(target.Clone(), jen.Err()).Op("=").Id("conv"+t.Name).Call(path, raw),
			fail,
		}
	case ir.JSON:
		return []jen.Code{
			jen.List(target.Clone(), jen.Err()).Op("=").Add(asJSONValue(t, path, raw)),
			fail,
		}
	case ir.GoType:
		return externalConv(t, target, path, raw)
	case ir.Pointer, ir.OptNull:
		p := fmt.Sprintf("v%d", depth)
		inner := append([]jen.Code{jen.Var().Id(p).Add(goType(t.Elem))}, e.conv(t.Elem, jen.Id(p), path, raw, depth+1)...)
		if t.Kind == ir.Pointer {
			inner = append(inner, target.Clone().Op("=").Op("&").Id(p))
		} else {
			inner = append(inner, target.Clone().Op("=").Qual(rt, "Some").Call(jen.Id(p)))
		}
		var nullCase jen.Code = jen.Null()
		if t.Kind == ir.OptNull {
			nullCase = target.Clone().Op("=").Qual(rt, "Null").Types(goType(t.Elem)).Call()
		}
		return []jen.Code{jen.If(raw.Clone().Op("==").Nil()).Block(nullCase).Else().Block(inner...)}
	case ir.Slice:
		arr, i, el := fmt.Sprintf("a%d", depth), fmt.Sprintf("i%d", depth), fmt.Sprintf("e%d", depth)
		// A block, so that sibling arrays can reuse the variable names.
		return []jen.Code{jen.Block(
			jen.Var().Id(arr).Index().Any(),
			jen.List(jen.Id(arr), jen.Err()).Op("=").Add(helper("AsArray")).Call(path, raw),
			fail,
			target.Clone().Op("=").Make(goType(t), jen.Len(jen.Id(arr))),
			jen.For(jen.List(jen.Id(i), jen.Id(el)).Op(":=").Range().Id(arr)).Block(
				e.elemConv(t.Elem, target.Clone().Index(jen.Id(i)), path.Clone().Op("+").Lit("/").Op("+").Qual("strconv", "Itoa").Call(jen.Id(i)), jen.Id(el), depth+1)...),
		)}
	case ir.Map:
		// Variables named by depth, so that a map of maps converting into
		// its own element does not shadow it.
		obj, k, el, x := fmt.Sprintf("o%d", depth), fmt.Sprintf("k%d", depth), fmt.Sprintf("e%d", depth), fmt.Sprintf("x%d", depth)
		return []jen.Code{jen.Block(
			jen.Var().Id(obj).Map(jen.String()).Any(),
			jen.List(jen.Id(obj), jen.Err()).Op("=").Add(helper("AsObject")).Call(path, raw),
			fail,
			target.Clone().Op("=").Make(goType(t), jen.Len(jen.Id(obj))),
			jen.For(jen.List(jen.Id(k), jen.Id(el)).Op(":=").Range().Id(obj)).Block(
				append(append([]jen.Code{jen.Var().Id(x).Add(goType(t.Elem))},
					e.elemConv(t.Elem, jen.Id(x), helper("JoinPointer").Call(path, jen.Id(k)), jen.Id(el), depth+1)...),
					target.Clone().Index(jen.Id(k)).Op("=").Id(x))...),
		)}
	}
	return nil
}

// elemConv converts an array element or map value: a null there is an
// error unless the element type allows it.
func (e *emitter) elemConv(t *ir.Type, target, path, raw *jen.Statement, depth int) []jen.Code {
	// A null element of a non-nullable type fails in the conversion itself.
	return e.conv(t, target, path, raw, depth)
}

func escapePointer(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '~':
			out = append(out, '~', '0')
		case '/':
			out = append(out, '~', '1')
		default:
			out = append(out, s[i])
		}
	}
	return string(out)
}
