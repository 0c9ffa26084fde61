package runtime

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"time"

	"github.com/reftask/reftask/runtime/internal/wire"
)

// The cache encoding of the format types, used by generated append and
// read functions. Text types are stored as their text; the others in a
// compact binary form that Reader checks on the way back.

// AppendDate appends d as its year (varint), month and day (one byte each).
func AppendDate(dst []byte, d Date) []byte {
	dst = binary.AppendVarint(dst, int64(d.Year))
	return append(dst, byte(d.Month), byte(d.Day))
}

// AppendTimeOfDay appends t's hour, minute and second (a byte each; a
// leap second is 60), nanoseconds and offset in seconds.
func AppendTimeOfDay(dst []byte, t TimeOfDay) []byte {
	dst = append(dst, byte(t.Hour), byte(t.Minute), byte(t.Second))
	dst = binary.AppendUvarint(dst, uint64(t.Nanosecond))
	return binary.AppendVarint(dst, int64(t.Offset))
}

// AppendDuration appends d's text.
func AppendDuration(dst []byte, d Duration) []byte { return wire.AppendString(dst, d.text) }

// AppendUUID appends the 16 bytes of u.
func AppendUUID(dst []byte, u UUID) []byte { return append(dst, u[:]...) }

// AppendEmail appends e's text.
func AppendEmail(dst []byte, e Email) []byte { return wire.AppendString(dst, e.text) }

// AppendURI appends u's text.
func AppendURI(dst []byte, u URI) []byte { return wire.AppendString(dst, u.text) }

// AppendAddr appends an IP address as its length (0, 4 or 16), its bytes
// and, for IPv6, its zone.
func AppendAddr(dst []byte, a netip.Addr) []byte {
	switch {
	case a.Is4():
		b := a.As4()
		return append(append(dst, 4), b[:]...)
	case a.Is6():
		b := a.As16()
		return wire.AppendString(append(append(dst, 16), b[:]...), a.Zone())
	}
	return append(dst, 0)
}

func (r *Reader) fixed(n int) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.buf)-r.off < n {
		r.fail()
		return nil
	}
	b := r.buf[r.off : r.off+n]
	r.off += n
	return b
}

// Date reads a date written by AppendDate.
func (r *Reader) Date() Date {
	y := r.Int64()
	md := r.fixed(2)
	if r.err != nil {
		return Date{}
	}
	d := Date{Year: int(y), Month: time.Month(md[0]), Day: int(md[1])}
	if y < 0 || y > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > daysIn(d.Month, d.Year) {
		r.fail()
		return Date{}
	}
	return d
}

// TimeOfDay reads a time written by AppendTimeOfDay.
func (r *Reader) TimeOfDay() TimeOfDay {
	hms := r.fixed(3)
	ns := r.uvarint()
	off := r.Int64()
	if r.err != nil {
		return TimeOfDay{}
	}
	if hms[0] > 23 || hms[1] > 59 || hms[2] > 60 || ns >= uint64(time.Second) || off <= -86400 || off >= 86400 {
		r.fail()
		return TimeOfDay{}
	}
	return TimeOfDay{Hour: int(hms[0]), Minute: int(hms[1]), Second: int(hms[2]), Nanosecond: int(ns), Offset: int(off)}
}

// Duration reads a duration written by AppendDuration.
func (r *Reader) Duration() Duration {
	s := r.String()
	if r.err != nil {
		return Duration{}
	}
	d, err := ParseDuration(strings.Clone(s))
	if err != nil {
		r.fail()
		return Duration{}
	}
	return d
}

// UUID reads the 16 bytes of a UUID.
func (r *Reader) UUID() UUID {
	var u UUID
	copy(u[:], r.fixed(16))
	return u
}

// Email reads an address written by AppendEmail; the text was checked when
// the value was made.
func (r *Reader) Email() Email { return Email{text: r.String()} }

// URI reads a URI written by AppendURI; the text was checked when the value
// was made.
func (r *Reader) URI() URI { return URI{text: r.String()} }

// Addr reads an IP address written by AppendAddr.
func (r *Reader) Addr() netip.Addr {
	n := r.fixed(1)
	if r.err != nil {
		return netip.Addr{}
	}
	switch n[0] {
	case 0:
		return netip.Addr{}
	case 4:
		b := r.fixed(4)
		if r.err != nil {
			return netip.Addr{}
		}
		return netip.AddrFrom4([4]byte(b))
	case 16:
		b := r.fixed(16)
		zone := r.String()
		if r.err != nil {
			return netip.Addr{}
		}
		return netip.AddrFrom16([16]byte(b)).WithZone(strings.Clone(zone))
	}
	r.fail()
	return netip.Addr{}
}

// AsDate accepts a Date, a time.Time (its date in its own location, as SQL
// DATE columns arrive) and RFC 3339 full-date text.
func AsDate(path string, v any) (Date, error) {
	switch x := v.(type) {
	case Date:
		return x, nil
	case time.Time:
		return DateOf(x), nil
	case string:
		d, err := ParseDate(x)
		if err != nil {
			return Date{}, convErr(path, v, "date", err)
		}
		return d, nil
	case []byte:
		return AsDate(path, string(x))
	}
	return Date{}, convErr(path, v, "date", nil)
}

// AsTimeOfDay accepts a TimeOfDay, a time.Time (its clock and offset), RFC
// 3339 full-time text and, as SQL TIME columns give it, "15:04:05[.frac]"
// without an offset, read as UTC.
func AsTimeOfDay(path string, v any) (TimeOfDay, error) {
	switch x := v.(type) {
	case TimeOfDay:
		return x, nil
	case time.Time:
		return TimeOfDayOf(x), nil
	case string:
		t, err := ParseTimeOfDay(x)
		if err == nil {
			return t, nil
		}
		if !strings.ContainsAny(x, "Zz+-") {
			if t, err2 := ParseTimeOfDay(x + "Z"); err2 == nil {
				return t, nil
			}
		}
		return TimeOfDay{}, convErr(path, v, "time", err)
	case []byte:
		return AsTimeOfDay(path, string(x))
	}
	return TimeOfDay{}, convErr(path, v, "time", nil)
}

// AsDuration accepts a Duration, ISO 8601 text and a non-negative
// time.Duration of whole seconds.
func AsDuration(path string, v any) (Duration, error) {
	switch x := v.(type) {
	case Duration:
		return x, nil
	case time.Duration:
		if x < 0 || x%time.Second != 0 {
			return Duration{}, convErr(path, v, "duration", errNotWholeSeconds)
		}
		s := int64(x / time.Second)
		d, err := DurationOf(DurationParts{Hours: s / 3600, Minutes: s % 3600 / 60, Seconds: s % 60})
		if err != nil {
			return Duration{}, convErr(path, v, "duration", err)
		}
		return d, nil
	case string:
		d, err := ParseDuration(x)
		if err != nil {
			return Duration{}, convErr(path, v, "duration", err)
		}
		return d, nil
	case []byte:
		return AsDuration(path, string(x))
	}
	return Duration{}, convErr(path, v, "duration", nil)
}

var errNotWholeSeconds = errorString("not a non-negative whole number of seconds")

type errorString string

func (e errorString) Error() string { return string(e) }

// AsUUID accepts a UUID, [16]byte, 16 raw bytes (a BINARY(16) column) and
// the 8-4-4-4-12 text.
func AsUUID(path string, v any) (UUID, error) {
	switch x := v.(type) {
	case UUID:
		return x, nil
	case [16]byte:
		return UUID(x), nil
	case string:
		u, err := ParseUUID(x)
		if err != nil {
			return UUID{}, convErr(path, v, "uuid", err)
		}
		return u, nil
	case []byte:
		if len(x) == 16 {
			return UUID(x), nil
		}
		return AsUUID(path, string(x))
	}
	return UUID{}, convErr(path, v, "uuid", nil)
}

// AsEmail accepts an Email and addr-spec text.
func AsEmail(path string, v any) (Email, error) {
	switch x := v.(type) {
	case Email:
		return x, nil
	case string:
		e, err := ParseEmail(x)
		if err != nil {
			return Email{}, convErr(path, v, "email", err)
		}
		return e, nil
	case []byte:
		return AsEmail(path, string(x))
	}
	return Email{}, convErr(path, v, "email", nil)
}

// AsURI accepts a URI and absolute URI text.
func AsURI(path string, v any) (URI, error) {
	switch x := v.(type) {
	case URI:
		return x, nil
	case string:
		u, err := ParseURI(x)
		if err != nil {
			return URI{}, convErr(path, v, "uri", err)
		}
		return u, nil
	case []byte:
		return AsURI(path, string(x))
	}
	return URI{}, convErr(path, v, "uri", nil)
}

// AsIPv4 accepts an IPv4 netip.Addr and dotted-quad text.
func AsIPv4(path string, v any) (netip.Addr, error) {
	switch x := v.(type) {
	case netip.Addr:
		if !IsIPv4(x) {
			return netip.Addr{}, convErr(path, v, "ipv4", errorString("not an IPv4 address"))
		}
		return x, nil
	case string:
		a, err := ParseIPv4(x)
		if err != nil {
			return netip.Addr{}, convErr(path, v, "ipv4", err)
		}
		return a, nil
	case []byte:
		return AsIPv4(path, string(x))
	}
	return netip.Addr{}, convErr(path, v, "ipv4", nil)
}

// AsIPv6 accepts an IPv6 netip.Addr without a zone and IPv6 text.
func AsIPv6(path string, v any) (netip.Addr, error) {
	switch x := v.(type) {
	case netip.Addr:
		if !IsIPv6(x) {
			return netip.Addr{}, convErr(path, v, "ipv6", errorString("not an IPv6 address without a zone"))
		}
		return x, nil
	case string:
		a, err := ParseIPv6(x)
		if err != nil {
			return netip.Addr{}, convErr(path, v, "ipv6", err)
		}
		return a, nil
	case []byte:
		return AsIPv6(path, string(x))
	}
	return netip.Addr{}, convErr(path, v, "ipv6", nil)
}
