// Package redis is the generator's side of the Redis source kind: its part
// of the meta-schema, its spec checks and its emission. Generated code calls
// runtime/source/redissource.
package redis

import (
	_ "embed"
	"encoding/json"
	"slices"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/source"
)

// rt is the runtime package the generated code calls; the generator names it without importing it.
const rt = "github.com/reftask/reftask/runtime/source/redissource"

//go:embed schema.json
var schema []byte

// Kind is the Redis source kind: "source": {"redis": {"connection", "key", "type"}}.
type Kind struct{}

// Name returns "redis".
func (Kind) Name() string { return "redis" }

// Schema returns the kind's fragment of the meta-schema.
func (Kind) Schema() []byte { return slices.Clone(schema) }

// spec is the kind's object in a spec, already checked against Schema.
type spec struct {
	Connection string `json:"connection"`
	Key        string `json:"key"`
	Type       string `json:"type"`
}

// Source is the checked Redis source of one task.
type Source struct {
	Conn string
	Key  ir.Template
	Hash bool
	ptr  string
}

// Model checks the key template and the value type against the task's params and result.
func (Kind) Model(s source.Spec, ptr string, raw json.RawMessage) ir.ExtSource {
	var sp spec
	if err := json.Unmarshal(raw, &sp); err != nil {
		s.Errorf(ptr, "%v", err)
		return nil
	}
	src := &Source{Conn: sp.Connection, Hash: sp.Type == "hash", ptr: ptr}
	key, ok := s.Template(ptr+"/key", sp.Key, false)
	for _, f := range key.Params {
		switch {
		case !f.Required:
			s.Errorf(ptr+"/key", "parameter {%s} is optional, but a key needs a value: make it required", f.JSON)
			ok = false
		case f.Type.Kind == ir.Pointer || f.Type.Kind == ir.OptNull:
			s.Errorf(ptr+"/key", "parameter {%s} may be null, but a key needs a value: make it non-nullable", f.JSON)
			ok = false
		}
	}
	if src.Hash && !objectType(s.Task().Result) {
		s.Errorf(ptr+"/type", "a hash reads as an object of strings, but the result is not an object: store the value as JSON text (\"type\": \"string\")")
		ok = false
	}
	if !ok {
		return nil
	}
	src.Key = key
	return src
}

// objectType reports whether a hash's object of strings can convert to t.
func objectType(t *ir.Type) bool {
	switch t.Kind {
	case ir.Struct, ir.Map:
		return true
	case ir.Named:
		return objectType(t.Elem)
	}
	return false
}

// SourceKind returns "redis".
func (*Source) SourceKind() string { return "redis" }

// FieldType is *redissource.Key: the key template, built once.
func (*Source) FieldType() jen.Code { return jen.Op("*").Qual(rt, "Key") }

// Init builds the key template.
func (s *Source) Init(e source.Emitter, t *ir.Task) []jen.Code {
	var parts, params []jen.Code
	for _, p := range s.Key.Parts {
		parts = append(parts, jen.Lit(p))
	}
	for _, f := range s.Key.Params {
		params = append(params, jen.Lit(f.JSON))
	}
	typ := "String"
	if s.Hash {
		typ = "Hash"
	}
	paramsCode := jen.Nil()
	if len(params) > 0 {
		paramsCode = jen.Index().String().Values(params...)
	}
	return []jen.Code{jen.Id("c").Dot(e.ClientNames(t).Source).Op("=").Qual(rt, "NewKey").Call(
		jen.Lit(s.Conn), jen.Qual(rt, typ), jen.Index().String().Values(parts...), paramsCode)}
}

// vals renders the key's params of p, in placeholder order.
func (s *Source) vals(e source.Emitter, p *jen.Statement) jen.Code {
	if len(s.Key.Params) == 0 {
		return jen.Nil()
	}
	var vs []jen.Code
	for _, f := range s.Key.Params {
		vs = append(vs, e.Text(f.Type, p.Clone().Dot(f.Name)))
	}
	return jen.Index().String().Values(vs...)
}

// Fetch reads the key with redissource.Get.
func (s *Source) Fetch(e source.Emitter, t *ir.Task) ([]jen.Code, jen.Code) {
	return nil, jen.Qual(rt, "Get").Call(jen.Id("ctx"), jen.Id("c").Dot("x"), jen.Lit(t.Name),
		jen.Id("c").Dot(e.ClientNames(t).Source), s.vals(e, jen.Id("p")), e.RecordFunc(t))
}

// Texts lists the params the key writes.
func (s *Source) Texts() []source.Text {
	return []source.Text{{Ptr: s.ptr + "/key", Params: s.Key.Params}}
}

// CheckBatch requires the key template to use the batch key: otherwise every key would read one Redis key.
func (s *Source) CheckBatch(sp source.Spec, key *ir.Field) bool {
	if !slices.Contains(s.Key.Params, key) {
		sp.Errorf(s.ptr+"/key", "the key template does not use the batch key {%s}, so every lookup would read the same Redis key", key.JSON)
		return false
	}
	return true
}

// InOrder is true: GetMany answers in the order asked.
func (*Source) InOrder() bool { return true }

// FetchMany reads the keys of ps in one round trip with redissource.GetMany.
func (s *Source) FetchMany(e source.Emitter, t *ir.Task) []jen.Code {
	return []jen.Code{
		jen.Id("vals").Op(":=").Make(jen.Index().Index().String(), jen.Len(jen.Id("ps"))),
		jen.For(jen.List(jen.Id("i"), jen.Id("p")).Op(":=").Range().Id("ps")).Block(
			jen.Id("vals").Index(jen.Id("i")).Op("=").Add(s.vals(e, jen.Id("p"))),
		),
		jen.Return(jen.Qual(rt, "GetMany").Call(jen.Id("ctx"), jen.Id("c").Dot("x"), jen.Lit(t.Name),
			jen.Id("c").Dot(e.ClientNames(t).Source), jen.Id("vals"), e.RecordFunc(t))),
	}
}

var _ source.Batcher = (*Source)(nil)
