package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/names"
)

func lowerFirst(s string) string {
	return names.Unexported(s)
}

func taskField(t *ir.Task) string { return lowerFirst(t.Name) }

func resultType(t *ir.Task) *jen.Statement { return jen.Id(t.Result.Name) }

func paramsType(t *ir.Task) *jen.Statement { return jen.Id(t.Params.Name) }

// argList is the Go parameter list of a task method after ctx.
func argList(t *ir.Task) []jen.Code {
	var out []jen.Code
	for _, a := range t.Args {
		out = append(out, jen.Id(names.Unexported(a.JSON)).Add(goType(a.Type)))
	}
	if t.OptionsName != "" {
		out = append(out, jen.Id("opts").Op("*").Id(t.OptionsName))
	}
	return out
}

func argNames(t *ir.Task) []jen.Code {
	var out []jen.Code
	for _, a := range t.Args {
		out = append(out, jen.Id(names.Unexported(a.JSON)))
	}
	if t.OptionsName != "" {
		out = append(out, jen.Id("opts"))
	}
	return out
}

func (e *emitter) client() {
	e.f.Comment("Client calls this package's tasks through a shared runtime executor, which caches, coalesces, retries and falls back as each spec says. A Client is safe for concurrent use.")
	e.f.Type().Id("Client").StructFunc(func(g *jen.Group) {
		g.Id("x").Op("*").Qual(rt, "Executor")
		for _, t := range e.pkg.Tasks {
			g.Id(taskField(t)).Op("*").Qual(rt, "Task").Types(paramsType(t), resultType(t))
			if t.Source.SQL != nil {
				g.Id(taskField(t)+"Query").Op("*").Qual(rt, "SQLQuery")
			}
		}
	})
	e.f.Line()

	e.f.Comment("NewClient binds the package's tasks to x. The SQL connections the tasks name are looked up in x when a task runs.")
	e.f.Func().Id("NewClient").Params(jen.Id("x").Op("*").Qual(rt, "Executor")).Op("*").Id("Client").BlockFunc(func(g *jen.Group) {
		g.Id("c").Op(":=").Op("&").Id("Client").Values(jen.Dict{jen.Id("x"): jen.Id("x")})
		for _, t := range e.pkg.Tasks {
			if sq := t.Source.SQL; sq != nil {
				var parts, params []jen.Code
				for _, p := range sq.Parts {
					parts = append(parts, jen.Lit(p))
				}
				for _, p := range sq.Params {
					params = append(params, jen.Lit(p.JSON))
				}
				g.Id("c").Dot(taskField(t)+"Query").Op("=").Qual(rt, "NewSQLQuery").Call(jen.Lit(sq.Conn), jen.Index().String().Values(parts...), jen.Index().String().Values(params...))
			}
			g.Id("c").Dot(taskField(t)).Op("=").Qual(rt, "NewTask").Call(jen.Id("x"), e.taskSpec(t))
		}
		g.Return(jen.Id("c"))
	})
	e.f.Line()

	for _, t := range e.pkg.Tasks {
		e.taskMethods(t)
	}
	e.execute()
}

func (e *emitter) taskSpec(t *ir.Task) jen.Code {
	nonZero := func(d jen.Dict, key string, ns int64) {
		if ns != 0 {
			d[jen.Id(key)] = durationCode(ns)
		}
	}
	cache := jen.Dict{}
	nonZero(cache, "TTL", t.Cache.TTL)
	nonZero(cache, "NegativeTTL", t.Cache.NegativeTTL)
	nonZero(cache, "StaleIfError", t.Cache.StaleIfError)
	retry := jen.Dict{jen.Id("Attempts"): jen.Lit(int(t.Retry.Attempts))}
	nonZero(retry, "InitialDelay", t.Retry.InitialDelay)
	nonZero(retry, "MaxDelay", t.Retry.MaxDelay)
	if t.Retry.Jitter {
		retry[jen.Id("Jitter")] = jen.True()
	}
	d := jen.Dict{
		jen.Id("Name"):           jen.Lit(t.Name),
		jen.Id("Version"):        jen.Lit(t.Version),
		jen.Id("Cache"):          jen.Qual(rt, "CachePolicy").Values(cache),
		jen.Id("Retry"):          jen.Qual(rt, "RetryPolicy").Values(retry),
		jen.Id("AppendKey"):      jen.Id("append" + t.Params.Name),
		jen.Id("Describe"):       jen.Id("describe" + t.Params.Name),
		jen.Id("ValidateParams"): jen.Parens(jen.Op("*").Add(paramsType(t))).Dot("Validate"),
		jen.Id("ValidateResult"): jen.Parens(jen.Op("*").Add(resultType(t))).Dot("Validate"),
		jen.Id("Encode"):         jen.Id("append" + t.Result.Name),
		jen.Id("Decode"):         jen.Id("decode" + t.Name),
		jen.Id("Fetch"):          jen.Id("c").Dot("fetch" + t.Name),
	}
	nonZero(d, "Timeout", t.Timeout)
	if len(t.Fallbacks) > 0 {
		var fbs []jen.Code
		for i, fb := range t.Fallbacks {
			if fb.Task != nil {
				fbs = append(fbs, jen.Values(jen.Dict{
					jen.Id("Name"): jen.Lit("task " + fb.Task.Name),
					jen.Id("Fn"): jen.Func().Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("p").Op("*").Add(paramsType(t))).Params(jen.Op("*").Add(resultType(t)), jen.Error()).Block(
						jen.Return(jen.Id("c").Dot(taskField(fb.Task)).Dot("Do").Call(jen.Id("ctx"), castParams(t, fb.Task))),
					),
				}))
				continue
			}
			fbs = append(fbs, jen.Values(jen.Dict{
				jen.Id("Name"): jen.Lit(fmt.Sprintf("value %d", i)),
				jen.Id("Fn"):   jen.Id(fmt.Sprintf("fallback%sValue%d", t.Name, i)),
			}))
		}
		d[jen.Id("Fallbacks")] = jen.Index().Qual(rt, "Fallback").Types(paramsType(t), resultType(t)).Values(fbs...)
	}
	return jen.Qual(rt, "TaskSpec").Types(paramsType(t), resultType(t)).Values(d)
}

func castParams(from, to *ir.Task) jen.Code {
	if from.Params.Name == to.Params.Name {
		return jen.Id("p")
	}
	return jen.Parens(jen.Op("*").Add(paramsType(to))).Parens(jen.Id("p"))
}

func (e *emitter) taskMethods(t *ir.Task) {
	method := "Get" + t.Name
	docText := strings.TrimSpace(t.Doc)
	if docText == "" {
		docText = fmt.Sprintf("looks up %s (task %s).", t.Result.Name, t.Name)
	}
	e.f.Comment(fmt.Sprintf("%s %s", method, lowerDocStart(docText)))
	e.f.Comment("It returns an error that errors.Is matches with runtime.ErrNotFound when there is no such value.")
	e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(method).Params(append([]jen.Code{jen.Id("ctx").Qual("context", "Context")}, argList(t)...)...).Params(jen.Op("*").Add(resultType(t)), jen.Error()).Block(
		jen.Id("p").Op(":=").Id("new"+t.Params.Name).Call(argNames(t)...),
		jen.Return(jen.Id("c").Dot(taskField(t)).Dot("Do").Call(jen.Id("ctx"), jen.Op("&").Id("p"))),
	)
	e.f.Line()
	e.f.Comment(fmt.Sprintf("%sAsync starts %s and returns at once; Await the future for the result.", method, method))
	e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(method+"Async").Params(append([]jen.Code{jen.Id("ctx").Qual("context", "Context")}, argList(t)...)...).Op("*").Qual(rt, "Future").Types(resultType(t)).Block(
		jen.Id("p").Op(":=").Id("new"+t.Params.Name).Call(argNames(t)...),
		jen.Return(jen.Id("c").Dot(taskField(t)).Dot("Async").Call(jen.Id("ctx"), jen.Op("&").Id("p"))),
	)
	e.f.Line()
	e.f.Comment(fmt.Sprintf("Invalidate%s drops the cached result for these parameters.", t.Name))
	e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("Invalidate"+t.Name).Params(argList(t)...).Block(
		jen.Id("p").Op(":=").Id("new"+t.Params.Name).Call(argNames(t)...),
		jen.Id("c").Dot(taskField(t)).Dot("Invalidate").Call(jen.Op("&").Id("p")),
	)
	e.f.Line()

	// Params constructor.
	e.f.Func().Id("new" + t.Params.Name).Params(argList(t)...).Add(paramsType(t)).BlockFunc(func(g *jen.Group) {
		d := jen.Dict{}
		for _, a := range t.Args {
			d[jen.Id(a.Name)] = jen.Id(names.Unexported(a.JSON))
		}
		g.Id("p").Op(":=").Add(paramsType(t)).Values(d)
		if t.OptionsName != "" {
			g.If(jen.Id("opts").Op("!=").Nil()).BlockFunc(func(g *jen.Group) {
				for _, o := range t.Options {
					g.Id("p").Dot(o.Name).Op("=").Id("opts").Dot(o.Name)
				}
			})
		}
		g.Return(jen.Id("p"))
	})
	e.f.Line()

	// Human-readable key for errors and logs.
	e.f.Func().Id("describe" + t.Params.Name).Params(jen.Id("p").Op("*").Add(paramsType(t))).String().BlockFunc(func(g *jen.Group) {
		var format []string
		var args []jen.Code
		for _, a := range t.Args {
			format = append(format, a.JSON+"=%v")
			args = append(args, describeArg(a))
		}
		if len(format) == 0 {
			g.Return(jen.Lit(""))
			return
		}
		verb := jen.Qual("fmt", "Sprintf").Call(append([]jen.Code{jen.Lit(strings.Join(format, " "))}, args...)...)
		g.Return(verb)
	})
	e.f.Line()

	e.f.Func().Id("decode"+t.Name).Params(jen.Id("rd").Op("*").Qual(rt, "Reader")).Op("*").Add(resultType(t)).Block(
		jen.Id("v").Op(":=").New(resultType(t)),
		jen.Id("read"+t.Result.Name).Call(jen.Id("rd"), jen.Id("v")),
		jen.Return(jen.Id("v")),
	)
	e.f.Line()

	e.fetch(t)

	for i, fb := range t.Fallbacks {
		if fb.Value == nil {
			continue
		}
		e.f.Comment(fmt.Sprintf("fallback%sValue%d decodes a fresh copy of the fallback value, which reftaskgen checked against the result schema.", t.Name, i))
		e.f.Func().Id(fmt.Sprintf("fallback%sValue%d", t.Name, i)).Params(jen.Qual("context", "Context"), jen.Op("*").Add(paramsType(t))).Params(jen.Op("*").Add(resultType(t)), jen.Error()).Block(
			jen.Id("v").Op(":=").New(resultType(t)),
			jen.If(jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Index().Byte().Call(jen.Lit(string(fb.Value))), jen.Id("v")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Nil(), jen.Err()),
			),
			jen.Return(jen.Id("v"), jen.Nil()),
		)
		e.f.Line()
	}
}

func describeArg(a *ir.Field) jen.Code {
	x := jen.Id("p").Dot(a.Name)
	switch a.Type.Kind {
	case ir.String:
		return jen.Qual("strconv", "Quote").Call(x)
	case ir.Enum:
		if a.Type.Elem.Kind == ir.String {
			return jen.Qual("strconv", "Quote").Call(jen.String().Call(x))
		}
	case ir.Struct, ir.Slice, ir.Map, ir.Named:
		return jen.Qual(rt, "Brief").Call(x)
	}
	return x
}

func lowerDocStart(s string) string {
	if s == "" {
		return s
	}
	// "Looks up" reads better after the method name than "Look up".
	r := []rune(s)
	if len(r) > 1 && r[0] >= 'A' && r[0] <= 'Z' && !(r[1] >= 'A' && r[1] <= 'Z') {
		r[0] = r[0] + ('a' - 'A')
	}
	return string(r)
}

func (e *emitter) fetch(t *ir.Task) {
	ctxP := []jen.Code{jen.Id("ctx").Qual("context", "Context"), jen.Id("p").Op("*").Add(paramsType(t))}
	ret := []jen.Code{jen.Op("*").Add(resultType(t)), jen.Error()}
	switch {
	case t.Source.Go != nil:
		e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("fetch" + t.Name).Params(ctxP...).Params(ret...).Block(
			jen.Return(jen.Id(t.Source.Go.Func).Call(jen.Id("ctx"), jen.Op("*").Id("p"))),
		)
		e.f.Line()
	case t.Source.SQL != nil:
		sq := t.Source.SQL
		var args []jen.Code
		for _, p := range sq.Params {
			args = append(args, sqlArg(p))
		}
		argsCode := jen.Index().Any().Values(args...)
		if len(args) == 0 {
			argsCode = jen.Nil()
		}
		res := t.Result
		if sq.Many {
			elem := res.Elem.Elem
			e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("fetch"+t.Name).Params(ctxP...).Params(ret...).Block(
				jen.List(jen.Id("rows"), jen.Err()).Op(":=").Qual(rt, "QueryAll").Call(jen.Id("ctx"), jen.Id("c").Dot("x"), jen.Id("c").Dot(taskField(t)+"Query"), argsCode, jen.Id("row"+t.Name)),
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
				jen.Id("out").Op(":=").Add(resultType(t)).Call(jen.Id("rows")),
				jen.Return(jen.Op("&").Id("out"), jen.Nil()),
			)
			e.f.Line()
			e.rowFunc(t, elem)
			return
		}
		e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("fetch" + t.Name).Params(ctxP...).Params(ret...).Block(
			jen.Return(jen.Qual(rt, "QueryOne").Call(jen.Id("ctx"), jen.Id("c").Dot("x"), jen.Id("c").Dot(taskField(t)+"Query"), argsCode, jen.Id("row"+t.Name))),
		)
		e.f.Line()
		e.rowFunc(t, res)
	}
}

// rowFunc converts one row into a value of type elem: an object takes
// columns by property name (after transform.fields); anything else takes
// the row's only column.
func (e *emitter) rowFunc(t *ir.Task, elem *ir.Type) {
	body := []jen.Code{}
	var src jen.Code = jen.Id("rec")
	if elem.Kind == ir.Struct {
		if len(t.Fields) > 0 {
			var pairs []jen.Code
			for _, k := range sortedKeys(t.Fields) {
				pairs = append(pairs, jen.Lit(k), jen.Lit(t.Fields[k]))
			}
			body = append(body, jen.Id("rec").Op("=").Qual(rt, "Remap").Call(append([]jen.Code{jen.Id("rec")}, pairs...)...))
		}
	} else {
		body = append(body,
			jen.List(jen.Id("col"), jen.Err()).Op(":=").Qual(rt, "SingleColumn").Call(jen.Id("rec")),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		)
		src = jen.Id("col")
	}
	body = append(body, jen.Var().Id("v").Add(goType(elem)))
	body = append(body, e.conv(elem, jen.Id("v"), jen.Lit(""), jen.Add(src), 0)...)
	body = append(body, jen.Return(jen.Op("&").Id("v"), jen.Nil()))
	e.f.Comment(fmt.Sprintf("row%s converts one row of the query; a bare return passes err on.", t.Name))
	e.f.Func().Id("row"+t.Name).Params(jen.Id("rec").Qual(rt, "Record")).Params(jen.Id("out").Op("*").Add(goType(elem)), jen.Err().Error()).Block(body...)
	e.f.Line()
}
func sqlArg(p *ir.Field) jen.Code {
	x := jen.Id("p").Dot(p.Name)
	switch p.Type.Kind {
	case ir.Pointer:
		if p.Type.Elem.Kind == ir.Enum {
			return jen.Qual(rt, "PtrArg").Call(x)
		}
		return jen.Qual(rt, "PtrArg").Call(x)
	case ir.OptNull:
		return jen.Qual(rt, "OptNullArg").Call(x)
	case ir.Enum:
		return jen.Id(underlying(p.Type.Elem)).Call(x)
	}
	return x
}

func (e *emitter) execute() {
	e.f.Comment("Execute runs the named task with params given as a JSON object, the dynamic counterpart of the typed methods; the result is the task's result pointer. An unknown name gives an error that errors.Is matches with runtime.ErrUnknownTask.")
	e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("Execute").Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("task").String(), jen.Id("params").Index().Byte()).Params(jen.Any(), jen.Error()).Block(
		jen.Switch(jen.Id("task")).BlockFunc(func(g *jen.Group) {
			for _, t := range e.pkg.Tasks {
				g.Case(jen.Lit(t.Name)).Block(
					jen.Var().Id("p").Add(paramsType(t)),
					jen.If(jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Id("params"), jen.Op("&").Id("p")), jen.Err().Op("!=").Nil()).Block(
						jen.Return(jen.Nil(), jen.Qual(rt, "ParamsError").Call(jen.Id("task"), jen.Err())),
					),
					jen.List(jen.Id("r"), jen.Err()).Op(":=").Id("c").Dot(taskField(t)).Dot("Do").Call(jen.Id("ctx"), jen.Op("&").Id("p")),
					jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
					jen.Return(jen.Id("r"), jen.Nil()),
				)
			}
		}),
		jen.Return(jen.Nil(), jen.Qual("fmt", "Errorf").Call(jen.Lit("%w: %q"), jen.Qual(rt, "ErrUnknownTask"), jen.Id("task"))),
	)
	e.f.Line()
	var namesList []jen.Code
	for _, t := range e.pkg.Tasks {
		namesList = append(namesList, jen.Lit(t.Name))
	}
	e.f.Comment("Tasks lists the names Execute accepts, sorted.")
	e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("Tasks").Params().Index().String().Block(
		jen.Return(jen.Index().String().Values(namesList...)),
	)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
