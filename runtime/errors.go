package runtime

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/reftask/reftask/runtime/internal/core"
)

// ErrNotFound reports that the source has no value for the params; test for it with errors.Is.
var ErrNotFound = errors.New("reftask: not found")

// ErrUnknownTask is returned by generated dynamic dispatch for a task name it does not know.
var ErrUnknownTask = errors.New("reftask: unknown task")

// ErrClosed is the cause of every error a task returns after its Executor was closed.
var ErrClosed = errors.New("reftask: executor closed")

// IsNotFound reports whether err means the source had no value.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// permanentError marks an error that retrying cannot fix.
type permanentError = core.PermanentError

// Permanent marks err as not retryable; errors.Is and errors.As still see the wrapped error.
// Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	if IsPermanent(err) {
		return err
	}
	return &permanentError{Err: err}
}

// IsPermanent reports whether err, or any error it wraps, was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// Violation is one broken schema constraint.
type Violation struct {
	Pointer string // JSON pointer to the offending value; "" is the root
	Keyword string // schema keyword, e.g. "minLength"
	Message string
}

// ValidationError lists every violation found in one value.
// Which is "params" or "result" and Task is the task name; the executor fills both in.
type ValidationError struct {
	Task       string
	Which      string
	Violations []Violation
}

// Error renders all violations on one line.
func (e *ValidationError) Error() string {
	// No "reftask: task" prefix: the executor wraps this in a TaskError,
	// which names the task and parameters once.
	var b strings.Builder
	b.WriteString("invalid ")
	if e.Which != "" {
		b.WriteString(e.Which)
	} else {
		b.WriteString("value")
	}
	b.WriteString(": ")
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		if i == violationsShown {
			// The list stays whole in Violations; the text names the first few.
			fmt.Fprintf(&b, "and %d more", len(e.Violations)-i)
			break
		}
		p := v.Pointer
		if p == "" {
			p = "(root)"
		}
		b.WriteString(p)
		b.WriteString(": ")
		b.WriteString(v.Keyword)
		b.WriteString(": ")
		b.WriteString(v.Message)
	}
	return b.String()
}

// TaskError wraps every failure a task returns, including the caller's own context errors.
type TaskError struct {
	Task     string
	Key      string // params rendered for humans, e.g. `user_id="u1"`
	Attempts int    // source attempts made; 0 when the source was not called
	Err      error
}

// Error renders task, key, attempts and cause.
func (e *TaskError) Error() string {
	var b strings.Builder
	b.WriteString("reftask: task ")
	b.WriteString(e.Task)
	if e.Key != "" {
		b.WriteString(" (")
		b.WriteString(e.Key)
		b.WriteString(")")
	}
	b.WriteString(": ")
	if e.Attempts > 0 {
		b.WriteString(strconv.Itoa(e.Attempts))
		if e.Attempts == 1 {
			b.WriteString(" attempt: ")
		} else {
			b.WriteString(" attempts: ")
		}
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("unknown error")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *TaskError) Unwrap() error { return e.Err }

// ConvError reports that a raw source value could not be converted losslessly.
type ConvError struct {
	Path  string // where the value sits, e.g. "/user/age"
	From  string // Go or JSON type of the raw value
	To    string // schema type wanted
	Value string // short rendering of the raw value
	Err   error  // optional detail
}

// Error renders path, types, value and detail.
func (e *ConvError) Error() string {
	var b strings.Builder
	b.WriteString("reftask: convert ")
	if e.Path != "" {
		b.WriteString(e.Path)
	} else {
		b.WriteString("(root)")
	}
	b.WriteString(": cannot convert ")
	b.WriteString(e.From)
	if e.Value != "" {
		b.WriteString(" ")
		b.WriteString(e.Value)
	}
	b.WriteString(" to ")
	b.WriteString(e.To)
	if e.Err != nil {
		b.WriteString(": ")
		// A decoder's detail may quote the value again, whole (encoding/json does for a number).
		b.WriteString(clipText(e.Err.Error(), messageLimit))
	}
	return b.String()
}

// Unwrap returns the detail error, if any.
func (e *ConvError) Unwrap() error { return e.Err }

// panicError carries a recovered panic so callers get an error instead of a crash.
type panicError = core.PanicError
