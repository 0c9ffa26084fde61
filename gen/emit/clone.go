package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
)

// maxCloneSlots bounds how many pointer targets one clone block holds; past it, targets get allocations of
// their own, so that a wide type with mostly nil pointers does not make every copy large.
const maxCloneSlots = 32

// clone emits cloneX for a named type: a deep copy that shares nothing mutable with the original, which the
// runtime hands to each caller of a cached result. The copy and everything its pointers point to, as far as the
// shape is fixed, come from one allocation: a block struct holding the value and one slot per pointer target,
// with the pointers aimed into the block. Slices and maps get allocations of their own, and so do their elements'
// pointer targets (through the element type's cloneX). A type with nothing mutable inside is copied as is.
func (e *emitter) clone(t *ir.Type) {
	name := "clone" + t.Name
	comment(e.f, fmt.Sprintf("%s returns a deep copy of v that shares nothing mutable with it.", name))
	body, _ := cloneBody(t)
	e.f.Func().Id(name).Params(jen.Id("v").Op("*").Id(t.Name)).Op("*").Id(t.Name).Block(body...)
	e.f.Line()
}

// cloneBody builds the statements of cloneX for t, and the types whose cloneX they call.
func cloneBody(t *ir.Type) ([]jen.Code, map[*ir.Type]bool) {
	calls := map[*ir.Type]bool{}
	switch {
	case !cloneKnown(t, map[*ir.Type]bool{}):
		// A kind this file does not know yet: the cache codec makes a copy just as deep.
		return []jen.Code{jen.Return(jen.Qual(kit, "CopyByCodec").Call(jen.Id("v"), jen.Id("append"+t.Name), jen.Id("read"+t.Name)))}, calls
	case !mutable(t, map[*ir.Type]bool{}):
		return []jen.Code{jen.Id("c").Op(":=").Op("*").Id("v"), jen.Return(jen.Op("&").Id("c"))}, calls
	}
	b := &cloneBlock{calls: calls, stack: []*ir.Type{t}}
	fix := b.fixNamed(t, jen.Id("b").Dot("v"), 0)
	if len(b.slots) == 0 {
		// Nothing for a block to hold: copy into a plain variable.
		clear(calls)
		b = &cloneBlock{calls: calls, stack: []*ir.Type{t}, off: true}
		out := []jen.Code{jen.Id("c").Op(":=").Op("*").Id("v")}
		out = append(out, b.fixNamed(t, jen.Id("c"), 0)...)
		return append(out, jen.Return(jen.Op("&").Id("c"))), calls
	}
	fields := []jen.Code{jen.Id("v").Id(t.Name)}
	for i, s := range b.slots {
		fields = append(fields, jen.Id(fmt.Sprintf("s%d", i)).Add(goType(s)))
	}
	out := []jen.Code{jen.Id("b").Op(":=").Op("&").Struct(fields...).Values(jen.Dict{jen.Id("v"): jen.Op("*").Id("v")})}
	out = append(out, fix...)
	return append(out, jen.Return(jen.Op("&").Id("b").Dot("v"))), calls
}

// cloneBlock collects the slots of one clone block while its statements are built.
type cloneBlock struct {
	calls map[*ir.Type]bool // the types whose cloneX the statements call
	slots []*ir.Type
	stack []*ir.Type // named types whose targets are being placed in the block: a cycle back to one leaves it
	off   bool       // no block: every pointer target gets its own allocation
}

// inner returns a builder for statements outside the block, such as a slice element's.
func (b *cloneBlock) inner() *cloneBlock { return &cloneBlock{calls: b.calls, off: true} }

// call is a call of t's cloneX with arg.
func (b *cloneBlock) call(t *ir.Type, arg jen.Code) *jen.Statement {
	b.calls[t] = true
	return jen.Id("clone" + t.Name).Call(arg)
}

// fixNamed is fix for the contents of a named type whose value x already holds (a shallow copy).
func (b *cloneBlock) fixNamed(t *ir.Type, x *jen.Statement, depth int) []jen.Code {
	switch t.Kind {
	case ir.Struct:
		var out []jen.Code
		for _, fd := range t.Fields {
			out = append(out, b.fix(fd.Type, x.Clone().Dot(fd.Name), depth)...)
		}
		return out
	case ir.Named:
		if t.Elem.Kind == ir.JSON {
			return b.fix(t.Elem, x.Clone().Dot("JSONValue"), depth)
		}
		return b.fixValue(t.Elem, goType(t), x, depth)
	}
	return nil
}

// fix returns statements that replace whatever x (an addressable expression holding a shallow copy of a value of
// type t) shares with the original by copies of its own.
func (b *cloneBlock) fix(t *ir.Type, x *jen.Statement, depth int) []jen.Code {
	return b.fixValue(t, goType(t), x, depth)
}

// fixValue is fix with the Go type that x is declared with, which differs from t's for a named slice or map.
func (b *cloneBlock) fixValue(t *ir.Type, decl *jen.Statement, x *jen.Statement, depth int) []jen.Code {
	if !mutable(t, map[*ir.Type]bool{}) {
		return nil
	}
	if c := leafCopy(t, x, false); c != nil {
		return []jen.Code{x.Clone().Op("=").Add(c)}
	}
	switch t.Kind {
	case ir.OptNull:
		return b.fix(t.Elem, x.Clone().Dot("Value"), depth)
	case ir.Struct, ir.Named:
		if b.off {
			// An element of a slice or map: the type's own clone gives it a block of its own.
			return []jen.Code{x.Clone().Op("=").Op("*").Add(b.call(t, jen.Op("&").Add(x.Clone())))}
		}
		b.stack = append(b.stack, t)
		out := b.fixNamed(t, x, depth)
		b.stack = b.stack[:len(b.stack)-1]
		return out
	case ir.Pointer:
		return []jen.Code{jen.If(x.Clone().Op("!=").Nil()).Block(b.fixPointer(t.Elem, x, depth)...)}
	case ir.Slice:
		s, i := fmt.Sprintf("s%d", depth), fmt.Sprintf("i%d", depth)
		inner := b.inner()
		return []jen.Code{jen.If(x.Clone().Op("!=").Nil()).Block(
			jen.Id(s).Op(":=").Make(decl, jen.Len(x.Clone())),
			jen.Copy(jen.Id(s), x.Clone()),
			jen.For(jen.Id(i).Op(":=").Range().Id(s)).Block(inner.fix(t.Elem, jen.Id(s).Index(jen.Id(i)), depth+1)...),
			x.Clone().Op("=").Id(s),
		)}
	case ir.Map:
		m, k, v := fmt.Sprintf("m%d", depth), fmt.Sprintf("k%d", depth), fmt.Sprintf("e%d", depth)
		inner := b.inner()
		loop := append(inner.fix(t.Elem, jen.Id(v), depth+1), jen.Id(m).Index(jen.Id(k)).Op("=").Id(v))
		return []jen.Code{jen.If(x.Clone().Op("!=").Nil()).Block(
			jen.Id(m).Op(":=").Make(decl, jen.Len(x.Clone())),
			jen.For(jen.List(jen.Id(k), jen.Id(v)).Op(":=").Range().Add(x.Clone())).Block(loop...),
			x.Clone().Op("=").Id(m),
		)}
	}
	return nil
}

// fixPointer copies the target of the non-nil pointer x: into a slot of the block when it can, else into an
// allocation of its own.
func (b *cloneBlock) fixPointer(elem *ir.Type, x *jen.Statement, depth int) []jen.Code {
	cycle := false
	for _, s := range b.stack {
		cycle = cycle || s == elem
	}
	if !b.off && !cycle && len(b.slots) < maxCloneSlots {
		slot := jen.Id("b").Dot(fmt.Sprintf("s%d", len(b.slots)))
		b.slots = append(b.slots, elem)
		var out []jen.Code
		if c := leafCopy(elem, x, true); c != nil {
			out = []jen.Code{slot.Clone().Op("=").Add(c)}
		} else {
			out = append([]jen.Code{slot.Clone().Op("=").Op("*").Add(x.Clone())}, b.fix(elem, slot.Clone(), depth)...)
		}
		return append(out, x.Clone().Op("=").Op("&").Add(slot.Clone()))
	}
	if elem.Kind == ir.Struct || elem.Kind == ir.Named {
		return []jen.Code{x.Clone().Op("=").Add(b.call(elem, x.Clone()))}
	}
	p := fmt.Sprintf("p%d", depth)
	inner := b.inner()
	out := []jen.Code{jen.Id(p).Op(":=").Op("*").Add(x.Clone())}
	out = append(out, inner.fix(elem, jen.Id(p), depth+1)...)
	return append(out, x.Clone().Op("=").Op("&").Id(p))
}

// leafCopy returns an expression for a deep copy of x (of *x when deref is set) when one call makes it: a JSON
// value's Clone, or slices.Clone and maps.Clone for a slice or map whose elements share nothing (a shallow copy is
// then a deep one). It returns nil for every other type.
func leafCopy(t *ir.Type, x *jen.Statement, deref bool) *jen.Statement {
	val := x.Clone()
	if deref {
		val = jen.Op("*").Add(x.Clone())
	}
	switch {
	case t.Kind == ir.JSON:
		return x.Clone().Dot("Clone").Call() // a value method: Go dereferences a pointer for it
	case t.Kind == ir.Slice && !mutable(t.Elem, map[*ir.Type]bool{}):
		return jen.Qual("slices", "Clone").Call(val)
	case t.Kind == ir.Map && !mutable(t.Elem, map[*ir.Type]bool{}):
		return jen.Qual("maps", "Clone").Call(val)
	}
	return nil
}

// mutable reports whether a value of type t can reach memory that a copy of the value would share: a pointer,
// slice, map or JSON value anywhere inside. Times count as immutable: their location is never changed in place.
func mutable(t *ir.Type, seen map[*ir.Type]bool) bool {
	switch t.Kind {
	case ir.String, ir.Int, ir.Float, ir.Bool, ir.Time, ir.Enum, ir.Format, ir.JSONEnum:
		// Format values (runtime.Date, runtime.URI, netip.Addr, ...) hold no shared mutable state.
		return false
	case ir.Struct:
		if t.Extra != nil || len(t.Patterns) > 0 {
			return true // its map fields
		}
		if seen[t] {
			return false // a cycle only closes through a pointer, slice or map, which the caller reports
		}
		seen[t] = true
		for _, fd := range t.Fields {
			if mutable(fd.Type, seen) {
				return true
			}
		}
		return false
	case ir.Named, ir.OptNull:
		return mutable(t.Elem, seen)
	}
	return true
}

// cloneKnown reports whether every kind inside t is one that clone copies field by field.
func cloneKnown(t *ir.Type, seen map[*ir.Type]bool) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	switch t.Kind {
	case ir.String, ir.Int, ir.Float, ir.Bool, ir.Time, ir.Enum, ir.JSON, ir.Format, ir.JSONEnum:
		return true
	case ir.Struct:
		if t.Extra != nil || len(t.Patterns) > 0 {
			return false // map fields: copied through the codec
		}
		for _, fd := range t.Fields {
			if !cloneKnown(fd.Type, seen) {
				return false
			}
		}
		return true
	case ir.Named, ir.OptNull, ir.Pointer, ir.Slice, ir.Map:
		return cloneKnown(t.Elem, seen)
	}
	return false
}

// cloned reports whether t gets a cloneX: it is some task's result, or another cloneX calls it.
func (e *emitter) cloned(t *ir.Type) bool {
	if e.cloneSet == nil {
		e.cloneSet = map[*ir.Type]bool{}
		var todo []*ir.Type
		for _, tk := range e.pkg.Tasks {
			todo = append(todo, tk.Result)
		}
		for len(todo) > 0 {
			t := todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			if e.cloneSet[t] {
				continue
			}
			e.cloneSet[t] = true
			_, calls := cloneBody(t)
			for c := range calls {
				todo = append(todo, c)
			}
		}
	}
	return e.cloneSet[t]
}
