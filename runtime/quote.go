package runtime

import (
	"github.com/reftask/reftask/internal/quote"
	"github.com/reftask/reftask/runtime/internal/rawval"
)

// Limits for text that is not one value but holds some: a JSON pointer (whose keys may come from input), a URL
// (whose path holds params), one violation's message, and the list of violations in one error.
const (
	pointerLimit    = 2 * quote.Limit
	urlLimit        = 2 * quote.Limit
	messageLimit    = 8 * quote.Limit
	violationsShown = 10
	// logLimit bounds an error or key attribute of a log line: an error from a user's source or a driver can be
	// any size, and one log line should not be.
	logLimit = 32 * quote.Limit
)

// clipText cuts s after limit bytes, at a character boundary, and notes its length.
func clipText(s string, limit int) string { return quote.ClipN(s, limit) }

// clipAt returns the first limit bytes of s, backed up to a UTF-8 character boundary, and whether s was longer.
func clipAt(s string, limit int) (string, bool) { return quote.At(s, limit) }

// lengthNote is what follows a cut value: the marker that the scrubber of secrets (runtime/internal/secret) also looks for.
func lengthNote(n int) string { return quote.LengthNote(n) }

// quoteAny is Quote for a value of any type: a string is quoted, anything else printed with %v and clipped.
func quoteAny(v any) string { return rawval.QuoteAny(v) }
