package kit

import (
	"net/netip"
	"strings"
	"time"

	"github.com/reftask/reftask/internal/format"
	"github.com/reftask/reftask/runtime"
)

// AddrArg makes an IP address a SQL argument, as its text: netip.Addr is
// not a driver.Valuer.
func AddrArg(a netip.Addr) any { return a.String() }

// PtrAddrArg is AddrArg for an optional address: nil stays NULL.
func PtrAddrArg(a *netip.Addr) any {
	if a == nil {
		return nil
	}
	return a.String()
}

// OptNullAddrArg is AddrArg for an optional, nullable address.
func OptNullAddrArg(o runtime.OptNull[netip.Addr]) any {
	if !o.Set || o.Null {
		return nil
	}
	return o.Value.String()
}

// AsDate accepts a Date, a time.Time (its date in its own location, as SQL
// DATE columns arrive) and RFC 3339 full-date text.
func AsDate(path string, v any) (runtime.Date, error) {
	switch x := v.(type) {
	case runtime.Date:
		return x, nil
	case time.Time:
		return runtime.DateOf(x), nil
	case string:
		d, err := runtime.ParseDate(x)
		if err != nil {
			return runtime.Date{}, convErr(path, v, "date", err)
		}
		return d, nil
	case []byte:
		return AsDate(path, string(x))
	}
	return runtime.Date{}, convErr(path, v, "date", nil)
}

// AsTimeOfDay accepts a TimeOfDay, a time.Time (its clock and offset), RFC
// 3339 full-time text and, as SQL TIME columns give it, "15:04:05[.frac]"
// without an offset, read as UTC.
func AsTimeOfDay(path string, v any) (runtime.TimeOfDay, error) {
	switch x := v.(type) {
	case runtime.TimeOfDay:
		return x, nil
	case time.Time:
		return runtime.TimeOfDayOf(x), nil
	case string:
		t, err := runtime.ParseTimeOfDay(x)
		if err == nil {
			return t, nil
		}
		if !strings.ContainsAny(x, "Zz+-") {
			if t, err2 := runtime.ParseTimeOfDay(x + "Z"); err2 == nil {
				return t, nil
			}
		}
		return runtime.TimeOfDay{}, convErr(path, v, "time", err)
	case []byte:
		return AsTimeOfDay(path, string(x))
	}
	return runtime.TimeOfDay{}, convErr(path, v, "time", nil)
}

// AsDuration accepts a Duration, ISO 8601 text and a non-negative
// time.Duration of whole seconds.
func AsDuration(path string, v any) (runtime.Duration, error) {
	switch x := v.(type) {
	case runtime.Duration:
		return x, nil
	case time.Duration:
		if x < 0 || x%time.Second != 0 {
			return runtime.Duration{}, convErr(path, v, "duration", errNotWholeSeconds)
		}
		s := int64(x / time.Second)
		d, err := runtime.DurationOf(runtime.DurationParts{Hours: s / 3600, Minutes: s % 3600 / 60, Seconds: s % 60})
		if err != nil {
			return runtime.Duration{}, convErr(path, v, "duration", err)
		}
		return d, nil
	case string:
		d, err := runtime.ParseDuration(x)
		if err != nil {
			return runtime.Duration{}, convErr(path, v, "duration", err)
		}
		return d, nil
	case []byte:
		return AsDuration(path, string(x))
	}
	return runtime.Duration{}, convErr(path, v, "duration", nil)
}

var errNotWholeSeconds = errorString("not a non-negative whole number of seconds")

type errorString string

func (e errorString) Error() string { return string(e) }

// AsUUID accepts a UUID, [16]byte, 16 raw bytes (a BINARY(16) column) and
// the 8-4-4-4-12 text.
func AsUUID(path string, v any) (runtime.UUID, error) {
	switch x := v.(type) {
	case runtime.UUID:
		return x, nil
	case [16]byte:
		return runtime.UUID(x), nil
	case string:
		u, err := runtime.ParseUUID(x)
		if err != nil {
			return runtime.UUID{}, convErr(path, v, "uuid", err)
		}
		return u, nil
	case []byte:
		if len(x) == 16 {
			return runtime.UUID(x), nil
		}
		return AsUUID(path, string(x))
	}
	return runtime.UUID{}, convErr(path, v, "uuid", nil)
}

// AsEmail accepts an Email and addr-spec text.
func AsEmail(path string, v any) (runtime.Email, error) {
	switch x := v.(type) {
	case runtime.Email:
		return x, nil
	case string:
		e, err := runtime.ParseEmail(x)
		if err != nil {
			return runtime.Email{}, convErr(path, v, "email", err)
		}
		return e, nil
	case []byte:
		return AsEmail(path, string(x))
	}
	return runtime.Email{}, convErr(path, v, "email", nil)
}

// AsURI accepts a URI and absolute URI text.
func AsURI(path string, v any) (runtime.URI, error) {
	switch x := v.(type) {
	case runtime.URI:
		return x, nil
	case string:
		u, err := runtime.ParseURI(x)
		if err != nil {
			return runtime.URI{}, convErr(path, v, "uri", err)
		}
		return u, nil
	case []byte:
		return AsURI(path, string(x))
	}
	return runtime.URI{}, convErr(path, v, "uri", nil)
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
		a, err := runtime.ParseIPv4(x)
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
		a, err := runtime.ParseIPv6(x)
		if err != nil {
			return netip.Addr{}, convErr(path, v, "ipv6", err)
		}
		return a, nil
	case []byte:
		return AsIPv6(path, string(x))
	}
	return netip.Addr{}, convErr(path, v, "ipv6", nil)
}

// IsIPv4 reports whether a is a valid IPv4 address; generated Validate methods call it on netip.Addr values of
// format "ipv4".
func IsIPv4(a netip.Addr) bool { return format.IsIPv4(a) }

// IsIPv6 reports whether a is a valid IPv6 address without a zone; generated Validate methods call it on values
// of format "ipv6".
func IsIPv6(a netip.Addr) bool { return format.IsIPv6(a) }
