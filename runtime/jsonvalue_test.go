package runtime

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/reftask/reftask/internal/jsonnum"
	"github.com/reftask/reftask/runtime/internal/jsonv"
)

// jvDecode decodes a JSON text for a test, failing it on error.
func jvDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := jsonv.Decode([]byte(s))
	if err != nil {
		t.Fatalf("jsonv.Decode(%s): %v", s, err)
	}
	return v
}

func TestJSONValueKindAndIsNull(t *testing.T) {
	tests := []struct {
		text string
		kind string
		null bool
	}{
		{`null`, "null", true},
		{`true`, "boolean", false},
		{`1`, "integer", false},
		{`1.0`, "integer", false},
		{`1.25`, "number", false},
		{`"s"`, "string", false},
		{`[null]`, "array", false},
		{`{"a":null}`, "object", false},
	}
	for _, tc := range tests {
		var j JSONValue
		if err := json.Unmarshal([]byte(tc.text), &j); err != nil {
			t.Fatalf("Unmarshal(%s): %v", tc.text, err)
		}
		if got := j.Kind(); got != tc.kind {
			t.Errorf("%s: Kind = %q, want %q", tc.text, got, tc.kind)
		}
		if got := j.IsNull(); got != tc.null {
			t.Errorf("%s: IsNull = %v, want %v", tc.text, got, tc.null)
		}
	}
	var zero JSONValue
	if !zero.IsNull() || zero.Kind() != "null" || zero.Any() != nil || zero.String() != "null" {
		t.Errorf("zero JSONValue: IsNull=%v Kind=%q Any=%v String=%q", zero.IsNull(), zero.Kind(), zero.Any(), zero.String())
	}
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    any
		wantErr bool
	}{
		{"null", `null`, nil, false},
		{"number stays text", `1.0`, json.Number("1.0"), false},
		{"1e400 exact", `1e400`, json.Number("1e400"), false},
		{"big int exact", `12345678901234567890`, json.Number("12345678901234567890"), false},
		{"precise decimal", `0.10000000000000000000001`, json.Number("0.10000000000000000000001"), false},
		{"whitespace around", " \n\t{\"a\":[1,true,\"x\",null]} \n", map[string]any{"a": []any{json.Number("1"), true, "x", nil}}, false},
		{"empty", ``, nil, true},
		{"only space", `   `, nil, true},
		{"trailing value", `1 2`, nil, true},
		{"trailing object", `{} {}`, nil, true},
		{"trailing garbage", `{"a":1}x`, nil, true},
		{"truncated", `{"a":`, nil, true},
		{"invalid literal", `nul`, nil, true},
		{"NaN", `NaN`, nil, true},
		{"leading zero", `01`, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := jsonv.Decode([]byte(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("jsonv.Decode(%q) error = %v, wantErr %v", tc.in, err, tc.wantErr)
			}
			if !tc.wantErr && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("jsonv.Decode(%q) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
}

func TestJSONValueRoundTrip(t *testing.T) {
	// Marshal writes the value back as decoded; json.Marshal sorts object
	// keys, so the inputs here list them sorted.
	texts := []string{
		`null`, `true`, `false`, `0`, `-0`, `1`, `1.0`, `1.50`, `1e2`, `1E+2`, `-1.5e-7`,
		`1e400`, `-1e400`, `1e-400`,
		`12345678901234567890`, `-98765432109876543210987654321`,
		`0.1000000000000000000000000000001`,
		`""`, `"a\"b"`, `"é"`,
		`[]`, `{}`, `[1,1.0,"1",null,[true]]`,
		`{"a":{"b":[1e400,12345678901234567890]},"c":null}`,
	}
	for _, text := range texts {
		t.Run(text, func(t *testing.T) {
			var j JSONValue
			if err := j.UnmarshalJSON([]byte(text)); err != nil {
				t.Fatalf("UnmarshalJSON: %v", err)
			}
			b, err := j.MarshalJSON()
			if err != nil {
				t.Fatalf("MarshalJSON: %v", err)
			}
			if string(b) != text {
				t.Errorf("MarshalJSON = %s, want %s", b, text)
			}
			if s := j.String(); s != text {
				t.Errorf("String = %s, want %s", s, text)
			}
			// Through a struct field with encoding/json on both sides.
			var wrap struct{ V JSONValue }
			if err := json.Unmarshal([]byte(`{"V":`+text+`}`), &wrap); err != nil {
				t.Fatalf("Unmarshal into struct: %v", err)
			}
			out, err := json.Marshal(wrap)
			if err != nil {
				t.Fatalf("Marshal struct: %v", err)
			}
			if want := `{"V":` + text + `}`; string(out) != want {
				t.Errorf("struct round trip = %s, want %s", out, want)
			}
		})
	}

	// Key order of the input does not matter to the value.
	var a, b JSONValue
	if err := json.Unmarshal([]byte(`{"b":1,"a":2}`), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(`{"a":2.0,"b":1}`), &b); err != nil {
		t.Fatal(err)
	}
	if !jsonnum.Equal(a.Any(), b.Any()) {
		t.Errorf("%s != %s", a, b)
	}
}

func TestJSONValueUnmarshalErrors(t *testing.T) {
	for _, text := range []string{``, `{`, `1 2`, `[1,]`, `{"a" 1}`} {
		j := JSONOf("keep")
		if err := j.UnmarshalJSON([]byte(text)); err == nil {
			t.Errorf("UnmarshalJSON(%q): no error", text)
		}
		if j.Any() != "keep" {
			t.Errorf("UnmarshalJSON(%q) error changed the value to %v", text, j.Any())
		}
	}
}

func TestJSONOf(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"nil", nil, nil},
		{"bool", true, true},
		{"string", "s", "s"},
		{"float64 integral", float64(1), json.Number("1")},
		{"float64 fraction", 1.5, json.Number("1.5")},
		{"float64 0.1", 0.1, json.Number("0.1")},
		{"float64 big", 1e21, json.Number("1e+21")},
		{"float64 max", math.MaxFloat64, json.Number("1.7976931348623157e+308")},
		{"int", 7, json.Number("7")},
		{"int64 min", int64(math.MinInt64), json.Number("-9223372036854775808")},
		{"int32", int32(-5), json.Number("-5")},
		{"uint64 max", uint64(math.MaxUint64), json.Number("18446744073709551615")},
		{"json.Number kept", json.Number("1.0"), json.Number("1.0")},
		{"NaN becomes null", math.NaN(), nil},
		{"+Inf becomes null", math.Inf(1), nil},
		{"nested float64", map[string]any{"a": []any{1.0, 2.5}}, map[string]any{"a": []any{json.Number("1"), json.Number("2.5")}}},
		{"typed slice via JSON", []int{1, 2}, []any{json.Number("1"), json.Number("2")}},
		{"struct via JSON", struct{ A int8 }{3}, map[string]any{"A": json.Number("3")}},
		{"uint8 via JSON", uint8(200), json.Number("200")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := JSONOf(tc.in).Any(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("JSONOf(%#v).Any() = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
	// Values from different decoders compare the same.
	if !jsonnum.Equal(JSONOf(1.0).Any(), JSONOf(json.Number("1")).Any()) || !jsonnum.Equal(JSONOf(int64(1)).Any(), JSONOf(1.0).Any()) {
		t.Error("JSONOf of 1 from float64, int64 and json.Number differ")
	}
}
