package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// attemptCtx is the ctx of one source call under a per-attempt timeout. It becomes a real context.WithDeadline
// (a timer and a cancel context) only when the source asks for something that needs one: Done, an Err once the
// deadline has passed or the parent has ended, or the stdlib's cancellation lookup. A source that answers without
// waiting on its ctx, such as a Go function over memory, then costs no timer at all.
type attemptCtx struct {
	parent   context.Context
	deadline time.Time // ours: the parent's may be earlier

	mu     sync.Mutex
	real   atomic.Pointer[armedCtx] // set once, under mu
	closed bool                     // release ran: arm makes an already cancelled ctx
}

type armedCtx struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newAttemptCtx(parent context.Context, deadline time.Time) *attemptCtx {
	return &attemptCtx{parent: parent, deadline: deadline}
}

// arm returns the real context, making it on first use.
func (c *attemptCtx) arm() context.Context {
	if a := c.real.Load(); a != nil {
		return a.ctx
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if a := c.real.Load(); a != nil {
		return a.ctx
	}
	ctx, cancel := context.WithDeadline(c.parent, c.deadline)
	if c.closed {
		cancel()
	}
	c.real.Store(&armedCtx{ctx: ctx, cancel: cancel})
	return ctx
}

// release ends the attempt's ctx, as the CancelFunc of context.WithDeadline does.
func (c *attemptCtx) release() {
	c.mu.Lock()
	c.closed = true
	a := c.real.Load()
	c.mu.Unlock()
	if a != nil {
		a.cancel()
	}
}

// Deadline returns the earlier of the attempt's deadline and the parent's.
func (c *attemptCtx) Deadline() (time.Time, bool) {
	if d, ok := c.parent.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

// Done arms the ctx: whoever waits on it needs the timer.
func (c *attemptCtx) Done() <-chan struct{} { return c.arm().Done() }

// Err needs the real context only once the attempt has ended, so that Err and Done always agree.
func (c *attemptCtx) Err() error {
	if a := c.real.Load(); a != nil {
		return a.ctx.Err()
	}
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed || c.parent.Err() != nil || !time.Now().Before(c.deadline) {
		return c.arm().Err()
	}
	return nil
}

// Value answers from the parent, except for the key through which the context package finds a cancel context
// (context.Cause, and WithCancel on this ctx, look it up): that one must come from the real context, whose
// cancellation is the attempt's. The key is a pointer to an unexported int in the context package; any *int key
// arms the ctx, which only costs a timer.
func (c *attemptCtx) Value(key any) any {
	if a := c.real.Load(); a != nil {
		return a.ctx.Value(key)
	}
	if _, ok := key.(*int); ok {
		return c.arm().Value(key)
	}
	return c.parent.Value(key)
}

func (c *attemptCtx) String() string { return "reftask attempt context" }
