package runtime

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"time"

	"github.com/reftask/reftask/internal/format"
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
	if y < 0 || y > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > format.DaysIn(d.Month, d.Year) {
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
