package engine

import (
	"hash/maphash"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/reftask/reftask/runtime/internal/core"
)

// The hot-key layer keeps a task's recently used results decoded, in front of bigcache, so that a hit skips
// bigcache's two copies and the decode: it hands out a copy made by the spec's Clone, one allocation for a
// result whose shape is fixed. It only ever answers fresh entries; stale-if-error reads go to bigcache.
//
// It is the first cache tier (tiers.go), of the same shape as tier.Tier (get; set with the entry's freshness, as
// fill; delete, as drop; nothing per generation, since keys carry the generation) but typed: a typed front the
// engine drives directly, not a tier.Tier nor a generic interface. It holds decoded *R for one spec, so it cannot
// be shared with byte tiers or supplied by users, and an interface call on the hit path would make the caller's
// key escape (one more allocation per hit) and deepen the path past a fresh goroutine's starting stack.
//
// It is a set-associative table: a key hashes to one bucket of hotWays slots, and a full bucket evicts the entry
// that expires first. Readers take no lock and write nothing shared: they load the bucket's slots atomically and
// compare keys; each entry is immutable once published. Writers lock the stripe that owns the bucket.
//
// The layer is filled only from bigcache reads (the first hit of a key), so that a key looked up once costs it
// nothing. Consistency with bigcache: every bigcache write (a flight's store, Invalidate) is followed, under the
// same lock (Task.mu or Task.storeMu), by a drop of the key, which bumps the stripe's epoch. A fill happens without
// those locks, so it records the epoch before its bigcache read and lands only when no drop has happened in its
// stripe since: a value read before an Invalidate, or before a newer store, can never be put back after it.

const (
	hotBytesPerEntry = 1 << 10 // the byte budget: n entries may hold n KiB of encoded results
	hotWays          = 4
	maxHotStripes    = 64
)

// hotLayer is one task's table from cache key to decoded result.
type hotLayer[R any] struct {
	seed     maphash.Seed
	buckets  uint64                      // a power of two
	tab      atomic.Pointer[[]hotWay[R]] // buckets*hotWays slots, made on the first insert
	makeTab  sync.Once
	stripes  []hotStripe
	maxBytes int64
	bytes    atomic.Int64 // encoded size of the entries in the table
}

// hotStripe serialises the writers of the buckets it owns. It is padded so that two stripes' locks do not share
// a cache line.
type hotStripe struct {
	mu    sync.Mutex
	epoch atomic.Uint64 // bumped by every drop; see fill
	_     [48]byte
}

// hotWay is one slot of a bucket: a bucket's four fill one cache line. tag is the hash of the entry's key (with
// the low bit set, so that 0 means empty): a lookup compares keys only where the tag matches, without touching
// the other entries. A writer sets tag and it one after the other, so a reader may see them disagree for a moment;
// it then misses, or compares a key that does not match, and asks bigcache: never a wrong answer.
type hotWay[R any] struct {
	tag atomic.Uint64
	it  atomic.Pointer[hotItem[R]]
}

// hotItem is one entry; it never changes once in the table. val is never handed out itself, only copies of it.
type hotItem[R any] struct {
	key   string
	val   *R    // nil for a negative (not-found) entry
	fresh int64 // fresh until, on the executor's clock (core.State.Nanos)
	size  int64 // encoded size, counted against the byte budget
}

// hotSlot is where a key lives: its bucket's first slot and the stripe that guards the bucket, and its tag.
type hotSlot struct {
	base   uint64
	tag    uint64
	stripe *hotStripe
}

// newHotLayer returns a layer for about n entries, or nil when n is 0.
func newHotLayer[R any](n int) *hotLayer[R] {
	if n <= 0 {
		return nil
	}
	buckets := uint64(1)
	for buckets*hotWays < uint64(n) {
		buckets *= 2
	}
	return &hotLayer[R]{
		seed:     maphash.MakeSeed(),
		buckets:  buckets,
		stripes:  make([]hotStripe, min(buckets, maxHotStripes)),
		maxBytes: int64(n) * hotBytesPerEntry,
	}
}

// hotLayerKey names the layer of one spec on an executor.
type hotLayerKey struct {
	name, version string
	typ           reflect.Type // the result type: a layer holds *R
}

// sharedHotLayer returns x's layer for the tasks of one spec, making it on first use. Two Task values for one
// spec (two clients made on one executor) share their bigcache entries, so they share the layer too: otherwise
// an Invalidate or a store through one would not drop what the other serves.
func sharedHotLayer[R any](c *core.State, name, version string) *hotLayer[R] {
	k := hotLayerKey{name: name, version: version, typ: reflect.TypeFor[R]()}
	h, _ := c.Shared(k, func() any {
		if h := newHotLayer[R](c.HotKeys); h != nil {
			return h
		}
		return nil
	}).(*hotLayer[R])
	return h
}

func (h *hotLayer[R]) slot(key string) hotSlot {
	x := maphash.String(h.seed, key)
	b := x & (h.buckets - 1)
	return hotSlot{base: b * hotWays, tag: x | 1, stripe: &h.stripes[b%uint64(len(h.stripes))]}
}

// get returns key's entry, or nil.
func (h *hotLayer[R]) get(s hotSlot, key string) *hotItem[R] {
	tab := h.tab.Load()
	if tab == nil {
		return nil
	}
	ways := (*tab)[s.base : s.base+hotWays]
	for i := range ways {
		if ways[i].tag.Load() == s.tag {
			if it := ways[i].it.Load(); it != nil && it.key == key {
				return it
			}
		}
	}
	return nil
}

// fill stores an entry read from bigcache, unless the stripe was written since epoch, read before that read.
func (h *hotLayer[R]) fill(s hotSlot, key string, it *hotItem[R], epoch uint64) {
	it.key = strings.Clone(key) // the caller's key may be a pooled buffer
	s.stripe.mu.Lock()
	if s.stripe.epoch.Load() == epoch {
		h.insert(s, it)
	}
	s.stripe.mu.Unlock()
}

// drop removes key's entry. Invalidate calls it after deleting the bigcache entry, and a flight after storing a new
// one; the caller holds Task.mu or Task.storeMu, as for the bigcache write.
func (h *hotLayer[R]) drop(key string) {
	s := h.slot(key)
	s.stripe.mu.Lock()
	s.stripe.epoch.Add(1)
	if tab := h.tab.Load(); tab != nil {
		ways := (*tab)[s.base : s.base+hotWays]
		for i := range ways {
			if old := ways[i].it.Load(); old != nil && old.key == key {
				h.clear(&ways[i])
			}
		}
	}
	s.stripe.mu.Unlock()
}

// insert puts it in its bucket: in place of an entry for the same key, else in an empty slot, else in place of
// the entry that expires first. Entries of the bucket are dropped while the table is over its byte budget; an
// entry that still does not fit is not kept. The stripe is locked.
func (h *hotLayer[R]) insert(s hotSlot, it *hotItem[R]) {
	h.makeTab.Do(func() {
		tab := make([]hotWay[R], h.buckets*hotWays)
		h.tab.Store(&tab)
	})
	ways := (*h.tab.Load())[s.base : s.base+hotWays]
	victim := -1
	for i := range ways {
		if old := ways[i].it.Load(); old != nil && old.key == it.key {
			victim = i
			break
		}
	}
	for i := 0; victim < 0 && i < hotWays; i++ {
		if ways[i].it.Load() == nil {
			victim = i
		}
	}
	if victim < 0 {
		victim = 0
		for i := 1; i < hotWays; i++ {
			if ways[i].it.Load().fresh < ways[victim].it.Load().fresh {
				victim = i
			}
		}
	}
	h.clear(&ways[victim])
	for i := 0; i < hotWays && h.bytes.Load()+it.size > h.maxBytes; i++ {
		h.clear(&ways[i])
	}
	if h.bytes.Load()+it.size > h.maxBytes {
		return
	}
	ways[victim].tag.Store(s.tag)
	ways[victim].it.Store(it)
	h.bytes.Add(it.size)
}

// clear empties a slot. The stripe is locked.
func (h *hotLayer[R]) clear(w *hotWay[R]) {
	if old := w.it.Load(); old != nil {
		h.bytes.Add(-old.size)
		w.it.Store(nil)
		w.tag.Store(0)
	}
}
