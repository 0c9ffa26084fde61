// Package diag collects the problems a generator run finds in its input, so
// that all of them are reported at once, sorted, as file:line:col: message.
package diag

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/reftask/reftask/internal/quote"
)

// Bounds of a diagnostic's text. A value from a spec (an enum value, a default, a pattern, a property name...)
// is shown through Quote or Clip, cut at QuoteLimit bytes with its full length noted; a pointer (whose tokens are
// property names) and a whole message, which may hold several values or a library's words, are cut at their own
// bounds when printed, so that one diagnostic line stays near a kilobyte whatever the spec holds.
const (
	QuoteLimit   = quote.Limit
	PointerLimit = 2 * QuoteLimit
	MessageLimit = 6 * QuoteLimit
)

// Quote renders a spec's value for a message: Go-quoted, cut at QuoteLimit bytes with its length noted.
func Quote(s string) string { return quote.Quote(s) }

// Clip is Quote for a value shown without quotes (a number's text, a Go name, a SQL fragment).
func Clip(s string) string { return quote.Clip(s) }

// ClipN is Clip with its own limit, for text that holds more than one value.
func ClipN(s string, limit int) string { return quote.ClipN(s, limit) }

// Value renders a decoded JSON value for a message: a string is quoted, anything else printed as Go prints it,
// both cut as Quote cuts.
func Value(v any) string {
	if s, ok := v.(string); ok {
		return Quote(s)
	}
	return Clip(fmt.Sprint(v))
}

// ClipPointer bounds a JSON pointer for a message. Each token (a property name from the spec) is cut as Clip
// cuts; a pointer still longer than PointerLimit keeps its start and its end, which name the keyword, and notes
// its length in between, as in /params/properties/a... (40000 bytes) .../x/pattern.
func ClipPointer(p string) string {
	if len(p) <= PointerLimit {
		return p
	}
	toks := strings.Split(p, "/")
	for i, t := range toks {
		toks[i] = Clip(t)
	}
	q := strings.Join(toks, "/")
	if len(q) <= PointerLimit {
		return q
	}
	head, _ := quote.At(q, PointerLimit/2)
	tail := q[len(q)-PointerLimit/2:]
	if i := strings.IndexByte(tail, '/'); i >= 0 {
		tail = tail[i:] // whole tokens, when the tail holds a separator
	}
	for i := 0; i < utf8.UTFMax && tail != "" && !utf8.RuneStart(tail[0]); i++ {
		tail = tail[1:]
	}
	return head + "... (" + strconv.Itoa(len(p)) + " bytes) ..." + tail
}

// Diagnostic is one problem at one place in one input file.
type Diagnostic struct {
	File      string
	Line, Col int
	// Pointer is the JSON pointer of the offending value, when there is one.
	Pointer string
	Msg     string
	// Warning marks a problem that does not stop generation.
	Warning bool
}

// String renders the diagnostic the way compilers do: file:line:col: pointer: message. The pointer and the
// message are cut at PointerLimit and MessageLimit bytes, a backstop for text no helper above has bounded.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", d.Line, d.Col)
	}
	b.WriteString(": ")
	if d.Warning {
		b.WriteString("warning: ")
	}
	if d.Pointer != "" {
		b.WriteString(ClipPointer(d.Pointer))
		b.WriteString(": ")
	}
	b.WriteString(quote.ClipN(d.Msg, MessageLimit))
	return b.String()
}

// List is the diagnostics of one run.
type List []Diagnostic

// Add appends a diagnostic.
func (l *List) Add(d Diagnostic) { *l = append(*l, d) }

// Sorted returns the diagnostics ordered by file, line, column and message,
// with exact duplicates removed, so that output is deterministic.
func (l List) Sorted() List {
	out := slices.Clone(l)
	slices.SortFunc(out, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Pointer, b.Pointer),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
	return slices.Compact(out)
}

// HasErrors reports whether any diagnostic is not a warning.
func (l List) HasErrors() bool {
	for _, d := range l {
		if !d.Warning {
			return true
		}
	}
	return false
}

// Errors returns only the diagnostics that are not warnings.
func (l List) Errors() List {
	var out List
	for _, d := range l {
		if !d.Warning {
			out = append(out, d)
		}
	}
	return out
}

// Error joins the sorted diagnostics, one a line, so that a List is an error.
func (l List) Error() string {
	var b strings.Builder
	for i, d := range l.Sorted() {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
	}
	return b.String()
}
