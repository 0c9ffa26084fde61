package engine

import (
	"context"
	"time"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/core"
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
// the read (core.TierGate.Wrote, checked and written under its Mu): a value read before an Invalidate or a newer
// store is never put back over it. The gate is shared by the Task values of one spec, which share local entries.

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
	if len(t.c.Tiers) == 0 || t.c.Cache.Load() == nil || ctx.Err() != nil {
		return nil, entryMiss
	}
	wrote := t.gate.Wrote.Load() // before the reads: see fillBack
	for i, tr := range t.c.Tiers {
		b, ok := t.c.TierGet(ctx, tr, key)
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
		now := t.c.Nanos()
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
func (t *Task[P, R]) checkFar(ctx context.Context, sc *core.Scratch, p *P, start time.Time) (r *R, ok bool, err error) {
	r, st := t.lookupFar(ctx, bytesView(sc.Key), lookupFresh)
	switch st {
	case entryHit:
		t.c.PutScratch(sc)
		if h := t.h.OnHit; h != nil {
			t.report(ctx, h, p, start)
		}
		return r, true, nil
	case entryNegative:
		t.c.PutScratch(sc)
		if h := t.h.OnNegativeHit; h != nil {
			t.report(ctx, h, p, start)
		}
		return nil, true, t.fail(ctx, p, 0, runtime.ErrNotFound)
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
	if t.gate.Wrote.Load() != wrote {
		return
	}
	for _, tr := range t.c.Tiers[:upTo] {
		_ = t.c.TierSet(ctx, tr, key, entry, exp)
	}
	bc := t.c.Cache.Load()
	if bc == nil || len(key) > maxKeyLen {
		return
	}
	t.gate.Mu.Lock()
	if t.gate.Wrote.Load() == wrote {
		_ = bc.Set(context.Background(), key, entry, exp)
	}
	t.gate.Mu.Unlock()
}

// storeLocal writes a fetched result's entry to the local tier. With added tiers it counts the write first, under
// the spec's gate, so that a fill that read an added tier before it does not land over it (fillBack).
func (t *Task[P, R]) storeLocal(bc *tier.Local, key string, entry []byte) {
	if len(t.c.Tiers) == 0 {
		_ = bc.Set(context.Background(), key, entry, tier.Expiry{}) // too large for a shard: simply not cached
		return
	}
	t.gate.Mu.Lock()
	t.gate.Wrote.Add(1)
	_ = bc.Set(context.Background(), key, entry, tier.Expiry{})
	t.gate.Mu.Unlock()
}

// deleteLocal is storeLocal for Invalidate.
func (t *Task[P, R]) deleteLocal(bc *tier.Local, key string) {
	if len(t.c.Tiers) == 0 {
		_ = bc.Delete(context.Background(), key)
		return
	}
	t.gate.Mu.Lock()
	t.gate.Wrote.Add(1)
	_ = bc.Delete(context.Background(), key)
	t.gate.Mu.Unlock()
}

// storeFar writes a fetched result's entry to every added tier; the caller holds storeMu shared and has stored it
// in the local tier. A failed write only leaves that tier without the entry.
func (t *Task[P, R]) storeFar(ctx context.Context, key string, entry []byte) {
	h, _, ok := parseEntry(entry)
	if !ok {
		return
	}
	exp := expiryOf(h, t.c.Nanos())
	for _, tr := range t.c.Tiers {
		_ = t.c.TierSet(ctx, tr, key, entry, exp)
	}
}

// deleteFar removes key from every added tier, for Invalidate, which holds storeMu exclusively.
func (t *Task[P, R]) deleteFar(key string) {
	for _, tr := range t.c.Tiers {
		t.deleteFrom(context.Background(), tr, key)
	}
}

func (t *Task[P, R]) deleteFrom(ctx context.Context, tr tier.Tier, key string) {
	_ = t.c.TierDelete(ctx, tr, key, false)
}
