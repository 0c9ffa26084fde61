package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/core"
	"github.com/reftask/reftask/runtime/internal/seam"
	"github.com/reftask/reftask/runtime/internal/wire"
	"github.com/reftask/reftask/runtime/tier"
)

// instantTimer records retry delays without sleeping.
type instantTimer struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (r *instantTimer) After(d time.Duration) <-chan time.Time {
	r.mu.Lock()
	r.delays = append(r.delays, d)
	r.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- time.Now()
	return ch
}

func (r *instantTimer) Delays() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.delays...)
}

// eventLog collects hook events by kind.
type eventLog struct {
	mu     sync.Mutex
	events []string
	byKind map[string][]runtime.Event
}

func (l *eventLog) rec(kind string) func(context.Context, runtime.Event) {
	return func(_ context.Context, e runtime.Event) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.byKind == nil {
			l.byKind = map[string][]runtime.Event{}
		}
		l.events = append(l.events, kind)
		l.byKind[kind] = append(l.byKind[kind], e)
	}
}

func (l *eventLog) hooks() runtime.Hooks {
	return runtime.Hooks{
		OnHit: l.rec("hit"), OnMiss: l.rec("miss"), OnStale: l.rec("stale"), OnNegativeHit: l.rec("negative"),
		OnSourceCall: l.rec("source"), OnRetry: l.rec("retry"), OnFallback: l.rec("fallback"), OnError: l.rec("error"),
	}
}

func (l *eventLog) get(kind string) []runtime.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]runtime.Event(nil), l.byKind[kind]...)
}

func (l *eventLog) seq() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.events, ",")
}

func mustTaskError(t *testing.T, err error) *runtime.TaskError {
	t.Helper()
	var te *runtime.TaskError
	if !errors.As(err, &te) {
		t.Fatalf("error %v (%T) is not a *TaskError", err, err)
	}
	return te
}

var errTransient = errors.New("transient failure")

func TestCacheHitMissExpiry(t *testing.T) {
	clock := newFakeClock()
	var log eventLog
	x := newTestExecutor(t, runtime.WithClock(clock.Now), runtime.WithHooks(log.hooks()))
	src := &source{}
	task := NewTask(x, userSpec(src))
	ctx := context.Background()

	tests := []struct {
		name      string
		advance   time.Duration
		id        string
		wantCalls int64
	}{
		{"first call misses", 0, "u1", 1},
		{"second call hits", 0, "u1", 1},
		{"other key misses", 0, "u2", 2},
		{"still fresh just before TTL", 59 * time.Second, "u1", 2},
		{"expired after TTL", 2 * time.Second, "u1", 3},
		{"fresh again", 0, "u1", 3},
	}
	for _, tc := range tests {
		clock.Advance(tc.advance)
		u, err := task.Do(ctx, &userParams{ID: tc.id})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if u.ID != tc.id || u.Name != "Name "+tc.id || u.Age != 42 {
			t.Fatalf("%s: got %+v", tc.name, u)
		}
		if got := src.calls.Load(); got != tc.wantCalls {
			t.Fatalf("%s: source calls = %d, want %d", tc.name, got, tc.wantCalls)
		}
	}
	if got, want := log.seq(), "miss,source,hit,miss,source,hit,miss,source,hit"; got != want {
		t.Fatalf("hook sequence = %s, want %s", got, want)
	}
}

func TestHitReturnsIndependentCopies(t *testing.T) {
	x := newTestExecutor(t)
	task := NewTask(x, userSpec(&source{}))
	ctx := context.Background()
	a, err := task.Do(ctx, &userParams{ID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	a.Name = "mutated"
	b, err := task.Do(ctx, &userParams{ID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	if b.Name != "Name u1" || a == b {
		t.Fatalf("cache returned a shared or mutated value: %+v", b)
	}
}

func TestNoCachingWhenTTLZero(t *testing.T) {
	x := newTestExecutor(t)
	src := &source{}
	spec := userSpec(src)
	spec.Cache = CachePolicy{}
	task := NewTask(x, spec)
	for range 3 {
		if _, err := task.Do(context.Background(), &userParams{ID: "u1"}); err != nil {
			t.Fatal(err)
		}
	}
	if got := src.calls.Load(); got != 3 {
		t.Fatalf("source calls = %d, want 3", got)
	}
}

func TestNegativeCache(t *testing.T) {
	tests := []struct {
		name        string
		negativeTTL time.Duration
		advance     time.Duration
		wantCalls   int64 // after three Do calls, the last one after advance
	}{
		{"negative entry serves repeat lookups", 10 * time.Second, 0, 1},
		{"negative entry expires", 10 * time.Second, 11 * time.Second, 2},
		{"no negative caching", 0, 0, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			var log eventLog
			x := newTestExecutor(t, runtime.WithClock(clock.Now), runtime.WithHooks(log.hooks()))
			src := &source{fn: func(context.Context, int64, *userParams) (*user, error) {
				return nil, fmt.Errorf("lookup: %w", runtime.ErrNotFound)
			}}
			spec := userSpec(src)
			spec.Cache.NegativeTTL = tc.negativeTTL
			spec.Retry.Attempts = 3
			task := NewTask(x, spec)
			for i := range 3 {
				if i == 2 {
					clock.Advance(tc.advance)
				}
				_, err := task.Do(context.Background(), &userParams{ID: "u1"})
				if !errors.Is(err, runtime.ErrNotFound) || !runtime.IsNotFound(err) {
					t.Fatalf("err = %v, want ErrNotFound", err)
				}
				mustTaskError(t, err)
			}
			if got := src.calls.Load(); got != tc.wantCalls {
				t.Fatalf("source calls = %d, want %d", got, tc.wantCalls)
			}
			if len(log.get("error")) != 0 {
				t.Fatalf("not-found reported as error: %v", log.get("error"))
			}
			if tc.negativeTTL > 0 && tc.advance == 0 && len(log.get("negative")) != 2 {
				t.Fatalf("negative hits = %d, want 2", len(log.get("negative")))
			}
		})
	}
}

func TestStaleIfError(t *testing.T) {
	clock := newFakeClock()
	var log eventLog
	x := newTestExecutor(t, runtime.WithClock(clock.Now), runtime.WithHooks(log.hooks()))
	var failing atomic.Bool
	src := &source{fn: func(_ context.Context, _ int64, p *userParams) (*user, error) {
		if failing.Load() {
			return nil, errTransient
		}
		return &user{ID: p.ID, Name: "fresh", Age: 1}, nil
	}}
	spec := userSpec(src)
	spec.Cache = CachePolicy{TTL: time.Minute, StaleIfError: 5 * time.Minute}
	spec.Retry = RetryPolicy{Attempts: 2}
	task := NewTask(x, spec)
	ctx := context.Background()
	p := &userParams{ID: "u1"}
	if _, err := task.Do(ctx, p); err != nil {
		t.Fatal(err)
	}
	failing.Store(true)

	clock.Advance(2 * time.Minute) // expired, within the stale window
	u, err := task.Do(ctx, p)
	if err != nil || u.Name != "fresh" {
		t.Fatalf("want stale value, got %+v, %v", u, err)
	}
	if got := src.calls.Load(); got != 3 {
		t.Fatalf("source calls = %d, want 3 (1 + 2 attempts)", got)
	}
	if len(log.get("stale")) != 1 || !errors.Is(log.get("stale")[0].Err, errTransient) {
		t.Fatalf("OnStale events = %+v", log.get("stale"))
	}

	clock.Advance(5 * time.Minute) // past fresh-until + StaleIfError
	_, err = task.Do(ctx, p)
	if !errors.Is(err, errTransient) {
		t.Fatalf("err = %v, want source error after stale window", err)
	}
	if te := mustTaskError(t, err); te.Attempts != 2 {
		t.Fatalf("attempts = %d, want 2", te.Attempts)
	}
}

func TestCorruptEntryIsMiss(t *testing.T) {
	tests := []struct {
		name  string
		entry func(fresh int64) []byte
	}{
		{"too short", func(int64) []byte { return []byte{1, 2} }},
		{"bad magic", func(fresh int64) []byte {
			b := appendEntryHeader(nil, entryHeader{freshUntil: fresh, staleUntil: fresh})
			b[0] = 0
			return b
		}},
		{"truncated payload", func(fresh int64) []byte {
			b := appendEntryHeader(nil, entryHeader{freshUntil: fresh, staleUntil: fresh})
			return append(wire.AppendString(b, "u1"), 10, 'a')
		}},
		{"trailing bytes", func(fresh int64) []byte {
			b := appendEntryHeader(nil, entryHeader{freshUntil: fresh, staleUntil: fresh})
			return append(encodeUser(b, &user{ID: "u1"}), 0xff)
		}},
		{"negative with payload", func(fresh int64) []byte {
			b := appendEntryHeader(nil, entryHeader{negative: true, freshUntil: fresh, staleUntil: fresh})
			return append(b, 1)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			x := newTestExecutor(t, runtime.WithClock(clock.Now))
			src := &source{}
			task := NewTask(x, userSpec(src))
			p := &userParams{ID: "u1"}
			key := string(task.appendKey(nil, p))
			bc := x.Core(seam.Token{}).Cache.Load()
			if err := bc.Set(context.Background(), key, tc.entry(clock.Now().Add(time.Hour).UnixNano()), tier.Expiry{}); err != nil {
				t.Fatal(err)
			}
			u, err := task.Do(context.Background(), p)
			if err != nil || u.ID != "u1" || src.calls.Load() != 1 {
				t.Fatalf("got %+v, %v, calls %d; want a miss that calls the source", u, err, src.calls.Load())
			}
			// The corrupt entry was replaced by a good one.
			if _, err := task.Do(context.Background(), p); err != nil || src.calls.Load() != 1 {
				t.Fatalf("second call: %v, calls %d", err, src.calls.Load())
			}
		})
	}
}

func TestCorruptEntryDeleted(t *testing.T) {
	x := newTestExecutor(t)
	spec := userSpec(&source{})
	spec.Cache.TTL = time.Minute
	task := NewTask(x, spec)
	p := &userParams{ID: "u1"}
	key := string(task.appendKey(nil, p))
	bc := x.Core(seam.Token{}).Cache.Load()
	_ = bc.Set(context.Background(), key, []byte("garbage"), tier.Expiry{})
	var rd wire.Reader
	if _, st := task.lookup(bc, key, &rd, lookupFresh); st != entryMiss {
		t.Fatalf("state = %v, want miss", st)
	}
	if _, ok, _ := bc.Get(context.Background(), key); ok {
		t.Fatal("corrupt entry still in cache")
	}
}

func TestCacheKeyInjective(t *testing.T) {
	x := newTestExecutor(t)
	type kp struct{ A, B string }
	mk := func(name, version string) *Task[kp, user] {
		return NewTask(x, TaskSpec[kp, user]{Name: name, Version: version, AppendKey: func(dst []byte, p *kp) []byte {
			return wire.AppendString(wire.AppendString(dst, p.A), p.B)
		}})
	}
	seen := map[string]string{}
	add := func(label string, key []byte) {
		if prev, dup := seen[string(key)]; dup {
			t.Fatalf("%s and %s share cache key %q", prev, label, key)
		}
		seen[string(key)] = label
	}
	for _, nv := range [][2]string{{"ab", "c"}, {"a", "bc"}, {"abc", ""}, {"", "abc"}} {
		task := mk(nv[0], nv[1])
		for _, p := range []kp{{"x", "yz"}, {"xy", "z"}, {"", "xyz"}} {
			add(fmt.Sprintf("%v/%v", nv, p), task.appendKey(nil, &p))
		}
		x.InvalidateTask(nv[0])
		add(fmt.Sprintf("%v/gen+1", nv), task.appendKey(nil, &kp{"x", "yz"}))
	}
}

func TestCoalescing1000(t *testing.T) {
	for _, ttl := range []time.Duration{time.Minute, 0} {
		t.Run(fmt.Sprintf("ttl=%v", ttl), func(t *testing.T) { testCoalescing(t, ttl) })
	}
}

func testCoalescing(t *testing.T, ttl time.Duration) {
	x := newTestExecutor(t)
	release := make(chan struct{})
	src := &source{fn: func(ctx context.Context, _ int64, p *userParams) (*user, error) {
		<-release
		return &user{ID: p.ID, Name: "n"}, nil
	}}
	spec := userSpec(src)
	spec.Cache.TTL = ttl
	task := NewTask(x, spec)
	const n = 1000
	results := make([]*user, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = task.Do(context.Background(), &userParams{ID: "same"})
		})
	}
	waitFor(t, func() bool { return flightWaiters(task) == n })
	close(release)
	wg.Wait()
	if got := src.calls.Load(); got != 1 {
		t.Fatalf("source calls = %d, want 1", got)
	}
	ptrs := map[*user]bool{}
	for i := range n {
		if errs[i] != nil || results[i].ID != "same" {
			t.Fatalf("caller %d: %+v, %v", i, results[i], errs[i])
		}
		ptrs[results[i]] = true
	}
	if len(ptrs) != n {
		t.Fatalf("callers share results: %d distinct pointers for %d callers", len(ptrs), n)
	}
}

// flightWaiters sums the waiters of a task's current flights.
func flightWaiters[P, R any](task *Task[P, R]) int {
	task.mu.Lock()
	defer task.mu.Unlock()
	n := 0
	for _, f := range task.flights {
		n += int(f.waiters)
	}
	return n
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCallerLeavingDoesNotFailOthers(t *testing.T) {
	x := newTestExecutor(t)
	release := make(chan struct{})
	src := &source{fn: func(ctx context.Context, _ int64, p *userParams) (*user, error) {
		select {
		case <-release:
			return &user{ID: p.ID}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}}
	task := NewTask(x, userSpec(src))
	leaverCtx, cancel := context.WithCancel(context.Background())
	leaverErr := make(chan error, 1)
	go func() {
		_, err := task.Do(leaverCtx, &userParams{ID: "k"})
		leaverErr <- err
	}()
	waitFor(t, func() bool { return flightWaiters(task) == 1 })
	stayer := task.Async(context.Background(), &userParams{ID: "k"})
	waitFor(t, func() bool { return flightWaiters(task) == 2 })

	cancel()
	err := <-leaverErr
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("leaver err = %v, want context.Canceled", err)
	}
	mustTaskError(t, err)
	waitFor(t, func() bool { return flightWaiters(task) == 1 })
	close(release)
	u, err := stayer.Await(context.Background())
	if err != nil || u.ID != "k" {
		t.Fatalf("stayer got %+v, %v", u, err)
	}
	if src.calls.Load() != 1 {
		t.Fatalf("source calls = %d, want 1", src.calls.Load())
	}
}

type ctxKey struct{}

func TestAllLeavingCancelsFlight(t *testing.T) {
	x := newTestExecutor(t)
	started := make(chan struct{})
	sawCancel := make(chan any, 1)
	src := &source{fn: func(ctx context.Context, _ int64, p *userParams) (*user, error) {
		close(started)
		<-ctx.Done()
		sawCancel <- ctx.Value(ctxKey{})
		return nil, ctx.Err()
	}}
	task := NewTask(x, userSpec(src))
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "trace-1"))
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if _, err := task.Do(ctx, &userParams{ID: "k"}); !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
		})
	}
	<-started
	waitFor(t, func() bool { return flightWaiters(task) == 3 })
	cancel()
	wg.Wait()
	select {
	case v := <-sawCancel:
		if v != "trace-1" {
			t.Fatalf("flight ctx lost caller values: %v", v)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("flight ctx not cancelled after every caller left")
	}
	waitFor(t, func() bool { task.mu.Lock(); defer task.mu.Unlock(); return len(task.flights) == 0 })
}

func TestFlightSurvivesFirstCallerLeaving(t *testing.T) {
	// The flight runs on a ctx detached from the first caller: its cancellation alone must not stop the source.
	x := newTestExecutor(t)
	release := make(chan struct{})
	src := &source{fn: func(ctx context.Context, _ int64, p *userParams) (*user, error) {
		select {
		case <-release:
			return &user{ID: p.ID}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}}
	task := NewTask(x, userSpec(src))
	firstCtx, cancel := context.WithCancel(context.Background())
	first := task.Async(firstCtx, &userParams{ID: "k"})
	waitFor(t, func() bool { return flightWaiters(task) == 1 })
	second := task.Async(context.Background(), &userParams{ID: "k"})
	waitFor(t, func() bool { return flightWaiters(task) == 2 })
	cancel()
	if _, err := first.Await(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("first: %v", err)
	}
	close(release)
	if u, err := second.Await(context.Background()); err != nil || u.ID != "k" {
		t.Fatalf("second: %+v, %v", u, err)
	}
}

func TestPanicInFetchBecomesError(t *testing.T) {
	x := newTestExecutor(t, withRetryTimer(&instantTimer{}))
	src := &source{fn: func(context.Context, int64, *userParams) (*user, error) { panic("kaboom") }}
	spec := userSpec(src)
	spec.Retry.Attempts = 3
	task := NewTask(x, spec)
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			_, err := task.Do(context.Background(), &userParams{ID: "k"})
			if err == nil || !strings.Contains(err.Error(), "kaboom") {
				t.Errorf("err = %v, want the panic value", err)
			}
			var pe *core.PanicError
			if !errors.As(err, &pe) {
				t.Errorf("err = %v, want a core.PanicError", err)
			}
		})
	}
	wg.Wait()
	if got := src.calls.Load(); got > 5 || got < 1 {
		t.Fatalf("source calls = %d", got)
	}
	// A panic is a bug: it is not retried.
	before := src.calls.Load()
	_, err := task.Do(context.Background(), &userParams{ID: "other"})
	if te := mustTaskError(t, err); te.Attempts != 1 || src.calls.Load() != before+1 {
		t.Fatalf("attempts = %d, calls %d", te.Attempts, src.calls.Load()-before)
	}
}

type netErr struct{}

func (netErr) Error() string   { return "net down" }
func (netErr) Timeout() bool   { return false }
func (netErr) Temporary() bool { return true }

func TestRetryClassification(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantCalls int64
		wantIs    error
	}{
		{"generic source error is transient", errTransient, 4, errTransient},
		{"unexpected EOF", io.ErrUnexpectedEOF, 4, io.ErrUnexpectedEOF},
		{"permanent", runtime.Permanent(errTransient), 1, errTransient},
		{"not found", runtime.ErrNotFound, 1, runtime.ErrNotFound},
		{"validation error", &runtime.ValidationError{Violations: []runtime.Violation{{Pointer: "/x", Keyword: "type", Message: "bad"}}}, 1, nil},
		{"conversion error", &runtime.ConvError{Path: "/x", From: "string", To: "integer"}, 1, nil},
		{"wrapped conversion error", fmt.Errorf("row: %w", &runtime.ConvError{Path: "/x"}), 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			timer := &instantTimer{}
			var log eventLog
			x := newTestExecutor(t, withRetryTimer(timer), runtime.WithHooks(log.hooks()))
			src := &source{fn: func(context.Context, int64, *userParams) (*user, error) { return nil, tc.err }}
			spec := userSpec(src)
			spec.Retry = RetryPolicy{Attempts: 4, InitialDelay: time.Millisecond, MaxDelay: time.Second}
			task := NewTask(x, spec)
			_, err := task.Do(context.Background(), &userParams{ID: "k"})
			if err == nil {
				t.Fatal("want error")
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Fatalf("err = %v, want Is %v", err, tc.wantIs)
			}
			te := mustTaskError(t, err)
			if got := src.calls.Load(); got != tc.wantCalls || int64(te.Attempts) != tc.wantCalls {
				t.Fatalf("calls = %d, attempts = %d, want %d", got, te.Attempts, tc.wantCalls)
			}
			if got := int64(len(log.get("retry"))); got != tc.wantCalls-1 {
				t.Fatalf("OnRetry called %d times, want %d", got, tc.wantCalls-1)
			}
			if got := int64(len(timer.Delays())); got != tc.wantCalls-1 {
				t.Fatalf("slept %d times, want %d", got, tc.wantCalls-1)
			}
		})
	}
}

func TestRetryThenSuccess(t *testing.T) {
	var log eventLog
	x := newTestExecutor(t, withRetryTimer(&instantTimer{}), runtime.WithHooks(log.hooks()))
	src := &source{fn: func(_ context.Context, n int64, p *userParams) (*user, error) {
		if n < 3 {
			return nil, netErr{}
		}
		return &user{ID: p.ID}, nil
	}}
	spec := userSpec(src)
	spec.Retry = RetryPolicy{Attempts: 5, InitialDelay: time.Millisecond}
	task := NewTask(x, spec)
	u, err := task.Do(context.Background(), &userParams{ID: "k"})
	if err != nil || u.ID != "k" || src.calls.Load() != 3 {
		t.Fatalf("got %+v, %v after %d calls", u, err, src.calls.Load())
	}
	retries := log.get("retry")
	if len(retries) != 2 || retries[0].Attempt != 1 || retries[1].Attempt != 2 || retries[0].Task != "UserProfile" {
		t.Fatalf("retry events = %+v", retries)
	}
	calls := log.get("source")
	if len(calls) != 3 || calls[2].Err != nil || calls[0].Err == nil || calls[2].Attempt != 3 {
		t.Fatalf("source events = %+v", calls)
	}
}

func TestPerAttemptTimeout(t *testing.T) {
	x := newTestExecutor(t, withRetryTimer(&instantTimer{}))
	src := &source{fn: func(ctx context.Context, n int64, p *userParams) (*user, error) {
		if _, ok := ctx.Deadline(); !ok {
			return nil, runtime.Permanent(errors.New("attempt ctx has no deadline"))
		}
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	spec := userSpec(src)
	spec.Timeout = 20 * time.Millisecond
	spec.Retry = RetryPolicy{Attempts: 3}
	task := NewTask(x, spec)
	start := time.Now()
	_, err := task.Do(context.Background(), &userParams{ID: "k"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	var ate *attemptTimeoutError
	if !errors.As(err, &ate) {
		t.Fatalf("err = %v, want attempt timeout", err)
	}
	if te := mustTaskError(t, err); te.Attempts != 3 || src.calls.Load() != 3 {
		t.Fatalf("attempts = %d, calls = %d, want 3", te.Attempts, src.calls.Load())
	}
	if el := time.Since(start); el < 60*time.Millisecond {
		t.Fatalf("finished in %v, before three 20ms timeouts", el)
	}
}

func TestDeadlineAwareStop(t *testing.T) {
	x := newTestExecutor(t)
	src := &source{fn: func(context.Context, int64, *userParams) (*user, error) { return nil, errTransient }}
	spec := userSpec(src)
	spec.Retry = RetryPolicy{Attempts: 5, InitialDelay: time.Second, MaxDelay: time.Second}
	task := NewTask(x, spec)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := task.Do(ctx, &userParams{ID: "k"})
	if el := time.Since(start); el > 200*time.Millisecond {
		t.Fatalf("took %v: should stop at once when the next delay cannot fit the deadline", el)
	}
	if !errors.Is(err, errTransient) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the last source error", err)
	}
	if te := mustTaskError(t, err); te.Attempts != 1 {
		t.Fatalf("attempts = %d, want 1", te.Attempts)
	}
}

func TestDeadlineAwareCountsAttemptTimeout(t *testing.T) {
	// A 100ms delay fits a 300ms deadline, but not together with a 250ms attempt timeout.
	x := newTestExecutor(t)
	src := &source{fn: func(context.Context, int64, *userParams) (*user, error) { return nil, errTransient }}
	spec := userSpec(src)
	spec.Timeout = 250 * time.Millisecond
	spec.Retry = RetryPolicy{Attempts: 5, InitialDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	task := NewTask(x, spec)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := task.Do(ctx, &userParams{ID: "k"})
	if te := mustTaskError(t, err); te.Attempts != 1 {
		t.Fatalf("attempts = %d, want 1 (%v)", te.Attempts, err)
	}
}

func TestDeadlineAwareUsesLatestWaiter(t *testing.T) {
	// One waiter without a deadline keeps the retries going for everybody.
	x := newTestExecutor(t)
	release := make(chan struct{})
	src := &source{fn: func(_ context.Context, n int64, p *userParams) (*user, error) {
		if n == 1 {
			<-release
			return nil, errTransient
		}
		return &user{ID: p.ID}, nil
	}}
	spec := userSpec(src)
	spec.Retry = RetryPolicy{Attempts: 3, InitialDelay: 50 * time.Millisecond}
	task := NewTask(x, spec)
	short, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a := task.Async(short, &userParams{ID: "k"})
	waitFor(t, func() bool { return flightWaiters(task) == 1 })
	b := task.Async(context.Background(), &userParams{ID: "k"})
	waitFor(t, func() bool { return flightWaiters(task) == 2 })
	close(release)
	for _, f := range []*runtime.Future[user]{a, b} {
		if u, err := f.Await(context.Background()); err != nil || u.ID != "k" {
			t.Fatalf("got %+v, %v", u, err)
		}
	}
}

func TestBackoffBoundedByMaxDelay(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name   string
		policy RetryPolicy
		want   []time.Duration // upper bounds; with jitter each delay lies in [want/2, want]
	}{
		{"exponential then capped", RetryPolicy{Attempts: 6, InitialDelay: 10 * ms, MaxDelay: 40 * ms}, []time.Duration{10 * ms, 20 * ms, 40 * ms, 40 * ms, 40 * ms}},
		{"jittered", RetryPolicy{Attempts: 6, InitialDelay: 10 * ms, MaxDelay: 40 * ms, Jitter: true}, []time.Duration{10 * ms, 20 * ms, 40 * ms, 40 * ms, 40 * ms}},
		{"initial above max", RetryPolicy{Attempts: 3, InitialDelay: time.Second, MaxDelay: 5 * ms}, []time.Duration{5 * ms, 5 * ms}},
		{"default max delay", RetryPolicy{Attempts: 4, InitialDelay: 20 * time.Second}, []time.Duration{20 * time.Second, 30 * time.Second, 30 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			timer := &instantTimer{}
			x := newTestExecutor(t, withRetryTimer(timer))
			src := &source{fn: func(context.Context, int64, *userParams) (*user, error) { return nil, errTransient }}
			spec := userSpec(src)
			spec.Retry = tc.policy
			task := NewTask(x, spec)
			_, _ = task.Do(context.Background(), &userParams{ID: "k"})
			got := timer.Delays()
			if len(got) != len(tc.want) {
				t.Fatalf("delays = %v, want %v", got, tc.want)
			}
			for i, d := range got {
				lo := tc.want[i]
				if tc.policy.Jitter {
					lo /= 2
				}
				if d < lo || d > tc.want[i] {
					t.Fatalf("delay %d = %v, want in [%v, %v] (all: %v)", i, d, lo, tc.want[i], got)
				}
			}
		})
	}
}

func TestRetryDelayNoOverflow(t *testing.T) {
	p := RetryPolicy{Attempts: 100, InitialDelay: time.Hour, MaxDelay: 1<<63 - 1}.normalized()
	for n := 1; n < 100; n++ {
		if d := p.delay(n); d <= 0 {
			t.Fatalf("delay(%d) = %v", n, d)
		}
	}
}

func failingSource() *source {
	return &source{fn: func(context.Context, int64, *userParams) (*user, error) { return nil, errTransient }}
}

func TestFallbacks(t *testing.T) {
	x := newTestExecutor(t)
	ctx := context.Background()

	backupSrc := &source{fn: func(_ context.Context, _ int64, p *userParams) (*user, error) {
		return &user{ID: p.ID, Name: "backup"}, nil
	}}
	backupSpec := userSpec(backupSrc)
	backupSpec.Name = "Backup"
	backup := NewTask(x, backupSpec)

	brokenSpec := userSpec(failingSource())
	brokenSpec.Name = "Broken"

	defaultValue := FallbackValue[userParams](
		"default", func() *user { return &user{ID: "default", Name: "default"} })

	t.Run("order: failing task, then value", func(t *testing.T) {
		var log eventLog
		x2 := newTestExecutor(t, runtime.WithHooks(log.hooks()))
		src := failingSource()
		spec := userSpec(src)
		spec.Fallbacks = []Fallback[userParams, user]{FallbackTask(NewTask(x2, brokenSpec)), defaultValue, FallbackTask(backup)}
		task := NewTask(x2, spec)
		u, err := task.Do(ctx, &userParams{ID: "k"})
		if err != nil || u.Name != "default" {
			t.Fatalf("got %+v, %v", u, err)
		}
		fb := log.get("fallback")
		if len(fb) != 2 || fb[0].Fallback != "task Broken" || fb[0].Err == nil || fb[1].Fallback != "default" || fb[1].Err != nil {
			t.Fatalf("fallback events = %+v", fb)
		}
		// Fallback results are not cached: the source is asked again.
		if _, err := task.Do(ctx, &userParams{ID: "k"}); err != nil || src.calls.Load() != 2 {
			t.Fatalf("second call: %v, source calls %d", err, src.calls.Load())
		}
	})

	t.Run("task fallback result", func(t *testing.T) {
		spec := userSpec(failingSource())
		spec.Name = "T2"
		spec.Fallbacks = []Fallback[userParams, user]{FallbackTask(backup), defaultValue}
		u, err := NewTask(x, spec).Do(ctx, &userParams{ID: "k"})
		if err != nil || u.Name != "backup" {
			t.Fatalf("got %+v, %v", u, err)
		}
	})

	t.Run("value fallback is fresh per call", func(t *testing.T) {
		spec := userSpec(failingSource())
		spec.Name = "T3"
		spec.Fallbacks = []Fallback[userParams, user]{defaultValue}
		task := NewTask(x, spec)
		a, _ := task.Do(ctx, &userParams{ID: "k"})
		b, _ := task.Do(ctx, &userParams{ID: "k"})
		if a == nil || a == b {
			t.Fatal("fallback value shared between calls")
		}
	})

	t.Run("not on not-found", func(t *testing.T) {
		called := false
		spec := userSpec(&source{fn: func(context.Context, int64, *userParams) (*user, error) { return nil, runtime.ErrNotFound }})
		spec.Name = "T4"
		spec.Fallbacks = []Fallback[userParams, user]{{Name: "spy", Fn: func(context.Context, *userParams) (*user, error) {
			called = true
			return &user{}, nil
		}}}
		_, err := NewTask(x, spec).Do(ctx, &userParams{ID: "k"})
		if !errors.Is(err, runtime.ErrNotFound) || called {
			t.Fatalf("err = %v, fallback called = %v", err, called)
		}
	})

	t.Run("not on invalid params", func(t *testing.T) {
		called := false
		src := &source{}
		spec := userSpec(src)
		spec.Name = "T5"
		spec.Fallbacks = []Fallback[userParams, user]{{Name: "spy", Fn: func(context.Context, *userParams) (*user, error) {
			called = true
			return &user{}, nil
		}}}
		_, err := NewTask(x, spec).Do(ctx, &userParams{ID: ""})
		var ve *runtime.ValidationError
		if !errors.As(err, &ve) || called || src.calls.Load() != 0 {
			t.Fatalf("err = %v, fallback called = %v, source calls = %d", err, called, src.calls.Load())
		}
	})

	t.Run("all fail: original error with fallback errors", func(t *testing.T) {
		errA := errors.New("fallback A down")
		spec := userSpec(failingSource())
		spec.Name = "T6"
		spec.Fallbacks = []Fallback[userParams, user]{
			{Name: "a", Fn: func(context.Context, *userParams) (*user, error) { return nil, errA }},
			{Name: "nf", Fn: func(context.Context, *userParams) (*user, error) { return nil, runtime.ErrNotFound }},
			{Name: "panics", Fn: func(context.Context, *userParams) (*user, error) { panic("fb boom") }},
		}
		_, err := NewTask(x, spec).Do(ctx, &userParams{ID: "k"})
		if !errors.Is(err, errTransient) || !errors.Is(err, errA) {
			t.Fatalf("err = %v, want original and fallback errors", err)
		}
		if errors.Is(err, runtime.ErrNotFound) {
			t.Fatalf("a fallback's not-found made the failure look like not-found: %v", err)
		}
		for _, s := range []string{`fallback "a"`, `fallback "nf"`, "fb boom"} {
			if !strings.Contains(err.Error(), s) {
				t.Fatalf("err %q lacks %q", err, s)
			}
		}
	})

	t.Run("fallback cycle", func(t *testing.T) {
		spec := userSpec(failingSource())
		spec.Name = "Cyclic"
		var self *Task[userParams, user]
		spec.Fallbacks = []Fallback[userParams, user]{{Name: "self", Fn: func(ctx context.Context, p *userParams) (*user, error) {
			return FallbackTask(self).Fn(ctx, p)
		}}}
		self = NewTask(x, spec)
		_, err := self.Do(ctx, &userParams{ID: "k"})
		if err == nil || !strings.Contains(err.Error(), "fallback cycle") {
			t.Fatalf("err = %v, want fallback cycle", err)
		}
	})
}

func TestStaleBeforeFallback(t *testing.T) {
	clock := newFakeClock()
	x := newTestExecutor(t, runtime.WithClock(clock.Now))
	var failing atomic.Bool
	src := &source{fn: func(_ context.Context, _ int64, p *userParams) (*user, error) {
		if failing.Load() {
			return nil, errTransient
		}
		return &user{ID: p.ID, Name: "cached"}, nil
	}}
	fbCalled := false
	spec := userSpec(src)
	spec.Cache = CachePolicy{TTL: time.Minute, StaleIfError: time.Hour}
	spec.Fallbacks = []Fallback[userParams, user]{{Name: "spy", Fn: func(context.Context, *userParams) (*user, error) {
		fbCalled = true
		return &user{Name: "fallback"}, nil
	}}}
	task := NewTask(x, spec)
	if _, err := task.Do(context.Background(), &userParams{ID: "k"}); err != nil {
		t.Fatal(err)
	}
	failing.Store(true)
	clock.Advance(2 * time.Minute)
	u, err := task.Do(context.Background(), &userParams{ID: "k"})
	if err != nil || u.Name != "cached" || fbCalled {
		t.Fatalf("got %+v, %v, fallback called %v; want the stale entry", u, err, fbCalled)
	}
	clock.Advance(2 * time.Hour)
	u, err = task.Do(context.Background(), &userParams{ID: "k"})
	if err != nil || u.Name != "fallback" {
		t.Fatalf("after stale window: %+v, %v", u, err)
	}
}

func TestInvalidResult(t *testing.T) {
	x := newTestExecutor(t, withRetryTimer(&instantTimer{}))
	src := &source{fn: func(_ context.Context, _ int64, p *userParams) (*user, error) {
		return &user{ID: p.ID, Age: -1}, nil
	}}
	spec := userSpec(src)
	spec.Retry.Attempts = 3
	task := NewTask(x, spec)
	for i := range 2 {
		_, err := task.Do(context.Background(), &userParams{ID: "k"})
		var ve *runtime.ValidationError
		if !errors.As(err, &ve) || ve.Which != "result" || ve.Task != "UserProfile" {
			t.Fatalf("err = %v, want result ValidationError", err)
		}
		if !strings.Contains(err.Error(), "invalid result: /age: minimum: -1 < 0") {
			t.Fatalf("err text = %q", err)
		}
		// Not retried, and never cached: each Do asks the source once.
		if got := src.calls.Load(); got != int64(i+1) {
			t.Fatalf("source calls = %d, want %d", got, i+1)
		}
	}
	// An invalid result is a source failure, so fallbacks apply.
	spec.Name = "WithFallback"
	spec.Fallbacks = []Fallback[userParams, user]{FallbackValue[userParams]("v", func() *user { return &user{ID: "fb"} })}
	if u, err := NewTask(x, spec).Do(context.Background(), &userParams{ID: "k"}); err != nil || u.ID != "fb" {
		t.Fatalf("fallback after invalid result: %+v, %v", u, err)
	}
}

func TestParamsValidation(t *testing.T) {
	var log eventLog
	x := newTestExecutor(t, runtime.WithHooks(log.hooks()))
	src := &source{}
	task := NewTask(x, userSpec(src))
	_, err := task.Do(context.Background(), &userParams{})
	te := mustTaskError(t, err)
	var ve *runtime.ValidationError
	if !errors.As(err, &ve) || ve.Which != "params" || ve.Task != "UserProfile" || te.Attempts != 0 {
		t.Fatalf("err = %#v", err)
	}
	want := `reftask: task UserProfile (id=""): invalid params: /id: minLength: length 0 < 1`
	if err.Error() != want {
		t.Fatalf("err text\n got %s\nwant %s", err, want)
	}
	if src.calls.Load() != 0 || len(log.get("error")) != 1 {
		t.Fatalf("source calls %d, error events %d", src.calls.Load(), len(log.get("error")))
	}
}

func TestCallerContextErrors(t *testing.T) {
	x := newTestExecutor(t)
	task := NewTask(x, userSpec(&source{}))
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("shutting down")
	cancel(cause)
	_, err := task.Do(ctx, &userParams{ID: "k"})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, cause) {
		t.Fatalf("err = %v, want Canceled with cause", err)
	}
	mustTaskError(t, err)
}

func TestNilResultAndNoSource(t *testing.T) {
	x := newTestExecutor(t)
	spec := userSpec(&source{fn: func(context.Context, int64, *userParams) (*user, error) { return nil, nil }})
	spec.Retry.Attempts = 3
	task := NewTask(x, spec)
	_, err := task.Do(context.Background(), &userParams{ID: "k"})
	if te := mustTaskError(t, err); te.Attempts != 1 || !runtime.IsPermanent(err) {
		t.Fatalf("err = %v", err)
	}
	spec.Fetch = nil
	spec.Name = "NoSource"
	if _, err := NewTask(x, spec).Do(context.Background(), &userParams{ID: "k"}); err == nil {
		t.Fatal("want error for a task without source")
	}
	var nilTask *Task[userParams, user]
	if _, err := nilTask.Do(context.Background(), &userParams{}); err == nil {
		t.Fatal("want error from nil task")
	}
}

func TestPanicInGeneratedCode(t *testing.T) {
	x := newTestExecutor(t)
	spec := userSpec(&source{})
	spec.AppendKey = func([]byte, *userParams) []byte { panic("key boom") }
	_, err := NewTask(x, spec).Do(context.Background(), &userParams{ID: "k"})
	if err == nil || !strings.Contains(err.Error(), "key boom") {
		t.Fatalf("err = %v", err)
	}
	mustTaskError(t, err)

	spec = userSpec(&source{})
	spec.Name = "EncodePanics"
	spec.Encode = func([]byte, *user) []byte { panic("encode boom") }
	_, err = NewTask(x, spec).Do(context.Background(), &userParams{ID: "k"})
	if err == nil || !strings.Contains(err.Error(), "encode boom") {
		t.Fatalf("err = %v", err)
	}

	spec = userSpec(&source{})
	spec.Name = "DecodePanics"
	spec.Decode = func(*wire.Reader) *user { panic("decode boom") }
	task := NewTask(x, spec)
	for range 2 { // the second call finds the entry, fails to decode it and treats it as a miss
		if u, err := task.Do(context.Background(), &userParams{ID: "k"}); err != nil || u.ID != "k" {
			t.Fatalf("got %+v, %v", u, err)
		}
	}
}

func TestFutures(t *testing.T) {
	x := newTestExecutor(t)
	t.Run("result", func(t *testing.T) {
		task := NewTask(x, userSpec(&source{}))
		f := task.Async(context.Background(), &userParams{ID: "k"})
		<-f.Done()
		for range 2 { // stored once, read many times
			if u, err := f.Await(context.Background()); err != nil || u.ID != "k" {
				t.Fatalf("got %+v, %v", u, err)
			}
		}
	})
	t.Run("cancel ends the goroutine", func(t *testing.T) {
		block := make(chan struct{})
		defer close(block)
		spec := userSpec(&source{fn: func(ctx context.Context, _ int64, _ *userParams) (*user, error) {
			select {
			case <-block:
			case <-ctx.Done():
			}
			return nil, errTransient
		}})
		spec.Name = "Blocking"
		task := NewTask(x, spec)
		ctx, cancel := context.WithCancel(context.Background())
		f := task.Async(ctx, &userParams{ID: "k"})
		waitFor(t, func() bool { return flightWaiters(task) == 1 })
		cancel()
		select {
		case <-f.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("Async goroutine still running after cancel")
		}
		if _, err := f.Await(context.Background()); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("await leaves on its own ctx", func(t *testing.T) {
		release := make(chan struct{})
		spec := userSpec(&source{fn: func(_ context.Context, _ int64, p *userParams) (*user, error) {
			<-release
			return &user{ID: p.ID}, nil
		}})
		spec.Name = "Slow"
		task := NewTask(x, spec)
		f := task.Async(context.Background(), &userParams{ID: "k"})
		actx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err := f.Await(actx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
		mustTaskError(t, err)
		close(release)
		if u, err := f.Await(context.Background()); err != nil || u.ID != "k" {
			t.Fatalf("got %+v, %v", u, err)
		}
	})
	t.Run("a panicking Describe does not reach Await's caller", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		spec := userSpec(&source{fn: func(_ context.Context, _ int64, p *userParams) (*user, error) {
			<-release
			return &user{ID: p.ID}, nil
		}})
		spec.Name = "SlowPanickyDescribe"
		spec.Describe = func(*userParams) string { panic("describe failed") }
		task := NewTask(x, spec)
		f := task.Async(context.Background(), &userParams{ID: "k"})
		actx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := f.Await(actx)
		var pe *core.PanicError
		if !errors.As(err, &pe) {
			t.Fatalf("err = %v, want the Describe panic as the error", err)
		}
		mustTaskError(t, err)
	})
}

func TestInvalidate(t *testing.T) {
	x := newTestExecutor(t)
	src := &source{}
	task := NewTask(x, userSpec(src))
	ctx := context.Background()
	do := func(id string) {
		t.Helper()
		if _, err := task.Do(ctx, &userParams{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name      string
		action    func()
		id        string
		wantCalls int64
	}{
		{"fill u1", nil, "u1", 1},
		{"fill u2", nil, "u2", 2},
		{"cached u1", nil, "u1", 2},
		{"invalidate u1", func() { task.Invalidate(&userParams{ID: "u1"}) }, "u1", 3},
		{"u2 untouched", nil, "u2", 3},
		{"invalidate task", func() { x.InvalidateTask("UserProfile") }, "u1", 4},
		{"u2 after invalidate task", nil, "u2", 5},
		{"cached again", nil, "u2", 5},
		{"invalidate other task name", func() { x.InvalidateTask("Other") }, "u2", 5},
	}
	for _, s := range steps {
		if s.action != nil {
			s.action()
		}
		do(s.id)
		if got := src.calls.Load(); got != s.wantCalls {
			t.Fatalf("%s: source calls = %d, want %d", s.name, got, s.wantCalls)
		}
	}
}

func TestInvalidateTaskBeforeRegistration(t *testing.T) {
	x := newTestExecutor(t)
	x.InvalidateTask("Later")
	spec := userSpec(&source{})
	spec.Name = "Later"
	task := NewTask(x, spec)
	if g := task.gen.Load(); g != 1 {
		t.Fatalf("generation = %d, want 1", g)
	}
}

func TestInvalidateDuringFlightDoesNotCacheOldResult(t *testing.T) {
	x := newTestExecutor(t)
	release := make(chan struct{})
	src := &source{fn: func(_ context.Context, n int64, p *userParams) (*user, error) {
		if n == 1 {
			<-release
			return &user{ID: p.ID, Name: "old"}, nil
		}
		return &user{ID: p.ID, Name: "new"}, nil
	}}
	task := NewTask(x, userSpec(src))
	f := task.Async(context.Background(), &userParams{ID: "k"})
	waitFor(t, func() bool { return flightWaiters(task) == 1 })
	task.Invalidate(&userParams{ID: "k"})
	close(release)
	if u, err := f.Await(context.Background()); err != nil || u.Name != "old" {
		t.Fatalf("in-flight caller: %+v, %v", u, err)
	}
	if u, err := task.Do(context.Background(), &userParams{ID: "k"}); err != nil || u.Name != "new" {
		t.Fatalf("after invalidate: %+v, %v", u, err)
	}
}

func TestClose(t *testing.T) {
	x, err := runtime.New()
	if err != nil {
		t.Fatal(err)
	}
	task := NewTask(x, userSpec(&source{}))
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := task.Do(context.Background(), &userParams{ID: "k"}); !errors.Is(err, runtime.ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
	task.Invalidate(&userParams{ID: "k"}) // must not panic
}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name    string
		opt     runtime.Option
		wantErr string
	}{
		{"negative cache", runtime.WithCache(-1), "negative size"},
		{"nil clock", runtime.WithClock(nil), "nil clock"},
		{"small cache", runtime.WithCache(1), ""},
		{"default cache", runtime.WithCache(0), ""},
		{"nil option", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, err := runtime.New(tc.opt)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				_ = x.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestTooLargeEntryIsNotCached(t *testing.T) {
	x := newTestExecutor(t, runtime.WithCache(1))
	src := &source{fn: func(_ context.Context, _ int64, p *userParams) (*user, error) {
		return &user{ID: p.ID, Name: strings.Repeat("x", 2<<20)}, nil
	}}
	task := NewTask(x, userSpec(src))
	for range 2 {
		if u, err := task.Do(context.Background(), &userParams{ID: "k"}); err != nil || len(u.Name) != 2<<20 {
			t.Fatalf("err = %v", err)
		}
	}
	if src.calls.Load() != 2 {
		t.Fatalf("source calls = %d, want 2", src.calls.Load())
	}
}

func TestHooksEvents(t *testing.T) {
	var log eventLog
	x := newTestExecutor(t, runtime.WithHooks(log.hooks()), withRetryTimer(&instantTimer{}))
	src := &source{fn: func(_ context.Context, n int64, p *userParams) (*user, error) {
		if n == 1 {
			return nil, errTransient
		}
		return &user{ID: p.ID}, nil
	}}
	spec := userSpec(src)
	spec.Retry = RetryPolicy{Attempts: 2, InitialDelay: 5 * time.Millisecond}
	task := NewTask(x, spec)
	ctx := context.Background()
	_, _ = task.Do(ctx, &userParams{ID: "k"})
	_, _ = task.Do(ctx, &userParams{ID: "k"})
	if got, want := log.seq(), "miss,source,retry,source,hit"; got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	r := log.get("retry")[0]
	if r.Task != "UserProfile" || r.Key != `id="k"` || r.Attempt != 1 || r.Duration != 5*time.Millisecond || !errors.Is(r.Err, errTransient) {
		t.Fatalf("retry event %+v", r)
	}
	// Failures reach OnError with the cause.
	spec2 := userSpec(failingSource())
	spec2.Name = "Fails"
	_, _ = NewTask(x, spec2).Do(ctx, &userParams{ID: "z"})
	if e := log.get("error"); len(e) != 1 || e[0].Task != "Fails" || !errors.Is(e[0].Err, errTransient) || e[0].Attempt != 1 {
		t.Fatalf("error events %+v", e)
	}
}

func TestNoHooksNoDescribe(t *testing.T) {
	// With no hooks installed, a hit must not render the human key.
	x := newTestExecutor(t)
	var describes atomic.Int64
	spec := userSpec(&source{})
	spec.Describe = func(p *userParams) string { describes.Add(1); return p.ID }
	task := NewTask(x, spec)
	for range 3 {
		if _, err := task.Do(context.Background(), &userParams{ID: "k"}); err != nil {
			t.Fatal(err)
		}
	}
	if describes.Load() != 0 {
		t.Fatalf("Describe called %d times without hooks", describes.Load())
	}
}

func TestTaskErrorText(t *testing.T) {
	tests := []struct {
		err  *runtime.TaskError
		want string
	}{
		{&runtime.TaskError{Task: "UserProfile", Key: `user_id="u1"`, Attempts: 3, Err: errors.New("boom")}, `reftask: task UserProfile (user_id="u1"): 3 attempts: boom`},
		{&runtime.TaskError{Task: "T", Attempts: 1, Err: errors.New("boom")}, `reftask: task T: 1 attempt: boom`},
		{&runtime.TaskError{Task: "T", Err: runtime.ErrNotFound}, `reftask: task T: reftask: not found`},
		{&runtime.TaskError{Task: "T"}, `reftask: task T: unknown error`},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	if !errors.Is(&runtime.TaskError{Err: fmt.Errorf("x: %w", runtime.ErrNotFound)}, runtime.ErrNotFound) {
		t.Error("TaskError does not unwrap")
	}
}

func TestSQLErrNoRowsFromSourceIsNotFound(t *testing.T) {
	x := newTestExecutor(t, withRetryTimer(&instantTimer{}))
	src := &source{fn: func(context.Context, int64, *userParams) (*user, error) {
		return nil, fmt.Errorf("scan: %w", sql.ErrNoRows)
	}}
	spec := userSpec(src)
	spec.Retry.Attempts = 3
	_, err := NewTask(x, spec).Do(context.Background(), &userParams{ID: "k"})
	if !errors.Is(err, runtime.ErrNotFound) || errors.Is(err, sql.ErrNoRows) || src.calls.Load() != 1 {
		t.Fatalf("err = %v after %d calls", err, src.calls.Load())
	}
}

func TestNewIsCheap(t *testing.T) {
	var before, after goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&before)
	x, err := runtime.New(runtime.WithCache(4096))
	if err != nil {
		t.Fatal(err)
	}
	goruntime.ReadMemStats(&after)
	defer x.Close()
	if d := after.TotalAlloc - before.TotalAlloc; d > 4<<20 {
		t.Fatalf("New allocated %d bytes up front", d)
	}
}
