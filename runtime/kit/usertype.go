package kit

import (
	"database/sql"
	"encoding"
	"encoding/json"
	"errors"
	"math"
	"strings"

	"github.com/reftask/reftask/runtime/internal/rawval"
)

// The helpers generated code calls for a schema whose Go type the spec
// names with x-go-type: a builtin numeric type, or a user type that
// marshals itself to and from JSON (json.Marshaler and json.Unmarshaler,
// or encoding.TextMarshaler and TextUnmarshaler).

// Integer is the builtin integer types x-go-type may name.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// AsInteger converts like AsInt64, then checks that the value fits T.
func AsInteger[T Integer](path string, v any) (T, error) {
	n, err := AsInt64(path, v)
	if err != nil {
		return 0, err
	}
	t := T(n)
	if int64(t) != n || (n < 0 && t > 0) {
		return 0, convErr(path, v, "integer", errors.New("out of range of the Go type"))
	}
	return t, nil
}

// AsFloat32 converts like AsFloat64, then checks that the value fits a float32.
func AsFloat32(path string, v any) (float32, error) {
	f, err := AsFloat64(path, v)
	if err != nil {
		return 0, err
	}
	if math.Abs(f) > math.MaxFloat32 {
		return 0, convErr(path, v, "number", errors.New("out of range of float32"))
	}
	return float32(f), nil
}

// AsUserType converts a raw source value into a user type: through its
// sql.Scanner for a scalar, its encoding.TextUnmarshaler for text, and
// otherwise through its JSON form (a decoded JSON value marshals back to
// the JSON it came from).
func AsUserType[T any](path string, v any) (T, error) {
	var out T
	switch v.(type) {
	case nil:
		return out, NullNotAllowed(path, "value")
	case rawval.Absent:
		return out, Missing(path, "value")
	}
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch x := any(&out).(type) {
	case sql.Scanner:
		switch v.(type) {
		case map[string]any, []any:
		default:
			if err := x.Scan(v); err != nil {
				return out, convErr(path, v, typeNameOf[T](), err)
			}
			return out, nil
		}
	case encoding.TextUnmarshaler:
		if s, ok := v.(string); ok {
			if _, isJSON := any(&out).(json.Unmarshaler); !isJSON {
				if err := x.UnmarshalText([]byte(s)); err != nil {
					return out, convErr(path, v, typeNameOf[T](), err)
				}
				return out, nil
			}
		}
	}
	data, err := json.Marshal(v)
	if err != nil {
		return out, convErr(path, v, typeNameOf[T](), err)
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return out, convErr(path, v, typeNameOf[T](), err)
	}
	return out, nil
}

func typeNameOf[T any]() string {
	var zero T
	name := typeName(zero)
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}
