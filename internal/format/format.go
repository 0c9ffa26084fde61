// Package format checks text against the JSON Schema formats that generated code types (date-time, date, time,
// duration, uuid, email, uri, ipv4, ipv6) and returns the parts it read. The runtime builds its format types
// from these parts and the generator checks enum and const values with Check, so both accept the same text.
package format

import (
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/reftask/reftask/internal/quote"
)

// Error reports a string that is not a valid value of a format; its message names the format and the value.
type Error struct {
	Format string
	Value  string
	Err    error
}

// Error renders the format, the value and the reason, each cut to a bounded length.
func (e *Error) Error() string {
	msg := "invalid " + e.Format + " " + quote.Quote(e.Value)
	if e.Err != nil {
		msg += ": " + quote.ClipN(e.Err.Error(), 8*quote.Limit)
	}
	return msg
}

// Unwrap returns the reason.
func (e *Error) Unwrap() error { return e.Err }

func fail(format, value, reason string) error {
	return &Error{Format: format, Value: value, Err: errors.New(reason)}
}

// Check reports whether s is a valid value of format; formats it does not know accept every string.
func Check(format, s string) error {
	var err error
	switch format {
	case "date-time":
		if _, perr := time.Parse(time.RFC3339Nano, s); perr != nil {
			err = fail(format, s, "want RFC 3339 date-time")
		}
	case "date":
		_, err = ParseDate(s)
	case "time":
		_, err = ParseTime(s)
	case "duration":
		_, err = ParseDuration(s)
	case "uuid":
		_, err = ParseUUID(s)
	case "email":
		err = CheckEmail(s)
	case "uri":
		err = CheckURI(s)
	case "ipv4":
		_, err = ParseIPv4(s)
	case "ipv6":
		_, err = ParseIPv6(s)
	}
	return err
}

// Date is what ParseDate reads; its fields are those of the runtime's Date, which converts from it.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses an RFC 3339 full-date such as "2024-02-29".
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fail("date", s, "want YYYY-MM-DD")
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, fail("date", s, "want YYYY-MM-DD")
	}
	if m < 1 || m > 12 {
		return Date{}, fail("date", s, "month out of range")
	}
	if d < 1 || d > DaysIn(time.Month(m), y) {
		return Date{}, fail("date", s, "day out of range")
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, nil
}

// DaysIn returns the number of days of month m in year.
func DaysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Time is what ParseTime reads; its fields are those of the runtime's TimeOfDay, which converts from it.
type Time struct {
	Hour, Minute, Second, Nanosecond int
	// Offset is the offset from UTC in seconds east.
	Offset int
}

// ParseTime parses an RFC 3339 full-time such as "13:45:00Z"; the offset is required.
func ParseTime(s string) (Time, error) {
	bad := func(reason string) (Time, error) { return Time{}, fail("time", s, reason) }
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
	return Time{Hour: h, Minute: m, Second: sec, Nanosecond: ns, Offset: off}, nil
}

// DurationParts are the components of an ISO 8601 duration, each a whole number; the runtime's DurationParts
// converts from it.
type DurationParts struct {
	Years, Months, Weeks, Days, Hours, Minutes, Seconds int64
}

// ParseDuration parses an RFC 3339 appendix A duration such as "P1Y2M3DT4H5M6S": components in order, whole
// numbers, at least one; weeks stand alone.
func ParseDuration(s string) (DurationParts, error) {
	var p DurationParts
	bad := func(reason string) (DurationParts, error) { return DurationParts{}, fail("duration", s, reason) }
	if len(s) < 3 || s[0] != 'P' {
		return bad(`want "P" followed by components such as 1Y2M3DT4H5M6S`)
	}
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
	return p, nil
}

// ParseUUID parses an RFC 9562 UUID in the 8-4-4-4-12 hex form, in either case.
func ParseUUID(s string) ([16]byte, error) {
	var u [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fail("uuid", s, "want 8-4-4-4-12 hex digits")
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
			return [16]byte{}, fail("uuid", s, "want 8-4-4-4-12 hex digits")
		}
		u[j] = hi<<4 | lo
		j++
		i += 2
	}
	return u, nil
}

// CheckEmail accepts an RFC 5322 addr-spec ("local@domain", no display name, no angle brackets): what
// net/mail.ParseAddress accepts when the whole input is the address itself, its local part quoted only where
// needed.
func CheckEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return &Error{Format: "email", Value: s, Err: errors.New(strings.TrimPrefix(err.Error(), "mail: "))}
	}
	// Address holds the local part unquoted; String quotes it where needed.
	if a.Name != "" || (a.Address != s && a.String() != "<"+s+">") {
		return fail("email", s, "want a bare address local@domain")
	}
	return nil
}

// CheckURI accepts an absolute RFC 3986 URI: a scheme, only the characters RFC 3986 allows, and well-formed
// percent escapes.
func CheckURI(s string) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return fail("uri", s, "malformed percent escape")
			}
			i += 2
		case !uriChar(c):
			return fail("uri", s, fmt.Sprintf("character %q not allowed in a URI", c))
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return &Error{Format: "uri", Value: s, Err: errors.Unwrap(err)}
	}
	if u.Scheme == "" {
		return fail("uri", s, "not absolute: no scheme")
	}
	return nil
}

// ParseIPv4 parses a dotted-quad IPv4 address; IPv6 forms, IPv4-mapped IPv6 included, are rejected.
func ParseIPv4(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, &Error{Format: "ipv4", Value: s, Err: errors.New(ipReason(err))}
	}
	if !IsIPv4(a) {
		return netip.Addr{}, fail("ipv4", s, "not an IPv4 address")
	}
	return a, nil
}

// ParseIPv6 parses an IPv6 address without a zone; IPv4 dotted quads are rejected (IPv4-mapped IPv6 is IPv6
// and is accepted).
func ParseIPv6(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, &Error{Format: "ipv6", Value: s, Err: errors.New(ipReason(err))}
	}
	if a.Zone() != "" {
		return netip.Addr{}, fail("ipv6", s, "zones are not allowed")
	}
	if !IsIPv6(a) {
		return netip.Addr{}, fail("ipv6", s, "not an IPv6 address")
	}
	return a, nil
}

// IsIPv4 reports whether a is a valid IPv4 address.
func IsIPv4(a netip.Addr) bool { return a.Is4() }

// IsIPv6 reports whether a is a valid IPv6 address without a zone.
func IsIPv6(a netip.Addr) bool { return a.Is6() && a.Zone() == "" }

// ipReason keeps what netip says is wrong and drops its repetition of the input, which Error already shows.
func ipReason(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "): "); i >= 0 {
		return msg[i+3:]
	}
	return msg
}

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
