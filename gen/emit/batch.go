package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/names"
	"github.com/reftask/reftask/gen/source"
)

// batchMethods emits Get<name>Batch and fetchMany<name>, the batch form
// of the source.
func (e *emitter) batchMethods(t *ir.Task) {
	body := extSource(t).(source.Batcher).FetchMany(kindEmitter{e}, t)
	comment(e.f, fmt.Sprintf("%s asks the batch form of the source for many keys in one call.", t.ClientNames().FetchMany))
	e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(t.ClientNames().FetchMany).Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("ps").Index().Op("*").Add(paramsType(t)),
	).Params(jen.Index().Op("*").Add(resultType(t)), jen.Error()).Block(body...)
	e.f.Line()
	e.batchGet(t)
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
