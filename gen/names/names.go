// Package names turns JSON names into Go identifiers the way Go developers
// write them: snake_case and kebab-case to CamelCase, with common initialisms
// upper-cased (user_id -> UserID).
package names

import (
	"go/token"
	"strings"
	"unicode"
	"unicode/utf8"
)

// initialisms are upper-cased whole when they form a word, as golint wants.
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true,
	"EOF": true, "GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true,
	"IP": true, "JSON": true, "LHS": true, "QPS": true, "RAM": true, "RHS": true,
	"RPC": true, "SKU": true, "SLA": true, "SMTP": true, "SQL": true, "SSH": true,
	"TCP": true, "TLS": true, "TTL": true, "UDP": true, "UI": true, "UID": true,
	"UUID": true, "URI": true, "URL": true, "UTF8": true, "VM": true, "XML": true,
	"XMPP": true, "XSRF": true, "XSS": true,
}

// Words splits a name at separators, case changes and digit boundaries.
func Words(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r):
			// Split "userID" at I, and "HTTPServer" before S.
			if len(cur) > 0 {
				prev := cur[len(cur)-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
					flush()
				}
			}
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return words
}

// Exported returns the exported Go identifier for a JSON name; a name
// without letters yields "X" followed by its digits, and a name that would
// not start with an upper-case letter (a digit, 名, ß) gets an "X" prefix,
// so the result is always a valid exported identifier.
func Exported(s string) string {
	var b strings.Builder
	for _, w := range Words(s) {
		up := strings.ToUpper(w)
		if initialisms[up] {
			b.WriteString(up)
			continue
		}
		// Plurals of initialisms: ids -> IDs, urls -> URLs.
		// (ToUpper may change a word's length in bytes: index w itself.)
		if n := len(w); n > 2 && w[n-1] == 's' && initialisms[strings.ToUpper(w[:n-1])] {
			b.WriteString(strings.ToUpper(w[:n-1]) + "s")
			continue
		}
		r, n := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(strings.ToLower(w[n:]))
	}
	out := b.String()
	if out == "" {
		return "X"
	}
	if !token.IsExported(out) {
		// A leading digit, or a letter without an upper case (名, ß).
		out = "X" + out
	}
	return out
}

// Unexported returns the unexported form, used for parameters: user_id ->
// userID, ID -> id; a Go keyword gets a trailing underscore.
func Unexported(s string) string {
	ex := Exported(s)
	words := Words(ex)
	if len(words) == 0 {
		return "x"
	}
	first := words[0]
	var out string
	if initialisms[strings.ToUpper(first)] && strings.ToUpper(first) == first {
		out = strings.ToLower(first) + ex[len(first):]
	} else {
		r, n := utf8.DecodeRuneInString(ex)
		out = string(unicode.ToLower(r)) + ex[n:]
	}
	if token.IsKeyword(out) || predeclared[out] {
		out += "_"
	}
	return out
}

// predeclared identifiers would shadow what generated code uses.
var predeclared = map[string]bool{
	"ctx": true, "c": true, "opts": true, "p": true, "buf": true, "err": true, "string": true, "int64": true,
	"float64": true, "bool": true, "error": true, "any": true, "len": true, "time": true,
	"runtime": true, "context": true, "json": true, "true": true, "false": true, "nil": true,
}

// IsExportedIdent reports whether s is a valid exported Go identifier.
func IsExportedIdent(s string) bool {
	return token.IsIdentifier(s) && token.IsExported(s)
}
