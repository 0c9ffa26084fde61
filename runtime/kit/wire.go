package kit

import (
	"time"

	"github.com/reftask/reftask/runtime/internal/wire"
)

// The cache encoding of generated codecs; kit.Reader reads it back.

// AppendString appends s as a uvarint length followed by its bytes.
func AppendString(dst []byte, s string) []byte { return wire.AppendString(dst, s) }

// AppendInt64 appends v as a zig-zag varint.
func AppendInt64(dst []byte, v int64) []byte { return wire.AppendInt64(dst, v) }

// AppendFloat64 appends the 8 IEEE 754 bytes of v, so every value, NaN payloads included, round-trips.
func AppendFloat64(dst []byte, v float64) []byte { return wire.AppendFloat64(dst, v) }

// AppendBool appends v as one byte.
func AppendBool(dst []byte, v bool) []byte { return wire.AppendBool(dst, v) }

// AppendTime appends the instant t and its zone, which Reader.Time gives back.
func AppendTime(dst []byte, t time.Time) []byte { return wire.AppendTime(dst, t) }

// AppendLen appends a slice or map length; every element must then encode to at least one byte.
func AppendLen(dst []byte, n int) []byte { return wire.AppendLen(dst, n) }

// AppendPresent appends the flag of an optional or nullable value.
func AppendPresent(dst []byte, ok bool) []byte { return wire.AppendPresent(dst, ok) }

// AppendTimeKey appends the key of a date-time param: its instant and its UTC offset (see wire.AppendTimeKey).
func AppendTimeKey(dst []byte, t time.Time) []byte { return wire.AppendTimeKey(dst, t) }
