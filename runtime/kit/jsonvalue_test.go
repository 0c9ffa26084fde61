package kit

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/reftask/reftask/internal/jsonnum"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/rawval"
	"github.com/reftask/reftask/runtime/internal/wire"
)

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
			var ce *runtime.ConvError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v, want *runtime.ConvError", err, err)
			}
			if ce.Path != "/a/b" || ce.From != tc.from {
				t.Errorf("runtime.ConvError Path=%q From=%q, want /a/b %q", ce.Path, ce.From, tc.from)
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

func TestJSONValueCacheCodec(t *testing.T) {
	texts := []string{
		`null`, `true`, `0`, `-0`, `1.0`, `1e400`, `12345678901234567890`, `0.0075`,
		`""`, `"ü\n\"x"`, `[]`, `{}`, `[1,[2,[3]],{"a":null}]`,
		`{"a":1.50,"b":"` + strings.Repeat("x", 300) + `"}`, // length needs a 2-byte uvarint
	}
	var vals []runtime.JSONValue
	for _, text := range texts {
		var j runtime.JSONValue
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
	buf := AppendJSONValue(nil, runtime.JSONOf(map[string]any{"k": "abc"}))
	got := ReadJSONValue(NewReader(buf))
	for i := range buf {
		buf[i] = 'X'
	}
	if got.String() != `{"k":"abc"}` {
		t.Errorf("value changed with its buffer: %s", got)
	}
}

func TestReadJSONValueCorrupt(t *testing.T) {
	full := AppendJSONValue(nil, runtime.JSONOf(map[string]any{"a": []any{json.Number("1e400"), "x"}}))
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
			if rd.Err() == nil {
				t.Errorf("Err = %v, want a corrupt-entry error", rd.Err())
			}
			if !got.IsNull() {
				t.Errorf("value %s, want zero", got)
			}
			// Once failed, later reads return zero values and keep the error.
			if again := ReadJSONValue(rd); !again.IsNull() || rd.Err() == nil {
				t.Errorf("read after error: %s, %v", again, rd.Err())
			}
		})
	}

	// A failed reader does not read further even from valid bytes.
	good := AppendJSONValue(nil, runtime.JSONOf("ok"))
	rd := NewReader(append(wire.AppendString(nil, "{"), good...))
	ReadJSONValue(rd)
	if got := ReadJSONValue(rd); !got.IsNull() || rd.Err() == nil {
		t.Errorf("read after a corrupt value: %s, %v", got, rd.Err())
	}
}
