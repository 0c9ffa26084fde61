package runtime

import (
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/reftask/reftask/internal/format"
)

// FormatError reports a string that is not a valid value of a JSON Schema
// format; its message names the format and the value.
type FormatError = format.Error

// ---- date ----

// Date is a calendar date without a time zone, format "date": RFC 3339
// full-date, written "2006-01-02" in JSON.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses an RFC 3339 full-date such as "2024-02-29".
func ParseDate(s string) (Date, error) {
	d, err := format.ParseDate(s)
	return Date(d), err
}

// DateOf returns the date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// In returns midnight of the date in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// IsZero reports whether d is the zero Date, which is not a valid date.
func (d Date) IsZero() bool { return d == Date{} }

// IsValid reports whether d is a date of years 0 to 9999, the ones RFC 3339 can write.
func (d Date) IsValid() bool {
	return d.Year >= 0 && d.Year <= 9999 && d.Month >= 1 && d.Month <= 12 && d.Day >= 1 && d.Day <= format.DaysIn(d.Month, d.Year)
}

// String returns the date as "2006-01-02".
func (d Date) String() string { return string(d.AppendText(nil)) }

// AppendText appends the date as "2006-01-02".
func (d Date) AppendText(b []byte) []byte {
	b = appendPadded(b, d.Year, 4)
	b = append(b, '-')
	b = appendPadded(b, int(d.Month), 2)
	b = append(b, '-')
	return appendPadded(b, d.Day, 2)
}

// MarshalText returns the date as "2006-01-02".
func (d Date) MarshalText() ([]byte, error) { return d.AppendText(nil), nil }

// UnmarshalText parses an RFC 3339 full-date.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value makes a Date a SQL argument, as its "2006-01-02" text.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// ---- time of day ----

// TimeOfDay is a wall-clock time with its UTC offset, format "time":
// RFC 3339 full-time such as "13:45:00Z" or "08:30:15.25+02:00".
type TimeOfDay struct {
	Hour, Minute, Second, Nanosecond int
	// Offset is the offset from UTC in seconds east.
	Offset int
}

// ParseTimeOfDay parses an RFC 3339 full-time; the offset is required.
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	t, err := format.ParseTime(s)
	return TimeOfDay(t), err
}

// TimeOfDayOf returns the wall clock and offset of t.
func TimeOfDayOf(t time.Time) TimeOfDay {
	_, off := t.Zone()
	return TimeOfDay{Hour: t.Hour(), Minute: t.Minute(), Second: t.Second(), Nanosecond: t.Nanosecond(), Offset: off}
}

// On returns the instant of this time of day on date d.
func (t TimeOfDay) On(d Date) time.Time {
	loc := time.UTC
	if t.Offset != 0 {
		loc = time.FixedZone("", t.Offset)
	}
	return time.Date(d.Year, d.Month, d.Day, t.Hour, t.Minute, t.Second, t.Nanosecond, loc)
}

// IsValid reports whether every field is in range (the zero TimeOfDay is
// midnight UTC, a valid time).
func (t TimeOfDay) IsValid() bool {
	return t.Hour >= 0 && t.Hour <= 23 && t.Minute >= 0 && t.Minute <= 59 && t.Second >= 0 && t.Second <= 60 &&
		t.Nanosecond >= 0 && t.Nanosecond < 1e9 && t.Offset > -86400 && t.Offset < 86400
}

// String returns the time as RFC 3339 full-time: fraction digits only as
// needed, "Z" for a zero offset.
func (t TimeOfDay) String() string { return string(t.AppendText(nil)) }

// AppendText appends the time as String writes it.
func (t TimeOfDay) AppendText(b []byte) []byte {
	b = appendPadded(b, t.Hour, 2)
	b = append(b, ':')
	b = appendPadded(b, t.Minute, 2)
	b = append(b, ':')
	b = appendPadded(b, t.Second, 2)
	if t.Nanosecond != 0 {
		frac := appendPadded(nil, t.Nanosecond, 9)
		b = append(b, '.')
		b = append(b, strings.TrimRight(string(frac), "0")...)
	}
	if t.Offset == 0 {
		return append(b, 'Z')
	}
	off := t.Offset
	if off < 0 {
		b = append(b, '-')
		off = -off
	} else {
		b = append(b, '+')
	}
	b = appendPadded(b, off/3600, 2)
	b = append(b, ':')
	return appendPadded(b, off%3600/60, 2)
}

// MarshalText returns the time as String writes it.
func (t TimeOfDay) MarshalText() ([]byte, error) { return t.AppendText(nil), nil }

// UnmarshalText parses an RFC 3339 full-time.
func (t *TimeOfDay) UnmarshalText(b []byte) error {
	v, err := ParseTimeOfDay(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Value makes a TimeOfDay a SQL argument, as its RFC 3339 text.
func (t TimeOfDay) Value() (driver.Value, error) { return t.String(), nil }

// ---- duration ----

// Duration is an ISO 8601 duration, format "duration" (RFC 3339 appendix
// A): "P1Y2M3DT4H5M6S", "PT90M", "P2W". It keeps its text, so that a value
// writes back exactly as it was read.
type Duration struct {
	text  string
	parts DurationParts
}

// DurationParts are the components of a Duration, each a whole number.
type DurationParts struct {
	Years, Months, Weeks, Days, Hours, Minutes, Seconds int64
}

// DurationOf builds the Duration with these components and its shortest
// text; weeks are written as days when other components are set, and a
// duration of nothing is "PT0S". Negative components are not durations.
func DurationOf(p DurationParts) (Duration, error) {
	if p.Years < 0 || p.Months < 0 || p.Weeks < 0 || p.Days < 0 || p.Hours < 0 || p.Minutes < 0 || p.Seconds < 0 {
		return Duration{}, errors.New("runtime: negative duration component")
	}
	if p.Weeks != 0 && p != (DurationParts{Weeks: p.Weeks}) {
		p.Days += 7 * p.Weeks
		p.Weeks = 0
	}
	b := []byte{'P'}
	if p.Weeks != 0 {
		b = strconv.AppendInt(b, p.Weeks, 10)
		return Duration{text: string(append(b, 'W')), parts: p}, nil
	}
	// RFC 3339 allows no gaps (P1Y2D is not valid), so the components
	// between the first and the last one set are written, zeros included.
	write := func(vals []int64, des string) {
		first, last := -1, -1
		for i, v := range vals {
			if v != 0 {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		for i := first; first >= 0 && i <= last; i++ {
			b = strconv.AppendInt(b, vals[i], 10)
			b = append(b, des[i])
		}
	}
	write([]int64{p.Years, p.Months, p.Days}, "YMD")
	if p.Hours != 0 || p.Minutes != 0 || p.Seconds != 0 || len(b) == 1 {
		b = append(b, 'T')
		if len(b) == 2 && p.Hours == 0 && p.Minutes == 0 && p.Seconds == 0 {
			b = append(b, '0', 'S')
		}
		write([]int64{p.Hours, p.Minutes, p.Seconds}, "HMS")
	}
	return Duration{text: string(b), parts: p}, nil
}

// Parts returns the duration's components.
func (d Duration) Parts() DurationParts { return d.parts }

// ParseDuration parses an RFC 3339 appendix A duration: components in
// order, whole numbers, at least one; weeks stand alone.
func ParseDuration(s string) (Duration, error) {
	p, err := format.ParseDuration(s)
	if err != nil {
		return Duration{}, err
	}
	return Duration{text: s, parts: DurationParts(p)}, nil
}

// String returns the duration's text as it was parsed.
func (d Duration) String() string { return d.text }

// IsZero reports whether d is the zero Duration, which has no text and is
// not a valid duration.
func (d Duration) IsZero() bool { return d.text == "" }

// IsValid reports whether d was parsed or built by DurationOf.
func (d Duration) IsValid() bool { return d.text != "" }

// TimeDuration converts d to a time.Duration, a day counting 24 hours and a
// week 7 days; ok is false when d has years or months, whose length
// depends on the calendar, or does not fit.
func (d Duration) TimeDuration() (time.Duration, bool) {
	p := d.parts
	if p.Years != 0 || p.Months != 0 {
		return 0, false
	}
	var total time.Duration
	for _, part := range []struct {
		n    int64
		unit time.Duration
	}{{p.Weeks, 7 * 24 * time.Hour}, {p.Days, 24 * time.Hour}, {p.Hours, time.Hour}, {p.Minutes, time.Minute}, {p.Seconds, time.Second}} {
		if part.n > int64((1<<63-1)/part.unit) {
			return 0, false
		}
		add := time.Duration(part.n) * part.unit
		if total > (1<<63-1)-add {
			return 0, false
		}
		total += add
	}
	return total, true
}

// MarshalText returns the duration's text.
func (d Duration) MarshalText() ([]byte, error) {
	if d.text == "" {
		return nil, errors.New("runtime: zero Duration has no ISO 8601 text")
	}
	return []byte(d.text), nil
}

// UnmarshalText parses an ISO 8601 duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value makes a Duration a SQL argument, as its text.
func (d Duration) Value() (driver.Value, error) { return d.text, nil }

// ---- uuid ----

// UUID is an RFC 9562 UUID, format "uuid", written in JSON as 36
// characters in the 8-4-4-4-12 hex form.
type UUID [16]byte

// ParseUUID parses the 8-4-4-4-12 hex form, in either case.
func ParseUUID(s string) (UUID, error) {
	u, err := format.ParseUUID(s)
	return UUID(u), err
}

// String returns the UUID in lower-case 8-4-4-4-12 form.
func (u UUID) String() string { return string(u.AppendText(nil)) }

// AppendText appends the UUID in lower-case 8-4-4-4-12 form.
func (u UUID) AppendText(b []byte) []byte {
	var buf [36]byte
	hex.Encode(buf[0:8], u[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], u[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], u[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], u[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], u[10:])
	return append(b, buf[:]...)
}

// MarshalText returns the UUID in lower-case 8-4-4-4-12 form.
func (u UUID) MarshalText() ([]byte, error) { return u.AppendText(nil), nil }

// UnmarshalText parses the 8-4-4-4-12 hex form.
func (u *UUID) UnmarshalText(b []byte) error {
	v, err := ParseUUID(string(b))
	if err != nil {
		return err
	}
	*u = v
	return nil
}

// Value makes a UUID a SQL argument, as its text (PostgreSQL uuid, CHAR(36)).
func (u UUID) Value() (driver.Value, error) { return u.String(), nil }

// ---- email ----

// Email is an e-mail address, format "email": an RFC 5322 addr-spec
// ("local@domain", no display name, no angle brackets), kept as written.
type Email struct{ text string }

// ParseEmail accepts what net/mail.ParseAddress accepts when the whole
// input is the address itself, its local part quoted only where needed.
func ParseEmail(s string) (Email, error) {
	if err := format.CheckEmail(s); err != nil {
		return Email{}, err
	}
	return Email{text: s}, nil
}

// String returns the address as it was parsed.
func (e Email) String() string { return e.text }

// IsZero reports whether e is the zero Email, which is not an address.
func (e Email) IsZero() bool { return e.text == "" }

// IsValid reports whether e was parsed: it is not the zero Email.
func (e Email) IsValid() bool { return e.text != "" }

// Local and Domain split the address at its last "@".
func (e Email) Local() string {
	i := strings.LastIndexByte(e.text, '@')
	if i < 0 {
		return e.text
	}
	return e.text[:i]
}

// Domain returns the part after the last "@".
func (e Email) Domain() string { return e.text[strings.LastIndexByte(e.text, '@')+1:] }

// MarshalText returns the address.
func (e Email) MarshalText() ([]byte, error) {
	if e.text == "" {
		return nil, errors.New("runtime: zero Email is not an address")
	}
	return []byte(e.text), nil
}

// UnmarshalText parses an addr-spec.
func (e *Email) UnmarshalText(b []byte) error {
	v, err := ParseEmail(string(b))
	if err != nil {
		return err
	}
	*e = v
	return nil
}

// Value makes an Email a SQL argument, as its text.
func (e Email) Value() (driver.Value, error) { return e.text, nil }

// ---- uri ----

// URI is an absolute URI, format "uri" (RFC 3986, with a scheme), kept as
// written.
type URI struct{ text string }

// ParseURI accepts an absolute RFC 3986 URI: a scheme, only the characters
// RFC 3986 allows, and well-formed percent escapes.
func ParseURI(s string) (URI, error) {
	if err := format.CheckURI(s); err != nil {
		return URI{}, err
	}
	return URI{text: s}, nil
}

// String returns the URI as it was parsed.
func (u URI) String() string { return u.text }

// IsZero reports whether u is the zero URI, which is not a URI.
func (u URI) IsZero() bool { return u.text == "" }

// IsValid reports whether u was parsed: it is not the zero URI.
func (u URI) IsValid() bool { return u.text != "" }

// URL returns the URI parsed by net/url, a new value on each call.
func (u URI) URL() *url.URL {
	p, err := url.Parse(u.text)
	if err != nil {
		return &url.URL{}
	}
	return p
}

// MarshalText returns the URI.
func (u URI) MarshalText() ([]byte, error) {
	if u.text == "" {
		return nil, errors.New("runtime: zero URI is not a URI")
	}
	return []byte(u.text), nil
}

// UnmarshalText parses an absolute URI.
func (u *URI) UnmarshalText(b []byte) error {
	v, err := ParseURI(string(b))
	if err != nil {
		return err
	}
	*u = v
	return nil
}

// Value makes a URI a SQL argument, as its text.
func (u URI) Value() (driver.Value, error) { return u.text, nil }

// ---- ip addresses ----

// ParseIPv4 parses a dotted-quad IPv4 address (format "ipv4"); IPv6 forms,
// IPv4-mapped IPv6 included, are rejected.
func ParseIPv4(s string) (netip.Addr, error) { return format.ParseIPv4(s) }

// ParseIPv6 parses an IPv6 address (format "ipv6") without a zone; IPv4
// dotted quads are rejected (IPv4-mapped IPv6 is IPv6 and is accepted).
func ParseIPv6(s string) (netip.Addr, error) { return format.ParseIPv6(s) }

// ---- helpers ----

func appendPadded(b []byte, n, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for n > 0 || i > len(buf)-width {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, buf[i:]...)
}
