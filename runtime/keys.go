package runtime

import (
	"database/sql/driver"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// A cache key must tell apart any two params that a source would see differently, or a caller gets an answer
// that belongs to other params. Generated code keeps to one rule: the key is built from exactly what the sources
// are given, and what has no single form is put into one (normalised) before both the key and the source see it.
// Most params are keyed on their value by the cache encoding (wire.go), and every source renders them from that
// value alone (a string byte for byte, a number from its bits, a uuid from its 16 bytes). The functions below
// cover the params whose cache encoding does not pin what a source sees.

// NormalTime is the form in which a date-time param reaches its source: the same instant and UTC offset, with the
// location reduced to that offset (UTC when it is 0) and no monotonic clock reading. A time.Time also carries a
// location name and a monotonic reading, which drivers may print (the SQLite driver writes t.String()), so two
// values of one instant and offset could otherwise ask a source two different things under one key.
func NormalTime(t time.Time) time.Time {
	_, off := t.Zone()
	if off == 0 {
		return t.UTC()
	}
	return t.In(time.FixedZone("", off))
}

// NormalTimes returns a copy of ts with each time in its NormalTime form; nil stays nil.
func NormalTimes(ts []time.Time) []time.Time {
	if ts == nil {
		return nil
	}
	out := make([]time.Time, len(ts))
	for i, t := range ts {
		out[i] = NormalTime(t)
	}
	return out
}

// AppendTimeKey appends the key of a date-time param: its instant and its UTC offset, which together fix its
// NormalTime and so every rendering of it (RFC 3339 text in a URL, a file pointer or a body, a SQL argument).
func AppendTimeKey(dst []byte, t time.Time) []byte {
	_, off := t.Zone()
	return binary.AppendVarint(AppendTime(dst, t), int64(off))
}

// AppendJSONKey appends the key of an object, array or map param: its JSON text, which is what an HTTP body
// carries (encoding/json writes map keys sorted, so the key does not depend on map order). A value that has no
// JSON text cannot be sent in a body; it is keyed on its Go syntax instead.
func AppendJSONKey(dst []byte, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return AppendString(append(dst, 1), fmt.Sprintf("%#v", v))
	}
	return AppendString(append(dst, 0), string(b))
}

// AppendUserKey appends the key of an x-go-type param that is not a builtin: everything a source can be given for
// it, that is its JSON text (an HTTP body), its fmt.Sprint text (an HTTP path or query, a file pointer) and, for
// a driver.Valuer, the value it binds as (a SQL argument). Its cache encoding holds only the JSON text, which a
// type is free to write without what its String method shows.
func AppendUserKey[T any](dst []byte, v T) []byte {
	dst = AppendJSONKey(dst, &v)
	dst = AppendString(dst, fmt.Sprint(v))
	dv, ok := any(v).(driver.Valuer)
	if !ok {
		return append(dst, 0)
	}
	val, err := dv.Value()
	if err != nil {
		return AppendString(append(dst, 1), err.Error())
	}
	switch x := val.(type) {
	case nil:
		return append(dst, 2)
	case int64:
		return AppendInt64(append(dst, 3), x)
	case float64:
		return AppendFloat64(append(dst, 4), x)
	case bool:
		return AppendBool(append(dst, 5), x)
	case []byte:
		return AppendString(append(dst, 6), string(x))
	case string:
		return AppendString(append(dst, 7), x)
	case time.Time:
		// Given to the driver as it is: its location's name counts too.
		return AppendString(AppendTimeKey(append(dst, 8), x), x.Location().String())
	}
	return AppendString(append(dst, 9), fmt.Sprintf("%T %#v", val, val))
}
