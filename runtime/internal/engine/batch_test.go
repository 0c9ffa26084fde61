package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/core"
	"go.uber.org/goleak"
)

// noFlush is a Wait long enough that only MaxSize flushes a window in these tests, yet short enough that a
// broken batcher makes a test fail rather than hang.
const noFlush = 10 * time.Second

// batchSource is a scripted FetchMany that records the IDs of every call and how many calls overlap.
type batchSource struct {
	mu       sync.Mutex
	calls    [][]string
	inFlight atomic.Int64
	maxIn    atomic.Int64
	// fn answers call n (from 1); nil answers every key, except that IDs starting with "missing" are not found
	// and IDs starting with "bad" get an invalid result.
	fn func(ctx context.Context, n int, ps []*userParams) ([]*user, error)
}

func (s *batchSource) fetchMany(ctx context.Context, ps []*userParams) ([]*user, error) {
	cur := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for m := s.maxIn.Load(); cur > m && !s.maxIn.CompareAndSwap(m, cur); m = s.maxIn.Load() {
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	s.mu.Lock()
	s.calls = append(s.calls, ids)
	n := len(s.calls)
	s.mu.Unlock()
	if s.fn != nil {
		return s.fn(ctx, n, ps)
	}
	return answerAll(ps), nil
}

func answerAll(ps []*userParams) []*user {
	rs := make([]*user, len(ps))
	for i, p := range ps {
		switch {
		case strings.HasPrefix(p.ID, "missing"):
		case strings.HasPrefix(p.ID, "bad"):
			rs[i] = &user{ID: p.ID, Age: -1}
		default:
			rs[i] = &user{ID: p.ID, Name: "Name " + p.ID, Age: 42}
		}
	}
	return rs
}

func (s *batchSource) Calls() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func (s *batchSource) keysAsked() int {
	n := 0
	for _, c := range s.Calls() {
		n += len(c)
	}
	return n
}

// batchSpec is userSpec with a batch policy; its single-key Fetch fails the test if anything calls it.
func batchSpec(t testing.TB, src *batchSource, pol BatchPolicy[userParams, user]) TaskSpec[userParams, user] {
	spec := userSpec(&source{fn: func(context.Context, int64, *userParams) (*user, error) {
		t.Error("Fetch called on a batched task")
		return nil, runtime.Permanent(errors.New("Fetch called"))
	}})
	pol.FetchMany = src.fetchMany
	spec.Batch = &pol
	return spec
}

// windowLive reports how many keys wait in the task's open window.
func windowLive[P, R any](task *Task[P, R]) int {
	task.mu.Lock()
	defer task.mu.Unlock()
	if task.batcher.window == nil {
		return 0
	}
	return task.batcher.window.live
}

// doAll runs Do for every id concurrently and returns results and errors by index.
func doAll(ctx context.Context, task *Task[userParams, user], ids ...string) ([]*user, []error) {
	res, errs := make([]*user, len(ids)), make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { res[i], errs[i] = task.Do(ctx, &userParams{ID: id}) })
	}
	wg.Wait()
	return res, errs
}

func TestBatchWindow(t *testing.T) {
	x := newTestExecutor(t)
	src := &batchSource{}
	task := NewTask(x, batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 100, Wait: 300 * time.Millisecond}))
	futs := make([]*runtime.Future[user], 5)
	for i := range futs {
		futs[i] = task.Async(context.Background(), &userParams{ID: fmt.Sprint("k", i)})
	}
	for i, f := range futs {
		if u, err := f.Await(context.Background()); err != nil || u.ID != fmt.Sprint("k", i) {
			t.Fatalf("key %d: %+v, %v", i, u, err)
		}
	}
	// A later key opens a new window.
	if _, err := task.Do(context.Background(), &userParams{ID: "late"}); err != nil {
		t.Fatal(err)
	}
	calls := src.Calls()
	if len(calls) != 2 || len(calls[0]) != 5 || !slices.Equal(calls[1], []string{"late"}) {
		t.Fatalf("FetchMany calls = %v, want one of 5 keys then [late]", calls)
	}
	// Hits never reach the batcher.
	if _, errs := doAll(context.Background(), task, "k0", "k1", "late"); errors.Join(errs...) != nil {
		t.Fatal(errs)
	}
	if n := len(src.Calls()); n != 2 {
		t.Fatalf("hits made %d more calls", n-2)
	}
}

func TestBatchMaxSize(t *testing.T) {
	x := newTestExecutor(t)
	src := &batchSource{}
	task := NewTask(x, batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 100, Wait: 500 * time.Millisecond}))
	ids := make([]string, 250)
	for i := range ids {
		ids[i] = fmt.Sprint("u", i)
	}
	res, errs := doAll(context.Background(), task, ids...)
	for i := range ids {
		if errs[i] != nil || res[i].ID != ids[i] {
			t.Fatalf("key %s: %+v, %v", ids[i], res[i], errs[i])
		}
	}
	calls := src.Calls()
	seen := map[string]bool{}
	for _, c := range calls {
		if len(c) > 100 {
			t.Fatalf("call of %d keys, MaxSize 100", len(c))
		}
		for _, id := range c {
			if seen[id] {
				t.Fatalf("key %s asked twice", id)
			}
			seen[id] = true
		}
	}
	if len(calls) != 3 || len(seen) != 250 {
		t.Fatalf("%d calls for %d keys, want 3 for 250", len(calls), len(seen))
	}
}

func TestBatchDuplicates(t *testing.T) {
	x := newTestExecutor(t)
	src := &batchSource{}
	task := NewTask(x, batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 100, Wait: 50 * time.Millisecond}))
	var ids []string
	for range 40 {
		ids = append(ids, "a", "b", "c", "d", "e")
	}
	res, errs := doAll(context.Background(), task, ids...)
	ptrs := map[*user]bool{}
	for i := range ids {
		if errs[i] != nil || res[i].ID != ids[i] {
			t.Fatalf("%s: %+v, %v", ids[i], res[i], errs[i])
		}
		ptrs[res[i]] = true
	}
	if len(ptrs) != len(ids) {
		t.Fatalf("callers share results: %d pointers for %d callers", len(ptrs), len(ids))
	}
	if n := src.keysAsked(); n != 5 {
		t.Fatalf("asked %d keys (%v), want each of 5 once", n, src.Calls())
	}
}

// Without a cache, a batch result is copied only for a key that more than one caller waits for: by Clone when the
// spec has one, else through its encoding. A panic in that copy fails the key's callers instead of handing them one
// shared value.
func TestBatchUncachedCopies(t *testing.T) {
	panicky := func(*user) *user { panic("clone failed") }
	cases := []struct {
		name      string
		clone     func(*user) *user
		dups      int // callers per key
		wantPanic bool
	}{
		{name: "one caller per key, no copy", clone: cloneUser, dups: 1},
		{name: "one caller per key without Clone, no encoding", dups: 1},
		{name: "duplicates get clones", clone: cloneUser, dups: 4},
		{name: "duplicates get decoded copies", dups: 4},
		{name: "a panicking Clone fails the key", clone: panicky, dups: 3, wantPanic: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := newTestExecutor(t)
			spec := batchSpec(t, &batchSource{}, BatchPolicy[userParams, user]{MaxSize: 100, Wait: 50 * time.Millisecond})
			spec.Cache = CachePolicy{}
			var copies atomic.Int64
			spec.Clone = nil
			if tc.clone != nil {
				spec.Clone = func(u *user) *user { copies.Add(1); return tc.clone(u) }
			} else {
				spec.Encode = func(dst []byte, u *user) []byte { copies.Add(1); return encodeUser(dst, u) }
			}
			task := NewTask(x, spec)
			var ids []string
			for _, k := range []string{"a", "b", "c"} {
				for range tc.dups {
					ids = append(ids, k)
				}
			}
			res, errs := doAll(context.Background(), task, ids...)
			ptrs := map[*user]bool{}
			for i := range ids {
				if tc.wantPanic {
					var pe *core.PanicError
					if !errors.As(errs[i], &pe) || res[i] != nil {
						t.Fatalf("%s: %+v, %v; want the Clone panic", ids[i], res[i], errs[i])
					}
					continue
				}
				if errs[i] != nil || res[i].ID != ids[i] {
					t.Fatalf("%s: %+v, %v", ids[i], res[i], errs[i])
				}
				ptrs[res[i]] = true
			}
			if !tc.wantPanic && len(ptrs) != len(ids) {
				t.Fatalf("callers share results: %d pointers for %d callers", len(ptrs), len(ids))
			}
			// Clone runs once per key to make the snapshot, then once per later caller; Encode once per key.
			want := 0
			switch {
			case tc.dups > 1 && tc.clone != nil && !tc.wantPanic:
				want = 3 * tc.dups
			case tc.dups > 1:
				want = 3
			}
			if n := copies.Load(); int(n) != want {
				t.Fatalf("%d copies made, want %d", n, want)
			}
		})
	}
}

func TestBatchInvalidatedFlightSharesKey(t *testing.T) {
	// Invalidate unlists a waiting flight, so a new caller of the same key starts a second flight while the
	// first is still in the window: the key must still be asked once, and cached (it is fetched after Invalidate).
	x := newTestExecutor(t)
	src := &batchSource{}
	task := NewTask(x, batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 3, Wait: noFlush}))
	first := task.Async(context.Background(), &userParams{ID: "k"})
	waitFor(t, func() bool { return windowLive(task) == 1 })
	task.Invalidate(&userParams{ID: "k"})
	second := task.Async(context.Background(), &userParams{ID: "k"})
	waitFor(t, func() bool { return flightWaiters(task) == 1 })
	if windowLive(task) != 1 {
		t.Fatalf("window holds %d keys, want 1", windowLive(task))
	}
	if _, errs := doAll(context.Background(), task, "x", "y"); errors.Join(errs...) != nil {
		t.Fatal(errs)
	}
	u1, err1 := first.Await(context.Background())
	u2, err2 := second.Await(context.Background())
	if err1 != nil || err2 != nil || u1.ID != "k" || u2.ID != "k" || u1 == u2 {
		t.Fatalf("got %p %+v %v, %p %+v %v", u1, u1, err1, u2, u2, err2)
	}
	if calls := src.Calls(); len(calls) != 1 || !slices.Equal(slices.Sorted(slices.Values(calls[0])), []string{"k", "x", "y"}) {
		t.Fatalf("calls = %v", calls)
	}
	if _, err := task.Do(context.Background(), &userParams{ID: "k"}); err != nil || len(src.Calls()) != 1 {
		t.Fatalf("k not cached: %v, %d calls", err, len(src.Calls()))
	}
}

func TestBatchPerKeyNotFoundAndInvalidResult(t *testing.T) {
	x := newTestExecutor(t)
	src := &batchSource{}
	task := NewTask(x, batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 3, Wait: 20 * time.Millisecond}))
	res, errs := doAll(context.Background(), task, "a", "missing1", "bad1")
	if errs[0] != nil || res[0].ID != "a" {
		t.Fatalf("a: %+v, %v", res[0], errs[0])
	}
	if !errors.Is(errs[1], runtime.ErrNotFound) || res[1] != nil {
		t.Fatalf("missing1: %+v, %v", res[1], errs[1])
	}
	mustTaskError(t, errs[1])
	var ve *runtime.ValidationError
	if !errors.As(errs[2], &ve) || ve.Which != "result" || ve.Task != "UserProfile" || errors.Is(errs[2], runtime.ErrNotFound) {
		t.Fatalf("bad1: %v", errs[2])
	}
	// a is cached; the invalid result is not; without NegativeTTL the not-found is not either.
	if _, errs := doAll(context.Background(), task, "a", "missing1", "bad1"); !errors.Is(errs[1], runtime.ErrNotFound) || errs[2] == nil {
		t.Fatal(errs)
	}
	calls := src.Calls()
	if len(calls) != 2 || !slices.Equal(slices.Sorted(slices.Values(calls[1])), []string{"bad1", "missing1"}) {
		t.Fatalf("calls = %v", calls)
	}
}

func TestBatchNegativeCaching(t *testing.T) {
	var log eventLog
	x := newTestExecutor(t, runtime.WithHooks(log.hooks()))
	src := &batchSource{}
	spec := batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 2, Wait: noFlush})
	spec.Cache.NegativeTTL = time.Minute
	task := NewTask(x, spec)
	if _, errs := doAll(context.Background(), task, "missing1", "a"); !errors.Is(errs[0], runtime.ErrNotFound) || errs[1] != nil {
		t.Fatal(errs)
	}
	if _, err := task.Do(context.Background(), &userParams{ID: "missing1"}); !errors.Is(err, runtime.ErrNotFound) {
		t.Fatal(err)
	}
	if n := len(src.Calls()); n != 1 || len(log.get("negative")) != 1 {
		t.Fatalf("%d calls, %d negative hits: not-found not cached", n, len(log.get("negative")))
	}
}

func TestBatchCallerLeavesOthersServed(t *testing.T) {
	x := newTestExecutor(t)
	started, release := make(chan struct{}), make(chan struct{})
	var ctxErrAtEnd atomic.Value
	src := &batchSource{fn: func(ctx context.Context, n int, ps []*userParams) ([]*user, error) {
		if n == 1 {
			close(started)
			<-release
			ctxErrAtEnd.Store(fmt.Sprint(ctx.Err()))
		}
		return answerAll(ps), nil
	}}
	task := NewTask(x, batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 2, Wait: noFlush}))
	ctx, cancel := context.WithCancel(context.Background())
	leaver := task.Async(ctx, &userParams{ID: "a"})
	stayer := task.Async(context.Background(), &userParams{ID: "b"})
	<-started
	cancel()
	if _, err := leaver.Await(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("leaver: %v", err)
	}
	close(release)
	if u, err := stayer.Await(context.Background()); err != nil || u.ID != "b" {
		t.Fatalf("stayer: %+v, %v", u, err)
	}
	if got := ctxErrAtEnd.Load(); got != "<nil>" {
		t.Fatalf("batch ctx err = %v, want nil: one caller leaving must not cancel the batch", got)
	}
	// The leaver's answer was ignored, so a is asked again.
	if _, errs := doAll(context.Background(), task, "a", "c"); errors.Join(errs...) != nil {
		t.Fatal(errs)
	}
	if calls := src.Calls(); len(calls) != 2 || !slices.Contains(calls[1], "a") {
		t.Fatalf("calls = %v", calls)
	}
}

func TestBatchCallerLeavesPendingWindow(t *testing.T) {
	x := newTestExecutor(t)
	src := &batchSource{}
	task := NewTask(x, batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 2, Wait: noFlush}))
	ctx, cancel := context.WithCancel(context.Background())
	leaver := task.Async(ctx, &userParams{ID: "a"})
	waitFor(t, func() bool { return windowLive(task) == 1 })
	cancel()
	if _, err := leaver.Await(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("leaver: %v", err)
	}
	if n := windowLive(task); n != 0 {
		t.Fatalf("window holds %d keys after its only caller left", n)
	}
	if _, errs := doAll(context.Background(), task, "b", "c"); errors.Join(errs...) != nil {
		t.Fatal(errs)
	}
	if calls := src.Calls(); len(calls) != 1 || slices.Contains(calls[0], "a") {
		t.Fatalf("calls = %v, want one call without the withdrawn key", calls)
	}
}

func TestBatchAllCallersLeaveCancelsCall(t *testing.T) {
	x := newTestExecutor(t)
	started := make(chan struct{})
	sawCancel := make(chan any, 1)
	src := &batchSource{fn: func(ctx context.Context, _ int, ps []*userParams) ([]*user, error) {
		close(started)
		<-ctx.Done()
		sawCancel <- ctx.Value(ctxKey{})
		return nil, ctx.Err()
	}}
	task := NewTask(x, batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 3, Wait: noFlush}))
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "trace-1"))
	var wg sync.WaitGroup
	for _, id := range []string{"a", "b", "b", "c"} {
		wg.Go(func() {
			if _, err := task.Do(ctx, &userParams{ID: id}); !errors.Is(err, context.Canceled) {
				t.Errorf("%s: err = %v, want context.Canceled", id, err)
			}
		})
	}
	<-started
	cancel()
	wg.Wait()
	select {
	case v := <-sawCancel:
		if v != "trace-1" {
			t.Fatalf("batch ctx lost the caller's values: %v", v)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("FetchMany ctx not cancelled after every caller left")
	}
	waitFor(t, func() bool { task.mu.Lock(); defer task.mu.Unlock(); return len(task.flights) == 0 })
}

func TestBatchAllCallersLeavePendingWindow(t *testing.T) {
	x := newTestExecutor(t)
	src := &batchSource{}
	task := NewTask(x, batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 10, Wait: 50 * time.Millisecond}))
	ctx, cancel := context.WithCancel(context.Background())
	futs := []*runtime.Future[user]{task.Async(ctx, &userParams{ID: "a"}), task.Async(ctx, &userParams{ID: "b"})}
	waitFor(t, func() bool { return windowLive(task) == 2 })
	cancel()
	for _, f := range futs {
		if _, err := f.Await(context.Background()); !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond) // past Wait: an abandoned window must not call the source
	if calls := src.Calls(); len(calls) != 0 {
		t.Fatalf("abandoned window called FetchMany: %v", calls)
	}
}

func TestBatchRetriedAsWhole(t *testing.T) {
	var log eventLog
	timer := &instantTimer{}
	x := newTestExecutor(t, withRetryTimer(timer), runtime.WithHooks(log.hooks()))
	src := &batchSource{fn: func(_ context.Context, n int, ps []*userParams) ([]*user, error) {
		if n < 3 {
			return nil, errTransient
		}
		return answerAll(ps), nil
	}}
	spec := batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 4, Wait: noFlush})
	spec.Retry = RetryPolicy{Attempts: 5, InitialDelay: time.Millisecond}
	task := NewTask(x, spec)
	res, errs := doAll(context.Background(), task, "a", "b", "c", "d")
	for i, id := range []string{"a", "b", "c", "d"} {
		if errs[i] != nil || res[i].ID != id {
			t.Fatalf("%s: %+v, %v", id, res[i], errs[i])
		}
	}
	calls := src.Calls()
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3", len(calls))
	}
	for _, c := range calls {
		if len(c) != 4 {
			t.Fatalf("calls = %v: every attempt must ask the whole batch", calls)
		}
	}
	if r := log.get("retry"); len(r) != 2 || len(timer.Delays()) != 2 {
		t.Fatalf("retries = %+v, delays %v", r, timer.Delays())
	}
	if s := log.get("source"); len(s) != 3 || s[0].Err == nil || s[2].Err != nil || s[2].Attempt != 3 {
		t.Fatalf("source events = %+v", s)
	}
}

func TestBatchPermanentErrorNotRetried(t *testing.T) {
	x := newTestExecutor(t, withRetryTimer(&instantTimer{}))
	src := &batchSource{fn: func(context.Context, int, []*userParams) ([]*user, error) {
		return nil, runtime.Permanent(errTransient)
	}}
	spec := batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 2, Wait: noFlush})
	spec.Retry = RetryPolicy{Attempts: 5}
	task := NewTask(x, spec)
	_, errs := doAll(context.Background(), task, "a", "b")
	for _, err := range errs {
		if !errors.Is(err, errTransient) || mustTaskError(t, err).Attempts != 1 {
			t.Fatalf("err = %v", err)
		}
	}
	if n := len(src.Calls()); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
}

func TestBatchSourceBugs(t *testing.T) {
	tests := []struct {
		name string
		fn   func(context.Context, int, []*userParams) ([]*user, error)
		want string
	}{
		{"panic", func(context.Context, int, []*userParams) ([]*user, error) { panic("boom") }, "boom"},
		{"wrong length", func(context.Context, int, []*userParams) ([]*user, error) { return []*user{{}}, nil }, "returned 1 results for 2 params"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := newTestExecutor(t, withRetryTimer(&instantTimer{}))
			src := &batchSource{fn: tc.fn}
			spec := batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 2, Wait: noFlush})
			spec.Retry = RetryPolicy{Attempts: 3}
			task := NewTask(x, spec)
			_, errs := doAll(context.Background(), task, "a", "b")
			for _, err := range errs {
				if err == nil || !strings.Contains(err.Error(), tc.want) || !runtime.IsPermanent(err) {
					t.Fatalf("err = %v, want permanent %q", err, tc.want)
				}
			}
			if n := len(src.Calls()); n != 1 {
				t.Fatalf("%d calls, want 1", n)
			}
		})
	}
}

func TestBatchPanickingHook(t *testing.T) {
	x := newTestExecutor(t, runtime.WithHooks(runtime.Hooks{OnBatch: func(context.Context, runtime.BatchEvent) { panic("hook bug") }}))
	task := NewTask(x, batchSpec(t, &batchSource{}, BatchPolicy[userParams, user]{MaxSize: 2, Wait: noFlush}))
	_, errs := doAll(context.Background(), task, "a", "b")
	for _, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "hook bug") {
			t.Fatalf("err = %v, want the hook's panic", err)
		}
	}
}

func TestBatchWholeCallNotFound(t *testing.T) {
	// A batch source built on QueryAll sees ErrNotFound when no key exists: every key is not found.
	x := newTestExecutor(t)
	src := &batchSource{fn: func(context.Context, int, []*userParams) ([]*user, error) { return nil, runtime.ErrNotFound }}
	task := NewTask(x, batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 2, Wait: noFlush}))
	if _, errs := doAll(context.Background(), task, "a", "b"); !errors.Is(errs[0], runtime.ErrNotFound) || !errors.Is(errs[1], runtime.ErrNotFound) {
		t.Fatal(errs)
	}
}

func TestBatchPerAttemptTimeout(t *testing.T) {
	x := newTestExecutor(t, withRetryTimer(&instantTimer{}))
	src := &batchSource{fn: func(ctx context.Context, _ int, _ []*userParams) ([]*user, error) {
		if _, ok := ctx.Deadline(); !ok {
			return nil, runtime.Permanent(errors.New("attempt ctx has no deadline"))
		}
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	spec := batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 2, Wait: noFlush})
	spec.Timeout = 20 * time.Millisecond
	spec.Retry = RetryPolicy{Attempts: 2}
	task := NewTask(x, spec)
	_, errs := doAll(context.Background(), task, "a", "b")
	for _, err := range errs {
		var ate *attemptTimeoutError
		if !errors.As(err, &ate) || mustTaskError(t, err).Attempts != 2 {
			t.Fatalf("err = %v, want attempt timeout after 2 attempts", err)
		}
	}
	if n := len(src.Calls()); n != 2 {
		t.Fatalf("%d calls, want 2", n)
	}
}

func TestBatchDeadlineAware(t *testing.T) {
	// A 1s backoff cannot fit the callers' 300ms deadline: stop after the first attempt.
	x := newTestExecutor(t)
	src := &batchSource{fn: func(context.Context, int, []*userParams) ([]*user, error) { return nil, errTransient }}
	spec := batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 2, Wait: noFlush})
	spec.Retry = RetryPolicy{Attempts: 5, InitialDelay: time.Second, MaxDelay: time.Second}
	task := NewTask(x, spec)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, errs := doAll(ctx, task, "a", "b")
	if el := time.Since(start); el > 200*time.Millisecond {
		t.Fatalf("took %v", el)
	}
	for _, err := range errs {
		if !errors.Is(err, errTransient) || mustTaskError(t, err).Attempts != 1 {
			t.Fatalf("err = %v", err)
		}
	}
}

func TestBatchFallbacksPerKey(t *testing.T) {
	var log eventLog
	x := newTestExecutor(t, withRetryTimer(&instantTimer{}), runtime.WithHooks(log.hooks()))
	src := &batchSource{fn: func(context.Context, int, []*userParams) ([]*user, error) { return nil, errTransient }}
	spec := batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 3, Wait: noFlush})
	spec.Retry = RetryPolicy{Attempts: 2}
	var fbCalls sync.Map
	spec.Fallbacks = []Fallback[userParams, user]{{Name: "backup", Fn: func(_ context.Context, p *userParams) (*user, error) {
		if _, dup := fbCalls.LoadOrStore(p.ID, true); dup {
			t.Errorf("fallback called twice for %s", p.ID)
		}
		if p.ID == "b" {
			return nil, errors.New("backup has no b")
		}
		return &user{ID: p.ID, Name: "backup"}, nil
	}}}
	task := NewTask(x, spec)
	res, errs := doAll(context.Background(), task, "a", "b", "c")
	if errs[0] != nil || res[0].Name != "backup" || errs[2] != nil || res[2].Name != "backup" {
		t.Fatalf("a, c: %+v %v, %+v %v", res[0], errs[0], res[2], errs[2])
	}
	if !errors.Is(errs[1], errTransient) || !strings.Contains(errs[1].Error(), "backup has no b") || mustTaskError(t, errs[1]).Attempts != 2 {
		t.Fatalf("b: %v", errs[1])
	}
	if n := len(src.Calls()); n != 2 {
		t.Fatalf("%d calls, want 2 (one batch, retried once)", n)
	}
	if n := len(log.get("fallback")); n != 3 {
		t.Fatalf("%d fallback events, want 3", n)
	}
}

func TestBatchStaleIfErrorPerKey(t *testing.T) {
	clock := newFakeClock()
	var log eventLog
	x := newTestExecutor(t, runtime.WithClock(clock.Now), withRetryTimer(&instantTimer{}), runtime.WithHooks(log.hooks()))
	var failing atomic.Bool
	src := &batchSource{fn: func(_ context.Context, _ int, ps []*userParams) ([]*user, error) {
		if failing.Load() {
			return nil, errTransient
		}
		return answerAll(ps), nil
	}}
	spec := batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 3, Wait: noFlush})
	spec.Cache = CachePolicy{TTL: time.Minute, NegativeTTL: time.Minute, StaleIfError: time.Hour}
	task := NewTask(x, spec)
	if _, errs := doAll(context.Background(), task, "a", "missing1", "warm"); errs[0] != nil || !errors.Is(errs[1], runtime.ErrNotFound) {
		t.Fatal(errs)
	}
	clock.Advance(2 * time.Minute)
	failing.Store(true)
	res, errs := doAll(context.Background(), task, "a", "missing1", "c")
	if errs[0] != nil || res[0].ID != "a" {
		t.Fatalf("a: %+v, %v, want the stale entry", res[0], errs[0])
	}
	if !errors.Is(errs[1], runtime.ErrNotFound) {
		t.Fatalf("missing1: %v, want the stale not-found", errs[1])
	}
	if !errors.Is(errs[2], errTransient) {
		t.Fatalf("c: %v, want the source error", errs[2])
	}
	if n := len(log.get("stale")); n != 2 {
		t.Fatalf("%d stale events, want 2", n)
	}
}

func TestBatchHooks(t *testing.T) {
	var mu sync.Mutex
	var batches []runtime.BatchEvent
	var log eventLog
	h := log.hooks()
	h.OnBatch = func(_ context.Context, e runtime.BatchEvent) {
		mu.Lock()
		defer mu.Unlock()
		batches = append(batches, e)
	}
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	x := newTestExecutor(t, runtime.WithHooks(h), runtime.WithLogger(l), withRetryTimer(&instantTimer{}))
	src := &batchSource{fn: func(_ context.Context, n int, ps []*userParams) ([]*user, error) {
		if n == 1 {
			return nil, errTransient
		}
		return answerAll(ps), nil
	}}
	spec := batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 10, Wait: 20 * time.Millisecond})
	spec.Retry = RetryPolicy{Attempts: 2}
	task := NewTask(x, spec)
	if _, errs := doAll(context.Background(), task, "a", "b", "c"); errors.Join(errs...) != nil {
		t.Fatal(errs)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(batches) != 1 {
		t.Fatalf("batch events = %+v", batches)
	}
	e := batches[0]
	if e.Task != "UserProfile" || e.Size != 3 || e.Attempts != 2 || e.Err != nil || e.Waited < 20*time.Millisecond || e.Duration <= 0 {
		t.Fatalf("batch event = %+v", e)
	}
	if n, s := len(log.get("miss")), len(log.get("source")); n != 3 || s != 2 {
		t.Fatalf("%d misses, %d source calls, want 3 and 2", n, s)
	}
	if !strings.Contains(buf.String(), `level=DEBUG msg="reftask: batch source call" task=UserProfile size=3`) {
		t.Fatalf("log lacks the batch line:\n%s", buf.String())
	}
}

func TestDoManyChunksAndConcurrency(t *testing.T) {
	for _, tc := range []struct{ conc, want int }{{2, 2}, {0, 4}} {
		t.Run(fmt.Sprint("concurrency ", tc.conc), func(t *testing.T) {
			x := newTestExecutor(t)
			src := &batchSource{}
			src.fn = func(_ context.Context, _ int, ps []*userParams) ([]*user, error) {
				// Hold each call until the limit is reached (or a while passed), and a little longer, so that a
				// batcher ignoring the limit would be seen overlapping more calls.
				deadline := time.Now().Add(2 * time.Second)
				for src.maxIn.Load() < int64(tc.want) && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				time.Sleep(20 * time.Millisecond)
				return answerAll(ps), nil
			}
			task := NewTask(x, batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 10, Wait: noFlush, Concurrency: tc.conc}))
			ps := make([]*userParams, 95)
			for i := range ps {
				ps[i] = &userParams{ID: fmt.Sprint("u", i)}
			}
			res, errs := task.DoMany(context.Background(), ps)
			for i := range ps {
				if errs[i] != nil || res[i].ID != ps[i].ID {
					t.Fatalf("%d: %+v, %v", i, res[i], errs[i])
				}
			}
			calls := src.Calls()
			if len(calls) != 10 || src.keysAsked() != 95 {
				t.Fatalf("%d calls for %d keys, want 10 for 95", len(calls), src.keysAsked())
			}
			for _, c := range calls {
				if len(c) > 10 {
					t.Fatalf("chunk of %d keys", len(c))
				}
			}
			if m := src.maxIn.Load(); m != int64(tc.want) {
				t.Fatalf("max concurrent FetchMany = %d, want %d", m, tc.want)
			}
			// Everything is cached now.
			if _, errs := task.DoMany(context.Background(), ps); errors.Join(errs...) != nil || len(src.Calls()) != 10 {
				t.Fatalf("second DoMany: %v, %d calls", errors.Join(errs...), len(src.Calls()))
			}
		})
	}
}

func TestDoManyMixed(t *testing.T) {
	x := newTestExecutor(t)
	src := &batchSource{}
	spec := batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 100, Wait: noFlush})
	spec.Cache.NegativeTTL = time.Minute
	task := NewTask(x, spec)
	if _, errs := task.DoMany(context.Background(), []*userParams{{ID: "hit"}, {ID: "missing0"}}); errs[0] != nil || !errors.Is(errs[1], runtime.ErrNotFound) {
		t.Fatal(errs)
	}
	ids := []string{"hit", "", "b", "b", "missing0", "missing1", "bad1", "c", "b"}
	ps := make([]*userParams, len(ids))
	for i, id := range ids {
		ps[i] = &userParams{ID: id}
	}
	res, errs := task.DoMany(context.Background(), ps)
	if len(res) != len(ps) || len(errs) != len(ps) {
		t.Fatalf("lengths %d, %d", len(res), len(errs))
	}
	for _, i := range []int{0, 2, 3, 7, 8} {
		if errs[i] != nil || res[i].ID != ids[i] {
			t.Fatalf("%d (%s): %+v, %v", i, ids[i], res[i], errs[i])
		}
	}
	if res[2] == res[3] || res[2] == res[8] || res[3] == res[8] {
		t.Fatal("duplicate keys share one result pointer")
	}
	var ve *runtime.ValidationError
	if !errors.As(errs[1], &ve) || ve.Which != "params" || res[1] != nil {
		t.Fatalf("invalid params: %v", errs[1])
	}
	for _, i := range []int{4, 5} {
		if !errors.Is(errs[i], runtime.ErrNotFound) || res[i] != nil {
			t.Fatalf("%s: %+v, %v", ids[i], res[i], errs[i])
		}
		mustTaskError(t, errs[i])
	}
	if !errors.As(errs[6], &ve) || ve.Which != "result" {
		t.Fatalf("bad1: %v", errs[6])
	}
	calls := src.Calls()
	if len(calls) != 2 || !slices.Equal(calls[1], []string{"b", "missing1", "bad1", "c"}) {
		t.Fatalf("calls = %v, want the distinct misses asked once", calls)
	}
	// Results and not-founds were cached; the invalid result was not.
	_, errs = task.DoMany(context.Background(), ps)
	if calls := src.Calls(); len(calls) != 3 || !slices.Equal(calls[2], []string{"bad1"}) || errs[6] == nil {
		t.Fatalf("calls = %v", calls)
	}
	if res, errs := task.DoMany(context.Background(), nil); len(res) != 0 || len(errs) != 0 {
		t.Fatal("DoMany(nil) must return empty slices")
	}
}

func TestDoManyFallbacksPerKey(t *testing.T) {
	x := newTestExecutor(t, withRetryTimer(&instantTimer{}))
	src := &batchSource{fn: func(context.Context, int, []*userParams) ([]*user, error) { return nil, errTransient }}
	spec := batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 2, Wait: noFlush})
	spec.Fallbacks = []Fallback[userParams, user]{{Name: "backup", Fn: func(_ context.Context, p *userParams) (*user, error) {
		if p.ID == "b" {
			return nil, errors.New("no b")
		}
		return &user{ID: p.ID, Name: "backup"}, nil
	}}}
	task := NewTask(x, spec)
	res, errs := task.DoMany(context.Background(), []*userParams{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "a"}})
	if errs[0] != nil || errs[2] != nil || errs[3] != nil || res[0].Name != "backup" || res[3].Name != "backup" || res[0] == res[3] {
		t.Fatalf("res = %+v, errs = %v", res, errs)
	}
	if !errors.Is(errs[1], errTransient) {
		t.Fatalf("b: %v", errs[1])
	}
}

func TestDoManyCancel(t *testing.T) {
	x := newTestExecutor(t)
	started := make(chan struct{})
	var once sync.Once
	cancelled := make(chan struct{})
	src := &batchSource{fn: func(ctx context.Context, _ int, _ []*userParams) ([]*user, error) {
		once.Do(func() { close(started) })
		<-ctx.Done()
		close(cancelled)
		return nil, ctx.Err()
	}}
	task := NewTask(x, batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 2, Wait: noFlush, Concurrency: 1}))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	_, errs := task.DoMany(ctx, []*userParams{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}})
	for i, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%d: %v", i, err)
		}
		mustTaskError(t, err)
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("FetchMany ctx not cancelled after DoMany's caller left")
	}
	if n := len(src.Calls()); n != 1 {
		t.Fatalf("%d calls: no chunk may start after cancellation", n)
	}
	if _, errs := task.DoMany(ctx, []*userParams{{ID: "a"}}); !errors.Is(errs[0], context.Canceled) {
		t.Fatal(errs)
	}
}

func TestDoManyJoinsDoFlights(t *testing.T) {
	x := newTestExecutor(t)
	src := &batchSource{}
	task := NewTask(x, batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 100, Wait: 200 * time.Millisecond}))
	single := task.Async(context.Background(), &userParams{ID: "k"})
	waitFor(t, func() bool { return windowLive(task) == 1 })
	res, errs := task.DoMany(context.Background(), []*userParams{{ID: "k"}, {ID: "m"}})
	if errors.Join(errs...) != nil || res[0].ID != "k" || res[1].ID != "m" {
		t.Fatal(res, errs)
	}
	if u, err := single.Await(context.Background()); err != nil || u.ID != "k" || u == res[0] {
		t.Fatal(u, err)
	}
	if n := src.keysAsked(); n != 2 {
		t.Fatalf("asked %d keys (%v), want k and m once each", n, src.Calls())
	}
}

func TestDoManyWithoutBatch(t *testing.T) {
	x := newTestExecutor(t)
	src := &source{}
	task := NewTask(x, userSpec(src))
	res, errs := task.DoMany(context.Background(), []*userParams{{ID: "a"}, {ID: "b"}, {ID: "a"}, {ID: ""}})
	if errs[0] != nil || errs[1] != nil || errs[2] != nil || res[0] == res[2] || res[2].ID != "a" || errs[3] == nil {
		t.Fatal(res, errs)
	}
	if n := src.calls.Load(); n != 2 {
		t.Fatalf("%d Fetch calls, want 2", n)
	}
}

func TestDoManyAfterClose(t *testing.T) {
	x := newTestExecutor(t)
	task := NewTask(x, batchSpec(t, &batchSource{}, BatchPolicy[userParams, user]{MaxSize: 2}))
	_ = x.Close()
	if _, errs := task.DoMany(context.Background(), []*userParams{{ID: "a"}}); !errors.Is(errs[0], runtime.ErrClosed) {
		t.Fatal(errs)
	}
}

func TestBatchNoGoroutineLeft(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	x, err := runtime.New(withRetryTimer(&instantTimer{}))
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	src := &batchSource{fn: func(ctx context.Context, n int, ps []*userParams) ([]*user, error) {
		if ps[0].ID == "slow" {
			select {
			case <-release:
				return answerAll(ps), nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if n%3 == 0 {
			return nil, errTransient
		}
		return answerAll(ps), nil
	}}
	spec := batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 7, Wait: 5 * time.Millisecond, Concurrency: 3})
	spec.Retry = RetryPolicy{Attempts: 2}
	task := NewTask(x, spec)
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() { _, _ = task.Do(context.Background(), &userParams{ID: fmt.Sprint("k", i%40)}) })
	}
	ps := make([]*userParams, 30)
	for i := range ps {
		ps[i] = &userParams{ID: fmt.Sprint("m", i)}
	}
	wg.Go(func() { _, _ = task.DoMany(context.Background(), ps) })
	wg.Wait()
	// A window abandoned by its caller, and a call in progress while the executor closes.
	ctx, cancel := context.WithCancel(context.Background())
	gone := task.Async(ctx, &userParams{ID: "gone"})
	// On a loaded machine the 5ms window may be sent before this goroutine
	// looks: then the source has been asked, and cancel just leaves a call
	// that is over; either way nothing may be left behind.
	waitFor(t, func() bool {
		if windowLive(task) == 1 {
			return true
		}
		for _, c := range src.Calls() {
			if slices.Contains(c, "gone") {
				return true
			}
		}
		return false
	})
	cancel()
	<-gone.Done()
	slow := task.Async(context.Background(), &userParams{ID: "slow"})
	waitFor(t, func() bool { return len(src.Calls()) > 0 && src.inFlight.Load() == 1 })
	closed := make(chan error, 1)
	go func() { closed <- x.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs while a batch is under way")
	}
	close(release)
	if _, err := slow.Await(context.Background()); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, ignore)
}

// BenchmarkBatch compares 10,000 concurrent distinct misses answered one by one with the same misses batched,
// against sources that take about 1ms per call.
func BenchmarkBatch(b *testing.B) {
	const keys = 10_000
	for _, batched := range []bool{false, true} {
		b.Run(map[bool]string{false: "Do", true: "DoBatched"}[batched], func(b *testing.B) {
			x := newTestExecutor(b)
			var calls atomic.Int64
			spec := userSpec(&source{fn: func(_ context.Context, _ int64, p *userParams) (*user, error) {
				calls.Add(1)
				time.Sleep(time.Millisecond)
				return &user{ID: p.ID}, nil
			}})
			spec.Cache.TTL = 0 // every iteration misses
			if batched {
				spec.Batch = &BatchPolicy[userParams, user]{MaxSize: 100, Wait: time.Millisecond,
					FetchMany: func(_ context.Context, ps []*userParams) ([]*user, error) {
						calls.Add(1)
						time.Sleep(time.Millisecond)
						rs := make([]*user, len(ps))
						for i, p := range ps {
							rs[i] = &user{ID: p.ID}
						}
						return rs, nil
					}}
			}
			task := NewTask(x, spec)
			ps := make([]userParams, keys)
			for i := range ps {
				ps[i].ID = fmt.Sprint("k", i)
			}
			ctx := context.Background()
			for b.Loop() {
				var wg sync.WaitGroup
				for i := range ps {
					wg.Go(func() {
						if u, err := task.Do(ctx, &ps[i]); err != nil || u.ID != ps[i].ID {
							b.Error(u, err)
						}
					})
				}
				wg.Wait()
			}
			b.ReportMetric(float64(calls.Load())/float64(b.N), "calls/op")
		})
	}
}

// DoMany hands each duplicate of a key a copy made by the spec's Clone. A Clone that panics fails that duplicate
// only, as a panic anywhere else in generated code does, instead of crashing the process (the copies of an
// unbatched task are made on DoMany's goroutines); and a task with a Clone but no cache codec still copies.
func TestDoManyDuplicateCopies(t *testing.T) {
	panicky := func(*user) *user { panic("clone failed") }
	cases := []struct {
		name      string
		batched   bool
		noCodec   bool
		clone     func(*user) *user
		wantPanic bool
	}{
		{name: "unbatched, Clone panics", clone: panicky, wantPanic: true},
		{name: "batched, Clone panics", batched: true, clone: panicky, wantPanic: true},
		{name: "Clone without a codec", noCodec: true, clone: cloneUser},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := newTestExecutor(t)
			spec := userSpec(&source{})
			if tc.batched {
				spec = batchSpec(t, &batchSource{}, BatchPolicy[userParams, user]{MaxSize: 10, Wait: time.Millisecond})
			}
			if tc.noCodec {
				spec.Encode, spec.Decode = nil, nil
			}
			spec.Clone = tc.clone
			task := NewTask(x, spec)
			res, errs := task.DoMany(context.Background(), []*userParams{{ID: "a"}, {ID: "a"}})
			if errs[0] != nil || res[0] == nil || res[0].ID != "a" {
				t.Fatalf("first: %+v, %v", res[0], errs[0])
			}
			if tc.wantPanic {
				if errs[1] == nil || res[1] != nil {
					t.Fatalf("duplicate: %+v, %v; want the Clone panic as its error", res[1], errs[1])
				}
				return
			}
			if errs[1] != nil || res[1] == nil || res[1] == res[0] || *res[1] != *res[0] {
				t.Fatalf("duplicate: %p %+v, %v; want its own copy of %p", res[1], res[1], errs[1], res[0])
			}
		})
	}
}

// DoMany looks a batched key up again under Task.mu before starting its flight; a hit there that the hot-key
// layer answers runs the spec's Clone. A panic in it fails that key only: it must not leave DoMany with
// Task.mu held, which would hang every later caller of the task.
func TestDoManyRecheckCloneNoDeadlock(t *testing.T) {
	var task *Task[userParams, user]
	var armed, panicking atomic.Bool
	hooks := runtime.Hooks{OnMiss: func(ctx context.Context, e runtime.Event) {
		// Between DoMany's miss and its recheck, another caller stores the entry and fills the layer.
		if armed.CompareAndSwap(true, false) {
			_, _ = task.Do(ctx, &userParams{ID: "a"})
			_, _ = task.Do(ctx, &userParams{ID: "a"})
			panicking.Store(true)
		}
	}}
	x := newTestExecutor(t, runtime.WithHooks(hooks))
	spec := batchSpec(t, &batchSource{}, BatchPolicy[userParams, user]{MaxSize: 10, Wait: time.Millisecond})
	spec.Clone = func(u *user) *user {
		if panicking.Load() {
			panic("clone failed")
		}
		return cloneUser(u)
	}
	task = NewTask(x, spec)
	armed.Store(true)
	res, errs := task.DoMany(context.Background(), []*userParams{{ID: "a"}})
	if errs[0] == nil || runtime.IsNotFound(errs[0]) || res[0] != nil {
		t.Fatalf("DoMany: %+v, %v; want the Clone panic as the key's error", res[0], errs[0])
	}
	panicking.Store(false)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if u, err := task.Do(context.Background(), &userParams{ID: "a"}); err != nil || u.ID != "a" {
			t.Errorf("Do after DoMany: %+v, %v", u, err)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Do after DoMany hangs: Task.mu was left locked")
	}
}
