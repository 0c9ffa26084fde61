package kit

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/reftask/reftask/internal/jsonnum"
	"github.com/reftask/reftask/internal/quote"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/jsonptr"
	"github.com/reftask/reftask/runtime/internal/jsonv"
	"github.com/reftask/reftask/runtime/internal/seam"
)

// defaultMaxParams is the largest params document DecodeParams accepts without an executor (runtime's default).
const defaultMaxParams = 1 << 20

// maxParamsDepth bounds how deeply a params document may nest; params are a flat object of arguments, and
// deeper input only costs memory and stack.
const maxParamsDepth = 1000

// DecodeParams decodes data, the JSON params of task, into v, a pointer to the task's params struct: the decoding
// a generated Execute does. Every way data can be wrong is one kind of error, a *runtime.ValidationError with Which
// "params" wrapped in a *runtime.TaskError, whose violations hold a JSON pointer to the offending value and are worded as
// the generated Validate words them, with no Go type in the text: a document over the executor's size limit
// (keyword "maxSize"), invalid JSON ("syntax"), a duplicate key at any depth, not last-wins ("duplicateKeys"),
// nesting deeper than 1000 levels ("maxDepth"), a value of the wrong JSON type, a number where an integer is wanted ("type"), a missing required
// property ("required"), an unknown one where the schema closes the object ("additionalProperties") and a string
// that is not of its format ("format"). x may be nil, which means the default limit.
func DecodeParams(x *runtime.Executor, task string, data []byte, v any) error {
	limit := defaultMaxParams
	if x != nil {
		if n := x.ParamsLimit(seam.Token{}); n > 0 {
			limit = n
		}
	}
	var vs Violations
	if len(data) > limit {
		vs.Add("", "maxSize", fmt.Sprintf("params of %d bytes exceed the limit of %d bytes", len(data), limit))
		return paramsViolations(task, &vs)
	}
	if !scanParams(data, &vs) {
		return paramsViolations(task, &vs)
	}
	if err := json.Unmarshal(data, v); err == nil {
		return nil
	}
	diagnose(&vs, "", data, reflect.TypeOf(v), 0)
	if vs.Len() == 0 {
		vs.Add("", "type", "object is not a valid value here") // a decoder failed without saying why
	}
	return paramsViolations(task, &vs)
}

// maxDiagnoseDepth bounds how deep diagnose descends: each level decodes its value again, and a bad value deeper
// down is still reported, at the pointer of its ancestor at that depth.
const maxDiagnoseDepth = 8

// diagnose finds out where and why raw does not decode into a value of type t, and adds the violations under
// pointer at. A decode error knows its place only relative to the value whose decoder failed, which may be a
// generated type of its own several levels down; so each property of an object, element of an array and value of
// a map is decoded alone, under its own pointer, and the error of the whole is kept only for what none of them
// explains (a missing required property, say).
func diagnose(vs *Violations, at string, raw []byte, t reflect.Type, depth int) {
	target := reflect.New(t).Interface()
	whole := DecodeStrict(raw, target)
	if whole == nil {
		return
	}
	var parts Violations
	if depth < maxDiagnoseDepth {
		diagnoseParts(&parts, at, raw, t, depth)
	}
	if parts.Len() == 0 {
		addDecodeError(vs, at, raw, t, whole)
		return
	}
	vs.list = append(vs.list, parts.list...)
	// The whole's error restates the first part's, at the wrong place, unless it is about the whole itself: a
	// property missing or not allowed, or a null where its parts, which skip nulls, did not look.
	var w Violations
	addDecodeError(&w, at, raw, t, whole)
	for _, v := range w.list {
		structural := v.Keyword == "required" || v.Keyword == "additionalProperties" || v.Keyword == "type" && v.Message == "null is not allowed"
		if structural && !coveredBy(v, parts.list) {
			vs.list = append(vs.list, v)
		}
	}
}

// diagnoseParts runs diagnose on the parts of raw that a value of type t takes apart: the properties of a struct
// that its fields name, the elements of a list, the values of a map.
func diagnoseParts(vs *Violations, at string, raw []byte, t reflect.Type, depth int) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return
	}
	switch {
	case t.Kind() == reflect.Struct && trimmed[0] == '{':
		fields := paramFields(reflect.New(t).Interface())
		var obj []struct {
			Key string
			Raw json.RawMessage
		}
		if !orderedObject(trimmed, &obj) {
			return
		}
		for _, p := range obj {
			if ft, ok := fields[p.Key]; ok && string(p.Raw) != "null" {
				diagnose(vs, at+"/"+jsonptr.Escape(p.Key), p.Raw, ft, depth+1)
			}
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 && trimmed[0] == '[' && !decodesItself(t):
		var items []json.RawMessage
		if json.Unmarshal(trimmed, &items) != nil {
			return
		}
		for i, it := range items {
			diagnose(vs, at+"/"+strconv.Itoa(i), it, t.Elem(), depth+1)
		}
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && trimmed[0] == '{' && !decodesItself(t):
		var obj []struct {
			Key string
			Raw json.RawMessage
		}
		if !orderedObject(trimmed, &obj) {
			return
		}
		for _, p := range obj {
			diagnose(vs, at+"/"+jsonptr.Escape(p.Key), p.Raw, t.Elem(), depth+1)
		}
	}
}

// decodesItself reports whether values of type t have a decoder of their own, which diagnose does not look into.
func decodesItself(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return pt.Implements(jsonUnmarshalerType) || pt.Implements(textUnmarshalerType)
}

// orderedObject splits a JSON object into its members, in order; false when raw is not an object.
func orderedObject(raw []byte, out *[]struct {
	Key string
	Raw json.RawMessage
}) bool {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return false
		}
		*out = append(*out, struct {
			Key string
			Raw json.RawMessage
		}{key, v})
	}
	return true
}

// coveredBy reports whether w, from the whole decode, is one of the per-property violations seen from inside the
// value that failed: same keyword and message, and a pointer that ends the same way.
func coveredBy(w runtime.Violation, list []runtime.Violation) bool {
	for _, v := range list {
		if v.Keyword == w.Keyword && v.Message == w.Message && strings.HasSuffix(v.Pointer, w.Pointer) {
			return true
		}
	}
	return false
}

func paramsViolations(task string, vs *Violations) error {
	err := vs.Err()
	var ve *runtime.ValidationError
	if errors.As(err, &ve) {
		ve.Task, ve.Which = task, "params"
	}
	return &runtime.TaskError{Task: task, Err: fmt.Errorf("decoding params: %w", err)}
}

// scanParams checks that data is one JSON object, of bounded depth, with no key twice in any object; what is wrong
// goes to vs, with the pointer of where it was found.
func scanParams(data []byte, vs *Violations) bool {
	type frame struct {
		object    bool
		expectKey bool
		key       string
		index     int
		keys      map[string]struct{}
	}
	var stack []*frame
	pointer := func(withChild bool) string {
		var b strings.Builder
		for i, f := range stack {
			if i == len(stack)-1 && !withChild {
				break
			}
			b.WriteByte('/')
			if f.object {
				b.WriteString(jsonptr.Escape(f.key))
			} else {
				b.WriteString(strconv.Itoa(f.index))
			}
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	started, done := false, false
	for {
		tok, err := dec.Token()
		if err == io.EOF && done {
			return true
		}
		if err != nil {
			ptr := ""
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				ptr = pointer(!top.object || !top.expectKey)
			}
			vs.Add(ptr, "syntax", jsonSyntaxMessage(data, err, started))
			return false
		}
		if done {
			vs.Add("", "syntax", fmt.Sprintf("invalid JSON at byte %d: data after the params object", dec.InputOffset()))
			return false
		}
		if !started {
			started = true
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				kind := "array"
				if !ok {
					kind = jsonv.Kind(tok)
				}
				vs.Add("", "type", kind+" is not of type object")
				return false
			}
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
			top := stack[n-1]
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:n-1]
			} else {
				key, _ := tok.(string)
				if _, dup := top.keys[key]; dup {
					top.key = key
					vs.Add(pointer(true), "duplicateKeys", fmt.Sprintf("duplicate property %s", quote.Quote(key)))
					return false
				}
				if top.keys == nil {
					top.keys = map[string]struct{}{}
				}
				top.keys[key] = struct{}{}
				top.key, top.expectKey = key, false
				continue
			}
		} else {
			switch tok {
			case json.Delim('{'), json.Delim('['):
				if len(stack) >= maxParamsDepth {
					vs.Add(pointer(true), "maxDepth", fmt.Sprintf("nesting deeper than %d levels", maxParamsDepth))
					return false
				}
				stack = append(stack, &frame{object: tok == json.Delim('{'), expectKey: tok == json.Delim('{')})
				continue
			case json.Delim(']'):
				stack = stack[:len(stack)-1]
			}
		}
		// A value (a scalar or a closed container) ended.
		if len(stack) == 0 {
			done = true
			continue
		}
		top := stack[len(stack)-1]
		if top.object {
			top.expectKey = true
		} else {
			top.index++
		}
	}
}

// jsonSyntaxMessage words a JSON syntax error without Go's prefixes.
func jsonSyntaxMessage(data []byte, err error, started bool) string {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, se.Error())
	case !started && len(bytes.TrimSpace(data)) == 0:
		return "invalid JSON: no params object, the input is empty"
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return fmt.Sprintf("invalid JSON at byte %d: unexpected end of input", len(data))
	}
	return "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")
}

// paramFields maps the JSON names of the params struct v points to onto their Go types.
func paramFields(v any) map[string]reflect.Type {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	out := map[string]reflect.Type{}
	if t == nil || t.Kind() != reflect.Struct {
		return out
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// derefType strips pointer types.
func derefType(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

var (
	addrType            = reflect.TypeFor[netip.Addr]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// addDecodeError turns an error from decoding raw into a value of type t into violations under pointer at.
func addDecodeError(vs *Violations, at string, raw []byte, t reflect.Type, err error) {
	var ve *runtime.ValidationError
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var fe *runtime.FormatError
	var pe *time.ParseError
	switch {
	case errors.As(err, &ve):
		for _, v := range ve.Violations {
			vs.Add(at+v.Pointer, v.Keyword, v.Message)
		}
	case errors.As(err, &te):
		rel := fieldPointer(te.Field)
		got := jsonKindOf(raw, rel, te.Value)
		want := schemaType(te.Type)
		msg := got + " is not of type " + want
		if want == "integer" && (got == "integer" || got == "number") {
			if lit, ok := jsonAt(raw, rel).(json.Number); ok && jsonnum.IsInteger(lit) {
				msg = "integer " + quote.Clip(string(lit)) + " is out of range"
			} else {
				msg = "number is not of type integer"
			}
		}
		if want == "number" && (got == "number" || got == "integer") {
			msg = "number " + quote.Clip(strings.TrimPrefix(te.Value, "number ")) + " is out of range"
		}
		vs.Add(at+rel, "type", msg)
	case errors.As(err, &fe):
		vs.Add(at, "format", fe.Error())
	case errors.As(err, &pe):
		vs.Add(at, "format", "invalid date-time "+quote.Quote(pe.Value)+": want RFC 3339 date-time")
	case errors.As(err, &se):
		vs.Add(at, "syntax", "invalid JSON: "+se.Error())
	default:
		// An error worded by a decoder this package does not know; its text may name Go types, so only its kind
		// is kept, with the JSON type the value has.
		val := jsonAt(raw, "")
		got, want := jsonv.Kind(val), schemaType(t)
		switch {
		case got != want:
			vs.Add(at, "type", got+" is not of type "+want)
		case got == "string" && want == "string":
			// A text type (an IP address, an x-go-type) that refused the text: a format, in JSON Schema's words.
			what := "value"
			if derefType(t) == addrType {
				what = "IP address"
			}
			vs.Add(at, "format", "invalid "+what+" "+quote.Quote(val.(string)))
		default:
			vs.Add(at, "type", got+" is not a valid value here")
		}
	}
}

// fieldPointer turns encoding/json's dotted field path into a JSON pointer.
func fieldPointer(field string) string {
	if field == "" {
		return ""
	}
	var b strings.Builder
	for _, part := range strings.Split(field, ".") {
		b.WriteByte('/')
		b.WriteString(jsonptr.Escape(part))
	}
	return b.String()
}

// jsonAt returns the value at pointer ptr inside the JSON text raw, or nil.
func jsonAt(raw []byte, ptr string) any {
	doc, err := jsonv.Decode(jsonv.NormalizeIntegers(raw))
	if err != nil {
		return nil
	}
	v, ok, err := jsonptr.Lookup(doc, ptr)
	if err != nil || !ok {
		return nil
	}
	return v
}

// jsonKindOf names the JSON type of the value at ptr in raw, falling back to encoding/json's description of it.
func jsonKindOf(raw []byte, ptr, described string) string {
	if v := jsonAt(raw, ptr); v != nil {
		return jsonv.Kind(v)
	}
	kind, _, _ := strings.Cut(described, " ")
	switch kind {
	case "bool":
		return "boolean"
	case "":
		return "value"
	}
	return kind
}

// schemaType names the JSON Schema type that values of Go type t are written as.
func schemaType(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "value"
	}
	if t == reflect.TypeFor[time.Time]() || reflect.PointerTo(t).Implements(textUnmarshalerType) && !reflect.PointerTo(t).Implements(jsonUnmarshalerType) {
		return "string"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return "value"
}
