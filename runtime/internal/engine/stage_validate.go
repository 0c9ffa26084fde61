package engine

import (
	"context"
	"errors"
	"time"

	"github.com/reftask/reftask/runtime"
)

// Validation is two stages. Params are validated by admit, on a caller's way from a cache miss to the flight:
// only when the cache cannot answer, since an entry is written only for params that passed validation and the key
// encodes the params injectively, so a hit proves them valid (that keeps a regexp match, say, off the hit path).
// Results are validated by validateStage, inside the retries: an invalid result fails its attempt for good and
// is never cached.

// validateStage checks each result the source returns with the spec's ValidateResult.
type validateStage[P, R any] struct {
	validate func(r *R) error // nil = nothing to check
	task     string
}

func (s validateStage[P, R]) wrap(next step[P, R, *R]) step[P, R, *R] {
	if s.validate == nil {
		return next
	}
	return func(ctx context.Context, ex *exec[P, R]) (*R, error) {
		r, err := next(ctx, ex)
		if err == nil {
			if verr := checkResult(s.validate, s.task, r); verr != nil {
				return nil, verr
			}
		}
		return r, err
	}
}

// checkResult validates a result, naming the task and "result" in a *ValidationError.
func checkResult[R any](validate func(r *R) error, task string, r *R) error {
	verr := validate(r)
	if verr == nil {
		return nil
	}
	var ve *runtime.ValidationError
	if errors.As(verr, &ve) {
		ve.Task, ve.Which = task, "result"
	}
	return verr
}

// admit validates the params of a lookup the cache could not answer, and reports the miss. A panic in the
// generated code it runs (ValidateParams, Describe, a hook) becomes the error.
func (t *Task[P, R]) admit(ctx context.Context, p *P, start time.Time) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = t.lookupPanic(v)
		}
	}()
	if t.s.ValidateParams != nil {
		if err := t.s.ValidateParams(p); err != nil {
			return t.invalidParams(ctx, p, err)
		}
	}
	if h := t.h.OnMiss; h != nil {
		t.report(ctx, h, p, start)
	}
	return nil
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
	return t.fail(ctx, p, 0, runtime.ErrClosed)
}

// invalidParams reports params that failed validation.
//
//go:noinline
func (t *Task[P, R]) invalidParams(ctx context.Context, p *P, err error) error {
	var ve *runtime.ValidationError
	if errors.As(err, &ve) {
		ve.Task, ve.Which = t.s.Name, "params"
	}
	return t.fail(ctx, p, 0, err)
}
