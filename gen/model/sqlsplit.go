package model

import (
	"fmt"
	"strings"
)

// SplitQuery cuts a query at its :name placeholders. It skips quoted
// strings, quoted identifiers, dollar-quoted bodies and comments, and
// PostgreSQL's :: casts, so that only real placeholders are bound. parts
// always has one more element than params.
func SplitQuery(q string) (parts, params []string, err error) {
	var cur strings.Builder
	i := 0
	for i < len(q) {
		c := q[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			end := closeQuote(q, i, c)
			if end < 0 {
				return nil, nil, fmt.Errorf("unterminated %c quote at byte %d", c, i)
			}
			cur.WriteString(q[i:end])
			i = end
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			end := strings.IndexByte(q[i:], '\n')
			if end < 0 {
				end = len(q) - i
			}
			cur.WriteString(q[i : i+end])
			i += end
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			end := strings.Index(q[i+2:], "*/")
			if end < 0 {
				return nil, nil, fmt.Errorf("unterminated /* comment at byte %d", i)
			}
			cur.WriteString(q[i : i+2+end+2])
			i += 2 + end + 2
		case c == '$' && dollarTag(q, i) != "":
			tag := dollarTag(q, i)
			end := strings.Index(q[i+len(tag):], tag)
			if end < 0 {
				return nil, nil, fmt.Errorf("unterminated %s quote at byte %d", tag, i)
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

func closeQuote(q string, start int, quote byte) int {
	for i := start + 1; i < len(q); i++ {
		if q[i] == quote {
			if i+1 < len(q) && q[i+1] == quote { // doubled quote escapes itself
				i++
				continue
			}
			return i + 1
		}
		if q[i] == '\\' && quote != '"' {
			i++
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
