package kit

import (
	"encoding/json"

	"github.com/reftask/reftask/internal/jsonnum"
	"github.com/reftask/reftask/runtime/internal/jsonv"
)

// DecodeJSON decodes one JSON document with exact numbers (json.Number) and nothing after it.
func DecodeJSON(data []byte) (any, error) { return jsonv.Decode(data) }

// JSONKind names the JSON type of a decoded value: null, boolean, integer, number, string, array or object.
func JSONKind(v any) string { return jsonv.Kind(v) }

// IsJSONInteger reports whether n has no fractional part (1.0 and 1e2 have none).
func IsJSONInteger(n json.Number) bool { return jsonnum.IsInteger(n) }

// CompareNumber compares n with the decimal or fraction bound, exactly: -1, 0 or +1, at a cost bounded by the
// length of the texts.
func CompareNumber(n json.Number, bound string) int { return jsonnum.Compare(n, bound) }

// IsMultipleOfNumber reports, exactly, whether n is a multiple of m, a decimal or a fraction ("1/3"), at a cost
// bounded by the length of the texts.
func IsMultipleOfNumber(n json.Number, m string) bool { return jsonnum.IsMultipleOf(n, m) }

// EqualJSON reports whether two decoded JSON values are equal as JSON Schema defines it: numbers by value (1
// equals 1.0), objects regardless of key order.
func EqualJSON(a, b any) bool { return jsonnum.Equal(a, b) }

// SortedKeys returns an object's keys in order, so that violations are reported in the same order on every run.
func SortedKeys(o map[string]any) []string { return jsonv.SortedKeys(o) }

// NormalizeIntegers rewrites the numbers of a JSON document that have no fractional part but are written with
// one or with an exponent (1.0, 1e2) as plain integers, so that encoding/json decodes them into int64 fields:
// JSON Schema counts them as integers. Other documents are returned as they are.
func NormalizeIntegers(data []byte) []byte { return jsonv.NormalizeIntegers(data) }
