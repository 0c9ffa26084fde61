package kit

import (
	"context"
	"encoding/json"
	"unsafe"

	"github.com/reftask/reftask/runtime"
)

// keyBuf is the size of the stack buffer Get builds a cache key in; a longer key moves to the heap.
const keyBuf = 128

// Get looks p up through t, as a generated Get method does. The cache key (t.Key, then appendKey's encoding
// of p) is built on Get's stack, and t.Get copies it and p to the heap only on a miss, so that a hit
// allocates only the caller's copy of the result.
//
// appendKey must keep neither its dst nor its p, nor hand p to code that might (generated append functions
// keep nothing; see GetEscaping for keys that call the user's methods): escape analysis cannot see that
// through a function value, so Get hides both from it (see noescape).
func Get[P, R any](ctx context.Context, t *Task[P, R], appendKey func([]byte, *P) []byte, p P) (*R, error) {
	var buf [keyBuf]byte
	key := appendKey(noescapeBytes(t.Key(buf[:0])), (*P)(noescape(unsafe.Pointer(&p))))
	return t.Get(ctx, key, p)
}

// GetEscaping is Get for params whose cache key hands a pointer into them to the user's code: a struct or
// map param holding an x-go-type, whose MarshalJSON the key's JSON text calls. The key and the params go
// where escape analysis puts them (the heap), so that nothing such a method keeps can point into a stack.
func GetEscaping[P, R any](ctx context.Context, t *Task[P, R], appendKey func([]byte, *P) []byte, p P) (*R, error) {
	var buf [keyBuf]byte
	return t.Get(ctx, appendKey(t.Key(buf[:0]), &p), p)
}

// noescape hides a pointer from escape analysis, as the standard library's internal/abi.NoEscape does. The
// pointer returned is typed again in the caller, so a stack that grows still moves it.
//
//go:nosplit
func noescape(p unsafe.Pointer) unsafe.Pointer {
	// Escape analysis does not follow a pointer through a uintptr held in a variable. Nothing between the
	// two lines can move the stack (there is no call), so the address read back is the one written.
	x := uintptr(p)
	return *(*unsafe.Pointer)(unsafe.Pointer(&x))
}

// noescapeBytes is noescape for a slice's array.
func noescapeBytes(b []byte) []byte {
	return unsafe.Slice((*byte)(noescape(unsafe.Pointer(unsafe.SliceData(b)))), cap(b))[:len(b)]
}

// Execute is one case of a generated Client.Execute: it decodes params as t's params (DecodeParams)
// and looks them up through t. A failure is a nil any, never a typed nil pointer.
func Execute[P, R any](ctx context.Context, x *runtime.Executor, t *Task[P, R], params []byte) (any, error) {
	var p P
	if err := DecodeParams(x, t.Name(), params, &p); err != nil {
		return nil, err
	}
	r, err := t.Do(ctx, &p)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Decoder is a TaskSpec.Decode made of a generated cache reader: each call reads into a new R.
func Decoder[R any](read func(*Reader, *R)) func(*Reader) *R {
	return func(rd *Reader) *R {
		v := new(R)
		read(rd, v)
		return v
	}
}

// FallbackJSON is a value fallback's function: each call decodes a fresh copy of value, JSON text that
// reftaskgen checked against the result schema.
func FallbackJSON[P, R any](value string) func(context.Context, *P) (*R, error) {
	return func(context.Context, *P) (*R, error) {
		v := new(R)
		if err := json.Unmarshal([]byte(value), v); err != nil {
			return nil, err
		}
		return v, nil
	}
}

// DecodeObject is a generated struct's UnmarshalJSON: it checks data against the object's property lists
// (RequireKeys), then decodes it into v, the struct's plain form, strictly (DecodeStrict).
func DecodeObject(data []byte, v any, required, nonNull, known []string, closed bool) error {
	if err := RequireKeys(data, required, nonNull, known, closed); err != nil {
		return err
	}
	return DecodeStrict(data, v)
}
