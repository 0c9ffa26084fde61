package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	goruntime "runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/core"
)

// get calls Task.Get as generated code does: the key built from Key and the params' encoding, the params by value.
func get(ctx context.Context, task *Task[userParams, user], id string) (*user, error) {
	p := userParams{ID: id}
	var buf [64]byte
	return task.Get(ctx, appendUserKey(task.Key(buf[:0]), &p), p)
}

// hotEntries counts the entries the task's hot-key layer holds.
func hotEntries[P, R any](task *Task[P, R]) int {
	tab := task.hot.tab.Load()
	if tab == nil {
		return 0
	}
	n := 0
	for i := range *tab {
		if (*tab)[i].it.Load() != nil {
			n++
		}
	}
	return n
}

// Get and Do are two ways into the same cache: one's entries answer the other, and both report the same errors.
func TestGetAndDoAgree(t *testing.T) {
	var log eventLog
	x := newTestExecutor(t, runtime.WithHooks(log.hooks()))
	src := &source{}
	spec := userSpec(src)
	spec.Cache.NegativeTTL = time.Minute
	task := NewTask(x, spec)
	ctx := context.Background()
	steps := []struct {
		name      string
		call      func() (*user, error)
		wantID    string
		wantErr   error
		wantCalls int64
	}{
		{"Get misses", func() (*user, error) { return get(ctx, task, "u1") }, "u1", nil, 1},
		{"Do hits Get's entry", func() (*user, error) { return task.Do(ctx, &userParams{ID: "u1"}) }, "u1", nil, 1},
		{"Do misses", func() (*user, error) { return task.Do(ctx, &userParams{ID: "u2"}) }, "u2", nil, 2},
		{"Get hits Do's entry", func() (*user, error) { return get(ctx, task, "u2") }, "u2", nil, 2},
		{"Get hits again", func() (*user, error) { return get(ctx, task, "u2") }, "u2", nil, 2},
		{"invalid params", func() (*user, error) { return get(ctx, task, "") }, "", &runtime.ValidationError{}, 2},
	}
	for _, s := range steps {
		u, err := s.call()
		switch {
		case s.wantErr != nil:
			var ve *runtime.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("%s: err = %v, want a validation error", s.name, err)
			}
		case err != nil || u.ID != s.wantID:
			t.Fatalf("%s: %+v, %v", s.name, u, err)
		}
		if got := src.calls.Load(); got != s.wantCalls {
			t.Fatalf("%s: source calls = %d, want %d", s.name, got, s.wantCalls)
		}
	}
	if got, want := log.seq(), "miss,source,hit,miss,source,hit,hit,error"; got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	if h := log.get("hit"); h[len(h)-1].Key != `id="u2"` {
		t.Fatalf("hit event names %q", h[len(h)-1].Key)
	}

	src.fn = func(context.Context, int64, *userParams) (*user, error) { return nil, runtime.ErrNotFound }
	for i := range 2 {
		if _, err := get(ctx, task, "gone"); !runtime.IsNotFound(err) {
			t.Fatalf("not found %d: err = %v", i, err)
		}
	}
	if got := src.calls.Load(); got != 3 {
		t.Fatalf("source calls = %d, want 3: the second not-found comes from the cache", got)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := get(cctx, task, "u1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("ended ctx: err = %v", err)
	}
	_ = x.Close()
	if _, err := get(ctx, task, "u1"); !errors.Is(err, runtime.ErrClosed) {
		t.Fatalf("closed executor: err = %v", err)
	}
}

// The layer answers only while an entry is fresh, and every answer is a copy of its own.
func TestHotLayerFreshnessAndCopies(t *testing.T) {
	clock := newFakeClock()
	x := newTestExecutor(t, runtime.WithClock(clock.Now))
	src := &source{}
	task := NewTask(x, userSpec(src))
	ctx := context.Background()
	first, err := get(ctx, task, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if hotEntries(task) != 0 {
		t.Fatalf("hot entries after a store = %d, want 0: the first hit fills the layer", hotEntries(task))
	}
	seen := map[*user]bool{first: true}
	for i := range 3 {
		u, err := get(ctx, task, "u1")
		if err != nil || u.Name != "Name u1" || seen[u] {
			t.Fatalf("hit %d: %+v, %v (a pointer handed out before: %v)", i, u, err, seen[u])
		}
		seen[u] = true
		u.Name = "mutated"
	}
	clock.Advance(time.Minute)
	if _, err := get(ctx, task, "u1"); err != nil || src.calls.Load() != 2 {
		t.Fatalf("after the TTL: %v, source calls %d, want 2", err, src.calls.Load())
	}
}

// Many readers, and a writer that changes the source and invalidates: once Invalidate has returned, no lookup that
// starts afterwards may see the old value, whether it comes from bigcache or from the hot-key layer.
func TestHotLayerInvalidateRace(t *testing.T) {
	x := newTestExecutor(t)
	var version atomic.Int64
	src := &source{fn: func(_ context.Context, _ int64, p *userParams) (*user, error) {
		return &user{ID: p.ID, Age: version.Load()}, nil
	}}
	task := NewTask(x, userSpec(src))
	ctx := context.Background()
	var floor atomic.Int64 // the lowest version a lookup starting now may see
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				min := floor.Load()
				var u *user
				var err error
				if (i+r)%2 == 0 {
					u, err = get(ctx, task, "k")
				} else {
					u, err = task.Do(ctx, &userParams{ID: "k"})
				}
				if err != nil {
					t.Error(err)
					return
				}
				if u.Age < min {
					t.Errorf("saw version %d after an Invalidate that followed version %d", u.Age, min)
					return
				}
			}
		})
	}
	for v := int64(1); v <= 300; v++ {
		version.Store(v)
		task.Invalidate(&userParams{ID: "k"})
		floor.Store(v)
		time.Sleep(50 * time.Microsecond)
	}
	close(stop)
	wg.Wait()
}

// The layer holds at most its configured number of entries, and never an entry larger than its byte budget.
func TestHotLayerBounded(t *testing.T) {
	x := newTestExecutor(t, runtime.WithHotKeys(16))
	task := NewTask(x, userSpec(&source{}))
	ctx := context.Background()
	for i := range 1000 {
		for range 2 { // a miss, then a hit that fills the layer
			if _, err := get(ctx, task, fmt.Sprintf("u%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		if n := hotEntries(task); n > 16 {
			t.Fatalf("%d entries after %d keys, want at most 16", n, i+1)
		}
		if b := task.hot.bytes.Load(); b > task.hot.maxBytes || b < 0 {
			t.Fatalf("%d bytes held, budget %d", b, task.hot.maxBytes)
		}
	}
	if hotEntries(task) < 8 {
		t.Fatalf("only %d entries kept of 16", hotEntries(task))
	}

	big := &source{fn: func(_ context.Context, _ int64, p *userParams) (*user, error) {
		return &user{ID: p.ID, Name: string(make([]byte, 20<<10))}, nil
	}}
	spec := userSpec(big)
	spec.Name = "Big"
	bt := NewTask(x, spec)
	for range 3 {
		if u, err := bt.Do(ctx, &userParams{ID: "b"}); err != nil || len(u.Name) != 20<<10 {
			t.Fatalf("%v", err)
		}
	}
	if n := hotEntries(bt); n != 0 || big.calls.Load() != 1 {
		t.Fatalf("an entry over the byte budget: %d hot entries, %d source calls; want 0 and 1 (served by bigcache)", n, big.calls.Load())
	}
}

// WithHotKeys(0) turns the layer off; lookups are served by bigcache alone.
func TestHotKeysOff(t *testing.T) {
	x := newTestExecutor(t, runtime.WithHotKeys(0))
	src := &source{}
	task := NewTask(x, userSpec(src))
	if task.hot != nil {
		t.Fatal("hot-key layer on with WithHotKeys(0)")
	}
	for range 3 {
		if u, err := get(context.Background(), task, "u1"); err != nil || u.ID != "u1" {
			t.Fatalf("%+v, %v", u, err)
		}
	}
	if src.calls.Load() != 1 {
		t.Fatalf("source calls = %d, want 1", src.calls.Load())
	}
	if _, err := runtime.New(runtime.WithHotKeys(-1)); err == nil {
		t.Fatal("WithHotKeys(-1) accepted")
	}
}

// Callers coalesced on one call of an uncached task each get a copy of their own, made by Clone.
func TestCoalescedCallersGetClones(t *testing.T) {
	x := newTestExecutor(t)
	release := make(chan struct{})
	src := &source{fn: func(_ context.Context, _ int64, p *userParams) (*user, error) {
		<-release
		return &user{ID: p.ID, Name: "n"}, nil
	}}
	spec := userSpec(src)
	spec.Cache = CachePolicy{}
	task := NewTask(x, spec)
	const n = 5
	res := make([]*user, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			u, err := get(context.Background(), task, "k")
			if err != nil {
				t.Error(err)
			}
			res[i] = u
		})
	}
	waitFor(t, func() bool { return flightWaiters(task) == n })
	close(release)
	wg.Wait()
	seen := map[*user]bool{}
	for _, u := range res {
		if u == nil || seen[u] || u.Name != "n" {
			t.Fatalf("results %+v: want %d distinct copies", res, n)
		}
		seen[u] = true
		u.Name = "mutated"
	}
	if src.calls.Load() != 1 {
		t.Fatalf("source calls = %d, want 1", src.calls.Load())
	}
}

// A caller whose ctx cannot end runs the flight itself; a caller that joins it may still leave on its own ctx.
func TestLeaderRunsFlight(t *testing.T) {
	x := newTestExecutor(t)
	started, release := make(chan struct{}), make(chan struct{})
	src := &source{fn: func(_ context.Context, _ int64, p *userParams) (*user, error) {
		close(started)
		<-release
		return &user{ID: p.ID}, nil
	}}
	task := NewTask(x, userSpec(src))
	leader := task.Async(context.Background(), &userParams{ID: "k"}) // Async's goroutine runs Do on ctx as given
	<-started
	jctx, cancel := context.WithCancel(context.Background())
	joined := make(chan error, 1)
	go func() {
		_, err := get(jctx, task, "k")
		joined <- err
	}()
	waitFor(t, func() bool { return flightWaiters(task) == 2 })
	cancel()
	if err := <-joined; !errors.Is(err, context.Canceled) {
		t.Fatalf("the joiner that left: err = %v", err)
	}
	close(release)
	if u, err := leader.Await(context.Background()); err != nil || u.ID != "k" {
		t.Fatalf("leader: %+v, %v", u, err)
	}
	if src.calls.Load() != 1 {
		t.Fatalf("source calls = %d, want 1", src.calls.Load())
	}
}

// A hit allocates only the caller's copy, through Get and through Do: the hot-key layer answers it without
// bigcache's copies or a decode, and Get's key and params stay on the caller's stack.
func TestHitAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not stable under the race detector")
	}
	x := newTestExecutor(t)
	task := NewTask(x, userSpec(&source{}))
	ctx := context.Background()
	if _, err := get(ctx, task, "u1"); err != nil {
		t.Fatal(err)
	}
	p := &userParams{ID: "u1"} // Do's params escape: the caller's own allocation, made once here
	for name, f := range map[string]func(){
		"Get": func() { _, _ = get(ctx, task, "u1") },
		"Do":  func() { _, _ = task.Do(ctx, p) },
	} {
		if allocs := testing.AllocsPerRun(1000, f); allocs > 1 {
			t.Errorf("%s hit: %v allocs/op, want 1 (the copy)", name, allocs)
		}
	}
}

func TestJSONValueClone(t *testing.T) {
	var v runtime.JSONValue
	if err := json.Unmarshal([]byte(`{"a":[1,{"b":"c"}],"d":{"e":null},"n":1.5}`), &v); err != nil {
		t.Fatal(err)
	}
	c := v.Clone()
	if !reflect.DeepEqual(c.Any(), v.Any()) {
		t.Fatalf("clone %v differs from %v", c, v)
	}
	m := c.Any().(map[string]any)
	m["a"].([]any)[1].(map[string]any)["b"] = "mutated"
	m["d"].(map[string]any)["e"] = "mutated"
	m["new"] = true
	if v.String() != `{"a":[1,{"b":"c"}],"d":{"e":null},"n":1.5}` {
		t.Fatalf("the original changed with its clone: %v", v)
	}
	for _, s := range []runtime.JSONValue{{}, runtime.JSONOf("x"), runtime.JSONOf([]any(nil)), runtime.JSONOf(map[string]any{})} {
		if !reflect.DeepEqual(s.Clone(), s) {
			t.Fatalf("clone of %#v = %#v", s, s.Clone())
		}
	}
}

// A fill carries the epoch read before its bigcache read: a drop or put in between (an Invalidate, a newer store)
// keeps the value it read out of the layer, and a fill with nothing in between lands.
func TestHotFillEpoch(t *testing.T) {
	tests := []struct {
		name    string
		between func(h *hotLayer[user])
		want    string // the name the layer holds afterwards, "" for none
	}{
		{"nothing in between", func(*hotLayer[user]) {}, "read"},
		{"an Invalidate in between", func(h *hotLayer[user]) { h.drop("k") }, ""},
		{"a newer store in between", func(h *hotLayer[user]) { h.drop("k") }, ""},
		{"a store of a key of another stripe", func(h *hotLayer[user]) {
			for i := 0; ; i++ {
				if k := fmt.Sprint(i); h.slot(k).stripe != h.slot("k").stripe {
					h.drop(k)
					return
				}
			}
		}, "read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHotLayer[user](64)
			s := h.slot("k")
			epoch := s.stripe.epoch.Load()
			tc.between(h)
			h.fill(s, "k", &hotItem[user]{val: &user{Name: "read"}, fresh: 1 << 62}, epoch)
			got := ""
			if it := h.get(s, "k"); it != nil {
				got = it.val.Name
			}
			if got != tc.want {
				t.Fatalf("layer holds %q, want %q", got, tc.want)
			}
		})
	}
}

// Two Task values for one spec on one executor (two clients made on it) share the cache entries, so an
// Invalidate or a new store through either must reach what the other serves from its hot-key layer.
func TestHotLayerSharedBetweenTasksOfOneSpec(t *testing.T) {
	cases := []struct {
		name   string
		change func(a *Task[userParams, user], p *userParams)
	}{
		{"Invalidate through the other task", func(a *Task[userParams, user], p *userParams) { a.Invalidate(p) }},
		{"InvalidateTask", func(a *Task[userParams, user], _ *userParams) { a.x.InvalidateTask(a.Name()) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := newTestExecutor(t)
			var version atomic.Int64
			src := &source{fn: func(_ context.Context, _ int64, p *userParams) (*user, error) {
				return &user{ID: p.ID, Age: version.Load()}, nil
			}}
			a, b := NewTask(x, userSpec(src)), NewTask(x, userSpec(src))
			ctx := context.Background()
			p := &userParams{ID: "k"}
			for range 3 { // a miss, a bigcache hit that fills the layer, a hot hit
				if u, err := b.Do(ctx, p); err != nil || u.Age != 0 {
					t.Fatalf("before: %+v, %v", u, err)
				}
			}
			version.Store(1)
			tc.change(a, p)
			for _, task := range []*Task[userParams, user]{b, a} {
				if u, err := task.Do(ctx, p); err != nil || u.Age != 1 {
					t.Fatalf("after: %+v, %v; want the source's new answer", u, err)
				}
			}
		})
	}
}

// Get runs generated code (Clone, ValidateParams, Describe) in several frames of its own; a panic in any of them
// becomes the lookup's error or, for a Clone of a value just read from bigcache, a miss, as a failed Decode is.
func TestGetGeneratedCodePanics(t *testing.T) {
	for _, hooked := range []bool{false, true} {
		t.Run(fmt.Sprintf("hooks=%v", hooked), func(t *testing.T) {
			var opts []runtime.Option
			if hooked {
				var log eventLog
				opts = append(opts, runtime.WithHooks(log.hooks()))
			}
			ctx := context.Background()
			var cloneFails, describeFails, validateFails atomic.Bool
			src := &source{}
			spec := userSpec(src)
			spec.Clone = func(u *user) *user {
				if cloneFails.Load() {
					panic("clone failed")
				}
				return cloneUser(u)
			}
			spec.Describe = func(p *userParams) string {
				if describeFails.Load() {
					panic("describe failed")
				}
				return describeUser(p)
			}
			spec.ValidateParams = func(p *userParams) error {
				if validateFails.Load() {
					panic("validate failed")
				}
				return validateUserParams(p)
			}
			wantPanic := func(t *testing.T, step string, u *user, err error) {
				t.Helper()
				var pe *core.PanicError
				if u != nil || !errors.As(err, &pe) {
					t.Fatalf("%s: %+v, %v; want the panic as the error", step, u, err)
				}
				mustTaskError(t, err)
			}

			// A Clone that panics on a value read from bigcache makes the entry a miss: the source answers.
			x := newTestExecutor(t, opts...)
			task := NewTask(x, spec)
			if _, err := get(ctx, task, "cold"); err != nil {
				t.Fatal(err)
			}
			cloneFails.Store(true)
			if u, err := get(ctx, task, "cold"); err != nil || u.ID != "cold" || src.calls.Load() != 2 {
				t.Fatalf("bigcache read with a panicking Clone: %+v, %v, %d source calls; want a second source call", u, err, src.calls.Load())
			}
			// A value the hot-key layer holds (filled by the second lookup) is copied by Clone on every hit: a panic
			// there is the error.
			cloneFails.Store(false)
			for range 2 {
				if _, err := get(ctx, task, "hot"); err != nil {
					t.Fatal(err)
				}
			}
			cloneFails.Store(true)
			u, err := get(ctx, task, "hot")
			wantPanic(t, "hot-key hit", u, err)
			cloneFails.Store(false)

			// ValidateParams runs on a miss.
			validateFails.Store(true)
			u, err = get(ctx, task, "new")
			wantPanic(t, "ValidateParams", u, err)
			validateFails.Store(false)

			// Describe runs when a miss fails: an ended ctx, a closed executor.
			describeFails.Store(true)
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			u, err = get(cctx, task, "other")
			wantPanic(t, "Describe, ended ctx", u, err)
			_ = x.Close()
			u, err = get(ctx, task, "other")
			wantPanic(t, "Describe, closed executor", u, err)
			describeFails.Store(false)
			if u, err := get(ctx, task, "other"); !errors.Is(err, runtime.ErrClosed) {
				t.Fatalf("closed executor: %+v, %v; want ErrClosed", u, err)
			}
		})
	}
}

// A lookup often runs on a goroutine started for it (one per record of a fan-out), whose stack starts at 2 KB;
// a path deeper than that copies the stack, which costs more than the hit itself. Get's frames are kept small for
// that: a hot-key hit must fit. (The runtime may start goroutines with more than 2 KB, after a GC has seen deeper
// stacks: then nothing grows and the test passes trivially.)
func TestHitFitsStartingStack(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector enlarges every frame")
	}
	x := newTestExecutor(t)
	task := NewTask(x, userSpec(&source{}))
	ctx := context.Background()
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprint("u", i)
		for range 2 { // the second lookup reads bigcache and fills the hot-key layer
			if _, err := get(ctx, task, ids[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A GC running during the loop makes a goroutine that allocates (the clone) assist it, on a deeper stack than
	// the hit's own: that is the collector's cost, not the path's, and it depends on what ran before. So the loop
	// runs with the collector off, after a full collection.
	goruntime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	const n = 1000
	var grew atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var marker byte
			before := uintptr(unsafe.Pointer(&marker))
			if _, err := get(ctx, task, ids[i%len(ids)]); err != nil {
				t.Error(err)
			}
			if uintptr(unsafe.Pointer(&marker)) != before {
				grew.Add(1)
			}
		})
	}
	wg.Wait()
	// A few may grow for reasons of their own (a GC assist in the clone's allocation, say).
	if g := grew.Load(); g > n/10 {
		t.Fatalf("%d of %d goroutines grew their stack during a hot-key hit", g, n)
	}
}
