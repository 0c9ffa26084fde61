// Package secret scrubs secret values out of text: the values a source's
// requests carry (resolved ${env:NAME} references, credentials, passwords in
// base URLs) that must never leave the process in an error, an event or a log
// line. A server may echo any of them back, so each secret is replaced in
// every form a message can spell it (as it is, Go-quoted, JSON-escaped,
// URL-escaped, and cut short by a bounded quote) by a marker that names where
// it came from, such as [REDACTED env:CATALOG_API_KEY].
//
// The engine keeps a Set per executor and scrubs every attempt's error with
// it; a source kind's package collects the secrets of each request and hands
// them to the executor.
package secret

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// MinLen is the shortest value scrubbed: a shorter one cannot be told from ordinary text, and is no secret.
const MinLen = 4

// maxRemembered bounds how many secret values a Set remembers; the oldest go first, so a rotated key is still
// scrubbed for a while after the rotation.
const maxRemembered = 256

// minCutPrefix is the shortest start of a secret that Text replaces before a cut: two bytes tell nothing, and a
// cut text often ends in a character a secret starts with.
const minCutPrefix = 3

// cutNote is how the length note of a cut value starts (internal/quote.LengthNote).
const cutNote = "... ("

// Secret is one value to scrub, the name its marker shows, and the forms a message can spell it in.
type Secret struct {
	Name, Value string
	forms       []string
}

// New returns the secret value named name, with its forms worked out once.
func New(name, value string) Secret {
	return Secret{Name: name, Value: value, forms: Forms(value)}
}

// Marker is what stands in the secret's place.
func (s Secret) Marker() string { return "[REDACTED " + s.Name + "]" }

// Text replaces every form of every secret in s with its marker: the value itself, Go-quoted, JSON-escaped and
// URL-escaped, and also a start of one of these forms that a bounded quote cut short.
func Text(s string, secrets []Secret) string {
	if s == "" {
		return s
	}
	// Longest first, so that a secret holding another is replaced whole.
	ordered := make([]Secret, 0, len(secrets))
	for _, sc := range secrets {
		if len(sc.Value) >= MinLen {
			if sc.forms == nil {
				sc.forms = Forms(sc.Value)
			}
			ordered = append(ordered, sc)
		}
	}
	slices.SortFunc(ordered, func(a, b Secret) int { return len(b.Value) - len(a.Value) })
	for _, sc := range ordered {
		for _, f := range sc.forms {
			if strings.Contains(s, f) {
				s = strings.ReplaceAll(s, f, sc.Marker())
			}
		}
	}
	return scrubCuts(s, ordered)
}

// scrubCuts replaces the start of a secret's form that stands right before the note of a cut, inside or outside
// the quotes of a bounded quote: the rest of the secret was cut off, so no whole form matched.
func scrubCuts(s string, secrets []Secret) string {
	if len(secrets) == 0 || !strings.Contains(s, cutNote) {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; ; {
		j := strings.Index(s[i:], cutNote)
		if j < 0 {
			break
		}
		end := i + j
		if end > last && s[end-1] == '"' {
			end--
		}
		best, marker := 0, ""
		for _, sc := range secrets {
			for _, f := range sc.forms {
				for k := min(len(f)-1, end-last); k >= minCutPrefix && k > best; k-- {
					if strings.HasSuffix(s[:end], f[:k]) {
						best, marker = k, sc.Marker()
						break
					}
				}
			}
		}
		if best > 0 {
			b.WriteString(s[last : end-best])
			b.WriteString(marker)
			last = end
		}
		i += j + len(cutNote)
	}
	b.WriteString(s[last:])
	return b.String()
}

// Forms are the ways an error or log line can spell v: as it is, Go-quoted (with and without non-ASCII escaped),
// JSON-escaped, query-escaped and path-escaped.
func Forms(v string) []string {
	forms := []string{v}
	add := func(f string) {
		if len(f) >= MinLen && !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	q := strconv.Quote(v)
	add(q[1 : len(q)-1])
	q = strconv.QuoteToASCII(v) // also how JSON encoders that escape non-ASCII write it
	add(q[1 : len(q)-1])
	if b, err := json.Marshal(v); err == nil {
		add(string(b[1 : len(b)-1]))
	}
	add(url.QueryEscape(v))
	add(url.PathEscape(v))
	// Quoted once more, as a message that quotes a text which already quoted the secret shows it.
	for _, f := range forms[1:] {
		if q := strconv.Quote(f); q[1:len(q)-1] != f {
			add(q[1 : len(q)-1])
		}
	}
	return forms
}

// Wrap returns err unchanged when its text holds no secret, and otherwise an error with the scrubbed text that
// unwraps to err, so that errors.Is and errors.As see the same chain as before. Fields of the errors in the chain
// that callers read directly are the caller's to scrub first.
func Wrap(err error, secrets []Secret) error {
	if err == nil || len(secrets) == 0 {
		return err
	}
	msg := err.Error()
	if clean := Text(msg, secrets); clean != msg {
		return &redactedError{msg: clean, err: err}
	}
	return err
}

// redactedError is an error whose text had a secret in it; Unwrap keeps the chain for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Set is an executor's memory of the secrets its requests carried, so that errors raised after a request
// (converting or validating what came back, by generated code that knows no secrets) are scrubbed as well.
// The zero Set is empty and ready.
type Set struct {
	on      atomic.Bool // some secret was seen: only then do attempt errors pay for scrubbing
	mu      sync.RWMutex
	byValue map[string]Secret
	order   []string // values, oldest first
}

// Remember adds the secrets of one request.
func (s *Set) Remember(list []Secret) {
	if len(list) == 0 {
		return
	}
	s.mu.RLock()
	known := true
	for _, sc := range list {
		if _, ok := s.byValue[sc.Value]; !ok {
			known = false
			break
		}
	}
	s.mu.RUnlock()
	if known {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byValue == nil {
		s.byValue = map[string]Secret{}
	}
	for _, sc := range list {
		if _, ok := s.byValue[sc.Value]; ok {
			continue
		}
		s.byValue[sc.Value] = sc
		s.order = append(s.order, sc.Value)
		if len(s.order) > maxRemembered {
			delete(s.byValue, s.order[0])
			s.order = s.order[1:]
		}
	}
	s.on.Store(true)
}

// On reports whether any secret was remembered, so that a caller with none to scrub pays nothing.
func (s *Set) On() bool { return s.on.Load() }

// All returns the remembered secrets, oldest first.
func (s *Set) All() []Secret {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Secret, 0, len(s.order))
	for _, v := range s.order {
		out = append(out, s.byValue[v])
	}
	return out
}
