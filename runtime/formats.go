package runtime

import (
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// FormatError reports a string that is not a valid value of a JSON Schema
// format; its message names the format and the value.
type FormatError struct {
	Format string
	Value  string
	Err    error
}

// Error renders the format, the value and the reason.
func (e *FormatError) Error() string {
	msg := "invalid " + e.Format + " " + Quote(e.Value)
	if e.Err != nil {
		msg += ": " + clipText(e.Err.Error(), messageLimit)
	}
	return msg
}

// Unwrap returns the reason.
func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(format, value, reason string) error {
	return &FormatError{Format: format, Value: value, Err: errors.New(reason)}
}

// CheckFormat reports whether s is a valid value of one of the formats that
// generated code types (date, time, duration, uuid, email, uri, ipv4, ipv6,
// date-time); unknown formats accept every string. The generator calls it
// on enum and const values.
func CheckFormat(format, s string) error {
	var err error
	switch format {
	case "date-time":
		if _, perr := time.Parse(time.RFC3339Nano, s); perr != nil {
			err = &FormatError{Format: format, Value: s, Err: errors.New("want RFC 3339 date-time")}
		}
	case "date":
		_, err = ParseDate(s)
	case "time":
		_, err = ParseTimeOfDay(s)
	case "duration":
		_, err = ParseDuration(s)
	case "uuid":
		_, err = ParseUUID(s)
	case "email":
		_, err = ParseEmail(s)
	case "uri":
		_, err = ParseURI(s)
	case "ipv4":
		_, err = ParseIPv4(s)
	case "ipv6":
		_, err = ParseIPv6(s)
	}
	return err
}

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
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, formatErr("date", s, "want YYYY-MM-DD")
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, formatErr("date", s, "want YYYY-MM-DD")
	}
	if m < 1 || m > 12 {
		return Date{}, formatErr("date", s, "month out of range")
	}
	if d < 1 || d > daysIn(time.Month(m), y) {
		return Date{}, formatErr("date", s, "day out of range")
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, nil
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
	return d.Year >= 0 && d.Year <= 9999 && d.Month >= 1 && d.Month <= 12 && d.Day >= 1 && d.Day <= daysIn(d.Month, d.Year)
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
	bad := func(reason string) (TimeOfDay, error) { return TimeOfDay{}, formatErr("time", s, reason) }
	if len(s) < 9 || s[2] != ':' || s[5] != ':' {
		return bad("want HH:MM:SS[.frac] followed by Z or ±HH:MM")
	}
	h, ok1 := digits(s[0:2])
	m, ok2 := digits(s[3:5])
	sec, ok3 := digits(s[6:8])
	if !ok1 || !ok2 || !ok3 {
		return bad("want HH:MM:SS[.frac] followed by Z or ±HH:MM")
	}
	rest := s[8:]
	ns := 0
	if rest != "" && rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 {
			return bad("empty fraction of a second")
		}
		frac := rest[1:n]
		for i := 0; i < 9; i++ {
			ns *= 10
			if i < len(frac) {
				ns += int(frac[i] - '0')
			}
		}
		rest = rest[n:]
	}
	off := 0
	switch {
	case rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:3])
		om, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return bad("offset out of range")
		}
		off = oh*3600 + om*60
		if rest[0] == '-' {
			off = -off
		}
	default:
		return bad("want Z or ±HH:MM after the time")
	}
	if h > 23 || m > 59 || sec > 60 {
		return bad("hour, minute or second out of range")
	}
	if sec == 60 {
		// A leap second is 23:59:60 in UTC only.
		utc := ((h*3600+m*60-off)%86400 + 86400) % 86400
		if utc != 23*3600+59*60 {
			return bad("leap second not at 23:59:60 UTC")
		}
	}
	return TimeOfDay{Hour: h, Minute: m, Second: sec, Nanosecond: ns, Offset: off}, nil
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
	bad := func(reason string) (Duration, error) { return Duration{}, formatErr("duration", s, reason) }
	if len(s) < 3 || s[0] != 'P' {
		return bad(`want "P" followed by components such as 1Y2M3DT4H5M6S`)
	}
	d := Duration{text: s}
	p := &d.parts
	rest := s[1:]
	inTime := false
	// order ranks the designators; each component must come after the
	// previous one and, per the ABNF, right after it (no gaps).
	const dateOrder, timeOrder = "YMD", "HMS"
	last := -1
	n := 0
	for rest != "" {
		if rest[0] == 'T' {
			if inTime {
				return bad("second T")
			}
			inTime = true
			last = -1
			rest = rest[1:]
			if rest == "" {
				return bad("no component after T")
			}
			continue
		}
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return bad("want a number followed by a designator")
		}
		v, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil {
			return bad("number out of range")
		}
		des := rest[i]
		rest = rest[i+1:]
		n++
		if des == 'W' {
			if inTime || n != 1 || rest != "" {
				return bad("weeks cannot be combined with other components")
			}
			p.Weeks = v
			continue
		}
		order := dateOrder
		if inTime {
			order = timeOrder
		}
		k := strings.IndexByte(order, des)
		if k < 0 {
			return bad(fmt.Sprintf("unexpected designator %q", des))
		}
		if k <= last || (last >= 0 && k != last+1) {
			return bad("components out of order")
		}
		last = k
		switch {
		case !inTime && des == 'Y':
			p.Years = v
		case !inTime && des == 'M':
			p.Months = v
		case !inTime && des == 'D':
			p.Days = v
		case des == 'H':
			p.Hours = v
		case des == 'M':
			p.Minutes = v
		default:
			p.Seconds = v
		}
	}
	if n == 0 {
		return bad("no component")
	}
	if inTime && last < 0 {
		return bad("no component after T")
	}
	return d, nil
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
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, formatErr("uuid", s, "want 8-4-4-4-12 hex digits")
	}
	j := 0
	for i := 0; i < 36; {
		if s[i] == '-' {
			i++
			continue
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return UUID{}, formatErr("uuid", s, "want 8-4-4-4-12 hex digits")
		}
		u[j] = hi<<4 | lo
		j++
		i += 2
	}
	return u, nil
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
	a, err := mail.ParseAddress(s)
	if err != nil {
		return Email{}, &FormatError{Format: "email", Value: s, Err: errors.New(strings.TrimPrefix(err.Error(), "mail: "))}
	}
	// Address holds the local part unquoted; String quotes it where needed.
	if a.Name != "" || (a.Address != s && a.String() != "<"+s+">") {
		return Email{}, formatErr("email", s, "want a bare address local@domain")
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
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return URI{}, formatErr("uri", s, "malformed percent escape")
			}
			i += 2
		case !uriChar(c):
			return URI{}, formatErr("uri", s, fmt.Sprintf("character %q not allowed in a URI", c))
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return URI{}, &FormatError{Format: "uri", Value: s, Err: errors.Unwrap(err)}
	}
	if u.Scheme == "" {
		return URI{}, formatErr("uri", s, "not absolute: no scheme")
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
func ParseIPv4(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, &FormatError{Format: "ipv4", Value: s, Err: errors.New(ipReason(err))}
	}
	if !IsIPv4(a) {
		return netip.Addr{}, formatErr("ipv4", s, "not an IPv4 address")
	}
	return a, nil
}

// ParseIPv6 parses an IPv6 address (format "ipv6") without a zone; IPv4
// dotted quads are rejected (IPv4-mapped IPv6 is IPv6 and is accepted).
func ParseIPv6(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, &FormatError{Format: "ipv6", Value: s, Err: errors.New(ipReason(err))}
	}
	if a.Zone() != "" {
		return netip.Addr{}, formatErr("ipv6", s, "zones are not allowed")
	}
	if !IsIPv6(a) {
		return netip.Addr{}, formatErr("ipv6", s, "not an IPv6 address")
	}
	return a, nil
}

// IsIPv4 reports whether a is a valid IPv4 address; generated Validate
// methods call it on netip.Addr values of format "ipv4".
func IsIPv4(a netip.Addr) bool { return a.Is4() }

// IsIPv6 reports whether a is a valid IPv6 address without a zone;
// generated Validate methods call it on values of format "ipv6".
func IsIPv6(a netip.Addr) bool { return a.Is6() && a.Zone() == "" }

func ipReason(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "): "); i >= 0 {
		return msg[i+3:]
	}
	return msg
}

// ---- helpers ----

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

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

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func isHex(c byte) bool {
	_, ok := unhex(c)
	return ok
}

// uriChar reports whether c may appear unescaped in an RFC 3986 URI.
func uriChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-._~:/?#[]@!$&'()*+,;=", c) >= 0
}
