package runtime

import (
	"github.com/reftask/reftask/runtime/internal/seam"
	"github.com/reftask/reftask/runtime/internal/secret"
)

// Secrets are the values a source's requests carry that must never leave the process in text (for HTTP: what
// ${env:NAME} references resolved to, what the credential decorators applied, and the password and credential
// query values of a connection's base URL). A server may echo any of them back, and from there they would reach
// an error, a hook event or a log line. The source kind's package hands each request's secrets to the executor
// (RememberSecrets), which scrubs every error of a task's attempt from then on (reportStage, and each key's
// result validation in a batch); runtime/internal/secret does the scrubbing.

// RememberSecrets is for a source kind's package: it adds the secrets of one request to those the executor
// scrubs from every attempt's error. Its Token argument can only be written by packages of this module.
func (x *Executor) RememberSecrets(_ seam.Token, list []secret.Secret) { x.st.Secrets.Remember(list) }

// RedactSecrets is for a source kind's package: it scrubs list out of err as the engine scrubs attempt errors,
// fields of the errors in its chain included.
func (x *Executor) RedactSecrets(_ seam.Token, err error, list []secret.Secret) error {
	return redactErr(err, list)
}

// RedactSeen scrubs err of every secret the executor has seen, as the engine does to each attempt's error; see
// redactErr. Its Token argument can only be written by packages of this module.
func (x *Executor) RedactSeen(_ seam.Token, err error) error {
	if err == nil || !x.st.Secrets.On() {
		return err
	}
	return redactErr(err, x.st.Secrets.All())
}

// redactErr scrubs the secrets out of err: in place in the fields of the errors it wraps that callers read
// directly (ValidationError, ConvError, FormatError, TaskError, and a source kind's errors through
// seam.Scrubber), and in its text, by wrapping it when the text still holds one. errors.Is and errors.As see the
// same chain as before.
func redactErr(err error, secrets []secret.Secret) error {
	if err == nil || len(secrets) == 0 {
		return err
	}
	scrubChain(err, func(s string) string { return secret.Text(s, secrets) }, 0)
	return secret.Wrap(err, secrets)
}

func scrubChain(err error, scrub func(string) string, depth int) {
	if err == nil || depth > 64 {
		return
	}
	switch e := err.(type) {
	case seam.Scrubber:
		e.ScrubSecrets(seam.Token{}, scrub)
	case *ValidationError:
		for i := range e.Violations {
			e.Violations[i].Pointer = scrub(e.Violations[i].Pointer)
			e.Violations[i].Message = scrub(e.Violations[i].Message)
		}
	case *ConvError:
		e.Value = scrub(e.Value)
		e.Path = scrub(e.Path)
	case *FormatError:
		e.Value = scrub(e.Value)
	case *TaskError:
		e.Key = scrub(e.Key)
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		scrubChain(u.Unwrap(), scrub, depth+1)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			scrubChain(e, scrub, depth+1)
		}
	}
}
