package jsonv

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/reftask/reftask/internal/jsonnum"
)

func TestKind(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"null", nil, "null"},
		{"true", true, "boolean"},
		{"false", false, "boolean"},
		{"int", json.Number("1"), "integer"},
		{"negative int", json.Number("-42"), "integer"},
		{"negative zero", json.Number("-0"), "integer"},
		{"1.0 is an integer", json.Number("1.0"), "integer"},
		{"1e2 is an integer", json.Number("1e2"), "integer"},
		{"1E+2 is an integer", json.Number("1E+2"), "integer"},
		{"2.50e1 is an integer", json.Number("2.50e1"), "integer"},
		{"0e5 is an integer", json.Number("0e5"), "integer"},
		{"big int", json.Number("12345678901234567890"), "integer"},
		{"1e400 beyond float64", json.Number("1e400"), "integer"},
		{"fraction", json.Number("1.5"), "number"},
		{"negative exponent", json.Number("1e-2"), "number"},
		{"tiny", json.Number("1e-400"), "number"},
		{"12.5e-1", json.Number("12.5e-1"), "number"},
		{"string", "x", "string"},
		{"empty string", "", "string"},
		{"numeric string", "1", "string"},
		{"array", []any{}, "array"},
		{"nil array", []any(nil), "array"},
		{"object", map[string]any{}, "object"},
		{"not decoded: float64", 1.5, "float64"},
		{"not decoded: int", 1, "int"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Kind(tc.v); got != tc.want {
				t.Errorf("Kind(%#v) = %q, want %q", tc.v, got, tc.want)
			}
		})
	}
}

func TestJSONKindHugeExponent(t *testing.T) {
	// 1e1000001 is valid JSON and an integer, but big.Rat.SetString refuses
	// exponents above 1e6, so IsJSONInteger reports false.
	if got := Kind(json.Number("1e1000001")); got != "integer" {
		t.Errorf("Kind(1e1000001) = %q, want integer", got)
	}
}

func TestSortedKeys(t *testing.T) {
	tests := []struct {
		o    map[string]any
		want []string
	}{
		{nil, []string{}},
		{map[string]any{}, []string{}},
		{map[string]any{"b": 1, "a": 2, "": 3, "B": 4, "é": 5, "aa": 6}, []string{"", "B", "a", "aa", "b", "é"}},
	}
	for _, tc := range tests {
		for range 5 { // map order varies from run to run
			got := SortedKeys(tc.o)
			if len(got) != len(tc.want) || (len(got) > 0 && !reflect.DeepEqual(got, tc.want)) {
				t.Fatalf("SortedKeys(%v) = %q, want %q", tc.o, got, tc.want)
			}
		}
	}
}

func TestNormalizeIntegers(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"no dot or exponent: unchanged bytes", `{"b":1, "a":2}`, `{"b":1, "a":2}`},
		{"1.0", `1.0`, `1`},
		{"1e2", `1e2`, `100`},
		{"1E+2", `1E+2`, `100`},
		{"-2.000", `-2.000`, `-2`},
		{"-0.0", `-0.0`, `0`},
		{"250e-1", `250e-1`, `25`},
		{"fraction kept", `1.5`, `1.5`},
		{"negative exponent kept", `1e-2`, `1e-2`},
		{"beyond int64 kept", `1e19`, `1e19`},
		{"1e400 kept", `1e400`, `1e400`},
		{"huge exponent kept, not written out", `[1e999999999]`, `[1e999999999]`},
		{"max int64", `9.223372036854775807e18`, `9223372036854775807`},
		{"min int64", `-9.223372036854775808e18`, `-9223372036854775808`},
		{"just above int64 kept", `9.223372036854775808e18`, `9.223372036854775808e18`},
		{"dot only in a string", `{"s":"1.0"}`, `{"s":"1.0"}`},
		{"e only in a string", `{"key":"e"}`, `{"key":"e"}`},
		{"nested", `{"a":[1.0,{"b":2e0}],"c":1.5,"d":"x.y"}`, `{"a":[1,{"b":2}],"c":1.5,"d":"x.y"}`},
		{"big int kept exact", `[1.0,12345678901234567890]`, `[1,12345678901234567890]`},
		{"invalid JSON unchanged", `{"a":1.0`, `{"a":1.0`},
		{"trailing data unchanged", `1.0 2`, `1.0 2`},
		{"empty", ``, ``},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := NormalizeIntegers([]byte(tc.in))
			if string(got) != tc.want {
				t.Errorf("NormalizeIntegers(%s) = %s, want %s", tc.in, got, tc.want)
			}
			// Whatever it returns is the same JSON Schema value.
			if orig, err := Decode([]byte(tc.in)); err == nil {
				if v, err := Decode(got); err != nil || !jsonnum.Equal(orig, v) {
					t.Errorf("NormalizeIntegers changed the value: %s -> %s (%v)", tc.in, got, err)
				}
			}
		})
	}
	// Unchanged documents are returned as is, not copied.
	in := []byte(`{"a":1.5}`)
	if out := NormalizeIntegers(in); &out[0] != &in[0] {
		t.Error("unchanged document was copied")
	}
}
