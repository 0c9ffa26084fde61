// Package jsonptr resolves and builds RFC 6901 JSON pointers, for the
// file and HTTP sources, params diagnostics and the kit's field maps.
package jsonptr

import (
	"fmt"
	"strconv"
	"strings"
)

// Lookup resolves an RFC 6901 pointer; found is false when some token names nothing.
func Lookup(doc any, ptr string) (v any, found bool, err error) {
	if ptr == "" {
		return doc, true, nil
	}
	if ptr[0] != '/' {
		return nil, false, fmt.Errorf("invalid JSON pointer %q: must be empty or start with /", ptr)
	}
	cur := doc
	rest := ptr[1:]
	for {
		raw, next, more := strings.Cut(rest, "/")
		tok, err := unescapePointerToken(raw)
		if err != nil {
			return nil, false, fmt.Errorf("invalid JSON pointer %q: %w", ptr, err)
		}
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false, nil
			}
			cur = v
		case []any:
			i, ok := pointerIndex(tok, len(c))
			if !ok {
				return nil, false, nil
			}
			cur = c[i]
		default:
			return nil, false, nil
		}
		if !more {
			return cur, true, nil
		}
		rest = next
	}
}

func unescapePointerToken(s string) (string, error) {
	if !strings.Contains(s, "~") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '~' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 == len(s) || (s[i+1] != '0' && s[i+1] != '1') {
			return "", fmt.Errorf("bad escape in token %q: ~ must be followed by 0 or 1", s)
		}
		if s[i+1] == '0' {
			b.WriteByte('~')
		} else {
			b.WriteByte('/')
		}
		i++
	}
	return b.String(), nil
}

// pointerIndex accepts RFC 6901 indices only: decimal, no sign, no leading zero. "-" (past the end) never exists.
func pointerIndex(tok string, n int) (int, bool) {
	if tok == "" || len(tok) > 1 && tok[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(tok)
	if err != nil || i >= n {
		return 0, false
	}
	return i, true
}

// Escape escapes one reference token: ~ as ~0, / as ~1.
func Escape(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
