package kit

import (
	"slices"
	"strconv"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/rawval"
)

// Field converts the raw value of a required property with conv (a conversion such as AsString:
// lossless, or an error naming path), unless *err already holds an error; a
// failure is kept in *err. A run of fields so converts with one error check after it, and the first
// failure is the one reported.
func Field[T any](err *error, path string, raw any, conv func(path string, raw any) (T, error)) (v T) {
	if *err != nil {
		return v
	}
	v, *err = conv(path, raw)
	return v
}

// OptionalField is Field for an optional property that cannot hold null: an absent or null raw value
// leaves it nil.
func OptionalField[T any](err *error, path string, raw any, conv func(path string, raw any) (T, error)) *T {
	if *err != nil || raw == nil {
		return nil
	}
	if _, absent := raw.(rawval.Absent); absent {
		return nil
	}
	v, e := conv(path, raw)
	if e != nil {
		*err = e
		return nil
	}
	return &v
}

// NullableField is Field for a required property that may be null: null leaves it nil, and an absent
// raw value is the error Missing(path, schema).
func NullableField[T any](err *error, path, schema string, raw any, conv func(path string, raw any) (T, error)) *T {
	if *err != nil || raw == nil {
		return nil
	}
	if _, absent := raw.(rawval.Absent); absent {
		*err = Missing(path, schema)
		return nil
	}
	v, e := conv(path, raw)
	if e != nil {
		*err = e
		return nil
	}
	return &v
}

// AppendOpt appends an optional value of the cache encoding: whether it is set, then the value.
func AppendOpt[T any](dst []byte, v *T, appendValue func([]byte, T) []byte) []byte {
	if v == nil {
		return AppendPresent(dst, false)
	}
	return appendValue(AppendPresent(dst, true), *v)
}

// AppendOptRef is AppendOpt for a generated type, whose append function takes a pointer.
func AppendOptRef[T any](dst []byte, v *T, appendValue func([]byte, *T) []byte) []byte {
	if v == nil {
		return AppendPresent(dst, false)
	}
	return appendValue(AppendPresent(dst, true), v)
}

// ReadOpt reads what AppendOpt wrote: nil when the value was not set.
func ReadOpt[T any](rd *Reader, read func(*Reader) T) *T {
	if !rd.Present() {
		return nil
	}
	v := read(rd)
	return &v
}

// ReadOptRef reads what AppendOptRef wrote, with a generated type's reader.
func ReadOptRef[T any](rd *Reader, read func(*Reader, *T)) *T {
	if !rd.Present() {
		return nil
	}
	v := new(T)
	read(rd, v)
	return v
}

// AsStringOf is AsString into a named string type (an enum, say).
func AsStringOf[T ~string](path string, raw any) (T, error) {
	v, err := AsString(path, raw)
	return T(v), err
}

// AsInt64Of is AsInt64 into a named integer type.
func AsInt64Of[T ~int64](path string, raw any) (T, error) {
	v, err := AsInt64(path, raw)
	return T(v), err
}

// AsFloat64Of is AsFloat64 into a named number type.
func AsFloat64Of[T ~float64](path string, raw any) (T, error) {
	v, err := AsFloat64(path, raw)
	return T(v), err
}

// AsBoolOf is AsBool into a named boolean type.
func AsBoolOf[T ~bool](path string, raw any) (T, error) {
	v, err := AsBool(path, raw)
	return T(v), err
}

// PresentField is Field for an optional property whose type holds null itself: an absent raw value leaves
// it nil, and anything else, null included, is converted.
func PresentField[T any](err *error, path string, raw any, conv func(path string, raw any) (T, error)) *T {
	if *err != nil {
		return nil
	}
	if _, absent := raw.(rawval.Absent); absent {
		return nil
	}
	v, e := conv(path, raw)
	if e != nil {
		*err = e
		return nil
	}
	return &v
}

// OptNullField is Field for an optional property that may be null: absent is unset, null is Null.
func OptNullField[T any](err *error, path string, raw any, conv func(path string, raw any) (T, error)) (o runtime.OptNull[T]) {
	if *err != nil {
		return o
	}
	if _, absent := raw.(rawval.Absent); absent {
		return o
	}
	if raw == nil {
		return runtime.Null[T]()
	}
	v, e := conv(path, raw)
	if e != nil {
		*err = e
		return o
	}
	return runtime.Some(v)
}

// AppendOptNull appends an optional, nullable value of the cache encoding: whether it is set, whether it
// is null, then the value.
func AppendOptNull[T any](dst []byte, v *runtime.OptNull[T], appendValue func([]byte, T) []byte) []byte {
	dst = AppendPresent(dst, v.Set)
	if !v.Set {
		return dst
	}
	dst = AppendPresent(dst, v.Null)
	if v.Null {
		return dst
	}
	return appendValue(dst, v.Value)
}

// AppendOptNullRef is AppendOptNull for a generated type, whose append function takes a pointer.
func AppendOptNullRef[T any](dst []byte, v *runtime.OptNull[T], appendValue func([]byte, *T) []byte) []byte {
	dst = AppendPresent(dst, v.Set)
	if !v.Set {
		return dst
	}
	dst = AppendPresent(dst, v.Null)
	if v.Null {
		return dst
	}
	return appendValue(dst, &v.Value)
}

// ReadOptNull reads what AppendOptNull wrote.
func ReadOptNull[T any](rd *Reader, read func(*Reader) T) (o runtime.OptNull[T]) {
	if !rd.Present() {
		return o
	}
	if rd.Present() {
		return runtime.Null[T]()
	}
	return runtime.Some(read(rd))
}

// ReadOptNullRef reads what AppendOptNullRef wrote, with a generated type's reader.
func ReadOptNullRef[T any](rd *Reader, read func(*Reader, *T)) (o runtime.OptNull[T]) {
	if !rd.Present() {
		return o
	}
	o.Set = true
	if rd.Present() {
		o.Null = true
		return o
	}
	read(rd, &o.Value)
	return o
}

// AsList converts a raw array (AsArray) element by element with conv; element i is at path/i.
func AsList[T any](path string, raw any, conv func(path string, raw any) (T, error)) ([]T, error) {
	a, err := AsArray(path, raw)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(a))
	for i, e := range a {
		if out[i], err = conv(path+"/"+strconv.Itoa(i), e); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ListField is Field for a required list property: AsList with conv for its elements.
func ListField[T any](err *error, path string, raw any, conv func(path string, raw any) (T, error)) []T {
	if *err != nil {
		return nil
	}
	v, e := AsList(path, raw, conv)
	*err = e
	return v
}

// OptionalListField is ListField for an optional list property: absent or null leaves it nil.
func OptionalListField[T any](err *error, path string, raw any, conv func(path string, raw any) (T, error)) *[]T {
	if *err != nil || raw == nil {
		return nil
	}
	if _, absent := raw.(rawval.Absent); absent {
		return nil
	}
	v, e := AsList(path, raw, conv)
	if e != nil {
		*err = e
		return nil
	}
	return &v
}

// ExtraProps converts the properties of the object m that known does not name (additionalProperties) with
// conv, in key order, unless *err is already set; a failure is kept in *err. It is nil when there are none.
func ExtraProps[T any](err *error, path string, m map[string]any, known []string, conv func(path string, raw any) (T, error)) map[string]T {
	if *err != nil {
		return nil
	}
	var out map[string]T
	for _, k := range SortedKeys(m) {
		if slices.Contains(known, k) {
			continue
		}
		v, e := conv(JoinPointer(path, k), m[k])
		if e != nil {
			*err = e
			return nil
		}
		if out == nil {
			out = make(map[string]T)
		}
		out[k] = v
	}
	return out
}

// Record converts the record a source returned (decoded JSON) into a new R with conv: the body of a
// generated fetch method.
func Record[R any](raw any, conv func(path string, raw any) (R, error)) (*R, error) {
	v, err := conv("", raw)
	if err != nil {
		return nil, err
	}
	return &v, nil
}
