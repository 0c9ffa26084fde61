package emit

import (
	"strings"
	"unicode"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
)

// A property whose name a json struct tag cannot carry ("", "-", a name
// with a comma, quote, backslash, backquote, space or any character other
// than letters, digits and the punctuation encoding/json allows) would be
// lost: encoding/json reads "a,b" as the key "a" with an option, skips a
// field tagged "-", and falls back to the Go field name for the others.
// Such a field is tagged json:"-" and the struct's UnmarshalJSON and
// MarshalJSON read and write it under its exact name; everything else
// (validation, conversion, the cache codec, clone) already goes by the
// property name the model keeps in Field.JSON.

// tagCarries reports whether encoding/json reads name from a struct tag as
// exactly that key; go vet's structtag check also rejects a space.
func tagCarries(name string) bool {
	if name == "" || name == "-" {
		return false
	}
	for _, c := range name {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// untagged lists a struct's fields whose property names no tag carries.
func untagged(t *ir.Type) []*ir.Field {
	var out []*ir.Field
	for _, fd := range t.Fields {
		if !tagCarries(fd.JSON) {
			out = append(out, fd)
		}
	}
	return out
}

// ownCodec reports whether a struct's MarshalJSON is generated: when it has
// map fields, or fields that no tag carries.
func ownCodec(t *ir.Type) bool {
	return len(mapFields(t)) > 0 || len(untagged(t)) > 0
}

// untaggedDecode decodes the untagged fields from raw, the object's
// properties by name, each as encoding/json would have decoded a tagged
// field of its type, with errors placed at the property.
func untaggedDecode(t *ir.Type) []jen.Code {
	var out []jen.Code
	for _, fd := range untagged(t) {
		target := jen.Op("&").Id("v").Dot(fd.Name)
		dec := decodeValue(fd.Type, jen.Id("r"), target)
		if fd.Type.Kind == ir.OptNull {
			// OptNull records a null itself; DecodeNullable would leave it unset.
			dec = jen.Id("v").Dot(fd.Name).Dot("UnmarshalJSON").Call(jen.Id("r"))
		}
		out = append(out, jen.If(jen.List(jen.Id("r"), jen.Id("ok")).Op(":=").Id("raw").Index(jen.Lit(fd.JSON)), jen.Id("ok")).Block(
			jen.If(jen.Err().Op(":=").Add(dec), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Qual(kit, "PropError").Call(jen.Lit(fd.JSON), jen.Err())))))
	}
	return out
}

// untaggedEncode writes the untagged fields into the ObjectWriter w, each
// left out where its tag would have been omitempty or omitzero.
func untaggedEncode(t *ir.Type) []jen.Code {
	var out []jen.Code
	for _, fd := range untagged(t) {
		x := jen.Id("v").Dot(fd.Name)
		write := jen.Id("w").Dot("Prop").Call(jen.Lit(fd.JSON), x.Clone())
		switch {
		case fd.Type.Kind == ir.OptNull:
			out = append(out, jen.If(x.Clone().Dot("Set")).Block(write))
		case !fd.Required && fd.Type.Kind == ir.Pointer:
			out = append(out, jen.If(x.Clone().Op("!=").Nil()).Block(write))
		default:
			out = append(out, write)
		}
	}
	return out
}

// untaggedMarshal emits MarshalJSON for a struct without map fields whose
// untagged fields encoding/json would not write.
func (e *emitter) untaggedMarshal(t *ir.Type) {
	body := []jen.Code{
		jen.Type().Id("plain").Id(t.Name),
		jen.Var().Id("w").Qual(kit, "ObjectWriter"),
		jen.Id("w").Dot("Struct").Call(jen.Id("plain").Call(jen.Id("v"))),
	}
	body = append(body, untaggedEncode(t)...)
	body = append(body, jen.Return(jen.Id("w").Dot("Bytes").Call()))
	e.f.Comment("MarshalJSON writes every property, those whose names a struct tag cannot carry included.")
	e.f.Func().Params(jen.Id("v").Id(t.Name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(body...)
	e.f.Line()
}
