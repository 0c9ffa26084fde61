package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"

	"github.com/reftask/reftask/internal/jsonnum"
	"github.com/reftask/reftask/runtime/internal/jsonv"
	"github.com/reftask/reftask/runtime/internal/rawval"
	"github.com/reftask/reftask/runtime/internal/wire"
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

// AppendJSONValue encodes a JSONValue for the cache, as its JSON text, which is also what a source is sent.
// Every constructor of JSONValue keeps to values that encoding/json can write, so the text always exists; were
// it ever missing, the value would be written as a text that is not JSON, which tells it from every real value
// in a key and which ReadJSONValue refuses as a corrupt entry, rather than as a null another value shares.
func AppendJSONValue(dst []byte, v JSONValue) []byte {
	b, err := json.Marshal(v.v)
	if err != nil {
		return wire.AppendString(dst, "\x00"+string(wire.AppendGoKey(nil, reflect.ValueOf(v.v), 0)))
	}
	return wire.AppendString(dst, string(b))
}

// ReadJSONValue reads what AppendJSONValue wrote; a corrupt entry sets the
// reader's error.
func ReadJSONValue(rd *Reader) JSONValue {
	s := rd.String()
	if rd.Err() != nil {
		return JSONValue{}
	}
	v, err := jsonv.Decode([]byte(s))
	if err != nil {
		rd.fail()
		return JSONValue{}
	}
	return JSONValue{v: v}
}

// AsJSONValue converts a raw source value; every JSON value is accepted,
// numbers of any Go numeric type become exact json.Number.
func AsJSONValue(path string, raw any) (JSONValue, error) {
	if _, ok := raw.(rawval.Absent); ok {
		return JSONValue{}, missing(path, "value")
	}
	v, err := toJSON(raw)
	if err != nil {
		return JSONValue{}, &ConvError{Path: path, From: fmt.Sprintf("%T", raw), To: "JSON value", Value: fmt.Sprint(raw), Err: err}
	}
	return JSONValue{v: v}, nil
}

func toJSON(raw any) (any, error) {
	switch x := raw.(type) {
	case nil, bool, string:
		return x, nil
	case json.Number:
		// Checked so that every JSONValue has a JSON text: its cache key and its body are that text.
		if !jsonnum.IsLiteral(string(x)) {
			return nil, errors.New("not a JSON number")
		}
		return x, nil
	case []byte:
		return string(x), nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			v, err := toJSON(e)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			v, err := toJSON(e)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, errors.New("not a JSON number")
		}
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), nil
	case float32:
		// Formatted at 32-bit precision, as encoding/json writes a float32,
		// so that 0.1 stays 0.1 rather than its widened float64 digits.
		if math.IsInf(float64(x), 0) || math.IsNaN(float64(x)) {
			return nil, errors.New("not a JSON number")
		}
		return json.Number(strconv.FormatFloat(float64(x), 'g', -1, 32)), nil
	case int:
		return json.Number(strconv.Itoa(x)), nil
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), nil
	case int32:
		return json.Number(strconv.FormatInt(int64(x), 10)), nil
	case uint64:
		return json.Number(strconv.FormatUint(x, 10)), nil
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	return jsonv.Decode(b)
}

func normalizeJSON(v any) any {
	out, err := toJSON(v)
	if err != nil {
		return nil
	}
	return out
}
