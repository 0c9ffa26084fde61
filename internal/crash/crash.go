// Package crash carries a panic from the goroutine where it happened to the
// goroutine that waits for that work, so that one recover at the top of a
// run catches a failure in any of its workers. An unrecovered panic on a
// worker would end the process with the Go runtime's exit status 2, which
// reftaskgen documents as a usage error.
package crash

import (
	"fmt"
	"runtime/debug"
	"sync"
)

// Panic is a recovered panic: the value it carried and the stack of the
// goroutine where it happened.
type Panic struct {
	Value any
	Stack []byte
}

func (p *Panic) Error() string { return fmt.Sprint(p.Value) }

// Unwrap returns the panic's value when it is an error.
func (p *Panic) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// Recovered turns a value from recover into a *Panic, keeping the stack of
// the goroutine that panicked first when the value already is one. Call it
// in the deferred function that recovers, so that the stack is the panic's.
func Recovered(r any) *Panic {
	if p, ok := r.(*Panic); ok {
		return p
	}
	return &Panic{Value: r, Stack: debug.Stack()}
}

// Group runs functions on goroutines and waits for them, like a
// sync.WaitGroup. A panic in one of them is recovered there, and Wait
// panics again with it (the first one, as a *Panic) on the goroutine that
// waits.
type Group struct {
	wg    sync.WaitGroup
	mu    sync.Mutex
	first *Panic
}

// Go runs f on a goroutine of its own.
func (g *Group) Go(f func()) {
	g.wg.Go(func() {
		defer func() {
			if r := recover(); r != nil {
				p := Recovered(r)
				g.mu.Lock()
				if g.first == nil {
					g.first = p
				}
				g.mu.Unlock()
			}
		}()
		f()
	})
}

// Wait waits for every function started with Go, then panics with the first
// panic one of them had, if any.
func (g *Group) Wait() {
	g.wg.Wait()
	g.mu.Lock()
	p := g.first
	g.mu.Unlock()
	if p != nil {
		panic(p)
	}
}
