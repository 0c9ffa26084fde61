package kit

import (
	"encoding/json"
	"fmt"
)

// Prop adds the property key with the JSON encoding of v, unless a
// property of that name is already written. Generated MarshalJSON methods
// write with it the properties whose names a struct tag cannot carry
// ("", "-", "a,b", ...), after Struct.
func (w *ObjectWriter) Prop(key string, v any) {
	if w.err != nil || w.keys[key] {
		return
	}
	kb, err := json.Marshal(key)
	if err != nil {
		w.err = err
		return
	}
	vb, err := json.Marshal(v)
	if err != nil {
		w.err = fmt.Errorf("property %q: %w", key, err)
		return
	}
	if w.keys == nil {
		w.keys = map[string]bool{}
	}
	if len(w.buf) == 0 {
		w.buf = append(w.buf, '{')
	}
	if len(w.buf) > 1 {
		w.buf = append(w.buf, ',')
	}
	w.buf = append(append(append(w.buf, kb...), ':'), vb...)
	w.keys[key] = true
}
