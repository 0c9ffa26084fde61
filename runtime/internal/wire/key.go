package wire

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"slices"
	"time"
)

// MaxDepth bounds the walks over a param's Go value (AppendGoKey here,
// NormalTimesIn in the kit), so that a cyclic value cannot recurse without end;
// a generated param nests no deeper than its schema, which the generator bounds
// far below this.
const MaxDepth = 10000

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

// AppendGoKey appends an encoding of v that tells apart any two values that differ anywhere: its type, then its
// contents, through pointers and interfaces (never their addresses, which memory reuse would repeat for other
// values), with map entries in the order of their encoded keys. Only a func, a channel or an unsafe pointer is
// keyed on its identity. A value nested past MaxDepth (a cycle, since encoding/json refuses those) is
// cut there.
func AppendGoKey(dst []byte, v reflect.Value, depth int) []byte {
	if !v.IsValid() {
		return append(dst, 0)
	}
	dst = AppendString(append(dst, 1), v.Type().String())
	if depth > MaxDepth {
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
		return AppendGoKey(AppendPresent(dst, true), v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() && v.CanInterface() {
			t := v.Interface().(time.Time)
			return AppendString(AppendTimeKey(dst, t), t.Location().String())
		}
		for i := range v.NumField() {
			dst = AppendGoKey(dst, v.Field(i), depth+1)
		}
		return dst
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice {
			dst = AppendPresent(dst, !v.IsNil())
		}
		dst = AppendLen(dst, v.Len())
		for i := range v.Len() {
			dst = AppendGoKey(dst, v.Index(i), depth+1)
		}
		return dst
	case reflect.Map:
		dst = AppendPresent(dst, !v.IsNil())
		entries := make([][]byte, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			k := AppendGoKey(nil, it.Key(), depth+1)
			entries = append(entries, AppendGoKey(AppendString(nil, string(k)), it.Value(), depth+1))
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
