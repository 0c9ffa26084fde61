// Package strict decodes JSON into generated types the way JSON Schema reads it, for the runtime's OptNull and
// the kit's DecodeStrict alike.
package strict

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reftask/reftask/runtime/internal/jsonptr"
	"github.com/reftask/reftask/runtime/internal/jsonv"
)

// Decode decodes data into v, a pointer to a generated type's plain form, the way JSON Schema reads it: null is
// rejected (a nullable value is a pointer or runtime.OptNull, which never get here), and a number without a
// fractional part written as 1.0 or 1e2 decodes into an integer. Each null that v cannot hold is reported to
// add, as a JSON pointer, a keyword and a message; a JSON error is returned.
func Decode(data []byte, v any, add func(pointer, keyword, message string)) error {
	if string(bytes.TrimSpace(data)) == "null" {
		add("", "type", "null is not allowed")
		return nil
	}
	data = jsonv.NormalizeIntegers(data)
	if t := reflect.TypeOf(v); t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
		data = dropFoldedKeys(data, t.Elem())
	}
	if err := json.Unmarshal(data, v); err != nil {
		return err
	}
	if !bytes.Contains(data, []byte("null")) {
		return nil
	}
	// encoding/json turns a null element of a []string or map[string]int64
	// into the zero value; JSON Schema rejects it unless the element is nullable.
	doc, err := jsonv.Decode(data)
	if err != nil {
		return err
	}
	nestedNulls(doc, reflect.TypeOf(v).Elem(), "", add)
	return nil
}

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	timeType        = reflect.TypeFor[time.Time]()
)

// nullable reports whether a null decodes into a value of type t
// meaningfully: pointers and interfaces hold it, and a type with its own
// UnmarshalJSON decides for itself (generated types reject it).
func nullable(t reflect.Type) bool {
	switch {
	case t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface:
		return true
	case t == timeType:
		return false
	}
	return reflect.PointerTo(t).Implements(unmarshalerType)
}

// nestedNulls reports the nulls inside x, decoded into a value of type t,
// that t's elements cannot hold. Types with their own UnmarshalJSON check
// themselves; properties of a struct are left to RequireKeys.
func nestedNulls(x any, t reflect.Type, path string, add func(pointer, keyword, message string)) {
	if t != timeType && path != "" && reflect.PointerTo(t).Implements(unmarshalerType) {
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if x != nil {
			nestedNulls(x, t.Elem(), path, add)
		}
	case reflect.Slice, reflect.Array:
		a, _ := x.([]any)
		for i, e := range a {
			p := path + "/" + strconv.Itoa(i)
			if e == nil {
				if !nullable(t.Elem()) {
					add(p, "type", "null is not allowed")
				}
				continue
			}
			nestedNulls(e, t.Elem(), p, add)
		}
	case reflect.Map:
		m, _ := x.(map[string]any)
		for _, k := range jsonv.SortedKeys(m) {
			p := path + "/" + jsonptr.Escape(k)
			if m[k] == nil {
				if !nullable(t.Elem()) {
					add(p, "type", "null is not allowed")
				}
				continue
			}
			nestedNulls(m[k], t.Elem(), p, add)
		}
	case reflect.Struct:
		m, _ := x.(map[string]any)
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			if e, ok := m[name]; ok && e != nil {
				nestedNulls(e, f.Type, path+"/"+jsonptr.Escape(name), add)
			}
		}
	}
}

// dropFoldedKeys removes from a JSON object the keys that match a field of
// struct type t only case-insensitively: encoding/json would decode "A"
// into the field tagged "a", but to JSON Schema it is another property.
func dropFoldedKeys(data []byte, t reflect.Type) []byte {
	if !mayHaveFoldedKey(data, t) {
		return data
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(data, &raw) != nil || raw == nil {
		return data
	}
	exact := make(map[string]bool, t.NumField())
	for i := range t.NumField() {
		exact[jsonName(t.Field(i))] = true
	}
	changed := false
	for k := range raw {
		if exact[k] {
			continue // "ID" beside "id" is a property of its own
		}
		for i := range t.NumField() {
			n := jsonName(t.Field(i))
			if n != "" && strings.EqualFold(k, n) {
				delete(raw, k)
				changed = true
				break
			}
		}
	}
	if !changed {
		return data
	}
	out, err := json.Marshal(raw)
	if err != nil {
		return data
	}
	return out
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// mayHaveFoldedKey scans the strings of data, without allocating, for one
// that equals a field's JSON name case-insensitively but not exactly; a
// string with a \u escape, or a field name beyond ASCII, may fold in ways
// the scan does not see, so it says yes to them.
func mayHaveFoldedKey(data []byte, t reflect.Type) bool {
	for i := range t.NumField() {
		if !isASCII(jsonName(t.Field(i))) {
			return true
		}
	}
	for i := 0; i < len(data); i++ {
		if data[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(data) && data[j] != '"' {
			if data[j] == '\\' {
				if j+1 < len(data) && data[j+1] == 'u' {
					return true // \u0041 is a letter
				}
				j++
			}
			j++
		}
		tok := data[i+1 : min(j, len(data))]
		for f := range t.NumField() {
			if n := jsonName(t.Field(f)); n != "" && len(n) == len(tok) && string(tok) != n && equalFoldASCII(tok, n) {
				return true
			}
		}
		i = j
	}
	return false
}

func equalFoldASCII(b []byte, s string) bool {
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
