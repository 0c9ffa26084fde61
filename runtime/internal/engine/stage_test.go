package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/core"
	"github.com/reftask/reftask/runtime/internal/seam"
)

// recordStage logs when its step is entered and left, so that a test sees how compose nests stages.
type recordStage[P, R, T any] struct {
	name string
	log  *[]string
}

func (s recordStage[P, R, T]) wrap(next step[P, R, T]) step[P, R, T] {
	return func(ctx context.Context, ex *exec[P, R]) (T, error) {
		*s.log = append(*s.log, s.name+">")
		r, err := next(ctx, ex)
		*s.log = append(*s.log, "<"+s.name)
		return r, err
	}
}

// countStage counts the calls that pass through it: inserted inside the retries, it counts attempts.
type countStage[P, R, T any] struct{ n *atomic.Int64 }

func (s countStage[P, R, T]) wrap(next step[P, R, T]) step[P, R, T] {
	return func(ctx context.Context, ex *exec[P, R]) (T, error) {
		s.n.Add(1)
		return next(ctx, ex)
	}
}

// rejectStage fails every call without calling the steps inside it, as an open circuit breaker or a full
// bulkhead will.
type rejectStage[P, R, T any] struct{ err error }

func (s rejectStage[P, R, T]) wrap(step[P, R, T]) step[P, R, T] {
	return func(context.Context, *exec[P, R]) (T, error) {
		var zero T
		return zero, s.err
	}
}

// scripted is a source step that answers the n-th call (from 1) with errs[n-1], or a user once errs runs out.
type scripted struct {
	errs  []error
	calls int
	ctxs  []context.Context
}

func (s *scripted) step(ctx context.Context, ex *exec[userParams, user]) (*user, error) {
	s.calls++
	s.ctxs = append(s.ctxs, ctx)
	if s.calls <= len(s.errs) && s.errs[s.calls-1] != nil {
		return nil, s.errs[s.calls-1]
	}
	return &user{ID: "k"}, nil
}

func TestComposeOrder(t *testing.T) {
	tests := []struct {
		name   string
		stages []string
		want   string
	}{
		{"no stages", nil, "src"},
		{"one", []string{"a"}, "a>,src,<a"},
		{"first is outermost", []string{"fallback", "retry", "timeout"}, "fallback>,retry>,timeout>,src,<timeout,<retry,<fallback"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var log []string
			var stages []stage[userParams, user, *user]
			for _, n := range tc.stages {
				stages = append(stages, recordStage[userParams, user, *user]{name: n, log: &log})
			}
			src := func(context.Context, *exec[userParams, user]) (*user, error) {
				log = append(log, "src")
				return &user{}, nil
			}
			if _, err := compose(src, stages...)(context.Background(), &exec[userParams, user]{}); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(log, ","); got != tc.want {
				t.Fatalf("order = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRetryStage(t *testing.T) {
	perm := runtime.Permanent(errors.New("bad request"))
	ended, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("caller gone")
	cancel(cause)
	tests := []struct {
		name         string
		pol          RetryPolicy
		ctx          context.Context
		errs         []error
		deadline     time.Duration // > 0: the flight's only caller has this much time left
		wantAttempts int
		wantErr      error // nil = success
		wantDelays   []time.Duration
	}{
		{name: "one attempt fails", pol: RetryPolicy{Attempts: 1}, errs: []error{errTransient},
			wantAttempts: 1, wantErr: errTransient},
		{name: "zero attempts mean one", pol: RetryPolicy{}, errs: []error{errTransient},
			wantAttempts: 1, wantErr: errTransient},
		{name: "success on the third", pol: RetryPolicy{Attempts: 5, InitialDelay: 10 * time.Millisecond},
			errs: []error{errTransient, netErr{}}, wantAttempts: 3,
			wantDelays: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}},
		{name: "attempts used up: last error", pol: RetryPolicy{Attempts: 3, InitialDelay: time.Millisecond},
			errs: []error{netErr{}, netErr{}, errTransient}, wantAttempts: 3, wantErr: errTransient,
			wantDelays: []time.Duration{time.Millisecond, 2 * time.Millisecond}},
		{name: "backoff capped by MaxDelay", pol: RetryPolicy{Attempts: 4, InitialDelay: 10 * time.Millisecond, MaxDelay: 15 * time.Millisecond},
			errs: []error{errTransient, errTransient, errTransient}, wantAttempts: 4,
			wantDelays: []time.Duration{10 * time.Millisecond, 15 * time.Millisecond, 15 * time.Millisecond}},
		{name: "permanent: not retried", pol: RetryPolicy{Attempts: 5}, errs: []error{perm},
			wantAttempts: 1, wantErr: perm},
		{name: "not found: not retried", pol: RetryPolicy{Attempts: 5}, errs: []error{runtime.ErrNotFound},
			wantAttempts: 1, wantErr: runtime.ErrNotFound},
		{name: "panic: not retried", pol: RetryPolicy{Attempts: 5}, errs: []error{runtime.Permanent(&core.PanicError{Where: "source", Value: 1})},
			wantAttempts: 1, wantErr: &core.PanicError{}},
		{name: "invalid result: not retried", pol: RetryPolicy{Attempts: 5}, errs: []error{&runtime.ValidationError{}},
			wantAttempts: 1, wantErr: &runtime.ValidationError{}},
		{name: "Retry-After outranks backoff", pol: RetryPolicy{Attempts: 2, InitialDelay: time.Millisecond, MaxDelay: time.Second},
			errs: []error{retryAfterError(50 * time.Millisecond)}, wantAttempts: 2,
			wantDelays: []time.Duration{50 * time.Millisecond}},
		{name: "Retry-After capped by MaxDelay", pol: RetryPolicy{Attempts: 2, MaxDelay: 20 * time.Millisecond},
			errs: []error{retryAfterError(time.Hour)}, wantAttempts: 2,
			wantDelays: []time.Duration{20 * time.Millisecond}},
		{name: "deadline-aware: the delay does not fit", pol: RetryPolicy{Attempts: 5, InitialDelay: time.Second},
			errs: []error{errTransient}, deadline: 100 * time.Millisecond, wantAttempts: 1, wantErr: errTransient},
		{name: "deadline-aware: the delay fits", pol: RetryPolicy{Attempts: 5, InitialDelay: time.Millisecond},
			errs: []error{errTransient}, deadline: time.Minute, wantAttempts: 2,
			wantDelays: []time.Duration{time.Millisecond}},
		{name: "ctx already ended: no attempt", pol: RetryPolicy{Attempts: 3}, ctx: ended,
			wantAttempts: 0, wantErr: cause},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			timer := &instantTimer{}
			var log eventLog
			x := newTestExecutor(t, withRetryTimer(timer), runtime.WithHooks(log.hooks()))
			spec := userSpec(&source{})
			spec.Retry = tc.pol
			task := NewTask(x, spec)
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			ex := &exec[userParams, user]{t: task, ctx: ctx, p: &userParams{ID: "k"}}
			if tc.deadline > 0 {
				ex.f = &flight[user]{waiters: 1, deadlines: map[uint64]time.Time{1: time.Now().Add(tc.deadline)}}
			}
			src := &scripted{errs: tc.errs}
			r, err := newRetryStage[userParams, user, *user](task).wrap(src.step)(ctx, ex)
			switch {
			case tc.wantErr == nil && (err != nil || r == nil):
				t.Fatalf("got %v, %v; want a result", r, err)
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr) && !errors.As(err, new(*core.PanicError)) && !errors.As(err, new(*runtime.ValidationError)):
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if ex.attempt != tc.wantAttempts || src.calls != tc.wantAttempts {
				t.Fatalf("attempt = %d, source calls = %d, want %d", ex.attempt, src.calls, tc.wantAttempts)
			}
			if got := timer.Delays(); !slices.Equal(got, tc.wantDelays) {
				t.Fatalf("delays = %v, want %v", got, tc.wantDelays)
			}
			// OnRetry fires once per retry, numbered by the attempt that failed, with the delay that follows.
			retries := log.get("retry")
			if len(retries) != len(tc.wantDelays) {
				t.Fatalf("%d OnRetry events, want %d", len(retries), len(tc.wantDelays))
			}
			for i, e := range retries {
				if e.Attempt != i+1 || e.Duration != tc.wantDelays[i] || e.Err == nil || e.Key != `id="k"` {
					t.Fatalf("OnRetry event %d = %+v", i, e)
				}
			}
		})
	}
}

func TestRetryStageJitterWithinBounds(t *testing.T) {
	// Jitter draws each delay once, in [d/2, d]: the deadline check, the wait and OnRetry see the same one.
	timer := &instantTimer{}
	var log eventLog
	x := newTestExecutor(t, withRetryTimer(timer), runtime.WithHooks(log.hooks()))
	spec := userSpec(&source{})
	spec.Retry = RetryPolicy{Attempts: 40, InitialDelay: 8 * time.Millisecond, MaxDelay: 8 * time.Millisecond, Jitter: true}
	task := NewTask(x, spec)
	errs := make([]error, 39)
	for i := range errs {
		errs[i] = errTransient
	}
	src := &scripted{errs: errs}
	ex := &exec[userParams, user]{t: task, ctx: context.Background()}
	if _, err := newRetryStage[userParams, user, *user](task).wrap(src.step)(context.Background(), ex); err != nil || ex.attempt != 40 {
		t.Fatalf("err = %v after %d attempts, want success after 40", err, ex.attempt)
	}
	delays, events := timer.Delays(), log.get("retry")
	if len(delays) != 39 || len(events) != 39 {
		t.Fatalf("%d delays, %d OnRetry events, want 39", len(delays), len(events))
	}
	distinct := map[time.Duration]bool{}
	for i, d := range delays {
		if d < 4*time.Millisecond || d > 8*time.Millisecond || events[i].Duration != d {
			t.Fatalf("delay %d = %v (event says %v), want within [4ms, 8ms] and the same", i, d, events[i].Duration)
		}
		distinct[d] = true
	}
	if len(distinct) < 2 {
		t.Fatalf("39 jittered delays are all %v", delays[0])
	}
}

func TestTimeoutStage(t *testing.T) {
	parentEnded, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name        string
		timeout     time.Duration
		ctx         context.Context
		src         func(ctx context.Context) error
		wantTimeout bool // the error is an attemptTimeoutError
		wantErr     bool
	}{
		{name: "no timeout: the ctx passes through", src: func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); ok {
				return errors.New("deadline set without a timeout")
			}
			return nil
		}},
		{name: "the attempt gets a deadline", timeout: time.Minute, src: func(ctx context.Context) error {
			if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > time.Minute {
				return errors.New("no attempt deadline")
			}
			return nil
		}},
		{name: "a slow attempt times out", timeout: 10 * time.Millisecond, src: func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}, wantTimeout: true, wantErr: true},
		{name: "a quick failure is not a timeout", timeout: time.Minute, src: func(context.Context) error { return errTransient }, wantErr: true},
		{name: "an ended execution is not a timeout", timeout: time.Minute, ctx: parentEnded, src: func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := newTestExecutor(t)
			task := NewTask(x, userSpec(&source{}))
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			src := func(ctx context.Context, _ *exec[userParams, user]) (*user, error) {
				if err := tc.src(ctx); err != nil {
					return nil, err
				}
				return &user{}, nil
			}
			_, err := timeoutStage[userParams, user, *user]{timeout: tc.timeout}.wrap(src)(ctx, &exec[userParams, user]{t: task, ctx: ctx})
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, tc.wantErr)
			}
			var ate *attemptTimeoutError
			if got := errors.As(err, &ate); got != tc.wantTimeout {
				t.Fatalf("err = %v: attempt timeout %v, want %v", err, got, tc.wantTimeout)
			}
			if tc.wantTimeout && (!errors.Is(err, context.DeadlineExceeded) || final(err)) {
				t.Fatalf("err = %v: an attempt timeout wraps DeadlineExceeded and is transient", err)
			}
		})
	}
}

func TestValidateStage(t *testing.T) {
	tests := []struct {
		name      string
		validate  func(*user) error
		res       *user
		srcErr    error
		wantErr   error
		wantWhich string
	}{
		{name: "no validation", res: &user{Age: -1}},
		{name: "valid", validate: validateUser, res: &user{Age: 1}},
		{name: "invalid", validate: validateUser, res: &user{Age: -1}, wantErr: &runtime.ValidationError{}, wantWhich: "result"},
		{name: "a source error passes untouched", validate: func(*user) error { panic("validate called") }, srcErr: errTransient, wantErr: errTransient},
		{name: "a plain error from the validator", validate: func(*user) error { return errTransient }, res: &user{}, wantErr: errTransient},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := func(context.Context, *exec[userParams, user]) (*user, error) { return tc.res, tc.srcErr }
			r, err := validateStage[userParams, user]{validate: tc.validate, task: "T"}.wrap(src)(context.Background(), &exec[userParams, user]{})
			if tc.wantErr == nil {
				if err != nil || r != tc.res {
					t.Fatalf("got %v, %v", r, err)
				}
				return
			}
			if r != nil {
				t.Fatalf("result %v with error %v", r, err)
			}
			var ve *runtime.ValidationError
			if tc.wantWhich != "" {
				if !errors.As(err, &ve) || ve.Task != "T" || ve.Which != tc.wantWhich || !final(err) {
					t.Fatalf("err = %#v, want a final ValidationError of T's %s", err, tc.wantWhich)
				}
			} else if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestReportStage(t *testing.T) {
	var log eventLog
	x := newTestExecutor(t, runtime.WithHooks(log.hooks()))
	task := NewTask(x, userSpec(&source{}))
	type ctxKey struct{}
	exCtx := context.WithValue(context.Background(), ctxKey{}, "execution")
	var hookCtx []any
	task.h.OnSourceCall = func(ctx context.Context, e runtime.Event) {
		hookCtx = append(hookCtx, ctx.Value(ctxKey{}))
		log.rec("source")(ctx, e)
	}
	tests := []struct {
		attempt int
		err     error
	}{{1, errTransient}, {2, nil}, {3, runtime.ErrNotFound}}
	for _, tc := range tests {
		src := func(context.Context, *exec[userParams, user]) (*user, error) { return nil, tc.err }
		ex := &exec[userParams, user]{t: task, ctx: exCtx, p: &userParams{ID: "k"}, attempt: tc.attempt}
		// The attempt's ctx differs from the execution's: the hook gets the execution's.
		if _, err := (reportStage[userParams, user, *user]{}).wrap(src)(context.Background(), ex); !errors.Is(err, tc.err) {
			t.Fatalf("attempt %d: err = %v, want %v", tc.attempt, err, tc.err)
		}
	}
	events := log.get("source")
	if len(events) != len(tests) {
		t.Fatalf("%d OnSourceCall events, want %d", len(events), len(tests))
	}
	for i, e := range events {
		if e.Attempt != tests[i].attempt || !errors.Is(e.Err, tests[i].err) || e.Key != `id="k"` || hookCtx[i] != "execution" {
			t.Fatalf("event %d = %+v (ctx %v)", i, e, hookCtx[i])
		}
	}
}

func TestSourceSteps(t *testing.T) {
	tests := []struct {
		name      string
		fetch     func() (*user, error)
		many      func(ps []*userParams) ([]*user, error)
		notFound  bool
		final     bool
		transient bool
	}{
		{name: "answer", fetch: func() (*user, error) { return &user{}, nil }, many: func(ps []*userParams) ([]*user, error) { return make([]*user, len(ps)), nil }},
		{name: "neither result nor error", fetch: func() (*user, error) { return nil, nil }, final: true},
		{name: "wrong number of results", many: func(ps []*userParams) ([]*user, error) { return make([]*user, len(ps)+1), nil }, final: true},
		{name: "sql.ErrNoRows is not found", fetch: func() (*user, error) { return nil, sql.ErrNoRows },
			many: func([]*userParams) ([]*user, error) { return nil, sql.ErrNoRows }, notFound: true},
		{name: "a panic is final", fetch: func() (*user, error) { panic("boom") }, many: func([]*userParams) ([]*user, error) { panic("boom") }, final: true},
		{name: "a plain error is transient", fetch: func() (*user, error) { return nil, errTransient },
			many: func([]*userParams) ([]*user, error) { return nil, errTransient }, transient: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := newTestExecutor(t)
			check := func(err error) {
				t.Helper()
				switch {
				case tc.notFound && !runtime.IsNotFound(err), tc.final && !final(err), tc.transient && (err == nil || final(err)),
					!tc.notFound && !tc.final && !tc.transient && err != nil:
					t.Fatalf("err = %v (not found %v, final %v)", err, runtime.IsNotFound(err), final(err))
				}
			}
			if tc.fetch != nil {
				spec := userSpec(&source{fn: func(context.Context, int64, *userParams) (*user, error) { return tc.fetch() }})
				task := NewTask(x, spec)
				_, err := task.sourceStep(context.Background(), &exec[userParams, user]{t: task, p: &userParams{}})
				check(err)
			}
			if tc.many != nil {
				spec := userSpec(&source{})
				spec.Batch = &BatchPolicy[userParams, user]{MaxSize: 10, FetchMany: func(_ context.Context, ps []*userParams) ([]*user, error) { return tc.many(ps) }}
				task := NewTask(x, spec)
				_, err := task.manySourceStep(context.Background(), &exec[userParams, user]{t: task, ps: []*userParams{{ID: "a"}, {ID: "b"}}})
				check(err)
			}
		})
	}
}

// TestStageInserted adds stages to a task's pipelines the way the resilience policies will be added, and
// checks that the other stages and the guarantees around them are unchanged.
func TestStageInserted(t *testing.T) {
	insertAfterRetry := func(single []stage[userParams, user, *user], s stage[userParams, user, *user]) []stage[userParams, user, *user] {
		return slices.Insert(slices.Clone(single), 1, s)
	}
	t.Run("a counting stage inside the retries sees every attempt", func(t *testing.T) {
		x := newTestExecutor(t, withRetryTimer(&instantTimer{}))
		src := &source{fn: func(_ context.Context, n int64, p *userParams) (*user, error) {
			if n < 3 {
				return nil, errTransient
			}
			return &user{ID: p.ID}, nil
		}}
		spec := userSpec(src)
		spec.Retry = RetryPolicy{Attempts: 3}
		task := NewTask(x, spec)
		var n atomic.Int64
		task.compose(func(single []stage[userParams, user, *user], batch []stage[userParams, user, []*user]) ([]stage[userParams, user, *user], []stage[userParams, user, []*user]) {
			return insertAfterRetry(single, countStage[userParams, user, *user]{n: &n}), batch
		})
		u, err := task.Do(context.Background(), &userParams{ID: "k"})
		if err != nil || u.ID != "k" || n.Load() != 3 || src.calls.Load() != 3 {
			t.Fatalf("got %v, %v; stage saw %d calls, source %d; want 3 and 3", u, err, n.Load(), src.calls.Load())
		}
		// The result was cached as before: a hit passes no stage.
		if _, err := task.Do(context.Background(), &userParams{ID: "k"}); err != nil || n.Load() != 3 {
			t.Fatalf("hit: %v, stage calls %d", err, n.Load())
		}
	})
	t.Run("a rejecting stage outermost: no source call, fallbacks still apply", func(t *testing.T) {
		var log eventLog
		x := newTestExecutor(t, runtime.WithHooks(log.hooks()))
		src := &source{}
		spec := userSpec(src)
		spec.Retry = RetryPolicy{Attempts: 3}
		open := runtime.Permanent(errors.New("circuit open"))
		tests := []struct {
			name      string
			fallbacks []Fallback[userParams, user]
			wantName  string
		}{
			{name: "no fallback: the stage's error"},
			{name: "fallback value", fallbacks: []Fallback[userParams, user]{FallbackValue[userParams]("default", func() *user { return &user{Name: "default"} })}, wantName: "default"},
		}
		for _, tc := range tests {
			spec.Fallbacks = tc.fallbacks
			task := NewTask(x, spec)
			task.compose(func(single []stage[userParams, user, *user], batch []stage[userParams, user, []*user]) ([]stage[userParams, user, *user], []stage[userParams, user, []*user]) {
				return append([]stage[userParams, user, *user]{rejectStage[userParams, user, *user]{err: open}}, single...), batch
			})
			u, err := task.Do(context.Background(), &userParams{ID: tc.name})
			switch {
			case tc.wantName == "" && (!errors.Is(err, open) || mustTaskError(t, err).Attempts != 0):
				t.Fatalf("%s: got %v, %v; want the stage's error after 0 attempts", tc.name, u, err)
			case tc.wantName != "" && (err != nil || u.Name != tc.wantName):
				t.Fatalf("%s: got %v, %v", tc.name, u, err)
			}
		}
		if src.calls.Load() != 0 || len(log.get("source")) != 0 {
			t.Fatalf("source called %d times through a rejecting stage", src.calls.Load())
		}
	})
	t.Run("a counting stage in the batch pipeline", func(t *testing.T) {
		x := newTestExecutor(t, withRetryTimer(&instantTimer{}))
		src := &batchSource{}
		spec := batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 10, Wait: time.Millisecond})
		task := NewTask(x, spec)
		var n atomic.Int64
		task.compose(func(single []stage[userParams, user, *user], batch []stage[userParams, user, []*user]) ([]stage[userParams, user, *user], []stage[userParams, user, []*user]) {
			return single, slices.Insert(slices.Clone(batch), 1, stage[userParams, user, []*user](countStage[userParams, user, []*user]{n: &n}))
		})
		ps := []*userParams{{ID: "a"}, {ID: "b"}, {ID: "c"}}
		res, errs := task.DoMany(context.Background(), ps)
		for i := range ps {
			if errs[i] != nil || res[i].ID != ps[i].ID {
				t.Fatalf("key %d: %v, %v", i, res[i], errs[i])
			}
		}
		if int(n.Load()) != len(src.Calls()) || n.Load() != 1 {
			t.Fatalf("stage saw %d calls, FetchMany %d; want 1 and 1", n.Load(), len(src.Calls()))
		}
	})
}

// TestFallbackStage pins what a caller gets when its flight failed: a stale entry first, then the fallbacks in
// order, each result validated and never cached.
func TestFallbackStage(t *testing.T) {
	valid := func(name string) Fallback[userParams, user] {
		return FallbackValue[userParams](name, func() *user { return &user{ID: "k", Name: name} })
	}
	fails := func(name string, err error) Fallback[userParams, user] {
		return Fallback[userParams, user]{Name: name, Fn: func(context.Context, *userParams) (*user, error) { return nil, err }}
	}
	tests := []struct {
		name      string
		stale     string // "", "value" or "negative": what the cache held before it expired
		fallbacks []Fallback[userParams, user]
		wantName  string // the result's Name; "" = an error
		notFound  bool   // the error is not found
		wantEvent string // hook sequence after the failed source call
	}{
		{name: "nothing to fall back on", wantEvent: "error"},
		{name: "stale value first", stale: "value", fallbacks: []Fallback[userParams, user]{valid("fb")}, wantName: "stale", wantEvent: "stale"},
		{name: "stale not-found", stale: "negative", fallbacks: []Fallback[userParams, user]{valid("fb")}, notFound: true, wantEvent: "stale"}, // OnError is not called for not-found answers,
		{name: "first fallback", fallbacks: []Fallback[userParams, user]{valid("one"), valid("two")}, wantName: "one", wantEvent: "fallback"},
		{name: "failed fallback, then the next", fallbacks: []Fallback[userParams, user]{fails("one", errTransient), valid("two")}, wantName: "two", wantEvent: "fallback,fallback"},
		{name: "a fallback's not-found is a failure", fallbacks: []Fallback[userParams, user]{fails("one", runtime.ErrNotFound)}, wantEvent: "fallback,error"},
		{name: "a fallback with no result fails", fallbacks: []Fallback[userParams, user]{fails("one", nil)}, wantEvent: "fallback,error"},
		{name: "an invalid fallback result fails", fallbacks: []Fallback[userParams, user]{FallbackValue[userParams]("bad", func() *user { return &user{Age: -1} })}, wantEvent: "fallback,error"},
		{name: "a panicking fallback fails", fallbacks: []Fallback[userParams, user]{{Name: "p", Fn: func(context.Context, *userParams) (*user, error) { panic("boom") }}}, wantEvent: "fallback,error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			var log eventLog
			x := newTestExecutor(t, runtime.WithClock(clock.Now), runtime.WithHooks(log.hooks()))
			var failing atomic.Bool
			src := &source{fn: func(_ context.Context, _ int64, p *userParams) (*user, error) {
				if failing.Load() {
					return nil, errTransient
				}
				if tc.stale == "negative" {
					return nil, runtime.ErrNotFound
				}
				return &user{ID: p.ID, Name: "stale"}, nil
			}}
			spec := userSpec(src)
			spec.Cache = CachePolicy{TTL: time.Minute, NegativeTTL: time.Minute, StaleIfError: time.Hour}
			spec.Fallbacks = tc.fallbacks
			task := NewTask(x, spec)
			if tc.stale != "" {
				_, _ = task.Do(context.Background(), &userParams{ID: "k"})
				clock.Advance(2 * time.Minute)
			}
			failing.Store(true)
			log = eventLog{}
			u, err := task.Do(context.Background(), &userParams{ID: "k"})
			switch {
			case tc.wantName != "" && (err != nil || u.Name != tc.wantName):
				t.Fatalf("got %+v, %v; want %s", u, err, tc.wantName)
			case tc.wantName == "" && (err == nil || runtime.IsNotFound(err) != tc.notFound):
				t.Fatalf("got %+v, %v; want an error, not found %v", u, err, tc.notFound)
			}
			if got := strings.TrimPrefix(log.seq(), "miss,source,"); got != tc.wantEvent {
				t.Fatalf("events = %s, want miss,source,%s", log.seq(), tc.wantEvent)
			}
			// Fallback results are never cached: the next lookup asks the source again.
			before := src.calls.Load()
			_, _ = task.Do(context.Background(), &userParams{ID: "k"})
			if src.calls.Load() != before+1 {
				t.Fatalf("the next lookup made %d source calls, want 1", src.calls.Load()-before)
			}
		})
	}
}

// TestStagesConcurrentFlights runs many flights through a task with every stage active at once, under -race.
func TestStagesConcurrentFlights(t *testing.T) {
	x := newTestExecutor(t, withRetryTimer(&instantTimer{}))
	src := &source{fn: func(_ context.Context, n int64, p *userParams) (*user, error) {
		if n%3 == 0 {
			return nil, errTransient
		}
		return &user{ID: p.ID}, nil
	}}
	spec := userSpec(src)
	spec.Retry = RetryPolicy{Attempts: 5, InitialDelay: time.Millisecond}
	spec.Timeout = time.Second
	task := NewTask(x, spec)
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			id := string(rune('a' + i%16))
			if u, err := task.Do(context.Background(), &userParams{ID: id}); err != nil || u.ID != id {
				t.Errorf("%s: %v, %v", id, u, err)
			}
		})
	}
	wg.Wait()
}

// BenchmarkSourcePipeline measures a miss's trip through the stages (no cache, so every lookup runs a flight),
// with one attempt and with a retry policy that the source never needs.
func BenchmarkSourcePipeline(b *testing.B) {
	for _, attempts := range []uint{1, 3} {
		b.Run(fmt.Sprintf("attempts=%d", attempts), func(b *testing.B) {
			x := newTestExecutor(b)
			spec := userSpec(&source{})
			spec.Cache = CachePolicy{}
			spec.Retry = RetryPolicy{Attempts: attempts}
			spec.Timeout = time.Second
			task := NewTask(x, spec)
			ctx := context.Background()
			p := &userParams{ID: "k"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := task.Do(ctx, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// getBatched is what a generated Get method does for a batched task.
func getBatched(ctx context.Context, task *Task[userParams, user], id string) (*user, error) {
	var buf [64]byte
	p := userParams{ID: id}
	return task.Get(ctx, appendUserKey(task.Key(buf[:0]), &p), p)
}

// TestBatchStage drives the batching stage from Get, as generated code does: every key of a window is asked
// once in one FetchMany call, however many callers wait for it, each caller gets its own copy, invalid params
// never reach the window, and a caller that leaves does not cancel the others.
func TestBatchStage(t *testing.T) {
	tests := []struct {
		name      string
		ids       []string // one caller each, concurrently
		leaving   string   // a caller of this id leaves before the window runs
		wantCalls int      // FetchMany calls
		wantKeys  int      // keys asked in all
		wantErrs  map[string]func(error) bool
	}{
		{name: "distinct keys, one call", ids: []string{"a", "b", "c", "d"}, wantCalls: 1, wantKeys: 4},
		{name: "duplicates coalesce", ids: []string{"a", "a", "a", "b", "b"}, wantCalls: 1, wantKeys: 2},
		{name: "invalid params stay out", ids: []string{"", "a"}, wantCalls: 1, wantKeys: 1,
			wantErrs: map[string]func(error) bool{"": func(err error) bool { return errors.As(err, new(*runtime.ValidationError)) }}},
		{name: "not found per key", ids: []string{"missing1", "a"}, wantCalls: 1, wantKeys: 2,
			wantErrs: map[string]func(error) bool{"missing1": runtime.IsNotFound}},
		{name: "a caller leaves, the others stay", ids: []string{"a", "a", "b"}, leaving: "a", wantCalls: 1, wantKeys: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := newTestExecutor(t)
			src := &batchSource{}
			task := NewTask(x, batchSpec(t, src, BatchPolicy[userParams, user]{MaxSize: 100, Wait: 50 * time.Millisecond}))
			res := make([]*user, len(tc.ids)+1)
			errs := make([]error, len(tc.ids)+1)
			var wg sync.WaitGroup
			for i, id := range tc.ids {
				wg.Go(func() { res[i], errs[i] = getBatched(context.Background(), task, id) })
			}
			if tc.leaving != "" {
				ctx, cancel := context.WithCancel(context.Background())
				wg.Go(func() { res[len(tc.ids)], errs[len(tc.ids)] = getBatched(ctx, task, tc.leaving) })
				for windowLive(task) < 1 {
					time.Sleep(time.Millisecond)
				}
				time.Sleep(5 * time.Millisecond)
				cancel()
			}
			wg.Wait()
			if tc.leaving != "" && !errors.Is(errs[len(tc.ids)], context.Canceled) {
				t.Fatalf("the leaving caller got %v, want context.Canceled", errs[len(tc.ids)])
			}
			seen := map[*user]bool{}
			for i, id := range tc.ids {
				if want := tc.wantErrs[id]; want != nil {
					if !want(errs[i]) {
						t.Fatalf("%q: err = %v", id, errs[i])
					}
					continue
				}
				if errs[i] != nil || res[i].ID != id {
					t.Fatalf("%q: got %v, %v", id, res[i], errs[i])
				}
				if seen[res[i]] {
					t.Fatalf("%q: two callers share one result", id)
				}
				seen[res[i]] = true
			}
			if calls := src.Calls(); len(calls) != tc.wantCalls || src.keysAsked() != tc.wantKeys {
				t.Fatalf("FetchMany calls = %v, want %d calls for %d keys", calls, tc.wantCalls, tc.wantKeys)
			}
			// The answers were cached: the same lookups now hit.
			for _, id := range tc.ids {
				if tc.wantErrs[id] == nil {
					if _, err := getBatched(context.Background(), task, id); err != nil {
						t.Fatal(err)
					}
				}
			}
			if len(src.Calls()) != tc.wantCalls {
				t.Fatalf("hits made FetchMany calls: %v", src.Calls())
			}
		})
	}
}

// retryAfterError is a transient error carrying a server's Retry-After, as the HTTP source's Error does.
type retryAfterError time.Duration

func (e retryAfterError) Error() string { return fmt.Sprintf("try again after %v", time.Duration(e)) }

func (e retryAfterError) RetryAfterDelay(seam.Token) time.Duration { return time.Duration(e) }

// TestRetryDelay: a Retry-After outranks a shorter backoff, through any wrapping, up to the maximum delay.
func TestRetryDelay(t *testing.T) {
	cases := []struct {
		name           string
		err            error
		backoff, limit time.Duration
		want           time.Duration
	}{
		{"capped", fmt.Errorf("x: %w", runtime.Permanent(retryAfterError(time.Minute))), time.Second, 10 * time.Second, 10 * time.Second},
		{"below backoff", retryAfterError(time.Second), 3 * time.Second, 10 * time.Second, 3 * time.Second},
		{"plain", errors.New("plain"), 3 * time.Second, 10 * time.Second, 3 * time.Second},
	}
	for _, c := range cases {
		if got := retryDelay(c.err, c.backoff, c.limit); got != c.want {
			t.Errorf("%s: retryDelay = %v, want %v", c.name, got, c.want)
		}
	}
}
