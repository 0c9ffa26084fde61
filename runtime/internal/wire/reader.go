package wire

import (
	"encoding/binary"
	"errors"
	"math"
	"time"
	"unsafe"
)

// errCorrupt is what a Reader reports for truncated or malformed input.
var errCorrupt = errors.New("reftask: corrupt cache entry")

// maxZoneOffset bounds a fixed offset read back: an int32, as a Go zone offset is on every platform.
const maxZoneOffset = math.MaxInt32

// quarterZones holds a fixed zone for every offset on a quarter hour within ±14h, which is every offset in use;
// Reader.Time takes its zone from here so that a cache hit does not allocate one. It is filled once and then
// only read.
var quarterZones = func() (zs [113]*time.Location) {
	for i := range zs {
		zs[i] = time.FixedZone("", (i-56)*900)
	}
	return zs
}()

// fixedZone returns a fixed zone of off seconds east: a shared one for the usual offsets, a new one otherwise.
func fixedZone(off int) *time.Location {
	if off%900 == 0 && off >= -56*900 && off <= 56*900 {
		return quarterZones[off/900+56]
	}
	return time.FixedZone("", off)
}

// Reader decodes values written by the Append functions from a buffer that is never mutated,
// so String may alias it without copying. After the first error every method returns a zero value.
// Generated code names it kit.Reader.
type Reader struct {
	buf []byte
	off int
	err error
}

// NewReader returns a Reader over b; b must not be modified while strings read from it are in use.
func NewReader(b []byte) *Reader { return &Reader{buf: b} }

// Err returns the first decoding error, or nil.
func (r *Reader) Err() error { return r.err }

// Rest returns the number of bytes not read yet.
func (r *Reader) Rest() int { return len(r.buf) - r.off }

// Fail marks the input corrupt: a reader of a composite value calls it when a part it read is not valid.
func (r *Reader) Fail() { r.err = errCorrupt }

// Reset makes r read b from its start, forgetting any earlier error.
func (r *Reader) Reset(b []byte) { *r = Reader{buf: b} }

// Done reports whether every byte was read without error: a decoded entry is whole only then.
func (r *Reader) Done() bool { return r.err == nil && r.off == len(r.buf) }

// Fixed reads the next n bytes, aliasing the buffer.
func (r *Reader) Fixed(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.buf)-r.off < n {
		r.Fail()
		return nil
	}
	b := r.buf[r.off : r.off+n]
	r.off += n
	return b
}

func (r *Reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.buf[r.off:])
	if n <= 0 {
		r.Fail()
		return 0
	}
	r.off += n
	return v
}

func (r *Reader) byte01() bool {
	if r.err != nil {
		return false
	}
	if r.off >= len(r.buf) || r.buf[r.off] > 1 {
		r.Fail()
		return false
	}
	b := r.buf[r.off]
	r.off++
	return b == 1
}

// String reads a string that aliases the underlying buffer.
func (r *Reader) String() string {
	n := r.uvarint()
	if r.err != nil || n == 0 {
		return ""
	}
	if n > uint64(len(r.buf)-r.off) {
		r.Fail()
		return ""
	}
	s := unsafe.String(&r.buf[r.off], int(n))
	r.off += int(n)
	return s
}

// Uint64 reads a uvarint.
func (r *Reader) Uint64() uint64 { return r.uvarint() }

// Int64 reads a varint.
func (r *Reader) Int64() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.buf[r.off:])
	if n <= 0 {
		r.Fail()
		return 0
	}
	r.off += n
	return v
}

// Float64 reads 8 IEEE 754 bytes.
func (r *Reader) Float64() float64 {
	if r.err != nil {
		return 0
	}
	if len(r.buf)-r.off < 8 {
		r.Fail()
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.buf[r.off:]))
	r.off += 8
	return v
}

// Bool reads one byte that must be 0 or 1.
func (r *Reader) Bool() bool { return r.byte01() }

// Time reads a time written by AppendTime: its instant in its zone.
func (r *Reader) Time() time.Time {
	sec := r.Int64()
	nsec := r.uvarint()
	if r.err != nil {
		return time.Time{}
	}
	if nsec >= uint64(time.Second) || r.off >= len(r.buf) {
		r.Fail()
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec))
	tag := r.buf[r.off]
	r.off++
	switch tag {
	case ZoneUTC:
		return t.UTC()
	case ZoneLocal:
		return t.In(time.Local)
	case ZoneFixed:
		off := r.Int64()
		if r.err != nil || off < -maxZoneOffset || off > maxZoneOffset {
			r.Fail()
			return time.Time{}
		}
		return t.In(fixedZone(int(off)))
	}
	r.Fail()
	return time.Time{}
}

// Len reads a length; one larger than the bytes left is corrupt, since every element takes at least one byte,
// which keeps corrupt input from triggering huge allocations.
func (r *Reader) Len() int {
	n := r.uvarint()
	if r.err != nil {
		return 0
	}
	if n > uint64(len(r.buf)-r.off) {
		r.Fail()
		return 0
	}
	return int(n)
}

// Present reads an optional or nullable flag.
func (r *Reader) Present() bool { return r.byte01() }

// Variant reads a union's variant index written with AppendInt64; an index
// outside [-1, n) marks the entry corrupt. -1 is a union with no variant set.
func (r *Reader) Variant(n int) int {
	i := r.Int64()
	if r.err != nil {
		return -1
	}
	if i < -1 || i >= int64(n) {
		r.Fail()
		return -1
	}
	return int(i)
}
