// Package sqlsrc is the generator's side of the SQL source kind: a query with
// :param placeholders run on a connection bound at run time, read as the
// spec's dialect reads it, and a batch query whose key list is written
// IN (:key) or = ANY(:key) and whose rows are matched to keys by a result
// property. Generated code calls runtime/source/sqlsource: its Query and
// BatchQuery, run by QueryOne, QueryAll, QueryBatch and their Scan forms.
package sqlsrc

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/source"
)

// sqlsource is the package the generated code calls; the generator names it without importing it.
const sqlsource = "github.com/reftask/reftask/runtime/source/sqlsource"

//go:embed schema.json
var schema []byte

var (
	// inList and anyList find the key list expression of a batch query.
	inList  = regexp.MustCompile(`(?i)\bIN\s*\(\s*$`)
	anyList = regexp.MustCompile(`(?i)=\s*ANY\s*\(\s*$`)
)

// listShown is how many names a message lists before it counts the rest.
const listShown = 10

// Kind is the SQL source kind: "source": {"sql": {"connection", "query", ...}}.
type Kind struct{}

// Name returns "sql".
func (Kind) Name() string { return "sql" }

// Schema returns the kind's fragment of the meta-schema.
func (Kind) Schema() []byte { return slices.Clone(schema) }

// spec is the kind's object in a spec, already checked against Schema.
type spec struct {
	Connection string `json:"connection"`
	Query      string `json:"query"`
	BatchQuery string `json:"batch_query"`
	// Dialect is the SQL dialect the queries are written in, or "" for queries that read the same in every one.
	Dialect string `json:"dialect"`
}

// Source is the checked SQL source of one task: its query split at the :param placeholders and, once
// CheckBatch has passed, its batch query split around the key list.
type Source struct {
	Conn string
	// Parts has one more element than Params: text around each placeholder.
	Parts  []string
	Params []*ir.Field
	// Many is true when the result is an array: every row is an element.
	Many bool
	// Dialect is the dialect the spec names ("postgres", "sqlite", "mysql"): the queries were split as that
	// dialect reads them and run on no other. "" means they read the same in all of them.
	Dialect string
	// Prefix and Suffix are the batch query around its key list, where the runtime writes IN (?, ...) or
	// = ANY($1); Batch is set when there is a batch query.
	Prefix, Suffix string
	Batch          bool

	spec spec
	ptr  string
	// broken is set when the query could not be split: the task is refused, but the batch query is still
	// checked, so that all of the spec's problems are reported at once.
	broken bool
}

// Model checks the query (its dialect, its placeholders, each bindable as one argument) and that a batch query
// comes only with "batch".
func (Kind) Model(s source.Spec, ptr string, raw json.RawMessage) ir.ExtSource {
	var sp spec
	if err := json.Unmarshal(raw, &sp); err != nil {
		s.Errorf(ptr, "%v", err)
		return nil
	}
	if !s.Batched() && sp.BatchQuery != "" {
		s.Errorf(ptr+"/batch_query", "%s", "batch_query is only used with \"batch\"; add \"batch\": {} or remove it")
	}
	src := &Source{Conn: sp.Connection, Dialect: sp.Dialect, spec: sp, ptr: ptr}
	t := s.Task()
	parts, params, err := SplitQueryIn(sp.Query, sp.Dialect)
	if err != nil {
		s.Errorf(ptr+"/query", "%s", err.Error())
		src.broken = true
		return src
	}
	src.Parts = parts
	for _, name := range params {
		f := s.Param(name)
		if f == nil {
			s.Errorf(ptr+"/query", "unknown parameter :%s (params has %s)", diag.Clip(name), listJSON(t.Params.Fields))
			continue
		}
		if !bindable(f.Type) {
			s.Errorf(ptr+"/query", "parameter :%s is %s and cannot be bound as one SQL argument", diag.Clip(name), s.Describe(f.Type))
			continue
		}
		src.Params = append(src.Params, f)
	}
	res := t.Result
	if res.Kind == ir.Named {
		res = res.Elem
	}
	src.Many = res.Kind == ir.Slice
	return src
}

// bindable reports whether values of t bind as one SQL argument.
func bindable(t *ir.Type) bool {
	switch t.Kind {
	case ir.Pointer, ir.OptNull, ir.Named:
		return bindable(t.Elem)
	case ir.Enum, ir.GoType:
		return true
	}
	return t.Kind.IsPrimitive()
}

// listJSON lists the JSON names of fields as placeholders for a message, each cut, at most listShown of them.
func listJSON(fs []*ir.Field) string {
	var out []string
	for _, f := range fs {
		if len(out) == listShown {
			out = append(out, fmt.Sprintf("and %d more", len(fs)-listShown))
			break
		}
		out = append(out, ":"+diag.Clip(f.JSON))
	}
	if len(out) == 0 {
		return "no properties"
	}
	return strings.Join(out, ", ")
}

func placeholders(ps []string) string {
	if len(ps) == 0 {
		return "none"
	}
	var out []string
	for i, p := range ps {
		if i == listShown {
			out = append(out, fmt.Sprintf("and %d more", len(ps)-listShown))
			break
		}
		out = append(out, ":"+diag.Clip(p))
	}
	return strings.Join(out, ", ")
}

// SourceKind returns "sql".
func (*Source) SourceKind() string { return "sql" }

// MapsFields refuses a JSON pointer: a SQL source maps properties onto column names.
func (s *Source) MapsFields(from string) string {
	if !s.broken && strings.HasPrefix(from, "/") {
		return "a SQL source maps properties onto column names, not JSON pointers"
	}
	return ""
}

// InOrder returns false: the batch query's rows are matched to keys by the result property.
func (*Source) InOrder() bool { return false }

// CheckBatch checks the batch query: it has exactly one placeholder, the key list, written IN (:key) or
// = ANY(:key).
func (s *Source) CheckBatch(sp source.Spec, key *ir.Field) bool {
	q := s.spec.BatchQuery
	if q == "" {
		sp.Errorf(s.ptr, "a batched SQL source needs \"batch_query\", e.g. ... WHERE id IN (:%s)", diag.Clip(key.JSON))
		return false
	}
	bptr := s.ptr + "/batch_query"
	parts, params, err := SplitQueryIn(q, s.spec.Dialect)
	if err != nil {
		sp.Errorf(bptr, "%s", err.Error())
		return false
	}
	if len(params) != 1 || params[0] != key.JSON {
		sp.Errorf(bptr, "a batch query has exactly one placeholder, the key list :%s (found %s)", diag.Clip(key.JSON), placeholders(params))
		return false
	}
	before, after := parts[0], parts[1]
	trimmed := strings.TrimLeft(after, " \t\n")
	if !strings.HasPrefix(trimmed, ")") {
		sp.Errorf(bptr, "write the key list as IN (:%s) or = ANY(:%s)", diag.Clip(key.JSON), diag.Clip(key.JSON))
		return false
	}
	switch {
	case inList.MatchString(before):
		s.Prefix = before[:inList.FindStringIndex(before)[0]]
	case anyList.MatchString(before):
		s.Prefix = before[:anyList.FindStringIndex(before)[0]]
	default:
		sp.Errorf(bptr, "write the key list as IN (:%s) or = ANY(:%s)", diag.Clip(key.JSON), diag.Clip(key.JSON))
		return false
	}
	s.Suffix = trimmed[1:]
	s.Batch = !s.broken
	return !s.broken
}

// Texts returns nil: a SQL source binds its params as arguments, never as text.
func (*Source) Texts() []source.Text { return nil }

// FieldType returns nil: the source's forms take the fields Fields lists.
func (*Source) FieldType() jen.Code { return nil }

// Fields lists the prepared query, the row scanner when rows are scanned straight into the result, and the
// prepared batch query.
func (s *Source) Fields(e source.Emitter, t *ir.Task) []source.Field {
	n := e.ClientNames(t)
	out := []source.Field{{Name: n.Query, Type: jen.Op("*").Qual(sqlsource, "Query")}}
	if elem := s.scannedRow(t); elem != nil {
		out = append(out, source.Field{Name: n.RowScanner, Type: jen.Op("*").Qual(sqlsource, "RowScanner").Types(e.GoType(elem))})
	}
	if s.Batch {
		out = append(out, source.Field{Name: n.BatchQuery, Type: jen.Op("*").Qual(sqlsource, "BatchQuery")})
	}
	return out
}

// Init prepares the query, the row scanner and the batch query.
func (s *Source) Init(e source.Emitter, t *ir.Task) []jen.Code {
	n := e.ClientNames(t)
	var parts, params []jen.Code
	for _, p := range s.Parts {
		parts = append(parts, jen.Lit(p))
	}
	for _, p := range s.Params {
		params = append(params, jen.Lit(p.JSON))
	}
	q := jen.Qual(sqlsource, "NewQuery").Call(jen.Lit(s.Conn), jen.Index().String().Values(parts...), jen.Index().String().Values(params...))
	if s.Dialect != "" {
		q = q.Dot("Only").Call(dialectCode(s.Dialect))
	}
	out := []jen.Code{jen.Id("c").Dot(n.Query).Op("=").Add(q)}
	if elem := s.scannedRow(t); elem != nil {
		var cols []jen.Code
		for _, col := range scannedColumns(t, elem) {
			cols = append(cols, jen.Lit(col))
		}
		out = append(out, jen.Id("c").Dot(n.RowScanner).Op("=").Op("&").Qual(sqlsource, "RowScanner").Types(e.GoType(elem)).Values(jen.Dict{
			jen.Id("Columns"): jen.Index().String().Values(cols...),
			jen.Id("Scan"):    jen.Id("scan" + t.Name),
		}))
	}
	if s.Batch {
		bq := jen.Qual(sqlsource, "NewBatchQuery").Call(jen.Lit(s.Conn), jen.Lit(s.Prefix), jen.Lit(s.Suffix))
		if s.Dialect != "" {
			bq = bq.Dot("Only").Call(dialectCode(s.Dialect))
		}
		out = append(out, jen.Id("c").Dot(n.BatchQuery).Op("=").Add(bq))
	}
	return out
}

// dialectCode is the sqlsource.Dialect a spec's "dialect" names.
func dialectCode(d string) *jen.Statement {
	switch d {
	case Postgres:
		return jen.Qual(sqlsource, "Postgres")
	case SQLite:
		return jen.Qual(sqlsource, "SQLite")
	}
	return jen.Qual(sqlsource, "MySQL")
}

// rowConv is the converter the runtime gives each row to: the row scanner for a struct row scanned column by
// column straight into the result, else row<Task>, which converts the row's Record. It emits the function the
// converter calls.
func (s *Source) rowConv(e source.Emitter, t *ir.Task, scanned jen.Code) (scan bool, conv jen.Code) {
	if elem := s.scannedRow(t); elem != nil {
		e.ScanFunc(t, elem)
		return true, scanned
	}
	elem := t.Result
	if s.Many {
		elem = t.Result.Elem.Elem
	}
	return false, e.RowFunc(t, elem)
}

// Fetch runs the query with the params bound in order: QueryOne (ScanOne) for one record, QueryAll (ScanAll)
// for an array result.
func (s *Source) Fetch(e source.Emitter, t *ir.Task) ([]jen.Code, jen.Code) {
	c := jen.Id("c")
	n := e.ClientNames(t)
	var args []jen.Code
	for _, p := range s.Params {
		args = append(args, e.Arg(p))
	}
	argsCode := jen.Index().Any().Values(args...)
	if len(args) == 0 {
		argsCode = jen.Nil()
	}
	queryOne, queryAll := "QueryOne", "QueryAll"
	scan, conv := s.rowConv(e, t, c.Clone().Dot(n.RowScanner))
	if scan {
		queryOne, queryAll = "ScanOne", "ScanAll"
	}
	if s.Many {
		return []jen.Code{
			jen.List(jen.Id("rows"), jen.Err()).Op(":=").Add(jen.Qual(sqlsource, queryAll)).Call(jen.Id("ctx"), c.Clone().Dot("x"), c.Clone().Dot(n.Query), argsCode, conv),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Id("out").Op(":=").Id(t.Result.Name).Call(jen.Id("rows")),
		}, nil
	}
	return nil, jen.Qual(sqlsource, queryOne).Call(jen.Id("ctx"), c.Clone().Dot("x"), c.Clone().Dot(n.Query), argsCode, conv)
}

// FetchMany collects the keys as their underlying primitive, runs the batch query with QueryBatch (ScanBatch),
// matching rows to keys by the result property, and lays the records out in the order asked.
func (s *Source) FetchMany(e source.Emitter, t *ir.Task) []jen.Code {
	bt := t.Batch
	key := bt.Key
	kt := e.GoType(key.Type).(*jen.Statement)
	keyVal := jen.Id("p").Dot(key.Name)
	if key.Type.Kind == ir.Enum {
		kt = e.GoType(key.Type.Elem).(*jen.Statement)
		keyVal = jen.Id(underlying(key.Type.Elem)).Call(jen.Id("p").Dot(key.Name))
	}
	// The result property has the key's type, or, for string and integer keys, another type over the same
	// primitive (a string key matched against an enum property, say), which is converted to the key type.
	var resKey jen.Code = jen.Id("r").Dot(bt.ResultKey.Name)
	if fmt.Sprintf("%#v", e.GoType(bt.ResultKey.Type)) != fmt.Sprintf("%#v", kt) {
		resKey = kt.Clone().Call(jen.Id("r").Dot(bt.ResultKey.Name))
	}
	keyOf := jen.Func().Params(jen.Id("r").Op("*").Id(t.Result.Name)).Add(kt.Clone()).Block(jen.Return(resKey))
	query := "QueryBatch"
	var conv jen.Code
	if s.scannedRow(t) != nil {
		query, conv = "ScanBatch", jen.Id("c").Dot(e.ClientNames(t).RowScanner)
	} else {
		conv = jen.Id("row" + t.Name)
	}
	return []jen.Code{
		jen.Id("keys").Op(":=").Make(jen.Index().Add(kt), jen.Len(jen.Id("ps"))),
		jen.For(jen.List(jen.Id("i"), jen.Id("p")).Op(":=").Range().Id("ps")).Block(
			jen.Id("keys").Index(jen.Id("i")).Op("=").Add(keyVal),
		),
		jen.List(jen.Id("found"), jen.Err()).Op(":=").Add(jen.Qual(sqlsource, query)).Call(
			jen.Id("ctx"), jen.Id("c").Dot("x"), jen.Id("c").Dot(e.ClientNames(t).BatchQuery), jen.Id("keys"), conv, keyOf),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Qual("github.com/reftask/reftask/runtime/kit", "InOrder").Call(jen.Id("keys"), jen.Id("found")), jen.Nil()),
	}
}

// underlying names the Go primitive an enum's values convert to.
func underlying(t *ir.Type) string {
	switch t.Kind {
	case ir.String:
		return "string"
	case ir.Int:
		return "int64"
	case ir.Float:
		return "float64"
	case ir.Bool:
		return "bool"
	}
	return "any"
}

// scannedRow is the row type of a task whose rows are scanned straight into the result, or nil: a struct,
// with transform.fields (if any) that only rename columns. A field map into a nested property, or from a JSON
// pointer into a column, needs the Record that kit.Transform works on.
func (s *Source) scannedRow(t *ir.Task) *ir.Type {
	for _, m := range t.Maps {
		if len(m.Prop) != 1 || strings.HasPrefix(m.From, "/") {
			return nil
		}
	}
	elem := t.Result
	if s.Many {
		elem = t.Result.Elem.Elem
	}
	if elem.Kind != ir.Struct {
		return nil
	}
	return elem
}

// scannedColumns names the column each field of a scanned row is read from: the property's own name, unless a
// field map renames it. As in kit.Transform, the last map into a property wins, and every map reads the
// query's columns as they are, not as earlier maps left them.
func scannedColumns(t *ir.Task, elem *ir.Type) []string {
	cols := make([]string, len(elem.Fields))
	for i, fd := range elem.Fields {
		cols[i] = fd.JSON
		for _, m := range t.Maps {
			if m.Prop[0] == fd.JSON {
				cols[i] = m.From
			}
		}
	}
	return cols
}
