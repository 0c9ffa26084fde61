package kit

import (
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/rawval"
)

// Field converts the raw value of a required property with conv (a conversion such as runtime.AsString:
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
func ReadOpt[T any](rd *runtime.Reader, read func(*runtime.Reader) T) *T {
	if !rd.Present() {
		return nil
	}
	v := read(rd)
	return &v
}

// ReadOptRef reads what AppendOptRef wrote, with a generated type's reader.
func ReadOptRef[T any](rd *runtime.Reader, read func(*runtime.Reader, *T)) *T {
	if !rd.Present() {
		return nil
	}
	v := new(T)
	read(rd, v)
	return v
}
