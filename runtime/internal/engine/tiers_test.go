package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/seam"
	"github.com/reftask/reftask/runtime/tier"
)

// memTier is an in-memory byte tier that records its calls in a log shared by the tiers of one test, and can be
// told to fail or to hang (until its ctx ends) on every call.
type memTier struct {
	name string
	log  *tierLog
	fail atomic.Bool
	hang atomic.Bool
	boom atomic.Bool // panic on every call
	mu   sync.Mutex
	// gate, when set, holds the next Get after it has read the entry, until the test closes it.
	gate     chan struct{}
	m        map[string]memEntry
	prefixes []string
}

type memEntry struct {
	b   []byte
	exp tier.Expiry
}

type tierLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *tierLog) add(s string) {
	l.mu.Lock()
	l.calls = append(l.calls, s)
	l.mu.Unlock()
}

func (l *tierLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.calls
	l.calls = nil
	return c
}

var errTierDown = errors.New("tier down")

func newMemTier(name string, log *tierLog) *memTier {
	return &memTier{name: name, log: log, m: map[string]memEntry{}}
}

func (m *memTier) trouble(ctx context.Context) error {
	if m.boom.Load() {
		panic("tier " + m.name + " exploded")
	}
	if m.hang.Load() {
		<-ctx.Done()
		return ctx.Err()
	}
	if m.fail.Load() {
		return errTierDown
	}
	return nil
}

func (m *memTier) Get(ctx context.Context, key string) ([]byte, bool, error) {
	m.log.add(m.name + ".get")
	if err := m.trouble(ctx); err != nil {
		return nil, false, err
	}
	m.mu.Lock()
	e, ok := m.m[key]
	gate := m.gate
	m.gate = nil
	m.mu.Unlock()
	if gate != nil {
		<-gate
	}
	return e.b, ok, nil
}

func (m *memTier) setGate(g chan struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gate = g
}

func (m *memTier) gateTaken() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.gate == nil
}

func (m *memTier) Set(ctx context.Context, key string, entry []byte, exp tier.Expiry) error {
	m.log.add(m.name + ".set")
	if err := m.trouble(ctx); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[key] = memEntry{b: slices.Clone(entry), exp: exp}
	return nil
}

func (m *memTier) Delete(ctx context.Context, key string) error {
	m.log.add(m.name + ".delete")
	if err := m.trouble(ctx); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, key)
	return nil
}

func (m *memTier) DeletePrefix(ctx context.Context, prefix string) error {
	m.log.add(m.name + ".deletePrefix")
	if err := m.trouble(ctx); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.prefixes = append(m.prefixes, prefix)
	for k := range m.m {
		if strings.HasPrefix(k, prefix) {
			delete(m.m, k)
		}
	}
	return nil
}

func (m *memTier) put(key string, b []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[key] = memEntry{b: b}
}

func (m *memTier) has(key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.m[key]
	return ok
}

func (m *memTier) entry(key string) (memEntry, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.m[key]
	return e, ok
}

var _ tier.PrefixDeleter = (*memTier)(nil)

// tierFixture is an executor with two added tiers, a and b, on a fake clock, and the user task on it.
type tierFixture struct {
	x     *runtime.Executor
	clock *fakeClock
	log   *tierLog
	a, b  *memTier
	src   *source
	task  *Task[userParams, user]
}

func newTierFixture(t *testing.T, hotKeys int, spec func(*source) TaskSpec[userParams, user]) *tierFixture {
	f := &tierFixture{clock: newFakeClock(), log: &tierLog{}, src: &source{}}
	f.a, f.b = newMemTier("a", f.log), newMemTier("b", f.log)
	f.x = newTestExecutor(t, runtime.WithClock(f.clock.Now), runtime.WithHotKeys(hotKeys), runtime.WithTier(f.a), runtime.WithTier(f.b),
		runtime.WithTierTimeout(20*time.Millisecond))
	if spec == nil {
		spec = userSpec
	}
	s := spec(f.src)
	s.Cache = CachePolicy{TTL: time.Minute, NegativeTTL: time.Minute, StaleIfError: time.Hour}
	f.task = NewTask(f.x, s)
	return f
}

func (f *tierFixture) key(id string) string {
	return string(f.task.appendKey(nil, &userParams{ID: id}))
}

func (f *tierFixture) localHas(id string) bool {
	_, ok, _ := f.x.Core(seam.Token{}).Cache.Load().Get(context.Background(), f.key(id))
	return ok
}

// The engine's composition of tiers, through both entry points (Do and Get), with the hot-key layer on and off.
func TestTiersComposition(t *testing.T) {
	type check func(t *testing.T, f *tierFixture, lookup func(id string) (*user, error))
	cases := []struct {
		name  string
		check check
	}{
		{"a miss reads the tiers in order, then writes the result to every tier", func(t *testing.T, f *tierFixture, lookup func(string) (*user, error)) {
			if u, err := lookup("u1"); err != nil || u.ID != "u1" {
				t.Fatalf("%+v, %v", u, err)
			}
			if got, want := f.log.take(), []string{"a.get", "b.get", "a.set", "b.set"}; !slices.Equal(got, want) {
				t.Fatalf("tier calls %v, want %v", got, want)
			}
			for _, m := range []*memTier{f.a, f.b} {
				e, ok := m.entry(f.key("u1"))
				if !ok || e.exp.Fresh != time.Minute || e.exp.Stale != time.Hour {
					t.Fatalf("tier %s: entry %v (%v), want one fresh for 1m and stale for 1h more", m.name, ok, e.exp)
				}
			}
			if !f.localHas("u1") {
				t.Fatal("the local tier does not hold the result")
			}
			// Answered locally from now on: the added tiers are not asked.
			if _, err := lookup("u1"); err != nil || len(f.log.take()) != 0 || f.src.calls.Load() != 1 {
				t.Fatalf("second lookup: %v, source calls %d", err, f.src.calls.Load())
			}
		}},
		{"a hit in a later tier fills the earlier ones and the local tier with the remaining freshness", func(t *testing.T, f *tierFixture, lookup func(string) (*user, error)) {
			f.b.put(f.key("u1"), f.task.entry(&user{ID: "u1", Name: "from b"}, false))
			f.clock.Advance(20 * time.Second)
			if u, err := lookup("u1"); err != nil || u.Name != "from b" || f.src.calls.Load() != 0 {
				t.Fatalf("%+v, %v, source calls %d", u, err, f.src.calls.Load())
			}
			if got, want := f.log.take(), []string{"a.get", "b.get", "a.set"}; !slices.Equal(got, want) {
				t.Fatalf("tier calls %v, want %v", got, want)
			}
			if e, _ := f.a.entry(f.key("u1")); e.exp.Fresh != 40*time.Second || e.exp.Stale != time.Hour {
				t.Fatalf("filled with %+v, want 40s fresh and 1h stale", e.exp)
			}
			if !f.localHas("u1") {
				t.Fatal("the local tier was not filled")
			}
			for range 2 { // a local hit, then (with the layer on) a hot hit
				if u, err := lookup("u1"); err != nil || u.Name != "from b" || len(f.log.take()) != 0 {
					t.Fatalf("%+v, %v", u, err)
				}
			}
		}},
		{"a hit in the first added tier stops the reads", func(t *testing.T, f *tierFixture, lookup func(string) (*user, error)) {
			f.a.put(f.key("u1"), f.task.entry(&user{ID: "u1", Name: "from a"}, false))
			f.b.put(f.key("u1"), f.task.entry(&user{ID: "u1", Name: "from b"}, false))
			if u, err := lookup("u1"); err != nil || u.Name != "from a" {
				t.Fatalf("%+v, %v", u, err)
			}
			if got, want := f.log.take(), []string{"a.get"}; !slices.Equal(got, want) {
				t.Fatalf("tier calls %v, want %v", got, want)
			}
		}},
		{"an expired entry in an added tier is a miss", func(t *testing.T, f *tierFixture, lookup func(string) (*user, error)) {
			f.b.put(f.key("u1"), f.task.entry(&user{ID: "u1", Name: "old"}, false))
			f.clock.Advance(2 * time.Minute)
			if u, err := lookup("u1"); err != nil || u.Name != "Name u1" || f.src.calls.Load() != 1 {
				t.Fatalf("%+v, %v, source calls %d", u, err, f.src.calls.Load())
			}
		}},
		{"a corrupt entry in an added tier is a miss and is deleted", func(t *testing.T, f *tierFixture, lookup func(string) (*user, error)) {
			f.a.put(f.key("u1"), []byte("garbage"))
			if u, err := lookup("u1"); err != nil || u.ID != "u1" || f.src.calls.Load() != 1 {
				t.Fatalf("%+v, %v, source calls %d", u, err, f.src.calls.Load())
			}
			if got := f.log.take(); got[0] != "a.get" || got[1] != "a.delete" {
				t.Fatalf("tier calls %v, want a.get then a.delete", got)
			}
		}},
		{"a negative entry in an added tier answers not-found", func(t *testing.T, f *tierFixture, lookup func(string) (*user, error)) {
			f.b.put(f.key("u1"), f.task.entry(nil, true))
			if _, err := lookup("u1"); !runtime.IsNotFound(err) || f.src.calls.Load() != 0 {
				t.Fatalf("err %v, source calls %d; want not-found from b", err, f.src.calls.Load())
			}
			if !f.a.has(f.key("u1")) || !f.localHas("u1") {
				t.Fatal("the negative entry was not filled back")
			}
		}},
		{"Invalidate reaches every tier", func(t *testing.T, f *tierFixture, lookup func(string) (*user, error)) {
			if _, err := lookup("u1"); err != nil {
				t.Fatal(err)
			}
			f.log.take()
			f.task.Invalidate(&userParams{ID: "u1"})
			if got, want := f.log.take(), []string{"a.delete", "b.delete"}; !slices.Equal(got, want) {
				t.Fatalf("tier calls %v, want %v", got, want)
			}
			if f.a.has(f.key("u1")) || f.b.has(f.key("u1")) || f.localHas("u1") {
				t.Fatal("a tier still holds the entry")
			}
			if _, err := lookup("u1"); err != nil || f.src.calls.Load() != 2 {
				t.Fatalf("after Invalidate: %v, source calls %d, want 2", err, f.src.calls.Load())
			}
		}},
		{"InvalidateTask drops the retired generation from tiers that delete by prefix", func(t *testing.T, f *tierFixture, lookup func(string) (*user, error)) {
			if _, err := lookup("u1"); err != nil {
				t.Fatal(err)
			}
			old := f.key("u1")
			f.x.InvalidateTask(f.task.Name())
			for _, m := range []*memTier{f.a, f.b} {
				if m.has(old) || len(m.prefixes) != 1 || !strings.HasPrefix(old, m.prefixes[0]) {
					t.Fatalf("tier %s: prefixes %q, still holds the old key: %v", m.name, m.prefixes, m.has(old))
				}
			}
			if f.key("u1") == old {
				t.Fatal("the key did not change with the generation")
			}
			if _, err := lookup("u1"); err != nil || f.src.calls.Load() != 2 {
				t.Fatalf("after InvalidateTask: %v, source calls %d, want 2", err, f.src.calls.Load())
			}
		}},
		{"a stale entry in an added tier is served when the source fails", func(t *testing.T, f *tierFixture, lookup func(string) (*user, error)) {
			f.b.put(f.key("u1"), f.task.entry(&user{ID: "u1", Name: "stale"}, false))
			f.clock.Advance(2 * time.Minute)
			f.src.fn = func(context.Context, int64, *userParams) (*user, error) {
				return nil, runtime.Permanent(errors.New("source down"))
			}
			if u, err := lookup("u1"); err != nil || u.Name != "stale" {
				t.Fatalf("%+v, %v; want the stale entry from b", u, err)
			}
		}},
		{"a failing tier never fails a lookup the source can answer", func(t *testing.T, f *tierFixture, lookup func(string) (*user, error)) {
			f.a.fail.Store(true)
			f.b.put(f.key("u1"), f.task.entry(&user{ID: "u1", Name: "from b"}, false))
			if u, err := lookup("u1"); err != nil || u.Name != "from b" {
				t.Fatalf("%+v, %v; want b's entry past the failing a", u, err)
			}
			f.b.fail.Store(true)
			if u, err := lookup("u2"); err != nil || u.ID != "u2" || f.src.calls.Load() != 1 {
				t.Fatalf("%+v, %v, source calls %d", u, err, f.src.calls.Load())
			}
			f.task.Invalidate(&userParams{ID: "u2"})
			if _, err := lookup("u2"); err != nil || f.src.calls.Load() != 2 {
				t.Fatalf("after Invalidate: %v, source calls %d", err, f.src.calls.Load())
			}
		}},
		{"a panicking tier is a tier in trouble, not a crash", func(t *testing.T, f *tierFixture, lookup func(string) (*user, error)) {
			f.a.boom.Store(true)
			f.b.put(f.key("u1"), f.task.entry(&user{ID: "u1", Name: "from b"}, false))
			if u, err := lookup("u1"); err != nil || u.Name != "from b" {
				t.Fatalf("%+v, %v; want b's entry past the panicking a", u, err)
			}
			if u, err := lookup("u2"); err != nil || u.ID != "u2" || f.src.calls.Load() != 1 {
				t.Fatalf("%+v, %v, source calls %d", u, err, f.src.calls.Load())
			}
			f.task.Invalidate(&userParams{ID: "u2"})
			if f.b.has(f.key("u2")) {
				t.Fatal("b still holds the invalidated entry")
			}
			f.x.InvalidateTask(f.task.Name()) // a's DeletePrefix panics too
		}},
		{"a hanging tier costs at most its timeout per call", func(t *testing.T, f *tierFixture, lookup func(string) (*user, error)) {
			f.a.hang.Store(true)
			start := time.Now()
			if u, err := lookup("u1"); err != nil || u.ID != "u1" || f.src.calls.Load() != 1 {
				t.Fatalf("%+v, %v, source calls %d", u, err, f.src.calls.Load())
			}
			f.task.Invalidate(&userParams{ID: "u1"})
			// A read, a write and a delete on a, each bounded by the 20ms tier timeout; generous for a loaded machine.
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("took %v", d)
			}
			if f.b.has(f.key("u1")) {
				t.Fatal("b still holds the invalidated entry")
			}
		}},
	}
	for _, hot := range []int{0, 64} {
		for _, entry := range []string{"Do", "Get"} {
			for _, tc := range cases {
				t.Run(entry+"/hot="+map[bool]string{true: "on", false: "off"}[hot > 0]+"/"+tc.name, func(t *testing.T) {
					f := newTierFixture(t, hot, nil)
					ctx := context.Background()
					lookup := func(id string) (*user, error) {
						if entry == "Do" {
							return f.task.Do(ctx, &userParams{ID: id})
						}
						return get(ctx, f.task, id)
					}
					tc.check(t, f, lookup)
				})
			}
		}
	}
}

// A batched task writes every answer of a batch to every tier, and reads the tiers before enqueueing a key; a
// tier that fails a write is not asked again for the rest of the batch.
func TestTiersBatched(t *testing.T) {
	for _, aFails := range []bool{false, true} {
		t.Run(fmt.Sprint("a fails: ", aFails), func(t *testing.T) {
			bs := &batchSource{}
			f := newTierFixture(t, 64, func(*source) TaskSpec[userParams, user] {
				return batchSpec(t, bs, BatchPolicy[userParams, user]{MaxSize: 8, Wait: time.Millisecond})
			})
			f.b.put(f.key("cached"), f.task.entry(&user{ID: "cached", Name: "from b"}, false))
			f.a.fail.Store(aFails)
			ids := []string{"u1", "u2", "u3", "u4", "cached"}
			ps := make([]*userParams, len(ids))
			for i, id := range ids {
				ps[i] = &userParams{ID: id}
			}
			res, errs := f.task.DoMany(context.Background(), ps)
			for i, err := range errs {
				if err != nil || res[i].ID != ids[i] {
					t.Fatalf("%s: %+v, %v", ids[i], res[i], err)
				}
			}
			if res[4].Name != "from b" || bs.keysAsked() != 4 {
				t.Fatalf("cached key %+v, keys asked %d; want b's entry and 4 keys asked", res[4], bs.keysAsked())
			}
			// The added tiers are written after the callers have their answers.
			waitFor(t, func() bool {
				for _, id := range ids[:4] {
					if !f.b.has(f.key(id)) {
						return false
					}
				}
				return true
			})
			for _, id := range ids[:4] {
				if f.a.has(f.key(id)) == aFails || !f.b.has(f.key(id)) || !f.localHas(id) {
					t.Fatalf("%s: in a %v, in b %v, local %v", id, f.a.has(f.key(id)), f.b.has(f.key(id)), f.localHas(id))
				}
			}
			sets := 0
			for _, c := range f.log.take() {
				if c == "a.set" {
					sets++
				}
			}
			// Four stores, plus the fill of b's hit into a.
			if want := map[bool]int{false: 5, true: 2}[aFails]; sets != want {
				t.Fatalf("a was asked to store %d times, want %d", sets, want)
			}
		})
	}
}

// The consistency rules of tiers.go: a value read from an added tier before an Invalidate is never filled back
// after it, and a result fetched before an Invalidate never lands in any tier after it.
func TestTiersInvalidateOrdering(t *testing.T) {
	// The Invalidate goes through the Task value that reads, or through another one of the same spec (another
	// client made on the executor), which shares the local entries.
	for _, other := range []bool{false, true} {
		t.Run(fmt.Sprint("a fill that read before an Invalidate does not land; other task value: ", other), func(t *testing.T) {
			f := newTierFixture(t, 64, nil)
			inv := f.task
			if other {
				s := userSpec(f.src)
				s.Cache = f.task.s.Cache
				inv = NewTask(f.x, s)
			}
			f.b.put(f.key("u1"), f.task.entry(&user{ID: "u1", Name: "old"}, false))
			gate := make(chan struct{})
			f.b.setGate(gate)
			done := make(chan error, 1)
			go func() {
				_, err := f.task.Do(context.Background(), &userParams{ID: "u1"})
				done <- err
			}()
			waitFor(t, f.b.gateTaken) // b's Get has read the entry and waits
			inv.Invalidate(&userParams{ID: "u1"})
			close(gate)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if f.localHas("u1") || (!other && (f.a.has(f.key("u1")) || f.b.has(f.key("u1")))) {
				t.Fatal("a value read before the Invalidate was filled back after it")
			}
		})
	}
	t.Run("a result fetched before an Invalidate lands in no tier", func(t *testing.T) {
		f := newTierFixture(t, 64, nil)
		release := make(chan struct{})
		started := make(chan struct{})
		f.src.fn = func(ctx context.Context, _ int64, p *userParams) (*user, error) {
			close(started)
			<-release
			return &user{ID: p.ID, Name: "before"}, nil
		}
		done := make(chan error, 1)
		go func() {
			_, err := f.task.Do(context.Background(), &userParams{ID: "u1"})
			done <- err
		}()
		<-started
		f.task.Invalidate(&userParams{ID: "u1"})
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if f.a.has(f.key("u1")) || f.b.has(f.key("u1")) || f.localHas("u1") {
			t.Fatal("a result fetched before the Invalidate was stored after it")
		}
	})
}

func TestWithTierRejectsBadInput(t *testing.T) {
	for name, opt := range map[string]runtime.Option{
		"nil tier":         runtime.WithTier(nil),
		"zero timeout":     runtime.WithTierTimeout(0),
		"negative timeout": runtime.WithTierTimeout(-time.Second),
	} {
		if _, err := runtime.New(opt); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

// expiryOf over many headers and times: never negative, Fresh is the time left fresh, and the total is the time
// left until stale-until.
func TestExpiryOf(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		fresh := rng.Int64N(1 << 40)
		stale := fresh + rng.Int64N(1<<40)
		now := rng.Int64N(1 << 41)
		e := expiryOf(entryHeader{freshUntil: fresh, staleUntil: stale}, now)
		if e.Fresh < 0 || e.Stale < 0 {
			t.Fatalf("fresh %d stale %d now %d: negative %+v", fresh, stale, now, e)
		}
		if want := time.Duration(max(fresh-now, 0)); e.Fresh != want {
			t.Fatalf("fresh %d stale %d now %d: Fresh %v, want %v", fresh, stale, now, e.Fresh, want)
		}
		if want := time.Duration(max(stale-now, 0)); e.Total() != want {
			t.Fatalf("fresh %d stale %d now %d: Total %v, want %v", fresh, stale, now, e.Total(), want)
		}
	}
}

// Added tiers cost a hit nothing: a hot-key hit stays at one allocation (the caller's copy) through Get and Do, a
// local hit allocates what it does without added tiers, and neither asks an added tier.
func TestHitAllocsWithTier(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not stable under the race detector")
	}
	ctx := context.Background()
	localAllocs := func(opts ...runtime.Option) float64 {
		x := newTestExecutor(t, append(opts, runtime.WithHotKeys(0))...)
		task := NewTask(x, userSpec(&source{}))
		if _, err := get(ctx, task, "u1"); err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(1000, func() { _, _ = get(ctx, task, "u1") })
	}
	log := &tierLog{}
	if with, without := localAllocs(runtime.WithTier(newMemTier("a", log))), localAllocs(); with != without {
		t.Errorf("local hit: %v allocs/op with an added tier, %v without", with, without)
	}
	f := newTierFixture(t, 64, nil)
	if _, err := get(ctx, f.task, "u1"); err != nil {
		t.Fatal(err)
	}
	p := &userParams{ID: "u1"}
	for name, fn := range map[string]func(){
		"Get": func() { _, _ = get(ctx, f.task, "u1") },
		"Do":  func() { _, _ = f.task.Do(ctx, p) },
	} {
		fn() // the first hit may fill the hot-key layer from the local tier
		if allocs := testing.AllocsPerRun(1000, fn); allocs > 1 {
			t.Errorf("%s hot hit with added tiers: %v allocs/op, want 1", name, allocs)
		}
	}
	f.log.take()
	for range 10 {
		_, _ = get(ctx, f.task, "u1")
	}
	if calls := f.log.take(); len(calls) != 0 {
		t.Errorf("hot hits asked the added tiers: %v", calls)
	}
	// The local-hit executor's tier saw its one miss (a read, then the store) and none of the hits.
	if got, want := log.take(), []string{"a.get", "a.set"}; !slices.Equal(got, want) {
		t.Errorf("local hits: tier calls %v, want %v", got, want)
	}
}
