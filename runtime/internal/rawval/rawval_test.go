package rawval

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestTypeNameAndRender(t *testing.T) {
	quote := func(s string) string { return "q(" + s + ")" }
	clip := func(s string) string { return "c(" + s + ")" }
	for _, tc := range []struct {
		v           any
		name, shown string
	}{
		{nil, "null", "null"},
		{"ab", "string", "q(ab)"},
		{[]byte("ab"), "[]byte", "q(ab)"},
		{json.Number("1e400"), "json.Number", "c(1e400)"},
		{int64(7), "int64", "c(7)"},
		{true, "bool", "c(true)"},
		{time.Duration(1), "time.Duration", "c(1ns)"}, // a Stringer
		{map[string]any{}, "map[string]interface {}", "c(map[])"},
	} {
		if got := TypeName(tc.v); got != tc.name {
			t.Errorf("TypeName(%#v) = %q, want %q", tc.v, got, tc.name)
		}
		if got := Render(tc.v, quote, clip); got != tc.shown {
			t.Errorf("Render(%#v) = %q, want %q", tc.v, got, tc.shown)
		}
		if strings.Contains(Render(tc.v, quote, clip), "%!") {
			t.Errorf("Render(%#v) has a formatting error", tc.v)
		}
	}
}

func TestQuoteAny(t *testing.T) {
	quote := func(s string) string { return "q(" + s + ")" }
	clip := func(s string) string { return "c(" + s + ")" }
	for v, want := range map[any]string{"a": "q(a)", 7: "c(7)", nil: "c(<nil>)", time.Second: "c(1s)"} {
		if got := QuoteAny(v, quote, clip); got != want {
			t.Errorf("QuoteAny(%#v) = %q, want %q", v, got, want)
		}
	}
}
