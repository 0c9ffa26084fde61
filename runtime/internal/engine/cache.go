package engine

import (
	"context"
	"encoding/binary"
	"unsafe"

	"github.com/reftask/reftask/runtime/internal/wire"

	"github.com/reftask/reftask/runtime/tier"
)

// The local tier stores key lengths in 16 bits; longer keys are coalesced but never cached.
const maxKeyLen = tier.MaxKeyLen

// Entry layout: magic, flags, fresh-until and stale-until as Unix nanoseconds, then the encoded result.
// bigcache has one global life window and returns expired entries, so freshness lives in this header.
const (
	entryMagic    = 0xA7
	flagNegative  = 1
	entryHeaderSz = 2 + 8 + 8
)

type entryHeader struct {
	negative   bool
	freshUntil int64
	staleUntil int64
}

func appendEntryHeader(dst []byte, h entryHeader) []byte {
	var flags byte
	if h.negative {
		flags |= flagNegative
	}
	dst = append(dst, entryMagic, flags)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(h.freshUntil))
	return binary.LittleEndian.AppendUint64(dst, uint64(h.staleUntil))
}

func parseEntry(b []byte) (entryHeader, []byte, bool) {
	if len(b) < entryHeaderSz || b[0] != entryMagic || b[1]&^flagNegative != 0 {
		return entryHeader{}, nil, false
	}
	h := entryHeader{
		negative:   b[1]&flagNegative != 0,
		freshUntil: int64(binary.LittleEndian.Uint64(b[2:])),
		staleUntil: int64(binary.LittleEndian.Uint64(b[10:])),
	}
	payload := b[entryHeaderSz:]
	if h.negative && len(payload) != 0 || h.staleUntil < h.freshUntil {
		return entryHeader{}, nil, false
	}
	return h, payload, true
}

// bytesView lets a pooled key buffer be used as a bigcache key without copying;
// bigcache only hashes and compares the key on Get and Delete, it does not keep it.
func bytesView(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func appendUvarint(dst []byte, v uint64) []byte { return binary.AppendUvarint(dst, v) }

type entryState int

const (
	entryMiss entryState = iota
	entryHit
	entryNegative
	entryFailed // generated code panicked during the lookup (Task.lookupHot)
	entryCold   // the hot-key layer could not answer: bigcache must be read (Task.lookupCold)
)

type lookupMode int

const (
	lookupFresh lookupMode = iota // only entries still fresh
	lookupStale                   // also entries within their stale-if-error window
)

// lookup reads key from the cache; corrupt entries are deleted and reported as misses, never as errors. A fresh
// lookup asks the hot-key layer first, and fills it from what bigcache answers.
func (t *Task[P, R]) lookup(bc *tier.Local, key string, rd *wire.Reader, mode lookupMode) (*R, entryState) {
	now := t.c.Nanos()
	var hs *hotSlot
	var epoch uint64
	if mode == lookupFresh && t.hot != nil {
		s := t.hot.slot(key)
		if r, st, ok := t.hotHit(s, key, now); ok {
			return r, st
		}
		hs, epoch = &s, s.stripe.epoch.Load() // before the bigcache read: see hotLayer.fill
	}
	return t.lookupBig(bc, key, rd, mode, now, hs, epoch)
}

// lookupBig is lookup's read from bigcache, at time now. When hs is not nil, what it finds goes into the hot-key
// layer at hs, unless its stripe was written after epoch.
func (t *Task[P, R]) lookupBig(bc *tier.Local, key string, rd *wire.Reader, mode lookupMode, now int64, hs *hotSlot, epoch uint64) (*R, entryState) {
	b, ok, _ := bc.Get(context.Background(), key)
	if !ok {
		return nil, entryMiss
	}
	return t.parseBig(bc, key, b, rd, mode, now, hs, epoch)
}

// parseBig is lookupBig's answer from b, the entry bigcache holds for key.
func (t *Task[P, R]) parseBig(bc *tier.Local, key string, b []byte, rd *wire.Reader, mode lookupMode, now int64, hs *hotSlot, epoch uint64) (*R, entryState) {
	h, payload, ok := parseEntry(b)
	if !ok {
		_ = bc.Delete(context.Background(), key)
		return nil, entryMiss
	}
	until := h.freshUntil
	if mode == lookupStale {
		until = h.staleUntil
	}
	if now >= until {
		return nil, entryMiss
	}
	if h.negative {
		if hs != nil {
			t.hot.fill(*hs, key, &hotItem[R]{fresh: h.freshUntil}, epoch)
		}
		return nil, entryNegative
	}
	if !t.storeOK {
		return nil, entryMiss
	}
	r, ok := t.decode(rd, payload)
	if !ok {
		_ = bc.Delete(context.Background(), key)
		return nil, entryMiss
	}
	if hs != nil {
		// The decoded value goes into the layer, which from now on only hands out copies of it.
		t.hot.fill(*hs, key, &hotItem[R]{val: r, fresh: h.freshUntil, size: int64(len(payload))}, epoch)
		if r, ok = t.cloneEntry(r); !ok {
			return nil, entryMiss
		}
	}
	return r, entryHit
}

// cloneEntry runs the generated Clone on a value just decoded from the cache. Like a Decode that panics, a Clone
// that panics makes the entry unusable (a miss) rather than failing the lookup; a hit on the hot-key layer, which
// holds the value, reports the panic.
//
//go:noinline
func (t *Task[P, R]) cloneEntry(r *R) (c *R, ok bool) {
	defer func() {
		if recover() != nil {
			c, ok = nil, false
		}
	}()
	return t.s.Clone(r), true
}

// hotHit answers key from the hot-key layer when it holds a fresh entry; ok is false otherwise.
func (t *Task[P, R]) hotHit(s hotSlot, key string, now int64) (*R, entryState, bool) {
	e := t.hot.get(s, key)
	if e == nil || now >= e.fresh {
		return nil, entryMiss, false
	}
	if e.val == nil {
		return nil, entryNegative, true
	}
	return t.s.Clone(e.val), entryHit, true
}

// decode runs the generated Decode over payload, which the caller guarantees is never mutated afterwards.
// A panic, a reader error, unread bytes or a nil result all mean the bytes are not a valid entry.
func (t *Task[P, R]) decode(rd *wire.Reader, payload []byte) (r *R, ok bool) {
	defer func() {
		if recover() != nil {
			r, ok = nil, false
		}
		*rd = wire.Reader{} // drop the reference so pooled readers do not pin entries
	}()
	rd.Reset(payload)
	r = t.s.Decode(rd)
	if !rd.Done() || r == nil {
		return nil, false
	}
	return r, true
}

// entry builds the cache bytes for a result, or nil when nothing should be stored.
func (t *Task[P, R]) entry(r *R, notFound bool) []byte { return t.appendEntry(nil, r, notFound) }

// appendEntry appends the cache bytes for a result to dst, or returns nil when nothing should be stored.
func (t *Task[P, R]) appendEntry(dst []byte, r *R, notFound bool) []byte {
	c := t.s.Cache
	now := t.c.Nanos()
	switch {
	case notFound && c.NegativeTTL > 0:
		fresh := now + int64(c.NegativeTTL)
		return appendEntryHeader(dst, entryHeader{negative: true, freshUntil: fresh, staleUntil: fresh + int64(c.StaleIfError)})
	case r != nil && t.storeOK && c.TTL > 0:
		if dst == nil {
			dst = make([]byte, 0, 128)
		}
		fresh := now + int64(c.TTL)
		b := appendEntryHeader(dst, entryHeader{freshUntil: fresh, staleUntil: fresh + int64(c.StaleIfError)})
		return t.s.Encode(b, r)
	}
	return nil
}
