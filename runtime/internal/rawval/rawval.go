// Package rawval names and shows raw source values (what a driver, a JSON
// decoder or a YAML parser hands over) in conversion errors. Package
// runtime and package kit both build such errors, so the wording lives here.
package rawval

import (
	"encoding/json"
	"fmt"

	"github.com/reftask/reftask/internal/quote"
)

// TypeName names the Go type of a raw value as an error shows it: "null" for nil.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []byte:
		return "[]byte"
	case json.Number:
		return "json.Number"
	}
	return fmt.Sprintf("%T", v)
}

// Render shows a raw value in an error, bounded however large it is (see
// internal/quote): text quoted, a number and anything else as it prints.
func Render(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case json.Number:
		return quote.Clip(string(x))
	}
	return QuoteAny(v)
}

// QuoteAny shows a value of any type: text quoted, anything else printed
// with %v, both bounded.
func QuoteAny(v any) string {
	switch x := v.(type) {
	case string:
		return quote.Quote(x)
	case []byte:
		return quote.Quote(string(x))
	case fmt.Stringer:
		return quote.Clip(x.String())
	}
	return quote.Clip(fmt.Sprint(v))
}

// Absent stands for a property the source did not provide, so that the
// conversions can tell "missing" from "null": kit.Prop and a SQL row's
// Col return it, the runtime's and the kit's conversions report it.
type Absent struct{}

// DisplayPath shows a JSON pointer in a message; the empty pointer is the root.
func DisplayPath(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}

// MissingDetail is the detail of the conversion error for a required property the source did not provide.
func MissingDetail(path string) error {
	return fmt.Errorf("required property %s is missing", DisplayPath(path))
}

// NullDetail is the detail of the conversion error for a null where the schema has no null.
func NullDetail(path string) error {
	return fmt.Errorf("property %s is null but its schema does not allow null", DisplayPath(path))
}
