package kit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/reftask/reftask/internal/format"
	"github.com/reftask/reftask/runtime"
)

// Candidate is one branch a generated union tried while decoding: the union
// value with that branch set, or the error that stopped the branch.
type Candidate[T any] struct {
	Name  string
	Value T
	Err   error
}

// PickVariant chooses among the candidates of a union's trial decoding.
// check reports whether a candidate satisfies its own branch. For oneOf
// exactly one candidate may pass (two or more is an ambiguity error); for
// anyOf the first that passes is taken. When none passes, the first
// candidate that decoded is kept, so that Validate reports why it fails;
// when none decoded, the error lists each branch's reason.
func PickVariant[T any](dst *T, oneOf bool, cands []Candidate[T], check func(*T) error) error {
	var valid []int
	decoded := -1
	for i := range cands {
		if cands[i].Err != nil {
			continue
		}
		if decoded < 0 {
			decoded = i
		}
		if check(&cands[i].Value) == nil {
			valid = append(valid, i)
			if !oneOf {
				break
			}
		}
	}
	kw := "anyOf"
	if oneOf {
		kw = "oneOf"
	}
	var vs Violations
	switch {
	case len(valid) == 1:
		*dst = cands[valid[0]].Value
	case len(valid) > 1:
		var names []string
		for _, i := range valid {
			names = append(names, cands[i].Name)
		}
		vs.Add("", kw, fmt.Sprintf("the value matches %s, want exactly one", strings.Join(names, " and ")))
	case decoded >= 0:
		*dst = cands[decoded].Value
	default:
		var why []string
		for _, c := range cands {
			why = append(why, c.Name+": "+strings.TrimPrefix(c.Err.Error(), "reftask: "))
		}
		vs.Add("", kw, "the value matches none of the variants ("+strings.Join(why, "; ")+")")
	}
	return vs.Err()
}

// Discriminator reads the property prop of a JSON object, the value that
// selects a union's variant; a value that is not an object, or has no
// such property, is an error.
func Discriminator(data []byte, prop string) (any, error) {
	var raw map[string]json.RawMessage
	var vs Violations
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		v, derr := DecodeJSON(data)
		if derr != nil {
			return nil, derr
		}
		vs.Addf("", "type", "%s is not of type object", JSONKind(v))
		return nil, vs.Err()
	}
	tag, ok := raw[prop]
	if !ok {
		vs.Addf("", "required", "missing property %q", prop)
		return nil, vs.Err()
	}
	return DecodeJSON(tag)
}

// UnknownTag is the error for a discriminator value that selects no variant.
func UnknownTag(prop string, tag any, want string) error {
	var vs Violations
	vs.Addf(JoinPointer("", prop), "const", "%s is none of %s", BriefJSON(tag), want)
	return vs.Err()
}

// FirstMatch returns the index of the first check that accepts v (a
// generated value) in its JSON form, or -1: a oneOf union checks that no
// other branch matches the variant it holds.
func FirstMatch(v any, path *Path, checks ...func(any, *Path, *Violations, *Evaluated)) int {
	doc, err := JSONData(v)
	if err != nil {
		return -1
	}
	for i, check := range checks {
		var vs Violations
		check(doc, path, &vs, nil)
		if vs.Len() == 0 {
			return i
		}
	}
	return -1
}

// DecodedBy narrows check, the validation program of a union branch, to
// the values that also decode into T, the branch's generated type, and pass
// its Validate. A program keeps format an annotation, while a branch that
// holds a date, a UUID, ... only holds valid ones: that is the branch a
// value would have to match.
func DecodedBy[T any, P interface {
	*T
	Validate() error
}](check func(any, *Path, *Violations, *Evaluated)) func(any, *Path, *Violations, *Evaluated) {
	return narrowed(check, func(b []byte) error {
		var x T
		if err := json.Unmarshal(b, &x); err != nil {
			return err
		}
		return P(&x).Validate()
	})
}

// DecodesAs narrows check like DecodedBy for a branch whose Go type is a
// slice or map, which has no Validate: the value must decode into T, whose
// typed formats read only valid text.
func DecodesAs[T any](check func(any, *Path, *Violations, *Evaluated)) func(any, *Path, *Violations, *Evaluated) {
	return narrowed(check, func(b []byte) error {
		var x T
		return json.Unmarshal(b, &x)
	})
}

// narrowed runs check, and when it passes, decode on the value's JSON text:
// a decode failure is a format violation at the value.
func narrowed(check func(any, *Path, *Violations, *Evaluated), decode func([]byte) error) func(any, *Path, *Violations, *Evaluated) {
	return func(doc any, path *Path, vs *Violations, ev *Evaluated) {
		before := vs.Len()
		check(doc, path, vs, ev)
		if vs.Len() > before {
			return
		}
		b, err := json.Marshal(doc)
		if err == nil {
			err = decode(b)
		}
		if err != nil {
			vs.Add(path.String(), "format", err.Error())
		}
	}
}

// FormatChecked narrows check, the validation program of a union branch
// that is a string of a typed format, to the strings of that format: the
// program keeps format an annotation, the branch's Go type does not.
func FormatChecked(name string, check func(any, *Path, *Violations, *Evaluated)) func(any, *Path, *Violations, *Evaluated) {
	return func(doc any, path *Path, vs *Violations, ev *Evaluated) {
		check(doc, path, vs, ev)
		if s, ok := doc.(string); ok {
			if err := format.Check(name, s); err != nil {
				vs.Add(path.String(), "format", err.Error())
			}
		}
	}
}

// JSONData marshals a generated value and decodes it back into the generic
// form validation programs check (numbers as json.Number).
func JSONData(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return DecodeJSON(b)
}

// DecodeVia converts a raw source value into a generated type through its
// JSON form: the value is taken as JSON exactly (AsJSONValue) and decoded
// by the type's own strict UnmarshalJSON. Unions, tuples and mixed enums
// convert this way, so that choosing a branch follows JSON Schema and never
// the converters' leniency. Text that the type does not take as a string
// is read as the JSON object or array it holds, as a JSON column gives it.
func DecodeVia(path string, raw any, v json.Unmarshaler) error {
	j, err := AsJSONValue(path, raw)
	if err != nil {
		return err
	}
	b, err := json.Marshal(j.Any())
	if err != nil {
		return &runtime.ConvError{Path: path, From: typeName(raw), To: "JSON value", Value: renderValue(raw), Err: err}
	}
	err = v.UnmarshalJSON(b)
	// A mixed enum takes any string, keeping one that is none of its
	// values for Validate to report: its object and array members still
	// come from a JSON column as text.
	enum, isEnum := v.(interface{ Valid() bool })
	if err == nil && (!isEnum || enum.Valid()) {
		return nil
	}
	// A JSON column arrives as text: read an object or array in it.
	if text, ok := jsonText(raw); ok {
		if doc, derr := DecodeJSON(text); derr == nil {
			switch doc.(type) {
			case map[string]any, []any:
				if v.UnmarshalJSON(text) == nil && (!isEnum || enum.Valid()) {
					return nil
				}
			}
		}
	}
	if err == nil {
		// Not an enum value either way: keep the string for Validate.
		return v.UnmarshalJSON(b)
	}
	return &runtime.ConvError{Path: path, From: typeName(raw), To: "typed value", Value: renderValue(raw), Err: err}
}

func jsonText(raw any) ([]byte, bool) {
	switch x := raw.(type) {
	case string:
		return []byte(x), true
	case []byte:
		return x, true
	}
	return nil, false
}

// ObjectWriter builds a JSON object from a struct's own properties and
// the properties held in its maps (additionalProperties and
// patternProperties): generated MarshalJSON methods use it. A key is
// written once; the struct's properties come first.
type ObjectWriter struct {
	buf  []byte
	keys map[string]bool
	err  error
}

// Struct starts the object with the JSON encoding of v, a struct.
func (w *ObjectWriter) Struct(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		w.err = err
		return
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		w.err = err
		return
	}
	w.keys = make(map[string]bool, len(raw))
	for k := range raw {
		w.keys[k] = true
	}
	w.buf = bytes.TrimSuffix(bytes.TrimSpace(b), []byte("}"))
}

// Bytes returns the object, or the first error.
func (w *ObjectWriter) Bytes() ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	return append(w.buf, '}'), nil
}

// WriteProps adds the entries of m in key order, skipping keys already written.
func WriteProps[T any](w *ObjectWriter, m map[string]T) {
	if w.err != nil || len(m) == 0 {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if w.keys[k] {
			continue
		}
		kb, err := json.Marshal(k)
		if err != nil {
			w.err = err
			return
		}
		vb, err := json.Marshal(m[k])
		if err != nil {
			w.err = fmt.Errorf("property %q: %w", k, err)
			return
		}
		if len(w.buf) > 1 {
			w.buf = append(w.buf, ',')
		}
		w.buf = append(append(append(w.buf, kb...), ':'), vb...)
		w.keys[k] = true
	}
}

// OtherProps returns the properties of a JSON object whose names are not
// in known, sorted by name; generated UnmarshalJSON methods sort them into
// their additionalProperties and patternProperties maps.
func OtherProps(data []byte, known []string) ([]string, map[string]json.RawMessage, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, nil, err
	}
	var keys []string
	for k := range raw {
		if !slices.Contains(known, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys, raw, nil
}

// PropError places an error from decoding one property of a map field
// at that property.
func PropError(key string, err error) error {
	if ve, ok := err.(*runtime.ValidationError); ok {
		out := &runtime.ValidationError{Task: ve.Task, Which: ve.Which}
		for _, v := range ve.Violations {
			v.Pointer = JoinPointer("", key) + v.Pointer
			out.Violations = append(out.Violations, v)
		}
		return out
	}
	return fmt.Errorf("%s: %w", JoinPointer("", key), err)
}

// DecodeNullable decodes data into v, a pointer to a pointer: null leaves
// it nil, anything else decodes strictly into a new value.
func DecodeNullable(data []byte, v any) error {
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	return DecodeStrict(data, v)
}

// TupleItems splits a JSON array into its items for a generated tuple: it
// must have at least min items and, unless max is negative, at most max.
func TupleItems(data []byte, min, max int) ([]json.RawMessage, error) {
	var vs Violations
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil || items == nil {
		v, derr := DecodeJSON(data)
		if derr != nil {
			return nil, derr
		}
		vs.Addf("", "type", "%s is not of type array", JSONKind(v))
		return nil, vs.Err()
	}
	if len(items) < min {
		vs.Addf("", "minItems", "%d items, want at least %d", len(items), min)
	}
	if max >= 0 && len(items) > max {
		vs.Addf("", "items", "%d items, want at most %d: no item is allowed after the tuple's", len(items), max)
	}
	return items, vs.Err()
}

// EnumText returns the JSON text a generated enum of mixed values holds
// for data: the text of the first value equal to it (so 1.0 reads as 1),
// or data compacted when none is, for Validate to report.
func EnumText(data []byte, values ...string) (string, error) {
	v, err := DecodeJSON(data)
	if err != nil {
		return "", err
	}
	for _, text := range values {
		w, err := DecodeJSON([]byte(text))
		if err == nil && EqualJSON(v, w) {
			return text, nil
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// EnumJSON returns the JSON text an enum of mixed values holds; text that
// is not one JSON value (the zero value, say) is an error.
func EnumJSON(text string) ([]byte, error) {
	if _, err := DecodeJSON([]byte(text)); err != nil {
		return nil, fmt.Errorf("enum value %q is not JSON: %w", text, err)
	}
	return []byte(text), nil
}

// NullProps reports which of the given properties of a JSON object are
// null: generated UnmarshalJSON methods give the optional fields whose
// type holds null itself (a JSON value) that null, where encoding/json
// would leave them nil, as if absent.
func NullProps(data []byte, keys ...string) map[string]bool {
	var raw map[string]json.RawMessage
	if json.Unmarshal(data, &raw) != nil {
		return nil
	}
	out := map[string]bool{}
	for _, k := range keys {
		if v, ok := raw[k]; ok && string(bytes.TrimSpace(v)) == "null" {
			out[k] = true
		}
	}
	return out
}
