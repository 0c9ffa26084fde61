package engine

// Tests added by the mutation audit of the runtime behaviour list: each one fails when the behaviour it
// names is taken out of the implementation, where no earlier test did.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/core"
	"github.com/reftask/reftask/runtime/internal/seam"
	"github.com/reftask/reftask/runtime/internal/wire"
)

// An entry past its TTL is a miss although bigcache (24h life window) still returns its bytes:
// freshness is decided by the entry header alone.
func TestAuditFreshnessIsOwnHeader(t *testing.T) {
	clock := newFakeClock()
	x := newTestExecutor(t, runtime.WithClock(clock.Now))
	src := &source{}
	task := NewTask(x, userSpec(src)) // TTL 1m
	p := &userParams{ID: "u1"}
	if _, err := task.Do(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if _, ok, err := x.Core(seam.Token{}).Cache.Load().Get(context.Background(), string(task.appendKey(nil, p))); !ok {
		t.Fatalf("bigcache no longer holds the entry (%v); the test needs it to", err)
	}
	if _, err := task.Do(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if got := src.calls.Load(); got != 2 {
		t.Fatalf("source calls = %d, want 2: an entry at its fresh-until instant must be a miss", got)
	}
}

// Two tasks on one executor keep their own TTLs.
func TestAuditPerTaskTTL(t *testing.T) {
	clock := newFakeClock()
	x := newTestExecutor(t, runtime.WithClock(clock.Now))
	mk := func(name string, ttl time.Duration) (*Task[userParams, user], *source) {
		src := &source{}
		spec := userSpec(src)
		spec.Name = name
		spec.Cache.TTL = ttl
		return NewTask(x, spec), src
	}
	short, shortSrc := mk("Short", 10*time.Second)
	long, longSrc := mk("Long", 2*time.Hour)
	ctx := context.Background()
	p := &userParams{ID: "k"}
	steps := []struct {
		name                string
		advance             time.Duration
		wantShort, wantLong int64
	}{
		{"fill", 0, 1, 1},
		{"both fresh", 9 * time.Second, 1, 1},
		{"short expired, long fresh", 2 * time.Second, 2, 1},
		{"long fresh after an hour", time.Hour, 3, 1},
		{"long expired", time.Hour, 4, 2},
	}
	for _, s := range steps {
		clock.Advance(s.advance)
		for _, task := range []*Task[userParams, user]{short, long} {
			if _, err := task.Do(ctx, p); err != nil {
				t.Fatalf("%s: %s: %v", s.name, task.Name(), err)
			}
		}
		if a, b := shortSrc.calls.Load(), longSrc.calls.Load(); a != s.wantShort || b != s.wantLong {
			t.Fatalf("%s: source calls short=%d long=%d, want %d and %d", s.name, a, b, s.wantShort, s.wantLong)
		}
	}
}

// A negative entry past its NegativeTTL but within StaleIfError answers ErrNotFound when the source fails.
func TestAuditStaleNegativeEntry(t *testing.T) {
	clock := newFakeClock()
	var log eventLog
	x := newTestExecutor(t, runtime.WithClock(clock.Now), runtime.WithHooks(log.hooks()))
	var failing bool
	var mu sync.Mutex
	src := &source{fn: func(context.Context, int64, *userParams) (*user, error) {
		mu.Lock()
		defer mu.Unlock()
		if failing {
			return nil, errTransient
		}
		return nil, runtime.ErrNotFound
	}}
	spec := userSpec(src)
	spec.Cache = CachePolicy{TTL: time.Minute, NegativeTTL: 10 * time.Second, StaleIfError: time.Minute}
	task := NewTask(x, spec)
	ctx := context.Background()
	p := &userParams{ID: "gone"}
	if _, err := task.Do(ctx, p); !runtime.IsNotFound(err) {
		t.Fatalf("first call: %v, want not found", err)
	}
	mu.Lock()
	failing = true
	mu.Unlock()

	clock.Advance(30 * time.Second) // negative entry expired, within its stale window
	_, err := task.Do(ctx, p)
	if !runtime.IsNotFound(err) || errors.Is(err, errTransient) {
		t.Fatalf("within stale window: %v, want the stale not-found answer", err)
	}
	if te := mustTaskError(t, err); te.Attempts != 1 {
		t.Fatalf("attempts = %d, want 1", te.Attempts)
	}
	if st := log.get("stale"); len(st) != 1 || !errors.Is(st[0].Err, errTransient) {
		t.Fatalf("OnStale events = %+v", st)
	}
	if src.calls.Load() != 2 {
		t.Fatalf("source calls = %d, want 2", src.calls.Load())
	}

	clock.Advance(time.Minute) // past the stale window
	if _, err = task.Do(ctx, p); !errors.Is(err, errTransient) || runtime.IsNotFound(err) {
		t.Fatalf("after stale window: %v, want the source error", err)
	}
}

type pairParams struct{ A, B string }

func pairSpec(name, version string, calls *map[string]int, mu *sync.Mutex) TaskSpec[pairParams, user] {
	return TaskSpec[pairParams, user]{
		Name:    name,
		Version: version,
		Cache:   CachePolicy{TTL: time.Hour},
		Retry:   RetryPolicy{Attempts: 1},
		AppendKey: func(dst []byte, p *pairParams) []byte {
			return wire.AppendString(wire.AppendString(dst, p.A), p.B)
		},
		Encode: encodeUser,
		Decode: decodeUser,
		Fetch: func(_ context.Context, p *pairParams) (*user, error) {
			mu.Lock()
			(*calls)[name+"@"+version]++
			mu.Unlock()
			return &user{ID: p.A + "|" + p.B, Name: name + "@" + version}, nil
		},
	}
}

// The cache key separates params that concatenate alike, tasks with the same params, and spec versions,
// observed through Do rather than by comparing keys.
func TestAuditCacheKeyThroughDo(t *testing.T) {
	x := newTestExecutor(t)
	var mu sync.Mutex
	calls := map[string]int{}
	v1 := NewTask(x, pairSpec("Pair", "v1", &calls, &mu))
	other := NewTask(x, pairSpec("OtherPair", "v1", &calls, &mu))
	v2 := NewTask(x, pairSpec("Pair", "v2", &calls, &mu))
	ctx := context.Background()
	steps := []struct {
		name     string
		task     *Task[pairParams, user]
		p        pairParams
		wantID   string
		wantName string
		want     map[string]int
	}{
		{"a,bc", v1, pairParams{"a", "bc"}, "a|bc", "Pair@v1", map[string]int{"Pair@v1": 1}},
		{"ab,c is another key", v1, pairParams{"ab", "c"}, "ab|c", "Pair@v1", map[string]int{"Pair@v1": 2}},
		{"abc, is another key", v1, pairParams{"abc", ""}, "abc|", "Pair@v1", map[string]int{"Pair@v1": 3}},
		{"a,bc cached", v1, pairParams{"a", "bc"}, "a|bc", "Pair@v1", map[string]int{"Pair@v1": 3}},
		{"same params, other task", other, pairParams{"a", "bc"}, "a|bc", "OtherPair@v1", map[string]int{"Pair@v1": 3, "OtherPair@v1": 1}},
		{"same task, new version misses", v2, pairParams{"a", "bc"}, "a|bc", "Pair@v2", map[string]int{"Pair@v1": 3, "OtherPair@v1": 1, "Pair@v2": 1}},
		{"old version still cached", v1, pairParams{"a", "bc"}, "a|bc", "Pair@v1", map[string]int{"Pair@v1": 3, "OtherPair@v1": 1, "Pair@v2": 1}},
		{"new version cached", v2, pairParams{"a", "bc"}, "a|bc", "Pair@v2", map[string]int{"Pair@v1": 3, "OtherPair@v1": 1, "Pair@v2": 1}},
	}
	for _, s := range steps {
		u, err := s.task.Do(ctx, &s.p)
		if err != nil || u.ID != s.wantID || u.Name != s.wantName {
			t.Fatalf("%s: got %+v, %v; want ID %q from %s", s.name, u, err, s.wantID, s.wantName)
		}
		mu.Lock()
		got := fmt.Sprint(calls)
		mu.Unlock()
		if want := fmt.Sprint(s.want); got != want {
			t.Fatalf("%s: source calls %s, want %s", s.name, got, want)
		}
	}
}

// captureOutput runs f with os.Stdout, os.Stderr and the standard logger all writing into a pipe,
// and returns what was written.
func captureOutput(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		got <- string(b)
	}()
	stdout, stderr, logOut := os.Stdout, os.Stderr, log.Writer()
	os.Stdout, os.Stderr = w, w
	log.SetOutput(w)
	func() {
		defer func() {
			os.Stdout, os.Stderr = stdout, stderr
			log.SetOutput(logOut)
		}()
		f()
	}()
	_ = w.Close()
	out := <-got
	_ = r.Close()
	return out
}

// bigcache is verbose by default: it logs queue growth through the standard logger and collisions
// through its Logger (stdout). New, Set, Get and Close must print nothing.
func TestAuditCacheIsSilent(t *testing.T) {
	// Verify the capture works, so that an empty result below means something.
	if out := captureOutput(t, func() { log.Print("probe") }); !strings.Contains(out, "probe") {
		t.Fatalf("capture saw %q", out)
	}
	out := captureOutput(t, func() {
		x, err := runtime.New(runtime.WithCache(1)) // one shard with a small initial queue: the writes below make it grow
		if err != nil {
			t.Error(err)
			return
		}
		src := &source{fn: func(_ context.Context, _ int64, p *userParams) (*user, error) {
			return &user{ID: p.ID, Name: strings.Repeat("n", 3000)}, nil
		}}
		task := NewTask(x, userSpec(src))
		for round := range 2 { // the second round reads what the first one wrote
			for i := range 64 {
				if _, err := task.Do(context.Background(), &userParams{ID: fmt.Sprint("k", i)}); err != nil {
					t.Errorf("round %d: %v", round, err)
				}
			}
		}
		task.Invalidate(&userParams{ID: "k1"})
		if err := x.Close(); err != nil {
			t.Error(err)
		}
	})
	if out != "" {
		t.Fatalf("the cache printed:\n%s", out)
	}
}

// With Jitter each delay is drawn from [d/2, d]; without it the delay is exactly d.
func TestAuditJitter(t *testing.T) {
	const d = 10 * time.Millisecond
	for _, jitter := range []bool{false, true} {
		t.Run(fmt.Sprintf("jitter=%v", jitter), func(t *testing.T) {
			timer := &instantTimer{}
			x := newTestExecutor(t, withRetryTimer(timer))
			spec := userSpec(failingSource())
			spec.Retry = RetryPolicy{Attempts: 30, InitialDelay: d, MaxDelay: d, Jitter: jitter}
			_, _ = NewTask(x, spec).Do(context.Background(), &userParams{ID: "k"})
			delays := timer.Delays()
			if len(delays) != 29 {
				t.Fatalf("%d delays, want 29", len(delays))
			}
			distinct := map[time.Duration]bool{}
			for _, got := range delays {
				distinct[got] = true
				if got > d || got < d/2 || !jitter && got != d {
					t.Fatalf("delay %v out of range (all: %v)", got, delays)
				}
			}
			if jitter && len(distinct) < 2 {
				t.Fatalf("jittered delays are all equal: %v", delays)
			}
		})
	}
}

// sql.ErrNoRows from a fallback is not-found for that fallback: the chain goes on, and it never reaches
// the caller as sql.ErrNoRows nor makes the whole failure look like not-found.
func TestAuditFallbackNoRows(t *testing.T) {
	x := newTestExecutor(t)
	noRows := Fallback[userParams, user]{Name: "db", Fn: func(context.Context, *userParams) (*user, error) {
		return nil, fmt.Errorf("scan: %w", sql.ErrNoRows)
	}}
	t.Run("chain goes on", func(t *testing.T) {
		spec := userSpec(failingSource())
		spec.Name = "NoRowsThenValue"
		spec.Fallbacks = []Fallback[userParams, user]{noRows, FallbackValue[userParams]("v", func() *user { return &user{ID: "v"} })}
		if u, err := NewTask(x, spec).Do(context.Background(), &userParams{ID: "k"}); err != nil || u.ID != "v" {
			t.Fatalf("got %+v, %v", u, err)
		}
	})
	t.Run("all fail", func(t *testing.T) {
		spec := userSpec(failingSource())
		spec.Name = "NoRowsOnly"
		spec.Fallbacks = []Fallback[userParams, user]{noRows}
		_, err := NewTask(x, spec).Do(context.Background(), &userParams{ID: "k"})
		if errors.Is(err, sql.ErrNoRows) || runtime.IsNotFound(err) || !errors.Is(err, errTransient) {
			t.Fatalf("err = %v: want the source error, without sql.ErrNoRows or ErrNotFound", err)
		}
		if !strings.Contains(err.Error(), `fallback "db"`) {
			t.Fatalf("err = %v, want the fallback named", err)
		}
	})
	t.Run("task fallback whose source has no rows", func(t *testing.T) {
		inner := userSpec(&source{fn: func(context.Context, int64, *userParams) (*user, error) { return nil, sql.ErrNoRows }})
		inner.Name = "InnerNoRows"
		spec := userSpec(failingSource())
		spec.Name = "OuterNoRows"
		spec.Fallbacks = []Fallback[userParams, user]{FallbackTask(NewTask(x, inner))}
		_, err := NewTask(x, spec).Do(context.Background(), &userParams{ID: "k"})
		if errors.Is(err, sql.ErrNoRows) || runtime.IsNotFound(err) || !errors.Is(err, errTransient) {
			t.Fatalf("err = %v", err)
		}
	})
}

// Every error a task returns is a *TaskError naming task, key and attempts, wrapping the cause.
func TestAuditTaskErrors(t *testing.T) {
	clock := newFakeClock()
	x := newTestExecutor(t, runtime.WithClock(clock.Now), withRetryTimer(&instantTimer{}))
	tests := []struct {
		name         string
		fetch        func(context.Context, int64, *userParams) (*user, error)
		negativeTTL  time.Duration
		calls        int // Do calls; the last one is checked
		wantAttempts int
		wantIs       []error
		wantNot      []error
		wantText     string
	}{
		{
			name:  "transient after retries",
			fetch: func(context.Context, int64, *userParams) (*user, error) { return nil, errTransient },
			calls: 1, wantAttempts: 3, wantIs: []error{errTransient},
			wantText: `reftask: task E0 (id="k"): 3 attempts: transient failure`,
		},
		{
			name:  "not found",
			fetch: func(context.Context, int64, *userParams) (*user, error) { return nil, runtime.ErrNotFound },
			calls: 1, wantAttempts: 1, wantIs: []error{runtime.ErrNotFound},
			wantText: `reftask: task E1 (id="k"): 1 attempt: reftask: not found`,
		},
		{
			name:        "negative hit",
			fetch:       func(context.Context, int64, *userParams) (*user, error) { return nil, runtime.ErrNotFound },
			negativeTTL: time.Minute, calls: 2, wantAttempts: 0, wantIs: []error{runtime.ErrNotFound},
			wantText: `reftask: task E2 (id="k"): reftask: not found`,
		},
		{
			name: "sql.ErrNoRows",
			fetch: func(context.Context, int64, *userParams) (*user, error) {
				return nil, fmt.Errorf("query: %w", sql.ErrNoRows)
			},
			calls: 1, wantAttempts: 1, wantIs: []error{runtime.ErrNotFound}, wantNot: []error{sql.ErrNoRows},
			wantText: `reftask: task E3 (id="k"): 1 attempt: reftask: not found: query: sql: no rows in result set`,
		},
		{
			name: "permanent",
			fetch: func(context.Context, int64, *userParams) (*user, error) {
				return nil, runtime.Permanent(io.ErrClosedPipe)
			},
			calls: 1, wantAttempts: 1, wantIs: []error{io.ErrClosedPipe},
			wantText: `reftask: task E4 (id="k"): 1 attempt: io: read/write on closed pipe`,
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := userSpec(&source{fn: tc.fetch})
			spec.Name = fmt.Sprint("E", i)
			spec.Retry = RetryPolicy{Attempts: 3}
			spec.Cache.NegativeTTL = tc.negativeTTL
			task := NewTask(x, spec)
			var err error
			for range tc.calls {
				_, err = task.Do(context.Background(), &userParams{ID: "k"})
			}
			te := mustTaskError(t, err)
			if te.Task != spec.Name || te.Key != `id="k"` || te.Attempts != tc.wantAttempts {
				t.Fatalf("TaskError{Task: %q, Key: %q, Attempts: %d}, want %q, id=\"k\", %d", te.Task, te.Key, te.Attempts, spec.Name, tc.wantAttempts)
			}
			for _, target := range tc.wantIs {
				if !errors.Is(err, target) {
					t.Fatalf("errors.Is(%v, %v) = false", err, target)
				}
			}
			for _, target := range tc.wantNot {
				if errors.Is(err, target) {
					t.Fatalf("errors.Is(%v, %v) = true", err, target)
				}
			}
			if err.Error() != tc.wantText {
				t.Fatalf("text\n got %s\nwant %s", err, tc.wantText)
			}
		})
	}
}

// Futures whose ctx is cancelled end, and so does the shared source call they were waiting for:
// nothing is left running once every caller has gone.
func TestAuditFuturesLeakNothing(t *testing.T) {
	x := newTestExecutor(t)
	ignore := goleak.IgnoreCurrent()
	src := &source{fn: func(ctx context.Context, _ int64, _ *userParams) (*user, error) {
		<-ctx.Done() // only the flight's cancellation ends this call
		return nil, ctx.Err()
	}}
	task := NewTask(x, userSpec(src))
	ctx, cancel := context.WithCancel(context.Background())
	var futures []*runtime.Future[user]
	for i := range 50 {
		futures = append(futures, task.Async(ctx, &userParams{ID: fmt.Sprint("k", i%5)}))
	}
	waitFor(t, func() bool { return flightWaiters(task) == 50 })
	cancel()
	for i, f := range futures {
		select {
		case <-f.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("future %d still pending after cancel", i)
		}
		if _, err := f.Await(context.Background()); !errors.Is(err, context.Canceled) {
			t.Fatalf("future %d: %v", i, err)
		}
	}
	goleak.VerifyNone(t, ignore)
	if n := src.calls.Load(); n != 5 {
		t.Fatalf("source calls = %d, want 5 (one per key)", n)
	}
}

// Hooks that are not set cost nothing on a hit: with every hook but OnHit installed a hit allocates no more
// than with no hooks at all; installing OnHit does build an Event (Describe runs), which the count shows.
func TestAuditHitAllocsWithHooks(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not stable under the race detector")
	}
	measure := func(h runtime.Hooks) float64 {
		x := newTestExecutor(t, runtime.WithHooks(h))
		task := NewTask(x, userSpec(&source{}))
		ctx := context.Background()
		p := &userParams{ID: "u1"}
		if _, err := task.Do(ctx, p); err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(1000, func() {
			if _, err := task.Do(ctx, p); err != nil {
				t.Fatal(err)
			}
		})
	}
	nop := func(context.Context, runtime.Event) {}
	none := measure(runtime.Hooks{})
	others := measure(runtime.Hooks{OnMiss: nop, OnStale: nop, OnNegativeHit: nop, OnSourceCall: nop, OnRetry: nop, OnFallback: nop, OnError: nop})
	withHit := measure(runtime.Hooks{OnHit: nop})
	if none > 3 || others > none {
		t.Fatalf("hit allocs: %v with no hooks (want ≤ 3), %v with unrelated hooks (want ≤ %v)", none, others, none)
	}
	if withHit <= none {
		t.Fatalf("hit allocs with OnHit = %v, not above %v: the measurement cannot see an Event being built", withHit, none)
	}
}

// A panic in a source becomes an error for every coalesced caller and is not retried; the flight is gone
// afterwards, so the next call runs the source again.
func TestAuditPanicCoalesced(t *testing.T) {
	x := newTestExecutor(t, withRetryTimer(&instantTimer{}))
	release := make(chan struct{})
	src := &source{fn: func(context.Context, int64, *userParams) (*user, error) {
		<-release
		panic(fmt.Errorf("wrapped %w", io.ErrShortBuffer))
	}}
	spec := userSpec(src)
	spec.Retry.Attempts = 5
	task := NewTask(x, spec)
	var futures []*runtime.Future[user]
	for range 10 {
		futures = append(futures, task.Async(context.Background(), &userParams{ID: "k"}))
	}
	waitFor(t, func() bool { return flightWaiters(task) == 10 })
	close(release)
	for _, f := range futures {
		_, err := f.Await(context.Background())
		var pe *core.PanicError
		if !errors.As(err, &pe) || !errors.Is(err, io.ErrShortBuffer) {
			t.Fatalf("err = %v, want a core.PanicError wrapping the panic value", err)
		}
		if te := mustTaskError(t, err); te.Attempts != 1 {
			t.Fatalf("attempts = %d, want 1", te.Attempts)
		}
	}
	if src.calls.Load() != 1 {
		t.Fatalf("source calls = %d, want 1", src.calls.Load())
	}
	if _, err := task.Do(context.Background(), &userParams{ID: "k"}); err == nil || src.calls.Load() != 2 {
		t.Fatalf("next call: %v, source calls %d", err, src.calls.Load())
	}
}

// The per-attempt ctx carries the task Timeout as its deadline, and each attempt gets a fresh one.
func TestAuditPerAttemptDeadline(t *testing.T) {
	x := newTestExecutor(t, withRetryTimer(&instantTimer{}))
	var mu sync.Mutex
	var deadlines []time.Duration
	src := &source{fn: func(ctx context.Context, n int64, p *userParams) (*user, error) {
		dl, ok := ctx.Deadline()
		mu.Lock()
		if ok {
			deadlines = append(deadlines, time.Until(dl))
		}
		mu.Unlock()
		if n < 3 {
			return nil, errTransient
		}
		return &user{ID: p.ID}, nil
	}}
	spec := userSpec(src)
	spec.Timeout = time.Hour
	spec.Retry = RetryPolicy{Attempts: 3}
	if _, err := NewTask(x, spec).Do(context.Background(), &userParams{ID: "k"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(deadlines) != 3 {
		t.Fatalf("%d attempts saw a deadline, want 3", len(deadlines))
	}
	for i, d := range deadlines {
		if d <= 59*time.Minute || d > time.Hour {
			t.Fatalf("attempt %d: deadline in %v, want about 1h", i+1, d)
		}
	}
}
