package httpsource

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reftask/reftask/runtime/internal/seam"
	"github.com/reftask/reftask/runtime/kit"

	"go.uber.org/goleak"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/secret"
	"github.com/reftask/reftask/runtime/internal/wire"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func newTestExecutor(t testing.TB, opts ...runtime.Option) *runtime.Executor {
	t.Helper()
	x, err := runtime.New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = x.Close() })
	return x
}

// errorBound is the most an error line in these tests may take, whatever the size of the value in it.
const errorBound = 4 << 10

// Test fixtures shaped like generated HTTP tasks: params rendered to strings, result = the selected JSON value.

type httpParams struct {
	vals map[string]string
	body any
}

type httpResult struct{ v any }

func appendHTTPKey(dst []byte, p *httpParams) []byte {
	keys := make([]string, 0, len(p.vals))
	for k := range p.vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	dst = wire.AppendLen(dst, len(keys))
	for _, k := range keys {
		dst = wire.AppendString(wire.AppendString(dst, k), p.vals[k])
	}
	return dst
}

// httpTask builds a task whose Fetch calls Fetch the way generated code does.
func httpTask(x *runtime.Executor, name string, req *Request, retry kit.RetryPolicy, timeout time.Duration) *kit.Task[httpParams, httpResult] {
	return kit.NewTask(x, kit.TaskSpec[httpParams, httpResult]{
		Name:      name,
		Version:   "v1",
		Retry:     retry,
		Timeout:   timeout,
		AppendKey: appendHTTPKey,
		Describe:  func(p *httpParams) string { return fmt.Sprintf("%d params", len(p.vals)) },
		Fetch: func(ctx context.Context, p *httpParams) (*httpResult, error) {
			v, err := Fetch(ctx, x, name, req, p.vals, p.body)
			if err != nil {
				return nil, err
			}
			return &httpResult{v: v}, nil
		},
	})
}

// hit is one request as the server saw it.
type hit struct {
	at       time.Time
	method   string
	path     string // decoded
	escaped  string // r.URL.EscapedPath()
	rawPath  string
	rawQuery string
	query    map[string][]string
	header   http.Header
	body     []byte
}

// testServer is a loopback server that records requests and counts new connections.
type testServer struct {
	*httptest.Server
	mu       sync.Mutex
	hits     []hit
	newConns atomic.Int64
}

func newTestServer(t *testing.T, h func(w http.ResponseWriter, r *http.Request, n int)) *testServer {
	t.Helper()
	ts := &testServer{}
	ts.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ts.mu.Lock()
		ts.hits = append(ts.hits, hit{
			at: time.Now(), method: r.Method, path: r.URL.Path, escaped: r.URL.EscapedPath(), rawPath: r.URL.RawPath,
			rawQuery: r.URL.RawQuery, query: r.URL.Query(), header: r.Header.Clone(), body: b,
		})
		n := len(ts.hits)
		ts.mu.Unlock()
		h(w, r, n)
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			ts.newConns.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

func (ts *testServer) Hits() []hit {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]hit(nil), ts.hits...)
}

func (ts *testServer) N() int { return len(ts.Hits()) }

func jsonReply(body string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}
}

func tmpl(parts ...string) Template {
	// Alternating literal, param, literal, ...: tmpl("/items/", "id", "") is "/items/{id}".
	var t Template
	for i, s := range parts {
		if i%2 == 0 {
			t.Parts = append(t.Parts, s)
		} else {
			t.Params = append(t.Params, s)
		}
	}
	return t
}

var fastRetry = kit.RetryPolicy{Attempts: 3, InitialDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

func TestHTTPPathAndQueryEscaping(t *testing.T) {
	ts := newTestServer(t, jsonReply(`{"ok":true}`))
	x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL+"/v1/")))
	req := &Request{
		Conn:  "api",
		Path:  tmpl("/items/", "id", "/detail"),
		Query: []QueryParam{{Key: "q", Value: tmpl("", "q", "")}, {Key: "k&=", Value: tmpl("pre ", "q", "")}},
	}
	task := httpTask(x, "Items", req, kit.RetryPolicy{Attempts: 1}, time.Second)
	hostile := []string{
		"../../etc/passwd", "..", ".", "a?b=c", "a#frag", "100%", "%2F", "a/b", "with space", "ünïcødé 日本",
		"a+b&c=d", ";x=1", "~user", "\\back", "tab\there", `"quoted"`, "a\x00b",
	}
	for i, v := range hostile {
		if _, err := task.Do(context.Background(), &httpParams{vals: map[string]string{"id": v, "q": v}}); err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		h := ts.Hits()[i]
		if want := "/v1/items/" + v + "/detail"; h.path != want {
			t.Errorf("%q: decoded path %q, want %q", v, h.path, want)
		}
		seg := strings.TrimSuffix(strings.TrimPrefix(h.escaped, "/v1/items/"), "/detail")
		if strings.Contains(seg, "/") || strings.ContainsAny(seg, "?# ") || seg == "." || seg == ".." {
			t.Errorf("%q: escaped segment %q is not inert (escaped path %q)", v, seg, h.escaped)
		}
		if got := h.query["q"]; len(got) != 1 || got[0] != v {
			t.Errorf("%q: query q = %q", v, got)
		}
		if got := h.query["k&="]; len(got) != 1 || got[0] != "pre "+v {
			t.Errorf("%q: query k&= = %q", v, got)
		}
	}
	// Exact wire form for a few, so the escaping itself is pinned down.
	for _, c := range []struct{ v, seg string }{
		{"a/b", "a%2Fb"}, {"..", "%2E%2E"}, {"../x", "..%2Fx"}, {"a?b", "a%3Fb"}, {"a#b", "a%23b"}, {"100%", "100%25"}, {"a b", "a%20b"},
	} {
		if _, err := task.Do(context.Background(), &httpParams{vals: map[string]string{"id": c.v, "q": "x"}}); err != nil {
			t.Fatal(err)
		}
		hs := ts.Hits()
		if got, want := hs[len(hs)-1].escaped, "/v1/items/"+c.seg+"/detail"; got != want {
			t.Errorf("%q: escaped path %q, want %q", c.v, got, want)
		}
	}
}

func TestHTTPQueryOptionalAndOrder(t *testing.T) {
	ts := newTestServer(t, jsonReply(`{}`))
	x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL+"/base?api-version=2")))
	req := &Request{
		Conn: "api",
		Path: tmpl("/search"),
		Query: []QueryParam{
			{Key: "z", Value: tmpl("", "a", "")},
			{Key: "b", Value: tmpl("", "b", "")},
			{Key: "fixed", Value: tmpl("yes")},
			{Key: "combo", Value: tmpl("from-", "b", "")},
			{Key: "a", Value: tmpl("", "a", "")},
		},
	}
	task := httpTask(x, "Search", req, kit.RetryPolicy{Attempts: 1}, time.Second)
	cases := []struct {
		vals map[string]string
		want string
	}{
		{map[string]string{"a": "1"}, "api-version=2&z=1&fixed=yes&a=1"},
		{map[string]string{"a": "1", "b": ""}, "api-version=2&z=1&b=&fixed=yes&combo=from-&a=1"},
		{map[string]string{}, "api-version=2&fixed=yes"},
	}
	for i, c := range cases {
		if _, err := task.Do(context.Background(), &httpParams{vals: c.vals}); err != nil {
			t.Fatal(err)
		}
		if h := ts.Hits()[i]; h.rawQuery != c.want || h.path != "/base/search" {
			t.Errorf("vals %v: %s?%s, want /base/search?%s", c.vals, h.path, h.rawQuery, c.want)
		}
	}
}

func TestHTTPStatusMapping(t *testing.T) {
	type check func(t *testing.T, r *httpResult, err error)
	ok := func(t *testing.T, r *httpResult, err error) {
		if err != nil || r == nil {
			t.Fatalf("got %v, %v; want a result", r, err)
		}
	}
	notFound := func(t *testing.T, _ *httpResult, err error) {
		if !runtime.IsNotFound(err) {
			t.Fatalf("err = %v, want not found", err)
		}
	}
	httpErr := func(status int, permanent bool) check {
		return func(t *testing.T, _ *httpResult, err error) {
			var he *Error
			if !errors.As(err, &he) || he.Status != status {
				t.Fatalf("err = %v, want *Error with status %d", err, status)
			}
			if runtime.IsPermanent(err) != permanent || runtime.IsNotFound(err) {
				t.Fatalf("err = %v: permanent %v, want %v", err, runtime.IsPermanent(err), permanent)
			}
			if he.Task != "Status" || he.Method != "GET" || !strings.HasSuffix(he.URL, "/things/t1") || he.Body != "oops" {
				t.Fatalf("Error fields: %+v", he)
			}
		}
	}
	cases := []struct {
		name     string
		statuses []int // per attempt; the last repeats
		notFound []int
		attempts int
		check    check
	}{
		{"200", []int{200}, nil, 1, ok},
		{"404 default not found", []int{404}, nil, 1, notFound},
		{"410 custom not found", []int{410}, []int{404, 410}, 1, notFound},
		{"422 custom not found", []int{422}, []int{422}, 1, notFound},
		{"404 not in custom list is permanent", []int{404}, []int{410}, 1, httpErr(404, true)},
		{"empty list: 404 is permanent", []int{404}, []int{}, 1, httpErr(404, true)},
		{"400 permanent", []int{400}, nil, 1, httpErr(400, true)},
		{"403 permanent", []int{403}, nil, 1, httpErr(403, true)},
		{"409 permanent", []int{409}, nil, 1, httpErr(409, true)},
		{"500 retried", []int{500}, nil, 3, httpErr(500, false)},
		{"503 retried", []int{503}, nil, 3, httpErr(503, false)},
		{"429 retried", []int{429}, nil, 3, httpErr(429, false)},
		{"502 then 200", []int{502, 200}, nil, 2, ok},
		{"500 then 404", []int{500, 404}, nil, 2, notFound},
		{"503 then 400", []int{503, 400}, nil, 2, httpErr(400, true)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				st := c.statuses[min(n, len(c.statuses))-1]
				if st != 200 {
					w.WriteHeader(st)
					_, _ = io.WriteString(w, "oops")
					return
				}
				_, _ = io.WriteString(w, `{"id":"t1"}`)
			})
			x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL)))
			req := &Request{Conn: "api", Path: tmpl("/things/", "id", ""), NotFound: c.notFound}
			r, err := httpTask(x, "Status", req, fastRetry, time.Second).Do(context.Background(), &httpParams{vals: map[string]string{"id": "t1"}})
			c.check(t, r, err)
			if got := ts.N(); got != c.attempts {
				t.Errorf("server saw %d requests, want %d", got, c.attempts)
			}
			var te *runtime.TaskError
			if err != nil && (!errors.As(err, &te) || te.Attempts != c.attempts) {
				t.Errorf("err = %#v, want *runtime.TaskError with %d attempts", err, c.attempts)
			}
		})
	}
}

func TestHTTPRetryAfterRealTime(t *testing.T) {
	cases := []struct {
		name       string
		retryAfter func() string
		maxDelay   time.Duration
		minGap     time.Duration
	}{
		{"seconds honoured", func() string { return "1" }, 5 * time.Second, 900 * time.Millisecond},
		{"seconds capped", func() string { return "3600" }, 150 * time.Millisecond, 120 * time.Millisecond},
		{"date honoured", func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) }, 5 * time.Second, 800 * time.Millisecond},
		{"date capped", func() string { return time.Now().Add(time.Hour).UTC().Format(http.TimeFormat) }, 150 * time.Millisecond, 120 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				if n == 1 {
					w.Header().Set("Retry-After", c.retryAfter())
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				_, _ = io.WriteString(w, `{}`)
			})
			x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL)))
			pol := kit.RetryPolicy{Attempts: 2, InitialDelay: time.Millisecond, MaxDelay: c.maxDelay}
			task := httpTask(x, "RA", &Request{Conn: "api", Path: tmpl("/")}, pol, 5*time.Second)
			if _, err := task.Do(context.Background(), &httpParams{}); err != nil {
				t.Fatal(err)
			}
			hs := ts.Hits()
			if len(hs) != 2 {
				t.Fatalf("%d requests, want 2", len(hs))
			}
			gap := hs[1].at.Sub(hs[0].at)
			if gap < c.minGap {
				t.Errorf("second attempt came %v after the first, want ≥ %v", gap, c.minGap)
			}
			// Loose: only proves the cap applies (an uncapped wait would be an hour).
			if gap > c.maxDelay+10*time.Second {
				t.Errorf("second attempt came %v after the first, want about %v at most", gap, c.maxDelay)
			}
		})
	}
}

func TestHTTPRetryAfterBeyondDeadline(t *testing.T) {
	// A Retry-After past the caller's deadline ends the flight at once instead of sleeping into the deadline.
	ts := newTestServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL)))
	pol := kit.RetryPolicy{Attempts: 5, InitialDelay: time.Millisecond, MaxDelay: time.Minute}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	_, err := httpTask(x, "RA", &Request{Conn: "api", Path: tmpl("/")}, pol, time.Second).Do(ctx, &httpParams{})
	var he *Error
	if !errors.As(err, &he) || he.RetryAfter != 30*time.Second {
		t.Fatalf("err = %v, want *Error with RetryAfter 30s", err)
	}
	if ts.N() != 1 || ctx.Err() != nil {
		t.Errorf("%d requests, ctx err %v (after %v): want 1 request and an early return", ts.N(), ctx.Err(), time.Since(start))
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	date := func(t time.Time) string { return t.Format(http.TimeFormat) }
	cases := []struct {
		retryAfter, date string
		want             time.Duration
	}{
		{"", "", 0},
		{"0", "", 0},
		{"5", "", 5 * time.Second},
		{" 5 ", "", 5 * time.Second},
		{"-1", "", 0},
		{"1.5", "", 0},
		{"junk", "", 0},
		{"99999999999999999999", "", maxRetryAfterSeconds * time.Second},
		{date(now.Add(90 * time.Second)), "", 90 * time.Second},
		{date(now.Add(-time.Minute)), "", 0},
		// Relative to the server's Date, not our clock.
		{date(now.Add(time.Hour + 10*time.Second)), date(now.Add(time.Hour)), 10 * time.Second},
		{now.Add(time.Minute).Format(time.RFC850), "", time.Minute},
	}
	for _, c := range cases {
		h := http.Header{}
		if c.retryAfter != "" {
			h.Set("Retry-After", c.retryAfter)
		}
		if c.date != "" {
			h.Set("Date", c.date)
		}
		if got := parseRetryAfter(h, now); got != c.want {
			t.Errorf("Retry-After %q, Date %q: %v, want %v", c.retryAfter, c.date, got, c.want)
		}
	}
	// The retry stage reads the delay through seam.RetryAfter, through any wrapping (TestRetryDelay in runtime).
	var ra seam.RetryAfter
	if !errors.As(runtime.Permanent(fmt.Errorf("x: %w", &Error{RetryAfter: time.Minute})), &ra) || ra.RetryAfterDelay(seam.Token{}) != time.Minute {
		t.Errorf("Error's Retry-After not seen by the retry stage: %v", ra)
	}
}

func TestHTTPBodyErrors(t *testing.T) {
	const (
		querySecret  = "s3cr3t-query"
		headerSecret = "s3cr3t-header"
	)
	t.Setenv("RT_HTTP_TEST_KEY", headerSecret)
	big := `"` + strings.Repeat("x", 100) + `"`
	cases := []struct {
		name      string
		reply     func(w http.ResponseWriter)
		permanent bool
		want      string
	}{
		{"oversized with length", func(w http.ResponseWriter) { _, _ = io.WriteString(w, big) }, true, "exceeds the limit of 64 bytes"},
		{"oversized chunked", func(w http.ResponseWriter) {
			_, _ = io.WriteString(w, big[:50])
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, big[50:])
		}, true, "exceeds the limit of 64 bytes"},
		{"not JSON", func(w http.ResponseWriter) { _, _ = io.WriteString(w, "<html>hi</html>") }, true, "not JSON"},
		{"empty", func(http.ResponseWriter) {}, true, "empty body"},
		{"trailing data", func(w http.ResponseWriter) { _, _ = io.WriteString(w, `{"a":1} {"b":2}`) }, true, "data after the JSON value"},
		{"server error", func(w http.ResponseWriter) {
			w.WriteHeader(500)
			_, _ = io.WriteString(w, "boom")
		}, false, `status 500 Internal Server Error: "boom"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) { c.reply(w) })
			x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL, BodyLimit(64))))
			req := &Request{
				Conn:    "api",
				Path:    tmpl("/p/", "id", ""),
				Query:   []QueryParam{{Key: "api_key", Value: tmpl("", "key", "")}},
				Headers: []Header{{Name: "X-Api-Key", Value: "${env:RT_HTTP_TEST_KEY}"}},
			}
			_, err := httpTask(x, "BodyTask", req, fastRetry, time.Second).Do(context.Background(),
				&httpParams{vals: map[string]string{"id": "p1", "key": querySecret}})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, want := range []string{"BodyTask", ts.URL + "/p/p1", c.want} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if !strings.Contains(msg, "status 200") && !strings.Contains(msg, "status 500") {
				t.Errorf("error %q names no status", msg)
			}
			for _, secret := range []string{querySecret, headerSecret, "api_key", "?"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q leaks %q", msg, secret)
				}
			}
			if runtime.IsPermanent(err) != c.permanent {
				t.Errorf("permanent = %v, want %v", runtime.IsPermanent(err), c.permanent)
			}
			wantHits := 1
			if !c.permanent {
				wantHits = 3
			}
			if ts.N() != wantHits {
				t.Errorf("%d requests, want %d", ts.N(), wantHits)
			}
			// The secrets did reach the server.
			if h := ts.Hits()[0]; h.query["api_key"][0] != querySecret || h.header.Get("X-Api-Key") != headerSecret {
				t.Errorf("server saw query %v, header %q", h.query, h.header.Get("X-Api-Key"))
			}
		})
	}
}

func TestHTTPBodyAtLimit(t *testing.T) {
	ts := newTestServer(t, jsonReply(`"`+strings.Repeat("x", 62)+`"`))
	x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL, BodyLimit(64))))
	r, err := httpTask(x, "Limit", &Request{Conn: "api", Path: tmpl("/")}, kit.RetryPolicy{}, time.Second).Do(context.Background(), &httpParams{})
	if err != nil || r.v != strings.Repeat("x", 62) {
		t.Fatalf("got %v, %v", r, err)
	}
}

func TestHTTPTransportErrorHidesQuery(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close() // nothing listens there now: connection refused
	x := newTestExecutor(t, runtime.WithSource(Bind("api", deadURL)))
	req := &Request{Conn: "api", Path: tmpl("/x"), Query: []QueryParam{{Key: "token", Value: tmpl("", "t", "")}}}
	_, err := httpTask(x, "Dead", req, fastRetry, time.Second).Do(context.Background(), &httpParams{vals: map[string]string{"t": "s3cr3t"}})
	var te *runtime.TaskError
	if !errors.As(err, &te) || te.Attempts != 3 || runtime.IsPermanent(err) {
		t.Fatalf("err = %v, want a transient error after 3 attempts", err)
	}
	if msg := err.Error(); strings.Contains(msg, "s3cr3t") || strings.Contains(msg, "token") || !strings.Contains(msg, deadURL+"/x") {
		t.Errorf("error %q: want the URL without its query", msg)
	}
}

func TestHTTPSlowBodyTimesOut(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"a":`)
		w.(http.Flusher).Flush()
		select { // stall until the client gives up (bounded so a bug cannot hang the test)
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL)))
	start := time.Now()
	pol := kit.RetryPolicy{Attempts: 2, InitialDelay: time.Millisecond, MaxDelay: time.Millisecond}
	_, err := httpTask(x, "Slow", &Request{Conn: "api", Path: tmpl("/")}, pol, 100*time.Millisecond).Do(context.Background(), &httpParams{})
	// The engine's attempt timeout (an unexported type) says so in its text.
	if err == nil || !strings.Contains(err.Error(), "attempt timed out after 100ms") || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want an attempt timeout", err)
	}
	if ts.N() != 2 {
		t.Errorf("%d requests, want 2 (a timed-out attempt is retried)", ts.N())
	}
	if el := time.Since(start); el > 8*time.Second {
		t.Errorf("took %v: the per-attempt timeout did not cut the body", el)
	}
}

func TestHTTPEnvHeaders(t *testing.T) {
	ts := newTestServer(t, jsonReply(`{}`))
	x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL)))
	req := &Request{Conn: "api", Path: tmpl("/"), Headers: []Header{
		{Name: "X-Token", Value: "pre-${env:RT_HTTP_TOKEN}-${env:RT_HTTP_TOKEN2}"},
		{Name: "X-Literal", Value: "plain $HOME {env:X}"},
	}}
	task := httpTask(x, "Env", req, fastRetry, time.Second)
	t.Setenv("RT_HTTP_TOKEN", "one")
	t.Setenv("RT_HTTP_TOKEN2", "")
	if _, err := task.Do(context.Background(), &httpParams{}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RT_HTTP_TOKEN", "two") // resolved per request, not once
	if _, err := task.Do(context.Background(), &httpParams{}); err != nil {
		t.Fatal(err)
	}
	hs := ts.Hits()
	if hs[0].header.Get("X-Token") != "pre-one-" || hs[1].header.Get("X-Token") != "pre-two-" || hs[0].header.Get("X-Literal") != "plain $HOME {env:X}" {
		t.Errorf("headers: %v / %v", hs[0].header, hs[1].header)
	}

	cases := []struct {
		value, want string
	}{
		{"${env:RT_HTTP_SURELY_UNSET}", "environment variable RT_HTTP_SURELY_UNSET is not set"},
		{"x ${env:RT_HTTP_TOKEN", "unterminated"},
		{"${env:}", "empty variable name"},
	}
	for _, c := range cases {
		req := &Request{Conn: "api", Path: tmpl("/"), Headers: []Header{{Name: "X-Bad", Value: c.value}}}
		_, err := httpTask(x, "EnvBad", req, fastRetry, time.Second).Do(context.Background(), &httpParams{})
		var te *runtime.TaskError
		if !errors.As(err, &te) || te.Attempts != 1 || !runtime.IsPermanent(err) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "X-Bad") {
			t.Errorf("%q: err = %v, want a permanent error after 1 attempt containing %q", c.value, err, c.want)
		}
	}
	t.Setenv("RT_HTTP_TOKEN", "line\r\nX-Injected: 1")
	_, err := task.Do(context.Background(), &httpParams{})
	if !runtime.IsPermanent(err) || strings.Contains(err.Error(), "Injected") {
		t.Errorf("header injection: err = %v", err)
	}
	if ts.N() != 2 {
		t.Errorf("%d requests, want 2: failed headers must not reach the server", ts.N())
	}
}

func TestHTTPDecoratorsAndBearer(t *testing.T) {
	ts := newTestServer(t, jsonReply(`{}`))
	var order []string
	var mu sync.Mutex
	dec := func(name string) func(*http.Request) error {
		return func(r *http.Request) error {
			mu.Lock()
			defer mu.Unlock()
			order = append(order, name)
			r.Header.Add("X-Chain", name+"<"+r.Header.Get("X-Chain"))
			return nil
		}
	}
	t.Setenv("RT_HTTP_BEARER", "tok")
	x := newTestExecutor(t,
		runtime.WithSource(Bind("api", ts.URL, Decorate(dec("first")), Decorate(dec("second")), BearerEnv("RT_HTTP_BEARER"))),
		runtime.WithSource(Bind("bad", ts.URL, Decorate(func(*http.Request) error { return runtime.Permanent(errors.New("no credentials")) }))),
		runtime.WithSource(Bind("flaky", ts.URL, Decorate(func(*http.Request) error { return errors.New("token service down") }))),
		runtime.WithSource(Bind("nobearer", ts.URL, BearerEnv("RT_HTTP_BEARER_UNSET"))),
	)
	req := &Request{Conn: "api", Path: tmpl("/"), Headers: []Header{{Name: "X-Chain", Value: "spec"}}}
	if _, err := httpTask(x, "Dec", req, fastRetry, time.Second).Do(context.Background(), &httpParams{}); err != nil {
		t.Fatal(err)
	}
	h := ts.Hits()[0].header
	if got := h.Values("X-Chain"); strings.Join(got, ",") != "spec,first<spec,second<spec" || strings.Join(order, ",") != "first,second" {
		t.Errorf("X-Chain %q, order %v", got, order)
	}
	if h.Get("Authorization") != "Bearer tok" || h.Get("Accept") != "application/json" {
		t.Errorf("headers %v", h)
	}

	for _, c := range []struct {
		conn, want string
		attempts   int
	}{
		{"bad", "no credentials", 1},
		{"flaky", "token service down", 3},
		{"nobearer", "environment variable RT_HTTP_BEARER_UNSET is not set", 1},
	} {
		_, err := httpTask(x, "Dec", &Request{Conn: c.conn, Path: tmpl("/")}, fastRetry, time.Second).Do(context.Background(), &httpParams{})
		var te *runtime.TaskError
		if !errors.As(err, &te) || te.Attempts != c.attempts || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q after %d attempts", c.conn, err, c.want, c.attempts)
		}
	}
	if ts.N() != 1 {
		t.Errorf("%d requests, want 1", ts.N())
	}
}

func TestHTTPPointer(t *testing.T) {
	ts := newTestServer(t, jsonReply(`{"data":{"items":[{"id":"x"},{"id":"y"}],"a/b":{"~k":12345678901234567890},"nil":null},"n":1.5}`))
	x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL)))
	cases := []struct {
		ptr  string
		want string // JSON of the result, or "notfound" / "error"
	}{
		{"", `{"data":{"a/b":{"~k":12345678901234567890},"items":[{"id":"x"},{"id":"y"}],"nil":null},"n":1.5}`},
		{"/data/items/1", `{"id":"y"}`},
		{"/data/items/1/id", `"y"`},
		{"/data/a~1b/~0k", `12345678901234567890`}, // json.Number keeps every digit
		{"/data/nil", `null`},
		{"/n", `1.5`},
		{"/data/missing", "notfound"},
		{"/data/items/2", "notfound"},
		{"/data/items/01", "notfound"},
		{"/data/items/-", "notfound"},
		{"/n/deeper", "notfound"},
		{"data", "error"},
	}
	for _, c := range cases {
		req := &Request{Conn: "api", Path: tmpl("/"), Pointer: c.ptr}
		r, err := httpTask(x, "Ptr", req, fastRetry, time.Second).Do(context.Background(), &httpParams{})
		switch c.want {
		case "notfound":
			if !runtime.IsNotFound(err) || !strings.Contains(err.Error(), c.ptr) {
				t.Errorf("%q: err = %v, want not found naming the pointer", c.ptr, err)
			}
		case "error":
			if err == nil || runtime.IsNotFound(err) || !runtime.IsPermanent(err) {
				t.Errorf("%q: err = %v, want a permanent error", c.ptr, err)
			}
		default:
			if err != nil {
				t.Errorf("%q: %v", c.ptr, err)
				continue
			}
			b, _ := json.Marshal(r.v)
			if string(b) != c.want {
				t.Errorf("%q: %s, want %s", c.ptr, b, c.want)
			}
		}
	}
	r, err := httpTask(x, "Ptr", &Request{Conn: "api", Path: tmpl("/"), Pointer: "/n"}, fastRetry, time.Second).Do(context.Background(), &httpParams{})
	if _, ok := r.v.(json.Number); err != nil || !ok {
		t.Errorf("number decoded as %T (%v)", r.v, err)
	}
}

func TestHTTPPostBody(t *testing.T) {
	ts := newTestServer(t, jsonReply(`{"ok":true}`))
	x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL)))
	type query struct {
		SKUs  []string `json:"skus"`
		Limit int      `json:"limit"`
	}
	post := httpTask(x, "Post", &Request{Conn: "api", Method: "POST", Path: tmpl("/search")}, kit.RetryPolicy{}, time.Second)
	if _, err := post.Do(context.Background(), &httpParams{body: query{SKUs: []string{"a", "b/c"}, Limit: 3}}); err != nil {
		t.Fatal(err)
	}
	get := httpTask(x, "Get", &Request{Conn: "api", Path: tmpl("/search")}, kit.RetryPolicy{}, time.Second)
	if _, err := get.Do(context.Background(), &httpParams{}); err != nil {
		t.Fatal(err)
	}
	hs := ts.Hits()
	if hs[0].method != "POST" || hs[0].header.Get("Content-Type") != "application/json" {
		t.Errorf("POST: method %s, Content-Type %q", hs[0].method, hs[0].header.Get("Content-Type"))
	}
	var got query
	if err := json.Unmarshal(hs[0].body, &got); err != nil || len(got.SKUs) != 2 || got.SKUs[1] != "b/c" || got.Limit != 3 {
		t.Errorf("POST body %s: %+v, %v", hs[0].body, got, err)
	}
	if hs[1].method != "GET" || hs[1].header.Get("Content-Type") != "" || len(hs[1].body) != 0 {
		t.Errorf("GET: method %s, Content-Type %q, body %q", hs[1].method, hs[1].header.Get("Content-Type"), hs[1].body)
	}
	// A body that cannot be encoded is permanent and never sent.
	_, err := post.Do(context.Background(), &httpParams{body: func() {}})
	if !runtime.IsPermanent(err) || !strings.Contains(err.Error(), "encode request body") || ts.N() != 2 {
		t.Errorf("unencodable body: %v", err)
	}
}

func TestHTTPConnectionReuse(t *testing.T) {
	bigErr := strings.Repeat("e", 20<<10) // read only in part for Error, then drained
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		switch r.URL.Path {
		case "/ok":
			_, _ = io.WriteString(w, `{"v":1}`)
		case "/missing":
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"error":"not found"}`)
		case "/bad":
			w.WriteHeader(400)
			_, _ = io.WriteString(w, bigErr)
		case "/nope":
			_, _ = io.WriteString(w, "not json")
		case "/ptr":
			_, _ = io.WriteString(w, `{"a":1}`)
		}
	})
	x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL)))
	var tasks []*kit.Task[httpParams, httpResult]
	for _, p := range []string{"/ok", "/missing", "/bad", "/nope", "/ptr"} {
		tasks = append(tasks, httpTask(x, "Reuse"+p, &Request{Conn: "api", Path: tmpl(p), Pointer: map[bool]string{true: "/b"}[p == "/ptr"]}, kit.RetryPolicy{}, time.Second))
	}
	for i := range 50 {
		_, _ = tasks[i%len(tasks)].Do(context.Background(), &httpParams{})
	}
	if ts.N() != 50 {
		t.Fatalf("%d requests, want 50", ts.N())
	}
	if n := ts.newConns.Load(); n != 1 {
		t.Errorf("%d connections for 50 sequential requests, want 1", n)
	}
}

func TestHTTPConfig(t *testing.T) {
	bad := []struct {
		name string
		opt  runtime.Option
		want string
	}{
		{"empty name", runtime.WithSource(Bind("", "http://h")), "empty connection name"},
		{"relative", runtime.WithSource(Bind("a", "/v1")), "not an absolute http(s) URL"},
		{"ftp", runtime.WithSource(Bind("a", "ftp://h/x")), "not an absolute http(s) URL"},
		{"no host", runtime.WithSource(Bind("a", "http:///x")), "not an absolute http(s) URL"},
		{"fragment", runtime.WithSource(Bind("a", "http://h/#f")), "fragment"},
		{"unparsable", runtime.WithSource(Bind("a", "http://user:pw@h:port/x")), "base URL"},
		{"nil client", runtime.WithSource(Bind("a", "http://h", Client(nil))), "nil client"},
		{"nil decorator", runtime.WithSource(Bind("a", "http://h", Decorate(nil))), "nil decorator"},
		{"zero limit", runtime.WithSource(Bind("a", "http://h", BodyLimit(0))), "not positive"},
		{"empty env", runtime.WithSource(Bind("a", "http://h", BearerEnv(""))), "empty variable name"},
	}
	for _, c := range bad {
		_, err := runtime.New(c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "pw") {
			t.Errorf("%s: err = %v, want %q (and no password)", c.name, err, c.want)
		}
	}
	// A binding WithSource refuses still answers Check with its error rather than failing on a nil URL.
	if err := Bind("a", "/v1").Check(context.Background()); err == nil || !strings.Contains(err.Error(), "not an absolute http(s) URL") {
		t.Errorf("Check of an invalid binding: %v", err)
	}
	if _, err := runtime.New(runtime.WithSource(Bind("a", "http://h")), runtime.WithSource(Bind("a", "http://g"))); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate: %v", err)
	}

	own := &http.Client{Transport: &countingTransport{}, Timeout: time.Minute}
	x := newTestExecutor(t, runtime.WithSource(Bind("a", "https://user:pw@h/v1/?k=v")), runtime.WithSource(Bind("b", "http://h")), runtime.WithSource(Bind("c", "http://h", Client(own))))
	conn := func(name string) *Conn {
		c, err := seam.Lookup[*Conn](x, Kind, name)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b, c := conn("a"), conn("b"), conn("c")
	// c uses a copy of own, with own's transport and timeout and a redirect guard (TestHTTPClientRedirects).
	ownCopy := c.client != own && c.client.Transport == own.Transport && c.client.Timeout == own.Timeout && c.client.CheckRedirect != nil
	// a and b each have a default client of their own (Bind has no executor to share one through), which Close
	// drops the idle connections of; c's client is the caller's.
	if !a.ownClient || !b.ownClient || c.ownClient || a.client == b.client || !ownCopy || own.CheckRedirect != nil || a.display != "https://h/v1" || a.baseQuery != "k=v" || a.limit != 10<<20 {
		t.Errorf("conns: %+v %+v %+v", a, b, c)
	}
	tr, ok := a.client.Transport.(*http.Transport)
	if a.client.Timeout != 0 || !ok || tr.ResponseHeaderTimeout == 0 || tr.TLSHandshakeTimeout == 0 || tr.DialContext == nil || tr.MaxIdleConnsPerHost < 2 {
		t.Errorf("default client: %+v", a.client)
	}

	_, err := Fetch(context.Background(), x, "T", &Request{Conn: "nope"}, nil, nil)
	if !runtime.IsPermanent(err) || !strings.Contains(err.Error(), `no http connection "nope" is bound`) {
		t.Errorf("unknown conn: %v", err)
	}
	for _, c := range []struct {
		r    *Request
		vals map[string]string
		want string
	}{
		{&Request{Conn: "b", Path: tmpl("/x/", "id", "")}, nil, `path parameter "id" has no value`},
		{&Request{Conn: "b", Path: tmpl("/x/", "id", "")}, map[string]string{"id": ""}, `path parameter "id" is empty`},
		{&Request{Conn: "b", Path: Template{Parts: []string{"/x"}, Params: []string{"id"}}}, nil, "want 2 parts"},
		{&Request{Conn: "b", Path: tmpl("/x?y")}, nil, "contains ? or #"},
		{&Request{Conn: "b", Path: tmpl("/x"), Headers: []Header{{Name: "Bad Name", Value: "v"}}}, nil, "invalid name"},
	} {
		_, err := Fetch(context.Background(), x, "T", c.r, c.vals, nil)
		if !runtime.IsPermanent(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want %q", c.r, err, c.want)
		}
	}
}

func TestHTTPRedirects(t *testing.T) {
	other := newTestServer(t, jsonReply(`{"where":"other"}`))
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		switch r.URL.Path {
		case "/old":
			http.Redirect(w, r, "/new", http.StatusFound)
		case "/away":
			http.Redirect(w, r, other.URL+"/stolen", http.StatusFound)
		default:
			_, _ = io.WriteString(w, `{"where":"new"}`)
		}
	})
	t.Setenv("RT_HTTP_REDIRECT_KEY", "secret")
	x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL)))
	do := func(path string) (*httpResult, error) {
		req := &Request{Conn: "api", Path: tmpl(path), Pointer: "/where", Headers: []Header{{Name: "X-Key", Value: "${env:RT_HTTP_REDIRECT_KEY}"}}}
		return httpTask(x, "Redir", req, fastRetry, time.Second).Do(context.Background(), &httpParams{})
	}
	if r, err := do("/old"); err != nil || r.v != "new" {
		t.Errorf("same-origin redirect: %v, %v", r, err)
	}
	_, err := do("/away")
	var he *Error
	if !errors.As(err, &he) || he.Status != http.StatusFound || !runtime.IsPermanent(err) {
		t.Errorf("cross-origin redirect: err = %v, want a permanent 302", err)
	}
	if other.N() != 0 {
		t.Errorf("the other host got %d requests with the secret header", other.N())
	}
}

// countingTransport counts the round trips of a caller's client, to show that the connection uses it.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// TestHTTPClientRedirects: a client the caller passes with Client follows redirects only within the
// connection's origin, whatever its own CheckRedirect says, so the spec's secret headers never reach another
// origin; its own policy still applies within the origin, and the caller's client is left as it was.
func TestHTTPClientRedirects(t *testing.T) {
	other := newTestServer(t, jsonReply(`{"where":"other"}`))
	var ts *testServer
	ts = newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		port := ts.Listener.Addr().(*net.TCPAddr).Port
		to := map[string]string{
			"/same":       "/ok",
			"/absolute":   fmt.Sprintf("http://127.0.0.1:%d/ok", port),
			"/upper":      fmt.Sprintf("HTTP://127.0.0.1:%d/ok", port),
			"/port":       other.URL + "/stolen",
			"/host":       fmt.Sprintf("http://localhost:%d/ok", port),
			"/scheme":     fmt.Sprintf("https://127.0.0.1:%d/ok", port),
			"/chain":      "/chain2",
			"/chain2":     "/chain3",
			"/chain3":     "/ok",
			"/chain-away": "/hop",
			"/hop":        other.URL + "/stolen",
			"/back-away":  "/hop-host",
			"/hop-host":   fmt.Sprintf("http://localhost:%d/ok", port),
			"/loop":       "/loop",
		}[r.URL.Path]
		if to != "" {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		_, _ = io.WriteString(w, `{"where":"ok"}`)
	})
	const secret = "s3cr3t-redirect-key"
	t.Setenv("RT_HTTP_CLIENT_REDIRECT_KEY", secret)
	t.Setenv("RT_HTTP_CLIENT_REDIRECT_TOKEN", secret+"-bearer")

	allow := func(*http.Request, []*http.Request) error { return nil }
	refuse := func(*http.Request, []*http.Request) error { return errors.New("caller refuses redirects") }
	last := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	policies := []struct {
		name  string
		check func(*http.Request, []*http.Request) error
	}{{"nil", nil}, {"allow", allow}, {"refuse", refuse}, {"last", last}}

	// want: "ok" = followed to /ok, "3xx" = a permanent 302 Error, "err" = a non-HTTP error.
	cases := []struct {
		path string
		want map[string]string // by policy; "*" for all
		hops int               // same-origin redirects the caller's policy is asked about when it follows them
	}{
		{"/ok", map[string]string{"*": "ok"}, 0},
		{"/same", map[string]string{"nil": "ok", "allow": "ok", "refuse": "err", "last": "3xx"}, 1},
		{"/absolute", map[string]string{"nil": "ok", "allow": "ok", "refuse": "err", "last": "3xx"}, 1},
		{"/upper", map[string]string{"nil": "ok", "allow": "ok", "refuse": "err", "last": "3xx"}, 1},
		{"/chain", map[string]string{"nil": "ok", "allow": "ok", "refuse": "err", "last": "3xx"}, 3},
		{"/port", map[string]string{"*": "3xx"}, 0},
		{"/host", map[string]string{"*": "3xx"}, 0},
		{"/scheme", map[string]string{"*": "3xx"}, 0},
		{"/chain-away", map[string]string{"nil": "3xx", "allow": "3xx", "refuse": "err", "last": "3xx"}, 1},
		{"/back-away", map[string]string{"nil": "3xx", "allow": "3xx", "refuse": "err", "last": "3xx"}, 1},
		{"/loop", map[string]string{"nil": "err", "allow": "err", "refuse": "err", "last": "3xx"}, 0},
	}
	originHost := ts.Listener.Addr().String()
	for _, p := range policies {
		for _, c := range cases {
			t.Run(p.name+c.path, func(t *testing.T) {
				other.mu.Lock()
				other.hits = nil
				other.mu.Unlock()
				before := ts.N()

				var asked atomic.Int64
				var check func(*http.Request, []*http.Request) error
				if p.check != nil {
					check = func(r *http.Request, via []*http.Request) error {
						asked.Add(1)
						if r.URL.Host != originHost {
							t.Errorf("the caller's policy was asked about %s, another origin", r.URL)
						}
						if p.name == "allow" && len(via) >= 10 {
							return errors.New("caller stops loops")
						}
						return p.check(r, via)
					}
				}
				tr := &countingTransport{}
				jar := http.CookieJar(nil)
				user := &http.Client{Transport: tr, CheckRedirect: check, Timeout: 7 * time.Second, Jar: jar}
				snapshot := *user
				x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL, Client(user), BearerEnv("RT_HTTP_CLIENT_REDIRECT_TOKEN"))))
				req := &Request{Conn: "api", Path: tmpl(c.path), Pointer: "/where",
					Headers: []Header{{Name: "X-Key", Value: "${env:RT_HTTP_CLIENT_REDIRECT_KEY}"}}}
				r, err := httpTask(x, "Redir", req, kit.RetryPolicy{Attempts: 1}, 5*time.Second).Do(context.Background(), &httpParams{})

				want := c.want[p.name]
				if want == "" {
					want = c.want["*"]
				}
				var he *Error
				switch want {
				case "ok":
					if err != nil || r.v != "ok" {
						t.Errorf("got %v, %v; want the /ok answer", r, err)
					}
				case "3xx":
					if !errors.As(err, &he) || he.Status != http.StatusFound || !runtime.IsPermanent(err) {
						t.Errorf("err = %v, want a permanent 302 Error", err)
					}
				case "err":
					if err == nil || errors.As(err, &he) {
						t.Errorf("err = %v, want the redirect to fail", err)
					}
				}
				if err != nil && strings.Contains(err.Error(), secret) {
					t.Errorf("error shows the secret: %v", err)
				}
				if n := other.N(); n != 0 {
					t.Errorf("the other origin got %d requests", n)
				}
				for _, h := range ts.Hits()[before:] {
					if h.header.Get("X-Key") != secret || h.header.Get("Authorization") != "Bearer "+secret+"-bearer" {
						t.Errorf("request to %s lacks the secrets it should carry", h.path)
					}
				}
				// The Host header each request named: only the origin itself, never localhost on the same port.
				if c.path == "/host" || c.path == "/back-away" {
					followed := c.hops
					if p.name == "refuse" || p.name == "last" {
						followed = 0
					}
					if n := ts.N() - before; n != 1+followed {
						t.Errorf("the origin's port got %d requests, want %d (none for the other host)", n, 1+followed)
					}
				}
				if p.check != nil && p.name != "last" && p.name != "refuse" {
					if got := asked.Load(); c.path != "/loop" && got != int64(c.hops) {
						t.Errorf("the caller's policy was asked %d times, want %d", got, c.hops)
					}
				}
				if tr.n.Load() == 0 {
					t.Error("the caller's transport was not used")
				}
				// The caller's client is unchanged: same fields, same CheckRedirect function.
				if user.Transport != snapshot.Transport || user.Jar != snapshot.Jar || user.Timeout != snapshot.Timeout ||
					fmt.Sprintf("%p", user.CheckRedirect) != fmt.Sprintf("%p", snapshot.CheckRedirect) {
					t.Errorf("the caller's client was modified: %+v, was %+v", *user, snapshot)
				}
			})
		}
	}
	// The caller's own client, used directly, still has its own policy: it follows the cross-origin redirect
	// that the connection refused, which shows the guard lives only in the connection's copy.
	user := &http.Client{CheckRedirect: allow}
	newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL, Client(user))))
	resp, err := user.Get(ts.URL + "/port")
	if err != nil {
		t.Fatal(err)
	}
	drainClose(resp.Body)
	if other.N() != 1 {
		t.Errorf("the caller's client, used directly, did not follow its own policy")
	}
}

// TestHTTPConnCheck: any answer from the server, whatever its status, is ready; a server that is gone is not, and
// the error names neither the base URL's password nor its query.
func TestHTTPConnCheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead || r.URL.RawQuery != "" || r.Header.Get("Authorization") != "" {
			t.Errorf("check sent %s %s with Authorization %q", r.Method, r.URL, r.Header.Get("Authorization"))
		}
		w.WriteHeader(http.StatusNotFound)
	}))
	x := newTestExecutor(t, runtime.WithSource(Bind("up", srv.URL+"/v1?key=s3cr3tkey")), runtime.WithSource(Bind("down", "http://user:pa55word@127.0.0.1:1/v1?token=t0ken-value")))
	conn := func(name string) *Conn {
		c, err := seam.Lookup[*Conn](x, Kind, name)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ctx := context.Background()
	if err := conn("up").Check(ctx); err != nil {
		t.Errorf("up: %v", err)
	}
	srv.Close()
	err := conn("down").Check(ctx)
	if err == nil || strings.Contains(err.Error(), "pa55word") || strings.Contains(err.Error(), "t0ken-value") {
		t.Errorf("down: %v", err)
	}
}

// The HTTP source quotes its URL (which holds params) and the start of an error body: both stay bounded, and so
// does every log line runtime.SlogHooks writes about the task.
func TestBoundedHTTPErrorsAndLogs(t *testing.T) {
	huge := strings.Repeat("z", 2<<20)
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		switch r.URL.Query().Get("mode") {
		case "body":
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(huge))
		case "json":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"v":"` + huge + `"}`))
		default:
			http.NotFound(w, r)
		}
	})
	var logs bytes.Buffer
	x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL)), runtime.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	req := &Request{Conn: "api", Path: Template{Parts: []string{"/r/", ""}, Params: []string{"id"}},
		Query: []QueryParam{{Key: "mode", Value: Template{Parts: []string{"", ""}, Params: []string{"mode"}}}}}
	task := kit.NewTask(x, kit.TaskSpec[httpParams, httpResult]{
		Name: "Huge", Version: "v1", AppendKey: appendHTTPKey,
		Describe: func(p *httpParams) string { return "id=" + kit.Quote(p.vals["id"]) },
		Fetch: func(ctx context.Context, p *httpParams) (*httpResult, error) {
			v, err := Fetch(ctx, x, "Huge", req, p.vals, nil)
			if err != nil {
				return nil, err
			}
			m, _ := v.(map[string]any)
			if _, err := kit.AsInt64("/v", m["v"]); err != nil {
				return nil, err
			}
			return &httpResult{v: v}, nil
		},
	})
	for _, mode := range []string{"body", "json", "missing"} {
		id := huge[:64<<10] // within the server's header limit
		_, err := task.Do(context.Background(), &httpParams{vals: map[string]string{"id": id, "mode": mode}})
		if err == nil || len(err.Error()) > errorBound {
			t.Errorf("%s: error of %d bytes: %v", mode, len(fmt.Sprint(err)), kit.Clip(fmt.Sprint(err)))
		}
		var he *Error
		if errors.As(err, &he) && (len(he.URL) > errorBound || len(he.Body) > errorBodyLen) {
			t.Errorf("%s: Error URL %d bytes, body %d bytes", mode, len(he.URL), len(he.Body))
		}
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) < 3 {
		t.Fatalf("only %d log lines", len(lines))
	}
	for _, l := range lines {
		if len(l) > 2*errorBound {
			t.Errorf("log line of %d bytes: %s", len(l), kit.Clip(l))
		}
	}
}

// Secrets never leave (issue 11, class 8): what ${env:NAME} resolved to and what credential decorators applied
// never appear in an error, an Error, a hook event or a log line, even when the server echoes them in its
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
		for _, f := range secret.Forms(v) {
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
			for _, f := range secret.Forms(v) {
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

func (r *recorder) hooks() runtime.Hooks {
	ev := func(kind string) func(context.Context, runtime.Event) {
		return func(_ context.Context, e runtime.Event) {
			r.add(fmt.Sprintf("%s %+v %v %#v", kind, e, e.Err, e.Err))
		}
	}
	return runtime.Hooks{OnHit: ev("hit"), OnMiss: ev("miss"), OnStale: ev("stale"), OnNegativeHit: ev("neg"),
		OnSourceCall: ev("source"), OnRetry: ev("retry"), OnFallback: ev("fallback"), OnError: ev("error"),
		OnBatch: func(_ context.Context, e runtime.BatchEvent) { r.add(fmt.Sprintf("batch %+v", e)) }}
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
			// The secret across the end of Error's excerpt.
			http.Error(w, strings.Repeat(".", errorBodyLen-7)+envSecret+echoAll(r), http.StatusBadGateway)
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
				v = strings.Repeat("x", kit.QuoteLimit-5) + v // cut by kit.Quote inside the secret
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
	decorators := map[string][]Option{
		"bearer": {BearerEnv("RT_TEST_BEARER")},
		"session marked": {Decorate(func(r *http.Request) error {
			MarkSecret(r, "session", sessionSecret)
			r.Header.Set("X-Session", sessionSecret)
			return nil
		})},
		"credential header": {Decorate(func(r *http.Request) error {
			r.Header.Set("X-Auth-Token", autoSecret)
			return nil
		})},
		"failing decorator": {BearerEnv("RT_TEST_BEARER"), Decorate(func(r *http.Request) error {
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
				x := newTestExecutor(t, runtime.WithSource(Bind("api", ts.URL, opts...)), runtime.WithHooks(rec.hooks()),
					runtime.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
				req := &Request{Conn: "api", Path: Template{Parts: []string{"/m/", ""}, Params: []string{"mode"}},
					Headers: []Header{{Name: "X-Api-Key", Value: "${env:RT_TEST_API_KEY}"}, {Name: "Accept", Value: "application/json"}}}
				spec := kit.TaskSpec[httpParams, httpResult]{
					Name: "Secret", Version: "v1", AppendKey: appendHTTPKey,
					Retry:    kit.RetryPolicy{Attempts: attempts, InitialDelay: time.Millisecond, MaxDelay: time.Millisecond},
					Describe: func(p *httpParams) string { return "mode=" + kit.Quote(p.vals["mode"]) },
					Fetch: func(ctx context.Context, p *httpParams) (*httpResult, error) {
						v, err := Fetch(ctx, x, "Secret", req, p.vals, nil)
						if err != nil {
							return nil, err
						}
						m, _ := v.(map[string]any)
						if p.vals["mode"] != "ok-invalid" {
							if _, err := kit.AsInt64("/v", m["v"]); err != nil {
								return nil, err
							}
						}
						return &httpResult{v: v}, nil
					},
					ValidateResult: func(r *httpResult) error {
						var vs kit.Violations
						m, _ := r.v.(map[string]any)
						vs.Addf("/w", "pattern", "%q does not match %q", m["w"], "^[0-9]+$")
						vs.Addf("/all", "maxLength", "%s is too long", m["all"])
						return vs.Err()
					},
				}
				if fallback {
					spec.Fallbacks = []kit.Fallback[httpParams, httpResult]{{Name: "echo", Fn: func(context.Context, *httpParams) (*httpResult, error) {
						return nil, errors.New("fallback down too")
					}}}
				}
				task := kit.NewTask(x, spec)
				for _, mode := range modes {
					_, err := task.Do(context.Background(), &httpParams{vals: map[string]string{"mode": mode}})
					if err == nil {
						t.Errorf("%s %s: no error", name, mode)
						continue
					}
					texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
					var he *Error
					if errors.As(err, &he) {
						texts = append(texts, he.Body, he.URL, fmt.Sprintf("%+v", *he))
					}
					var ve *runtime.ValidationError
					if errors.As(err, &ve) {
						texts = append(texts, fmt.Sprintf("%+v", ve.Violations))
					}
					var ce *runtime.ConvError
					if errors.As(err, &ce) {
						texts = append(texts, fmt.Sprintf("%+v", *ce))
					}
					for _, s := range texts {
						if l := leaks(s, secrets); len(l) > 0 {
							t.Errorf("%s %s: error shows %v: %s", name, mode, l, kit.Clip(s))
						}
					}
					if strings.Contains(err.Error(), "[REDACTED ") {
						markers++
					}
				}
				for _, s := range rec.texts {
					if l := leaks(s, secrets); len(l) > 0 {
						t.Errorf("%s: hook event shows %v: %s", name, l, kit.Clip(s))
					}
				}
				sc := bufio.NewScanner(&logs)
				sc.Buffer(nil, 1<<20)
				for sc.Scan() {
					if l := leaks(sc.Text(), secrets); len(l) > 0 {
						t.Errorf("%s: log line shows %v: %s", name, l, kit.Clip(sc.Text()))
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

// The executor's scrubbing (RedactSecrets, as Fetch and every attempt use it) reaches an Error's fields through
// any wrapping, keeps the chain for errors.Is and errors.As, and scrubs the text.
func TestRedactError(t *testing.T) {
	x := newTestExecutor(t)
	secrets := []secret.Secret{secret.New("env:API_KEY", `a/b"c é-0123`), secret.New("env:SHORT", "abc")}
	err := x.RedactSecrets(seam.Token{}, fmt.Errorf("wrapped: %w", runtime.Permanent(&Error{Task: "T", Status: 500, Body: `a/b"c é-0123`})), secrets)
	var he *Error
	if !errors.As(err, &he) || !runtime.IsPermanent(err) || he.Body != "[REDACTED env:API_KEY]" || strings.Contains(err.Error(), "0123") {
		t.Errorf("RedactSecrets: %v (%+v)", err, he)
	}
}
