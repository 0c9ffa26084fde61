// Package gofunc is the generator's side of the Go source kind: a function
// of the user's package that returns the typed result, and its batch form.
// It has no runtime package: generated code calls the function directly.
package gofunc

import (
	_ "embed"
	"encoding/json"
	"go/token"
	"slices"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/source"
)

// kit is the package of helpers for generated code; the generator names it without importing it.
const kit = "github.com/reftask/reftask/runtime/kit"

//go:embed schema.json
var schema []byte

// Kind is the Go source kind: "source": {"go": {"func", "batch_func"}}.
type Kind struct{}

// Name returns "go".
func (Kind) Name() string { return "go" }

// Schema returns the kind's fragment of the meta-schema.
func (Kind) Schema() []byte { return slices.Clone(schema) }

type spec struct {
	Func      string `json:"func"`
	BatchFunc string `json:"batch_func"`
}

// Source is the checked Go source of one task.
type Source struct {
	Func      string
	BatchFunc string // "" without a batch form
	ptr       string
}

// Model checks the function names. A source is returned even when a name is wrong, so that the batch checks
// report their problems of the same spec too.
func (Kind) Model(s source.Spec, ptr string, raw json.RawMessage) ir.ExtSource {
	var sp spec
	if err := json.Unmarshal(raw, &sp); err != nil {
		s.Errorf(ptr, "%v", err)
		return nil
	}
	funcName(s, ptr+"/func", sp.Func)
	src := &Source{Func: sp.Func, ptr: ptr}
	if sp.BatchFunc != "" {
		if s.Batched() {
			funcName(s, ptr+"/batch_func", sp.BatchFunc)
			src.BatchFunc = sp.BatchFunc
		} else {
			s.Errorf(ptr+"/batch_func", "batch_func is only used with \"batch\"; add \"batch\": {} or remove it")
		}
	}
	return src
}

// funcName checks the name of a Go function, which generated code calls as it is: the meta-schema admits Go
// keywords and the blank identifier, which no function can be named.
func funcName(s source.Spec, ptr, name string) {
	if name != "" && (token.IsKeyword(name) || name == "_") {
		s.Errorf(ptr, "%s is not a name a Go function can have", diag.Quote(name))
	}
}

// SourceKind returns "go".
func (*Source) SourceKind() string { return "go" }

// FieldType is nil: the function needs nothing prepared.
func (*Source) FieldType() jen.Code { return nil }

// Init is empty: the function needs nothing prepared.
func (*Source) Init(source.Emitter, *ir.Task) []jen.Code { return nil }

// Fetch calls the function with the params.
func (s *Source) Fetch(source.Emitter, *ir.Task) ([]jen.Code, jen.Code) {
	return nil, jen.Id(s.Func).Call(jen.Id("ctx"), jen.Op("*").Id("p"))
}

// Texts is empty: the function takes the typed params.
func (*Source) Texts() []source.Text { return nil }

// MapsFields refuses every field map: the function returns the typed result itself.
func (*Source) MapsFields(string) string {
	return "a Go source returns the typed result itself; use transform.func to change it"
}

// Wants lists the function and the batch function with the signatures generated code calls them with.
func (s *Source) Wants(t *ir.Task, sig func(*ir.Type) string) []source.Want {
	out := []source.Want{{
		Ptr:     s.ptr + "/func",
		Func:    s.Func,
		Params:  []string{"context.Context", t.Params.Name},
		Results: []string{"*" + t.Result.Name, "error"},
	}}
	if t.Batch != nil && s.BatchFunc != "" {
		k := sig(t.Batch.Key.Type)
		out = append(out, source.Want{
			Ptr:     s.ptr + "/batch_func",
			Func:    s.BatchFunc,
			Params:  []string{"context.Context", "[]" + k},
			Results: []string{"map[" + k + "]*" + t.Result.Name, "error"},
		})
	}
	return out
}

// InOrder is false: the batch function answers by key.
func (*Source) InOrder() bool { return false }

// CheckBatch requires the batch function.
func (s *Source) CheckBatch(sp source.Spec, _ *ir.Field) bool {
	if s.BatchFunc == "" {
		sp.Errorf(s.ptr, "a batched Go source needs \"batch_func\": func(context.Context, []Key) (map[Key]*Result, error)")
		return false
	}
	return true
}

// FetchMany collects the keys, calls the batch function and lays its answers out in order.
func (s *Source) FetchMany(e source.Emitter, t *ir.Task) []jen.Code {
	key := t.Batch.Key
	return []jen.Code{
		jen.Id("keys").Op(":=").Make(jen.Index().Add(e.GoType(key.Type)), jen.Len(jen.Id("ps"))),
		jen.For(jen.List(jen.Id("i"), jen.Id("p")).Op(":=").Range().Id("ps")).Block(
			jen.Id("keys").Index(jen.Id("i")).Op("=").Id("p").Dot(key.Name),
		),
		jen.List(jen.Id("found"), jen.Err()).Op(":=").Id(s.BatchFunc).Call(jen.Id("ctx"), jen.Id("keys")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Qual(kit, "InOrder").Call(jen.Id("keys"), jen.Id("found")), jen.Nil()),
	}
}

var (
	_ source.Batcher     = (*Source)(nil)
	_ source.Checked     = (*Source)(nil)
	_ source.FieldMapper = (*Source)(nil)
)
