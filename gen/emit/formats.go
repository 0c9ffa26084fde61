package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
)

const netipPkg = "net/netip"

// formatInfo names what generated code uses for one typed format: its Go
// type and the runtime functions that encode, decode and convert it.
type formatInfo struct {
	// typ is the type's name in rt, or in net/netip when ip is set.
	typ string
	ip  bool
	// append, read and as are kit functions.
	append, read, as string
	// valid is the check Validate makes on values that did not come from
	// JSON (a zero value from a Go source): a method of the value, or, for
	// IP addresses, a kit function.
	valid string
}

func formatOf(t *ir.Type) formatInfo {
	switch t.Format {
	case "date":
		return formatInfo{typ: "Date", append: "AppendDate", read: "ReadDate", as: "AsDate", valid: "IsValid"}
	case "time":
		return formatInfo{typ: "TimeOfDay", append: "AppendTimeOfDay", read: "ReadTimeOfDay", as: "AsTimeOfDay", valid: "IsValid"}
	case "duration":
		return formatInfo{typ: "Duration", append: "AppendDuration", read: "ReadDuration", as: "AsDuration", valid: "IsValid"}
	case "uuid":
		return formatInfo{typ: "UUID", append: "AppendUUID", read: "ReadUUID", as: "AsUUID"}
	case "email":
		return formatInfo{typ: "Email", append: "AppendEmail", read: "ReadEmail", as: "AsEmail", valid: "IsValid"}
	case "uri":
		return formatInfo{typ: "URI", append: "AppendURI", read: "ReadURI", as: "AsURI", valid: "IsValid"}
	case "ipv4":
		return formatInfo{typ: "Addr", ip: true, append: "AppendAddr", read: "ReadAddr", as: "AsIPv4", valid: "IsIPv4"}
	case "ipv6":
		return formatInfo{typ: "Addr", ip: true, append: "AppendAddr", read: "ReadAddr", as: "AsIPv6", valid: "IsIPv6"}
	}
	panic(fmt.Sprintf("emit: untyped format %q", t.Format)) // the model only builds TypedFormat kinds
}

func formatGoType(t *ir.Type) *jen.Statement {
	fi := formatOf(t)
	if fi.ip {
		return jen.Qual(netipPkg, fi.typ)
	}
	return jen.Qual(rt, fi.typ)
}

// formatChecks validates a value of a Format type: that it is a valid
// value at all (a Go source may return a zero value), then the string
// keywords on its text.
func (e *emitter) formatChecks(t *ir.Type, x *jen.Statement, path string) []jen.Code {
	var out []jen.Code
	fi := formatOf(t)
	switch {
	case fi.ip:
		out = append(out, jen.If(jen.Op("!").Add(helper(fi.valid)).Call(x.Clone())).Block(
			jen.Id("vs").Dot("Addf").Call(pathString(path), jen.Lit("format"), jen.Lit("%s: not an "+t.Format+" address"), x.Clone())))
	case fi.valid != "":
		out = append(out, jen.If(jen.Op("!").Add(x.Clone()).Dot(fi.valid).Call()).Block(
			jen.Id("vs").Dot("Add").Call(pathString(path), jen.Lit("format"), jen.Lit("not a valid "+t.Format+" (zero value)"))))
	}
	if !t.Check.Empty() {
		text := &ir.Type{Kind: ir.String, Check: t.Check}
		out = append(out, e.scalarChecks(text, x.Clone().Dot("String").Call(), path)...)
	}
	return out
}

// formatNeedsCheck reports whether Validate has anything to check on a
// Format value; every 16 bytes are a UUID.
func formatNeedsCheck(t *ir.Type) bool {
	return formatOf(t).valid != "" || !t.Check.Empty()
}

// formatSQLArg binds a Format param: the runtime types are driver.Valuers,
// netip.Addr is bound as its text.
func formatSQLArg(t *ir.Type, x *jen.Statement) jen.Code {
	inner := t
	if t.Kind == ir.Pointer || t.Kind == ir.OptNull {
		inner = t.Elem
	}
	if inner.Kind != ir.Format || !formatOf(inner).ip {
		return nil
	}
	switch t.Kind {
	case ir.Pointer:
		return jen.Qual(kit, "PtrAddrArg").Call(x)
	case ir.OptNull:
		return jen.Qual(kit, "OptNullAddrArg").Call(x)
	}
	return jen.Qual(kit, "AddrArg").Call(x)
}

// namedFormatMethods gives a named type over time.Time or a Format type
// the JSON and text methods of the type it is defined over, which a
// defined type does not inherit.
func (e *emitter) namedFormatMethods(t *ir.Type) {
	base := goType(t.Elem)
	comment(e.f, fmt.Sprintf("MarshalJSON encodes a %s as %s does.", t.Name, describe(t.Elem)))
	e.f.Func().Params(jen.Id("v").Id(t.Name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Return(jen.Qual("encoding/json", "Marshal").Call(base.Clone().Call(jen.Id("v")))),
	)
	e.f.Line()
	comment(e.f, fmt.Sprintf("UnmarshalJSON decodes a %s strictly: null is not a %s.", t.Name, t.Name))
	e.f.Func().Params(jen.Id("v").Op("*").Id(t.Name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Block(
		jen.Return(helper("DecodeStrict").Call(jen.Id("data"), jen.Parens(jen.Op("*").Add(base.Clone())).Parens(jen.Id("v")))),
	)
	e.f.Line()
	comment(e.f, fmt.Sprintf("String returns the %s as text.", t.Name))
	e.f.Func().Params(jen.Id("v").Id(t.Name)).Id("String").Params().String().Block(
		jen.Return(base.Clone().Call(jen.Id("v")).Dot("String").Call()),
	)
	e.f.Line()
}
