// Package seam is how the packages of this module reach what an executor
// holds without widening the runtime's user API: the executor's method that
// hands out a bound source takes a Token, which only packages of this
// module can name.
package seam

import (
	"context"
	"fmt"
	"time"

	"github.com/reftask/reftask/runtime/internal/secret"
	"github.com/reftask/reftask/runtime/source"
)

// Token is the argument type of the executor's internal methods.
type Token struct{}

// Host is what the executor offers a source kind's package.
type Host interface {
	// BoundSource returns the source of kind bound under name; an error
	// (runtime.ErrClosed after Close, or a Permanent error naming the
	// missing binding) otherwise.
	BoundSource(tok Token, kind, name string) (source.Source, error)
	// Permanent marks err as not worth retrying, as runtime.Permanent does.
	Permanent(tok Token, err error) error
	// InvalidateTask retires every cached result of task, as the executor's
	// public method of that name does: a source whose data changed calls it
	// for the tasks that read that data.
	InvalidateTask(task string)
	// ReportReload tells the executor's OnReload hook (and so its log lines,
	// under WithLogger) that the file at path was reread: err nil when the
	// new version is served, else why the last good one still is.
	ReportReload(tok Token, ctx context.Context, path string, err error)
	// RememberSecrets adds the secrets one request carried to those the
	// executor scrubs from every attempt's error from then on.
	RememberSecrets(tok Token, list []secret.Secret)
	// RedactSecrets scrubs list out of err as the engine scrubs attempt
	// errors: in the fields of the errors in its chain and in its text.
	RedactSecrets(tok Token, err error, list []secret.Secret) error
}

// Runner is implemented by a bound source of this module that works
// alongside the executor, such as the file source's poller. runtime.New
// calls Start, handing it the executor, once every option has been applied
// and the cache is ready, in binding order; an error fails New. The
// executor's Close calls Stop before it closes the cache and the bound
// sources, so Stop must wait for that work to end and leave no goroutine
// behind. Stop may be called more than once, and after a failed Start.
// Users' own kinds cannot implement Runner, since they cannot name Host:
// what a runner may do to an executor is this module's to decide.
type Runner interface {
	Start(h Host) error
	Stop()
}

// Scrubber is an error type of a kind's package with fields that quote what a
// server sent; the engine's scrubbing of secrets calls ScrubSecrets with a
// function that scrubs one text, for each such error in an error's chain.
type Scrubber interface {
	ScrubSecrets(tok Token, scrub func(string) string)
}

// RetryAfter is an error that carries a server's wish for the next attempt's
// delay (HTTP's Retry-After); the retry stage waits at least that long, up to
// the policy's maximum delay.
type RetryAfter interface {
	RetryAfterDelay(tok Token) time.Duration
}

// Lookup returns the source of kind bound under name in h as the kind
// package's own type S.
func Lookup[S source.Source](h Host, kind, name string) (S, error) {
	var zero S
	if h == nil {
		return zero, fmt.Errorf("reftask: %s connection %q: no executor", kind, name)
	}
	s, err := h.BoundSource(Token{}, kind, name)
	if err != nil {
		return zero, err
	}
	v, ok := s.(S)
	if !ok {
		return zero, h.Permanent(Token{}, fmt.Errorf("reftask: %s connection %q is bound to a %T, not a %T", kind, name, s, zero))
	}
	return v, nil
}
