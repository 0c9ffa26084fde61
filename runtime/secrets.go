package runtime

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Secrets are the values an HTTP request carries that must never leave the process in text: what ${env:NAME}
// references resolved to, what the credential decorators applied (HTTPBearerEnv, or a user's HTTPDecorate that sets
// a credential header or calls HTTPSecret), and the password and credential query values of a connection's base
// URL. A server may echo any of them back, in a body, a header or a redirect, and from there they would reach an
// error, an HTTPError's body excerpt, a hook event or a log line. So every error of an HTTP request, and every error
// of a task's attempt on an executor that has made such requests, is scrubbed: each secret, in every form an error
// can quote it (as it is, Go-quoted, JSON-escaped, URL-escaped, and cut short by Quote), becomes a marker that
// names where it came from, such as [REDACTED env:CATALOG_API_KEY].

// minSecretLen is the shortest value scrubbed: a shorter one cannot be told from ordinary text, and is no secret.
const minSecretLen = 4

// maxRemembered bounds how many secret values an executor remembers; the oldest go first, so a rotated key is
// still scrubbed for a while after the rotation.
const maxRemembered = 256

// secret is one value to scrub, the name its marker shows, and the forms a message can spell it in.
type secret struct {
	name, value string
	forms       []string
}

func newSecret(name, value string) secret {
	return secret{name: name, value: value, forms: secretForms(value)}
}

func (s secret) marker() string { return "[REDACTED " + s.name + "]" }

// minCutPrefix is the shortest start of a secret that scrubText replaces before a cut: two bytes tell nothing,
// and a cut text often ends in a character a secret starts with.
const minCutPrefix = 3

// reqSecrets collects the secrets of one request: its resolved ${env:NAME} references, its connection's own and
// what its decorators apply.
type reqSecrets struct {
	mu   sync.Mutex // decorators may hand the request to other goroutines
	list []secret
}

type reqSecretsKey struct{}

func (r *reqSecrets) add(name, value string) {
	if r == nil || len(value) < minSecretLen {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.list {
		if s.value == value {
			return // the first name wins: an env reference is more telling than the header it went into
		}
	}
	r.list = append(r.list, newSecret(name, value))
}

func (r *reqSecrets) snapshot() []secret {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.list)
}

// HTTPSecret marks value as a secret of request r, for a decorator (HTTPDecorate) that applies a credential: errors,
// hook events and log lines then show "[REDACTED name]" wherever the value, or a server's echo of it, would appear.
// A decorator that sets Authorization, Proxy-Authorization, Cookie or a header whose name contains key, token or
// secret need not call it: those values are marked as "header:<Name>" after the decorators ran. Values shorter
// than 4 bytes are not scrubbed.
func HTTPSecret(r *http.Request, name, value string) {
	if r == nil {
		return
	}
	if rs, ok := r.Context().Value(reqSecretsKey{}).(*reqSecrets); ok {
		rs.add(name, value)
	}
}

// credentialHeader reports whether a header carries a credential; the generator refuses literal values for
// the same names, so any value they hold came from the environment or a decorator.
func credentialHeader(name string) bool {
	l := strings.ToLower(name)
	switch l {
	case "authorization", "proxy-authorization", "cookie":
		return true
	}
	return strings.Contains(l, "key") || strings.Contains(l, "token") || strings.Contains(l, "secret")
}

// markCredentialHeaders adds the values of credential headers to rs, each also without its scheme ("Bearer t"
// gives t too), since a server may echo either.
func markCredentialHeaders(h http.Header, rs *reqSecrets) {
	for name, vals := range h {
		if !credentialHeader(name) {
			continue
		}
		for _, v := range vals {
			rs.add("header:"+name, v)
			if _, rest, ok := strings.Cut(v, " "); ok {
				rs.add("header:"+name, strings.TrimSpace(rest))
			}
		}
	}
}

// connSecrets are the secrets a base URL carries: a userinfo password and the values of credential query keys.
func connSecrets(name string, u *url.URL) []secret {
	var out []secret
	if p, ok := u.User.Password(); ok && len(p) >= minSecretLen {
		out = append(out, newSecret("password of connection "+name, p))
	}
	for k, vs := range u.Query() {
		if !credentialHeader(k) && !strings.Contains(strings.ToLower(k), "sig") && !strings.Contains(strings.ToLower(k), "pass") {
			continue
		}
		for _, v := range vs {
			if len(v) >= minSecretLen {
				out = append(out, newSecret("query "+k+" of connection "+name, v))
			}
		}
	}
	return out
}

// secretSet is an executor's memory of the secrets its requests carried, so that errors raised after a request
// (converting or validating what came back, by generated code that knows no secrets) are scrubbed as well.
type secretSet struct {
	on      atomic.Bool // some secret was seen: only then do attempt errors pay for scrubbing
	mu      sync.RWMutex
	byValue map[string]secret // by value
	order   []string          // values, oldest first
}

// remember adds the secrets of one request.
func (s *secretSet) remember(list []secret) {
	if len(list) == 0 {
		return
	}
	s.mu.RLock()
	known := true
	for _, sc := range list {
		if _, ok := s.byValue[sc.value]; !ok {
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
		s.byValue = map[string]secret{}
	}
	for _, sc := range list {
		if _, ok := s.byValue[sc.value]; ok {
			continue
		}
		s.byValue[sc.value] = sc
		s.order = append(s.order, sc.value)
		if len(s.order) > maxRemembered {
			delete(s.byValue, s.order[0])
			s.order = s.order[1:]
		}
	}
	s.on.Store(true)
}

func (s *secretSet) all() []secret {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]secret, 0, len(s.order))
	for _, v := range s.order {
		out = append(out, s.byValue[v])
	}
	return out
}

// redact scrubs err of every secret the executor has seen; see redactErr.
func (s *secretSet) redact(err error) error {
	if err == nil || !s.on.Load() {
		return err
	}
	return redactErr(err, s.all())
}

// redactErr scrubs the secrets out of err: in place in the fields of the errors it wraps that callers read
// directly (HTTPError, ValidationError, ConvError, FormatError), and in its text, by wrapping it when the text
// still holds one. errors.Is and errors.As see the same chain as before.
func redactErr(err error, secrets []secret) error {
	if err == nil || len(secrets) == 0 {
		return err
	}
	scrubChain(err, secrets, 0)
	msg := err.Error()
	if clean := scrubText(msg, secrets); clean != msg {
		return &redactedError{msg: clean, err: err}
	}
	return err
}

func scrubChain(err error, secrets []secret, depth int) {
	if err == nil || depth > 64 {
		return
	}
	switch e := err.(type) {
	case *HTTPError:
		e.Body = scrubText(e.Body, secrets)
		e.URL = scrubText(e.URL, secrets)
	case *ValidationError:
		for i := range e.Violations {
			e.Violations[i].Pointer = scrubText(e.Violations[i].Pointer, secrets)
			e.Violations[i].Message = scrubText(e.Violations[i].Message, secrets)
		}
	case *ConvError:
		e.Value = scrubText(e.Value, secrets)
		e.Path = scrubText(e.Path, secrets)
	case *FormatError:
		e.Value = scrubText(e.Value, secrets)
	case *TaskError:
		e.Key = scrubText(e.Key, secrets)
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		scrubChain(u.Unwrap(), secrets, depth+1)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			scrubChain(e, secrets, depth+1)
		}
	}
}

// redactedError is an error whose text had a secret in it; Unwrap keeps the chain for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// scrubText replaces every form of every secret in s with its marker: the value itself, Go-quoted, JSON-escaped
// and URL-escaped, and also a start of one of these forms that Quote or Clip cut short.
func scrubText(s string, secrets []secret) string {
	if s == "" {
		return s
	}
	// Longest first, so that a secret holding another is replaced whole.
	ordered := make([]secret, 0, len(secrets))
	for _, sc := range secrets {
		if len(sc.value) >= minSecretLen {
			if sc.forms == nil {
				sc.forms = secretForms(sc.value)
			}
			ordered = append(ordered, sc)
		}
	}
	slices.SortFunc(ordered, func(a, b secret) int { return len(b.value) - len(a.value) })
	for _, sc := range ordered {
		for _, f := range sc.forms {
			if strings.Contains(s, f) {
				s = strings.ReplaceAll(s, f, sc.marker())
			}
		}
	}
	return scrubCuts(s, ordered)
}

// cutNote is how lengthNote starts.
const cutNote = "... ("

// scrubCuts replaces the start of a secret's form that stands right before the note of a cut (lengthNote), inside
// or outside the quotes of Quote: the rest of the secret was cut off, so no whole form matched.
func scrubCuts(s string, secrets []secret) string {
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
						best, marker = k, sc.marker()
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

// secretForms are the ways an error or log line can spell v: as it is, Go-quoted (with and without non-ASCII
// escaped), JSON-escaped, query-escaped and path-escaped.
func secretForms(v string) []string {
	forms := []string{v}
	add := func(f string) {
		if len(f) >= minSecretLen && !slices.Contains(forms, f) {
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

// withReqSecrets returns ctx carrying rs, where HTTPSecret finds it through the request.
func withReqSecrets(ctx context.Context, rs *reqSecrets) context.Context {
	return context.WithValue(ctx, reqSecretsKey{}, rs)
}
