package rawval

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reftask/reftask/internal/quote"
)

// quoted and clipped are what internal/quote makes of short texts.
func quoted(s string) string  { return quote.Quote(s) }
func clipped(s string) string { return quote.Clip(s) }

func TestTypeNameAndRender(t *testing.T) {
	long := strings.Repeat("x", 3*quote.Limit)
	for _, tc := range []struct {
		v           any
		name, shown string
	}{
		{nil, "null", "null"},
		{"ab", "string", quoted("ab")},
		{[]byte("ab"), "[]byte", quoted("ab")},
		{long, "string", quoted(long)}, // bounded
		{json.Number("1e400"), "json.Number", clipped("1e400")},
		{int64(7), "int64", clipped("7")},
		{true, "bool", clipped("true")},
		{time.Duration(1), "time.Duration", clipped("1ns")}, // a Stringer
		{map[string]any{}, "map[string]interface {}", clipped("map[]")},
	} {
		if got := TypeName(tc.v); got != tc.name {
			t.Errorf("TypeName(%#v) = %q, want %q", tc.v, got, tc.name)
		}
		if got := Render(tc.v); got != tc.shown {
			t.Errorf("Render(%#v) = %q, want %q", tc.v, got, tc.shown)
		}
		if strings.Contains(Render(tc.v), "%!") {
			t.Errorf("Render(%#v) has a formatting error", tc.v)
		}
	}
}

func TestQuoteAny(t *testing.T) {
	for v, want := range map[any]string{"a": quoted("a"), 7: clipped("7"), nil: clipped("<nil>"), time.Second: clipped("1s")} {
		if got := QuoteAny(v); got != want {
			t.Errorf("QuoteAny(%#v) = %q, want %q", v, got, want)
		}
	}
}
