package runtime

import (
	"fmt"
	"reflect"

	"github.com/reftask/reftask/internal/quote"
	"github.com/reftask/reftask/runtime/internal/rawval"
)

// QuoteLimit is how many bytes of a value an error message or a log line shows. A longer value is cut there and
// its full length noted, so that a 50 MB param or source value cannot make a 50 MB message.
const QuoteLimit = quote.Limit

// Limits for text that is not one value but holds some: a JSON pointer (whose keys may come from input), a URL
// (whose path holds params), one violation's message, and the list of violations in one error.
const (
	pointerLimit    = 2 * QuoteLimit
	urlLimit        = 2 * QuoteLimit
	messageLimit    = 8 * QuoteLimit
	violationsShown = 10
	// logLimit bounds an error or key attribute of a log line: an error from a user's source or a driver can be
	// any size, and one log line should not be.
	logLimit = 32 * QuoteLimit
)

// Quote renders a value for an error message or a log line: Go-quoted, and when longer than QuoteLimit bytes,
// cut at a character boundary with its length noted, as in "abc"... (52428800 bytes). Every place that quotes a
// user's or a source's value goes through it.
func Quote(s string) string { return quote.Quote(s) }

// Clip is Quote for text shown without quotes (a JSON text, a URL): abc... (52428800 bytes).
func Clip(s string) string { return quote.Clip(s) }

// clipText cuts s after limit bytes, at a character boundary, and notes its length.
func clipText(s string, limit int) string { return quote.ClipN(s, limit) }

// clipAt returns the first limit bytes of s, backed up to a UTF-8 character boundary, and whether s was longer.
func clipAt(s string, limit int) (string, bool) { return quote.At(s, limit) }

// lengthNote is what follows a cut value: the marker that the scrubber of secrets (runtime/internal/secret) also looks for.
func lengthNote(n int) string { return quote.LengthNote(n) }

// quoteAny is Quote for a value of any type: a string is quoted, anything else printed with %v and clipped.
func quoteAny(v any) string { return rawval.QuoteAny(v) }

// boundedArg stands in for a long string argument of Violations.Addf, so that whatever verb the generated
// message uses (%q, %s, %v), the value is shown cut, with its length.
type boundedArg struct{ s string }

// Format writes the value as Quote does for %q and as Clip does for the other verbs.
func (b boundedArg) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		_, _ = f.Write([]byte(Quote(b.s)))
		return
	}
	_, _ = f.Write([]byte(Clip(b.s)))
}

// boundArgs replaces the long string arguments of a message with boundedArgs; short ones are left alone.
func boundArgs(args []any) []any {
	for i, a := range args {
		switch x := a.(type) {
		case string:
			if len(x) > QuoteLimit {
				args[i] = boundedArg{x}
			}
		case []byte:
			if len(x) > QuoteLimit {
				args[i] = boundedArg{string(x)}
			}
		case fmt.Stringer:
			// Format types and named strings; their text is what the message shows.
			if s := x.String(); len(s) > QuoteLimit {
				args[i] = boundedArg{s}
			}
		default:
			if rv := reflect.ValueOf(a); rv.Kind() == reflect.String && rv.Len() > QuoteLimit {
				args[i] = boundedArg{rv.String()}
			}
		}
	}
	return args
}
