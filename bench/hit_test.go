package bench

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/cachepolicy"
	"github.com/maypok86/otter/v2"
	"github.com/reftask/reftask/bench/lookups"
	"github.com/vikstrous/dataloadgen"
)

// getter answers key and reports whether the answer is the one asked for. It returns the answer too,
// so that the value escapes as it does for a real caller (a copy nobody keeps could live on the stack).
type getter func(ctx context.Context, key string) (any, bool)

// hitContender sets up one way of answering lookups from a warm cache.
type hitContender struct {
	name  string
	setup func(b *testing.B) getter
}

var hitContenders = []hitContender{
	{"reftask", func(b *testing.B) getter {
		c := newClient(b)
		get := func(ctx context.Context, key string) (any, bool) {
			u, err := c.GetUserProfile(ctx, key)
			return u, err == nil && u.ID == key
		}
		return warm(b, get)
	}},
	// (a) hand-written: bigcache holding JSON, decoded on every read.
	{"bigcache_json", func(b *testing.B) getter {
		bc := newBigcache(b)
		fetch := func(id string) (*handProfile, error) { return handFetch(id), nil }
		get := func(_ context.Context, key string) (any, bool) {
			p, err := handGetOrFetch(bc, key, fetch)
			return p, err == nil && p.ID == key
		}
		return warm(b, get)
	}},
	// (b) otter holding decoded values, handed out shared: the practical floor.
	{"otter", func(b *testing.B) getter {
		oc := newOtter(b)
		get := func(_ context.Context, key string) (any, bool) {
			u, ok := oc.GetIfPresent(key)
			if !ok {
				u = lookups.Profile(key)
				oc.Set(key, u)
			}
			return u, u.ID == key
		}
		return warm(b, get)
	}},
	// otter with the deep copy each caller needs so that no two callers share a mutable value.
	{"otter_clone", func(b *testing.B) getter {
		oc := newOtter(b)
		get := func(_ context.Context, key string) (any, bool) {
			u, ok := oc.GetIfPresent(key)
			if !ok {
				u = lookups.Profile(key)
				oc.Set(key, u)
			}
			c := cloneProfile(u)
			return c, c.ID == key
		}
		return warm(b, get)
	}},
	// The same copy in one allocation (profileBlock): what a hot-key layer with a generated Clone would cost.
	{"otter_blockclone", func(b *testing.B) getter {
		oc := newOtter(b)
		get := func(_ context.Context, key string) (any, bool) {
			u, ok := oc.GetIfPresent(key)
			if !ok {
				u = lookups.Profile(key)
				oc.Set(key, u)
			}
			c := cloneProfileBlock(u)
			return c, c.ID == key
		}
		return warm(b, get)
	}},
	// (c) dataloadgen's cached Load (its per-loader thunk cache; values shared).
	{"dataloadgen", func(b *testing.B) getter {
		l := newLoader(nil)
		get := func(ctx context.Context, key string) (any, bool) {
			u, err := l.Load(ctx, key)
			return u, err == nil && u.ID == key
		}
		return warm(b, get)
	}},
	// (d) failsafe-go's cache policy over a map cache, the key passed in the ctx as it requires.
	{"failsafe_cache", func(b *testing.B) getter {
		exec := failsafe.With[*lookups.UserProfile](cachepolicy.New[*lookups.UserProfile](newMapCache[*lookups.UserProfile]()))
		get := func(ctx context.Context, key string) (any, bool) {
			u, err := exec.WithContext(cachepolicy.ContextWithCacheKey(ctx, key)).Get(func() (*lookups.UserProfile, error) {
				return lookups.Profile(key), nil
			})
			return u, err == nil && u.ID == key
		}
		return warm(b, get)
	}},
}

func newOtter(tb testing.TB) *otter.Cache[string, *lookups.UserProfile] {
	tb.Helper()
	return otter.Must(&otter.Options[string, *lookups.UserProfile]{
		MaximumSize:      2_000_000,
		ExpiryCalculator: otter.ExpiryWriting[string, *lookups.UserProfile](5 * time.Minute),
	})
}

// newLoader returns a dataloadgen loader over the in-memory source; calls, if set, counts fetches.
func newLoader(fetched func(n int)) *dataloadgen.Loader[string, *lookups.UserProfile] {
	return dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*lookups.UserProfile, []error) {
		if fetched != nil {
			fetched(len(ids))
		}
		out := make([]*lookups.UserProfile, len(ids))
		for i, id := range ids {
			p, err := lookups.FindUserProfile(ctx, lookups.UserProfileParams{UserID: id})
			if err != nil {
				return nil, []error{err}
			}
			out[i] = p
		}
		return out, nil
	}, dataloadgen.WithWait(time.Millisecond))
}

// warm loads every hot key once so that the measured loop only hits.
func warm(b *testing.B, get getter) getter {
	ctx := context.Background()
	for _, k := range keys {
		if _, ok := get(ctx, k); !ok {
			b.Fatalf("warming %s failed", k)
		}
	}
	return get
}

// sink keeps benchmark results reachable, as a caller keeps what it looked up.
var (
	sink   any
	sinkMu sync.Mutex
)

// BenchmarkHit: one goroutine reading a hot set of cached keys.
func BenchmarkHit(b *testing.B) {
	for _, c := range hitContenders {
		b.Run(c.name, func(b *testing.B) {
			get := c.setup(b)
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				v, ok := get(ctx, keys[i%hotKeys])
				if !ok {
					b.Fatal("wrong answer")
				}
				sink = v
				i++
			}
		})
	}
}

// BenchmarkHitParallel: the same reads from GOMAXPROCS goroutines at once (b.RunParallel).
func BenchmarkHitParallel(b *testing.B) {
	for _, c := range hitContenders {
		b.Run(c.name, func(b *testing.B) {
			get := c.setup(b)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var keep any
				defer func() { sinkMu.Lock(); sink = keep; sinkMu.Unlock() }()
				i := rand.IntN(hotKeys)
				for pb.Next() {
					v, ok := get(ctx, keys[i%hotKeys])
					if !ok {
						b.Error("wrong answer")
						return
					}
					keep = v
					i++
				}
			})
		})
	}
}

// BenchmarkHitFanout: each read on a goroutine of its own, started for it, as a fan-out over records does (one
// goroutine per record, with sync.WaitGroup or errgroup). ns/op is per read, the goroutine's start included;
// spawn_only starts the goroutines and reads nothing. A read whose path outgrows the goroutine's 2 KB starting
// stack pays for a copy of the stack on top. Not part of the report: run it with
// go test -run '^$' -bench '^BenchmarkHitFanout$' .
func BenchmarkHitFanout(b *testing.B) {
	const group = 1000 // goroutines started before waiting for them
	contenders := append([]hitContender{{"spawn_only", func(*testing.B) getter {
		return func(context.Context, string) (any, bool) { return nil, true }
	}}}, hitContenders...)
	for _, c := range contenders {
		b.Run(c.name, func(b *testing.B) {
			get := c.setup(b)
			ctx := context.Background()
			var wg sync.WaitGroup
			var wrong atomic.Bool
			i := 0
			for b.Loop() {
				k := keys[i%hotKeys]
				wg.Go(func() {
					if _, ok := get(ctx, k); !ok {
						wrong.Store(true)
					}
				})
				if i++; i%group == 0 {
					wg.Wait()
				}
			}
			wg.Wait()
			if wrong.Load() {
				b.Fatal("wrong answer")
			}
		})
	}
}
