package engine

import (
	"context"
	"fmt"
	"time"
)

// timeoutStage bounds each attempt by the task's per-attempt Timeout, on a ctx of the attempt's own (attemptCtx,
// which costs a timer only when the source waits on it). An attempt that failed because its own deadline passed,
// while the execution's ctx still runs, fails with an attemptTimeoutError, which is transient.
type timeoutStage[P, R, T any] struct {
	timeout time.Duration // 0 = none
}

func (s timeoutStage[P, R, T]) wrap(next step[P, R, T]) step[P, R, T] {
	if s.timeout <= 0 {
		return next
	}
	return func(ctx context.Context, ex *exec[P, R]) (T, error) {
		ac := newAttemptCtx(ctx, ex.t.c.MonoNow().Add(s.timeout))
		defer ac.release()
		r, err := next(ac, ex)
		if err != nil && ac.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			err = &attemptTimeoutError{timeout: s.timeout, err: err}
		}
		return r, err
	}
}

// attemptTimeoutError marks a per-attempt timeout, which is transient.
type attemptTimeoutError struct {
	timeout time.Duration
	err     error
}

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("attempt timed out after %v: %v", e.timeout, e.err)
}

func (e *attemptTimeoutError) Unwrap() error { return e.err }
