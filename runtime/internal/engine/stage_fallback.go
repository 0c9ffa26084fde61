package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/core"
	"github.com/reftask/reftask/runtime/internal/wire"

	"github.com/reftask/reftask/runtime/tier"
)

// When a flight fails after its retries, each of its callers goes on alone, on its own ctx: first a stale entry
// (stale-if-error: an entry past its freshness but within StaleIfError, from the local tier or an added one,
// including a stale not-found), then the fallbacks in order. These run per caller, outside the coalesced flight,
// because a fallback may be another task with its own callers' deadlines, and their results are never cached.

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
				return nil, runtime.Permanent(fmt.Errorf("reftask: fallback cycle through task %s", t.Name()))
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

// settleFailed is settle for a flight that failed, out of the frames of the common path.
//
//go:noinline
func (t *Task[P, R]) settleFailed(ctx context.Context, bc *tier.Local, p *P, key string, f *flight[R]) (*R, error) {
	if runtime.IsNotFound(f.err) {
		return nil, t.fail(ctx, p, f.attempts, f.err)
	}
	if ctx.Err() != nil {
		return nil, t.fail(ctx, p, f.attempts, errors.Join(core.CtxErr(ctx), f.err))
	}
	// The source failed after retries: a stale entry first, then the fallbacks.
	if t.readOn && t.s.Cache.StaleIfError > 0 && len(key) <= maxKeyLen {
		var rd wire.Reader
		r, st := t.lookup(bc, key, &rd, lookupStale)
		if st == entryMiss && t.c.Tiers != nil {
			r, st = t.lookupFar(ctx, key, lookupStale)
		}
		if st != entryMiss {
			if h := t.h.OnStale; h != nil {
				h(ctx, t.event(p, f.attempts, 0, f.err))
			}
			if st == entryNegative {
				return nil, t.fail(ctx, p, f.attempts, runtime.ErrNotFound)
			}
			return r, nil
		}
	}
	if len(t.s.Fallbacks) == 0 {
		return nil, t.fail(ctx, p, f.attempts, f.err)
	}
	return t.fallback(ctx, p, f)
}

// fallback tries each fallback in order on the caller's ctx; results are not cached.
func (t *Task[P, R]) fallback(ctx context.Context, p *P, f *flight[R]) (*R, error) {
	chain, _ := ctx.Value(fallbackChainKey{}).(*fallbackChain)
	fctx := context.WithValue(ctx, fallbackChainKey{}, &fallbackChain{task: any(t), next: chain})
	errs := []error{f.err}
	for _, fb := range t.s.Fallbacks {
		if ctx.Err() != nil {
			break
		}
		start := time.Now()
		r, err := t.callFallback(fctx, fb, p)
		if h := t.h.OnFallback; h != nil {
			e := t.event(p, 0, time.Since(start), err)
			e.Fallback = fb.Name
			h(ctx, e)
		}
		if err == nil {
			return r, nil
		}
		if runtime.IsNotFound(err) {
			// Kept as text only: a fallback's not-found must not make the whole failure look like not-found.
			errs = append(errs, fmt.Errorf("fallback %q: %v", fb.Name, err))
		} else {
			errs = append(errs, fmt.Errorf("fallback %q: %w", fb.Name, err))
		}
	}
	if ctx.Err() != nil {
		errs = append([]error{core.CtxErr(ctx)}, errs...)
	}
	return nil, t.fail(ctx, p, f.attempts, errors.Join(errs...))
}

func (t *Task[P, R]) callFallback(ctx context.Context, fb Fallback[P, R], p *P) (r *R, err error) {
	defer func() {
		if v := recover(); v != nil {
			r, err = nil, &core.PanicError{Where: "fallback " + fb.Name, Value: v}
		}
	}()
	if fb.Fn == nil {
		return nil, errors.New("nil fallback func")
	}
	r, err = fb.Fn(ctx, p)
	err = hideNoRows(err)
	if err == nil && r == nil {
		err = errors.New("fallback returned no result")
	}
	if err == nil && t.s.ValidateResult != nil {
		if verr := t.s.ValidateResult(r); verr != nil {
			r, err = nil, verr
		}
	}
	return r, err
}
