package model

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/load"
	"github.com/reftask/reftask/gen/source"
	"github.com/reftask/reftask/gen/source/kinds"
)

// extSpec is what a kind added through gen/source sees of the task being built.
type extSpec struct {
	b  *builder
	sp *load.Spec
	t  *ir.Task
}

func (s extSpec) Task() *ir.Task { return s.t }

func (s extSpec) Errorf(ptr, format string, args ...any) {
	s.b.errSpec(s.sp, ptr, fmt.Sprintf(format, args...))
}

func (s extSpec) Batched() bool { return s.sp.Batch != nil }

func (s extSpec) Param(name string) *ir.Field { return fieldByJSON(s.t.Params, name) }

func (s extSpec) Scalar(t *ir.Type) bool { return scalarParam(t) }

func (s extSpec) ParamNames() string {
	return strings.ReplaceAll(listJSON(s.t.Params.Fields), ":", "")
}

func (s extSpec) Template(ptr, text string, required bool) (ir.Template, bool) {
	return s.b.template(s.sp, s.t, ptr, text, required)
}

// extSource hands the spec's source object to its kind (the meta-schema allows exactly one, of a known kind).
func (b *builder) extSource(sp *load.Spec, t *ir.Task) ir.ExtSource {
	for _, name := range slices.Sorted(mapKeys(sp.Source.Ext)) {
		ptr := "/source/" + escape(name)
		k := kinds.ByName(name)
		if k == nil {
			b.errSpec(sp, ptr, fmt.Sprintf("unknown source kind %s", diag.Quote(name)))
			continue
		}
		src := k.Model(extSpec{b, sp, t}, ptr, sp.Source.Ext[name])
		if src == nil {
			continue
		}
		if _, ok := src.(source.Source); !ok {
			panic(fmt.Sprintf("source kind %q modelled a %T, which is not a source.Source", name, src))
		}
		return src
	}
	return nil
}

// ParseTemplate splits text at its {name} placeholders.
func ParseTemplate(s string) (parts, params []string, err error) {
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, nil, fmt.Errorf("unclosed { at byte %d", i)
			}
			name := s[i+1 : i+end]
			if !identRE.MatchString(name) {
				return nil, nil, fmt.Errorf("placeholder {%s} is not a parameter name", diag.Clip(name))
			}
			parts = append(parts, cur.String())
			cur.Reset()
			params = append(params, name)
			i += end
		case '}':
			return nil, nil, fmt.Errorf("unmatched } at byte %d", i)
		default:
			cur.WriteByte(s[i])
		}
	}
	return append(parts, cur.String()), params, nil
}

var (
	identRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	envRefRE = regexp.MustCompile(`\$\{env:([^}]*)\}`)
)

// template resolves a parsed template's placeholders to params fields;
// required says whether every placeholder must name a required param.
func (b *builder) template(sp *load.Spec, t *ir.Task, ptr, text string, required bool) (ir.Template, bool) {
	parts, names, err := ParseTemplate(text)
	if err != nil {
		b.errSpec(sp, ptr, err.Error())
		return ir.Template{}, false
	}
	out := ir.Template{Parts: parts}
	ok := true
	for _, n := range names {
		f := fieldByJSON(t.Params, n)
		switch {
		case f == nil:
			b.errSpec(sp, ptr, fmt.Sprintf("unknown parameter {%s} (params has %s)", diag.Clip(n), strings.ReplaceAll(listJSON(t.Params.Fields), ":", "")))
			ok = false
		case !scalarParam(f.Type):
			b.errSpec(sp, ptr, fmt.Sprintf("parameter {%s} is %s and cannot be written into text", diag.Clip(n), describe(f.Type)))
			ok = false
		case required && !f.Required:
			b.errSpec(sp, ptr, fmt.Sprintf("parameter {%s} is optional, but a path needs a value: make it required or move it to the query", diag.Clip(n)))
			ok = false
		default:
			out.Params = append(out.Params, f)
		}
	}
	return out, ok
}

func fieldByJSON(t *ir.Type, name string) *ir.Field {
	for _, f := range t.Fields {
		if f.JSON == name {
			return f
		}
	}
	return nil
}

// scalarParam reports whether a param renders as one string.
func scalarParam(t *ir.Type) bool {
	switch t.Kind {
	case ir.Pointer, ir.OptNull:
		return scalarParam(t.Elem)
	case ir.Enum, ir.GoType:
		return true
	}
	return t.Kind.IsPrimitive()
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

func (b *builder) httpSource(sp *load.Spec, t *ir.Task) *ir.HTTPSource {
	h := sp.Source.HTTP
	src := &ir.HTTPSource{Conn: h.Connection, Method: h.Method, Pointer: h.Pointer, NotFound: h.NotFound}
	if src.Method == "" {
		src.Method = "GET"
	}
	if len(src.NotFound) == 0 {
		src.NotFound = []int{404}
	}
	if !b.envOutsideHeaders(sp, "/source/http/path", h.Path) {
		src.Path, _ = b.template(sp, t, "/source/http/path", h.Path, true)
	}
	for _, k := range slices.Sorted(mapKeys(h.Query)) {
		if b.envOutsideHeaders(sp, "/source/http/query/"+escape(k), k+h.Query[k]) {
			continue
		}
		tm, ok := b.template(sp, t, "/source/http/query/"+escape(k), h.Query[k], false)
		if ok {
			src.Query = append(src.Query, ir.HTTPQuery{Key: k, Value: tm})
		}
	}
	for _, k := range slices.Sorted(mapKeys(h.Headers)) {
		v := h.Headers[k]
		ptr := "/source/http/headers/" + escape(k)
		refs := envRefRE.FindAllStringSubmatch(v, -1)
		for _, r := range refs {
			if !identRE.MatchString(r[1]) {
				b.errSpec(sp, ptr, fmt.Sprintf("${env:%s} does not name an environment variable", diag.Clip(r[1])))
			}
		}
		if secretHeader(k) && len(refs) == 0 {
			b.errSpec(sp, ptr, fmt.Sprintf("header %s holds a credential, which must not be written in a spec: reference the environment instead (\"${env:%s}\"), or add it in a request decorator on the %s connection", diag.Clip(k), diag.Clip(envName(h.Connection, k)), diag.Quote(h.Connection)))
			continue
		}
		if strings.Contains(envRefRE.ReplaceAllString(v, ""), "${") {
			b.errSpec(sp, ptr, "malformed reference: write ${env:NAME}")
			continue
		}
		src.Headers = append(src.Headers, ir.HTTPHeader{Name: k, Value: v})
	}
	if len(h.Body) > 0 {
		if src.Method == "GET" || src.Method == "DELETE" {
			b.errSpec(sp, "/source/http/body", fmt.Sprintf("a %s request has no body; use POST, PUT or PATCH", diag.Clip(src.Method)))
		}
		var v any
		dec := json.NewDecoder(strings.NewReader(string(h.Body)))
		dec.UseNumber()
		if err := dec.Decode(&v); err == nil {
			src.Body = b.bodyNode(sp, t, "/source/http/body", v)
		}
	}
	return src
}

// envOutsideHeaders reports, as an error, a ${env:NAME} reference in the path, query or body of a request. The
// runtime resolves them only in headers, where the values are scrubbed from errors and logs; anywhere else the
// reference would be sent as written, or, were it resolved, the secret would be part of every URL and body.
func (b *builder) envOutsideHeaders(sp *load.Spec, ptr, text string) bool {
	if !strings.Contains(text, envRefOpen) {
		return false
	}
	b.errSpec(sp, ptr, "${env:...} is resolved only in headers: a secret must not travel in a URL or a body, which errors and logs quote; send it in a header, or add it in a request decorator")
	return true
}

// envRefOpen starts an environment reference.
const envRefOpen = "${env:"

func envName(conn, header string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_", " ", "_").Replace(conn + "_" + header))
}

var wholePlaceholder = regexp.MustCompile(`^\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

func (b *builder) bodyNode(sp *load.Spec, t *ir.Task, ptr string, v any) *ir.BodyNode {
	switch x := v.(type) {
	case string:
		if b.envOutsideHeaders(sp, ptr, x) {
			return nil
		}
		if m := wholePlaceholder.FindStringSubmatch(x); m != nil {
			f := fieldByJSON(t.Params, m[1])
			if f == nil {
				b.errSpec(sp, ptr, fmt.Sprintf("unknown parameter {%s} (params has %s)", diag.Clip(m[1]), strings.ReplaceAll(listJSON(t.Params.Fields), ":", "")))
				return nil
			}
			return &ir.BodyNode{Param: f}
		}
	case map[string]any:
		n := &ir.BodyNode{}
		for _, k := range slices.Sorted(mapKeys(x)) {
			if b.envOutsideHeaders(sp, ptr+"/"+escape(k), k) {
				continue
			}
			n.Keys = append(n.Keys, k)
			n.Fields = append(n.Fields, b.bodyNode(sp, t, ptr+"/"+escape(k), x[k]))
		}
		return n
	case []any:
		n := &ir.BodyNode{IsArray: true}
		for i, e := range x {
			n.Items = append(n.Items, b.bodyNode(sp, t, fmt.Sprintf("%s/%d", ptr, i), e))
		}
		return n
	}
	lit, _ := json.Marshal(v)
	return &ir.BodyNode{Literal: lit}
}

// transform checks transform.fields against the result and the source,
// and records the mapping as property paths.
func (b *builder) transform(sp *load.Spec, t *ir.Task) {
	if sp.Transform == nil {
		return
	}
	b.goFunc(sp, "/transform/func", sp.Transform.Func)
	t.TransformFunc = sp.Transform.Func
	if len(sp.Transform.Fields) == 0 {
		return
	}
	res := t.Result
	if res.Kind == ir.Named && res.Elem.Kind == ir.Slice {
		res = res.Elem.Elem
	}
	if res.Kind != ir.Struct {
		b.errSpec(sp, "/transform/fields", "transform.fields needs an object result (or an array of objects)")
		return
	}
	for _, k := range slices.Sorted(mapKeys(sp.Transform.Fields)) {
		from := sp.Transform.Fields[k]
		ptr := "/transform/fields/" + escape(k)
		path := strings.Split(k, ".")
		if fieldOf(res, k) != nil {
			// A property whose name has a dot is named whole: "a.b" is
			// that property before it is b below a.
			path = []string{k}
		}
		cur := res
		ok := true
		for i, seg := range path {
			f := fieldOf(cur, seg)
			if f == nil {
				b.errSpec(sp, ptr, fmt.Sprintf("%s is not a property of %s (it has %s)", diag.Quote(strings.Join(path[:i+1], ".")), diag.Clip(cur.Name), strings.ReplaceAll(listJSON(cur.Fields), ":", "")))
				ok = false
				break
			}
			if i < len(path)-1 {
				next := f.Type
				for next.Kind == ir.Pointer || next.Kind == ir.OptNull {
					next = next.Elem
				}
				if next.Kind != ir.Struct {
					b.errSpec(sp, ptr, fmt.Sprintf("%s is not an object, so %s cannot be below it", diag.Quote(strings.Join(path[:i+1], ".")), diag.Quote(k)))
					ok = false
					break
				}
				cur = next
			}
		}
		if t.Source.SQL != nil && strings.HasPrefix(from, "/") {
			b.errSpec(sp, ptr, "a SQL source maps properties onto column names, not JSON pointers")
			ok = false
		}
		if fm, isFM := t.Source.Ext.(source.FieldMapper); isFM {
			if why := fm.MapsFields(from); why != "" {
				b.errSpec(sp, ptr, why)
				ok = false
			}
		}
		if ok {
			t.Maps = append(t.Maps, ir.FieldMap{Prop: path, From: from})
		}
	}
}

func fieldOf(t *ir.Type, json string) *ir.Field {
	if t.Kind != ir.Struct {
		return nil
	}
	return fieldByJSON(t, json)
}
