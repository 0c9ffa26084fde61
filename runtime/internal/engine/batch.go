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

// BatchPolicy is the batch form of a task: misses are answered by one FetchMany call for many keys.
type BatchPolicy[P, R any] struct {
	MaxSize     int           // keys per source call; values below 1 mean 1
	Wait        time.Duration // how long the first waiting key waits for company
	Concurrency int           // chunks of one DoMany call in flight at once; 0 = 4
	// FetchMany answers for distinct params at once (ps never holds two params with the same cache key).
	// It returns one result per params, in order; a nil result means not found for that key.
	// A non-nil error fails the whole call (it is retried as a whole per the task's RetryPolicy);
	// ErrNotFound as the error means not found for every key.
	FetchMany func(ctx context.Context, ps []*P) ([]*R, error)
}

const defaultBatchConcurrency = 4

// batcher holds a batched task's policy and the window that is still collecting keys.
// There is no goroutine per task: the first key of a window arms a timer, and whichever of the timer
// or the key that fills the window comes first runs the batch in a goroutine that ends with it.
type batcher[P, R any] struct {
	pol    BatchPolicy[P, R]
	window *batch[P, R] // guarded by Task.mu; nil when no window is open
	// scratch holds *batchScratch: the per-batch buffers of runBatch, reused by the next batch.
	scratch sync.Pool
}

// batchScratch is what runBatch needs only while it runs: the keys it asks for, their outcomes and the buffer their
// cache entries are encoded into. Nothing keeps a reference into it once the batch is over: bigcache copies what it
// stores, and a flight whose result needs copying for more than one caller gets a payload of its own.
type batchScratch[P, R any] struct {
	items []*batchItem[P, R]
	outs  []batchOutcome[R]
	buf   []byte
}

func newBatcher[P, R any](pol BatchPolicy[P, R]) *batcher[P, R] {
	pol.MaxSize = max(pol.MaxSize, 1)
	pol.Wait = max(pol.Wait, 0)
	if pol.Concurrency <= 0 {
		pol.Concurrency = defaultBatchConcurrency
	}
	return &batcher[P, R]{pol: pol}
}

type batchState int

const (
	batchCollecting batchState = iota // a window waiting for keys
	batchRunning                      // keys fixed; FetchMany may be under way
	batchDone                         // answered, or abandoned by all its flights before it ran
)

// batch is one FetchMany call and the flights it answers.
type batch[P, R any] struct {
	t      *Task[P, R]
	ctx    context.Context // detached from callers; cancelled once every flight has left or the batch is done
	cancel context.CancelFunc
	bc     *tier.Local
	first  time.Time     // when the first key arrived
	done   chan struct{} // every flight's done: closed once all of them have their answers
	ex     exec[P, R]    // the FetchMany call's execution, kept here so that it costs no allocation of its own

	// Guarded by Task.mu. order only grows while the batch is collecting, and is read without the lock once it runs.
	state batchState
	timer *time.Timer // flushes a window; nil for DoMany chunks
	order []*batchItem[P, R]
	live  int // items that still have a flight
	// unlisted holds the items whose flight Invalidate unlisted while the batch was collecting, so that a new
	// flight for the same key joins the item and the key is still asked once. nil until that happens.
	unlisted map[string]*batchItem[P, R]
}

// batchItem is one distinct cache key of a batch.
type batchItem[P, R any] struct {
	b   *batch[P, R]
	key string
	p   *P
	// Usually one flight; more only when Invalidate unlisted the key's flight and a new caller started another
	// one before the batch ran. Both are answered by the same call, so the key is still asked once. Flights are
	// only added while the batch collects: withdrawn ones stay, marked gone.
	flights []*flight[R]
	one     [1]*flight[R] // flights' first backing array, so that the usual single flight costs no allocation
	// live counts the flights not gone (written under Task.mu, read by runBatch without it). store counts those
	// not gone and not invalidated: the answer is cached only while it is above zero.
	live, store atomic.Int32
}

// batchEntry is the storage of a batched key that starts a flight: the flight, its batch item and its own copy
// of the params (the caller may reuse its params once it leaves), in one allocation.
type batchEntry[P, R any] struct {
	f  flight[R]
	it batchItem[P, R]
	p  P
}

func (t *Task[P, R]) newBatch(parent context.Context, bc *tier.Local) *batch[P, R] {
	// Like a flight, a batch outlives any one caller but keeps the first one's values (trace ids).
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	return &batch[P, R]{t: t, ctx: ctx, cancel: cancel, bc: bc, first: time.Now(), done: make(chan struct{}),
		order: make([]*batchItem[P, R], 0, t.batcher.pol.MaxSize)}
}

// enqueue puts the new flight e.f into b, or into the task's window when b is nil, and returns the window when
// it now holds MaxSize keys: the caller runs it once Task.mu is released. Task.mu must be held.
func (t *Task[P, R]) enqueue(ctx context.Context, b *batch[P, R], bc *tier.Local, e *batchEntry[P, R], key string) (run *batch[P, R]) {
	window := b == nil
	if window {
		b = t.batcher.window
		if b == nil {
			b = t.newBatch(ctx, bc)
			t.batcher.window = b
			b.timer = time.AfterFunc(t.batcher.pol.Wait, func() { t.flushWindow(b) })
		}
	}
	f := &e.f
	f.done = b.done
	it := b.unlisted[key] // a nil map reads as empty
	if it == nil {
		it = &e.it
		it.b, it.key, it.p = b, key, &e.p
		it.flights = it.one[:0]
		b.order = append(b.order, it)
	}
	if it.live.Load() == 0 {
		b.live++
	}
	it.live.Add(1)
	it.store.Add(1)
	it.flights = append(it.flights, f)
	f.link = it
	if window && b.live >= t.batcher.pol.MaxSize {
		t.batcher.window = nil
		b.state = batchRunning
		b.timer.Stop() // if it already fired, flushWindow sees batchRunning and does nothing
		return b
	}
	return nil
}

// flushWindow runs a window whose Wait has passed, unless it already ran or was abandoned.
func (t *Task[P, R]) flushWindow(b *batch[P, R]) {
	t.mu.Lock()
	if b.state != batchCollecting {
		t.mu.Unlock()
		return
	}
	b.state = batchRunning
	if t.batcher.window == b {
		t.batcher.window = nil
	}
	t.mu.Unlock()
	t.runBatch(b)
}

// withdraw takes a flight whose callers have all left out of its batch; a batch left without flights
// is dropped before it runs, or cancelled while it runs. Task.mu must be held.
func (it *batchItem[P, R]) withdraw(f *flight[R]) {
	b := it.b
	if f.gone || b.state == batchDone {
		return
	}
	f.gone = true
	if !f.noStore {
		it.store.Add(-1)
	}
	if it.live.Add(-1) > 0 {
		return
	}
	b.live--
	if b.live > 0 {
		return
	}
	if b.state == batchCollecting {
		b.timer.Stop()
		if b.t.batcher.window == b {
			b.t.batcher.window = nil
		}
		b.state = batchDone
	}
	b.cancel()
}

// invalidate keeps the flight's answer out of the cache, and lets a new flight for the key join the item while
// the batch still collects. Task.mu must be held.
func (it *batchItem[P, R]) invalidate(f *flight[R]) {
	b := it.b
	if f.noStore || b.state == batchDone {
		return
	}
	if !f.gone {
		it.store.Add(-1)
	}
	if b.state == batchCollecting {
		if b.unlisted == nil {
			b.unlisted = map[string]*batchItem[P, R]{}
		}
		b.unlisted[it.key] = it
	}
}

// batchOutcome is what one key of a batch gets; the fields mirror those run fills in a flight.
type batchOutcome[R any] struct {
	val     *R
	err     error
	entry   []byte // cache entry to store, nil when nothing is stored
	payload []byte // encoded val, so that each waiter can get its own copy
	scratch bool   // payload lies in the batch's scratch buffer: a flight that keeps it needs a copy
	copies  bool   // not cached: runBatch makes a copy of val for other callers, when the key has more than one
}

// runBatch makes the batch's FetchMany call, caches each answer and hands every flight still in the
// batch its own outcome. The caller has set b.state to batchRunning, so b.order no longer changes.
func (t *Task[P, R]) runBatch(b *batch[P, R]) {
	defer b.cancel()
	sc, _ := t.batcher.scratch.Get().(*batchScratch[P, R])
	if sc == nil {
		sc = &batchScratch[P, R]{}
	}
	items := sc.items[:0]
	// ps is handed to FetchMany, which may keep it: not scratch.
	ps := make([]*P, 0, len(b.order))
	for _, it := range b.order {
		// A flight that leaves after this is still asked for; its answer is then ignored.
		if it.live.Load() > 0 {
			items = append(items, it)
			ps = append(ps, it.p)
		}
	}
	var outs []batchOutcome[R]
	attempts := 0
	// With added tiers, storeMu stays held until they are written, after the waiters have their answers (tiers.go).
	var far []int // items to write to the added tiers
	farHeld := false
	if len(items) > 0 {
		outs, attempts = t.answerBatch(b, ps, sc)
		// The stores need no Task.mu (bigcache has its own locks), only to stay ordered with Invalidate, which
		// storeMu does. Flights that left meanwhile are not counted in store: an answer nobody waits for
		// anymore is not cached, as Invalidate could no longer reach it to stop the store.
		t.storeMu.RLock()
		for i, it := range items {
			if o := &outs[i]; o.entry != nil && it.store.Load() > 0 && len(it.key) <= maxKeyLen {
				t.storeLocal(b.bc, it.key, o.entry) // too large for a shard: simply not cached
				if t.hot != nil {
					t.hot.drop(it.key) // as run does: see hotLayer
				}
				if len(t.c.Tiers) > 0 {
					far = append(far, i)
				}
			}
		}
		if farHeld = len(far) > 0; !farHeld {
			t.storeMu.RUnlock()
		}
	}

	copies := false
	t.mu.Lock()
	for i, it := range items {
		o := &outs[i]
		n := 0
		payload := o.payload
		if o.scratch && payload != nil || o.copies {
			// The flights are unlisted here, so their waiters are all counted: a copy of the result is needed only
			// when more than one caller is handed this key's result (result gives the value itself to the first and
			// copies to the others).
			w := 0
			for _, f := range it.flights {
				if !f.gone {
					w += int(f.waiters)
				}
			}
			switch {
			case w <= 1:
				payload, o.copies = nil, false
			case o.scratch:
				payload = append([]byte(nil), payload...)
			default:
				copies = true // made below, outside Task.mu: Clone and Encode are generated code
			}
		}
		for _, f := range it.flights {
			if f.gone {
				continue
			}
			f.val, f.err, f.payload, f.attempts = o.val, o.err, payload, attempts
			if n > 0 {
				// Only one flight may hand out val itself; the others' callers all decode copies.
				f.claimed.Store(true)
			}
			n++
			if t.flights[it.key] == f {
				delete(t.flights, it.key)
			}
		}
	}
	b.state = batchDone
	t.settled.Add(1) // after the stores, as the flights are unlisted: see join
	t.mu.Unlock()
	if copies {
		// The batch is done, so its flights' fields no longer change (withdraw and invalidate see batchDone) and
		// nobody reads them before done is closed.
		for i, it := range items {
			if o := &outs[i]; o.copies {
				snap, payload, err := t.copyOutcome(o.val)
				for _, f := range it.flights {
					if f.gone {
						continue
					}
					if err != nil {
						f.val, f.err = nil, err
					} else {
						f.snap, f.payload = snap, payload
					}
				}
			}
		}
	}
	close(b.done)
	if farHeld {
		t.storeFarBatch(b.ctx, items, outs, far)
		t.storeMu.RUnlock()
	}
	t.putScratch(sc, items, outs)
}

// storeFarBatch writes a batch's stored entries to every added tier. A tier that fails a write is skipped for
// the rest of the batch, so that a tier in trouble costs one timeout per batch rather than one per key.
func (t *Task[P, R]) storeFarBatch(ctx context.Context, items []*batchItem[P, R], outs []batchOutcome[R], far []int) {
	now := t.c.Nanos()
	for _, tr := range t.c.Tiers {
		for _, i := range far {
			h, _, ok := parseEntry(outs[i].entry)
			if !ok {
				continue
			}
			if err := t.c.TierSet(ctx, tr, items[i].key, outs[i].entry, expiryOf(h, now)); err != nil {
				break
			}
		}
	}
}

// putScratch returns a batch's scratch to the pool, without references that would keep results or params alive.
func (t *Task[P, R]) putScratch(sc *batchScratch[P, R], items []*batchItem[P, R], outs []batchOutcome[R]) {
	clear(items)
	sc.items = items[:0]
	if cap(outs) >= cap(sc.outs) {
		sc.outs = outs[:0]
	}
	clear(sc.outs[:cap(sc.outs)])
	if cap(sc.buf) > 64<<10 {
		sc.buf = nil // an unusually large batch: do not keep its buffer
	}
	t.batcher.scratch.Put(sc)
}

// answerBatch calls the batch source and works out each key's outcome. Like run, it turns a panic (in a hook,
// say) into every key's error, so that no flight is left waiting.
func (t *Task[P, R]) answerBatch(b *batch[P, R], ps []*P, sc *batchScratch[P, R]) (outs []batchOutcome[R], attempts int) {
	defer func() {
		if v := recover(); v != nil {
			err := runtime.Permanent(&core.PanicError{Where: "task " + t.s.Name, Value: v})
			outs = make([]batchOutcome[R], len(ps))
			for i := range outs {
				outs[i].err = err
			}
		}
	}()
	start := time.Now()
	rs, attempts, err := t.fetchMany(b, ps)
	dur := time.Since(start)
	if cap(sc.outs) >= len(ps) {
		outs = sc.outs[:len(ps)]
	} else {
		outs = make([]batchOutcome[R], len(ps))
	}
	// Every entry of the batch goes into the scratch buffer: bigcache copies what it stores, and runBatch copies
	// the payloads that flights keep. A buffer that fills up is replaced, not grown, so that the entries already
	// in it stay where they are.
	buf := sc.buf[:0]
	for i := range ps {
		var r *R
		if err == nil {
			r = rs[i]
		}
		outs[i], buf = t.outcome(r, err, buf)
	}
	sc.buf = buf
	if h := t.h.OnBatch; h != nil {
		h(b.ctx, runtime.BatchEvent{Task: t.s.Name, Size: len(ps), Waited: start.Sub(b.first), Attempts: attempts, Duration: dur, Err: err})
	}
	return outs, attempts
}

// outcome turns one key's share of a batch answer into what its flights get: a nil result is not found,
// an invalid result fails that key only and is never cached. The entry is appended to buf, which is returned.
func (t *Task[P, R]) outcome(r *R, err error, buf []byte) (o batchOutcome[R], _ []byte) {
	defer func() {
		if v := recover(); v != nil {
			o = batchOutcome[R]{err: runtime.Permanent(&core.PanicError{Where: "task " + t.s.Name, Value: v})}
		}
	}()
	switch {
	case err != nil && !runtime.IsNotFound(err):
		return batchOutcome[R]{err: err}, buf
	case err == nil && r == nil:
		err = runtime.ErrNotFound
	case err == nil && t.s.ValidateResult != nil:
		// A batch validates each key's result here rather than in a stage: an invalid one fails its key only.
		if verr := checkResult(t.s.ValidateResult, t.s.Name, r); verr != nil {
			return batchOutcome[R]{err: t.x.RedactSeen(seam.Token{}, verr)}, buf
		}
	}
	o.val, o.err = r, err
	stores := err != nil && t.s.Cache.NegativeTTL > 0 || err == nil && t.storeOK && t.s.Cache.TTL > 0
	if stores && cap(buf)-len(buf) < 256 {
		// A new array rather than letting append copy the entries made so far: twice the old one, so that a reused
		// scratch buffer soon holds a whole batch.
		buf = make([]byte, 0, max(4096, 2*cap(buf)))
	}
	n := len(buf)
	if e := t.appendEntry(buf, r, err != nil); e != nil {
		buf = e
		o.entry = e[n:len(e):len(e)]
	}
	switch {
	case err != nil || !t.storeOK:
	case o.entry != nil:
		o.payload = o.entry[entryHeaderSz:]
		o.scratch = true
	default:
		// Not cached, but coalesced callers still need their own copies: runBatch makes them once it knows there
		// are any.
		o.copies = true
	}
	return o, buf
}

// copyOutcome makes the copy of an uncached batch result that callers other than the first are handed copies of:
// a Clone, or else its encoding. A panic in that generated code fails the key rather than sharing val.
func (t *Task[P, R]) copyOutcome(val *R) (snap *R, payload []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			snap, payload, err = nil, nil, runtime.Permanent(&core.PanicError{Where: "task " + t.s.Name, Value: v})
		}
	}()
	if t.s.Clone != nil {
		return t.s.Clone(val), nil, nil
	}
	return nil, t.s.Encode(nil, val), nil
}

// fetchMany runs the task's batch pipeline (stage.go) on the batch's ctx.
func (t *Task[P, R]) fetchMany(b *batch[P, R], ps []*P) ([]*R, int, error) {
	if t.batcher.pol.FetchMany == nil {
		return nil, 0, runtime.Permanent(errors.New("reftask: batched task has no batch source"))
	}
	b.ex = exec[P, R]{t: t, ctx: b.ctx, ps: ps, b: b}
	rs, err := t.callMany(b.ctx, &b.ex)
	return rs, b.ex.attempt, err
}

// batchFits reports whether some caller of the batch can still use an attempt that starts after d.
func (t *Task[P, R]) batchFits(b *batch[P, R], d time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	var latest time.Time
	waiting := false
	for _, it := range b.order {
		for _, f := range it.flights {
			if f.waiters == 0 {
				continue
			}
			if f.unbounded > 0 {
				return true
			}
			waiting = true
			for _, dl := range f.deadlines {
				if dl.After(latest) {
					latest = dl
				}
			}
		}
	}
	return waiting && !time.Now().Add(d+t.s.Timeout).After(latest)
}

// manyKey is one distinct cache key missed by a DoMany call, and the indexes of ps that asked for it.
type manyKey[P any] struct {
	key  string
	p    *P
	idx  []int
	seen uint64 // Task.settled before the key's cache lookup
}

// DoMany looks up many params at once: cache hits are answered from the cache, misses are chunked by MaxSize
// and the chunks run concurrently up to Concurrency. Each res[i] answers ps[i]; errs[i] is nil or a *TaskError
// (wrapping ErrNotFound for a missing key) that concerns that key alone, after retries and its own fallbacks.
// Without a Batch policy the misses are looked up one by one, four at a time.
func (t *Task[P, R]) DoMany(ctx context.Context, ps []*P) (res []*R, errs []error) {
	res, errs = make([]*R, len(ps)), make([]error, len(ps))
	if t == nil || t.x == nil {
		for i := range errs {
			errs[i] = &runtime.TaskError{Err: errors.New("reftask: task not bound to an executor")}
		}
		return res, errs
	}
	start := time.Now()
	bc := t.c.Cache.Load()
	var misses []*manyKey[P]
	byKey := map[string]*manyKey[P]{}
	for i, p := range ps {
		if p == nil {
			p = new(P)
		}
		if ctx.Err() != nil {
			errs[i] = t.guard(p, func() error { return t.fail(ctx, p, 0, core.CtxErr(ctx)) })
			continue
		}
		var key string
		var seen uint64
		errs[i] = t.guard(p, func() error {
			var err error
			res[i], key, seen, err = t.check(ctx, bc, p, start)
			return err
		})
		if key == "" || errs[i] != nil {
			continue
		}
		if m := byKey[key]; m != nil {
			m.idx = append(m.idx, i)
			continue
		}
		pc := new(P)
		*pc = *p
		m := &manyKey[P]{key: key, p: pc, idx: []int{i}, seen: seen}
		byKey[key] = m
		misses = append(misses, m)
	}
	if len(misses) == 0 {
		return res, errs
	}
	answer := func(m *manyKey[P], r *R, err error) {
		for n, i := range m.idx {
			res[i], errs[i] = r, err
			if n > 0 {
				// Duplicates were asked once but, like coalesced Do callers, each gets its own copy. Clone is
				// generated code: a panic in it fails this duplicate, not the process (this may run on a goroutine
				// of DoMany's own).
				if cerr := t.guard(m.p, func() error { res[i] = t.clone(r); return nil }); cerr != nil {
					res[i], errs[i] = nil, cerr
				}
			}
		}
	}
	var wg sync.WaitGroup
	if t.batcher == nil {
		sem := make(chan struct{}, defaultBatchConcurrency)
		for _, m := range misses {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				var r *R
				err := t.guard(m.p, func() error {
					var err error
					r, err = t.miss(ctx, bc, m.p, m.key, m.seen)
					return err
				})
				answer(m, r, err)
			})
		}
		wg.Wait()
		return res, errs
	}

	// Start every chunk (at most Concurrency at once), then collect the answers in order.
	pol := t.batcher.pol
	sem := make(chan struct{}, pol.Concurrency)
	var joined []manyJoin[P, R]
	for lo := 0; lo < len(misses); lo += pol.MaxSize {
		chunk := misses[lo:min(lo+pol.MaxSize, len(misses))]
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			for _, m := range misses[lo:] {
				answer(m, nil, t.guard(m.p, func() error { return t.fail(ctx, m.p, 0, core.CtxErr(ctx)) }))
			}
			break
		}
		joined = t.startChunk(ctx, bc, chunk, joined, func() { <-sem })
	}
	for _, j := range joined {
		if j.f == nil {
			answer(j.m, j.r, j.err)
			continue
		}
		select {
		case <-j.f.done:
		case <-ctx.Done():
			select {
			case <-j.f.done:
			default:
				t.leave(j.f, j.m.key, j.w)
				answer(j.m, nil, t.guard(j.m.p, func() error { return t.fail(ctx, j.m.p, 0, core.CtxErr(ctx)) }))
				continue
			}
		}
		settle := func() {
			var r *R
			err := t.guard(j.m.p, func() error {
				var err error
				r, err = t.settle(ctx, bc, j.m.p, j.m.key, j.f)
				return err
			})
			answer(j.m, r, err)
		}
		if j.f.err != nil && !runtime.IsNotFound(j.f.err) && len(t.s.Fallbacks) > 0 {
			// Fallbacks may be slow calls of their own: run them for all failed keys at once.
			wg.Go(settle)
		} else {
			settle()
		}
	}
	wg.Wait()
	return res, errs
}

// manyJoin is a DoMany key attached to a flight, or answered from the cache when f is nil.
type manyJoin[P, R any] struct {
	m   *manyKey[P]
	f   *flight[R]
	w   waiter
	r   *R
	err error
}

// startChunk attaches each key of chunk to its flight, putting the new flights into one batch that starts
// at once; release is called when that batch is over.
func (t *Task[P, R]) startChunk(ctx context.Context, bc *tier.Local, chunk []*manyKey[P], joined []manyJoin[P, R], release func()) []manyJoin[P, R] {
	b := t.newBatch(ctx, bc)
	b.state = batchRunning
	n := len(joined)
	t.mu.Lock()
	for _, m := range chunk {
		j := manyJoin[P, R]{m: m}
		if t.flights[m.key] == nil && t.readOn && len(m.key) <= maxKeyLen {
			// Looked at again under the lock, so that a result stored since the miss is not fetched twice.
			var rd wire.Reader
			var r *R
			var st entryState
			// A hit runs the spec's Clone: a panic in it fails this key, and must not leave with Task.mu held.
			perr := t.guard(m.p, func() error { r, st = t.lookup(bc, m.key, &rd, lookupFresh); return nil })
			if perr != nil || st != entryMiss {
				j.r, j.err = r, perr
				if st == entryNegative {
					j.err = runtime.ErrNotFound // wrapped below, outside the lock: fail calls hooks
				}
				joined = append(joined, j)
				continue
			}
		}
		j.f, j.w, _ = t.joinLocked(ctx, bc, m.p, m.key, b, nil)
		joined = append(joined, j)
	}
	live := b.live
	t.mu.Unlock()
	for i := n; i < len(joined); i++ {
		if j := &joined[i]; j.err == runtime.ErrNotFound {
			j.err = t.guard(j.m.p, func() error { return t.fail(ctx, j.m.p, 0, runtime.ErrNotFound) })
		}
	}
	if live == 0 {
		// Every key was answered by the cache or joined another caller's flight.
		b.cancel()
		release()
		return joined
	}
	go func() {
		defer release()
		t.runBatch(b)
	}()
	return joined
}

// guard runs f, turning a panic in generated code (Describe, ValidateParams, Decode...) into that key's error
// so that it fails no other key.
func (t *Task[P, R]) guard(p *P, f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = t.taskErr(nil, 0, &core.PanicError{Where: "task " + t.s.Name, Value: v})
		}
	}()
	return f()
}

// clone returns a copy of r made by the spec's Clone or through the cache encoding, or r itself when the task
// can do neither.
func (t *Task[P, R]) clone(r *R) (c *R) {
	if r == nil {
		return r
	}
	if t.s.Clone != nil {
		return t.s.Clone(r)
	}
	if !t.storeOK {
		return r
	}
	defer func() {
		if recover() != nil {
			c = r
		}
	}()
	var rd wire.Reader
	if c, ok := t.decode(&rd, t.s.Encode(nil, r)); ok {
		return c
	}
	return r
}

// The batching stage of a lookup. A batched task's lookup that missed the cache goes from Get to the task's batch
// window in one step (missBatched), not through the single-key path's miss and join: its storage (the flight, its
// batch item and its own copy of the params) is one allocation made before the lock, and under one hold of
// Task.mu one probe of the flights map either joins the key's flight (coalescing: a key is asked once however many
// callers wait for it) or lists the new flight and puts it in the window (enterWindow). The frames are few and
// small because the callers are often fresh goroutines, one per key, whose starting stack a deeper path outgrows.

// missBatched is Get's miss for a batched task: the params are copied into the new flight's storage, checked,
// and the caller waits in the window.
//
//go:noinline
func (t *Task[P, R]) missBatched(ctx context.Context, key []byte, p P, seen uint64) (*R, error) {
	return t.missBatchedHooked(ctx, key, p, seen, time.Time{})
}

// missBatchedHooked is missBatched for a lookup that started at start (for the lookup hooks; zero without them).
func (t *Task[P, R]) missBatchedHooked(ctx context.Context, key []byte, p P, seen uint64, start time.Time) (*R, error) {
	e := &batchEntry[P, R]{p: p}
	if ctx.Err() != nil || t.c.Cache.Load() == nil {
		return nil, t.missFailed(ctx, &e.p)
	}
	if err := t.admit(ctx, &e.p, start); err != nil {
		return nil, err
	}
	return t.awaitWindow(ctx, e, string(key), seen)
}

// awaitWindow puts e's flight in the window, or joins the key's flight, and waits for the answer, leaving on ctx
// without cancelling the others. A panic in the generated code it runs (Clone, Describe, a hook) becomes the error.
func (t *Task[P, R]) awaitWindow(ctx context.Context, e *batchEntry[P, R], key string, seen uint64) (res *R, err error) {
	defer func() {
		if v := recover(); v != nil {
			res, err = nil, t.lookupPanic(v)
		}
	}()
	bc := t.c.Cache.Load()
	if bc == nil {
		return nil, t.fail(ctx, &e.p, 0, runtime.ErrClosed)
	}
	f, w, run, r, st := t.enterWindow(ctx, bc, e, key, seen)
	switch st {
	case entryHit:
		return r, nil
	case entryNegative:
		return nil, t.fail(ctx, &e.p, 0, runtime.ErrNotFound)
	}
	if run != nil {
		go t.runBatch(run)
	}
	if done := ctx.Done(); done == nil {
		<-f.done // no select: its frame would make a fresh goroutine's stack grow
	} else {
		select {
		case <-f.done:
		case <-done:
			select {
			case <-f.done:
			default:
				t.leave(f, key, w)
				return nil, t.fail(ctx, &e.p, 0, core.CtxErr(ctx))
			}
		}
	}
	return t.settle(ctx, bc, &e.p, key, f)
}

// enterWindow is the stage's step under Task.mu: one probe of the flights map joins key's flight or lists e's
// and enqueues it. run is a window that e's flight filled, which the caller starts. When a flight has stored an
// entry since the caller's lookup (Task.settled moved from seen), the cache is read again first, outside the lock,
// and its answer returned instead (st not entryMiss), as join does.
func (t *Task[P, R]) enterWindow(ctx context.Context, bc *tier.Local, e *batchEntry[P, R], key string, seen uint64) (f *flight[R], w waiter, run *batch[P, R], r *R, st entryState) {
	for {
		if now := t.settled.Load(); now != seen {
			seen = now
			if t.readOn && len(key) <= maxKeyLen {
				if r, st := t.lookupFresh(bc, key); st != entryMiss {
					return nil, waiter{}, nil, r, st
				}
			}
		}
		t.mu.Lock()
		if f = t.flights[key]; f == nil {
			if t.settled.Load() != seen {
				t.mu.Unlock()
				continue
			}
			f = &e.f
			t.flights[key] = f
			run = t.enqueue(ctx, nil, bc, e, key)
		} else if f.done == nil {
			f.done = make(chan struct{}) // a flight DoMany's fallback path started unbatched: never in practice
		}
		w = f.addWaiter(ctx)
		t.mu.Unlock()
		return f, w, run, nil, entryMiss
	}
}
