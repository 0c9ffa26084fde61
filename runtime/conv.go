package runtime

import (
	"github.com/reftask/reftask/runtime/internal/rawval"

	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Record is one row of a query (column name -> driver value), or a decoded JSON object with string values (a
// Redis hash): what the generated converters of those sources read properties from.
type Record = map[string]any

// maxExactFloat is 2^53: every integer up to it in magnitude is exact in a float64.
const maxExactFloat = 1 << 53

// convErr builds a *ConvError; it is only reached on failure, so fmt's reflection is fine here.
func convErr(path string, v any, to string, detail error) error {
	switch v.(type) {
	case rawval.Absent:
		return missing(path, to)
	case nil:
		return nullNotAllowed(path, to)
	}
	return &ConvError{Path: path, From: typeName(v), To: to, Value: renderValue(v), Err: detail}
}

// missing is the conversion error for a required property the source did not provide (kit.Missing for generated code).
func missing(path, to string) error {
	return &ConvError{Path: path, From: "absent", To: to, Value: "(absent)", Err: rawval.MissingDetail(path)}
}

// nullNotAllowed is the conversion error for a null where the schema has no null (kit.NullNotAllowed).
func nullNotAllowed(path, to string) error {
	return &ConvError{Path: path, From: "null", To: to, Value: "null", Err: rawval.NullDetail(path)}
}

// typeName names the Go type of a raw value as an error shows it.
func typeName(v any) string { return rawval.TypeName(v) }

// renderValue shows a raw source value in an error, bounded by Quote's limit however large it is.
func renderValue(v any) string { return rawval.Render(v) }

// AsString accepts a string or []byte holding valid UTF-8; numbers are not turned into text.
func AsString(path string, v any) (string, error) {
	switch x := v.(type) {
	case string:
		if !utf8.ValidString(x) {
			return "", convErr(path, v, "string", errors.New("invalid UTF-8"))
		}
		return x, nil
	case []byte:
		if !utf8.Valid(x) {
			return "", convErr(path, v, "string", errors.New("invalid UTF-8"))
		}
		return string(x), nil
	}
	return "", convErr(path, v, "string", nil)
}

// AsInt64 accepts integers in range, integral floats in range, json.Number and base-10 integer text.
func AsInt64(path string, v any) (int64, error) {
	const to = "integer"
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case uint:
		return uintToInt64(path, v, uint64(x))
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		return uintToInt64(path, v, x)
	case uintptr:
		return uintToInt64(path, v, uint64(x))
	case float32:
		return floatToInt64(path, v, float64(x))
	case float64:
		return floatToInt64(path, v, x)
	case json.Number:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return n, nil
		}
		// JSON allows 1e3 or 5.0 for integers; big.Rat decides exactly whether the value is integral. Its parse
		// grows faster than the text, so a text no int64 needs (a source can send megabytes of digits) stops here.
		if len(x) > maxIntegerText || !isJSONNumber(string(x)) || !smallExponent(string(x)) {
			return 0, convErr(path, v, to, errors.New("not an integer in int64 range"))
		}
		r, ok := new(big.Rat).SetString(string(x))
		if !ok {
			return 0, convErr(path, v, to, errors.New("not a number"))
		}
		if !r.IsInt() || !r.Num().IsInt64() {
			return 0, convErr(path, v, to, errors.New("not an integer in int64 range"))
		}
		return r.Num().Int64(), nil
	case string:
		return parseIntText(path, v, x)
	case []byte:
		return parseIntText(path, v, string(x))
	}
	return 0, convErr(path, v, to, nil)
}

// maxIntegerText is the longest number text AsInt64 reads exactly; an int64 with a fraction of zeros or an
// exponent fits in far less.
const maxIntegerText = 1 << 10

func uintToInt64(path string, v any, u uint64) (int64, error) {
	if u > math.MaxInt64 {
		return 0, convErr(path, v, "integer", errors.New("out of int64 range"))
	}
	return int64(u), nil
}

func floatToInt64(path string, v any, f float64) (int64, error) {
	// float64(math.MaxInt64) rounds up to 2^63, which is out of range, hence the strict upper bound.
	if f != math.Trunc(f) || math.IsInf(f, 0) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, convErr(path, v, "integer", errors.New("not an integer in int64 range"))
	}
	return int64(f), nil
}

func parseIntText(path string, v any, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, convErr(path, v, "integer", unwrapNumErr(err))
	}
	return n, nil
}

func unwrapNumErr(err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		return ne.Err
	}
	return err
}

// isJSONNumber checks the JSON number grammar, which rejects the hex, underscore, Inf and NaN forms strconv would take.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	intDigits := digits()
	fracDigits := 0
	if i < len(s) && s[i] == '.' {
		i++
		fracDigits = digits()
	}
	if intDigits == 0 && fracDigits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// smallExponent bounds the exponent so big.Rat never materialises a number with millions of digits.
func smallExponent(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return true
	}
	e, err := strconv.Atoi(s[i+1:])
	return err == nil && e >= -400 && e <= 400
}

// AsFloat64 accepts floats, integers exactly representable (|v| ≤ 2^53), json.Number and numeric text.
func AsFloat64(path string, v any) (float64, error) {
	const to = "number"
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		// The float32's shortest decimal (0.1), not its widened binary
		// value (0.10000000149011612), as JSON would carry it.
		f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
		return f, nil
	case int:
		return intToFloat(path, v, int64(x))
	case int8:
		return float64(x), nil
	case int16:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int64:
		return intToFloat(path, v, x)
	case uint:
		return uintToFloat(path, v, uint64(x))
	case uint8:
		return float64(x), nil
	case uint16:
		return float64(x), nil
	case uint32:
		return float64(x), nil
	case uint64:
		return uintToFloat(path, v, x)
	case uintptr:
		return uintToFloat(path, v, uint64(x))
	case json.Number:
		return parseFloatText(path, v, string(x))
	case string:
		return parseFloatText(path, v, x)
	case []byte:
		return parseFloatText(path, v, string(x))
	}
	return 0, convErr(path, v, to, nil)
}

func intToFloat(path string, v any, n int64) (float64, error) {
	if n > maxExactFloat || n < -maxExactFloat {
		return 0, convErr(path, v, "number", errors.New("integer not exactly representable as float64"))
	}
	return float64(n), nil
}

func uintToFloat(path string, v any, n uint64) (float64, error) {
	if n > maxExactFloat {
		return 0, convErr(path, v, "number", errors.New("integer not exactly representable as float64"))
	}
	return float64(n), nil
}

func parseFloatText(path string, v any, s string) (float64, error) {
	if !isJSONNumber(s) {
		return 0, convErr(path, v, "number", errors.New("not a number"))
	}
	// Integer text gets the same exactness rule as Go integers.
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return intToFloat(path, v, n)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, convErr(path, v, "number", unwrapNumErr(err))
	}
	return f, nil
}

// AsBool accepts bool, integers 0 and 1 (how SQLite and MySQL store booleans) and the texts true, false, 0 and 1.
func AsBool(path string, v any) (bool, error) {
	const to = "boolean"
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		return parseBoolText(path, v, x)
	case []byte:
		return parseBoolText(path, v, string(x))
	case json.Number:
		return parseBoolText(path, v, string(x))
	case float32, float64:
		return false, convErr(path, v, to, nil)
	}
	n, err := AsInt64(path, v)
	if err != nil {
		return false, convErr(path, v, to, nil)
	}
	switch n {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, convErr(path, v, to, errors.New("integer is neither 0 nor 1"))
}

func parseBoolText(path string, v any, s string) (bool, error) {
	switch s {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, convErr(path, v, "boolean", nil)
}

// AsTime accepts time.Time, RFC 3339 text and SQLite's datetime text forms; text without a zone is UTC.
// The result is always in UTC.
func AsTime(path string, v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), nil
	case string:
		return parseTimeText(path, v, x)
	case []byte:
		return parseTimeText(path, v, string(x))
	}
	return time.Time{}, convErr(path, v, "date-time", nil)
}

func parseTimeText(path string, v any, s string) (time.Time, error) {
	// time.Time.String appends the monotonic clock reading, which carries no wall-clock meaning.
	if i := strings.Index(s, " m="); i >= 0 {
		s = s[:i]
	}
	// Fractional seconds are optional in every layout when parsing.
	layouts := [...]string{
		time.RFC3339Nano,
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999 -0700 MST", // time.Time.String, the modernc SQLite driver's default write format
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, convErr(path, v, "date-time", errors.New("not an RFC 3339 or SQLite datetime"))
}

// AsObject accepts a map[string]any or JSON object text, decoded with json.Number for numbers.
func AsObject(path string, v any) (map[string]any, error) {
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case string:
		var m map[string]any
		if err := decodeJSONText([]byte(x), &m); err != nil || m == nil {
			return nil, convErr(path, v, "object", err)
		}
		return m, nil
	case []byte:
		var m map[string]any
		if err := decodeJSONText(x, &m); err != nil || m == nil {
			return nil, convErr(path, v, "object", err)
		}
		return m, nil
	}
	return nil, convErr(path, v, "object", nil)
}

// AsArray accepts a []any or JSON array text, decoded with json.Number for numbers.
func AsArray(path string, v any) ([]any, error) {
	switch x := v.(type) {
	case []any:
		return x, nil
	case string:
		var a []any
		if err := decodeJSONText([]byte(x), &a); err != nil || a == nil {
			return nil, convErr(path, v, "array", err)
		}
		return a, nil
	case []byte:
		var a []any
		if err := decodeJSONText(x, &a); err != nil || a == nil {
			return nil, convErr(path, v, "array", err)
		}
		return a, nil
	}
	return nil, convErr(path, v, "array", nil)
}

func decodeJSONText(b []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after JSON value")
	}
	return nil
}

// IsNull reports whether a raw value is SQL NULL or JSON null.
func IsNull(v any) bool { return v == nil }
