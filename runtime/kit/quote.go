package kit

import "github.com/reftask/reftask/internal/quote"

// QuoteLimit is how many bytes of a value an error message or a log line shows. A longer value is cut there and
// its full length noted, so that a 50 MB param or source value cannot make a 50 MB message.
const QuoteLimit = quote.Limit

// Quote renders a value for an error message: Go-quoted, and when longer than QuoteLimit bytes, cut at a
// character boundary with its length noted, as in "abc"... (52428800 bytes). Every place that quotes a user's or
// a source's value goes through it.
func Quote(s string) string { return quote.Quote(s) }

// Clip is Quote for text shown without quotes (a JSON text, a URL): abc... (52428800 bytes).
func Clip(s string) string { return quote.Clip(s) }
