package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/core"
	"github.com/reftask/reftask/runtime/internal/seam"
)

// The innermost step of a pipeline calls the source (sourceStep for Fetch, manySourceStep for FetchMany), and
// reportStage, just inside the retries, sees each attempt's outcome.

// reportStage scrubs the secrets an attempt's error may quote, before any hook, log line or caller sees it, and
// reports the attempt to OnSourceCall.
type reportStage[P, R, T any] struct{}

func (reportStage[P, R, T]) wrap(next step[P, R, T]) step[P, R, T] {
	return func(ctx context.Context, ex *exec[P, R]) (T, error) {
		h := ex.t.h.OnSourceCall
		var start time.Time
		if h != nil {
			start = time.Now()
		}
		r, err := next(ctx, ex)
		err = ex.t.x.RedactSeen(seam.Token{}, err)
		if h != nil {
			h(ex.ctx, ex.t.event(ex.p, ex.attempt, time.Since(start), err))
		}
		return r, err
	}
}

// sourceStep makes one Fetch call. A nil result without an error is a permanent failure.
func (t *Task[P, R]) sourceStep(ctx context.Context, ex *exec[P, R]) (*R, error) {
	r, err := t.callSource(ctx, ex.p)
	err = hideNoRows(err)
	if err == nil && r == nil {
		err = runtime.Permanent(errors.New("reftask: source returned neither a result nor an error"))
	}
	return r, err
}

// manySourceStep makes one FetchMany call. A result slice of the wrong length is a permanent failure.
func (t *Task[P, R]) manySourceStep(ctx context.Context, ex *exec[P, R]) ([]*R, error) {
	rs, err := t.callBatchSource(ctx, ex.ps)
	err = hideNoRows(err)
	if err == nil && len(rs) != len(ex.ps) {
		err = runtime.Permanent(fmt.Errorf("reftask: batch source returned %d results for %d params", len(rs), len(ex.ps)))
	}
	return rs, err
}

// callSource turns a panic in Fetch into a permanent error: a panic is a bug that retrying will not fix.
func (t *Task[P, R]) callSource(ctx context.Context, p *P) (r *R, err error) {
	defer func() {
		if v := recover(); v != nil {
			r, err = nil, runtime.Permanent(&core.PanicError{Where: "source of task " + t.s.Name, Value: v})
		}
	}()
	return t.s.Fetch(ctx, p)
}

// callBatchSource turns a panic in FetchMany into a permanent error, as callSource does for Fetch.
func (t *Task[P, R]) callBatchSource(ctx context.Context, ps []*P) (rs []*R, err error) {
	defer func() {
		if v := recover(); v != nil {
			rs, err = nil, runtime.Permanent(&core.PanicError{Where: "batch source of task " + t.s.Name, Value: v})
		}
	}()
	return t.batcher.pol.FetchMany(ctx, ps)
}

// hideNoRows turns sql.ErrNoRows from hand-written sources into ErrNotFound, so that it never reaches callers
// and gets not-found treatment (no retries, negative caching).
func hideNoRows(err error) error {
	if err != nil && errors.Is(err, sql.ErrNoRows) && !runtime.IsNotFound(err) {
		return fmt.Errorf("%w: %v", runtime.ErrNotFound, err)
	}
	return err
}
