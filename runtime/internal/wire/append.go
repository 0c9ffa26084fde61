// Package wire is the cache encoding and the parts of key building that package runtime's engine shares with
// package kit: varint lengths and integers, IEEE 754 floats, instants with their zone, and the Reader that
// decodes them. The kit re-exports them for generated code.
package wire

import (
	"encoding/binary"
	"math"
	"time"
)

// AppendString appends s as a uvarint length followed by its bytes.
func AppendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// AppendInt64 appends v as a zig-zag varint.
func AppendInt64(dst []byte, v int64) []byte { return binary.AppendVarint(dst, v) }

// AppendFloat64 appends the 8 IEEE 754 bytes of v, so every value, NaN payloads included, round-trips.
func AppendFloat64(dst []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
}

// AppendBool appends v as one byte.
func AppendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// AppendTime appends the instant t (Unix seconds and nanoseconds) and its zone: UTC, Local, or else its offset
// in seconds east. A cache hit must answer what the miss answered, and a date-time's offset shows in its RFC 3339
// text and its String: Reader.Time gives back the same instant in the same offset (a named zone other than UTC
// and Local comes back as a fixed zone of its offset, as time.Parse makes one), so the value marshals as it did.
func AppendTime(dst []byte, t time.Time) []byte {
	dst = binary.AppendVarint(dst, t.Unix())
	dst = binary.AppendUvarint(dst, uint64(t.Nanosecond()))
	switch t.Location() {
	case time.UTC:
		return append(dst, ZoneUTC)
	case time.Local:
		return append(dst, ZoneLocal)
	}
	_, off := t.Zone()
	return binary.AppendVarint(append(dst, ZoneFixed), int64(off))
}

// The zone tags AppendTime writes; Reader.Time reads them back.
const (
	ZoneUTC = iota
	ZoneLocal
	ZoneFixed
)

// AppendLen appends a slice or map length; every element must then encode to at least one byte.
func AppendLen(dst []byte, n int) []byte { return binary.AppendUvarint(dst, uint64(n)) }

// AppendPresent appends the flag of an optional or nullable value.
func AppendPresent(dst []byte, ok bool) []byte { return AppendBool(dst, ok) }
