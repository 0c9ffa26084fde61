package kit

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"testing"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/wire"
)

func TestFormatsWireRoundTrip(t *testing.T) {
	d, _ := runtime.ParseDate("2024-02-29")
	tod, _ := runtime.ParseTimeOfDay("01:59:60.5+02:00")
	dur, _ := runtime.ParseDuration("P1Y0M3D")
	id, _ := runtime.ParseUUID("2eb8aa08-aa98-11ea-b4aa-73b441d16380")
	em, _ := runtime.ParseEmail("joe@example.com")
	uri, _ := runtime.ParseURI("urn:x:y")
	v4 := netip.MustParseAddr("10.0.0.1")
	v6 := netip.MustParseAddr("fe80::1%eth0")
	var buf []byte
	buf = AppendDate(buf, d)
	buf = AppendTimeOfDay(buf, tod)
	buf = AppendDuration(buf, dur)
	buf = AppendUUID(buf, id)
	buf = AppendEmail(buf, em)
	buf = AppendURI(buf, uri)
	buf = AppendAddr(buf, v4)
	buf = AppendAddr(buf, v6)
	buf = AppendAddr(buf, netip.Addr{})
	rd := NewReader(buf)
	if got := ReadDate(rd); got != d {
		t.Errorf("Date = %v", got)
	}
	if got := ReadTimeOfDay(rd); got != tod {
		t.Errorf("TimeOfDay = %v", got)
	}
	if got := ReadDuration(rd); got.String() != dur.String() || got.Parts() != dur.Parts() {
		t.Errorf("Duration = %v", got)
	}
	if got := ReadUUID(rd); got != id {
		t.Errorf("UUID = %v", got)
	}
	if got := ReadEmail(rd); got != em {
		t.Errorf("Email = %v", got)
	}
	if got := ReadURI(rd); got != uri {
		t.Errorf("URI = %v", got)
	}
	if got := ReadAddr(rd); got != v4 {
		t.Errorf("Addr = %v", got)
	}
	if got := ReadAddr(rd); got != v6 {
		t.Errorf("Addr = %v", got)
	}
	if got := ReadAddr(rd); got.IsValid() {
		t.Errorf("Addr = %v, want the zero Addr", got)
	}
	if rd.Err() != nil || rd.Rest() != 0 {
		t.Fatalf("err %v, %d bytes left", rd.Err(), rd.Rest())
	}
	// Every truncation is corrupt, never a panic.
	for n := range len(buf) {
		rd := NewReader(buf[:n])
		ReadDate(rd)
		ReadTimeOfDay(rd)
		ReadDuration(rd)
		ReadUUID(rd)
		ReadEmail(rd)
		ReadURI(rd)
		ReadAddr(rd)
		ReadAddr(rd)
		ReadAddr(rd)
		if rd.Err() == nil {
			t.Fatalf("truncated at %d: no error", n)
		}
	}
	for _, bad := range [][]byte{
		AppendDate(nil, runtime.Date{Year: 2024, Month: 2, Day: 30}),
		{24, 0, 0, 0, 0},
		wire.AppendString(nil, "P1H"),
		{5, 1, 2, 3, 4, 5},
	} {
		rd := NewReader(bad)
		switch {
		case bad[0] == 5:
			ReadAddr(rd)
		case len(bad) == 5:
			ReadTimeOfDay(rd)
		case bad[1] == 'P':
			ReadDuration(rd)
		default:
			ReadDate(rd)
		}
		if rd.Err() == nil {
			t.Errorf("% x read without error", bad)
		}
	}
}

// TestWireFormatsRoundTrip: every format type reads back as a value that prints and marshals as the original,
// so that a hit answers what the miss answered.
func TestWireFormatsRoundTrip(t *testing.T) {
	check := func(name string, orig any, enc []byte, read func(*Reader) any) {
		t.Helper()
		rd := NewReader(enc)
		got := read(rd)
		if rd.Err() != nil || rd.Rest() != 0 {
			t.Errorf("%s %v: err %v, %d left", name, orig, rd.Err(), rd.Rest())
			return
		}
		j1, _ := json.Marshal(orig)
		j2, _ := json.Marshal(got)
		if fmt.Sprint(orig) != fmt.Sprint(got) || string(j1) != string(j2) {
			t.Errorf("%s: %v (%s) came back as %v (%s)", name, orig, j1, got, j2)
		}
	}
	for _, s := range []string{"08:30:00Z", "08:30:00+00:00", "08:30:00-00:00", "09:30:00+01:00", "08:30:00.5Z", "08:30:00.500+05:45",
		"23:59:60Z", "00:00:00.000000001-00:30", "12:00:00+23:59", "12:00:00-23:59"} {
		v, err := runtime.ParseTimeOfDay(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		check("time "+s, v, AppendTimeOfDay(nil, v), func(r *Reader) any { return ReadTimeOfDay(r) })
	}
	for _, s := range []string{"2024-02-29", "0001-01-01", "9999-12-31"} {
		v, _ := runtime.ParseDate(s)
		check("date "+s, v, AppendDate(nil, v), func(r *Reader) any { return ReadDate(r) })
	}
	for _, s := range []string{"P1D", "PT24H", "P2W", "PT0S", "P1Y2M3DT4H5M6S"} {
		v, err := runtime.ParseDuration(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		check("duration "+s, v, AppendDuration(nil, v), func(r *Reader) any { return ReadDuration(r) })
	}
	for _, s := range []string{"3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3F2504E0-4F89-11D3-9A0C-0305E82C3301"} {
		v, _ := runtime.ParseUUID(s)
		check("uuid "+s, v, AppendUUID(nil, v), func(r *Reader) any { return ReadUUID(r) })
	}
	for _, s := range []string{"a@x.org", "A@X.org"} {
		v, _ := runtime.ParseEmail(s)
		check("email "+s, v, AppendEmail(nil, v), func(r *Reader) any { return ReadEmail(r) })
	}
	for _, s := range []string{"http://x/a?b#c", "HTTP://X/a%2Fb", "urn:a"} {
		v, _ := runtime.ParseURI(s)
		check("uri "+s, v, AppendURI(nil, v), func(r *Reader) any { return ReadURI(r) })
	}
	for _, s := range []string{"1.2.3.4", "0.0.0.0"} {
		v, _ := runtime.ParseIPv4(s)
		check("ipv4 "+s, v, AppendAddr(nil, v), func(r *Reader) any { return ReadAddr(r) })
	}
	for _, s := range []string{"::1", "::ffff:1.2.3.4", "2001:db8::1", "fe80::1%eth0"} {
		v, err := netip.ParseAddr(s)
		if err != nil {
			t.Fatal(err)
		}
		check("ipv6 "+s, v, AppendAddr(nil, v), func(r *Reader) any { return ReadAddr(r) })
	}
}

// TestTextFormatsCheckedOnRead: a text format value read from the cache is checked again, so an entry written by
// another process or version (or corrupted) can only be a miss, never an invalid Email, URI or Duration.
func TestTextFormatsCheckedOnRead(t *testing.T) {
	tests := []struct {
		name string
		read func(*Reader) any
		bad  []string
		good string
	}{
		{"email", func(rd *Reader) any { return ReadEmail(rd) }, []string{"", "no-at-sign", "a@", "@x.org", "a b@x.org"}, "a@x.org"},
		{"uri", func(rd *Reader) any { return ReadURI(rd) }, []string{"", "relative/path", "http://x/ space", "%zz"}, "urn:a"},
		{"duration", func(rd *Reader) any { return ReadDuration(rd) }, []string{"", "P", "1D", "PT1.5.5S"}, "P1D"},
	}
	for _, tc := range tests {
		for _, text := range tc.bad {
			rd := NewReader(wire.AppendString(nil, text))
			got := tc.read(rd)
			if rd.Err() == nil {
				t.Errorf("%s %q: read as %v without error", tc.name, text, got)
			}
		}
		rd := NewReader(wire.AppendString(nil, tc.good))
		if got := tc.read(rd); rd.Err() != nil || fmt.Sprint(got) != tc.good {
			t.Errorf("%s %q: read as %v, %v", tc.name, tc.good, got, rd.Err())
		}
	}
}
