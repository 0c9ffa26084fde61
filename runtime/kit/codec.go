package kit

import (
	"encoding/binary"
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"time"

	"github.com/reftask/reftask/internal/format"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/jsonv"
	"github.com/reftask/reftask/runtime/internal/rawval"
	"github.com/reftask/reftask/runtime/internal/wire"
)

// Reader decodes a cache entry written by the Append functions; generated read functions take one.
type Reader = wire.Reader

// NewReader returns a Reader over b; b must not be modified while strings read from it are in use.
func NewReader(b []byte) *Reader {
	rd := new(Reader)
	rd.Reset(b)
	return rd
}

// The cache encoding of the format types. Text types are stored as their text and checked again on the way
// back, so an entry another process or version wrote can never make an invalid value; the others are stored in
// a compact binary form whose ranges the readers check.

// AppendDate appends d as its year (varint), month and day (one byte each).
func AppendDate(dst []byte, d runtime.Date) []byte {
	dst = binary.AppendVarint(dst, int64(d.Year))
	return append(dst, byte(d.Month), byte(d.Day))
}

// ReadDate reads a date written by AppendDate.
func ReadDate(rd *Reader) runtime.Date {
	y := rd.Int64()
	md := rd.Fixed(2)
	if rd.Err() != nil {
		return runtime.Date{}
	}
	d := runtime.Date{Year: int(y), Month: time.Month(md[0]), Day: int(md[1])}
	if y < 0 || y > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > format.DaysIn(d.Month, d.Year) {
		rd.Fail()
		return runtime.Date{}
	}
	return d
}

// AppendTimeOfDay appends t's hour, minute and second (a byte each; a leap second is 60), nanoseconds and
// offset in seconds.
func AppendTimeOfDay(dst []byte, t runtime.TimeOfDay) []byte {
	dst = append(dst, byte(t.Hour), byte(t.Minute), byte(t.Second))
	dst = binary.AppendUvarint(dst, uint64(t.Nanosecond))
	return binary.AppendVarint(dst, int64(t.Offset))
}

// ReadTimeOfDay reads a time written by AppendTimeOfDay.
func ReadTimeOfDay(rd *Reader) runtime.TimeOfDay {
	hms := rd.Fixed(3)
	ns := rd.Uint64()
	off := rd.Int64()
	if rd.Err() != nil {
		return runtime.TimeOfDay{}
	}
	if hms[0] > 23 || hms[1] > 59 || hms[2] > 60 || ns >= uint64(time.Second) || off <= -86400 || off >= 86400 {
		rd.Fail()
		return runtime.TimeOfDay{}
	}
	return runtime.TimeOfDay{Hour: int(hms[0]), Minute: int(hms[1]), Second: int(hms[2]), Nanosecond: int(ns), Offset: int(off)}
}

// AppendDuration appends d's text.
func AppendDuration(dst []byte, d runtime.Duration) []byte { return wire.AppendString(dst, d.String()) }

// ReadDuration reads a duration written by AppendDuration.
func ReadDuration(rd *Reader) runtime.Duration {
	s := rd.String()
	if rd.Err() != nil {
		return runtime.Duration{}
	}
	d, err := runtime.ParseDuration(strings.Clone(s))
	if err != nil {
		rd.Fail()
		return runtime.Duration{}
	}
	return d
}

// AppendUUID appends the 16 bytes of u.
func AppendUUID(dst []byte, u runtime.UUID) []byte { return append(dst, u[:]...) }

// ReadUUID reads the 16 bytes of a UUID.
func ReadUUID(rd *Reader) runtime.UUID {
	var u runtime.UUID
	copy(u[:], rd.Fixed(16))
	return u
}

// AppendEmail appends e's text.
func AppendEmail(dst []byte, e runtime.Email) []byte { return wire.AppendString(dst, e.String()) }

// ReadEmail reads an address written by AppendEmail.
func ReadEmail(rd *Reader) runtime.Email {
	s := rd.String()
	if rd.Err() != nil {
		return runtime.Email{}
	}
	e, err := runtime.ParseEmail(s)
	if err != nil {
		rd.Fail()
	}
	return e
}

// AppendURI appends u's text.
func AppendURI(dst []byte, u runtime.URI) []byte { return wire.AppendString(dst, u.String()) }

// ReadURI reads a URI written by AppendURI.
func ReadURI(rd *Reader) runtime.URI {
	s := rd.String()
	if rd.Err() != nil {
		return runtime.URI{}
	}
	u, err := runtime.ParseURI(s)
	if err != nil {
		rd.Fail()
	}
	return u
}

// AppendAddr appends an IP address as its length (0, 4 or 16), its bytes and, for IPv6, its zone.
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

// ReadAddr reads an IP address written by AppendAddr.
func ReadAddr(rd *Reader) netip.Addr {
	n := rd.Fixed(1)
	if rd.Err() != nil {
		return netip.Addr{}
	}
	switch n[0] {
	case 0:
		return netip.Addr{}
	case 4:
		b := rd.Fixed(4)
		if rd.Err() != nil {
			return netip.Addr{}
		}
		return netip.AddrFrom4([4]byte(b))
	case 16:
		b := rd.Fixed(16)
		zone := rd.String()
		if rd.Err() != nil {
			return netip.Addr{}
		}
		return netip.AddrFrom16([16]byte(b)).WithZone(strings.Clone(zone))
	}
	rd.Fail()
	return netip.Addr{}
}

// AppendJSONValue encodes a JSONValue as its JSON text, which is also what a source is sent. Every constructor
// of JSONValue keeps to values that encoding/json can write, so the text always exists; were it ever missing,
// the value is written as a text that is not JSON, which tells it from every real value in a key and which
// ReadJSONValue refuses as a corrupt entry, rather than as a null another value shares.
func AppendJSONValue(dst []byte, v runtime.JSONValue) []byte {
	b, err := json.Marshal(v.Any())
	if err != nil {
		return wire.AppendString(dst, "\x00"+string(wire.AppendGoKey(nil, reflect.ValueOf(v.Any()), 0)))
	}
	return wire.AppendString(dst, string(b))
}

// ReadJSONValue reads what AppendJSONValue wrote; a corrupt entry sets the reader's error.
func ReadJSONValue(rd *Reader) runtime.JSONValue {
	s := rd.String()
	if rd.Err() != nil {
		return runtime.JSONValue{}
	}
	var v runtime.JSONValue
	if err := v.UnmarshalJSON([]byte(s)); err != nil {
		rd.Fail()
		return runtime.JSONValue{}
	}
	return v
}

// AsJSONValue converts a raw source value; every JSON value is accepted, numbers of any Go numeric type become
// exact json.Number.
func AsJSONValue(path string, raw any) (runtime.JSONValue, error) {
	if _, absent := raw.(rawval.Absent); absent {
		return runtime.JSONValue{}, Missing(path, "value")
	}
	v, err := jsonv.FromGo(raw)
	if err != nil {
		return runtime.JSONValue{}, &runtime.ConvError{Path: path, From: typeName(raw), To: "JSON value", Value: renderValue(raw), Err: err}
	}
	return runtime.JSONOf(v), nil
}

// AppendJSONText appends a user type's JSON form as a string: the cache codec of x-go-type values that are not
// builtins. A value that fails to marshal is written as no bytes, which ReadJSONText reports as corrupt: the
// entry is then a cache miss, never a wrong value.
func AppendJSONText[T any](dst []byte, v T) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		data = nil
	}
	dst = wire.AppendLen(dst, len(data))
	return append(dst, data...)
}

// ReadJSONText reads a value written by AppendJSONText into dst.
func ReadJSONText[T any](rd *Reader, dst *T) {
	n := rd.Len()
	if rd.Err() != nil {
		return
	}
	if n == 0 {
		rd.Fail()
		return
	}
	if err := json.Unmarshal(rd.Fixed(n), dst); err != nil {
		rd.Fail()
	}
}
