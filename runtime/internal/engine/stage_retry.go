package engine

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/avast/retry-go/v4"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/core"
	"github.com/reftask/reftask/runtime/internal/seam"
)

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
		// retry-go reads 0 as "retry forever"; here it means one attempt.
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

// retryStage runs the steps inside it again while an attempt fails with a retryable error, the policy allows
// another attempt and some caller can still use it. retry-go runs the loop (retry.DoWithData), from the first
// attempt: RetryIf decides whether to go on, DelayType says how long to wait (on the Context, or on the test
// Timer), OnRetry reports it, Attempts and MaxDelay bound it. The delay is drawn in RetryIf rather than in
// DelayType because the deadline check needs it, and retry-go asks RetryIf before it computes the delay.
type retryStage[P, R, T any] struct {
	pol     RetryPolicy
	onRetry func(ctx context.Context, e runtime.Event) // nil = no hook
	opts    []retry.Option                             // the options that do not depend on the call
}

func newRetryStage[P, R, T any](t *Task[P, R]) retryStage[P, R, T] {
	s := retryStage[P, R, T]{pol: t.retry}
	if t.x != nil {
		s.onRetry = t.h.OnRetry
	}
	s.opts = []retry.Option{
		retry.Attempts(s.pol.Attempts),
		retry.MaxDelay(s.pol.MaxDelay),
		// retry-go reports a ctx that ends during a wait as its cause; the attempts' errors are in the hooks.
		retry.LastErrorOnly(true),
	}
	if t.x != nil && t.c.Timer != nil {
		s.opts = append(s.opts, retry.WithTimer(t.c.Timer))
	}
	return s
}

func (s retryStage[P, R, T]) wrap(next step[P, R, T]) step[P, R, T] {
	if s.pol.Attempts <= 1 {
		// Nothing to retry: no loop to drive.
		return func(ctx context.Context, ex *exec[P, R]) (T, error) {
			if err := context.Cause(ctx); err != nil {
				var zero T
				return zero, err
			}
			ex.attempt = 1
			return next(ctx, ex)
		}
	}
	// A run's options and funcs are bound to the run, which is reused: retry-go's own Config is then the only
	// allocation of a retried call (the funcs it is given would otherwise be allocated on every miss).
	runs := &sync.Pool{New: func() any { return newRetryRun(s, next) }}
	return func(ctx context.Context, ex *exec[P, R]) (T, error) {
		run := runs.Get().(*retryRun[P, R, T])
		run.ex, run.ctx, run.delay = ex, ctx, 0
		r, err := retry.DoWithData(run.fn, run.opts...)
		run.ex, run.ctx = nil, nil
		runs.Put(run)
		if err != nil && ctx.Err() != nil && !errors.Is(err, context.Cause(ctx)) {
			// An attempt that ended with the ctx returns its own error; callers match the cause.
			err = context.Cause(ctx)
		}
		return r, err
	}
}

// retryRun is one retried call: retry-go's options, bound to the execution under way.
type retryRun[P, R, T any] struct {
	s     retryStage[P, R, T]
	next  step[P, R, T]
	opts  []retry.Option
	fn    func() (T, error)
	ex    *exec[P, R]
	ctx   context.Context
	delay time.Duration // the delay retryIf drew for the next attempt
}

func newRetryRun[P, R, T any](s retryStage[P, R, T], next step[P, R, T]) *retryRun[P, R, T] {
	run := &retryRun[P, R, T]{s: s, next: next}
	run.fn = func() (T, error) {
		run.ex.attempt++
		return run.next(run.ctx, run.ex)
	}
	run.opts = append(slices.Clip(s.opts),
		func(c *retry.Config) { retry.Context(run.ctx)(c) },
		retry.RetryIf(run.retryIf),
		retry.DelayType(run.delayType),
		retry.OnRetry(run.reportRetry),
	)
	return run
}

// retryIf is retry-go's RetryIf: it decides whether the attempt that just failed gets another.
func (run *retryRun[P, R, T]) retryIf(err error) bool {
	pol, ex := run.s.pol, run.ex
	// retry-go asks before it checks for the last attempt, so the count is checked here.
	if ex.attempt >= int(pol.Attempts) || !retryable(run.ctx, err) {
		return false
	}
	// A server's Retry-After outranks our backoff (up to MaxDelay), and the deadline check must see it.
	d := retryDelay(err, pol.delay(ex.attempt), pol.MaxDelay)
	if !ex.fits(d) {
		return false
	}
	run.delay = d
	return true
}

// delayType is retry-go's DelayType: the delay retryIf drew.
func (run *retryRun[P, R, T]) delayType(uint, error, *retry.Config) time.Duration { return run.delay }

// reportRetry is retry-go's OnRetry, called once retryIf said yes: the OnRetry hook, numbered by the attempt that
// failed.
func (run *retryRun[P, R, T]) reportRetry(_ uint, err error) {
	if h := run.s.onRetry; h != nil {
		h(run.ctx, run.ex.t.event(run.ex.p, run.ex.attempt, run.delay, err))
	}
}

// retryable decides whether a failed attempt is worth another: any error from a Go source is,
// except the kinds that a new attempt cannot change and a cancelled flight.
func retryable(fctx context.Context, err error) bool {
	return fctx.Err() == nil && !runtime.IsNotFound(err) && !final(err)
}

// final reports whether err, or any error it wraps, is of a kind that a new attempt cannot change: one walk of
// the tree, where errors.As would make one per kind.
func final(err error) bool {
	switch e := err.(type) {
	case nil:
		return false
	case *core.PermanentError, *runtime.ValidationError, *runtime.ConvError, *core.PanicError:
		return true
	case interface{ Unwrap() error }:
		return final(e.Unwrap())
	case interface{ Unwrap() []error }:
		for _, w := range e.Unwrap() {
			if final(w) {
				return true
			}
		}
	}
	return false
}

// retryDelay lengthens the backoff d to the server's Retry-After when err carries one (seam.RetryAfter), never
// beyond maxDelay: retrying earlier than the server asked only earns another 429 or 503.
func retryDelay(err error, d, maxDelay time.Duration) time.Duration {
	var ra seam.RetryAfter
	if errors.As(err, &ra) {
		if w := ra.RetryAfterDelay(seam.Token{}); w > d {
			return min(w, maxDelay)
		}
	}
	return d
}
