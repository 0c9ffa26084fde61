package runtime

import (
	"bytes"
	"database/sql/driver"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
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

// maxNormalDepth bounds the walk of NormalTimesIn, so that a cyclic value cannot recurse without end; a generated
// param nests no deeper than its schema, which the generator bounds far below this.
const maxNormalDepth = 10000

// normalTimesValue returns a copy of v with its date-times normalised, and whether there were any.
func normalTimesValue(v reflect.Value, depth int) (reflect.Value, bool) {
	if depth > maxNormalDepth {
		return v, false
	}
	t := v.Type()
	if t == timeType {
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

// AppendTimeKey appends the key of a date-time param: its instant and its UTC offset, which together fix its
// NormalTime and so every rendering of it (RFC 3339 text in a URL, a file pointer or a body, a SQL argument).
// It does not name the location, as the cache encoding does: NormalTime gives a source the same for UTC, Local
// and a fixed zone of one offset, and one key for them saves a miss.
func AppendTimeKey(dst []byte, t time.Time) []byte {
	_, off := t.Zone()
	dst = binary.AppendVarint(dst, t.Unix())
	dst = binary.AppendUvarint(dst, uint64(t.Nanosecond()))
	return binary.AppendVarint(dst, int64(off))
}

// AppendJSONKey appends the key of an object, array or map param: its JSON text, which is what an HTTP body
// carries (encoding/json writes map keys sorted, so the key does not depend on map order). A value that has no
// JSON text (a NaN, a year past 9999, a failing MarshalJSON) cannot be sent in a body, but its key must still
// tell it from every other value, or a lookup could be answered from an entry that other params filled: it is
// keyed on its Go value, followed through pointers (appendGoKey), under a mark no JSON text has.
func AppendJSONKey(dst []byte, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return appendGoKey(append(dst, 1), reflect.ValueOf(v), 0)
	}
	return AppendString(append(dst, 0), string(b))
}

// appendGoKey appends an encoding of v that tells apart any two values that differ anywhere: its type, then its
// contents, through pointers and interfaces (never their addresses, which memory reuse would repeat for other
// values), with map entries in the order of their encoded keys. Only a func, a channel or an unsafe pointer is
// keyed on its identity. A value nested past maxNormalDepth (a cycle, since encoding/json refuses those) is
// cut there.
func appendGoKey(dst []byte, v reflect.Value, depth int) []byte {
	if !v.IsValid() {
		return append(dst, 0)
	}
	dst = AppendString(append(dst, 1), v.Type().String())
	if depth > maxNormalDepth {
		return append(dst, 2)
	}
	switch v.Kind() {
	case reflect.Bool:
		return AppendBool(dst, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return AppendInt64(dst, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return binary.AppendUvarint(dst, v.Uint())
	case reflect.Float32, reflect.Float64:
		return AppendFloat64(dst, v.Float())
	case reflect.Complex64, reflect.Complex128:
		return AppendFloat64(AppendFloat64(dst, real(v.Complex())), imag(v.Complex()))
	case reflect.String:
		return AppendString(dst, v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return AppendPresent(dst, false)
		}
		return appendGoKey(AppendPresent(dst, true), v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == timeType && v.CanInterface() {
			t := v.Interface().(time.Time)
			return AppendString(AppendTimeKey(dst, t), t.Location().String())
		}
		for i := range v.NumField() {
			dst = appendGoKey(dst, v.Field(i), depth+1)
		}
		return dst
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice {
			dst = AppendPresent(dst, !v.IsNil())
		}
		dst = AppendLen(dst, v.Len())
		for i := range v.Len() {
			dst = appendGoKey(dst, v.Index(i), depth+1)
		}
		return dst
	case reflect.Map:
		dst = AppendPresent(dst, !v.IsNil())
		entries := make([][]byte, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			k := appendGoKey(nil, it.Key(), depth+1)
			entries = append(entries, appendGoKey(AppendString(nil, string(k)), it.Value(), depth+1))
		}
		// Each entry starts with its key, length-prefixed, and keys are distinct: sorting orders by key.
		slices.SortFunc(entries, bytes.Compare)
		dst = AppendLen(dst, len(entries))
		for _, e := range entries {
			dst = append(dst, e...)
		}
		return dst
	}
	// Func, Chan, UnsafePointer: no contents to compare; two of them are one value only if they are one object.
	return binary.AppendUvarint(dst, uint64(v.Pointer()))
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
