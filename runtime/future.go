package runtime

import (
	"context"

	"github.com/reftask/reftask/runtime/internal/core"
	"github.com/reftask/reftask/runtime/internal/seam"
)

// Future is the pending result of Task.Async.
type Future[R any] struct {
	done chan struct{}
	res  *R
	err  error
	wrap func(error) error // turns an Await cancellation into a *TaskError
}

// Await waits for the result, or returns early with an error wrapping ctx.Err when ctx ends first.
func (f *Future[R]) Await(ctx context.Context) (*R, error) {
	select {
	case <-f.done:
		return f.res, f.err
	case <-ctx.Done():
		select {
		case <-f.done:
			return f.res, f.err
		default:
		}
		return nil, f.wrap(core.CtxErr(ctx))
	}
}

// Done is closed once the result is available.
func (f *Future[R]) Done() <-chan struct{} { return f.done }

// NewFuture runs run in its own goroutine and returns its pending result; wrap turns an Await cancellation into
// the error Await returns. It is for the engine, which runs Task.Async: its Token argument can only be written by
// packages of this module.
func NewFuture[R any](_ seam.Token, run func() (*R, error), wrap func(error) error) *Future[R] {
	f := &Future[R]{done: make(chan struct{}), wrap: wrap}
	go func() {
		defer close(f.done)
		f.res, f.err = run()
	}()
	return f
}
