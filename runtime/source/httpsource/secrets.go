package httpsource

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/reftask/reftask/runtime/internal/secret"
)

// The secrets of an HTTP request are what its ${env:NAME} references resolved to, what the credential decorators
// applied (BearerEnv, or a user's Decorate that sets a credential header or calls MarkSecret), and the password
// and credential query values of its connection's base URL. Fetch scrubs them from its error and hands them to
// the executor, which scrubs every later error of a task's attempt too (converting or validating what came back).

// reqSecrets collects the secrets of one request: its resolved ${env:NAME} references, its connection's own and
// what its decorators apply.
type reqSecrets struct {
	mu   sync.Mutex // decorators may hand the request to other goroutines
	list []secret.Secret
}

type reqSecretsKey struct{}

func (r *reqSecrets) add(name, value string) {
	if r == nil || len(value) < secret.MinLen {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.list {
		if s.Value == value {
			return // the first name wins: an env reference is more telling than the header it went into
		}
	}
	r.list = append(r.list, secret.New(name, value))
}

func (r *reqSecrets) snapshot() []secret.Secret {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.list)
}

// MarkSecret marks value as a secret of request r, for a decorator (Decorate) that applies a credential: errors,
// hook events and log lines then show "[REDACTED name]" wherever the value, or a server's echo of it, would
// appear. A decorator that sets Authorization, Proxy-Authorization, Cookie or a header whose name contains key,
// token or secret need not call it: those values are marked as "header:<Name>" after the decorators ran. Values
// shorter than 4 bytes are not scrubbed.
func MarkSecret(r *http.Request, name, value string) {
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
func connSecrets(name string, u *url.URL) []secret.Secret {
	var out []secret.Secret
	if p, ok := u.User.Password(); ok && len(p) >= secret.MinLen {
		out = append(out, secret.New("password of connection "+name, p))
	}
	for k, vs := range u.Query() {
		if !credentialHeader(k) && !strings.Contains(strings.ToLower(k), "sig") && !strings.Contains(strings.ToLower(k), "pass") {
			continue
		}
		for _, v := range vs {
			if len(v) >= secret.MinLen {
				out = append(out, secret.New("query "+k+" of connection "+name, v))
			}
		}
	}
	return out
}

// withReqSecrets returns ctx carrying rs, where MarkSecret finds it through the request.
func withReqSecrets(ctx context.Context, rs *reqSecrets) context.Context {
	return context.WithValue(ctx, reqSecretsKey{}, rs)
}
