package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// A run is short and allocation-heavy (thousands of schemas, then a large
// syntax tree): the fewer collections, the faster, as long as the memory
// they leave uncollected stays small. A fixed GOGC cannot do both: 400
// (the heap grows to five times the live data between collections) keeps
// a run of 1,000 specs fast, but gave 5,000 specs a 3.5 GB peak for about
// 400 MB of live data. So the percentage follows the live data instead:
// between collections the heap may grow by garbageBudget, or by the live
// data when that is larger (Go's default, GOGC=100), and by at most
// maxGCPercent percent.
const (
	garbageBudget = 256 << 20
	maxGCPercent  = 400
	minGCPercent  = 100
)

// gcPercent is the GOGC that lets a heap of live bytes grow by budget, kept
// within [minGCPercent, maxGCPercent].
func gcPercent(live, budget uint64) int {
	if live == 0 {
		return maxGCPercent
	}
	p := budget * 100 / live
	return int(min(max(p, minGCPercent), maxGCPercent))
}

// budgetGC sets GOGC from the live heap after every collection (see
// garbageBudget) until the returned stop is called. It runs in a finalizer,
// the one hook the runtime calls once per collection.
func budgetGC(budget uint64) (stop func()) {
	var stopped atomic.Bool
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	// sentinel is large enough not to share a tiny-allocator block, whose
	// finalizers may run late or never.
	type sentinel struct{ _ [32]byte }
	var arm func()
	arm = func() {
		runtime.SetFinalizer(new(sentinel), func(*sentinel) {
			if stopped.Load() {
				return
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				debug.SetGCPercent(gcPercent(sample[0].Value.Uint64(), budget))
			}
			arm()
		})
	}
	debug.SetGCPercent(maxGCPercent)
	arm()
	return func() { stopped.Store(true) }
}
