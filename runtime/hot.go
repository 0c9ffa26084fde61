package runtime

import (
	"hash/maphash"
	"math/bits"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// The hot-key layer keeps a task's recently used results decoded, in front of bigcache, so that a hit skips
// bigcache's two copies and the decode: it hands out a copy made by the spec's Clone, one allocation for a
// result whose shape is fixed. It only ever answers fresh entries; stale-if-error reads go to bigcache.
//
// Consistency with bigcache: every write (a store, Invalidate) happens under Task.mu (or Task.storeMu) together
// with the bigcache write, and bumps the shard's epoch. A fill from a bigcache read happens without those locks,
// so it records the epoch before the read and lands only when no write has happened in its shard since: a value
// read before an Invalidate can then never be put back after it.

const (
	defaultHotKeys   = 4096
	hotBytesPerEntry = 1 << 10 // the byte budget: n entries may hold n KiB of encoded results
	maxHotShards     = 64
	minPerShard      = 16
)

// hotLayer is one task's map from cache key to decoded result, split into shards that each have their own lock
// and their own share of the entry and byte budgets.
type hotLayer[R any] struct {
	seed       maphash.Seed
	shards     []hotShard[R]
	mask       uint64
	maxEntries int // per shard
	maxBytes   int // per shard
}

// hotShard is padded to a cache line so that readers of neighbouring shards do not share one.
type hotShard[R any] struct {
	mu    sync.RWMutex
	m     map[string]hotEntry[R] // made on the first insert
	bytes int
	epoch atomic.Uint64 // bumped by every put and drop; see fill
	_     [16]byte
}

// hotEntry is what the layer keeps per key. val is never handed out itself, only copies of it.
type hotEntry[R any] struct {
	val   *R    // nil for a negative (not-found) entry
	fresh int64 // fresh until, on the executor's clock (Executor.nanos)
	size  int   // encoded size, counted against the byte budget
}

// newHotLayer returns a layer for n entries, or nil when n is 0.
func newHotLayer[R any](n int) *hotLayer[R] {
	if n <= 0 {
		return nil
	}
	shards := 1
	for shards < maxHotShards && shards < 4*goruntime.GOMAXPROCS(0) && n/(2*shards) >= minPerShard {
		shards *= 2
	}
	per := (n + shards - 1) / shards
	return &hotLayer[R]{
		seed:       maphash.MakeSeed(),
		shards:     make([]hotShard[R], shards),
		mask:       uint64(shards - 1),
		maxEntries: per,
		maxBytes:   per * hotBytesPerEntry,
	}
}

func (h *hotLayer[R]) shard(key string) *hotShard[R] {
	if h.mask == 0 {
		return &h.shards[0]
	}
	x := maphash.String(h.seed, key)
	// The map inside the shard hashes with its own seed; fold the high bits in so both do not use the same ones.
	return &h.shards[(x^bits.RotateLeft64(x, 32))&h.mask]
}

// get returns the entry for key, if the shard holds one.
func (s *hotShard[R]) get(key string) (hotEntry[R], bool) {
	s.mu.RLock()
	e, ok := s.m[key]
	s.mu.RUnlock()
	return e, ok
}

// put stores the entry a flight just wrote to bigcache; key is not a view of a reused buffer. The caller holds
// Task.mu or Task.storeMu.
func (h *hotLayer[R]) put(key string, e hotEntry[R]) {
	s := h.shard(key)
	s.mu.Lock()
	s.epoch.Add(1)
	h.insert(s, key, e)
	s.mu.Unlock()
}

// fill stores an entry read from bigcache, unless the shard was written since epoch, read before that read.
func (h *hotLayer[R]) fill(s *hotShard[R], key string, e hotEntry[R], epoch uint64) {
	key = strings.Clone(key) // the caller's key may be a pooled buffer
	s.mu.Lock()
	if s.epoch.Load() == epoch {
		h.insert(s, key, e)
	}
	s.mu.Unlock()
}

// drop removes key's entry; Invalidate calls it after deleting the bigcache entry.
func (h *hotLayer[R]) drop(key string) {
	s := h.shard(key)
	s.mu.Lock()
	s.epoch.Add(1)
	if old, ok := s.m[key]; ok {
		s.bytes -= old.size
		delete(s.m, key)
	}
	s.mu.Unlock()
}

// insert adds or replaces key's entry, evicting arbitrary entries (Go's map iteration starts at a random one)
// until the shard is within its budgets. An entry larger than a shard's byte budget is not kept. s.mu is held.
func (h *hotLayer[R]) insert(s *hotShard[R], key string, e hotEntry[R]) {
	if old, ok := s.m[key]; ok {
		s.bytes -= old.size
		delete(s.m, key)
	}
	if e.size > h.maxBytes {
		return
	}
	if s.m == nil {
		s.m = make(map[string]hotEntry[R], min(h.maxEntries, 64))
	}
	for len(s.m) > 0 && (len(s.m) >= h.maxEntries || s.bytes+e.size > h.maxBytes) {
		for k, old := range s.m {
			s.bytes -= old.size
			delete(s.m, k)
			break
		}
	}
	s.m[key] = e
	s.bytes += e.size
}
