package runtime

import (
	"bytes"
	"encoding/json"

	"github.com/reftask/reftask/runtime/internal/strict"
)

// OptNull holds a property that is both optional and nullable: Set=false means absent,
// Set with Null means an explicit null, otherwise Value holds the value.
type OptNull[T any] struct {
	Value T
	Set   bool
	Null  bool
}

// Some returns a present, non-null OptNull.
func Some[T any](v T) OptNull[T] { return OptNull[T]{Value: v, Set: true} }

// Null returns a present null OptNull.
func Null[T any]() OptNull[T] { return OptNull[T]{Set: true, Null: true} }

// IsZero reports absence, so `json:",omitzero"` drops absent values while keeping explicit nulls.
func (o OptNull[T]) IsZero() bool { return !o.Set }

// Get returns the value and whether it is present and non-null.
func (o OptNull[T]) Get() (T, bool) { return o.Value, o.Set && !o.Null }

// MarshalJSON writes null for absent or null values, else the value.
func (o OptNull[T]) MarshalJSON() ([]byte, error) {
	if !o.Set || o.Null {
		return []byte("null"), nil
	}
	return json.Marshal(o.Value)
}

// UnmarshalJSON marks the value present; JSON null sets Null.
func (o *OptNull[T]) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		var zero T
		*o = OptNull[T]{Value: zero, Set: true, Null: true}
		return nil
	}
	// Strictly (kit.DecodeStrict), as for any other field: a null inside the value (an
	// element of a []string, say) is an error, not a zero value.
	var v T
	if err := decodeStrict(b, &v); err != nil {
		return err
	}
	*o = OptNull[T]{Value: v, Set: true}
	return nil
}

// decodeStrict is kit.DecodeStrict for OptNull, which generated code decodes through encoding/json.
func decodeStrict(data []byte, v any) error {
	var list []Violation
	err := strict.Decode(data, v, func(pointer, keyword, message string) {
		list = append(list, Violation{Pointer: clipText(pointer, pointerLimit), Keyword: keyword, Message: clipText(message, messageLimit)})
	})
	if err != nil {
		return err
	}
	if len(list) > 0 {
		return &ValidationError{Violations: list}
	}
	return nil
}
