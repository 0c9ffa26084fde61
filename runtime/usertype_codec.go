package runtime

import (
	"encoding/json"

	"github.com/reftask/reftask/runtime/internal/wire"
)

// The cache codec of x-go-type values that are not builtins: their JSON text.

// AppendJSONText appends a user type's JSON form as a string. A value that
// fails to marshal is written as no bytes, which ReadJSONText reports as
// corrupt: the entry is then a cache miss, never a wrong value.
func AppendJSONText[T any](dst []byte, v T) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		data = nil
	}
	dst = wire.AppendLen(dst, len(data))
	return append(dst, data...)
}

// ReadJSONText reads a value written by AppendJSONText into dst.
func ReadJSONText[T any](r *Reader, dst *T) {
	n := r.Len()
	if r.err != nil {
		return
	}
	if n == 0 {
		r.fail()
		return
	}
	data := r.buf[r.off : r.off+n]
	r.off += n
	if err := json.Unmarshal(data, dst); err != nil {
		r.fail()
	}
}
