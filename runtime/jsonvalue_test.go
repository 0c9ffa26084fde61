package runtime

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/reftask/reftask/internal/jsonnum"
	"github.com/reftask/reftask/runtime/internal/jsonv"
	"github.com/reftask/reftask/runtime/internal/rawval"
	"github.com/reftask/reftask/runtime/internal/wire"
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

func TestAsJSONValue(t *testing.T) {
	tests := []struct {
		name string
		raw  any
		want any
	}{
		{"nil", nil, nil},
		{"bool", false, false},
		{"string", "x", "x"},
		{"bytes become string", []byte("héllo"), "héllo"},
		{"float64", 2.25, json.Number("2.25")},
		{"float64 integral", 3.0, json.Number("3")},
		{"int", -1, json.Number("-1")},
		{"int64", int64(1) << 62, json.Number("4611686018427387904")},
		{"int32", int32(math.MaxInt32), json.Number("2147483647")},
		{"uint64 above int64", uint64(12345678901234567890), json.Number("12345678901234567890")},
		{"int16 via JSON", int16(-300), json.Number("-300")},
		{"uint via JSON", uint(9), json.Number("9")},
		{"json.Number", json.Number("1e400"), json.Number("1e400")},
		{"object", map[string]any{"a": 1.5, "b": []any{int64(2), nil, []byte("z")}}, map[string]any{"a": json.Number("1.5"), "b": []any{json.Number("2"), nil, "z"}}},
		{"typed map via JSON", map[string]int{"k": 4}, map[string]any{"k": json.Number("4")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AsJSONValue("/p", tc.raw)
			if err != nil {
				t.Fatalf("AsJSONValue(%#v): %v", tc.raw, err)
			}
			if !reflect.DeepEqual(got.Any(), tc.want) {
				t.Errorf("AsJSONValue(%#v) = %#v, want %#v", tc.raw, got.Any(), tc.want)
			}
		})
	}

	errTests := []struct {
		name string
		raw  any
		from string
	}{
		{"absent", rawval.Absent{}, "absent"},
		{"NaN", math.NaN(), "float64"},
		{"-Inf", math.Inf(-1), "float64"},
		{"float32 Inf", float32(math.Inf(1)), "float32"},
		{"NaN nested in object", map[string]any{"a": []any{math.NaN()}}, "map[string]interface {}"},
		{"channel", make(chan int), "chan int"},
		{"func in typed map", map[string]func(){"f": nil}, "map[string]func()"},
	}
	for _, tc := range errTests {
		t.Run("error/"+tc.name, func(t *testing.T) {
			got, err := AsJSONValue("/a/b", tc.raw)
			if err == nil {
				t.Fatalf("AsJSONValue(%T): no error, got %v", tc.raw, got)
			}
			var ce *ConvError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v, want *ConvError", err, err)
			}
			if ce.Path != "/a/b" || ce.From != tc.from {
				t.Errorf("ConvError Path=%q From=%q, want /a/b %q", ce.Path, ce.From, tc.from)
			}
			if !got.IsNull() {
				t.Errorf("value on error = %v, want zero", got)
			}
		})
	}

	// Objects and arrays are deep-copied: the runtime reuses source records.
	src := map[string]any{"a": []any{"x"}, "m": map[string]any{"k": "v"}}
	j, err := AsJSONValue("", src)
	if err != nil {
		t.Fatal(err)
	}
	src["a"].([]any)[0] = "changed"
	src["m"].(map[string]any)["k"] = "changed"
	src["new"] = true
	if want := `{"a":["x"],"m":{"k":"v"}}`; j.String() != want {
		t.Errorf("after mutating the source: %s, want %s", j, want)
	}
	buf := []byte("abc")
	j, _ = AsJSONValue("", buf)
	buf[0] = 'z'
	if j.Any() != "abc" {
		t.Errorf("[]byte not copied: %v", j.Any())
	}
}

func TestAsJSONValueFloat32(t *testing.T) {
	// A float32 nested in a typed value goes through json.Marshal and is
	// written with 32-bit precision ("0.1"); a bare float32 must give the
	// same JSON value, not its widened float64 digits.
	nested, err := AsJSONValue("", []float32{0.1})
	if err != nil {
		t.Fatal(err)
	}
	if got := nested.String(); got != "[0.1]" {
		t.Fatalf("[]float32{0.1} = %s, want [0.1]", got)
	}
	whole, err := AsJSONValue("", float32(1.5))
	if err != nil || whole.String() != "1.5" {
		t.Fatalf("float32(1.5) = %s, %v; want 1.5", whole, err)
	}
	bare, err := AsJSONValue("", float32(0.1))
	if err != nil {
		t.Fatal(err)
	}
	if bare.String() != "0.1" || !jsonnum.Equal(bare.Any(), nested.Any().([]any)[0]) {
		t.Errorf("float32(0.1) = %s, nested = %s", bare, nested)
	}
}

func TestDecodeStrict(t *testing.T) {
	type rec struct {
		N int64
		F float64
		S string
		L []int64
		P *int64
		U uint64
		J JSONValue
	}
	i64 := func(n int64) *int64 { return &n }
	tests := []struct {
		name    string
		in      string
		want    rec
		wantErr bool
	}{
		{"plain", `{"N":1,"F":2.5,"S":"x"}`, rec{N: 1, F: 2.5, S: "x"}, false},
		{"1.0 into int64", `{"N":1.0}`, rec{N: 1}, false},
		{"1e2 into int64", `{"N":1e2}`, rec{N: 100}, false},
		{"-5.00 into int64", `{"N":-5.00}`, rec{N: -5}, false},
		{"in a slice", `{"L":[1.0,2e0,3]}`, rec{L: []int64{1, 2, 3}}, false},
		{"through a pointer", `{"P":7.0}`, rec{P: i64(7)}, false},
		{"float field keeps fraction", `{"F":1.0,"N":2}`, rec{F: 1, N: 2}, false},
		{"big uint64", `{"U":12345678901234567890}`, rec{U: 12345678901234567890}, false},
		{"JSONValue keeps value", `{"J":1e400}`, rec{J: JSONOf(json.Number("1e400"))}, false},
		{"1.5 into int64", `{"N":1.5}`, rec{}, true},
		{"1e-1 into int64", `{"N":1e-1}`, rec{}, true},
		{"1e19 into int64", `{"N":1e19}`, rec{}, true},
		{"string into int64", `{"N":"1"}`, rec{}, true},
		{"invalid JSON", `{"N":1.0`, rec{}, true},
		{"trailing data", `{"N":1} {}`, rec{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got rec
			err := DecodeStrict([]byte(tc.in), &got)
			if (err != nil) != tc.wantErr {
				t.Fatalf("DecodeStrict(%s) error = %v, wantErr %v", tc.in, err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("DecodeStrict(%s) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}

	// Scalars at the top level.
	var n int64
	for _, in := range []string{`1.0`, `1e0`, ` 1 `} {
		n = 0
		if err := DecodeStrict([]byte(in), &n); err != nil || n != 1 {
			t.Errorf("DecodeStrict(%q, *int64) = %d, %v; want 1", in, n, err)
		}
	}
	if err := DecodeStrict([]byte(`1.5`), &n); err == nil {
		t.Error("DecodeStrict(1.5, *int64): no error")
	}

	// Top-level null is a validation error, whatever the target.
	for _, in := range []string{`null`, ` null`, "\n\tnull \r\n"} {
		var r rec
		err := DecodeStrict([]byte(in), &r)
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("DecodeStrict(%q) = %v, want *ValidationError", in, err)
		}
		if len(ve.Violations) != 1 || ve.Violations[0].Pointer != "" || ve.Violations[0].Keyword != "type" {
			t.Errorf("DecodeStrict(%q) violations = %+v", in, ve.Violations)
		}
		var p *int64
		if err := DecodeStrict([]byte(in), &p); err == nil {
			t.Errorf("DecodeStrict(%q, **int64): no error", in)
		}
	}
	// A nested null is not the decoder's business.
	var r rec
	if err := DecodeStrict([]byte(`{"P":null,"N":1.0}`), &r); err != nil || r.P != nil || r.N != 1 {
		t.Errorf("nested null: %+v, %v", r, err)
	}
}

func TestJSONValueCacheCodec(t *testing.T) {
	texts := []string{
		`null`, `true`, `0`, `-0`, `1.0`, `1e400`, `12345678901234567890`, `0.0075`,
		`""`, `"ü\n\"x"`, `[]`, `{}`, `[1,[2,[3]],{"a":null}]`,
		`{"a":1.50,"b":"` + strings.Repeat("x", 300) + `"}`, // length needs a 2-byte uvarint
	}
	var vals []JSONValue
	for _, text := range texts {
		var j JSONValue
		if err := j.UnmarshalJSON([]byte(text)); err != nil {
			t.Fatal(err)
		}
		vals = append(vals, j)
	}

	// One value per buffer, then all of them in one buffer.
	for i, v := range vals {
		buf := AppendJSONValue([]byte("prefix"), v)
		if string(buf[:6]) != "prefix" {
			t.Fatalf("AppendJSONValue overwrote dst")
		}
		rd := NewReader(buf[6:])
		got := ReadJSONValue(rd)
		if rd.Err() != nil || rd.Rest() != 0 {
			t.Fatalf("%s: Err=%v Rest=%d", texts[i], rd.Err(), rd.Rest())
		}
		if got.String() != texts[i] {
			t.Errorf("round trip %s -> %s", texts[i], got)
		}
		if !reflect.DeepEqual(got.Any(), v.Any()) {
			t.Errorf("round trip %s: %#v, want %#v", texts[i], got.Any(), v.Any())
		}
	}
	var all []byte
	for _, v := range vals {
		all = AppendJSONValue(all, v)
	}
	all = wire.AppendInt64(all, 42)
	rd := NewReader(all)
	for i := range vals {
		if got := ReadJSONValue(rd); got.String() != texts[i] {
			t.Errorf("value %d: %s, want %s", i, got, texts[i])
		}
	}
	if n := rd.Int64(); n != 42 || rd.Err() != nil || rd.Rest() != 0 {
		t.Errorf("trailer: %d, Err=%v, Rest=%d", n, rd.Err(), rd.Rest())
	}

	// The decoded value does not alias the buffer.
	buf := AppendJSONValue(nil, JSONOf(map[string]any{"k": "abc"}))
	got := ReadJSONValue(NewReader(buf))
	for i := range buf {
		buf[i] = 'X'
	}
	if got.String() != `{"k":"abc"}` {
		t.Errorf("value changed with its buffer: %s", got)
	}

	// An unmarshalable value (not producible by decoding) is stored as null.
	buf = AppendJSONValue(nil, JSONValue{v: make(chan int)})
	if got := ReadJSONValue(NewReader(buf)); !got.IsNull() {
		t.Errorf("unmarshalable value read back as %s", got)
	}
}

func TestReadJSONValueCorrupt(t *testing.T) {
	full := AppendJSONValue(nil, JSONOf(map[string]any{"a": []any{json.Number("1e400"), "x"}}))
	// Every truncation sets the reader's error, without panicking.
	for n := range len(full) {
		t.Run("truncated", func(t *testing.T) {
			rd := NewReader(full[:n])
			got := ReadJSONValue(rd)
			if rd.Err() == nil {
				t.Errorf("truncated at %d/%d: no error, got %s", n, len(full), got)
			}
			if !got.IsNull() {
				t.Errorf("truncated at %d: value %s, want zero", n, got)
			}
		})
	}

	tests := []struct {
		name string
		buf  []byte
	}{
		{"empty", nil},
		{"zero length string", wire.AppendString(nil, "")},
		{"invalid JSON", wire.AppendString(nil, `{"a":`)},
		{"trailing data", wire.AppendString(nil, `1 2`)},
		{"not JSON", wire.AppendString(nil, `hello`)},
		{"length beyond buffer", append(wire.AppendLen(nil, 1000), `null`...)},
		{"bad uvarint", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"huge length", wire.AppendLen(nil, math.MaxInt)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rd := NewReader(tc.buf)
			got := ReadJSONValue(rd)
			if !errors.Is(rd.Err(), errCorrupt) {
				t.Errorf("Err = %v, want errCorrupt", rd.Err())
			}
			if !got.IsNull() {
				t.Errorf("value %s, want zero", got)
			}
			// Once failed, later reads return zero values and keep the error.
			if again := ReadJSONValue(rd); !again.IsNull() || !errors.Is(rd.Err(), errCorrupt) {
				t.Errorf("read after error: %s, %v", again, rd.Err())
			}
		})
	}

	// A failed reader does not read further even from valid bytes.
	good := AppendJSONValue(nil, JSONOf("ok"))
	rd := NewReader(append(wire.AppendString(nil, "{"), good...))
	ReadJSONValue(rd)
	if got := ReadJSONValue(rd); !got.IsNull() || rd.Err() == nil {
		t.Errorf("read after a corrupt value: %s, %v", got, rd.Err())
	}
}
