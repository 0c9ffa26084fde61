// Package httpsrc is the generator's side of the HTTP source kind: a JSON API
// called on a connection bound at run time, with {param} templates in its
// path and query, headers that may reference the environment, a JSON body,
// a pointer to the record, the statuses that mean not found, and a batch
// endpoint whose records are matched to keys by a result property.
// Generated code calls runtime/source/httpsource's Fetch and FetchList.
package httpsrc

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/source"
)

const (
	// hs and kit are the packages the generated code calls; the generator names them without importing them.
	hs  = "github.com/reftask/reftask/runtime/source/httpsource"
	kit = "github.com/reftask/reftask/runtime/kit"
)

//go:embed schema.json
var schema []byte

var (
	identRE          = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	envRefRE         = regexp.MustCompile(`\$\{env:([^}]*)\}`)
	wholePlaceholder = regexp.MustCompile(`^\{([A-Za-z_][A-Za-z0-9_]*)\}$`)
	// listTok is the batch key list, {key...}.
	listTok = regexp.MustCompile(`^\{([A-Za-z_][A-Za-z0-9_]*)\.\.\.\}$`)
)

// envRefOpen starts an environment reference.
const envRefOpen = "${env:"

// Kind is the HTTP source kind: "source": {"http": {"connection", "path", ...}}.
type Kind struct{}

// Name returns "http".
func (Kind) Name() string { return "http" }

// Schema returns the kind's fragment of the meta-schema.
func (Kind) Schema() []byte { return slices.Clone(schema) }

// spec is the kind's object in a spec, already checked against Schema.
type spec struct {
	Connection string            `json:"connection"`
	Method     string            `json:"method"`
	Path       string            `json:"path"`
	Query      map[string]string `json:"query"`
	Headers    map[string]string `json:"headers"`
	Body       json.RawMessage   `json:"body"`
	Pointer    string            `json:"pointer"`
	NotFound   []json.Number     `json:"not_found"`
	Batch      *batchSpec        `json:"batch"`
}

// batchSpec is the batch endpoint in a spec.
type batchSpec struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   map[string]string `json:"query"`
	Body    json.RawMessage   `json:"body"`
	Pointer string            `json:"pointer"`
}

// Source is the checked HTTP source of one task.
type Source struct {
	Conn     string
	Method   string
	Path     ir.Template
	Query    []Query
	Headers  []Header
	Body     *BodyNode
	Pointer  string
	NotFound []int
	// Batch is the checked batch endpoint, set by CheckBatch.
	Batch *Batch

	ptr   string
	batch *batchSpec
	key   *ir.Field
}

// Query is one query parameter, in spec order.
type Query struct {
	Key   string
	Value ir.Template
}

// Header is one header; Value may hold ${env:NAME} references.
type Header struct {
	Name  string
	Value string
}

// BodyNode is a JSON body template: a param placeholder, a literal, or an object or array of nodes.
type BodyNode struct {
	Param   *ir.Field
	List    bool // the batch key list, {key...}
	Literal []byte
	Keys    []string
	Fields  []*BodyNode // with Keys, for objects
	Items   []*BodyNode // for arrays
	IsArray bool
}

// Batch is a batch endpoint. Query values are literal; Lists names the query keys that carry the key list.
type Batch struct {
	Method  string
	Path    string
	Query   []Query
	Lists   []string
	Body    *BodyNode
	Pointer string
}

// Model checks the request: templates against the params, headers for credentials written out, ${env:...}
// only in headers, a body only on a method that has one.
func (Kind) Model(s source.Spec, ptr string, raw json.RawMessage) ir.ExtSource {
	var h spec
	if err := json.Unmarshal(raw, &h); err != nil {
		s.Errorf(ptr, "%v", err)
		return nil
	}
	src := &Source{Conn: h.Connection, Method: h.Method, Pointer: h.Pointer, ptr: ptr, batch: h.Batch}
	for _, n := range h.NotFound {
		r, ok := new(big.Rat).SetString(n.String())
		if !ok || !r.IsInt() || !r.Num().IsInt64() {
			s.Errorf(ptr+"/not_found", "%s is not an integer", diag.Clip(n.String()))
			return nil
		}
		src.NotFound = append(src.NotFound, int(r.Num().Int64()))
	}
	if src.Method == "" {
		src.Method = "GET"
	}
	if len(src.NotFound) == 0 {
		src.NotFound = []int{404}
	}
	if !s.Batched() && h.Batch != nil {
		s.Errorf(ptr+"/batch", "source.http.batch is only used with \"batch\"; add \"batch\": {} or remove it")
	}
	if !envOutsideHeaders(s, ptr+"/path", h.Path) {
		src.Path, _ = s.Template(ptr+"/path", h.Path, true)
	}
	for _, k := range slices.Sorted(maps.Keys(h.Query)) {
		if envOutsideHeaders(s, ptr+"/query/"+escape(k), k+h.Query[k]) {
			continue
		}
		tm, ok := s.Template(ptr+"/query/"+escape(k), h.Query[k], false)
		if ok {
			src.Query = append(src.Query, Query{Key: k, Value: tm})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(h.Headers)) {
		v := h.Headers[k]
		hp := ptr + "/headers/" + escape(k)
		refs := envRefRE.FindAllStringSubmatch(v, -1)
		for _, r := range refs {
			if !identRE.MatchString(r[1]) {
				s.Errorf(hp, "${env:%s} does not name an environment variable", diag.Clip(r[1]))
			}
		}
		if secretHeader(k) && len(refs) == 0 {
			s.Errorf(hp, "header %s holds a credential, which must not be written in a spec: reference the environment instead (\"${env:%s}\"), or add it in a request decorator on the %s connection", diag.Clip(k), diag.Clip(envName(h.Connection, k)), diag.Quote(h.Connection))
			continue
		}
		if strings.Contains(envRefRE.ReplaceAllString(v, ""), "${") {
			s.Errorf(hp, "malformed reference: write ${env:NAME}")
			continue
		}
		src.Headers = append(src.Headers, Header{Name: k, Value: v})
	}
	if len(h.Body) > 0 {
		if src.Method == "GET" || src.Method == "DELETE" {
			s.Errorf(ptr+"/body", "a %s request has no body; use POST, PUT or PATCH", diag.Clip(src.Method))
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(h.Body))
		dec.UseNumber()
		if err := dec.Decode(&v); err == nil {
			src.Body = bodyNode(s, ptr+"/body", v)
		}
	}
	return src
}

// secretHeader reports whether a header must not carry a literal value.
func secretHeader(name string) bool {
	l := strings.ToLower(name)
	switch l {
	case "authorization", "proxy-authorization", "cookie":
		return true
	}
	return strings.Contains(l, "key") || strings.Contains(l, "token") || strings.Contains(l, "secret")
}

// envOutsideHeaders reports, as an error, a ${env:NAME} reference in the path, query or body of a request. The
// runtime resolves them only in headers, where the values are scrubbed from errors and logs; anywhere else the
// reference would be sent as written, or, were it resolved, the secret would be part of every URL and body.
func envOutsideHeaders(s source.Spec, ptr, text string) bool {
	if !strings.Contains(text, envRefOpen) {
		return false
	}
	s.Errorf(ptr, "${env:...} is resolved only in headers: a secret must not travel in a URL or a body, which errors and logs quote; send it in a header, or add it in a request decorator")
	return true
}

func envName(conn, header string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_", " ", "_").Replace(conn + "_" + header))
}

// escape writes a key as a JSON pointer token.
func escape(k string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
}

func bodyNode(s source.Spec, ptr string, v any) *BodyNode {
	switch x := v.(type) {
	case string:
		if envOutsideHeaders(s, ptr, x) {
			return nil
		}
		if m := wholePlaceholder.FindStringSubmatch(x); m != nil {
			f := s.Param(m[1])
			if f == nil {
				s.Errorf(ptr, "unknown parameter {%s} (params has %s)", diag.Clip(m[1]), s.ParamNames())
				return nil
			}
			return &BodyNode{Param: f}
		}
	case map[string]any:
		n := &BodyNode{}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if envOutsideHeaders(s, ptr+"/"+escape(k), k) {
				continue
			}
			n.Keys = append(n.Keys, k)
			n.Fields = append(n.Fields, bodyNode(s, ptr+"/"+escape(k), x[k]))
		}
		return n
	case []any:
		n := &BodyNode{IsArray: true}
		for i, e := range x {
			n.Items = append(n.Items, bodyNode(s, fmt.Sprintf("%s/%d", ptr, i), e))
		}
		return n
	}
	lit, _ := json.Marshal(v)
	return &BodyNode{Literal: lit}
}

// SourceKind returns "http".
func (*Source) SourceKind() string { return "http" }

// FieldType is nil: the request, and the batch endpoint's, take the fields Fields names.
func (*Source) FieldType() jen.Code { return nil }

// Fields are the request and, with a batch form, the batch request.
func (s *Source) Fields(e source.Emitter, t *ir.Task) []source.Field {
	out := []source.Field{{Name: e.ClientNames(t).Request, Type: jen.Op("*").Qual(hs, "Request")}}
	if s.Batch != nil && t.Batch != nil {
		out = append(out, source.Field{Name: e.ClientNames(t).BatchRequest, Type: jen.Op("*").Qual(hs, "Request")})
	}
	return out
}

// Init builds the request literals, once per Client.
func (s *Source) Init(e source.Emitter, t *ir.Task) []jen.Code {
	out := []jen.Code{jen.Id("c").Dot(e.ClientNames(t).Request).Op("=").Add(s.request())}
	if s.Batch != nil && t.Batch != nil {
		out = append(out, jen.Id("c").Dot(e.ClientNames(t).BatchRequest).Op("=").Add(s.batchRequest(t)))
	}
	return out
}

func templateLit(tm ir.Template) jen.Code {
	var parts, params []jen.Code
	for _, p := range tm.Parts {
		parts = append(parts, jen.Lit(p))
	}
	for _, f := range tm.Params {
		params = append(params, jen.Lit(f.JSON))
	}
	d := jen.Dict{jen.Id("Parts"): jen.Index().String().Values(parts...)}
	if len(params) > 0 {
		d[jen.Id("Params")] = jen.Index().String().Values(params...)
	}
	return jen.Qual(hs, "Template").Values(d)
}

func (s *Source) headers(d jen.Dict) {
	if len(s.Headers) > 0 {
		var list []jen.Code
		for _, hd := range s.Headers {
			list = append(list, jen.Values(jen.Dict{jen.Id("Name"): jen.Lit(hd.Name), jen.Id("Value"): jen.Lit(hd.Value)}))
		}
		d[jen.Id("Headers")] = jen.Index().Qual(hs, "Header").Values(list...)
	}
}

// request is the single-key request literal.
func (s *Source) request() jen.Code {
	d := jen.Dict{
		jen.Id("Conn"):   jen.Lit(s.Conn),
		jen.Id("Method"): jen.Lit(s.Method),
		jen.Id("Path"):   templateLit(s.Path),
	}
	if len(s.Query) > 0 {
		var qs []jen.Code
		for _, q := range s.Query {
			qs = append(qs, jen.Values(jen.Dict{jen.Id("Key"): jen.Lit(q.Key), jen.Id("Value"): templateLit(q.Value)}))
		}
		d[jen.Id("Query")] = jen.Index().Qual(hs, "QueryParam").Values(qs...)
	}
	s.headers(d)
	if s.Pointer != "" {
		d[jen.Id("Pointer")] = jen.Lit(s.Pointer)
	}
	var nf []jen.Code
	for _, st := range s.NotFound {
		nf = append(nf, jen.Lit(st))
	}
	d[jen.Id("NotFound")] = jen.Index().Int().Values(nf...)
	return jen.Op("&").Qual(hs, "Request").Values(d)
}

// batchRequest is the request of the batch endpoint; it shares the single-key request's connection and headers.
func (s *Source) batchRequest(t *ir.Task) jen.Code {
	bh := s.Batch
	d := jen.Dict{
		jen.Id("Conn"):     jen.Lit(s.Conn),
		jen.Id("Method"):   jen.Lit(bh.Method),
		jen.Id("Path"):     jen.Qual(hs, "Template").Values(jen.Dict{jen.Id("Parts"): jen.Index().String().Values(jen.Lit(bh.Path))}),
		jen.Id("NotFound"): jen.Index().Int().Values(),
	}
	var qs []jen.Code
	for _, q := range bh.Query {
		qs = append(qs, jen.Values(jen.Dict{jen.Id("Key"): jen.Lit(q.Key), jen.Id("Value"): templateLit(q.Value)}))
	}
	for _, k := range bh.Lists {
		qs = append(qs, jen.Values(jen.Dict{jen.Id("Key"): jen.Lit(k), jen.Id("List"): jen.Lit(t.Batch.Key.JSON)}))
	}
	if len(qs) > 0 {
		d[jen.Id("Query")] = jen.Index().Qual(hs, "QueryParam").Values(qs...)
	}
	s.headers(d)
	if bh.Pointer != "" {
		d[jen.Id("Pointer")] = jen.Lit(bh.Pointer)
	}
	return jen.Op("&").Qual(hs, "Request").Values(d)
}

// templateParams lists the params the request renders as text, once each.
func (s *Source) templateParams() []*ir.Field {
	var out []*ir.Field
	seen := map[*ir.Field]bool{}
	add := func(tm ir.Template) {
		for _, f := range tm.Params {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	add(s.Path)
	for _, q := range s.Query {
		add(q.Value)
	}
	return out
}

// renderVals builds vals, the params rendered as strings by name; unset optional params stay out, which drops
// their query keys.
func renderVals(e source.Emitter, fs []*ir.Field) []jen.Code {
	if len(fs) == 0 {
		return nil
	}
	d := jen.Dict{}
	var opt []jen.Code
	for _, f := range fs {
		x := jen.Id("p").Dot(f.Name)
		switch f.Type.Kind {
		case ir.Pointer:
			deref := jen.Op("*").Add(x.Clone())
			if f.Type.Elem.Kind == ir.Time || f.Type.Elem.Kind == ir.Format {
				deref = jen.Parens(deref) // a method is called on it
			}
			opt = append(opt, jen.If(x.Clone().Op("!=").Nil()).Block(
				jen.Id("vals").Index(jen.Lit(f.JSON)).Op("=").Add(e.Text(f.Type.Elem, deref))))
		case ir.OptNull:
			opt = append(opt, jen.If(x.Clone().Dot("Set").Op("&&").Op("!").Add(x.Clone()).Dot("Null")).Block(
				jen.Id("vals").Index(jen.Lit(f.JSON)).Op("=").Add(e.Text(f.Type.Elem, x.Clone().Dot("Value")))))
		default:
			d[jen.Lit(f.JSON)] = e.Text(f.Type, x)
		}
	}
	out := []jen.Code{jen.Id("vals").Op(":=").Map(jen.String()).String().Values(d)}
	return append(out, opt...)
}

// Fetch renders the params the request writes as text, builds the body and calls httpsource.Fetch.
func (s *Source) Fetch(e source.Emitter, t *ir.Task) ([]jen.Code, jen.Code) {
	fs := s.templateParams()
	body := renderVals(e, fs)
	var bodyArg jen.Code = jen.Nil()
	if s.Body != nil {
		body = append(body, jen.Id("body").Op(":=").Add(bodyExpr(s.Body)))
		bodyArg = jen.Id("body")
	}
	var valsArg jen.Code = jen.Id("vals")
	if len(fs) == 0 {
		valsArg = jen.Nil()
	}
	body = append(body,
		jen.List(jen.Id("raw"), jen.Err()).Op(":=").Qual(hs, "Fetch").Call(jen.Id("ctx"), jen.Id("c").Dot("x"), jen.Lit(t.Name), jen.Id("c").Dot(e.ClientNames(t).Request), valsArg, bodyArg),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
	)
	return body, e.Record(t)
}

// bodyExpr builds the request body value from its template.
func bodyExpr(n *BodyNode) jen.Code {
	switch {
	case n == nil:
		return jen.Nil()
	case n.Param != nil:
		return jen.Id("p").Dot(n.Param.Name)
	case n.Literal != nil:
		var v any
		dec := json.NewDecoder(bytes.NewReader(n.Literal))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return jen.Nil()
		}
		switch x := v.(type) {
		case string:
			return jen.Lit(x)
		case bool:
			return jen.Lit(x)
		case json.Number:
			return jen.Qual("encoding/json", "Number").Call(jen.Lit(x.String()))
		}
		return jen.Nil()
	case n.IsArray:
		var items []jen.Code
		for _, it := range n.Items {
			items = append(items, bodyExpr(it))
		}
		return jen.Index().Any().Values(items...)
	}
	d := jen.Dict{}
	for i, k := range n.Keys {
		d[jen.Lit(k)] = bodyExpr(n.Fields[i])
	}
	return jen.Map(jen.String()).Any().Values(d)
}

// batchBodyExpr is bodyExpr with "{key...}" standing for the key texts.
func batchBodyExpr(n *BodyNode) jen.Code {
	switch {
	case n == nil:
		return jen.Nil()
	case n.List:
		return jen.Id("keys")
	case n.IsArray:
		var items []jen.Code
		for _, it := range n.Items {
			items = append(items, batchBodyExpr(it))
		}
		return jen.Index().Any().Values(items...)
	case n.Keys != nil || (n.Param == nil && n.Literal == nil):
		d := jen.Dict{}
		for i, k := range n.Keys {
			d[jen.Lit(k)] = batchBodyExpr(n.Fields[i])
		}
		return jen.Map(jen.String()).Any().Values(d)
	}
	return bodyExpr(n)
}

// Texts lists the params the path and the query write, and the batch key, which the batch endpoint sends as
// text.
func (s *Source) Texts() []source.Text {
	out := []source.Text{{Ptr: s.ptr + "/path", Params: s.Path.Params}}
	for _, q := range s.Query {
		out = append(out, source.Text{Ptr: s.ptr + "/query/" + escape(q.Key), Params: q.Value.Params})
	}
	if s.Batch != nil && s.key != nil {
		out = append(out, source.Text{Ptr: "/batch", Params: []*ir.Field{s.key}})
	}
	return out
}

// InOrder is false: the batch endpoint answers with records, which are matched to keys by a result property.
func (*Source) InOrder() bool { return false }

// CheckBatch checks the batch endpoint: its query values are literal or the key list, its body is sent by
// POST, and it sends the keys somewhere.
func (s *Source) CheckBatch(sp source.Spec, key *ir.Field) bool {
	hb := s.batch
	if hb == nil {
		sp.Errorf(s.ptr, "a batched HTTP source needs \"batch\": {\"path\": ..., \"query\": {\"key\": \"{key...}\"} or \"body\", \"pointer\": ...}")
		return false
	}
	out := &Batch{Method: hb.Method, Path: hb.Path, Pointer: hb.Pointer}
	if out.Method == "" {
		out.Method = "GET"
	}
	uses := 0
	for _, k := range slices.Sorted(maps.Keys(hb.Query)) {
		v := hb.Query[k]
		ptr := s.ptr + "/batch/query/" + escape(k)
		if m := listTok.FindStringSubmatch(v); m != nil {
			if m[1] != key.JSON {
				sp.Errorf(ptr, "{%s...} is not the batch key; write {%s...}", diag.Clip(m[1]), diag.Clip(key.JSON))
				continue
			}
			out.Lists = append(out.Lists, k)
			uses++
			continue
		}
		if strings.ContainsAny(v, "{}") {
			sp.Errorf(ptr, "a batch query value is literal or the key list {%s...}", diag.Clip(key.JSON))
			continue
		}
		out.Query = append(out.Query, Query{Key: k, Value: ir.Template{Parts: []string{v}}})
	}
	if len(hb.Body) > 0 {
		if out.Method != "POST" {
			sp.Errorf(s.ptr+"/batch/body", "a batch body needs \"method\": \"POST\"")
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(hb.Body))
		dec.UseNumber()
		if err := dec.Decode(&v); err == nil {
			out.Body = batchBody(sp, s.ptr+"/batch/body", v, key, &uses)
		}
	}
	if uses == 0 {
		sp.Errorf(s.ptr+"/batch", "the batch endpoint never sends the keys: put {%s...} in its query or body", diag.Clip(key.JSON))
		return false
	}
	s.Batch, s.key = out, key
	return true
}

func batchBody(sp source.Spec, ptr string, v any, key *ir.Field, uses *int) *BodyNode {
	switch x := v.(type) {
	case string:
		if m := listTok.FindStringSubmatch(x); m != nil {
			if m[1] != key.JSON {
				sp.Errorf(ptr, "{%s...} is not the batch key; write {%s...}", diag.Clip(m[1]), diag.Clip(key.JSON))
				return nil
			}
			*uses++
			return &BodyNode{Param: key, List: true}
		}
	case map[string]any:
		n := &BodyNode{}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			n.Keys = append(n.Keys, k)
			n.Fields = append(n.Fields, batchBody(sp, ptr+"/"+escape(k), x[k], key, uses))
		}
		return n
	case []any:
		n := &BodyNode{IsArray: true}
		for i, e := range x {
			n.Items = append(n.Items, batchBody(sp, fmt.Sprintf("%s/%d", ptr, i), e, key, uses))
		}
		return n
	}
	lit, _ := json.Marshal(v)
	return &BodyNode{Literal: lit}
}

// keyType is the Go type keys are collected in: the key's underlying primitive, which is what the endpoint
// receives as text.
func keyType(e source.Emitter, k *ir.Type) *jen.Statement {
	if k.Kind == ir.Enum {
		return jen.Add(e.GoType(k.Elem))
	}
	return jen.Add(e.GoType(k))
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

func baseType(t *ir.Type) *ir.Type {
	if t.Kind == ir.Enum {
		return t.Elem
	}
	return t
}

// FetchMany collects the keys, sends them as text to the batch endpoint with httpsource.FetchList, matches the
// records to keys by the result property and lays them out in the order asked.
func (s *Source) FetchMany(e source.Emitter, t *ir.Task) []jen.Code {
	bt := t.Batch
	key := bt.Key
	kt := keyType(e, key.Type)
	keyVal := jen.Code(jen.Id("p").Dot(key.Name))
	if key.Type.Kind == ir.Enum {
		keyVal = jen.Id(underlying(key.Type.Elem)).Call(jen.Id("p").Dot(key.Name))
	}
	// The result property has the key's type, or, for string and integer keys, another type over the same
	// primitive (a string key matched against an enum property, say), which is converted to the key type.
	var resKey jen.Code = jen.Id("r").Dot(bt.ResultKey.Name)
	if fmt.Sprintf("%#v", e.GoType(bt.ResultKey.Type)) != fmt.Sprintf("%#v", kt) {
		resKey = kt.Clone().Call(jen.Id("r").Dot(bt.ResultKey.Name))
	}
	body := []jen.Code{
		jen.Id("keys").Op(":=").Make(jen.Index().Add(kt), jen.Len(jen.Id("ps"))),
		jen.For(jen.List(jen.Id("i"), jen.Id("p")).Op(":=").Range().Id("ps")).Block(
			jen.Id("keys").Index(jen.Id("i")).Op("=").Add(keyVal),
		),
	}
	keyOf := jen.Func().Params(jen.Id("r").Op("*").Id(t.Result.Name)).Add(kt.Clone()).Block(jen.Return(resKey))
	texts := "keys"
	if baseType(key.Type).Kind != ir.String {
		texts = "texts"
		body = append(body,
			jen.Id("texts").Op(":=").Make(jen.Index().String(), jen.Len(jen.Id("keys"))),
			jen.For(jen.List(jen.Id("i"), jen.Id("k")).Op(":=").Range().Id("keys")).Block(
				jen.Id("texts").Index(jen.Id("i")).Op("=").Add(e.Text(baseType(key.Type), jen.Id("k"))),
			),
		)
	}
	var bodyArg jen.Code = jen.Nil()
	if s.Batch.Body != nil {
		body = append(body, jen.Id("body").Op(":=").Add(batchBodyExpr(s.Batch.Body)))
		bodyArg = jen.Id("body")
	}
	return append(body,
		jen.List(jen.Id("raw"), jen.Err()).Op(":=").Qual(hs, "FetchList").Call(jen.Id("ctx"), jen.Id("c").Dot("x"), jen.Lit(t.Name),
			jen.Id("c").Dot(e.ClientNames(t).BatchRequest), jen.Nil(), jen.Map(jen.String()).Index().String().Values(jen.Dict{jen.Lit(key.JSON): jen.Id(texts)}), bodyArg),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.List(jen.Id("found"), jen.Err()).Op(":=").Qual(kit, "BatchRecords").Call(jen.Id("raw"), e.RecordFunc(t), keyOf),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Qual(kit, "InOrder").Call(jen.Id("keys"), jen.Id("found")), jen.Nil()),
	)
}

var (
	_ source.Batcher = (*Source)(nil)
	_ source.Fielder = (*Source)(nil)
)
