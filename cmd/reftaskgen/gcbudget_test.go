package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCPercent(t *testing.T) {
	const mb = 1 << 20
	for _, tt := range []struct {
		live, budget uint64
		want         int
	}{
		{0, 256 * mb, maxGCPercent},
		{1, 256 * mb, maxGCPercent},
		{32 * mb, 256 * mb, maxGCPercent},
		{64 * mb, 256 * mb, 400},
		{100 * mb, 256 * mb, 256},
		{128 * mb, 256 * mb, 200},
		{256 * mb, 256 * mb, 100},
		{257 * mb, 256 * mb, minGCPercent},
		{4096 * mb, 256 * mb, minGCPercent},
		{1 << 62, 256 * mb, minGCPercent},
	} {
		if got := gcPercent(tt.live, tt.budget); got != tt.want {
			t.Errorf("gcPercent(%d MB live, %d MB budget) = %d, want %d", tt.live/mb, tt.budget/mb, got, tt.want)
		}
	}
	// The heap may grow by the budget or the live data, whichever is more, and at most 4×.
	for live := uint64(1); live < 1<<40; live = live*3 + 7 {
		p := gcPercent(live, 256*mb)
		growth := live * uint64(p) / 100
		if p < minGCPercent || p > maxGCPercent || (p > minGCPercent && p < maxGCPercent && (growth > 256*mb+live/100+1 || growth+live/100+1 < 256*mb)) {
			t.Fatalf("gcPercent(%d) = %d: the heap may grow by %d bytes", live, p, growth)
		}
	}
}

// currentGCPercent reads GOGC (SetGCPercent returns the previous value).
func currentGCPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// waitGCPercent collects until budgetGC's finalizer has set GOGC as cond wants.
func waitGCPercent(t *testing.T, what string, cond func(int) bool) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		if p := currentGCPercent(); cond(p) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("GOGC is %d after collections, want %s", currentGCPercent(), what)
		}
	}
}

// TestBudgetGC: after each collection GOGC follows the live heap, and stop ends it.
func TestBudgetGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	const mb = 1 << 20
	stop := budgetGC(96 * mb)
	live := make([]byte, 128*mb)
	for i := range live {
		live[i] = byte(i)
	}
	// 96 MB over 128 MB live is 75%: the floor.
	waitGCPercent(t, "the minimum", func(p int) bool { return p == minGCPercent })
	runtime.KeepAlive(live)
	live = make([]byte, 40*mb)
	for i := range live {
		live[i] = byte(i)
	}
	p := waitGCPercent(t, "about 96/40", func(p int) bool { return p > minGCPercent })
	if p < 180 || p > 240 {
		t.Errorf("GOGC = %d with about 40 MB live and a 96 MB budget, want about 240", p)
	}
	runtime.KeepAlive(live)
	live = nil
	waitGCPercent(t, "the maximum", func(p int) bool { return p == maxGCPercent })
	stop()
	debug.SetGCPercent(150)
	for range 3 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if p := currentGCPercent(); p != 150 {
		t.Errorf("GOGC changed to %d after stop", p)
	}
}
