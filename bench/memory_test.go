package bench

import (
	"context"
	"flag"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reftask/reftask/bench/lookups"
	rt "github.com/reftask/reftask/runtime"
)

var memEntries = flag.Int("mem.entries", 1_000_000, "results cached by BenchmarkMemory")

// gcStats is what the memory benchmark reads around a phase.
type gcStats struct {
	heapInuse uint64
	pauseNs   uint64
	numGC     uint32
	gcCPU     float64 // seconds of CPU spent in the GC, all kinds
}

func readGC() gcStats {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	return gcStats{heapInuse: ms.HeapInuse, pauseNs: ms.PauseTotalNs, numGC: ms.NumGC, gcCPU: s[0].Value.Float64()}
}

// memContender fills a cache with n results and returns something that keeps it reachable, and a check
// that a sample of the keys is still cached (not evicted).
type memContender struct {
	name string
	fill func(b *testing.B, n int) (keep any, cached func(key string) bool)
}

var memContenders = []memContender{
	// reftask: every result goes through the generated lookup's miss path into bigcache.
	{"reftask", func(b *testing.B, n int) (any, func(string) bool) {
		x, err := rt.New(rt.WithCache(1024))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = x.Close() })
		c := lookups.NewClient(x)
		ctx := context.Background()
		fillParallel(n, func(key string) {
			if _, err := c.GetUserProfile(ctx, key); err != nil {
				b.Error(err)
			}
		})
		var misses atomic.Int64
		b.Cleanup(lookups.SetSource(func(_ context.Context, p lookups.UserProfileParams) (*lookups.UserProfile, error) {
			misses.Add(1)
			return lookups.Profile(p.UserID), nil
		}))
		return c, func(key string) bool {
			before := misses.Load()
			_, err := c.GetUserProfile(ctx, key)
			return err == nil && misses.Load() == before
		}
	}},
	// map: the decoded values in a map under a lock, the cache a developer writes first.
	{"map", func(b *testing.B, n int) (any, func(string) bool) {
		m := newMapCache[*lookups.UserProfile]()
		fillParallel(n, func(key string) { m.Set(key, lookups.Profile(key)) })
		return m, func(key string) bool { _, ok := m.Get(key); return ok }
	}},
	// otter holding decoded values.
	{"otter", func(b *testing.B, n int) (any, func(string) bool) {
		oc := newOtter(b)
		fillParallel(n, func(key string) { oc.Set(key, lookups.Profile(key)) })
		return oc, func(key string) bool { _, ok := oc.GetIfPresent(key); return ok }
	}},
}

func memKey(i int) string { return "user_" + strconv.Itoa(i+1) }

// fillParallel calls put for n distinct keys from GOMAXPROCS goroutines.
func fillParallel(n int, put func(key string)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				put(memKey(i))
			}
		})
	}
	wg.Wait()
}

// BenchmarkMemory: one op fills a cache with -mem.entries results (1,000,000 by default) and reports
// the heap it keeps in use, and what the garbage collector then costs with it live: the wall time and
// GC CPU of a full collection and its stop-the-world pauses, plus the pauses during the fill.
// Run it with -benchtime 1x, one contender per process, for clean heap figures.
func BenchmarkMemory(b *testing.B) {
	for _, c := range memContenders {
		b.Run(c.name, func(b *testing.B) {
			n := *memEntries
			var heapMB, fillPauseMs, gcWallMs, gcCPUms, gcPauseUs, fillS float64
			for b.Loop() {
				runtime.GC()
				base := readGC()
				t0 := time.Now()
				keep, cached := c.fill(b, n)
				fillS += time.Since(t0).Seconds()
				afterFill := readGC()
				fillPauseMs += float64(afterFill.pauseNs-base.pauseNs) / 1e6
				runtime.GC()
				filled := readGC()
				heapMB += float64(int64(filled.heapInuse)-int64(base.heapInuse)) / (1 << 20)
				const cycles = 5
				t1 := time.Now()
				for range cycles {
					runtime.GC()
				}
				gcWallMs += float64(time.Since(t1).Microseconds()) / 1e3 / cycles
				end := readGC()
				gcCPUms += (end.gcCPU - filled.gcCPU) * 1e3 / cycles
				gcPauseUs += float64(end.pauseNs-filled.pauseNs) / 1e3 / cycles
				for i := 0; i < n; i += max(1, n/1000) {
					if !cached(memKey(i)) {
						b.Fatalf("%s: key %d of %d was not cached (evicted?)", c.name, i, n)
					}
				}
				runtime.KeepAlive(keep)
			}
			runs := float64(b.N)
			b.ReportMetric(float64(n), "entries")
			b.ReportMetric(heapMB/runs, "heap-MB")
			b.ReportMetric(heapMB/runs*(1<<20)/float64(n), "heap-B/entry")
			b.ReportMetric(gcWallMs/runs, "gc-wall-ms")
			b.ReportMetric(gcCPUms/runs, "gc-cpu-ms")
			b.ReportMetric(gcPauseUs/runs, "gc-pause-µs")
			b.ReportMetric(fillPauseMs/runs, "fill-pause-ms")
			b.ReportMetric(fillS/runs, "fill-s")
		})
	}
}
