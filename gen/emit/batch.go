package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/names"
	"github.com/reftask/reftask/gen/source"
)

// keyType is the Go type keys are collected in: the key's own type for a
// Go batch function, its underlying primitive for SQL (as gen/source/httpsrc does for HTTP).
func keyType(t *ir.Task, underlyingOnly bool) *jen.Statement {
	k := t.Batch.Key.Type
	if underlyingOnly && k.Kind == ir.Enum {
		return goType(k.Elem)
	}
	return goType(k)
}

func keyValue(t *ir.Task, x *jen.Statement, underlyingOnly bool) jen.Code {
	k := t.Batch.Key.Type
	if underlyingOnly && k.Kind == ir.Enum {
		return jen.Id(underlying(k.Elem)).Call(x)
	}
	return x
}

// batchMethods emits Get<name>Batch and fetchMany<name>, the batch form
// of the source.
func (e *emitter) batchMethods(t *ir.Task) {
	bt := t.Batch
	key := bt.Key
	if bt.Ext {
		e.fetchManyExt(t)
		e.batchGet(t)
		return
	}
	under := true // SQL collects keys as their underlying primitive
	kt := keyType(t, under)
	// The result property has the key's type, or, for string and integer
	// keys, another type over the same primitive (a string key matched
	// against an enum property, say), which is converted to the key type.
	resKey := func(r string) jen.Code {
		x := jen.Id(r).Dot(bt.ResultKey.Name)
		if fmt.Sprintf("%#v", goType(bt.ResultKey.Type)) == fmt.Sprintf("%#v", kt) {
			return x
		}
		return kt.Clone().Call(x)
	}

	// fetchMany: collect keys, ask the batch source, lay answers out in order.
	body := []jen.Code{
		jen.Id("keys").Op(":=").Make(jen.Index().Add(kt), jen.Len(jen.Id("ps"))),
		jen.For(jen.List(jen.Id("i"), jen.Id("p")).Op(":=").Range().Id("ps")).Block(
			jen.Id("keys").Index(jen.Id("i")).Op("=").Add(keyValue(t, jen.Id("p").Dot(key.Name), under)),
		),
	}
	keyOf := jen.Func().Params(jen.Id("r").Op("*").Add(resultType(t))).Add(kt.Clone()).Block(jen.Return(resKey("r")))
	switch {
	case bt.SQL != nil:
		query, conv := "QueryBatch", jen.Id("row"+t.Name)
		if scannedRow(t) != nil {
			query, conv = "ScanBatch", jen.Id("c").Dot(t.ClientNames().RowScanner)
		}
		body = append(body, jen.List(jen.Id("found"), jen.Err()).Op(":=").Add(helper(query)).Call(
			jen.Id("ctx"), jen.Id("c").Dot("x"), jen.Id("c").Dot(t.ClientNames().BatchQuery), jen.Id("keys"), conv, keyOf))
	}
	body = append(body,
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Qual(kit, "InOrder").Call(jen.Id("keys"), jen.Id("found")), jen.Nil()),
	)
	comment(e.f, fmt.Sprintf("%s asks the batch form of the source for many keys in one call.", t.ClientNames().FetchMany))
	e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(t.ClientNames().FetchMany).Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("ps").Index().Op("*").Add(paramsType(t)),
	).Params(jen.Index().Op("*").Add(resultType(t)), jen.Error()).Block(body...)
	e.f.Line()

	e.batchGet(t)
}

// fetchManyExt emits fetchMany<name> for a source of a kind added through gen/source, whose batch form answers
// in order.
func (e *emitter) fetchManyExt(t *ir.Task) {
	body := extSource(t).(source.Batcher).FetchMany(kindEmitter{e}, t)
	comment(e.f, fmt.Sprintf("%s asks the batch form of the source for many keys in one call.", t.ClientNames().FetchMany))
	e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(t.ClientNames().FetchMany).Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("ps").Index().Op("*").Add(paramsType(t)),
	).Params(jen.Index().Op("*").Add(resultType(t)), jen.Error()).Block(body...)
	e.f.Line()
}

// batchGet emits Get<name>Batch, the explicit many-key method.
func (e *emitter) batchGet(t *ir.Task) {
	bt := t.Batch
	key := bt.Key
	method := t.ClientNames().Batch
	comment(e.f, fmt.Sprintf("%s looks up many %s at once, in chunks of at most %d keys, answering from the cache where it can.", method, names.Unexported(key.JSON)+" values", bt.MaxSize))
	e.f.Comment("The map holds every key that was found; a key that was not found is absent. The error joins the failures of the other keys, each a *runtime.TaskError.")
	e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(method).Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("keys").Index().Add(goType(key.Type)),
	).Params(jen.Map(goType(key.Type)).Op("*").Add(resultType(t)), jen.Error()).Block(
		jen.Id("ps").Op(":=").Make(jen.Index().Op("*").Add(paramsType(t)), jen.Len(jen.Id("keys"))),
		jen.For(jen.List(jen.Id("i"), jen.Id("k")).Op(":=").Range().Id("keys")).Block(
			jen.Id("ps").Index(jen.Id("i")).Op("=").Op("&").Add(paramsType(t)).Values(jen.Dict{jen.Id(key.Name): jen.Id("k")}),
		),
		jen.List(jen.Id("res"), jen.Id("errs")).Op(":=").Id("c").Dot(taskField(t)).Dot("DoMany").Call(jen.Id("ctx"), jen.Id("ps")),
		jen.Return(jen.Qual(kit, "BatchResult").Call(jen.Id("keys"), jen.Id("res"), jen.Id("errs"))),
	)
	e.f.Line()
}

func baseType(t *ir.Type) *ir.Type {
	if t.Kind == ir.Enum {
		return t.Elem
	}
	return t
}
