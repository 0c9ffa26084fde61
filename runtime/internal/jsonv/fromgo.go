package jsonv

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"

	"github.com/reftask/reftask/internal/jsonnum"
)

// FromGo converts a Go value to the JSON types Decode gives (nil, bool, string, json.Number, []any,
// map[string]any), copying containers: Go numbers become exact json.Number, []byte a string, and anything
// else goes through encoding/json. A value with no JSON form (NaN, a json.Number that is not a number, a
// channel) is an error.
func FromGo(raw any) (any, error) {
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
			v, err := FromGo(e)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			v, err := FromGo(e)
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
	return Decode(b)
}
