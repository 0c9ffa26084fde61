package emit

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"
)

// Every comment whose text is not a constant of this package goes through
// comment or lineComment: that text may come from a spec (a description, a
// property name in a schema location, a pattern), and a spec's text must
// never become code. jennifer writes a text with a newline as a /* */
// block, which "*/" in the text ends, and passes a text starting with "//"
// through verbatim, so a "//go:linkname" line would be a compiler
// directive. commentText therefore writes line comments only, each one
// "// " followed by the line, so that no line is a directive, with the
// characters a Go file cannot hold, or that a reader would not see as they
// are, escaped. TestCommentsGoThroughHelper keeps the emitter to this.

// commenter is a jennifer File or Group: what a comment is added to.
type commenter interface {
	Comment(string) *jen.Statement
}

// comment adds text to c as line comments.
func comment(c commenter, text string) {
	c.Comment(commentText(text))
}

// lineComment is text as line comments, for a statement list.
func lineComment(text string) *jen.Statement {
	return jen.Comment(commentText(text))
}

// directive adds a compiler directive, such as go:noinline. Its name is a
// constant of the emitter, never text from a spec.
func directive(c commenter, name string) {
	c.Comment("//" + name)
}

// commentText renders text as one or more line comments: every line of
// the text (split at \n, \r, U+0085, U+2028 and U+2029) becomes "// line",
// with leading and trailing blanks removed and unsafe characters escaped
// as in a Go string literal. jennifer renders a text that starts with "//"
// as it is.
func commentText(text string) string {
	b := make([]byte, 0, len(text)+3)
	b = append(b, "//"...)
	lineStart := true
	// begin writes the blank after "//" before a line's first character.
	begin := func() {
		if lineStart {
			b = append(b, ' ')
			lineStart = false
		}
	}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			begin()
			b = append(b, '\\', 'x', hex[text[i]>>4], hex[text[i]&0xf])
		case r == '\r' && i+1 < len(text) && text[i+1] == '\n':
			// \r\n is one line break.
		case r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029:
			b = append(bytes.TrimRight(b, " \t"), "\n//"...)
			lineStart = true
		case r == '\t' || r == ' ':
			if !lineStart {
				b = append(b, byte(r))
			}
		case unsafeInComment(r) || (lineStart && r == '+' && strings.HasPrefix(text[i:], "+build")):
			// go vet reads a comment line "// +build ..." after the
			// package clause as a misplaced build constraint.
			begin()
			q := strconv.QuoteRuneToASCII(r)
			if r == '+' {
				q = `'\x2b'`
			}
			b = append(b, q[1:len(q)-1]...)
		default:
			begin()
			b = utf8.AppendRune(b, r)
		}
		i += n
	}
	return string(bytes.TrimRight(b, " \t"))
}

const hex = "0123456789abcdef"

// unsafeInComment reports whether r must be escaped in a comment: control
// characters (NUL is not allowed in Go source at all), a byte order mark
// (allowed only at the start of a file), and the format characters that
// reorder or hide text, so that a comment reads as what it holds.
func unsafeInComment(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r == 0xFEFF:
		return true
	case unicode.Is(unicode.Cf, r) && r != 0x200C && r != 0x200D:
		// Zero-width (non-)joiners are kept: they are part of emoji and of
		// some scripts' words.
		return true
	}
	return false
}
