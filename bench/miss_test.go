package bench

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	retry "github.com/avast/retry-go/v4"
	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/cachepolicy"
	"github.com/failsafe-go/failsafe-go/retrypolicy"
	"github.com/reftask/reftask/bench/lookups"
	"github.com/reftask/reftask/runtime"
)

// missSeq hands out keys no benchmark has used, so that every lookup misses.
var missSeq atomic.Int64

func missKey() string { return "user_" + strconv.FormatInt(2_000_000_000+missSeq.Add(1), 10) }

// countingHooks sets every hook, each counting its calls, as a metrics integration would.
func countingHooks(n *atomic.Int64) runtime.Hooks {
	h := func(context.Context, runtime.Event) { n.Add(1) }
	return runtime.Hooks{OnHit: h, OnMiss: h, OnStale: h, OnNegativeHit: h, OnSourceCall: h, OnRetry: h, OnFallback: h, OnError: h}
}

// BenchmarkMiss: a lookup of a key not in the cache, from a source that answers at once.
// source_direct is the source call alone (and the key's formatting, which every contender pays);
// the executor's overhead is reftask minus source_direct.
func BenchmarkMiss(b *testing.B) {
	ctx := context.Background()
	b.Run("source_direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			u, err := lookups.FindUserProfile(ctx, lookups.UserProfileParams{UserID: missKey()})
			if err != nil {
				b.Fatal(err)
			}
			sink = u
		}
	})
	b.Run("reftask", func(b *testing.B) {
		c := newClient(b)
		b.ReportAllocs()
		for b.Loop() {
			u, err := c.GetUserProfile(ctx, missKey())
			if err != nil {
				b.Fatal(err)
			}
			sink = u
		}
	})
	b.Run("reftask_hooks", func(b *testing.B) {
		var n atomic.Int64
		c := newClient(b, runtime.WithHooks(countingHooks(&n)))
		b.ReportAllocs()
		for b.Loop() {
			u, err := c.GetUserProfile(ctx, missKey())
			if err != nil {
				b.Fatal(err)
			}
			sink = u
		}
		if n.Load() == 0 {
			b.Fatal("hooks not called")
		}
	})
	b.Run("bigcache_json", func(b *testing.B) {
		bc := newBigcache(b)
		fetch := func(id string) (*handProfile, error) {
			u, err := lookups.FindUserProfile(ctx, lookups.UserProfileParams{UserID: id})
			if err != nil {
				return nil, err
			}
			return handFrom(u), nil
		}
		b.ReportAllocs()
		for b.Loop() {
			u, err := handGetOrFetch(bc, missKey(), fetch)
			if err != nil {
				b.Fatal(err)
			}
			sink = u
		}
	})
	b.Run("otter", func(b *testing.B) {
		oc := newOtter(b)
		b.ReportAllocs()
		for b.Loop() {
			key := missKey()
			u, ok := oc.GetIfPresent(key)
			if !ok {
				var err error
				if u, err = lookups.FindUserProfile(ctx, lookups.UserProfileParams{UserID: key}); err != nil {
					b.Fatal(err)
				}
				oc.Set(key, u)
			}
			sink = u
		}
	})
	b.Run("failsafe_cache", func(b *testing.B) {
		exec := failsafe.With[*lookups.UserProfile](cachepolicy.New[*lookups.UserProfile](newMapCache[*lookups.UserProfile]()))
		b.ReportAllocs()
		for b.Loop() {
			key := missKey()
			u, err := exec.WithContext(cachepolicy.ContextWithCacheKey(ctx, key)).Get(func() (*lookups.UserProfile, error) {
				return lookups.FindUserProfile(ctx, lookups.UserProfileParams{UserID: key})
			})
			if err != nil {
				b.Fatal(err)
			}
			sink = u
		}
	})
}

// BenchmarkRetry: each op is one lookup against lookups.Flaky, whose first attempt fails and second
// answers (50% of attempts fail), with up to 3 attempts and no delay between them, uncached.
// reftask's UserProfileFlaky task is the same source behind the generated method.
func BenchmarkRetry(b *testing.B) {
	ctx := context.Background()
	const id = "user_1"
	b.Run("source_direct", func(b *testing.B) {
		var n atomic.Uint64
		b.ReportAllocs()
		for b.Loop() {
			if _, err := lookups.Flaky(&n, id); err == nil {
				b.Fatal("first attempt should fail")
			}
			u, err := lookups.Flaky(&n, id)
			if err != nil {
				b.Fatal(err)
			}
			sink = u
		}
	})
	b.Run("reftask", func(b *testing.B) {
		c := newClient(b)
		lookups.FlakyAttempts.Store(0)
		b.ReportAllocs()
		for b.Loop() {
			u, err := c.GetUserProfileFlaky(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			sink = u
		}
		b.ReportMetric(float64(lookups.FlakyAttempts.Load())/float64(b.N), "attempts/op")
	})
	b.Run("failsafe_retry", func(b *testing.B) {
		var n atomic.Uint64
		exec := failsafe.With[*lookups.UserProfile](retrypolicy.NewBuilder[*lookups.UserProfile]().WithMaxAttempts(3).Build())
		b.ReportAllocs()
		for b.Loop() {
			u, err := exec.WithContext(ctx).Get(func() (*lookups.UserProfile, error) { return lookups.Flaky(&n, id) })
			if err != nil {
				b.Fatal(err)
			}
			sink = u
		}
		b.ReportMetric(float64(n.Load())/float64(b.N), "attempts/op")
	})
	b.Run("retrygo_loop", func(b *testing.B) {
		var n atomic.Uint64
		b.ReportAllocs()
		for b.Loop() {
			u, err := retry.DoWithData(func() (*lookups.UserProfile, error) { return lookups.Flaky(&n, id) },
				retry.Context(ctx), retry.Attempts(3), retry.Delay(0), retry.DelayType(retry.FixedDelay), retry.LastErrorOnly(true))
			if err != nil {
				b.Fatal(err)
			}
			sink = u
		}
		b.ReportMetric(float64(n.Load())/float64(b.N), "attempts/op")
	})
}
