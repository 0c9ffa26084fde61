package engine

import (
	"context"
	"time"
)

// A source call runs through stages, composed once per task by compose in the manner of failsafe-go's
// Fallback(Retry(Timeout(fn))): each stage wraps the step inside it and may call it, not call it, or call it
// again. The source pipeline of a flight is
//
//	retry → report → validate → timeout → source
//
// and that of a batch is the same without validate (a batch validates each key's result on its own, in outcome).
// The stages a caller goes through around a flight are called in turn, not composed, because the hit path must stay
// at one allocation and within a fresh goroutine's starting stack: params validation (stage_validate.go), cache
// lookup (cache.go), coalescing (flight.go), batching (batch.go), then stale-if-error and fallbacks
// (stage_fallback.go).
//
// A new policy of the source call (the circuit breaker, bulkhead or hedge of the resilience issue) is a stage:
// a type with a wrap method, inserted into the list that singleStages or batchStages returns. No other stage
// changes; TestStageInserted proves it with a counting and a rejecting stage.

// exec is one execution of a task's source pipeline: a flight's call for one key, or a batch's FetchMany.
// Stages keep their per-call state here; they are otherwise made once per task.
type exec[P, R any] struct {
	t   *Task[P, R]
	ctx context.Context // the flight's or batch's ctx, detached from any one caller; hooks get it
	p   *P              // the key's params; nil for a batch (events then name no key)
	ps  []*P            // a batch's params; nil for a flight
	f   *flight[R]      // the flight whose callers' deadlines bound the retries; nil for a batch
	b   *batch[P, R]    // the batch whose callers' deadlines bound the retries; nil for a flight
	// attempt is the number of the attempt under way, from 1; once the pipeline returns, the attempts made.
	// The retry stage sets it.
	attempt int
}

// fits reports whether some caller can still use an attempt that starts after d (deadline-aware retries).
func (ex *exec[P, R]) fits(d time.Duration) bool {
	switch {
	case ex.b != nil:
		return ex.t.batchFits(ex.b, d)
	case ex.f != nil:
		return ex.t.fits(ex.f, d)
	}
	return true
}

// step is the part of the pipeline a stage wraps: the stages inside it and the source. ctx is the attempt's (the
// timeout stage narrows it); ex.ctx stays the execution's.
type step[P, R, T any] func(ctx context.Context, ex *exec[P, R]) (T, error)

// stage is one policy of the source pipeline. T is what the source answers: *R for a flight, []*R for a batch.
// wrap is called once, when the task's pipeline is composed, so that a stage costs nothing per call beyond what
// its step does; a stage with nothing to do for the task (no timeout, one attempt) may return next itself.
type stage[P, R, T any] interface {
	wrap(next step[P, R, T]) step[P, R, T]
}

// compose builds a pipeline: stages[0] is the outermost, src the innermost.
func compose[P, R, T any](src step[P, R, T], stages ...stage[P, R, T]) step[P, R, T] {
	s := src
	for i := len(stages) - 1; i >= 0; i-- {
		s = stages[i].wrap(s)
	}
	return s
}

// singleStages lists the stages of a flight's source call, outermost first.
func (t *Task[P, R]) singleStages() []stage[P, R, *R] {
	return []stage[P, R, *R]{
		newRetryStage[P, R, *R](t),
		reportStage[P, R, *R]{},
		validateStage[P, R]{validate: t.s.ValidateResult, task: t.s.Name},
		timeoutStage[P, R, *R]{timeout: t.s.Timeout},
	}
}

// batchStages lists the stages of a batch's FetchMany call, outermost first.
func (t *Task[P, R]) batchStages() []stage[P, R, []*R] {
	return []stage[P, R, []*R]{
		newRetryStage[P, R, []*R](t),
		reportStage[P, R, []*R]{},
		timeoutStage[P, R, []*R]{timeout: t.s.Timeout},
	}
}

// compose builds the task's pipelines from its stages. edit, when not nil, may change the lists first (tests
// insert stages with it, as the resilience policies will be).
func (t *Task[P, R]) compose(edit func(single []stage[P, R, *R], batch []stage[P, R, []*R]) ([]stage[P, R, *R], []stage[P, R, []*R])) {
	single, batch := t.singleStages(), t.batchStages()
	if edit != nil {
		single, batch = edit(single, batch)
	}
	t.call = compose(t.sourceStep, single...)
	t.callMany = compose(t.manySourceStep, batch...)
}
