package engine

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/core"
	"github.com/reftask/reftask/runtime/internal/wire"

	"github.com/reftask/reftask/runtime/tier"
)

// flight is one coalesced source call shared by every caller that missed the same key.
// Unlike singleflight, callers may leave on their own ctx; the call runs on a ctx detached
// from them that is cancelled only when the last one has left.
type flight[R any] struct {
	done   chan struct{} // a batched flight shares its batch's; a leader-run flight gets one when a second caller joins
	ctx    context.Context
	cancel context.CancelFunc // nil for a batched flight, which runs on its batch's ctx

	// Guarded by Task.mu. The fields are laid out so that a batched key's storage (batchEntry) fits a smaller
	// size class: the small ones share words.
	waiters   int32
	unbounded int32                // waiters whose ctx has no deadline
	deadlines map[uint64]time.Time // waiter id -> deadline
	nextID    uint64
	link      batchLink[R] // set while the flight sits in a batch: its batch item
	noStore   bool         // set by Invalidate: the result may predate it
	gone      bool         // withdrawn from its batch: all its waiters left before the answer

	claimed atomic.Bool // the first waiter took val itself

	// Written by run (or runBatch) before done is closed, read-only afterwards.
	val      *R
	snap     *R     // a copy of val made before anyone got val, which later waiters get copies of (Clone)
	payload  []byte // encoded val, so that each waiter can get its own copy (without Clone)
	err      error
	attempts int
}

// batchLink is a batched flight's way back to its batch item, whose type also depends on the params type.
// An interface rather than a closure, so that joining a batch allocates nothing for it.
type batchLink[R any] interface {
	withdraw(f *flight[R])   // the flight's last waiter left; Task.mu held
	invalidate(f *flight[R]) // Invalidate unlisted the flight; Task.mu held
}

type waiter struct {
	id          uint64
	hasDeadline bool
}

// addWaiter must be called with Task.mu held.
func (f *flight[R]) addWaiter(ctx context.Context) waiter {
	f.waiters++
	f.nextID++
	w := waiter{id: f.nextID}
	if dl, ok := ctx.Deadline(); ok {
		if f.deadlines == nil {
			f.deadlines = map[uint64]time.Time{}
		}
		f.deadlines[w.id] = dl
		w.hasDeadline = true
	} else {
		f.unbounded++
	}
	return w
}

// join attaches the caller to the flight for key, starting one if needed. seen is the value of Task.settled
// before the caller's cache lookup: when a flight has stored an entry since, the cache is looked at again (outside
// Task.mu), so a result stored between the caller's miss and now is not fetched twice. A finishing flight counts
// itself in settled after its store and before it unlists itself, so finding no flight with settled unchanged
// means that no entry for key was stored after that lookup.
//
// lead is true when the caller must run the new flight itself, on its own goroutine (see startFlight). join is for
// unbatched tasks: a batched task's lookups go to the batching stage (awaitWindow, batch.go).
func (t *Task[P, R]) join(ctx context.Context, bc *tier.Local, p *P, key string, seen uint64) (f *flight[R], w waiter, lead bool, r *R, st entryState) {
	for {
		if now := t.settled.Load(); now != seen {
			seen = now
			if t.readOn && len(key) <= maxKeyLen {
				if r, st := t.lookupFresh(bc, key); st != entryMiss {
					return nil, waiter{}, false, r, st
				}
			}
		}
		t.mu.Lock()
		f = t.flights[key]
		if f == nil {
			if t.settled.Load() != seen {
				t.mu.Unlock()
				continue
			}
			f, lead = t.startFlight(ctx, bc, p, key)
		}
		w = f.addWaiter(ctx)
		if !lead && f.done == nil {
			f.done = make(chan struct{}) // a leader-run flight's first other caller: it needs something to wait on
		}
		t.mu.Unlock()
		return f, w, lead, nil, entryMiss
	}
}

// joinLocked attaches the caller to the flight for key, starting one if there is none; the caller has looked at the
// cache. A new flight of a batched task goes into into, or into the task's current batch window when into is nil;
// e, when not nil, is the new flight's storage, with the params already copied. run is a window that the new
// flight filled: the caller starts it once Task.mu is released. Task.mu must be held.
func (t *Task[P, R]) joinLocked(ctx context.Context, bc *tier.Local, p *P, key string, into *batch[P, R], e *batchEntry[P, R]) (f *flight[R], w waiter, run *batch[P, R]) {
	f = t.flights[key]
	if f == nil {
		if t.batcher != nil {
			if e == nil {
				e = &batchEntry[P, R]{p: *p}
			}
			f = &e.f
			t.flights[key] = f
			run = t.enqueue(ctx, into, bc, e, key)
		} else {
			var lead bool
			if f, lead = t.startFlight(ctx, bc, p, key); lead {
				// DoMany waits for its flights on other goroutines: it cannot lead one.
				f.done = make(chan struct{})
				go t.run(f, bc, p, key)
			}
		}
	}
	if f.done == nil {
		f.done = make(chan struct{})
	}
	return f, f.addWaiter(ctx), run
}

// startFlight lists a new flight of an unbatched task for key. p must not change afterwards: the flight keeps
// it. Task.mu must be held.
//
// When the caller's ctx can never end (ctx.Done() is nil) the caller cannot leave before the flight is over, so
// it runs the flight itself (lead is true) on the ctx it has: no goroutine, no handoff, no detached ctx. Otherwise
// the flight runs on a goroutine of its own, on a ctx detached from the caller's that is cancelled when its last
// waiter leaves.
func (t *Task[P, R]) startFlight(ctx context.Context, bc *tier.Local, p *P, key string) (f *flight[R], lead bool) {
	if ctx.Done() == nil {
		f = &flight[R]{ctx: ctx}
		t.flights[key] = f
		return f, true
	}
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f = &flight[R]{done: make(chan struct{}), ctx: fctx, cancel: cancel}
	t.flights[key] = f
	go t.run(f, bc, p, key)
	return f, false
}

// lookupFresh is lookup with a Reader of its own, kept out of join's frame.
//
//go:noinline
func (t *Task[P, R]) lookupFresh(bc *tier.Local, key string) (*R, entryState) {
	var rd wire.Reader
	return t.lookup(bc, key, &rd, lookupFresh)
}

// leave detaches a waiter; the last one out cancels the flight and unlists it so that nobody joins a dying call.
func (t *Task[P, R]) leave(f *flight[R], key string, w waiter) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f.waiters--
	if w.hasDeadline {
		delete(f.deadlines, w.id)
	} else {
		f.unbounded--
	}
	if f.waiters == 0 {
		if f.cancel != nil {
			f.cancel()
		}
		if t.flights[key] == f {
			delete(t.flights, key)
		}
		if f.link != nil {
			f.link.withdraw(f)
		}
	}
}

// fits reports whether some waiter can still use an attempt that starts after d.
func (t *Task[P, R]) fits(f *flight[R], d time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f.waiters == 0 {
		return false
	}
	if f.unbounded > 0 {
		return true
	}
	var latest time.Time
	for _, dl := range f.deadlines {
		if dl.After(latest) {
			latest = dl
		}
	}
	return !time.Now().Add(d + t.s.Timeout).After(latest)
}

// run performs the flight: retried source call, result validation and cache write.
func (t *Task[P, R]) run(f *flight[R], bc *tier.Local, p *P, key string) {
	var entry []byte
	var sc *core.Scratch
	if t.s.Clone != nil {
		// Waiters get clones rather than decoded copies, so the entry is only read by the store (bigcache copies
		// it) and can be encoded into a pooled buffer.
		sc = t.c.GetScratch()
	}
	func() {
		defer func() {
			if v := recover(); v != nil {
				f.val, f.err, entry, f.payload = nil, runtime.Permanent(&core.PanicError{Where: "task " + t.s.Name, Value: v}), nil, nil
			}
		}()
		f.val, f.attempts, f.err = t.fetch(f, p)
		if f.err == nil || runtime.IsNotFound(f.err) {
			var dst []byte
			if sc != nil {
				dst = sc.Entry[:0]
			}
			entry = t.appendEntry(dst, f.val, f.err != nil)
		}
		switch {
		case f.err != nil || !t.storeOK:
		case t.s.Clone != nil:
			// Waiters other than the first get clones (see snapshot below).
		case entry != nil:
			f.payload = entry[entryHeaderSz:]
		default:
			// Not cached, but coalesced callers still need their own copies.
			f.payload = t.s.Encode(nil, f.val)
		}
	}()
	// With added tiers, storeMu is held from the local store to the last added-tier write (see tiers.go).
	far := entry != nil && len(t.c.Tiers) > 0
	if far {
		t.storeMu.RLock()
	}
	t.mu.Lock()
	// Store before unlisting the flight: a caller that finds no flight then finds the entry.
	stored := entry != nil && !f.noStore && len(key) <= maxKeyLen
	if stored {
		t.storeLocal(bc, key, entry)
		if t.hot != nil {
			// The layer is filled by the first hit, not here: a key looked up once pays nothing for it. What it may
			// hold for key is older than this entry, and a fill that read bigcache before the store must not land.
			t.hot.drop(key)
		}
	}
	if t.flights[key] == f {
		delete(t.flights, key)
	}
	t.settled.Add(1) // after the store, before anyone can see the flight gone: see join
	// The flight is unlisted: nobody joins it anymore, so the waiters counted now are all it will have.
	copies := f.waiters > 1 && f.snap == nil && f.payload == nil && f.err == nil && t.s.Clone != nil
	done := f.done // nil when nobody but the leader ever waited
	t.mu.Unlock()
	if copies {
		t.snapshot(f)
	}
	if f.cancel != nil {
		f.cancel()
	}
	if done != nil {
		close(done)
	}
	if far {
		// After the waiters have their answer: an added tier's latency is not theirs.
		if stored {
			t.storeFar(f.ctx, key, entry)
		}
		t.storeMu.RUnlock()
	}
	if sc != nil {
		if entry != nil {
			sc.Entry = entry[:0]
		}
		t.c.PutScratch(sc)
	}
}

// snapshot copies a flight's result for waiters other than the first, before any of them has it.
//
//go:noinline
func (t *Task[P, R]) snapshot(f *flight[R]) {
	defer func() {
		if v := recover(); v != nil {
			f.val, f.err = nil, runtime.Permanent(&core.PanicError{Where: "task " + t.s.Name, Value: v})
		}
	}()
	f.snap = t.s.Clone(f.val)
}

// result gives the first waiter the fetched value and every other one its own decoded copy,
// so that callers never share a mutable result.
func (t *Task[P, R]) result(f *flight[R]) *R {
	if f.claimed.CompareAndSwap(false, true) || f.payload == nil && f.snap == nil {
		return f.val
	}
	return t.copyResult(f)
}

// copyResult makes a waiter's own copy of a flight's result.
//
//go:noinline
func (t *Task[P, R]) copyResult(f *flight[R]) *R {
	if f.snap != nil {
		return t.s.Clone(f.snap)
	}
	var rd wire.Reader
	if r, ok := t.decode(&rd, f.payload); ok {
		return r
	}
	return f.val
}

// fetch runs the task's source pipeline (stage.go) on the flight's ctx.
func (t *Task[P, R]) fetch(f *flight[R], p *P) (*R, int, error) {
	if t.s.Fetch == nil {
		return nil, 0, runtime.Permanent(errors.New("reftask: task has no source"))
	}
	ex := &exec[P, R]{t: t, ctx: f.ctx, p: p, f: f}
	r, err := t.call(f.ctx, ex)
	return r, ex.attempt, err
}

// miss serves a caller whose lookup missed: wait for the flight (or leave on ctx), then fall back as needed.
// seen is Task.settled as it was before the caller's cache lookup (see join). p is the caller's own copy of its
// params, which a flight the caller starts may keep. bc nil means the executor's current cache: ErrClosed when
// there is none. miss is for unbatched tasks; a batched task's lookups go to the batching stage (awaitWindow).
// A panic in the generated code it runs (Clone, Describe, a hook) becomes the error.
func (t *Task[P, R]) miss(ctx context.Context, bc *tier.Local, p *P, key string, seen uint64) (res *R, err error) {
	defer func() {
		if v := recover(); v != nil {
			res, err = nil, t.lookupPanic(v)
		}
	}()
	if bc == nil {
		if bc = t.c.Cache.Load(); bc == nil {
			return nil, t.fail(ctx, p, 0, runtime.ErrClosed)
		}
	}
	f, w, lead, r, st := t.join(ctx, bc, p, key, seen)
	switch st {
	case entryHit:
		return r, nil
	case entryNegative:
		return nil, t.fail(ctx, p, 0, runtime.ErrNotFound)
	}
	if lead {
		t.run(f, bc, p, key)
		return t.settle(ctx, bc, p, key, f)
	}
	if done := ctx.Done(); done == nil {
		// A ctx that cannot end needs no select, whose frame is large enough to make a fresh goroutine's stack grow.
		<-f.done
	} else {
		select {
		case <-f.done:
		case <-done:
			select {
			case <-f.done:
			default:
				t.leave(f, key, w)
				return nil, t.fail(ctx, p, 0, core.CtxErr(ctx))
			}
		}
	}
	return t.settle(ctx, bc, p, key, f)
}

// missCopy is miss for a caller whose params may change once it leaves: it copies them first, for a batched task
// into the new flight's storage, which the batching stage takes (awaitWindow).
func (t *Task[P, R]) missCopy(ctx context.Context, bc *tier.Local, p *P, key string, seen uint64) (*R, error) {
	if t.batcher != nil {
		return t.awaitWindow(ctx, &batchEntry[P, R]{p: *p}, key, seen)
	}
	pc := new(P)
	*pc = *p
	return t.miss(ctx, bc, pc, key, seen)
}

// settle answers a caller from a finished flight: its result, or else a stale entry or the fallbacks.
func (t *Task[P, R]) settle(ctx context.Context, bc *tier.Local, p *P, key string, f *flight[R]) (*R, error) {
	if f.err == nil {
		return t.result(f), nil
	}
	return t.settleFailed(ctx, bc, p, key, f)
}
