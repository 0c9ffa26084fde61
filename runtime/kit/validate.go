package kit

import (
	"encoding/json"
	"fmt"

	"github.com/reftask/reftask/runtime"
)

// HasJSONType reports whether v is of one of the JSON types named; as in
// JSON Schema, "number" includes integers and an integer is any number
// without a fractional part (1.0 is an integer).
func HasJSONType(v any, types ...string) bool {
	k := JSONKind(v)
	for _, t := range types {
		if t == k || (t == "number" && k == "integer") {
			return true
		}
	}
	return false
}

// InJSON reports whether v equals one of the values (for enum).
func InJSON(v any, values ...any) bool {
	for _, x := range values {
		if EqualJSON(v, x) {
			return true
		}
	}
	return false
}

// DuplicateJSON returns the indices of the first two equal elements of a
// decoded JSON array, for uniqueItems.
func DuplicateJSON(a []any) (int, int, bool) {
	for i := range a {
		for j := i + 1; j < len(a); j++ {
			if EqualJSON(a[i], a[j]) {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

// Evaluated records which properties and items of one instance were
// evaluated by a schema and its in-place subschemas, for
// unevaluatedProperties and unevaluatedItems. Its methods accept a nil
// receiver and then do nothing, so generated code only allocates one
// where a schema needs it.
type Evaluated struct {
	props    map[string]bool
	items    map[int]bool
	allItems bool
	allProps bool
}

// Prop marks property k evaluated.
func (e *Evaluated) Prop(k string) {
	if e == nil {
		return
	}
	if e.props == nil {
		e.props = map[string]bool{}
	}
	e.props[k] = true
}

// AllProps marks every property evaluated.
func (e *Evaluated) AllProps() {
	if e != nil {
		e.allProps = true
	}
}

// Item marks array element i evaluated.
func (e *Evaluated) Item(i int) {
	if e == nil {
		return
	}
	if e.items == nil {
		e.items = map[int]bool{}
	}
	e.items[i] = true
}

// AllItems marks every element evaluated.
func (e *Evaluated) AllItems() {
	if e != nil {
		e.allItems = true
	}
}

// HasProp reports whether property k was evaluated.
func (e *Evaluated) HasProp(k string) bool {
	return e != nil && (e.allProps || e.props[k])
}

// HasItem reports whether element i was evaluated.
func (e *Evaluated) HasItem(i int) bool {
	return e != nil && (e.allItems || e.items[i])
}

// Merge adds what o recorded to e.
func (e *Evaluated) Merge(o *Evaluated) {
	if e == nil || o == nil {
		return
	}
	e.allProps = e.allProps || o.allProps
	e.allItems = e.allItems || o.allItems
	for k := range o.props {
		e.Prop(k)
	}
	for i := range o.items {
		e.Item(i)
	}
}

// CountValid runs each check on v with violations of its own and returns
// how many passed, for anyOf, oneOf, not and if. When ev is not nil, what a
// passing check evaluated is merged into it.
func CountValid(v any, path *Path, ev *Evaluated, checks ...func(any, *Path, *Violations, *Evaluated)) int {
	n := 0
	for _, check := range checks {
		var vs Violations
		var sub *Evaluated
		if ev != nil {
			sub = new(Evaluated)
		}
		check(v, path, &vs, sub)
		if vs.Len() == 0 {
			n++
			ev.Merge(sub)
		}
	}
	return n
}

// AsJSONValueFor converts a raw source value like AsJSONValue, for a JSON
// value checked by check (a generated schema program): text that the schema
// rejects as a string but that holds a JSON object or array is read as that
// object or array, as a JSON column gives it.
func AsJSONValueFor(path string, raw any, check func(any, *Path, *Violations, *Evaluated)) (runtime.JSONValue, error) {
	j, err := AsJSONValue(path, raw)
	if err != nil {
		return j, err
	}
	s, ok := j.Any().(string)
	if !ok || accepts(check, s) {
		return j, nil
	}
	doc, err := DecodeJSON([]byte(s))
	if err != nil {
		return j, nil
	}
	switch doc.(type) {
	case map[string]any, []any:
		return runtime.JSONOf(doc), nil // decoded JSON: JSONOf keeps it as is
	}
	return j, nil
}

// AcceptsNull reports whether check (a generated schema program) accepts
// JSON null: an optional JSON value takes a source's NULL as null only then,
// and as absent otherwise, like an optional field of any other type.
func AcceptsNull(check func(any, *Path, *Violations, *Evaluated)) bool {
	return accepts(check, nil)
}

func accepts(check func(any, *Path, *Violations, *Evaluated), v any) bool {
	var vs Violations
	check(v, nil, &vs, nil)
	return vs.Len() == 0
}

// BriefJSON renders a decoded value for messages, shortened.
func BriefJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return Clip(fmt.Sprint(v))
	}
	return Clip(string(b))
}

// AcceptAll is the check of a schema that accepts every JSON value (true, or {}): generated code passes it where a
// check function is taken as a value, instead of declaring an empty function of its own.
func AcceptAll(any, *Path, *Violations, *Evaluated) {}
