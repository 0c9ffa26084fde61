package sqlsrc

import (
	"fmt"
	"github.com/reftask/reftask/gen/diag"
	"slices"
	"strings"
)

// The SQL dialects a spec may name in source.sql.dialect, in the order
// messages list them. Each reads string literals, quoted identifiers and
// comments its own way, and only text outside them holds placeholders.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
	MySQL    = "mysql"
)

// Dialects lists the dialects SplitQueryIn reads.
var Dialects = []string{Postgres, SQLite, MySQL}

// lexRules are what a dialect's lexer does differently.
type lexRules struct {
	// backslash escapes the next character inside '...' and "..." (MySQL,
	// and PostgreSQL's E'...').
	backslash bool
	// doubleQuoteString reads "..." as a string (with backslash escapes),
	// not a quoted identifier.
	doubleQuoteString bool
	// eString reads E'...' with backslash escapes; dollar reads $tag$...$tag$.
	eString, dollar bool
	// nestedComments nests /* */; hashComment starts a comment at #;
	// dashSpace needs whitespace after -- for a comment.
	nestedComments, hashComment, dashSpace bool
	// bracketIdent reads [...] as a quoted identifier.
	bracketIdent bool
}

// rules are each dialect's lexical rules, as the servers are set up by
// default: PostgreSQL with standard_conforming_strings on (a backslash in
// '...' is a plain character), MySQL and MariaDB without
// NO_BACKSLASH_ESCAPES or ANSI_QUOTES.
var rules = map[string]lexRules{
	Postgres: {eString: true, dollar: true, nestedComments: true},
	SQLite:   {bracketIdent: true},
	MySQL:    {backslash: true, doubleQuoteString: true, hashComment: true, dashSpace: true},
}

// SplitQuery is SplitQueryIn for a query that names no dialect.
func SplitQuery(q string) (parts, params []string, err error) {
	return SplitQueryIn(q, "")
}

// SplitQueryIn cuts a query at its :name placeholders, as the dialect
// reads it: a placeholder is never inside a string literal, a quoted
// identifier, a dollar-quoted body or a comment, and a :: cast is none.
// parts always has one more element than params.
//
// With no dialect, the query is read in every dialect, and it is an error
// when they do not all cut it the same way (a backslash before a quote, a #
// or a dollar quote means different things to each): the dialect of a
// connection is only known at run time, so a query that would be bound
// differently there must name its dialect.
func SplitQueryIn(q, dialect string) (parts, params []string, err error) {
	if dialect != "" {
		r, ok := rules[dialect]
		if !ok {
			return nil, nil, fmt.Errorf("unknown SQL dialect %s (want %s)", diag.Quote(dialect), strings.Join(Dialects, ", "))
		}
		return splitQuery(q, r)
	}
	type reading struct {
		parts, params []string
		err           error
	}
	var got []reading
	for _, d := range Dialects {
		p, a, e := splitQuery(q, rules[d])
		got = append(got, reading{p, a, e})
	}
	same := func(a, b reading) bool {
		if (a.err != nil) != (b.err != nil) {
			return false
		}
		if a.err != nil {
			return a.err.Error() == b.err.Error()
		}
		return slices.Equal(a.parts, b.parts) && slices.Equal(a.params, b.params)
	}
	agree := true
	for _, r := range got[1:] {
		agree = agree && same(got[0], r)
	}
	if agree {
		return got[0].parts, got[0].params, got[0].err
	}
	// Group the dialects that agree, and say what each group reads.
	var groups []string
	done := make([]bool, len(got))
	for i := range got {
		if done[i] {
			continue
		}
		names := []string{Dialects[i]}
		for j := i + 1; j < len(got); j++ {
			if !done[j] && same(got[i], got[j]) {
				done[j] = true
				names = append(names, Dialects[j])
			}
		}
		groups = append(groups, strings.Join(names, ", ")+": "+describeReading(got[i].parts, got[i].params, got[i].err))
	}
	return nil, nil, fmt.Errorf("the query reads differently by SQL dialect (%s), since backslashes in strings, # comments, dollar quotes and nested comments differ; set \"dialect\" to %s",
		strings.Join(groups, "; "), quoteList(Dialects))
}

func describeReading(parts, params []string, err error) string {
	if err != nil {
		return err.Error()
	}
	if len(params) == 0 {
		return "no placeholder"
	}
	var b strings.Builder
	off := 0
	for i, p := range params {
		off += len(parts[i])
		if i > 0 {
			b.WriteString(", ")
		}
		if i == listShown {
			fmt.Fprintf(&b, "and %d more", len(params)-listShown)
			break
		}
		fmt.Fprintf(&b, ":%s at byte %d", diag.Clip(p), off)
		off += 1 + len(p)
	}
	return b.String()
}

func quoteList(xs []string) string {
	var out []string
	for _, x := range xs {
		out = append(out, `"`+x+`"`)
	}
	return strings.Join(out[:len(out)-1], ", ") + " or " + out[len(out)-1]
}

// splitQuery reads q with one dialect's rules.
func splitQuery(q string, r lexRules) (parts, params []string, err error) {
	var cur strings.Builder
	i := 0
	for i < len(q) {
		c := q[i]
		switch {
		case r.eString && (c == 'E' || c == 'e') && i+1 < len(q) && q[i+1] == '\'' && (i == 0 || !isIdentChar(q[i-1])):
			end := closeQuote(q, i+1, '\'', true)
			if end < 0 {
				return nil, nil, fmt.Errorf("unterminated E' quote at byte %d", i)
			}
			cur.WriteString(q[i:end])
			i = end
		case c == '\'' || c == '"' || c == '`':
			escapes := r.backslash && (c == '\'' || (c == '"' && r.doubleQuoteString))
			end := closeQuote(q, i, c, escapes)
			if end < 0 {
				return nil, nil, fmt.Errorf("unterminated %c quote at byte %d", c, i)
			}
			cur.WriteString(q[i:end])
			i = end
		case r.bracketIdent && c == '[':
			end := strings.IndexByte(q[i:], ']')
			if end < 0 {
				return nil, nil, fmt.Errorf("unterminated [ quote at byte %d", i)
			}
			cur.WriteString(q[i : i+end+1])
			i += end + 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-' && (!r.dashSpace || i+2 >= len(q) || q[i+2] <= ' '),
			r.hashComment && c == '#':
			end := strings.IndexByte(q[i:], '\n')
			if end < 0 {
				end = len(q) - i
			}
			cur.WriteString(q[i : i+end])
			i += end
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			end := closeComment(q, i, r.nestedComments)
			if end < 0 {
				return nil, nil, fmt.Errorf("unterminated /* comment at byte %d", i)
			}
			cur.WriteString(q[i:end])
			i = end
		case r.dollar && c == '$' && dollarTag(q, i) != "":
			tag := dollarTag(q, i)
			end := strings.Index(q[i+len(tag):], tag)
			if end < 0 {
				return nil, nil, fmt.Errorf("unterminated %s quote at byte %d", diag.Clip(tag), i)
			}
			cur.WriteString(q[i : i+len(tag)+end+len(tag)])
			i += len(tag) + end + len(tag)
		case c == ':' && i+1 < len(q) && q[i+1] == ':':
			cur.WriteString("::")
			i += 2
		case c == ':' && i+1 < len(q) && isIdentStart(q[i+1]) && (i == 0 || !isIdentChar(q[i-1]) || q[i-1] == ' '):
			j := i + 1
			for j < len(q) && isIdentChar(q[j]) {
				j++
			}
			parts = append(parts, cur.String())
			cur.Reset()
			params = append(params, q[i+1:j])
			i = j
		default:
			cur.WriteByte(c)
			i++
		}
	}
	parts = append(parts, cur.String())
	return parts, params, nil
}

// closeQuote returns the offset just past the quote that closes the one at
// start: a doubled quote stands for itself, and with escapes a backslash
// takes the next character literally.
func closeQuote(q string, start int, quote byte, escapes bool) int {
	for i := start + 1; i < len(q); i++ {
		if q[i] == quote {
			if i+1 < len(q) && q[i+1] == quote { // doubled quote escapes itself
				i++
				continue
			}
			return i + 1
		}
		if q[i] == '\\' && escapes {
			i++
		}
	}
	return -1
}

// closeComment returns the offset just past the */ that closes the /* at
// start, counting inner /* when comments nest.
func closeComment(q string, start int, nested bool) int {
	depth := 0
	for i := start; i+1 < len(q); i++ {
		switch {
		case q[i] == '/' && q[i+1] == '*' && (nested || depth == 0):
			depth++
			i++
		case q[i] == '*' && q[i+1] == '/':
			depth--
			i++
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

// dollarTag returns "$tag$" or "$$" when one starts at i.
func dollarTag(q string, i int) string {
	j := i + 1
	for j < len(q) && isIdentChar(q[j]) && !(q[j] >= '0' && q[j] <= '9' && j == i+1) {
		j++
	}
	if j < len(q) && q[j] == '$' {
		return q[i : j+1]
	}
	return ""
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }
