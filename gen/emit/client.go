package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/names"
	"github.com/reftask/reftask/gen/source"
)

func taskField(t *ir.Task) string { return t.ClientNames().Task }

func resultType(t *ir.Task) *jen.Statement { return jen.Id(t.Result.Name) }

func paramsType(t *ir.Task) *jen.Statement { return jen.Id(t.Params.Name) }

// argIdents are the Go names of a task method's positional arguments:
// each property's name, unexported, unless another argument or a name the
// method body uses (ctx, opts, c, p) has it already.
func argIdents(t *ir.Task) []string {
	taken := map[string]bool{"ctx": true, "opts": true, "c": true, "p": true}
	var out []string
	for _, a := range t.Args {
		id := names.Unexported(a.JSON)
		if taken[id] {
			id = names.Unexported(a.Name)
		}
		for i := 2; taken[id]; i++ {
			id = fmt.Sprintf("%s%d", names.Unexported(a.Name), i)
		}
		taken[id] = true
		out = append(out, id)
	}
	return out
}

// argList is the Go parameter list of a task method after ctx.
func argList(t *ir.Task) []jen.Code {
	var out []jen.Code
	for i, id := range argIdents(t) {
		out = append(out, jen.Id(id).Add(goType(t.Args[i].Type)))
	}
	if t.OptionsName != "" {
		out = append(out, jen.Id("opts").Op("*").Id(t.OptionsName))
	}
	return out
}

func argNames(t *ir.Task) []jen.Code {
	var out []jen.Code
	for _, id := range argIdents(t) {
		out = append(out, jen.Id(id))
	}
	if t.OptionsName != "" {
		out = append(out, jen.Id("opts"))
	}
	return out
}

func (e *emitter) client() {
	e.clientType()
	for _, t := range e.pkg.Tasks {
		e.taskMethods(t)
	}
	e.execute()
}

// clientType emits the Client struct and NewClient.
func (e *emitter) clientType() {
	e.f.Comment("Client calls this package's tasks through a shared runtime executor, which caches, coalesces, retries and falls back as each spec says. A Client is safe for concurrent use.")
	e.f.Type().Id("Client").StructFunc(func(g *jen.Group) {
		g.Id("x").Op("*").Qual(rt, "Executor")
		for _, t := range e.pkg.Tasks {
			g.Id(taskField(t)).Op("*").Qual(kit, "Task").Types(paramsType(t), resultType(t))
			if x := extSource(t); x != nil {
				if fl, ok := x.(source.Fielder); ok {
					for _, f := range fl.Fields(kindEmitter{e}, t) {
						g.Id(f.Name).Add(f.Type)
					}
				} else if x.FieldType() != nil {
					g.Id(t.ClientNames().Source).Add(x.FieldType())
				}
			}
		}
	})
	e.f.Line()

	e.f.Comment("NewClient binds the package's tasks to x. The connections and files the tasks name are looked up in x when a task runs.")
	e.f.Func().Id("NewClient").Params(jen.Id("x").Op("*").Qual(rt, "Executor")).Op("*").Id("Client").BlockFunc(func(g *jen.Group) {
		g.Id("c").Op(":=").Op("&").Id("Client").Values(jen.Dict{jen.Id("x"): jen.Id("x")})
		for _, t := range e.pkg.Tasks {
			if x := extSource(t); x != nil {
				for _, st := range x.Init(kindEmitter{e}, t) {
					g.Add(st)
				}
			}
			g.Id("c").Dot(taskField(t)).Op("=").Qual(kit, "NewTask").Call(jen.Id("x"), e.taskSpec(t))
		}
		g.Return(jen.Id("c"))
	})
	e.f.Line()
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
	d := jen.Dict{
		jen.Id("Name"):      jen.Lit(t.Name),
		jen.Id("Version"):   jen.Lit(t.Version),
		jen.Id("AppendKey"): jen.Id(paramsKeyFunc(t)),
		jen.Id("Encode"):    jen.Id("append" + t.Result.Name),
		jen.Id("Decode"):    jen.Qual(kit, "Decoder").Call(jen.Id("read" + t.Result.Name)),
		jen.Id("Clone"):     jen.Id("clone" + t.Result.Name),
		jen.Id("Fetch"):     jen.Id("c").Dot(t.ClientNames().Fetch),
	}
	// The runtime's defaults are not written out: no caching, and one attempt (whose delays nothing reads).
	if len(cache) > 0 {
		d[jen.Id("Cache")] = jen.Qual(kit, "CachePolicy").Values(cache)
	}
	if t.Retry.Attempts > 1 {
		retry := jen.Dict{jen.Id("Attempts"): jen.Lit(int(t.Retry.Attempts))}
		nonZero(retry, "InitialDelay", t.Retry.InitialDelay)
		nonZero(retry, "MaxDelay", t.Retry.MaxDelay)
		if t.Retry.Jitter {
			retry[jen.Id("Jitter")] = jen.True()
		}
		d[jen.Id("Retry")] = jen.Qual(kit, "RetryPolicy").Values(retry)
	}
	if len(t.Args) > 0 {
		d[jen.Id("Describe")] = jen.Id("describe" + t.Params.Name)
	}
	// A type that holds only what its schema allows needs no validation.
	if needsCheck(t.Params, map[*ir.Type]bool{}) {
		d[jen.Id("ValidateParams")] = jen.Parens(jen.Op("*").Add(paramsType(t))).Dot("Validate")
	}
	if needsCheck(t.Result, map[*ir.Type]bool{}) {
		d[jen.Id("ValidateResult")] = jen.Parens(jen.Op("*").Add(resultType(t))).Dot("Validate")
	}
	nonZero(d, "Timeout", t.Timeout)
	if bt := t.Batch; bt != nil {
		bd := jen.Dict{
			jen.Id("MaxSize"):   jen.Lit(int(bt.MaxSize)),
			jen.Id("FetchMany"): jen.Id("c").Dot(t.ClientNames().FetchMany),
		}
		nonZero(bd, "Wait", bt.Wait)
		if bt.Concurrency != 0 {
			bd[jen.Id("Concurrency")] = jen.Lit(int(bt.Concurrency))
		}
		d[jen.Id("Batch")] = jen.Op("&").Qual(kit, "BatchPolicy").Types(paramsType(t), resultType(t)).Values(bd)
	}
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
				jen.Id("Fn"):   jen.Qual(kit, "FallbackJSON").Types(paramsType(t), resultType(t)).Call(jen.Lit(string(fb.Value))),
			}))
		}
		d[jen.Id("Fallbacks")] = jen.Index().Qual(kit, "Fallback").Types(paramsType(t), resultType(t)).Values(fbs...)
	}
	return jen.Qual(kit, "TaskSpec").Types(paramsType(t), resultType(t)).Values(d)
}

func castParams(from, to *ir.Task) jen.Code {
	if from.Params.Name == to.Params.Name {
		return jen.Id("p")
	}
	return jen.Parens(jen.Op("*").Add(paramsType(to))).Parens(jen.Id("p"))
}

// paramsValue builds a task's params from the method's arguments: a composite literal, or the params
// constructor when optional params come in an options struct.
func paramsValue(t *ir.Task) *jen.Statement {
	if t.OptionsName != "" {
		return jen.Id("new" + t.Params.Name).Call(argNames(t)...)
	}
	d := jen.Dict{}
	for i, id := range argIdents(t) {
		d[jen.Id(t.Args[i].Name)] = jen.Id(id)
	}
	return paramsType(t).Values(d)
}

// paramsRef is the address of paramsValue: the methods that pass params by pointer take it in one
// expression, or after a line naming it when it comes from the constructor.
func paramsRef(t *ir.Task) (pre []jen.Code, ref *jen.Statement) {
	if t.OptionsName != "" {
		return []jen.Code{jen.Id("p").Op(":=").Add(paramsValue(t))}, jen.Op("&").Id("p")
	}
	return nil, jen.Op("&").Add(paramsValue(t))
}

// getFunc is the kit function a Get method calls: kit.Get builds the key on its stack, which is sound while
// the key's encoding runs only generated and kit code; a param holding a user's Go type may hand a pointer
// into the params to that type's methods, so its task calls kit.GetEscaping.
func getFunc(t *ir.Task) string {
	seen := map[*ir.Type]bool{}
	var user func(x *ir.Type) bool
	user = func(x *ir.Type) bool {
		if x == nil || seen[x] {
			return false
		}
		seen[x] = true
		if x.Kind == ir.GoType && !x.IsBuiltin() {
			return true
		}
		for _, f := range x.Fields {
			if user(f.Type) {
				return true
			}
		}
		for _, v := range x.Variants {
			if user(v.Type) {
				return true
			}
		}
		for _, m := range mapFields(x) {
			if user(m.Elem) {
				return true
			}
		}
		return user(x.Elem)
	}
	if user(t.Params) {
		return "GetEscaping"
	}
	return "Get"
}

func (e *emitter) taskMethods(t *ir.Task) {
	method := t.ClientNames().Get
	docText := strings.TrimSpace(t.Doc)
	if docText == "" {
		docText = fmt.Sprintf("looks up %s (task %s).", t.Result.Name, t.Name)
	}
	comment(e.f, fmt.Sprintf("%s %s", method, lowerDocStart(docText)))
	e.f.Comment("It returns an error that errors.Is matches with runtime.ErrNotFound when there is no such value.")
	task := jen.Id("c").Dot(taskField(t))
	e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(method).Params(append([]jen.Code{jen.Id("ctx").Qual("context", "Context")}, argList(t)...)...).Params(jen.Op("*").Add(resultType(t)), jen.Error()).Block(
		jen.Return(jen.Qual(kit, getFunc(t)).Call(jen.Id("ctx"), task.Clone(), jen.Id(paramsKeyFunc(t)), paramsValue(t))),
	)
	e.f.Line()
	e.paramsKey(t)
	e.normalize(t)
	pre, ref := paramsRef(t)
	comment(e.f, fmt.Sprintf("%sAsync starts %s and returns at once; Await the future for the result.", method, method))
	e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(t.ClientNames().Async).Params(append([]jen.Code{jen.Id("ctx").Qual("context", "Context")}, argList(t)...)...).Op("*").Qual(rt, "Future").Types(resultType(t)).Block(
		append(pre, jen.Return(task.Clone().Dot("Async").Call(jen.Id("ctx"), ref.Clone())))...,
	)
	e.f.Line()
	comment(e.f, fmt.Sprintf("Invalidate%s drops the cached result for these parameters.", t.Name))
	e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(t.ClientNames().Invalidate).Params(argList(t)...).Block(
		append(pre, task.Clone().Dot("Invalidate").Call(ref.Clone()))...,
	)
	e.f.Line()

	if t.OptionsName != "" {
		e.f.Func().Id("new" + t.Params.Name).Params(argList(t)...).Add(paramsType(t)).BlockFunc(func(g *jen.Group) {
			d := jen.Dict{}
			for i, id := range argIdents(t) {
				d[jen.Id(t.Args[i].Name)] = jen.Id(id)
			}
			g.Id("p").Op(":=").Add(paramsType(t)).Values(d)
			g.If(jen.Id("opts").Op("!=").Nil()).BlockFunc(func(g *jen.Group) {
				for _, o := range t.Options {
					g.Id("p").Dot(o.Name).Op("=").Id("opts").Dot(o.Name)
				}
			})
			g.Return(jen.Id("p"))
		})
		e.f.Line()
	}

	if len(t.Args) > 0 {
		e.describe(t)
	}
	e.taskSource(t)
}

// describe emits the human-readable key of a task's params, for errors and logs (TaskSpec.Describe).
func (e *emitter) describe(t *ir.Task) {
	e.f.Func().Id("describe" + t.Params.Name).Params(jen.Id("p").Op("*").Add(paramsType(t))).String().BlockFunc(func(g *jen.Group) {
		var format []string
		var args []jen.Code
		for _, a := range t.Args {
			format = append(format, pct(a.JSON)+"=%v")
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
}

// taskSource emits what a task's source needs: its fetch method, and its batch form.
func (e *emitter) taskSource(t *ir.Task) {
	e.fetch(t)
	if t.Batch != nil {
		e.batchMethods(t)
	}
}

func describeArg(a *ir.Field) jen.Code {
	x := jen.Id("p").Dot(a.Name)
	switch a.Type.Kind {
	case ir.String:
		return helper("Quote").Call(x)
	case ir.Enum:
		if a.Type.Elem.Kind == ir.String {
			return helper("Quote").Call(jen.String().Call(x))
		}
	case ir.Struct, ir.Slice, ir.Map, ir.Named, ir.Union, ir.Tuple:
		return jen.Qual(kit, "Brief").Call(x)
	case ir.Format:
		return helper("Quote").Call(x.Dot("String").Call())
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
	c := jen.Id("c")
	var body []jen.Code
	if len(timeParams(t)) > 0 {
		body = append(body, jen.Id("p").Op("=").Id("normalize"+t.Params.Name).Call(jen.Id("p")))
	}
	// get is the expression that yields (*Result, error) from the source.
	var get jen.Code
	switch {
	case t.Source.Ext != nil:
		stmts, g := extSource(t).Fetch(kindEmitter{e}, t)
		body = append(body, stmts...)
		get = g
	}
	switch {
	case t.TransformFunc == "" && get != nil:
		body = append(body, jen.Return(get))
	case t.TransformFunc == "":
		body = append(body, jen.Return(jen.Op("&").Id("out"), jen.Nil()))
	default:
		if get != nil {
			body = append(body,
				jen.List(jen.Id("r"), jen.Err()).Op(":=").Add(get),
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			)
		} else {
			body = append(body, jen.Id("r").Op(":=").Op("&").Id("out"))
		}
		body = append(body,
			jen.If(jen.Err().Op(":=").Id(t.TransformFunc).Call(jen.Id("ctx"), jen.Id("r")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Nil(), jen.Qual("fmt", "Errorf").Call(jen.Lit("transform "+t.TransformFunc+": %w"), jen.Err())),
			),
			jen.Return(jen.Id("r"), jen.Nil()),
		)
	}
	e.f.Func().Params(c.Clone().Op("*").Id("Client")).Id(t.ClientNames().Fetch).Params(ctxP...).Params(ret...).Block(body...)
	e.f.Line()
}

// renderString writes a scalar param the way it appears in a URL or pointer.
func renderString(t *ir.Type, x jen.Code) jen.Code {
	switch t.Kind {
	case ir.String:
		return x
	case ir.Enum:
		return renderString(t.Elem, jen.Id(underlying(t.Elem)).Call(x))
	case ir.Int:
		return jen.Qual("strconv", "FormatInt").Call(x, jen.Lit(10))
	case ir.Float:
		return jen.Qual("strconv", "FormatFloat").Call(x, jen.LitRune('g'), jen.Lit(-1), jen.Lit(64))
	case ir.Bool:
		return jen.Qual("strconv", "FormatBool").Call(x)
	case ir.Time:
		return jen.Add(x).Dot("Format").Call(jen.Qual(timePkg, "RFC3339Nano"))
	case ir.Format:
		return jen.Add(x).Dot("String").Call()
	case ir.GoType:
		return jen.Qual("fmt", "Sprint").Call(x)
	case ir.Pointer, ir.OptNull:
		return renderString(t.Elem, x)
	}
	return x
}

// fieldMaps renders transform.fields as kit.FieldMap values.
func fieldMaps(t *ir.Task) []jen.Code {
	var out []jen.Code
	for _, m := range t.Maps {
		var prop []jen.Code
		for _, p := range m.Prop {
			prop = append(prop, jen.Lit(p))
		}
		out = append(out, jen.Values(jen.Dict{jen.Id("Prop"): jen.Index().String().Values(prop...), jen.Id("From"): jen.Lit(m.From)}))
	}
	return out
}

// record is the conversion of the decoded JSON record raw (HTTP, file) into the result: one kit.Record call
// when the result converts in one call and nothing else names recordX, else a call of recordFunc's recordX.
func (e *emitter) record(t *ir.Task) jen.Code {
	if len(t.Maps) == 0 && t.Batch == nil {
		if fn := e.convFunc(t.Result); fn != nil {
			return jen.Qual(kit, "Record").Call(jen.Id("raw"), fn)
		}
	}
	return jen.Add(kindEmitter{e}.RecordFunc(t)).Call(jen.Id("raw"))
}

// recordFunc converts a decoded JSON record (HTTP, file) into the result,
// after transform.fields.
func (e *emitter) recordFunc(t *ir.Task) {
	var body []jen.Code
	if len(t.Maps) > 0 {
		fn := "Transform"
		if t.Result.Kind == ir.Named && t.Result.Elem.Kind == ir.Slice {
			fn = "TransformEach"
		}
		body = append(body, jen.Id("raw").Op("=").Add(helper(fn)).Call(jen.Id("raw"), jen.Index().Qual(kit, "FieldMap").Values(fieldMaps(t)...)))
	}
	body = append(body, jen.Var().Id("v").Add(goType(t.Result)))
	body = append(body, e.conv(t.Result, jen.Id("v"), jen.Lit(""), jen.Id("raw"), 0)...)
	body = append(body, jen.Return(jen.Op("&").Id("v"), jen.Nil()))
	comment(e.f, fmt.Sprintf("record%s converts the record the source returned; a bare return passes err on.", t.Name))
	e.f.Func().Id("record"+t.Name).Params(jen.Id("raw").Any()).Params(jen.Id("out").Op("*").Add(resultType(t)), jen.Err().Error()).Block(body...)
	e.f.Line()
}

// rowFunc converts one row into a value of type elem: an object takes
// columns by property name (after transform.fields); anything else takes
// the row's only column.
func (e *emitter) rowFunc(t *ir.Task, elem *ir.Type) {
	body := []jen.Code{}
	var src jen.Code = jen.Id("rec")
	if elem.Kind == ir.Struct {
		if len(t.Maps) > 0 {
			body = append(body, jen.Id("raw").Op(":=").Qual(kit, "Transform").Call(jen.Id("rec"), jen.Index().Qual(kit, "FieldMap").Values(fieldMaps(t)...)))
			src = jen.Id("raw")
		}
	} else {
		body = append(body,
			jen.List(jen.Id("col"), jen.Err()).Op(":=").Qual(kit, "SingleColumn").Call(jen.Id("rec")),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		)
		src = jen.Id("col")
	}
	body = append(body, jen.Var().Id("v").Add(goType(elem)))
	body = append(body, e.conv(elem, jen.Id("v"), jen.Lit(""), jen.Add(src), 0)...)
	body = append(body, jen.Return(jen.Op("&").Id("v"), jen.Nil()))
	comment(e.f, fmt.Sprintf("row%s converts one row of the query; a bare return passes err on.", t.Name))
	e.f.Func().Id("row"+t.Name).Params(jen.Id("rec").Map(jen.String()).Any()).Params(jen.Id("out").Op("*").Add(goType(elem)), jen.Err().Error()).Block(body...)
	e.f.Line()
}

// scanFunc builds a value of the struct type elem from one row, reading each property from its column by the
// column's position in the task's RowScanner.Columns (gen/source/sqlsrc names the columns).
func (e *emitter) scanFunc(t *ir.Task, elem *ir.Type) {
	fields := convRun{code: []jen.Code{jen.Var().Id("v").Add(goType(elem))}}
	for i, fd := range elem.Fields {
		fields.add(e.convFieldFrom(fd, jen.Id("v").Dot(fd.Name), jen.Lit("/"+escapePointer(fd.JSON)),
			jen.List(jen.Id("r"+fd.Name), jen.Id("ok")).Op(":=").Id("row").Dot("Lookup").Call(jen.Lit(i)),
			jen.Id("row").Dot("Col").Call(jen.Lit(i))))
	}
	fields.flush()
	body := append(fields.code, jen.Return(jen.Op("&").Id("v"), jen.Nil()))
	comment(e.f, fmt.Sprintf("scan%s reads one row of the task's query into a %s, column by column; a bare return passes err on.", t.Name, elem.Name))
	e.f.Func().Id("scan"+t.Name).Params(jen.Id("row").Op("*").Qual(sqlsource, "Row")).Params(jen.Id("out").Op("*").Add(goType(elem)), jen.Err().Error()).Block(body...)
	e.f.Line()
}

// sqlArg binds the param p as one driver argument: formats as their driver.Valuer, pointers and optional
// values as nil or their value, enums as their underlying primitive.
func sqlArg(p *ir.Field) jen.Code {
	x := jen.Id("p").Dot(p.Name)
	if arg := formatSQLArg(p.Type, x.Clone()); arg != nil {
		return arg
	}
	switch p.Type.Kind {
	case ir.Pointer:
		if p.Type.Elem.Kind == ir.Enum {
			return jen.Qual(kit, "PtrArg").Call(x)
		}
		return jen.Qual(kit, "PtrArg").Call(x)
	case ir.OptNull:
		return jen.Qual(kit, "OptNullArg").Call(x)
	case ir.Enum:
		return jen.Id(underlying(p.Type.Elem)).Call(x)
	}
	return x
}

func (e *emitter) execute() {
	e.f.Comment("Execute runs the named task with params given as a JSON object, the dynamic counterpart of the typed methods; the result is the task's result pointer. An unknown name gives an error that errors.Is matches with runtime.ErrUnknownTask; params that are not valid JSON, or not what the task takes, a *runtime.ValidationError.")
	e.f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("Execute").Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("task").String(), jen.Id("params").Index().Byte()).Params(jen.Any(), jen.Error()).Block(
		jen.Switch(jen.Id("task")).BlockFunc(func(g *jen.Group) {
			for _, t := range e.pkg.Tasks {
				g.Case(jen.Lit(t.Name)).Block(
					jen.Return(jen.Qual(kit, "Execute").Call(jen.Id("ctx"), jen.Id("c").Dot("x"), jen.Id("c").Dot(taskField(t)), jen.Id("params"))),
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
	e.f.Line()
}

// extSource is the task's source of a kind added through gen/source, or nil.
func extSource(t *ir.Task) source.Source {
	if t.Source.Ext == nil {
		return nil
	}
	return t.Source.Ext.(source.Source) // the model admits no other
}

// kindEmitter is what a kind added through gen/source sees of the emitter.
type kindEmitter struct{ e *emitter }

func (k kindEmitter) Record(t *ir.Task) jen.Code { return k.e.record(t) }

func (k kindEmitter) RecordFunc(t *ir.Task) jen.Code {
	if !k.e.recordFuncs[t] {
		if k.e.recordFuncs == nil {
			k.e.recordFuncs = map[*ir.Task]bool{}
		}
		k.e.recordFuncs[t] = true
		k.e.recordFunc(t)
	}
	return jen.Id("record" + t.Name)
}

func (kindEmitter) Text(t *ir.Type, x jen.Code) jen.Code { return renderString(t, x) }

func (kindEmitter) ClientNames(t *ir.Task) ir.ClientNames { return t.ClientNames() }

func (kindEmitter) GoType(t *ir.Type) jen.Code { return goType(t) }

func (kindEmitter) Helper(name string) *jen.Statement { return helper(name) }

func (k kindEmitter) RowFunc(t *ir.Task, elem *ir.Type) jen.Code {
	k.e.rowFunc(t, elem)
	return jen.Id("row" + t.Name)
}

func (k kindEmitter) ScanFunc(t *ir.Task, elem *ir.Type) { k.e.scanFunc(t, elem) }

func (kindEmitter) Arg(p *ir.Field) jen.Code { return sqlArg(p) }
