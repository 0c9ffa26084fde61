package emit

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/ir"
)

// programs emits one function per validation program reachable from the
// package's types, sorted by name, so the output is deterministic.
func (e *emitter) programs() {
	all := map[string]*ir.Schema{}
	var walkSchema func(s *ir.Schema)
	walkSchema = func(s *ir.Schema) {
		if s == nil || all[s.Func] != nil {
			return
		}
		all[s.Func] = s
		for _, c := range children(s) {
			walkSchema(c)
		}
	}
	seen := map[*ir.Type]bool{}
	var walkType func(t *ir.Type)
	walkType = func(t *ir.Type) {
		if t == nil || seen[t] {
			return
		}
		seen[t] = true
		walkSchema(t.Schema)
		walkType(t.Elem)
		for _, f := range t.Fields {
			walkType(f.Type)
		}
		for _, v := range t.Variants {
			walkType(v.Type)
			for _, o := range v.Others {
				walkSchema(o)
			}
		}
		if t.Extra != nil {
			walkType(t.Extra.Elem)
		}
		for _, p := range t.Patterns {
			walkType(p.Elem)
		}
	}
	for _, t := range e.pkg.Types {
		walkType(t)
	}
	for _, t := range e.pkg.Tasks {
		walkType(t.Params)
		walkType(t.Result)
	}
	// A schema records what it evaluates only when an
	// unevaluatedProperties or unevaluatedItems looks at it.
	e.records = map[*ir.Schema]bool{}
	var mark func(s *ir.Schema)
	mark = func(s *ir.Schema) {
		if s == nil || e.records[s] {
			return
		}
		e.records[s] = true
		for _, c := range inPlace(s) {
			mark(c)
		}
	}
	for _, s := range all {
		if s.Tracks() {
			mark(s)
		}
	}
	for _, name := range slices.Sorted(mapKeys(all)) {
		if s := all[name]; !s.AcceptsAll() {
			e.program(s)
		}
	}
}

func mapKeys[M ~map[K]V, K comparable, V any](m M) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// inPlace lists the subschemas applied to the same instance.
func inPlace(s *ir.Schema) []*ir.Schema {
	out := []*ir.Schema{s.Ref, s.Not, s.If, s.Then, s.Else}
	out = append(out, s.AllOf...)
	out = append(out, s.AnyOf...)
	out = append(out, s.OneOf...)
	for _, d := range s.DependentSchemas {
		out = append(out, d.Schema)
	}
	return slices.DeleteFunc(out, func(x *ir.Schema) bool { return x == nil })
}

func children(s *ir.Schema) []*ir.Schema {
	out := inPlace(s)
	out = append(out, s.PrefixItems...)
	out = append(out, s.Items, s.Contains, s.UnevaluatedItems, s.AdditionalProperties, s.PropertyNames, s.UnevaluatedProperties)
	for _, p := range s.Properties {
		out = append(out, p.Schema)
	}
	for _, p := range s.PatternProperties {
		out = append(out, p.Schema)
	}
	return slices.DeleteFunc(out, func(x *ir.Schema) bool { return x == nil })
}

// jsonLit renders a decoded JSON value as a Go expression of the same value.
func jsonLit(v any) jen.Code {
	switch x := v.(type) {
	case nil:
		return jen.Nil()
	case bool, string:
		return jen.Lit(x)
	case json.Number:
		return jen.Qual("encoding/json", "Number").Call(jen.Lit(string(x)))
	case float64:
		return jen.Qual("encoding/json", "Number").Call(jen.Lit(strconv.FormatFloat(x, 'g', -1, 64)))
	case []any:
		var items []jen.Code
		for _, it := range x {
			items = append(items, jsonLit(it))
		}
		return jen.Index().Any().Values(items...)
	case map[string]any:
		d := jen.Dict{}
		for k, it := range x {
			d[jen.Lit(k)] = jsonLit(it)
		}
		return jen.Map(jen.String()).Any().Values(d)
	}
	panic(fmt.Sprintf("emit: %T is not a decoded JSON value", v))
}

func briefJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return diag.Clip(fmt.Sprint(v))
	}
	return diag.Clip(string(b))
}

// listShown is how many values a generated message lists before it counts the rest, so that an enum of
// thousands of values does not put all of them in one message.
const listShown = 10

// shownList joins values already cut for a message, at most listShown of them.
func shownList(vs []string) string {
	if len(vs) > listShown {
		vs = append(vs[:listShown:listShown], fmt.Sprintf("and %d more", len(vs)-listShown))
	}
	return strings.Join(vs, ", ")
}

func pct(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// program emits func <Func>(v any, path *kit.Path, vs *kit.Violations, ev *kit.Evaluated).
func (e *emitter) program(s *ir.Schema) {
	rec := e.records[s]
	evName := "ev"
	if s.Tracks() {
		evName = "own"
	}
	ev := func() *jen.Statement {
		if !rec {
			return jen.Nil()
		}
		return jen.Id(evName)
	}
	mark := func(method string, args ...jen.Code) []jen.Code {
		if !rec {
			return nil
		}
		return []jen.Code{jen.Id(evName).Dot(method).Call(args...)}
	}
	at := jen.Id("path").Dot("String").Call()
	add := func(kw, msg string) jen.Code {
		return jen.Id("vs").Dot("Add").Call(at.Clone(), jen.Lit(kw), jen.Lit(msg))
	}
	addf := func(kw, format string, args ...jen.Code) jen.Code {
		return jen.Id("vs").Dot("Addf").Call(append([]jen.Code{at.Clone(), jen.Lit(kw), jen.Lit(format)}, args...)...)
	}
	call := func(sub *ir.Schema, v, path jen.Code, evArg jen.Code) jen.Code {
		return checkFunc(sub).Call(v, path, jen.Id("vs"), evArg)
	}
	brief := jen.Qual(kit, "BriefJSON").Call(jen.Id("v"))
	var body []jen.Code
	if s.Tracks() {
		body = append(body, jen.Id("own").Op(":=").New(jen.Qual(kit, "Evaluated")))
	}
	if s.Bool != nil && !*s.Bool {
		body = append(body, add("false", "no value is allowed here"))
	}
	if s.Ref != nil {
		body = append(body, call(s.Ref, jen.Id("v"), jen.Id("path"), ev()))
	}
	if len(s.Types) > 0 {
		var args []jen.Code
		for _, t := range s.Types {
			args = append(args, jen.Lit(t))
		}
		body = append(body, jen.If(jen.Op("!").Qual(kit, "HasJSONType").Call(append([]jen.Code{jen.Id("v")}, args...)...)).Block(
			addf("type", "%s is not of type "+strings.Join(s.Types, " or "), helper("JSONKind").Call(jen.Id("v")))))
	}
	if s.HasConst {
		body = append(body, jen.If(jen.Op("!").Add(helper("EqualJSON")).Call(jen.Id("v"), jsonLit(s.Const))).Block(
			addf("const", "%s is not "+pct(briefJSON(s.Const)), brief.Clone())))
	}
	if s.HasEnum {
		args := []jen.Code{jen.Id("v")}
		var shown []string
		for _, x := range s.Enum {
			args = append(args, jsonLit(x))
			shown = append(shown, briefJSON(x))
		}
		body = append(body, jen.If(jen.Op("!").Qual(kit, "InJSON").Call(args...)).Block(
			addf("enum", "%s is not one of "+pct(shownList(shown)), brief.Clone())))
	}
	// Applicators on the same instance.
	for _, sub := range s.AllOf {
		body = append(body, call(sub, jen.Id("v"), jen.Id("path"), ev()))
	}
	countValid := func(evArg jen.Code, subs ...*ir.Schema) *jen.Statement {
		args := []jen.Code{jen.Id("v"), jen.Id("path"), evArg}
		for _, sub := range subs {
			args = append(args, checkFunc(sub))
		}
		return jen.Qual(kit, "CountValid").Call(args...)
	}
	if len(s.AnyOf) > 0 {
		body = append(body, jen.If(countValid(ev(), s.AnyOf...).Op("==").Lit(0)).Block(
			add("anyOf", fmt.Sprintf("the value matches none of the %d anyOf schemas", len(s.AnyOf)))))
	}
	if len(s.OneOf) > 0 {
		body = append(body, jen.If(jen.Id("n").Op(":=").Add(countValid(ev(), s.OneOf...)), jen.Id("n").Op("!=").Lit(1)).Block(
			addf("oneOf", fmt.Sprintf("the value matches %%d of the %d oneOf schemas, want exactly 1", len(s.OneOf)), jen.Id("n"))))
	}
	if s.Not != nil {
		body = append(body, jen.If(countValid(jen.Nil(), s.Not).Op("==").Lit(1)).Block(
			add("not", "the value matches the schema under not")))
	}
	if s.If != nil {
		cond := countValid(ev(), s.If).Op("==").Lit(1)
		switch {
		case s.Then != nil && s.Else != nil:
			body = append(body, jen.If(cond).Block(call(s.Then, jen.Id("v"), jen.Id("path"), ev())).Else().Block(call(s.Else, jen.Id("v"), jen.Id("path"), ev())))
		case s.Then != nil:
			body = append(body, jen.If(cond).Block(call(s.Then, jen.Id("v"), jen.Id("path"), ev())))
		case s.Else != nil:
			body = append(body, jen.If(jen.Op("!").Parens(cond)).Block(call(s.Else, jen.Id("v"), jen.Id("path"), ev())))
		case rec:
			body = append(body, countValid(ev(), s.If))
		}
	}
	body = append(body, e.numberChecks(s, addf)...)
	body = append(body, e.stringChecks(s, addf)...)
	body = append(body, e.arrayChecks(s, addf, mark, ev, call)...)
	body = append(body, e.objectChecks(s, addf, mark, ev, call)...)
	if s.Tracks() {
		body = append(body, jen.Id("ev").Dot("Merge").Call(jen.Id("own")))
	}
	comment(e.f, fmt.Sprintf("%s checks a JSON value against the schema at %s, adding a violation for every keyword it breaks.", s.Func, shortOrigin(s.Origin)))
	e.f.Func().Id(s.Func).Params(
		jen.Id("v").Any(), jen.Id("path").Op("*").Qual(kit, "Path"), jen.Id("vs").Op("*").Qual(kit, "Violations"), jen.Id("ev").Op("*").Qual(kit, "Evaluated"),
	).Block(body...)
	e.f.Line()
}

type addfFunc func(kw, format string, args ...jen.Code) jen.Code

func (e *emitter) numberChecks(s *ir.Schema, addf addfFunc) []jen.Code {
	var in []jen.Code
	bound := func(b, op, kw, msg string) {
		if b == "" {
			return
		}
		in = append(in, jen.If(helper("CompareNumber").Call(jen.Id("n"), jen.Lit(b)).Op(op).Lit(0)).Block(
			addf(kw, "%s "+msg+" "+pct(schemaNumberText(b)), jen.Id("n"))))
	}
	bound(s.Minimum, "<", "minimum", "is less than")
	bound(s.Maximum, ">", "maximum", "is greater than")
	bound(s.ExclusiveMinimum, "<=", "exclusiveMinimum", "is not greater than")
	bound(s.ExclusiveMaximum, ">=", "exclusiveMaximum", "is not less than")
	if s.MultipleOf != "" {
		in = append(in, jen.If(jen.Op("!").Add(helper("IsMultipleOfNumber")).Call(jen.Id("n"), jen.Lit(s.MultipleOf))).Block(
			addf("multipleOf", "%s is not a multiple of "+pct(schemaNumberText(s.MultipleOf)), jen.Id("n"))))
	}
	if len(in) == 0 {
		return nil
	}
	return []jen.Code{jen.If(jen.List(jen.Id("n"), jen.Id("ok")).Op(":=").Id("v").Assert(jen.Qual("encoding/json", "Number")), jen.Id("ok")).Block(in...)}
}

func (e *emitter) stringChecks(s *ir.Schema, addf addfFunc) []jen.Code {
	var in []jen.Code
	count := jen.Qual("unicode/utf8", "RuneCountInString").Call(jen.Id("s"))
	if s.MinLength != nil {
		in = append(in, jen.If(countCmp(count.Clone(), "<", int64(*s.MinLength))).Block(
			addf("minLength", fmt.Sprintf("length %%d, want at least %d", *s.MinLength), count.Clone())))
	}
	if s.MaxLength != nil {
		in = append(in, jen.If(countCmp(count.Clone(), ">", int64(*s.MaxLength))).Block(
			addf("maxLength", fmt.Sprintf("length %%d, want at most %d", *s.MaxLength), count.Clone())))
	}
	if s.Pattern != "" {
		re := e.pattern(s.Pattern)
		in = append(in, jen.If(jen.Op("!").Id(re).Dot("MatchString").Call(jen.Id("s"))).Block(
			addf("pattern", "%q does not match "+pct(diag.Quote(s.Pattern)), jen.Id("s"))))
	}
	if len(in) == 0 {
		return nil
	}
	return []jen.Code{jen.If(jen.List(jen.Id("s"), jen.Id("ok")).Op(":=").Id("v").Assert(jen.String()), jen.Id("ok")).Block(in...)}
}

type callFunc func(sub *ir.Schema, v, path jen.Code, evArg jen.Code) jen.Code

func (e *emitter) arrayChecks(s *ir.Schema, addf addfFunc, mark func(string, ...jen.Code) []jen.Code, ev func() *jen.Statement, call callFunc) []jen.Code {
	var in []jen.Code
	n := jen.Len(jen.Id("a"))
	if s.MinItems != nil {
		in = append(in, jen.If(countCmp(n.Clone(), "<", int64(*s.MinItems))).Block(
			addf("minItems", fmt.Sprintf("%%d items, want at least %d", *s.MinItems), n.Clone())))
	}
	if s.MaxItems != nil {
		in = append(in, jen.If(countCmp(n.Clone(), ">", int64(*s.MaxItems))).Block(
			addf("maxItems", fmt.Sprintf("%%d items, want at most %d", *s.MaxItems), n.Clone())))
	}
	if s.UniqueItems {
		in = append(in, jen.If(jen.List(jen.Id("i"), jen.Id("j"), jen.Id("dup")).Op(":=").Qual(kit, "DuplicateJSON").Call(jen.Id("a")), jen.Id("dup")).Block(
			addf("uniqueItems", "items %d and %d are equal", jen.Id("i"), jen.Id("j"))))
	}
	elem := func(sub *ir.Schema, i jen.Code) []jen.Code {
		return []jen.Code{
			jen.Id("p").Op(":=").Id("path").Dot("Index").Call(i),
			call(sub, jen.Id("a").Index(i), jen.Op("&").Id("p"), jen.Nil()),
		}
	}
	for j, sub := range s.PrefixItems {
		block := elem(sub, jen.Lit(j))
		block = append(block, mark("Item", jen.Lit(j))...)
		in = append(in, jen.If(n.Clone().Op(">").Lit(j)).Block(block...))
	}
	if s.Items != nil {
		i := jen.Id("i")
		in = append(in, jen.For(jen.Id("i").Op(":=").Lit(len(s.PrefixItems)), jen.Id("i").Op("<").Len(jen.Id("a")), jen.Id("i").Op("++")).Block(elem(s.Items, i)...))
		in = append(in, mark("AllItems")...)
	}
	if s.Contains != nil {
		loop := []jen.Code{
			jen.Var().Id("sub").Qual(kit, "Violations"),
			jen.Id("p").Op(":=").Id("path").Dot("Index").Call(jen.Id("i")),
			checkFunc(s.Contains).Call(jen.Id("x"), jen.Op("&").Id("p"), jen.Op("&").Id("sub"), jen.Nil()),
		}
		hit := []jen.Code{jen.Id("found").Op("++")}
		hit = append(hit, mark("Item", jen.Id("i"))...)
		loop = append(loop, jen.If(jen.Id("sub").Dot("Len").Call().Op("==").Lit(0)).Block(hit...))
		in = append(in, jen.Id("found").Op(":=").Lit(0), jen.For(jen.List(jen.Id("i"), jen.Id("x")).Op(":=").Range().Id("a")).Block(loop...))
		minC := int64(1)
		if s.MinContains != nil {
			minC = *s.MinContains
		}
		if minC > 0 {
			in = append(in, jen.If(countCmp(jen.Id("found"), "<", int64(minC))).Block(
				addf("contains", fmt.Sprintf("%%d items match the contains schema, want at least %d", minC), jen.Id("found"))))
		}
		if s.MaxContains != nil {
			in = append(in, jen.If(countCmp(jen.Id("found"), ">", int64(*s.MaxContains))).Block(
				addf("maxContains", fmt.Sprintf("%%d items match the contains schema, want at most %d", *s.MaxContains), jen.Id("found"))))
		}
	}
	if s.UnevaluatedItems != nil {
		block := elem(s.UnevaluatedItems, jen.Id("i"))
		in = append(in, jen.For(jen.Id("i").Op(":=").Range().Id("a")).Block(
			jen.If(jen.Id("own").Dot("HasItem").Call(jen.Id("i"))).Block(jen.Continue()),
			jen.Block(block...),
		), jen.Id("own").Dot("AllItems").Call())
	}
	if len(in) == 0 {
		return nil
	}
	return []jen.Code{jen.If(jen.List(jen.Id("a"), jen.Id("ok")).Op(":=").Id("v").Assert(jen.Index().Any()), jen.Id("ok")).Block(in...)}
}

func (e *emitter) objectChecks(s *ir.Schema, addf addfFunc, mark func(string, ...jen.Code) []jen.Code, ev func() *jen.Statement, call callFunc) []jen.Code {
	var in []jen.Code
	n := jen.Len(jen.Id("o"))
	if len(s.Required) > 0 {
		var keys []jen.Code
		for _, r := range s.Required {
			keys = append(keys, jen.Lit(r))
		}
		in = append(in, jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Index().String().Values(keys...)).Block(
			jen.If(jen.List(jen.Id("_"), jen.Id("ok")).Op(":=").Id("o").Index(jen.Id("k")), jen.Op("!").Id("ok")).Block(
				addf("required", "missing property %q", jen.Id("k")))))
	}
	if s.MinProps != nil {
		in = append(in, jen.If(countCmp(n.Clone(), "<", int64(*s.MinProps))).Block(
			addf("minProperties", fmt.Sprintf("%%d properties, want at least %d", *s.MinProps), n.Clone())))
	}
	if s.MaxProps != nil {
		in = append(in, jen.If(countCmp(n.Clone(), ">", int64(*s.MaxProps))).Block(
			addf("maxProperties", fmt.Sprintf("%%d properties, want at most %d", *s.MaxProps), n.Clone())))
	}
	for _, d := range s.DependentRequired {
		var keys []jen.Code
		for _, r := range d.Required {
			keys = append(keys, jen.Lit(r))
		}
		if len(keys) == 0 {
			continue
		}
		in = append(in, jen.If(jen.List(jen.Id("_"), jen.Id("ok")).Op(":=").Id("o").Index(jen.Lit(d.Name)), jen.Id("ok")).Block(
			jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Index().String().Values(keys...)).Block(
				jen.If(jen.List(jen.Id("_"), jen.Id("ok")).Op(":=").Id("o").Index(jen.Id("k")), jen.Op("!").Id("ok")).Block(
					addf("dependentRequired", pct(fmt.Sprintf("property %q", d.Name))+" requires property %q", jen.Id("k"))))))
	}
	for _, d := range s.DependentSchemas {
		in = append(in, jen.If(jen.List(jen.Id("_"), jen.Id("ok")).Op(":=").Id("o").Index(jen.Lit(d.Name)), jen.Id("ok")).Block(
			call(d.Schema, jen.Id("v"), jen.Id("path"), ev())))
	}
	for _, p := range s.Properties {
		block := []jen.Code{
			jen.Id("p").Op(":=").Id("path").Dot("Key").Call(jen.Lit(p.Name)),
			call(p.Schema, jen.Id("x"), jen.Op("&").Id("p"), jen.Nil()),
		}
		block = append(block, mark("Prop", jen.Lit(p.Name))...)
		in = append(in, jen.If(jen.List(jen.Id("x"), jen.Id("ok")).Op(":=").Id("o").Index(jen.Lit(p.Name)), jen.Id("ok")).Block(block...))
	}
	keyed := func(sub *ir.Schema) []jen.Code {
		return []jen.Code{
			jen.Id("p").Op(":=").Id("path").Dot("Key").Call(jen.Id("k")),
			call(sub, jen.Id("o").Index(jen.Id("k")), jen.Op("&").Id("p"), jen.Nil()),
		}
	}
	if len(s.PatternProperties) > 0 || s.AdditionalProperties != nil {
		var loop []jen.Code
		if s.AdditionalProperties != nil {
			loop = append(loop, jen.Id("matched").Op(":=").False())
		}
		for _, pp := range s.PatternProperties {
			block := keyed(pp.Schema)
			block = append(block, mark("Prop", jen.Id("k"))...)
			if s.AdditionalProperties != nil {
				block = append(block, jen.Id("matched").Op("=").True())
			}
			loop = append(loop, jen.If(jen.Id(e.pattern(pp.Pattern)).Dot("MatchString").Call(jen.Id("k"))).Block(block...))
		}
		if s.AdditionalProperties != nil {
			var known []jen.Code
			for _, p := range s.Properties {
				known = append(known, jen.Lit(p.Name))
			}
			block := keyed(s.AdditionalProperties)
			block = append(block, mark("Prop", jen.Id("k"))...)
			if len(known) > 0 {
				loop = append(loop, jen.Switch(jen.Id("k")).Block(jen.Case(known...).Block(jen.Id("matched").Op("=").True())))
			}
			loop = append(loop, jen.If(jen.Op("!").Id("matched")).Block(block...))
		}
		in = append(in, jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Add(helper("SortedKeys")).Call(jen.Id("o"))).Block(loop...))
	}
	if s.PropertyNames != nil {
		in = append(in, jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Add(helper("SortedKeys")).Call(jen.Id("o"))).Block(
			jen.Id("p").Op(":=").Id("path").Dot("Key").Call(jen.Id("k")),
			call(s.PropertyNames, jen.Id("k"), jen.Op("&").Id("p"), jen.Nil()),
		))
	}
	if s.UnevaluatedProperties != nil {
		in = append(in, jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Add(helper("SortedKeys")).Call(jen.Id("o"))).Block(
			append([]jen.Code{jen.If(jen.Id("own").Dot("HasProp").Call(jen.Id("k"))).Block(jen.Continue())}, keyed(s.UnevaluatedProperties)...)...,
		), jen.Id("own").Dot("AllProps").Call())
	}
	if len(in) == 0 {
		return nil
	}
	return []jen.Code{jen.If(jen.List(jen.Id("o"), jen.Id("ok")).Op(":=").Id("v").Assert(jen.Map(jen.String()).Any()), jen.Id("ok")).Block(in...)}
}

// checkFunc names the check function of s: its own, or the kit's no-op one when s accepts every value, so that no
// empty function is declared in the user's package.
func checkFunc(s *ir.Schema) *jen.Statement {
	if s.AcceptsAll() {
		return jen.Qual(kit, "AcceptAll")
	}
	return jen.Id(s.Func)
}
