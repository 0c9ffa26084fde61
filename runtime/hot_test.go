package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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
	x := newTestExecutor(t, WithHooks(log.hooks()))
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
		{"invalid params", func() (*user, error) { return get(ctx, task, "") }, "", &ValidationError{}, 2},
	}
	for _, s := range steps {
		u, err := s.call()
		switch {
		case s.wantErr != nil:
			var ve *ValidationError
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

	src.fn = func(context.Context, int64, *userParams) (*user, error) { return nil, ErrNotFound }
	for i := range 2 {
		if _, err := get(ctx, task, "gone"); !IsNotFound(err) {
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
	if _, err := get(ctx, task, "u1"); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed executor: err = %v", err)
	}
}

// The layer answers only while an entry is fresh, and every answer is a copy of its own.
func TestHotLayerFreshnessAndCopies(t *testing.T) {
	clock := newFakeClock()
	x := newTestExecutor(t, WithClock(clock.Now))
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
	x := newTestExecutor(t, WithHotKeys(16))
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
	x := newTestExecutor(t, WithHotKeys(0))
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
	if _, err := New(WithHotKeys(-1)); err == nil {
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
	var v JSONValue
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
	for _, s := range []JSONValue{{}, JSONOf("x"), JSONOf([]any(nil)), JSONOf(map[string]any{})} {
		if !reflect.DeepEqual(s.Clone(), s) {
			t.Fatalf("clone of %#v = %#v", s, s.Clone())
		}
	}
}

func TestCopyByCodec(t *testing.T) {
	u := &user{ID: "a", Name: "b", Email: "c", Age: 3}
	read := func(rd *Reader, v *user) { *v = *decodeUser(rd) }
	c := CopyByCodec(u, encodeUser, read)
	if *c != *u || c == u {
		t.Fatalf("copy %+v of %+v", c, u)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a codec that cannot read what it wrote did not panic")
		}
	}()
	CopyByCodec(u, func(dst []byte, _ *user) []byte { return dst }, read)
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
