// Package jsonv holds the JSON-document helpers that package runtime and
// package kit both use: strict decoding with exact numbers, a value's JSON
// type, sorted keys and integer normalisation. The kit re-exports them for
// generated code; the runtime uses them itself.
package jsonv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/reftask/reftask/internal/jsonnum"
)

// Decode decodes one JSON document with exact numbers and nothing after it.
func Decode(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// Kind names the JSON type of a decoded value: null, boolean, integer, number, string, array or object.
func Kind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		if jsonnum.IsInteger(x) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// SortedKeys returns an object's keys in order, so that violations are
// reported in the same order on every run.
func SortedKeys(o map[string]any) []string {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// NormalizeIntegers rewrites the numbers of a JSON document that have no
// fractional part but are written with one or with an exponent (1.0, 1e2)
// as plain integers, so that encoding/json decodes them into int64 fields:
// JSON Schema counts them as integers. Other documents are returned as they are.
func NormalizeIntegers(data []byte) []byte {
	if !bytes.ContainsAny(data, ".eE") {
		return data
	}
	v, err := Decode(data)
	if err != nil {
		return data
	}
	changed := false
	var walk func(x any) any
	walk = func(x any) any {
		switch y := x.(type) {
		case json.Number:
			if !strings.ContainsAny(string(y), ".eE") {
				break
			}
			if text, ok := jsonnum.Int64Text(string(y)); ok {
				changed = true
				return json.Number(text)
			}
		case []any:
			for i := range y {
				y[i] = walk(y[i])
			}
		case map[string]any:
			for k := range y {
				y[k] = walk(y[k])
			}
		}
		return x
	}
	v = walk(v)
	if !changed {
		return data
	}
	out, err := json.Marshal(v)
	if err != nil {
		return data
	}
	return out
}
