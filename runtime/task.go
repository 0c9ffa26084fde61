package runtime

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/allegro/bigcache/v3"
)

// CachePolicy says how long results stay cached; TTL 0 disables caching of results.
type CachePolicy struct {
	TTL          time.Duration // how long a result is fresh
	NegativeTTL  time.Duration // how long a not-found answer is remembered; 0 = not at all
	StaleIfError time.Duration // how long past expiry an entry may still be served when the source fails
}

// RetryPolicy controls retries of transient source errors. Attempts 0 is treated as 1,
// and MaxDelay 0 as 30s so that backoff always stays bounded.
type RetryPolicy struct {
	Attempts     uint
	InitialDelay time.Duration
	MaxDelay     time.Duration
	Jitter       bool // randomise each delay within [delay/2, delay] to spread retries of many clients
}

const defaultMaxDelay = 30 * time.Second

func (p RetryPolicy) normalized() RetryPolicy {
	if p.Attempts == 0 {
		// retry-go reads 0 as "retry forever".
		p.Attempts = 1
	}
	if p.InitialDelay < 0 {
		p.InitialDelay = 0
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = defaultMaxDelay
	}
	return p
}

// delay returns the pause after the n-th failed attempt (n ≥ 1): exponential from InitialDelay,
// capped at MaxDelay, then jittered.
func (p RetryPolicy) delay(n int) time.Duration {
	d := p.InitialDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		if d > p.MaxDelay/2 {
			d = p.MaxDelay
			break
		}
		d *= 2
	}
	d = min(d, p.MaxDelay)
	if p.Jitter && d > 1 {
		d = d/2 + rand.N(d/2+1)
	}
	return d
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
	Decode         func(rd *Reader) *R                         // cache decoding; the runtime checks rd.Err
	Fetch          func(ctx context.Context, p *P) (*R, error) // the source; ErrNotFound = not found
	Fallbacks      []Fallback[P, R]
	Batch          *BatchPolicy[P, R] // nil = no batching: each miss calls Fetch
}

// Fallback is tried, in order, when the source failed after retries and no stale entry could be served.
type Fallback[P, R any] struct {
	Name string
	Fn   func(ctx context.Context, p *P) (*R, error)
}

// FallbackTask falls back to another task with the same params and result types.
func FallbackTask[P, R any](t *Task[P, R]) Fallback[P, R] {
	return Fallback[P, R]{Name: "task " + t.Name(), Fn: func(ctx context.Context, p *P) (*R, error) {
		// A task already in this fallback chain would recurse forever.
		for c, _ := ctx.Value(fallbackChainKey{}).(*fallbackChain); c != nil; c = c.next {
			if c.task == any(t) {
				return nil, Permanent(fmt.Errorf("reftask: fallback cycle through task %s", t.Name()))
			}
		}
		return t.Do(ctx, p)
	}}
}

// FallbackValue falls back to a value made fresh by v on each call, so callers never share it.
func FallbackValue[P, R any](name string, v func() *R) Fallback[P, R] {
	return Fallback[P, R]{Name: name, Fn: func(context.Context, *P) (*R, error) {
		if v == nil {
			return nil, errors.New("reftask: nil fallback value func")
		}
		return v(), nil
	}}
}

type fallbackChainKey struct{}

type fallbackChain struct {
	task any
	next *fallbackChain
}

// Task is one task bound to an Executor; it is safe for concurrent use.
type Task[P, R any] struct {
	x       *Executor
	s       TaskSpec[P, R]
	retry   RetryPolicy
	prefix  []byte // length-prefixed name and version
	gen     *atomic.Uint64
	readOn  bool // some entries may exist: look them up
	storeOK bool // results can be encoded and decoded

	mu      sync.Mutex // guards flights and the waiter bookkeeping inside them, and the batcher's state
	flights map[string]*flight[R]
	batcher *batcher[P, R] // nil unless the spec has a Batch policy
	// settled counts finished flights, each after its cache store and before it unlists itself; join uses it to
	// skip a second cache lookup when nothing can have been stored since the caller's.
	settled atomic.Uint64
	// storeMu lets batches write the cache outside mu: they hold it shared while they decide and store, and
	// Invalidate holds it exclusively, so that no store decided before an Invalidate lands after it.
	storeMu sync.RWMutex
}

// NewTask binds a spec to an executor and registers its name for InvalidateTask.
func NewTask[P, R any](x *Executor, s TaskSpec[P, R]) *Task[P, R] {
	t := &Task[P, R]{
		x:       x,
		s:       s,
		retry:   s.Retry.normalized(),
		flights: map[string]*flight[R]{},
	}
	t.prefix = AppendString(AppendString(nil, s.Name), s.Version)
	t.storeOK = s.Encode != nil && s.Decode != nil
	t.readOn = t.storeOK && s.Cache.TTL > 0 || s.Cache.NegativeTTL > 0
	if s.Batch != nil {
		t.batcher = newBatcher(*s.Batch)
	}
	if x != nil {
		t.gen = x.generation(s.Name)
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
	t.storeMu.Lock()
	defer t.storeMu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.flights[string(key)]; f != nil {
		if f.link != nil {
			f.link.invalidate(f)
		}
		f.noStore = true
		delete(t.flights, string(key))
	}
	if bc := t.x.cache.Load(); bc != nil && len(key) <= maxKeyLen {
		_ = bc.Delete(string(key)) // ErrEntryNotFound is the only error and means there is nothing to drop
	}
}

// appendKey builds the cache key; every part is length-prefixed so that distinct inputs never share a key.
func (t *Task[P, R]) appendKey(dst []byte, p *P) []byte {
	dst = append(dst, t.prefix...)
	dst = appendUvarint(dst, t.gen.Load())
	n := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	if t.s.AppendKey != nil {
		dst = t.s.AppendKey(dst, p)
	}
	l := uint32(len(dst) - n - 4)
	dst[n], dst[n+1], dst[n+2], dst[n+3] = byte(l>>24), byte(l>>16), byte(l>>8), byte(l)
	return dst
}

func (t *Task[P, R]) describe(p *P) string {
	if t.s.Describe == nil || p == nil {
		return ""
	}
	return t.s.Describe(p)
}

func (t *Task[P, R]) event(p *P, attempt int, d time.Duration, err error) Event {
	return Event{Task: t.s.Name, Key: t.describe(p), Attempt: attempt, Duration: d, Err: err}
}

// taskErr wraps err for the caller without reporting it.
func (t *Task[P, R]) taskErr(p *P, attempts int, err error) *TaskError {
	return &TaskError{Task: t.s.Name, Key: t.describe(p), Attempts: attempts, Err: err}
}

// fail wraps err and reports it to OnError; not-found is an answer, not a failure, so it is not reported.
func (t *Task[P, R]) fail(ctx context.Context, p *P, attempts int, err error) error {
	te := t.taskErr(p, attempts, err)
	if h := t.x.hooks.OnError; h != nil && !IsNotFound(err) {
		h(ctx, Event{Task: te.Task, Key: te.Key, Attempt: attempts, Err: err})
	}
	return te
}

// ctxErr returns ctx.Err, adding the cancellation cause when there is a distinct one.
func ctxErr(ctx context.Context) error {
	err := ctx.Err()
	if c := context.Cause(ctx); c != nil && c != err {
		return fmt.Errorf("%w: %w", err, c)
	}
	return err
}

// Do returns the result for p: from the cache when fresh, else from one coalesced, retried source call,
// else a stale entry or a fallback. Every error is a *TaskError.
func (t *Task[P, R]) Do(ctx context.Context, p *P) (res *R, err error) {
	if t == nil || t.x == nil {
		return nil, &TaskError{Err: errors.New("reftask: task not bound to an executor")}
	}
	// The clock is read for the lookup hooks only when one is set: the
	// freshness check reads it anyway, and a hit should read it once.
	var start time.Time
	if h := &t.x.hooks; h.OnHit != nil || h.OnNegativeHit != nil || h.OnMiss != nil {
		start = time.Now()
	}
	defer func() {
		if v := recover(); v != nil {
			res, err = nil, t.taskErr(nil, 0, &panicError{where: "task " + t.s.Name, value: v})
		}
	}()
	if p == nil {
		p = new(P)
	}
	if ctx.Err() != nil {
		return nil, t.fail(ctx, p, 0, ctxErr(ctx))
	}
	bc := t.x.cache.Load()
	r, key, seen, err := t.check(ctx, bc, p, start)
	if key == "" {
		return r, err
	}
	return t.miss(ctx, bc, p, key, seen)
}

// check answers p from the cache when it can, and validates it otherwise; on a miss it returns the cache key
// instead (keys are never empty), and Task.settled as it was before the lookup, for join. bc is nil after Close.
//
// Params are validated only when the cache cannot answer: an entry is written only for params that passed
// validation, and the key encodes the params injectively, so a hit proves them valid. That keeps validation
// (a regexp match, say) off the hit path.
func (t *Task[P, R]) check(ctx context.Context, bc *bigcache.BigCache, p *P, start time.Time) (*R, string, uint64, error) {
	if bc == nil {
		return nil, "", 0, t.checkClosed(ctx, p)
	}
	seen := t.settled.Load()
	sc := t.x.scratch.Get().(*scratch)
	sc.key = t.appendKey(sc.key[:0], p)
	if t.readOn && len(sc.key) <= maxKeyLen {
		r, st := t.lookup(bc, bytesView(sc.key), &sc.rd, lookupFresh)
		switch st {
		case entryHit:
			t.x.putScratch(sc)
			if h := t.x.hooks.OnHit; h != nil {
				t.report(ctx, h, p, start)
			}
			return r, "", 0, nil
		case entryNegative:
			t.x.putScratch(sc)
			if h := t.x.hooks.OnNegativeHit; h != nil {
				t.report(ctx, h, p, start)
			}
			return nil, "", 0, t.fail(ctx, p, 0, ErrNotFound)
		}
	}
	if t.s.ValidateParams != nil {
		if err := t.s.ValidateParams(p); err != nil {
			t.x.putScratch(sc)
			return nil, "", 0, t.invalidParams(ctx, p, err)
		}
	}
	key := string(sc.key)
	t.x.putScratch(sc)
	if h := t.x.hooks.OnMiss; h != nil {
		t.report(ctx, h, p, start)
	}
	return nil, key, seen, nil
}

// checkClosed answers a lookup on a closed executor: invalid params still get their validation error.
//
//go:noinline
func (t *Task[P, R]) checkClosed(ctx context.Context, p *P) error {
	if t.s.ValidateParams != nil {
		if err := t.s.ValidateParams(p); err != nil {
			return t.invalidParams(ctx, p, err)
		}
	}
	return t.fail(ctx, p, 0, ErrClosed)
}

// The functions below keep cold work out of the frames of Do's common path: a caller on a fresh goroutine then
// stays within its starting stack instead of paying a stack copy per lookup.

// invalidParams reports params that failed validation.
//
//go:noinline
func (t *Task[P, R]) invalidParams(ctx context.Context, p *P, err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		ve.Task, ve.Which = t.s.Name, "params"
	}
	return t.fail(ctx, p, 0, err)
}

// report calls a per-lookup hook.
//
//go:noinline
func (t *Task[P, R]) report(ctx context.Context, h func(context.Context, Event), p *P, start time.Time) {
	h(ctx, t.event(p, 0, time.Since(start), nil))
}

// Future is the pending result of Task.Async.
type Future[R any] struct {
	done chan struct{}
	res  *R
	err  error
	wrap func(error) error // turns an Await cancellation into a *TaskError
}

// Async runs Do in its own goroutine, which ends when Do does: cancelling ctx makes Do return promptly.
func (t *Task[P, R]) Async(ctx context.Context, p *P) *Future[R] {
	f := &Future[R]{done: make(chan struct{})}
	f.wrap = func(err error) error {
		if t == nil {
			return &TaskError{Err: err}
		}
		return t.taskErr(p, 0, err)
	}
	go func() {
		defer close(f.done)
		f.res, f.err = t.Do(ctx, p)
	}()
	return f
}

// Await waits for the result, or returns early with an error wrapping ctx.Err when ctx ends first.
func (f *Future[R]) Await(ctx context.Context) (*R, error) {
	select {
	case <-f.done:
		return f.res, f.err
	case <-ctx.Done():
		select {
		case <-f.done:
			return f.res, f.err
		default:
		}
		return nil, f.wrap(ctxErr(ctx))
	}
}

// Done is closed once the result is available.
func (f *Future[R]) Done() <-chan struct{} { return f.done }
