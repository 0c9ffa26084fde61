package runtime

import (
	"encoding/json"
	"fmt"

	"github.com/reftask/reftask/runtime/internal/jsonv"
)

// JSONValue holds any JSON value. The generator uses it, by design and
// documented as such, for a schema that allows values of several JSON types
// (or of all types: a schema without "type") and for constructs that no
// precise Go type can express; generated code validates the value against
// its schema, applying each keyword only to instances of the type it is
// about. Inside, objects are map[string]any, arrays []any, numbers
// json.Number (exact, never rounded through float64), and null is nil.
type JSONValue struct {
	v any
}

// JSONOf wraps a decoded JSON value; float64 and integer Go numbers are
// turned into json.Number, so values from any decoder compare the same. A
// value with no JSON form (NaN, a json.Number that is not a number, a
// channel) becomes null, as AsJSONValue would report it as an error.
func JSONOf(v any) JSONValue { return JSONValue{v: normalizeJSON(v)} }

// Any returns the value: nil, bool, json.Number, string, []any or
// map[string]any.
func (j JSONValue) Any() any { return j.v }

// Kind names the value's JSON type: null, boolean, integer, number,
// string, array or object (integer for a number without a fraction).
func (j JSONValue) Kind() string { return jsonv.Kind(j.v) }

// IsNull reports whether the value is JSON null.
func (j JSONValue) IsNull() bool { return j.v == nil }

// MarshalJSON writes the value back as it was decoded.
func (j JSONValue) MarshalJSON() ([]byte, error) { return json.Marshal(j.v) }

// UnmarshalJSON decodes any JSON value, keeping numbers exact.
func (j *JSONValue) UnmarshalJSON(data []byte) error {
	v, err := jsonv.Decode(data)
	if err != nil {
		return err
	}
	j.v = v
	return nil
}

// String renders the value as compact JSON.
func (j JSONValue) String() string {
	b, err := json.Marshal(j.v)
	if err != nil {
		return fmt.Sprint(j.v)
	}
	return string(b)
}

func normalizeJSON(v any) any {
	out, err := jsonv.FromGo(v)
	if err != nil {
		return nil
	}
	return out
}
