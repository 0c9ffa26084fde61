package runtime

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reftask/reftask/internal/quote"
)

// Secrets never leave (issue 11, class 8): what ${env:NAME} resolved to and what credential decorators applied
// never appear in an error, an HTTPError, a hook event or a log line, even when the server echoes them in its
// body, headers, status line or redirects; a marker naming their origin stands in their place.

// The secrets of the test: awkward on purpose (quotes, slashes, non-ASCII), so that every escaped form counts.
const (
	envSecret     = `k3y/"quoted"?&é-0123456789`
	bearerSecret  = "tok-bearer-abcdef-987654"
	sessionSecret = "sess<ion>-0af7c3d2e1"
	autoSecret    = "auto-header-5be19a77"
)

// leaks reports which of the secrets s shows, in any form an error could spell them, or a start of one of 8
// bytes or more.
func leaks(s string, secrets map[string]string) []string {
	var out []string
	for name, v := range secrets {
		for _, f := range secretForms(v) {
			for k := len(f); k >= 8; k-- {
				if strings.Contains(s, f[:k]) {
					out = append(out, fmt.Sprintf("%s (%q)", name, f[:k]))
					break
				}
			}
		}
	}
	return out
}

// echoAll is a body that holds every header value of the request, in every form an error could spell it.
func echoAll(r *http.Request) string {
	var b strings.Builder
	for _, vs := range r.Header {
		for _, v := range vs {
			for _, f := range secretForms(v) {
				b.WriteString(" " + f)
			}
			if _, rest, ok := strings.Cut(v, " "); ok {
				b.WriteString(" " + rest)
			}
		}
	}
	fmt.Fprintf(&b, " headers=%v", r.Header)
	return b.String()
}

// token is the credential the request carries beside the spec's key, or the key.
func token(r *http.Request) string {
	if a := r.Header.Get("Authorization"); a != "" {
		return strings.TrimPrefix(a, "Bearer ")
	}
	if a := r.Header.Get("X-Auth-Token"); a != "" {
		return a
	}
	if a := r.Header.Get("X-Session"); a != "" {
		return a
	}
	return r.Header.Get("X-Api-Key")
}

// recorder keeps every hook event and error text it sees.
type recorder struct {
	mu    sync.Mutex
	texts []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.texts = append(r.texts, s)
	r.mu.Unlock()
}

func (r *recorder) hooks() Hooks {
	ev := func(kind string) func(context.Context, Event) {
		return func(_ context.Context, e Event) {
			r.add(fmt.Sprintf("%s %+v %v %#v", kind, e, e.Err, e.Err))
		}
	}
	return Hooks{OnHit: ev("hit"), OnMiss: ev("miss"), OnStale: ev("stale"), OnNegativeHit: ev("neg"),
		OnSourceCall: ev("source"), OnRetry: ev("retry"), OnFallback: ev("fallback"), OnError: ev("error"),
		OnBatch: func(_ context.Context, e BatchEvent) { r.add(fmt.Sprintf("batch %+v", e)) }}
}

func TestSecretsNeverLeave(t *testing.T) {
	t.Setenv("RT_TEST_API_KEY", envSecret)
	t.Setenv("RT_TEST_BEARER", bearerSecret)
	var other *testServer // a second origin, for cross-origin redirects
	other = newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Error(w, echoAll(r), http.StatusTeapot)
	})
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		mode := strings.TrimPrefix(r.URL.Path, "/m/")
		w.Header().Set("X-Echo-Key", r.Header.Get("X-Api-Key"))
		w.Header().Set("Set-Cookie", "k="+url.QueryEscape(token(r)))
		switch mode {
		case "body500":
			http.Error(w, echoAll(r), http.StatusInternalServerError)
		case "body400":
			http.Error(w, echoAll(r), http.StatusBadRequest)
		case "straddle":
			// The secret across the end of HTTPError's excerpt.
			http.Error(w, strings.Repeat(".", httpErrorBodyLen-7)+envSecret+echoAll(r), http.StatusBadGateway)
		case "status":
			hj, _ := w.(http.Hijacker)
			conn, buf, err := hj.Hijack()
			if err != nil {
				return
			}
			fmt.Fprintf(buf, "HTTP/1.1 503 %s %s\r\nContent-Length: 2\r\nX-Key: %s\r\n\r\nno", r.Header.Get("X-Api-Key"), token(r), token(r))
			_ = buf.Flush()
			_ = conn.Close()
		case "redirect-cross":
			w.Header().Set("Location", other.URL+"/"+url.PathEscape(r.Header.Get("X-Api-Key"))+"?t="+url.QueryEscape(token(r)))
			w.WriteHeader(http.StatusFound)
			_, _ = w.Write([]byte(echoAll(r)))
		case "redirect-same":
			http.Redirect(w, r, "/m/"+url.PathEscape(r.Header.Get("X-Api-Key"))+"?t="+url.QueryEscape(token(r)), http.StatusFound)
		case "ok-conv", "ok-cut", "ok-invalid":
			w.Header().Set("Content-Type", "application/json")
			v := r.Header.Get("X-Api-Key")
			if mode == "ok-cut" {
				v = strings.Repeat("x", quote.Limit-5) + v // cut by Quote inside the secret
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"v": v, "w": token(r), "all": echoAll(r)})
		case "notjson":
			_, _ = w.Write([]byte(token(r) + " " + echoAll(r)))
		default:
			http.Error(w, echoAll(r), http.StatusNotFound)
		}
	})
	applied := map[string]map[string]string{
		"bearer":            {"env:RT_TEST_BEARER": bearerSecret},
		"session marked":    {"session": sessionSecret},
		"credential header": {"header:X-Auth-Token": autoSecret},
		"failing decorator": {"env:RT_TEST_BEARER": bearerSecret, "header:X-Auth-Token": autoSecret},
	}
	decorators := map[string][]HTTPOption{
		"bearer": {HTTPBearerEnv("RT_TEST_BEARER")},
		"session marked": {HTTPDecorate(func(r *http.Request) error {
			HTTPSecret(r, "session", sessionSecret)
			r.Header.Set("X-Session", sessionSecret)
			return nil
		})},
		"credential header": {HTTPDecorate(func(r *http.Request) error {
			r.Header.Set("X-Auth-Token", autoSecret)
			return nil
		})},
		"failing decorator": {HTTPBearerEnv("RT_TEST_BEARER"), HTTPDecorate(func(r *http.Request) error {
			r.Header.Set("X-Auth-Token", autoSecret)
			return fmt.Errorf("signing failed for %s and %q", autoSecret, r.Header.Get("Authorization"))
		})},
	}
	modes := []string{"body500", "body400", "straddle", "status", "redirect-cross", "redirect-same", "ok-conv", "ok-cut", "ok-invalid", "notjson", "missing"}
	markers := 0
	for dname, opts := range decorators {
		for _, attempts := range []uint{1, 3} {
			for _, fallback := range []bool{false, true} {
				name := fmt.Sprintf("%s/attempts=%d/fallback=%v", dname, attempts, fallback)
				secrets := map[string]string{"env:RT_TEST_API_KEY": envSecret}
				for k, v := range applied[dname] {
					secrets[k] = v
				}
				var logs bytes.Buffer
				var rec recorder
				x := newTestExecutor(t, WithHTTP("api", ts.URL, opts...), WithHooks(rec.hooks()),
					WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
				req := &HTTPRequest{Conn: "api", Path: Template{Parts: []string{"/m/", ""}, Params: []string{"mode"}},
					Headers: []HTTPHeader{{Name: "X-Api-Key", Value: "${env:RT_TEST_API_KEY}"}, {Name: "Accept", Value: "application/json"}}}
				spec := TaskSpec[httpParams, httpResult]{
					Name: "Secret", Version: "v1", AppendKey: appendHTTPKey,
					Retry:    RetryPolicy{Attempts: attempts, InitialDelay: time.Millisecond, MaxDelay: time.Millisecond},
					Describe: func(p *httpParams) string { return "mode=" + quote.Quote(p.vals["mode"]) },
					Fetch: func(ctx context.Context, p *httpParams) (*httpResult, error) {
						v, err := FetchHTTP(ctx, x, "Secret", req, p.vals, nil)
						if err != nil {
							return nil, err
						}
						m, _ := v.(map[string]any)
						if p.vals["mode"] != "ok-invalid" {
							if _, err := AsInt64("/v", m["v"]); err != nil {
								return nil, err
							}
						}
						return &httpResult{v: v}, nil
					},
					ValidateResult: func(r *httpResult) error {
						var vs violations
						m, _ := r.v.(map[string]any)
						vs.Addf("/w", "pattern", "%q does not match %q", m["w"], "^[0-9]+$")
						vs.Addf("/all", "maxLength", "%s is too long", m["all"])
						return vs.Err()
					},
				}
				if fallback {
					spec.Fallbacks = []Fallback[httpParams, httpResult]{{Name: "echo", Fn: func(context.Context, *httpParams) (*httpResult, error) {
						return nil, errors.New("fallback down too")
					}}}
				}
				task := NewTask(x, spec)
				for _, mode := range modes {
					_, err := task.Do(context.Background(), &httpParams{vals: map[string]string{"mode": mode}})
					if err == nil {
						t.Errorf("%s %s: no error", name, mode)
						continue
					}
					texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
					var he *HTTPError
					if errors.As(err, &he) {
						texts = append(texts, he.Body, he.URL, fmt.Sprintf("%+v", *he))
					}
					var ve *ValidationError
					if errors.As(err, &ve) {
						texts = append(texts, fmt.Sprintf("%+v", ve.Violations))
					}
					var ce *ConvError
					if errors.As(err, &ce) {
						texts = append(texts, fmt.Sprintf("%+v", *ce))
					}
					for _, s := range texts {
						if l := leaks(s, secrets); len(l) > 0 {
							t.Errorf("%s %s: error shows %v: %s", name, mode, l, quote.Clip(s))
						}
					}
					if strings.Contains(err.Error(), "[REDACTED ") {
						markers++
					}
				}
				for _, s := range rec.texts {
					if l := leaks(s, secrets); len(l) > 0 {
						t.Errorf("%s: hook event shows %v: %s", name, l, quote.Clip(s))
					}
				}
				sc := bufio.NewScanner(&logs)
				sc.Buffer(nil, 1<<20)
				for sc.Scan() {
					if l := leaks(sc.Text(), secrets); len(l) > 0 {
						t.Errorf("%s: log line shows %v: %s", name, l, quote.Clip(sc.Text()))
					}
				}
			}
		}
	}
	if markers == 0 {
		t.Error("no error carried a [REDACTED ...] marker: the server's echoes never reached an error")
	}
	t.Logf("%d errors carried a marker", markers)
}

// The marker names the variable, and each form of a secret is replaced, including a start of it that a cut left.
func TestScrubText(t *testing.T) {
	secrets := []secret{newSecret("env:API_KEY", `a/b"c é-0123`), newSecret("env:SHORT", "abc")}
	cases := map[string]string{
		`key a/b"c é-0123 end`:                                 "key [REDACTED env:API_KEY] end",
		`quoted "a/b\"c \u00e9-0123"`:                          `quoted "[REDACTED env:API_KEY]"`,
		`go-quoted "a/b\"c é-0123"`:                            `go-quoted "[REDACTED env:API_KEY]"`,
		`url a%2Fb%22c+%C3%A9-0123`:                            "url [REDACTED env:API_KEY]",
		`path a%2Fb%22c%20%C3%A9-0123`:                         "path [REDACTED env:API_KEY]",
		`cut "xxa/b\"c"... (300 bytes)`:                        `cut "xx[REDACTED env:API_KEY]"... (300 bytes)`,
		`clip xxa/b"c é... (300 bytes)`:                        `clip xx[REDACTED env:API_KEY]... (300 bytes)`,
		`short abc is not scrubbed, too common`:                `short abc is not scrubbed, too common`,
		`two letters are no start "xa/"... (9 bytes)`:          `two letters are no start "xa/"... (9 bytes)`,
		`three are "xa/b"... (9 bytes)`:                        `three are "x[REDACTED env:API_KEY]"... (9 bytes)`,
		`nor is one "xya"... (9 bytes)`:                        `nor is one "xya"... (9 bytes)`,
		`two cuts "a/b"... (9 bytes) and a/b\"c... (20 bytes)`: `two cuts "[REDACTED env:API_KEY]"... (9 bytes) and [REDACTED env:API_KEY]... (20 bytes)`,
	}
	for in, want := range cases {
		if got := scrubText(in, secrets); got != want {
			t.Errorf("scrubText(%q) = %q, want %q", in, got, want)
		}
	}
	err := redactErr(fmt.Errorf("wrapped: %w", Permanent(&HTTPError{Task: "T", Status: 500, Body: `a/b"c é-0123`})), secrets)
	var he *HTTPError
	if !errors.As(err, &he) || !IsPermanent(err) || he.Body != "[REDACTED env:API_KEY]" || strings.Contains(err.Error(), "0123") {
		t.Errorf("redactErr: %v (%+v)", err, he)
	}
}
