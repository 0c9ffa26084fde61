package kit

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reftask/reftask/runtime"
)

type convCase struct {
	in   any
	want any // nil when the conversion must fail
}

func runConv[T any](t *testing.T, name string, fn func(string, any) (T, error), cases []convCase) {
	t.Helper()
	for _, tc := range cases {
		got, err := fn("/p", tc.in)
		if tc.want == nil {
			var ce *runtime.ConvError
			if !errors.As(err, &ce) {
				t.Errorf("%s(%T %#v): err = %v, want *runtime.ConvError", name, tc.in, tc.in, err)
				continue
			}
			if ce.Path != "/p" || ce.To == "" || ce.From == "" || ce.Value == "" {
				t.Errorf("%s(%#v): incomplete ConvError %+v", name, tc.in, ce)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s(%T %#v): unexpected error %v", name, tc.in, tc.in, err)
			continue
		}
		if !reflect.DeepEqual(any(got), tc.want) {
			t.Errorf("%s(%T %#v) = %#v, want %#v", name, tc.in, tc.in, got, tc.want)
		}
	}
}

func TestAsInt64(t *testing.T) {
	runConv(t, "AsInt64", AsInt64, []convCase{
		{int(-5), int64(-5)},
		{int8(-8), int64(-8)},
		{int16(16), int64(16)},
		{int32(32), int64(32)},
		{int64(math.MinInt64), int64(math.MinInt64)},
		{uint(7), int64(7)},
		{uint8(255), int64(255)},
		{uint16(65535), int64(65535)},
		{uint32(math.MaxUint32), int64(math.MaxUint32)},
		{uint64(math.MaxInt64), int64(math.MaxInt64)},
		{uintptr(9), int64(9)},
		{float64(42), int64(42)},
		{float64(-1 << 53), int64(-1 << 53)},
		{float64(-9223372036854775808), int64(math.MinInt64)},
		{float32(1024), int64(1024)},
		{json.Number("123"), int64(123)},
		{json.Number("-9223372036854775808"), int64(math.MinInt64)},
		{json.Number("1e3"), int64(1000)},
		{json.Number("5.0"), int64(5)},
		{"77", int64(77)},
		{"-77", int64(-77)},
		{[]byte("9223372036854775807"), int64(math.MaxInt64)},
		// rejected
		{uint64(math.MaxInt64 + 1), nil},
		{uint(math.MaxUint64), nil},
		{float64(1.5), nil},
		{float64(9223372036854775807), nil}, // rounds to 2^63
		{math.Inf(1), nil},
		{math.NaN(), nil},
		{float32(0.5), nil},
		{json.Number("1.5"), nil},
		{json.Number("1e19"), nil},
		{json.Number("1e999999999"), nil},
		{json.Number("abc"), nil},
		{json.Number("0x10"), nil},
		{"9223372036854775808", nil},
		{"1.0", nil},
		{"1e3", nil},
		{" 1", nil},
		{"", nil},
		{[]byte("x"), nil},
		{true, nil},
		{nil, nil},
		{time.Time{}, nil},
	})
}

func TestAsFloat64(t *testing.T) {
	runConv(t, "AsFloat64", AsFloat64, []convCase{
		{float64(1.5), float64(1.5)},
		{float32(0.25), float64(0.25)},
		{float32(0.1), float64(0.1)},
		{math.Inf(-1), math.Inf(-1)},
		{int(3), float64(3)},
		{int8(-3), float64(-3)},
		{int16(3), float64(3)},
		{int32(3), float64(3)},
		{int64(1 << 53), float64(1 << 53)},
		{int64(-1 << 53), float64(-1 << 53)},
		{uint(3), float64(3)},
		{uint8(3), float64(3)},
		{uint16(3), float64(3)},
		{uint32(3), float64(3)},
		{uint64(1 << 53), float64(1 << 53)},
		{uintptr(3), float64(3)},
		{json.Number("2.5"), float64(2.5)},
		{json.Number("-1e-3"), float64(-0.001)},
		{"3.25", float64(3.25)},
		{[]byte("10"), float64(10)},
		{"9007199254740992", float64(1 << 53)},
		// rejected
		{int64(1<<53 + 1), nil},
		{int(-(1<<53 + 1)), nil},
		{uint64(1<<53 + 1), nil},
		{"9007199254740993", nil},
		{"1e400", nil},
		{"NaN", nil},
		{"Inf", nil},
		{"0x1p-2", nil},
		{"1_000", nil},
		{"", nil},
		{".", nil},
		{"1e", nil},
		{json.Number("x"), nil},
		{true, nil},
		{nil, nil},
	})
}

func TestAsString(t *testing.T) {
	runConv(t, "AsString", AsString, []convCase{
		{"héllo", "héllo"},
		{"", ""},
		{[]byte("bytes"), "bytes"},
		{[]byte{}, ""},
		// rejected
		{"\xff", nil},
		{[]byte{0xc3, 0x28}, nil},
		{int64(1), nil},
		{1.5, nil},
		{json.Number("1"), nil},
		{true, nil},
		{nil, nil},
		{time.Unix(0, 0), nil},
	})
}

func TestAsBool(t *testing.T) {
	runConv(t, "AsBool", AsBool, []convCase{
		{true, true},
		{false, false},
		{int64(1), true},
		{int64(0), false},
		{int(1), true},
		{int8(0), false},
		{int16(1), true},
		{int32(1), true},
		{uint(1), true},
		{uint8(0), false},
		{uint16(1), true},
		{uint32(1), true},
		{uint64(1), true},
		{"true", true},
		{"false", false},
		{"1", true},
		{"0", false},
		{[]byte("1"), true},
		{[]byte("false"), false},
		{json.Number("1"), true},
		// rejected
		{int64(2), nil},
		{int64(-1), nil},
		{uint64(math.MaxUint64), nil},
		{float64(1), nil},
		{float32(0), nil},
		{"TRUE", nil},
		{"yes", nil},
		{"t", nil},
		{"", nil},
		{[]byte("2"), nil},
		{json.Number("2"), nil},
		{nil, nil},
	})
}

func TestAsTime(t *testing.T) {
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC()
	}
	berlin := time.FixedZone("CET", 3600)
	runConv(t, "AsTime", AsTime, []convCase{
		{time.Date(2024, 1, 2, 4, 4, 5, 0, berlin), utc("2024-01-02T03:04:05Z")},
		{"2024-01-02T03:04:05Z", utc("2024-01-02T03:04:05Z")},
		{"2024-01-02T04:04:05+01:00", utc("2024-01-02T03:04:05Z")},
		{"2024-01-02T03:04:05.123456789Z", utc("2024-01-02T03:04:05.123456789Z")},
		{[]byte("2024-01-02T03:04:05.5Z"), utc("2024-01-02T03:04:05.5Z")},
		{"2024-01-02 03:04:05", utc("2024-01-02T03:04:05Z")},
		{"2024-01-02 03:04:05.250", utc("2024-01-02T03:04:05.25Z")},
		{"2024-01-02 05:04:05+02:00", utc("2024-01-02T03:04:05Z")},
		{"2024-01-02 03:04:05Z", utc("2024-01-02T03:04:05Z")},
		{"2024-01-02T03:04:05", utc("2024-01-02T03:04:05Z")},
		{"2024-01-02 04:04:05.5 +0100 CET", utc("2024-01-02T03:04:05.5Z")},
		{"2024-01-02 03:04:05 +0000 UTC m=+0.000000001", utc("2024-01-02T03:04:05Z")},
		// rejected
		{"2024-01-02", nil},
		{"yesterday", nil},
		{"2024-13-02T03:04:05Z", nil},
		{"", nil},
		{int64(1700000000), nil},
		{nil, nil},
	})
	if tm, _ := AsTime("", time.Now()); tm.Location() != time.UTC {
		t.Fatalf("location %v, want UTC", tm.Location())
	}
}

func TestAsObjectAndArray(t *testing.T) {
	obj := map[string]any{"a": json.Number("1"), "b": []any{"x"}}
	runConv(t, "AsObject", AsObject, []convCase{
		{obj, obj},
		{`{"a": 1, "b": ["x"]}`, obj},
		{[]byte(`{"a":1,"b":["x"]}`), obj},
		{`{}`, map[string]any{}},
		// rejected
		{`[1]`, nil},
		{`null`, nil},
		{`{"a":1} {}`, nil},
		{`{"a":`, nil},
		{`12345678901234567890`, nil},
		{[]any{}, nil},
		{int64(1), nil},
		{nil, nil},
	})
	arr := []any{json.Number("12345678901234567890"), "s", map[string]any{}}
	runConv(t, "AsArray", AsArray, []convCase{
		{arr, arr},
		{`[12345678901234567890, "s", {}]`, arr},
		{[]byte(`[]`), []any{}},
		// rejected
		{`{}`, nil},
		{`null`, nil},
		{`[1] x`, nil},
		{map[string]any{}, nil},
		{nil, nil},
	})
}

func TestIsNull(t *testing.T) {
	if !IsNull(nil) || IsNull("") || IsNull(0) || IsNull([]byte(nil)) {
		t.Fatal("IsNull must be true only for nil")
	}
}

func TestConvErrorText(t *testing.T) {
	_, err := AsString("/user/name", int64(42))
	if got, want := err.Error(), "reftask: convert /user/name: cannot convert int64 42 to string"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	_, err = AsInt64("", strings.Repeat("9", 200))
	var ce *runtime.ConvError
	if !errors.As(err, &ce) || len(ce.Value) > QuoteLimit+32 || !strings.HasSuffix(ce.Value, "... (200 bytes)") || ce.From != "string" || ce.To != "integer" {
		t.Fatalf("ConvError %+v", ce)
	}
	if !strings.Contains(err.Error(), "(root)") || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("text %q", err)
	}
}
