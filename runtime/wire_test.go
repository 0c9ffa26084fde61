package runtime

import (
	"math"
	"testing"
	"time"
	"unsafe"
)

type wireValue struct {
	S    string
	I    int64
	F    float64
	B    bool
	T    time.Time
	L    []string
	Opt  *int64
	Null bool
}

func encodeWire(dst []byte, v *wireValue) []byte {
	dst = AppendString(dst, v.S)
	dst = AppendInt64(dst, v.I)
	dst = AppendFloat64(dst, v.F)
	dst = AppendBool(dst, v.B)
	dst = AppendTime(dst, v.T)
	dst = AppendLen(dst, len(v.L))
	for _, s := range v.L {
		dst = AppendString(dst, s)
	}
	dst = AppendPresent(dst, v.Opt != nil)
	if v.Opt != nil {
		dst = AppendInt64(dst, *v.Opt)
	}
	return AppendBool(dst, v.Null)
}

func decodeWire(rd *Reader) *wireValue {
	v := &wireValue{S: rd.String(), I: rd.Int64(), F: rd.Float64(), B: rd.Bool(), T: rd.Time()}
	if n := rd.Len(); n > 0 {
		v.L = make([]string, n)
		for i := range v.L {
			v.L[i] = rd.String()
		}
	}
	if rd.Present() {
		o := rd.Int64()
		v.Opt = &o
	}
	v.Null = rd.Bool()
	return v
}

func TestWireRoundTrip(t *testing.T) {
	seven := int64(7)
	tests := []wireValue{
		{},
		{S: "héllo", I: -1, F: 1.5, B: true, T: time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC), L: []string{"a", "", "c"}, Opt: &seven, Null: true},
		{I: math.MinInt64, F: math.Inf(-1), T: time.Unix(-1, 5).UTC()},
		{I: math.MaxInt64, F: math.SmallestNonzeroFloat64, T: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for i, v := range tests {
		buf := encodeWire(nil, &v)
		rd := NewReader(buf)
		got := decodeWire(rd)
		if rd.Err() != nil || rd.Rest() != 0 {
			t.Fatalf("case %d: err %v, rest %d", i, rd.Err(), rd.Rest())
		}
		if got.S != v.S || got.I != v.I || got.F != v.F || got.B != v.B || !got.T.Equal(v.T) || got.Null != v.Null ||
			len(got.L) != len(v.L) || (got.Opt == nil) != (v.Opt == nil) || (v.Opt != nil && *got.Opt != *v.Opt) {
			t.Fatalf("case %d: got %+v, want %+v", i, got, v)
		}
		if got.T.Location() != time.UTC {
			t.Fatalf("case %d: time not UTC", i)
		}
	}
}

func TestWireNaNAndZone(t *testing.T) {
	nan := math.Float64frombits(0x7ff8000000000123)
	rd := NewReader(AppendFloat64(nil, nan))
	if got := math.Float64bits(rd.Float64()); got != 0x7ff8000000000123 {
		t.Fatalf("NaN payload lost: %x", got)
	}
	zoned := time.Date(2024, 1, 1, 12, 0, 0, 0, time.FixedZone("X", 7200))
	rd = NewReader(AppendTime(nil, zoned))
	if got := rd.Time(); !got.Equal(zoned) || got.Location() != time.UTC {
		t.Fatalf("time %v", got)
	}
}

func TestWireStringAliasesBuffer(t *testing.T) {
	buf := AppendString(nil, "alias")
	s := NewReader(buf).String()
	if s != "alias" || unsafe.StringData(s) != &buf[1] {
		t.Fatalf("String copied or misread: %q", s)
	}
	if NewReader(AppendString(nil, "")).String() != "" {
		t.Fatal("empty string")
	}
}

func TestReaderCorruptInput(t *testing.T) {
	full := encodeWire(nil, &wireValue{S: "abc", I: 300, F: 2, T: time.Unix(1e9, 1), L: []string{"x", "y"}})
	// Every truncation must fail cleanly with zero values and no panic.
	for n := range len(full) {
		rd := NewReader(full[:n])
		v := decodeWire(rd)
		if rd.Err() == nil {
			t.Fatalf("truncated to %d bytes: no error (%+v)", n, v)
		}
	}
	tests := []struct {
		name string
		buf  []byte
		read func(*Reader) any
	}{
		{"string longer than buffer", []byte{5, 'a'}, func(r *Reader) any { return r.String() }},
		{"huge string length", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, func(r *Reader) any { return r.String() }},
		{"overlong varint", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, func(r *Reader) any { return r.Int64() }},
		{"bool not 0 or 1", []byte{2}, func(r *Reader) any { return r.Bool() }},
		{"present not 0 or 1", []byte{7}, func(r *Reader) any { return r.Present() }},
		{"short float", []byte{1, 2, 3}, func(r *Reader) any { return r.Float64() }},
		{"nanoseconds out of range", AppendInt64(AppendInt64(nil, 0), 2e9), func(r *Reader) any { return r.Time() }},
		{"length beyond buffer", []byte{200, 1}, func(r *Reader) any { return r.Len() }},
		{"empty", nil, func(r *Reader) any { return r.Int64() }},
	}
	for _, tc := range tests {
		rd := NewReader(tc.buf)
		tc.read(rd)
		if rd.Err() == nil {
			t.Errorf("%s: no error", tc.name)
		}
		// Sticky: later reads return zero values.
		if rd.String() != "" || rd.Int64() != 0 || rd.Len() != 0 || rd.Bool() || !rd.Time().IsZero() || rd.Float64() != 0 {
			t.Errorf("%s: reads after error are not zero", tc.name)
		}
	}
}

func FuzzReader(f *testing.F) {
	f.Add(encodeWire(nil, &wireValue{S: "abc", L: []string{"x"}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		rd := NewReader(b)
		_ = decodeWire(rd)
	})
}
