package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
)

// Cache keys. The rule, in one place: a task's cache key is built from exactly what its source is given, so two
// params share an entry only if every source kind would see them the same (runtime/keys.go says why each case
// is as it is). The cache encoding of the params (codec.go) is that key for every param whose sources render it
// from its value alone. It is not for three kinds, which get a key function of their own (key<Params>):
//
//   - a date-time: its encoding keeps the instant, but a source sees its UTC offset too. The key adds the offset,
//     and fetch<Task> hands the source the kit.NormalTime of each date-time param (normalize<Params>), so
//     that the location's name and a monotonic reading, which no key holds, never reach it either;
//   - an x-go-type that is not a builtin: its encoding is its JSON text, while a path, query or pointer shows its
//     fmt.Sprint text and SQL binds its driver value; the key holds all three (kit.AppendUserKey);
//   - a list: its encoding writes a nil list and an empty one alike, while a body carries null for the first and []
//     for the second; the key adds whether it is nil;
//   - a map, and an object, array or union holding a date-time, a list or a map anywhere: keyed on its JSON text,
//     which is what an HTTP body carries (such params cannot stand in a path, a query, a pointer or SQL), and in
//     which map keys are sorted, where the encoding follows map order.

// needsKey reports whether the cache encoding of a value of type t is not its key (see above).
func needsKey(t *ir.Type) bool {
	switch t.Kind {
	case ir.Time, ir.Map, ir.Slice:
		return true
	case ir.GoType:
		return !t.IsBuiltin()
	case ir.Pointer, ir.OptNull:
		return needsKey(t.Elem)
	case ir.Struct, ir.Named, ir.Union, ir.Tuple:
		return holdsUnkeyed(t, map[*ir.Type]bool{})
	}
	return false
}

// holdsUnkeyed reports whether a type is or holds, at any depth, a date-time, a list or a map, whose encoding
// inside a composite is not what its JSON text shows.
func holdsUnkeyed(t *ir.Type, seen map[*ir.Type]bool) bool {
	if t == nil || seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind {
	case ir.Time, ir.Map, ir.Slice:
		return true
	case ir.Struct:
		if len(mapFields(t)) > 0 {
			return true
		}
		for _, f := range t.Fields {
			if holdsUnkeyed(f.Type, seen) {
				return true
			}
		}
	case ir.Tuple:
		for _, f := range t.Fields {
			if holdsUnkeyed(f.Type, seen) {
				return true
			}
		}
		return holdsUnkeyed(t.Elem, seen)
	case ir.Union:
		for _, v := range t.Variants {
			if holdsUnkeyed(v.Type, seen) {
				return true
			}
		}
	case ir.Pointer, ir.OptNull, ir.Named:
		return holdsUnkeyed(t.Elem, seen)
	}
	return false
}

// paramsKeyFunc names the function that appends the cache key of a task's params: key<Params> when some param
// needs one, else the params' cache encoding.
func paramsKeyFunc(t *ir.Task) string {
	for _, f := range t.Params.Fields {
		if needsKey(f.Type) {
			return "key" + t.Params.Name
		}
	}
	return "append" + t.Params.Name
}

// paramsKey emits key<Params> when the task needs one.
func (e *emitter) paramsKey(t *ir.Task) {
	fn := paramsKeyFunc(t)
	if fn == "append"+t.Params.Name {
		return
	}
	var body []jen.Code
	for _, f := range t.Params.Fields {
		body = append(body, e.keyEncode(f.Type, jen.Id("v").Dot(f.Name), 0)...)
	}
	body = append(body, jen.Return(jen.Id("dst")))
	comment(e.f, fmt.Sprintf("%s appends the cache key of v: its cache encoding, except where a source sees more of a param than that holds.", fn))
	e.f.Func().Id(fn).Params(jen.Id("dst").Index().Byte(), jen.Id("v").Op("*").Add(paramsType(t))).Index().Byte().Block(body...)
	e.f.Line()
}

// keyEncode appends the key of the value x (an addressable expression) of type t to dst.
func (e *emitter) keyEncode(t *ir.Type, x *jen.Statement, depth int) []jen.Code {
	if !needsKey(t) {
		return e.encode(t, x, depth)
	}
	assign := func(call jen.Code) jen.Code { return jen.Id("dst").Op("=").Add(call) }
	switch t.Kind {
	case ir.Time:
		return []jen.Code{assign(jen.Qual(kit, "AppendTimeKey").Call(jen.Id("dst"), x))}
	case ir.GoType:
		return []jen.Code{assign(jen.Qual(kit, "AppendUserKey").Call(jen.Id("dst"), x))}
	case ir.Pointer:
		var inner []jen.Code
		if t.Elem.Kind == ir.Struct || t.Elem.Kind == ir.Named || t.Elem.Kind == ir.Union || t.Elem.Kind == ir.Tuple || t.Elem.Kind == ir.Map {
			inner = []jen.Code{assign(jen.Qual(kit, "AppendJSONKey").Call(jen.Id("dst"), x.Clone()))}
		} else {
			inner = e.keyEncode(t.Elem, jen.Parens(jen.Op("*").Add(x.Clone())), depth)
		}
		return []jen.Code{jen.If(x.Clone().Op("!=").Nil()).Block(
			append([]jen.Code{assign(jen.Qual(kit, "AppendPresent").Call(jen.Id("dst"), jen.True()))}, inner...)...,
		).Else().Block(assign(jen.Qual(kit, "AppendPresent").Call(jen.Id("dst"), jen.False())))}
	case ir.OptNull:
		return []jen.Code{
			assign(jen.Qual(kit, "AppendPresent").Call(jen.Id("dst"), x.Clone().Dot("Set"))),
			jen.If(x.Clone().Dot("Set")).Block(
				assign(jen.Qual(kit, "AppendPresent").Call(jen.Id("dst"), x.Clone().Dot("Null"))),
				jen.If(jen.Op("!").Add(x.Clone()).Dot("Null")).Block(e.keyEncode(t.Elem, x.Clone().Dot("Value"), depth)...),
			),
		}
	case ir.Slice:
		// A nil list is null in a body, an empty one []: the key tells them apart, where the encoding does not.
		i := fmt.Sprintf("i%d", depth)
		return []jen.Code{
			assign(jen.Qual(kit, "AppendPresent").Call(jen.Id("dst"), x.Clone().Op("!=").Nil())),
			assign(jen.Qual(kit, "AppendLen").Call(jen.Id("dst"), jen.Len(x.Clone()))),
			jen.For(jen.Id(i).Op(":=").Range().Add(x.Clone())).Block(e.keyEncode(t.Elem, x.Clone().Index(jen.Id(i)), depth+1)...),
		}
	}
	// A map, or a composite holding a date-time or a map: its JSON text, as a body carries it. The address, so
	// that a MarshalJSON on the pointer is used.
	return []jen.Code{assign(jen.Qual(kit, "AppendJSONKey").Call(jen.Id("dst"), jen.Op("&").Add(x)))}
}

// normalizable reports whether a param of type t holds date-times that fetch<Task> normalises: a date-time,
// optional, nullable, in a list, or anywhere inside an object, array, map, union or tuple. A source is given the
// normal form of each, which is all that the key (AppendTimeKey, or the JSON text of a composite) holds.
func normalizable(t *ir.Type) bool {
	switch t.Kind {
	case ir.Pointer, ir.OptNull:
		return normalizable(t.Elem)
	}
	return holdsTime(t, map[*ir.Type]bool{})
}

// holdsTime reports whether a type is or holds, at any depth, a date-time. An x-go-type is the user's own and
// keyed on all that a source can see of it (kit.AppendUserKey), so it is not looked into.
func holdsTime(t *ir.Type, seen map[*ir.Type]bool) bool {
	if t == nil || seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind {
	case ir.Time:
		return true
	case ir.Struct, ir.Tuple, ir.Union:
		for _, f := range t.Fields {
			if holdsTime(f.Type, seen) {
				return true
			}
		}
		for _, m := range mapFields(t) {
			if holdsTime(m.Elem, seen) {
				return true
			}
		}
		for _, v := range t.Variants {
			if holdsTime(v.Type, seen) {
				return true
			}
		}
		return holdsTime(t.Elem, seen)
	case ir.Slice, ir.Map, ir.Pointer, ir.OptNull, ir.Named:
		return holdsTime(t.Elem, seen)
	}
	return false
}

// timeParams are the params fetch<Task> normalises (kit.NormalTime) before the source sees them.
func timeParams(t *ir.Task) []*ir.Field {
	var out []*ir.Field
	for _, f := range t.Params.Fields {
		if normalizable(f.Type) {
			out = append(out, f)
		}
	}
	return out
}

// normalizeStmts puts the value at x, of a normalizable type t, in its normal form; x is a copy the caller owns,
// and what it points to is replaced, never changed.
func normalizeStmts(t *ir.Type, x *jen.Statement, depth int) []jen.Code {
	switch t.Kind {
	case ir.Time:
		return []jen.Code{x.Clone().Op("=").Qual(kit, "NormalTime").Call(x.Clone())}
	case ir.Slice:
		if t.Elem.Kind == ir.Time {
			return []jen.Code{x.Clone().Op("=").Qual(kit, "NormalTimes").Call(x.Clone())}
		}
	case ir.OptNull:
		return normalizeStmts(t.Elem, x.Clone().Dot("Value"), depth)
	case ir.Pointer:
		n := fmt.Sprintf("n%d", depth)
		inner := append([]jen.Code{jen.Id(n).Op(":=").Op("*").Add(x.Clone())}, normalizeStmts(t.Elem, jen.Id(n), depth+1)...)
		inner = append(inner, x.Clone().Op("=").Op("&").Id(n))
		return []jen.Code{jen.If(x.Clone().Op("!=").Nil()).Block(inner...)}
	}
	// A composite holding date-times: a copy of it with each in its normal form.
	return []jen.Code{x.Clone().Op("=").Qual(kit, "NormalTimesIn").Call(x.Clone())}
}

// normalize emits normalize<Params>, which returns a copy of p whose date-time params are in their normal form;
// fetch<Task> calls it, on a miss only, so the lookup's own p is never changed.
func (e *emitter) normalize(t *ir.Task) {
	fs := timeParams(t)
	if len(fs) == 0 {
		return
	}
	body := []jen.Code{jen.Id("q").Op(":=").Op("*").Id("p")}
	for _, f := range fs {
		body = append(body, normalizeStmts(f.Type, jen.Id("q").Dot(f.Name), 0)...)
	}
	body = append(body, jen.Return(jen.Op("&").Id("q")))
	comment(e.f, fmt.Sprintf("normalize%s returns a copy of p whose date-time params are in the form the source is given (kit.NormalTime), which the cache key pins.", t.Params.Name))
	e.f.Func().Id("normalize" + t.Params.Name).Params(jen.Id("p").Op("*").Add(paramsType(t))).Op("*").Add(paramsType(t)).Block(body...)
	e.f.Line()
}
