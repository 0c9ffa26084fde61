package kit

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/reftask/reftask/runtime/internal/wire"
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

// NormalTimesIn returns v with every date-time it holds, at any depth of structs, pointers, slices, arrays, maps
// and interfaces, in its NormalTime form. The parts on the way to a date-time are copied, never changed, so the
// caller's value stays as it was. Generated code calls it, on a miss, for an object, array or map param holding
// date-times: such a param is keyed on its JSON text, which shows only the instant and offset, while a Go source
// is given the value itself, whose location name and monotonic reading would otherwise differ under one key.
// Unexported fields are left as they are: generated types have none that hold a date-time.
func NormalTimesIn[T any](v T) T {
	out, changed := normalTimesValue(reflect.ValueOf(&v).Elem(), 0)
	if !changed {
		return v
	}
	return out.Interface().(T)
}

// normalTimesValue returns a copy of v with its date-times normalised, and whether there were any.
func normalTimesValue(v reflect.Value, depth int) (reflect.Value, bool) {
	if depth > maxNormalDepth {
		return v, false
	}
	t := v.Type()
	if t == reflect.TypeFor[time.Time]() {
		n := reflect.New(t).Elem()
		n.Set(reflect.ValueOf(NormalTime(v.Interface().(time.Time))))
		return n, true
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v, false
		}
		e, ok := normalTimesValue(v.Elem(), depth+1)
		if !ok {
			return v, false
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(e)
		return p, true
	case reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		e, ok := normalTimesValue(v.Elem(), depth+1)
		if !ok {
			return v, false
		}
		n := reflect.New(t).Elem()
		n.Set(e)
		return n, true
	case reflect.Struct:
		var out reflect.Value
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			f, ok := normalTimesValue(v.Field(i), depth+1)
			if !ok {
				continue
			}
			if !out.IsValid() {
				out = reflect.New(t).Elem()
				out.Set(v)
			}
			out.Field(i).Set(f)
		}
		return out, out.IsValid()
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return v, false
		}
		var out reflect.Value
		for i := range v.Len() {
			e, ok := normalTimesValue(v.Index(i), depth+1)
			if !ok {
				continue
			}
			if !out.IsValid() {
				if v.Kind() == reflect.Slice {
					out = reflect.MakeSlice(t, v.Len(), v.Len())
					reflect.Copy(out, v)
				} else {
					out = reflect.New(t).Elem()
					out.Set(v)
				}
			}
			out.Index(i).Set(e)
		}
		return out, out.IsValid()
	case reflect.Map:
		if v.IsNil() {
			return v, false
		}
		var out reflect.Value
		it := v.MapRange()
		for it.Next() {
			e, ok := normalTimesValue(it.Value(), depth+1)
			if !ok {
				continue
			}
			if !out.IsValid() {
				out = reflect.MakeMapWithSize(t, v.Len())
				for it2 := v.MapRange(); it2.Next(); {
					out.SetMapIndex(it2.Key(), it2.Value())
				}
			}
			out.SetMapIndex(it.Key(), e)
		}
		return out, out.IsValid()
	}
	return v, false
}

// AppendJSONKey appends the key of an object, array or map param: its JSON text, which is what an HTTP body
// carries (encoding/json writes map keys sorted, so the key does not depend on map order). A value that has no
// JSON text (a NaN, a year past 9999, a failing MarshalJSON) cannot be sent in a body, but its key must still
// tell it from every other value, or a lookup could be answered from an entry that other params filled: it is
// keyed on its Go value, followed through pointers (appendGoKey), under a mark no JSON text has.
func AppendJSONKey(dst []byte, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return wire.AppendGoKey(append(dst, 1), reflect.ValueOf(v), 0)
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

// maxNormalDepth bounds the walk of NormalTimesIn: see wire.MaxDepth.
const maxNormalDepth = wire.MaxDepth
