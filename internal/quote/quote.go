// Package quote cuts the values that error messages and log lines show, so that a huge value cannot make a huge
// message. The runtime and the generator share it, so both print a cut value the same way.
package quote

import (
	"strconv"
	"unicode/utf8"
)

// Limit is how many bytes of a value a message shows.
const Limit = 128

// Quote renders a value Go-quoted and, when longer than Limit bytes, cut at a character boundary with its length
// noted, as in "abc"... (52428800 bytes).
func Quote(s string) string {
	head, cut := At(s, Limit)
	if !cut {
		return strconv.Quote(s)
	}
	return strconv.Quote(head) + LengthNote(len(s))
}

// Clip is Quote for text shown without quotes: abc... (52428800 bytes).
func Clip(s string) string { return ClipN(s, Limit) }

// ClipN cuts s after limit bytes, at a character boundary, and notes its length.
func ClipN(s string, limit int) string {
	head, cut := At(s, limit)
	if !cut {
		return s
	}
	return head + LengthNote(len(s))
}

// At returns the first limit bytes of s, backed up to a UTF-8 character boundary, and whether s was longer.
func At(s string, limit int) (string, bool) {
	if len(s) <= limit {
		return s, false
	}
	n := limit
	for n > 0 && n > limit-utf8.UTFMax && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}

// LengthNote is what follows a cut value; the runtime's scrubber of secrets looks for it.
func LengthNote(n int) string { return "... (" + strconv.Itoa(n) + " bytes)" }
