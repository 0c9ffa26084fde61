package crash

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestGroup runs groups of workers of which none, one or all panic, with
// panic values of several kinds: Wait returns when every worker is done,
// and panics on the waiting goroutine with the value and the stack of the
// worker that panicked, or returns when none did.
func TestGroup(t *testing.T) {
	sentinel := errors.New("sentinel")
	tests := []struct {
		name    string
		workers int
		panics  func(i int) bool
		value   any
	}{
		{"none", 4, func(int) bool { return false }, nil},
		{"one string", 4, func(i int) bool { return i == 2 }, "boom"},
		{"one error", 3, func(i int) bool { return i == 0 }, sentinel},
		{"all", 5, func(int) bool { return true }, "all"},
		{"single worker", 1, func(int) bool { return true }, fmt.Errorf("wrapped: %w", sentinel)},
		{"runtime error", 2, func(i int) bool { return i == 1 }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var done atomic.Int64
			var g Group
			for i := range tt.workers {
				g.Go(func() {
					defer done.Add(1)
					if !tt.panics(i) {
						return
					}
					if tt.name == "runtime error" {
						var m map[string]int
						m["x"] = 1
					}
					panic(tt.value)
				})
			}
			var got any
			func() {
				defer func() { got = recover() }()
				g.Wait()
			}()
			if n := done.Load(); n != int64(tt.workers) {
				t.Fatalf("Wait returned with %d of %d workers done", n, tt.workers)
			}
			anyPanic := false
			for i := range tt.workers {
				anyPanic = anyPanic || tt.panics(i)
			}
			if !anyPanic {
				if got != nil {
					t.Fatalf("Wait panicked with %v", got)
				}
				return
			}
			p, ok := got.(*Panic)
			if !ok {
				t.Fatalf("Wait panicked with %T %v, want a *Panic", got, got)
			}
			if tt.value != nil && p.Value != tt.value {
				t.Errorf("value %v, want %v", p.Value, tt.value)
			}
			if tt.value == sentinel || strings.HasPrefix(tt.name, "single") {
				if !errors.Is(p, sentinel) {
					t.Errorf("errors.Is(%v, sentinel) = false", p)
				}
			}
			if !strings.Contains(string(p.Stack), "crash.TestGroup") {
				t.Errorf("the stack is not the worker's:\n%s", p.Stack)
			}
			// Recovering the *Panic again keeps it, stack and all.
			if Recovered(p) != p {
				t.Error("Recovered wrapped a *Panic again")
			}
		})
	}
}
