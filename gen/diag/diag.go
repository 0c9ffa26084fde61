// Package diag collects the problems a generator run finds in its input, so
// that all of them are reported at once, sorted, as file:line:col: message.
package diag

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

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

// String renders the diagnostic the way compilers do: file:line:col: pointer: message.
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
		b.WriteString(d.Pointer)
		b.WriteString(": ")
	}
	b.WriteString(d.Msg)
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
