package engine

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
	"unsafe"

	"github.com/reftask/reftask/runtime/internal/wire"
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
	dst = wire.AppendString(dst, v.S)
	dst = wire.AppendInt64(dst, v.I)
	dst = wire.AppendFloat64(dst, v.F)
	dst = wire.AppendBool(dst, v.B)
	dst = wire.AppendTime(dst, v.T)
	dst = wire.AppendLen(dst, len(v.L))
	for _, s := range v.L {
		dst = wire.AppendString(dst, s)
	}
	dst = wire.AppendPresent(dst, v.Opt != nil)
	if v.Opt != nil {
		dst = wire.AppendInt64(dst, *v.Opt)
	}
	return wire.AppendBool(dst, v.Null)
}

func decodeWire(rd *wire.Reader) *wireValue {
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
		rd := wireReader(buf)
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
	rd := wireReader(wire.AppendFloat64(nil, nan))
	if got := math.Float64bits(rd.Float64()); got != 0x7ff8000000000123 {
		t.Fatalf("NaN payload lost: %x", got)
	}
	zoned := time.Date(2024, 1, 1, 12, 0, 0, 0, time.FixedZone("X", 7200))
	rd = wireReader(wire.AppendTime(nil, zoned))
	if got := rd.Time(); !got.Equal(zoned) || got.Format(time.RFC3339Nano) != zoned.Format(time.RFC3339Nano) {
		t.Fatalf("time %v", got)
	}
}

func TestWireStringAliasesBuffer(t *testing.T) {
	buf := wire.AppendString(nil, "alias")
	s := wireReader(buf).String()
	if s != "alias" || unsafe.StringData(s) != &buf[1] {
		t.Fatalf("String copied or misread: %q", s)
	}
	if wireReader(wire.AppendString(nil, "")).String() != "" {
		t.Fatal("empty string")
	}
}

func TestReaderCorruptInput(t *testing.T) {
	full := encodeWire(nil, &wireValue{S: "abc", I: 300, F: 2, T: time.Unix(1e9, 1), L: []string{"x", "y"}})
	// Every truncation must fail cleanly with zero values and no panic.
	for n := range len(full) {
		rd := wireReader(full[:n])
		v := decodeWire(rd)
		if rd.Err() == nil {
			t.Fatalf("truncated to %d bytes: no error (%+v)", n, v)
		}
	}
	tests := []struct {
		name string
		buf  []byte
		read func(*wire.Reader) any
	}{
		{"string longer than buffer", []byte{5, 'a'}, func(r *wire.Reader) any { return r.String() }},
		{"huge string length", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, func(r *wire.Reader) any { return r.String() }},
		{"overlong varint", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, func(r *wire.Reader) any { return r.Int64() }},
		{"bool not 0 or 1", []byte{2}, func(r *wire.Reader) any { return r.Bool() }},
		{"present not 0 or 1", []byte{7}, func(r *wire.Reader) any { return r.Present() }},
		{"short float", []byte{1, 2, 3}, func(r *wire.Reader) any { return r.Float64() }},
		{"nanoseconds out of range", wire.AppendInt64(wire.AppendInt64(nil, 0), 2e9), func(r *wire.Reader) any { return r.Time() }},
		{"length beyond buffer", []byte{200, 1}, func(r *wire.Reader) any { return r.Len() }},
		{"empty", nil, func(r *wire.Reader) any { return r.Int64() }},
	}
	for _, tc := range tests {
		rd := wireReader(tc.buf)
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
		rd := wireReader(b)
		_ = decodeWire(rd)
	})
}

// TestWireTimeKeepsZone: a cache hit answers what the miss answered. Over random instants in random zones (UTC,
// Local, quarter-hour and odd offsets, named zones, fractional seconds), a time read back from its cache encoding
// is Equal to it and writes the same RFC 3339 and JSON text; in UTC, Local or an unnamed fixed zone (what
// time.Parse and the JSON decoder make) its String is the same too.
func TestWireTimeKeepsZone(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	offsets := []int{0, 3600, -3600, 5*3600 + 45*60, -30 * 60, 14 * 3600, -12 * 3600, 9*3600 + 30*60, 1, -1, 59, 23*3600 + 59*60 + 59, -(23*3600 + 59*60 + 59)}
	for range 5000 {
		sec := rng.Int64N(1<<34) - 1<<33 // years about 1700 to 2240
		nsec := int64(0)
		switch rng.IntN(3) {
		case 1:
			nsec = rng.Int64N(1e9)
		case 2:
			nsec = rng.Int64N(1000) * 1e6
		}
		base := time.Unix(sec, nsec)
		var tm time.Time
		unnamed := true
		switch k := rng.IntN(5); k {
		case 0:
			tm = base.UTC()
		case 1:
			tm = base.In(time.Local)
		case 2:
			tm = base
		case 3:
			tm = base.In(time.FixedZone("", offsets[rng.IntN(len(offsets))]))
		default:
			tm, unnamed = base.In(time.FixedZone("Z"+fmt.Sprint(k), offsets[rng.IntN(len(offsets))])), false
		}
		buf := wire.AppendTime([]byte{0xAA}, tm)
		rd := wireReader(buf[1:])
		got := rd.Time()
		if rd.Err() != nil || rd.Rest() != 0 {
			t.Fatalf("%v: err %v, %d bytes left", tm, rd.Err(), rd.Rest())
		}
		if !got.Equal(tm) || got.Format(time.RFC3339Nano) != tm.Format(time.RFC3339Nano) {
			t.Fatalf("%v came back as %v", tm, got)
		}
		j1, err1 := json.Marshal(tm)
		j2, err2 := json.Marshal(got)
		if string(j1) != string(j2) || (err1 == nil) != (err2 == nil) {
			t.Fatalf("%v: JSON %s (%v) came back as %s (%v)", tm, j1, err1, j2, err2)
		}
		if unnamed && tm.String() != got.String() {
			// A fixed zone of offset 0 comes back as UTC, which prints its name.
			if _, off := tm.Zone(); off != 0 || tm.Location() == time.Local {
				t.Fatalf("String %q came back as %q", tm, got)
			}
		}
		// What a miss gets: a time parsed from RFC 3339 text. Its hit prints the same.
		parsed, err := time.Parse(time.RFC3339Nano, tm.Format(time.RFC3339Nano))
		if err != nil {
			continue
		}
		rd = wireReader(wire.AppendTime(nil, parsed))
		if back := rd.Time(); back.String() != parsed.String() {
			t.Fatalf("parsed %q came back as %q", parsed, back)
		}
	}
	// Corrupt zone tags and offsets are errors, not times.
	for _, b := range [][]byte{wire.AppendTime(nil, time.Unix(1, 0).UTC())[:2], append(wire.AppendTime(nil, time.Unix(1, 0).UTC())[:2], 3),
		append(append(wire.AppendTime(nil, time.Unix(1, 0).UTC())[:2], wire.ZoneFixed), binary.AppendVarint(nil, math.MaxInt32+1)...)} {
		rd := wireReader(b)
		if _, err := rd.Time(), rd.Err(); err == nil {
			t.Errorf("% x read as a time", b)
		}
	}
}

// TestWireTimeHitAllocs: reading a time back allocates nothing for the usual offsets.
func TestWireTimeHitAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under -race")
	}
	for _, tm := range []time.Time{time.Unix(1e9, 5).UTC(), time.Unix(1e9, 5).In(time.FixedZone("", 5*3600+45*60)),
		time.Unix(1e9, 5).In(time.FixedZone("", -30*60)), time.Unix(1e9, 5).In(time.Local)} {
		buf := wire.AppendTime(nil, tm)
		if n := testing.AllocsPerRun(100, func() { _ = wireReader(buf).Time() }); n > 1 {
			t.Errorf("%v: %v allocations", tm, n) // the Reader itself may escape
		}
	}
}

type zonedResult struct{ At time.Time }

// TestTaskHitKeepsZone: a source that returns a date-time in its own zone (a Go function, a fallback value) is
// answered from the cache in that zone: the hit prints and marshals as the miss did.
func TestTaskHitKeepsZone(t *testing.T) {
	x := newTestExecutor(t)
	zones := []*time.Location{time.UTC, time.Local, time.FixedZone("", 3600), time.FixedZone("", 5*3600+45*60), time.FixedZone("", -30*60), time.FixedZone("", 17)}
	task := NewTask(x, TaskSpec[int64, zonedResult]{
		Name: "Zoned", Version: "v1", Cache: CachePolicy{TTL: time.Hour},
		AppendKey: func(dst []byte, p *int64) []byte { return wire.AppendInt64(dst, *p) },
		Encode:    func(dst []byte, r *zonedResult) []byte { return wire.AppendTime(dst, r.At) },
		Decode:    func(rd *wire.Reader) *zonedResult { return &zonedResult{At: rd.Time()} },
		Fetch: func(_ context.Context, p *int64) (*zonedResult, error) {
			return &zonedResult{At: time.Unix(1e9+*p, *p*1001).In(zones[int(*p)%len(zones)])}, nil
		},
	})
	for i := range int64(len(zones) * 3) {
		miss, err := task.Do(context.Background(), &i)
		if err != nil {
			t.Fatal(err)
		}
		hit, err := task.Do(context.Background(), &i)
		if err != nil {
			t.Fatal(err)
		}
		j1, _ := json.Marshal(miss)
		j2, _ := json.Marshal(hit)
		if hit.At.String() != miss.At.String() || string(j1) != string(j2) {
			t.Errorf("hit %v (%s), miss %v (%s)", hit.At, j2, miss.At, j1)
		}
	}
}

func TestReaderVariant(t *testing.T) {
	b := wire.AppendInt64(wire.AppendInt64(wire.AppendInt64(nil, 1), -1), 5)
	rd := wireReader(b)
	if got := rd.Variant(3); got != 1 || rd.Err() != nil {
		t.Errorf("first: %d %v", got, rd.Err())
	}
	if got := rd.Variant(3); got != -1 || rd.Err() != nil {
		t.Errorf("no variant: %d %v", got, rd.Err())
	}
	if got := rd.Variant(3); got != -1 || rd.Err() == nil {
		t.Errorf("out of range: %d %v", got, rd.Err())
	}
}

func wireReader(b []byte) *wire.Reader {
	rd := new(wire.Reader)
	rd.Reset(b)
	return rd
}
