package runtime

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reftask/reftask/runtime/internal/wire"
	"github.com/reftask/reftask/runtime/tier"
)

// The cache tiers a lookup reads, in order: the task's hot-key layer (hot.go), the executor's local tier (bigcache,
// cache.go), then the tiers added with WithTier, then the source. The first two are read on every lookup and are
// driven directly; an added tier is read only when both missed, through the tier.Tier interface, on a ctx bounded
// by WithTierTimeout, and its failures are misses.
//
// Consistency with Invalidate, for the added tiers: a store holds Task.storeMu shared from its local store to its
// last added-tier write, and Invalidate holds it exclusively from its local delete to its last added-tier delete,
// so a result fetched before an Invalidate never lands in any tier after it. A fill from an added tier's hit
// (fillBack) holds storeMu shared too, and lands only when no store or Invalidate has written the local tier since
// the read (tierGate.wrote, checked and written under tierGate.mu): a value read before an Invalidate or a newer
// store is never put back over it. The gate is shared by the Task values of one spec, which share local entries.

const defaultTierTimeout = 100 * time.Millisecond

// WithTier adds a cache tier read after the local one and before the source; tiers added by several options are
// read in the order given. A result fetched from the source is written to every tier, and Invalidate and
// InvalidateTask reach every tier. The executor does not close t.
func WithTier(t tier.Tier) Option {
	return func(x *Executor) error {
		if t == nil {
			return errors.New("WithTier: nil tier")
		}
		x.tiers = append(x.tiers, t)
		return nil
	}
}

// WithTierTimeout bounds each call to a tier added with WithTier (default 100ms): a tier that does not answer in
// time counts as a miss, and the lookup goes on to the next tier or the source.
func WithTierTimeout(d time.Duration) Option {
	return func(x *Executor) error {
		if d <= 0 {
			return errors.New("WithTierTimeout: the timeout must be positive")
		}
		x.tierTimeout = d
		return nil
	}
}

// tierCtx is the ctx of one call to an added tier: the caller's, bounded by the tier timeout. Writes run on a
// ctx detached from the caller's cancellation (parent is then the flight's or batch's ctx, which ends with it).
func (x *Executor) tierCtx(parent context.Context, detach bool) (context.Context, context.CancelFunc) {
	if detach {
		parent = context.WithoutCancel(parent)
	}
	d := x.tierTimeout
	if d <= 0 {
		d = defaultTierTimeout
	}
	return context.WithTimeout(parent, d)
}

// specKey names one spec on an executor.
type specKey struct{ name, version string }

// tierGate counts the engine's writes to the local tier for one spec (stores and Invalidate deletes), so that a
// fill from an added tier lands only when none happened since its read. mu orders each counted write with a
// fill's check and write.
type tierGate struct {
	mu    sync.Mutex
	wrote atomic.Uint64
}

// sharedTierGate returns x's gate for a spec, making it on first use: two Task values of one spec (two clients
// made on one executor) share local entries, so a fill through one must see an Invalidate through the other.
func sharedTierGate(x *Executor, name, version string) *tierGate {
	k := specKey{name: name, version: version}
	x.mu.Lock()
	defer x.mu.Unlock()
	if g := x.gates[k]; g != nil {
		return g
	}
	if x.gates == nil {
		x.gates = map[specKey]*tierGate{}
	}
	g := &tierGate{}
	x.gates[k] = g
	return g
}

// tierGet reads key from an added tier on a bounded ctx. An error, a timeout or a panic in the tier is a miss.
func (x *Executor) tierGet(ctx context.Context, tr tier.Tier, key string) (b []byte, ok bool) {
	tctx, cancel := x.tierCtx(ctx, false)
	defer cancel()
	defer func() {
		if recover() != nil {
			b, ok = nil, false
		}
	}()
	b, ok, err := tr.Get(tctx, key)
	return b, ok && err == nil
}

// tierSet writes an entry to an added tier on a bounded ctx detached from ctx's cancellation; a panic in the tier
// is an error.
func (x *Executor) tierSet(ctx context.Context, tr tier.Tier, key string, entry []byte, exp tier.Expiry) (err error) {
	tctx, cancel := x.tierCtx(ctx, true)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{where: "cache tier", value: v}
		}
	}()
	return tr.Set(tctx, key, entry, exp)
}

// tierDelete is tierSet for Delete, and for DeletePrefix when prefix is set.
func (x *Executor) tierDelete(ctx context.Context, tr tier.Tier, key string, prefix bool) (err error) {
	tctx, cancel := x.tierCtx(ctx, true)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{where: "cache tier", value: v}
		}
	}()
	if prefix {
		if pd, ok := tr.(tier.PrefixDeleter); ok {
			return pd.DeletePrefix(tctx, key)
		}
		return nil
	}
	return tr.Delete(tctx, key)
}

// expiryOf is the remaining lifetime of an entry at now, as a tier is told it: never negative, and adding up to
// the time left until the entry's stale-until.
func expiryOf(h entryHeader, now int64) tier.Expiry {
	return tier.Expiry{
		Fresh: time.Duration(max(h.freshUntil-now, 0)),
		Stale: time.Duration(max(h.staleUntil-max(h.freshUntil, now), 0)),
	}
}

// lookupFar reads the added tiers in order, after the hot-key layer and the local tier missed. A fresh hit is
// filled back into the local tier and the added tiers before the one that answered; a stale lookup (for
// stale-if-error) fills nothing. Errors, timeouts and corrupt entries are misses.
//
//go:noinline
func (t *Task[P, R]) lookupFar(ctx context.Context, key string, mode lookupMode) (*R, entryState) {
	if len(t.x.tiers) == 0 || t.x.cache.Load() == nil || ctx.Err() != nil {
		return nil, entryMiss
	}
	wrote := t.gate.wrote.Load() // before the reads: see fillBack
	for i, tr := range t.x.tiers {
		b, ok := t.x.tierGet(ctx, tr, key)
		if !ok {
			if ctx.Err() != nil {
				return nil, entryMiss
			}
			continue
		}
		h, payload, ok := parseEntry(b)
		if !ok {
			t.deleteFrom(ctx, tr, key)
			continue
		}
		now := t.x.nanos()
		until := h.freshUntil
		if mode == lookupStale {
			until = h.staleUntil
		}
		if now >= until {
			continue
		}
		var r *R
		if !h.negative {
			if !t.storeOK {
				continue
			}
			var rd wire.Reader
			if r, ok = t.decode(&rd, payload); !ok {
				t.deleteFrom(ctx, tr, key)
				continue
			}
		}
		if mode == lookupFresh {
			t.fillBack(ctx, key, b, expiryOf(h, now), i, wrote)
		}
		if h.negative {
			return nil, entryNegative
		}
		return r, entryHit
	}
	return nil, entryMiss
}

// checkFar is check's read of the added tiers, after the local ones missed, out of check's hit path. ok is true
// when a tier answered: r or err (not-found) is the lookup's answer, and sc has been put back.
//
//go:noinline
func (t *Task[P, R]) checkFar(ctx context.Context, sc *scratch, p *P, start time.Time) (r *R, ok bool, err error) {
	r, st := t.lookupFar(ctx, bytesView(sc.key), lookupFresh)
	switch st {
	case entryHit:
		t.x.putScratch(sc)
		if h := t.x.hooks.OnHit; h != nil {
			t.report(ctx, h, p, start)
		}
		return r, true, nil
	case entryNegative:
		t.x.putScratch(sc)
		if h := t.x.hooks.OnNegativeHit; h != nil {
			t.report(ctx, h, p, start)
		}
		return nil, true, t.fail(ctx, p, 0, ErrNotFound)
	}
	return nil, false, nil
}

// lookupFarCopy is lookupFar for Get, whose key lies in the caller's frame: an added tier is reached through an
// interface, which the key would escape through, so it gets a copy.
//
//go:noinline
func (t *Task[P, R]) lookupFarCopy(ctx context.Context, key []byte) (*R, entryState) {
	return t.lookupFar(ctx, string(key), lookupFresh)
}

// fillBack writes an entry found in added tier upTo into the added tiers before it and the local tier, unless a
// store or an Invalidate has written the local tier since wrote was read (before the tier reads). The hot-key
// layer is filled by the next lookup, from the local tier, under its own epoch rule.
func (t *Task[P, R]) fillBack(ctx context.Context, key string, entry []byte, exp tier.Expiry, upTo int, wrote uint64) {
	t.storeMu.RLock()
	defer t.storeMu.RUnlock()
	if t.gate.wrote.Load() != wrote {
		return
	}
	for _, tr := range t.x.tiers[:upTo] {
		_ = t.x.tierSet(ctx, tr, key, entry, exp)
	}
	bc := t.x.cache.Load()
	if bc == nil || len(key) > maxKeyLen {
		return
	}
	t.gate.mu.Lock()
	if t.gate.wrote.Load() == wrote {
		_ = bc.Set(context.Background(), key, entry, exp)
	}
	t.gate.mu.Unlock()
}

// storeLocal writes a fetched result's entry to the local tier. With added tiers it counts the write first, under
// the spec's gate, so that a fill that read an added tier before it does not land over it (fillBack).
func (t *Task[P, R]) storeLocal(bc *tier.Local, key string, entry []byte) {
	if len(t.x.tiers) == 0 {
		_ = bc.Set(context.Background(), key, entry, tier.Expiry{}) // too large for a shard: simply not cached
		return
	}
	t.gate.mu.Lock()
	t.gate.wrote.Add(1)
	_ = bc.Set(context.Background(), key, entry, tier.Expiry{})
	t.gate.mu.Unlock()
}

// deleteLocal is storeLocal for Invalidate.
func (t *Task[P, R]) deleteLocal(bc *tier.Local, key string) {
	if len(t.x.tiers) == 0 {
		_ = bc.Delete(context.Background(), key)
		return
	}
	t.gate.mu.Lock()
	t.gate.wrote.Add(1)
	_ = bc.Delete(context.Background(), key)
	t.gate.mu.Unlock()
}

// storeFar writes a fetched result's entry to every added tier; the caller holds storeMu shared and has stored it
// in the local tier. A failed write only leaves that tier without the entry.
func (t *Task[P, R]) storeFar(ctx context.Context, key string, entry []byte) {
	h, _, ok := parseEntry(entry)
	if !ok {
		return
	}
	exp := expiryOf(h, t.x.nanos())
	for _, tr := range t.x.tiers {
		_ = t.x.tierSet(ctx, tr, key, entry, exp)
	}
}

// deleteFar removes key from every added tier, for Invalidate, which holds storeMu exclusively.
func (t *Task[P, R]) deleteFar(key string) {
	for _, tr := range t.x.tiers {
		t.deleteFrom(context.Background(), tr, key)
	}
}

func (t *Task[P, R]) deleteFrom(ctx context.Context, tr tier.Tier, key string) {
	_ = t.x.tierDelete(ctx, tr, key, false)
}

// retireGeneration asks the added tiers that can to drop the entries of task's generation old, one key prefix
// per spec version bound on x.
func (x *Executor) retireGeneration(task string, old uint64) {
	if len(x.tiers) == 0 {
		return
	}
	x.mu.Lock()
	var prefixes []string
	for k := range x.gates {
		if k.name == task {
			prefixes = append(prefixes, string(appendUvarint(wire.AppendString(wire.AppendString(nil, task), k.version), old)))
		}
	}
	x.mu.Unlock()
	for _, tr := range x.tiers {
		for _, p := range prefixes {
			_ = x.tierDelete(context.Background(), tr, p, true)
		}
	}
}
