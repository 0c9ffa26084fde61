package engine

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/core"
	"github.com/reftask/reftask/runtime/internal/seam"
	"github.com/reftask/reftask/runtime/internal/wire"
	"github.com/reftask/reftask/runtime/tier"
)

// CachePolicy says how long results stay cached; TTL 0 disables caching of results.
type CachePolicy struct {
	TTL          time.Duration // how long a result is fresh
	NegativeTTL  time.Duration // how long a not-found answer is remembered; 0 = not at all
	StaleIfError time.Duration // how long past expiry an entry may still be served when the source fails
}

// TaskSpec is what generated code declares for one task; P is the params struct, R the result type.
type TaskSpec[P, R any] struct {
	Name           string
	Version        string // hash of the spec; part of the cache key
	Cache          CachePolicy
	Retry          RetryPolicy
	Timeout        time.Duration                               // per attempt; 0 = none
	AppendKey      func(dst []byte, p *P) []byte               // injective encoding of params
	Describe       func(p *P) string                           // human key for errors and logs
	ValidateParams func(p *P) error                            // *ValidationError or nil
	ValidateResult func(r *R) error                            // *ValidationError or nil
	Encode         func(dst []byte, r *R) []byte               // cache encoding
	Decode         func(rd *wire.Reader) *R                    // cache decoding; the runtime checks rd.Err
	Clone          func(r *R) *R                               // deep copy sharing nothing mutable; nil = no hot-key layer
	Fetch          func(ctx context.Context, p *P) (*R, error) // the source; ErrNotFound = not found
	Fallbacks      []Fallback[P, R]
	Batch          *BatchPolicy[P, R] // nil = no batching: each miss calls Fetch
}

// Task is one task bound to an Executor; it is safe for concurrent use.
type Task[P, R any] struct {
	x       *runtime.Executor
	c       *core.State    // x's engine state; nil when x is
	h       *runtime.Hooks // x's hooks; nil when x is
	s       TaskSpec[P, R]
	retry   RetryPolicy
	prefix  []byte // length-prefixed name and version
	gen     *atomic.Uint64
	readOn  bool         // some entries may exist: look them up
	storeOK bool         // results can be encoded and decoded
	hot     *hotLayer[R] // decoded results in front of bigcache (hot.go); nil when off

	mu      sync.Mutex // guards flights and the waiter bookkeeping inside them, and the batcher's state
	flights map[string]*flight[R]
	batcher *batcher[P, R] // nil unless the spec has a Batch policy
	// call and callMany are the source pipelines of a flight and of a batch, composed from stages (stage.go).
	call     step[P, R, *R]
	callMany step[P, R, []*R]
	// settled counts finished flights, each after its cache store and before it unlists itself; join uses it to
	// skip a second cache lookup when nothing can have been stored since the caller's.
	settled atomic.Uint64
	// storeMu lets batches write the cache outside mu: they hold it shared while they decide and store, and
	// Invalidate holds it exclusively, so that no store decided before an Invalidate lands after it.
	storeMu sync.RWMutex
	// gate orders the engine's local writes with fills from added tiers (tiers.go); nil without added tiers.
	gate *core.TierGate
}

// NewTask binds a spec to an executor and registers its name for InvalidateTask.
func NewTask[P, R any](x *runtime.Executor, s TaskSpec[P, R]) *Task[P, R] {
	t := &Task[P, R]{
		x:       x,
		s:       s,
		retry:   s.Retry.normalized(),
		flights: map[string]*flight[R]{},
	}
	t.prefix = wire.AppendString(wire.AppendString(nil, s.Name), s.Version)
	t.storeOK = s.Encode != nil && s.Decode != nil
	t.readOn = t.storeOK && s.Cache.TTL > 0 || s.Cache.NegativeTTL > 0
	if s.Batch != nil {
		t.batcher = newBatcher(*s.Batch)
	}
	if x != nil {
		t.c = x.Core(seam.Token{}) // before compose: the retry stage reads its timer
		t.h = x.EngineHooks(seam.Token{})
	}
	t.compose(nil)
	if x != nil {
		t.gen = t.c.Generation(s.Name)
		if len(t.c.Tiers) > 0 {
			t.gate = t.c.Gate(s.Name, s.Version)
		}
		if t.readOn && s.Clone != nil {
			t.hot = sharedHotLayer[R](t.c, s.Name, s.Version)
		}
	} else {
		t.gen = new(atomic.Uint64)
	}
	return t
}

// Name returns the task name.
func (t *Task[P, R]) Name() string { return t.s.Name }

// Invalidate deletes the cached entry for p, and keeps a source call already in flight for p from caching its result.
func (t *Task[P, R]) Invalidate(p *P) {
	if t.x == nil {
		return
	}
	if p == nil {
		p = new(P)
	}
	key := t.appendKey(nil, p)
	// storeMu is held until the added tiers are cleared too: no store decided before this lands after it (tiers.go).
	t.storeMu.Lock()
	defer t.storeMu.Unlock()
	t.mu.Lock()
	if f := t.flights[string(key)]; f != nil {
		if f.link != nil {
			f.link.invalidate(f)
		}
		f.noStore = true
		delete(t.flights, string(key))
	}
	if bc := t.c.Cache.Load(); bc != nil && len(key) <= maxKeyLen {
		t.deleteLocal(bc, string(key))
	}
	if t.hot != nil {
		t.hot.drop(string(key)) // after the local delete: see hotLayer.fill
	}
	t.mu.Unlock()
	if len(t.c.Tiers) > 0 {
		t.deleteFar(string(key))
	}
}

// Key appends the task's part of a cache key to dst: its name and spec version, length-prefixed, and its
// generation. Generated code appends the params' AppendKey encoding after it and passes the result to Get.
// The params come last, so the key needs no length of theirs to stay injective.
func (t *Task[P, R]) Key(dst []byte) []byte {
	if t == nil || t.gen == nil {
		return dst
	}
	dst = append(dst, t.prefix...)
	return appendUvarint(dst, t.gen.Load())
}

// appendKey builds the cache key of p: Key, then the params' encoding.
func (t *Task[P, R]) appendKey(dst []byte, p *P) []byte {
	dst = t.Key(dst)
	if t.s.AppendKey != nil {
		dst = t.s.AppendKey(dst, p)
	}
	return dst
}

func (t *Task[P, R]) describe(p *P) string {
	if t.s.Describe == nil || p == nil {
		return ""
	}
	return t.s.Describe(p)
}

func (t *Task[P, R]) event(p *P, attempt int, d time.Duration, err error) runtime.Event {
	return runtime.Event{Task: t.s.Name, Key: t.describe(p), Attempt: attempt, Duration: d, Err: err}
}

// taskErr wraps err for the caller without reporting it.
func (t *Task[P, R]) taskErr(p *P, attempts int, err error) *runtime.TaskError {
	return &runtime.TaskError{Task: t.s.Name, Key: t.describe(p), Attempts: attempts, Err: err}
}

// fail wraps err and reports it to OnError; not-found is an answer, not a failure, so it is not reported.
func (t *Task[P, R]) fail(ctx context.Context, p *P, attempts int, err error) error {
	te := t.taskErr(p, attempts, err)
	if h := t.h.OnError; h != nil && !runtime.IsNotFound(err) {
		h(ctx, runtime.Event{Task: te.Task, Key: te.Key, Attempt: attempts, Err: err})
	}
	return te
}

// Do returns the result for p: from the cache when fresh, else from one coalesced, retried source call,
// else a stale entry or a fallback. Every error is a *TaskError.
func (t *Task[P, R]) Do(ctx context.Context, p *P) (res *R, err error) {
	if t == nil || t.x == nil {
		return nil, &runtime.TaskError{Err: errors.New("reftask: task not bound to an executor")}
	}
	// The clock is read for the lookup hooks only when one is set: the
	// freshness check reads it anyway, and a hit should read it once.
	var start time.Time
	if t.c.LookupHooks {
		start = time.Now()
	}
	defer func() {
		if v := recover(); v != nil {
			res, err = nil, t.taskErr(nil, 0, &core.PanicError{Where: "task " + t.s.Name, Value: v})
		}
	}()
	if p == nil {
		p = new(P)
	}
	if ctx.Err() != nil {
		return nil, t.fail(ctx, p, 0, core.CtxErr(ctx))
	}
	bc := t.c.Cache.Load()
	r, key, seen, err := t.check(ctx, bc, p, start)
	if key == "" {
		return r, err
	}
	// A flight keeps the params it was started with, and the caller may reuse its own once it leaves.
	return t.missCopy(ctx, bc, p, key, seen)
}

// Get is Do for generated code, which builds the cache key itself: key is Key's output followed by the params'
// AppendKey encoding. p is passed by value and copied to the heap only on a miss, so that a hit allocates
// nothing for the params, and the key can live in the caller's stack frame.
//
// Get's frame is kept small, and the lookup and the miss run in frames that return before anything deeper
// happens: lookups often run on goroutines started for them, whose 2 KB starting stack a deeper path outgrows
// (a copy of the stack, about a microsecond, per goroutine). With a lookup hook set, getHooked does the work.
func (t *Task[P, R]) Get(ctx context.Context, key []byte, p P) (*R, error) {
	if t == nil || t.x == nil || t.c.LookupHooks {
		return t.getHooked(ctx, key, p)
	}
	seen := t.settled.Load()
	if t.readOn && len(key) <= maxKeyLen {
		// The hot-key layer and bigcache are read by two calls in turn, not one nested in the other, so that the
		// deepest point of the path is the deeper of the two rather than their sum.
		r, st, err := t.lookupHot(ctx, key)
		if st == entryCold {
			r, st = t.lookupCold(ctx, key)
		}
		switch st {
		case entryHit:
			return r, nil
		case entryNegative:
			return nil, t.negativeValue(ctx, p, time.Time{})
		case entryFailed:
			return nil, err
		}
	}
	if t.batcher != nil {
		return t.missBatched(ctx, key, p, seen) // the batching stage (batch.go)
	}
	// Likewise the miss: the params are copied, then checked, then the flight is joined, in three calls in turn.
	pp, err := t.copyValue(ctx, p)
	if err == nil {
		err = t.admit(ctx, pp, time.Time{})
	}
	if err != nil {
		return nil, err
	}
	return t.miss(ctx, nil, pp, string(key), seen)
}

// getHooked is Get for an executor with lookup hooks, which need the lookup's start time, or for a task that is
// not bound to one.
//
//go:noinline
func (t *Task[P, R]) getHooked(ctx context.Context, key []byte, p P) (res *R, err error) {
	if t == nil || t.x == nil {
		return nil, &runtime.TaskError{Err: errors.New("reftask: task not bound to an executor")}
	}
	start := time.Now()
	seen := t.settled.Load()
	if t.readOn && len(key) <= maxKeyLen {
		r, st, err := t.lookupHot(ctx, key)
		if st == entryCold {
			r, st = t.lookupCold(ctx, key)
		}
		switch st {
		case entryHit:
			if h := t.h.OnHit; h != nil {
				t.reportValue(ctx, h, p, start)
			}
			return r, nil
		case entryNegative:
			return nil, t.negativeValue(ctx, p, start)
		case entryFailed:
			return nil, err
		}
	}
	if t.batcher != nil {
		return t.missBatchedHooked(ctx, key, p, seen, start)
	}
	pp, err := t.copyValue(ctx, p)
	if err == nil {
		err = t.admit(ctx, pp, start)
	}
	if err != nil {
		return nil, err
	}
	return t.miss(ctx, nil, pp, string(key), seen)
}

// lookupHot is Get's read of the hot-key layer, in place on the caller's key bytes. It answers entryCold when
// bigcache must be read (lookupCold), and entryMiss on a closed executor or an ended ctx, which missValue answers.
// A panic in generated code (Clone) is entryFailed, with err.
func (t *Task[P, R]) lookupHot(ctx context.Context, key []byte) (r *R, st entryState, err error) {
	if t.c.Cache.Load() == nil || ctx.Err() != nil {
		return nil, entryMiss, nil
	}
	if t.hot == nil {
		return nil, entryCold, nil
	}
	defer func() {
		if v := recover(); v != nil {
			r, st, err = nil, entryFailed, t.lookupPanic(v)
		}
	}()
	k := bytesView(key)
	if r, st, ok := t.hotHit(t.hot.slot(k), k, t.c.Nanos()); ok {
		return r, st, nil
	}
	return nil, entryCold, nil
}

// lookupCold is Get's read of bigcache, through a pooled copy of the key: bigcache may keep the key it is given
// (in a log line), which would move the caller's key buffer to the heap. What it finds goes into the hot-key layer
// (coldHit); when it finds nothing, the tiers added with WithTier are read (lookupFarCopy). The generated code it
// runs (Decode, Clone) cannot panic through it: a panic there makes the entry a miss (decode, cloneEntry).
//
// Its frame is kept small, and everything but the read is left to coldHit, because the read is the deepest point
// of a miss: on a fresh goroutine (a batched task's callers often are), every byte above it counts towards the
// starting stack that the miss would otherwise outgrow (a stack copy per lookup).
//
//go:noinline
func (t *Task[P, R]) lookupCold(ctx context.Context, key []byte) (*R, entryState) {
	bc := t.c.Cache.Load()
	if bc == nil {
		return nil, entryMiss
	}
	var epoch uint64
	if t.hot != nil {
		epoch = t.hot.slot(bytesView(key)).stripe.epoch.Load() // before the bigcache read: see hotLayer.fill
	}
	sc := t.c.GetScratch()
	sc.Key = append(sc.Key[:0], key...)
	b, ok, _ := bc.Get(context.Background(), bytesView(sc.Key))
	if !ok {
		t.c.PutScratch(sc)
		if t.c.Tiers != nil {
			return t.lookupFarCopy(ctx, key)
		}
		return nil, entryMiss
	}
	return t.coldHit(bc, sc, b, epoch)
}

// coldHit is lookupCold's answer from the entry b that bigcache holds for sc.Key; it returns sc to the pool.
//
//go:noinline
func (t *Task[P, R]) coldHit(bc *tier.Local, sc *core.Scratch, b []byte, epoch uint64) (*R, entryState) {
	var hs *hotSlot
	key := bytesView(sc.Key)
	if t.hot != nil {
		s := t.hot.slot(key)
		hs = &s
	}
	r, st := t.parseBig(bc, key, b, &sc.Rd, lookupFresh, t.c.Nanos(), hs, epoch)
	t.c.PutScratch(sc)
	return r, st
}

// lookupPanic is the error of a lookup whose generated code (Clone, Describe, ValidateParams, a hook) panicked.
//
//go:noinline
func (t *Task[P, R]) lookupPanic(v any) error {
	return t.taskErr(nil, 0, &core.PanicError{Where: "task " + t.s.Name, Value: v})
}

// copyValue copies the params of a lookup that missed to the heap, where the flight it may start keeps them. It
// fails the lookup when its ctx has ended or the executor is closed.
//
//go:noinline
func (t *Task[P, R]) copyValue(ctx context.Context, p P) (pp *P, err error) {
	pp = new(P)
	*pp = p
	if ctx.Err() != nil || t.c.Cache.Load() == nil {
		return nil, t.missFailed(ctx, pp)
	}
	return pp, nil
}

// missFailed is the error of a lookup that missed after its ctx ended or its executor closed. A panic in the
// generated code it runs (ValidateParams, Describe) becomes the error.
//
//go:noinline
func (t *Task[P, R]) missFailed(ctx context.Context, p *P) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = t.lookupPanic(v)
		}
	}()
	if ctx.Err() != nil {
		return t.fail(ctx, p, 0, core.CtxErr(ctx))
	}
	return t.checkClosed(ctx, p)
}

// reportValue is report for Get, which holds the params by value.
//
//go:noinline
func (t *Task[P, R]) reportValue(ctx context.Context, h func(context.Context, runtime.Event), p P, start time.Time) {
	t.report(ctx, h, &p, start)
}

// negativeValue answers Get from a negative entry.
//
//go:noinline
func (t *Task[P, R]) negativeValue(ctx context.Context, p P, start time.Time) error {
	if h := t.h.OnNegativeHit; h != nil {
		t.report(ctx, h, &p, start)
	}
	return t.fail(ctx, &p, 0, runtime.ErrNotFound)
}

// check answers p from the cache when it can, and validates it otherwise; on a miss it returns the cache key
// instead (keys are never empty), and Task.settled as it was before the lookup, for join. bc is nil after Close.
//
// Params are validated only when the cache cannot answer: an entry is written only for params that passed
// validation, and the key encodes the params injectively, so a hit proves them valid. That keeps validation
// (a regexp match, say) off the hit path.
func (t *Task[P, R]) check(ctx context.Context, bc *tier.Local, p *P, start time.Time) (*R, string, uint64, error) {
	if bc == nil {
		return nil, "", 0, t.checkClosed(ctx, p)
	}
	seen := t.settled.Load()
	sc := t.c.GetScratch()
	sc.Key = t.appendKey(sc.Key[:0], p)
	if t.readOn && len(sc.Key) <= maxKeyLen {
		r, st := t.lookup(bc, bytesView(sc.Key), &sc.Rd, lookupFresh)
		switch st {
		case entryHit:
			t.c.PutScratch(sc)
			if h := t.h.OnHit; h != nil {
				t.report(ctx, h, p, start)
			}
			return r, "", 0, nil
		case entryNegative:
			t.c.PutScratch(sc)
			if h := t.h.OnNegativeHit; h != nil {
				t.report(ctx, h, p, start)
			}
			return nil, "", 0, t.fail(ctx, p, 0, runtime.ErrNotFound)
		}
		if t.c.Tiers != nil {
			if r, ok, err := t.checkFar(ctx, sc, p, start); ok {
				return r, "", 0, err
			}
		}
	}
	key := string(sc.Key)
	t.c.PutScratch(sc)
	if err := t.admit(ctx, p, start); err != nil {
		return nil, "", 0, err
	}
	return nil, key, seen, nil
}

// The functions below keep cold work out of the frames of Do's common path: a caller on a fresh goroutine then
// stays within its starting stack instead of paying a stack copy per lookup.

// report calls a per-lookup hook.
//
//go:noinline
func (t *Task[P, R]) report(ctx context.Context, h func(context.Context, runtime.Event), p *P, start time.Time) {
	h(ctx, t.event(p, 0, time.Since(start), nil))
}

// Async runs Do in its own goroutine, which ends when Do does: cancelling ctx makes Do return promptly.
func (t *Task[P, R]) Async(ctx context.Context, p *P) *runtime.Future[R] {
	wrap := func(err error) error {
		if t == nil {
			return &runtime.TaskError{Err: err}
		}
		// Describe is generated code that runs on Await's caller: a panic in it becomes the error instead.
		return t.guard(p, func() error { return t.taskErr(p, 0, err) })
	}
	return runtime.NewFuture(seam.Token{}, func() (*R, error) { return t.Do(ctx, p) }, wrap)
}
