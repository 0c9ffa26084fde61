package bench

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/cachepolicy"
	"github.com/maypok86/otter/v2"
	"github.com/reftask/reftask/bench/lookups"
)

const (
	stampedeCallers = 1000
	// stampedeSourceDelay is how long the source takes: a database round trip, long enough for all
	// callers to arrive while the first one is still waiting.
	stampedeSourceDelay = 5 * time.Millisecond
)

// stampedeKey is a key no earlier round has used, so that every round starts with a miss.
var stampedeSeq atomic.Int64

func stampedeKey() string { return "user_" + strconv.FormatInt(1_000_000_000+stampedeSeq.Add(1), 10) }

// slowSource is the stampede's source: it counts its calls and takes stampedeSourceDelay.
func slowSource(calls *atomic.Int64, id string) *lookups.UserProfile {
	calls.Add(1)
	time.Sleep(stampedeSourceDelay)
	return lookups.Profile(id)
}

type stampedeContender struct {
	name  string
	setup func(b *testing.B, calls *atomic.Int64) func(ctx context.Context, key string) error
}

var stampedeContenders = []stampedeContender{
	{"reftask", func(b *testing.B, calls *atomic.Int64) func(context.Context, string) error {
		c := newClient(b)
		b.Cleanup(lookups.SetSource(func(_ context.Context, p lookups.UserProfileParams) (*lookups.UserProfile, error) {
			return slowSource(calls, p.UserID), nil
		}))
		return func(ctx context.Context, key string) error {
			_, err := c.GetUserProfile(ctx, key)
			return err
		}
	}},
	{"bigcache_json", func(b *testing.B, calls *atomic.Int64) func(context.Context, string) error {
		bc := newBigcache(b)
		fetch := func(id string) (*handProfile, error) {
			return handFrom(slowSource(calls, id)), nil
		}
		return func(_ context.Context, key string) error {
			_, err := handGetOrFetch(bc, key, fetch)
			return err
		}
	}},
	// otter's Get with a loader coalesces concurrent loads of one key.
	{"otter_loader", func(b *testing.B, calls *atomic.Int64) func(context.Context, string) error {
		oc := newOtter(b)
		loader := otter.LoaderFunc[string, *lookups.UserProfile](func(_ context.Context, key string) (*lookups.UserProfile, error) {
			return slowSource(calls, key), nil
		})
		return func(ctx context.Context, key string) error {
			_, err := oc.Get(ctx, key, loader)
			return err
		}
	}},
	{"dataloadgen", func(b *testing.B, calls *atomic.Int64) func(context.Context, string) error {
		b.Cleanup(lookups.SetSource(func(_ context.Context, p lookups.UserProfileParams) (*lookups.UserProfile, error) {
			return slowSource(calls, p.UserID), nil
		}))
		l := newLoader(nil)
		return func(ctx context.Context, key string) error {
			_, err := l.Load(ctx, key)
			return err
		}
	}},
	{"failsafe_cache", func(b *testing.B, calls *atomic.Int64) func(context.Context, string) error {
		exec := failsafe.With[*lookups.UserProfile](cachepolicy.New[*lookups.UserProfile](newMapCache[*lookups.UserProfile]()))
		return func(ctx context.Context, key string) error {
			_, err := exec.WithContext(cachepolicy.ContextWithCacheKey(ctx, key)).Get(func() (*lookups.UserProfile, error) {
				return slowSource(calls, key), nil
			})
			return err
		}
	}},
}

// BenchmarkStampede: each op is one round of stampedeCallers goroutines that all ask for the same
// uncached key at once. It reports source calls per round and the p50/p99 of the callers' latencies
// (from the common start to their answer), over all rounds.
func BenchmarkStampede(b *testing.B) {
	for _, c := range stampedeContenders {
		b.Run(c.name, func(b *testing.B) {
			var calls atomic.Int64
			get := c.setup(b, &calls)
			ctx := context.Background()
			var lat []time.Duration
			rounds := 0
			for b.Loop() {
				key := stampedeKey()
				start := make(chan struct{})
				var ready, done sync.WaitGroup
				var mu sync.Mutex
				var t0 time.Time
				round := make([]time.Duration, 0, stampedeCallers)
				for range stampedeCallers {
					ready.Add(1)
					done.Go(func() {
						ready.Done()
						<-start
						err := get(ctx, key)
						d := time.Since(t0)
						if err != nil {
							b.Error(err)
						}
						mu.Lock()
						round = append(round, d)
						mu.Unlock()
					})
				}
				ready.Wait()
				t0 = time.Now()
				close(start)
				done.Wait()
				lat = append(lat, round...)
				rounds++
			}
			slices.Sort(lat)
			b.ReportMetric(float64(calls.Load())/float64(rounds), "calls/op")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
