// Package httpsource is the HTTP source kind: a JSON API called on a
// connection bound under the name that specs use, with {param} templates in
// its path and query, headers that may reference the environment, a JSON
// body, a pointer to the record and the statuses that mean not found.
//
// Bind a base URL under the connection name, with options for the client,
// credentials and limits:
//
//	x, err := runtime.New(runtime.WithSource(httpsource.Bind("catalog", baseURL, httpsource.BearerEnv("CATALOG_TOKEN"))))
//
// Each connection bound without Client has its own default client, with dial,
// TLS and response-header timeouts and connection reuse; redirects are
// followed only within the base URL's origin, so that the secrets a request
// carries never reach another host. Those secrets (resolved ${env:NAME}
// references, credential headers, what MarkSecret marks, the base URL's
// password and credential query values) never reach an error, an event or a
// log line: the executor scrubs them from every attempt's error.
//
// Generated code calls Fetch and FetchList with the Request it builds once
// per client.
package httpsource

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reftask/reftask/internal/quote"
	"github.com/reftask/reftask/runtime/internal/seam"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/jsonptr"
	"github.com/reftask/reftask/runtime/internal/secret"
)

// Kind is the name of this source kind in specs ("source": {"http": ...}).
const Kind = "http"

const (
	defaultBodyLimit = 10 << 20
	// httpDrainLimit bounds how much of an unread body is discarded to keep its connection reusable;
	// past it, closing the connection is cheaper than reading on.
	httpDrainLimit = 64 << 10
	// errorBodyLen is how much of an error response Error keeps for diagnosis.
	errorBodyLen = 200
	// maxRetryAfterSeconds keeps a hostile Retry-After from overflowing time.Duration; the policy caps it anyway.
	maxRetryAfterSeconds = 1 << 31
	// urlLimit bounds a URL in an error message: its path holds params of any length.
	urlLimit = 2 * quote.Limit
)

// newDefaultClient bounds each phase that can hang before the per-attempt ctx applies to the body,
// and keeps enough idle connections per host for concurrent lookups. There is deliberately no
// Client.Timeout: the per-attempt ctx bounds the whole request, body included.
func newDefaultClient() *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{CheckRedirect: sameOriginRedirect, Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64, // the default of 2 would churn connections under concurrent lookups
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
	}}
}

// maxRedirects is how many redirects a request follows when the caller's client sets no policy of its own,
// as net/http's default policy does.
const maxRedirects = 10

// sameOriginRedirect follows redirects only within the origin the connection names. Spec headers may carry
// secrets resolved from ${env:...}, and net/http forwards custom headers to any host a server redirects to
// (it strips only Authorization and Cookie); a refused redirect comes back as a permanent 3xx Error.
func sameOriginRedirect(req *http.Request, via []*http.Request) error {
	if !sameOrigin(req.URL, via[0].URL) {
		return http.ErrUseLastResponse
	}
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	return nil
}

// sameOrigin reports whether a and b have one origin (RFC 6454): scheme, host and port, where the host is
// compared without case and a missing port is the scheme's default.
func sameOrigin(a, b *url.URL) bool {
	if !strings.EqualFold(a.Scheme, b.Scheme) || !strings.EqualFold(a.Hostname(), b.Hostname()) {
		return false
	}
	return originPort(a) == originPort(b)
}

func originPort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// guardRedirects returns a shallow copy of the caller's client whose redirect policy applies the same-origin
// rule first and only then the caller's own CheckRedirect (or net/http's limit of 10 when it has none). The
// copy shares the caller's Transport, Jar and Timeout; the caller's client itself is never changed.
func guardRedirects(c *http.Client) *http.Client {
	cp := *c
	user := c.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !sameOrigin(req.URL, via[0].URL) {
			return http.ErrUseLastResponse
		}
		if user != nil {
			return user(req, via)
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		return nil
	}
	return &cp
}

// Conn is one named HTTP connection: a bound source of the HTTP kind, for runtime.WithSource.
type Conn struct {
	name      string
	err       error    // an invalid base URL or option, reported by Validate
	ownClient bool     // client is the connection's default, whose idle connections Close drops
	base      *url.URL // scheme, userinfo, host; path and query are split out below
	basePath  string   // escaped base path without trailing slash
	baseQuery string   // raw query of the base URL, prepended to every request's query
	display   string   // scheme://host/basepath for error messages: no userinfo, no query
	client    *http.Client
	decorate  []func(*http.Request) error
	limit     int64
	secrets   []secret.Secret // the base URL's password and credential query values
}

// Option configures one HTTP connection in Bind.
type Option func(*Conn) error

// Bind binds the HTTP API at baseURL under name, for runtime.WithSource. baseURL must be an absolute http or
// https URL; request paths are appended to its path. An invalid base URL or option is reported by Validate, which
// runtime.WithSource calls.
func Bind(name, baseURL string, opts ...Option) *Conn {
	c := &Conn{name: name, limit: defaultBodyLimit}
	c.err = c.init(baseURL, opts)
	if c.err == nil && c.client == nil {
		c.client, c.ownClient = newDefaultClient(), true
	}
	return c
}

// init parses the base URL and applies the options.
func (c *Conn) init(baseURL string, opts []Option) error {
	u, err := url.Parse(baseURL)
	if err != nil {
		// url.Error repeats the whole URL, which may carry credentials.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("base URL %q is not an absolute http(s) URL", redactURL(u))
	}
	if u.Fragment != "" {
		return fmt.Errorf("base URL %q has a fragment", redactURL(u))
	}
	c.base = &url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host}
	c.basePath = strings.TrimSuffix(u.EscapedPath(), "/")
	c.baseQuery = u.RawQuery
	c.display = u.Scheme + "://" + u.Host + c.basePath
	c.secrets = connSecrets(c.name, u)
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return err
		}
	}
	return nil
}

// Kind returns "http".
func (c *Conn) Kind() string { return Kind }

// Name returns the connection name specs refer to.
func (c *Conn) Name() string { return c.name }

// Validate reports an invalid base URL or option given to Bind; runtime.WithSource names the connection.
func (c *Conn) Validate() error { return c.err }

// Check asks the server for the base URL's head, without the base URL's credentials or query: any answer, whatever
// its status, means the server is there; a transport error means it is not.
func (c *Conn) Check(ctx context.Context) error {
	if c.err != nil { // never bound (WithSource refuses it), but callable
		return fmt.Errorf("reftask: HTTP connection %q: %w", c.name, c.err)
	}
	u := url.URL{Scheme: c.base.Scheme, Host: c.base.Host, Path: c.basePath + "/"}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u.String(), nil)
	if err != nil {
		return fmt.Errorf("reftask: HTTP connection %q: %w", c.name, err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		// Only transport errors are in the chain here, so scrubbing the text is all there is to do.
		return fmt.Errorf("reftask: HTTP connection %q: %s unreachable: %w", c.name, c.display, secret.Wrap(err, c.secrets))
	}
	resp.Body.Close()
	return nil
}

// Close drops the idle keep-alive connections of the connection's own client, whose reader goroutines would
// otherwise outlive the executor until the idle timeout; a client passed with Client belongs to the caller.
func (c *Conn) Close() error {
	if c.ownClient && c.client != nil {
		c.client.CloseIdleConnections()
	}
	return nil
}

// redactURL renders u without userinfo, query and fragment, which may carry secrets.
func redactURL(u *url.URL) string {
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath, Opaque: u.Opaque}
	return r.String()
}

// Client makes the connection use c instead of its default client, which has dial, TLS and response-header
// timeouts and keeps connections alive. Requests go through a copy of c taken now, which follows redirects only
// within the same origin before c's own CheckRedirect is asked; c is not modified.
func Client(c *http.Client) Option {
	return func(hc *Conn) error {
		if c == nil {
			return errors.New("Client: nil client")
		}
		// Spec headers carry secrets, and c's policy (or net/http's default) would forward them to any origin.
		hc.client = guardRedirects(c)
		return nil
	}
}

// Decorate adds f, run on every request after the spec's headers are set, in the order given (auth, tracing).
// An error from f fails the attempt; wrap it with runtime.Permanent when retrying cannot help.
func Decorate(f func(*http.Request) error) Option {
	return func(hc *Conn) error {
		if f == nil {
			return errors.New("Decorate: nil decorator")
		}
		hc.decorate = append(hc.decorate, f)
		return nil
	}
}

// BodyLimit sets the largest response body accepted, in bytes (default 10 MiB); larger bodies are an error.
func BodyLimit(n int64) Option {
	return func(hc *Conn) error {
		if n <= 0 {
			return fmt.Errorf("BodyLimit: limit %d is not positive", n)
		}
		hc.limit = n
		return nil
	}
}

// BearerEnv adds a decorator setting "Authorization: Bearer <token>" from the environment variable envVar,
// read on every request so that rotated tokens apply without a restart. Unset or empty is a permanent error.
func BearerEnv(envVar string) Option {
	return func(hc *Conn) error {
		if envVar == "" {
			return errors.New("BearerEnv: empty variable name")
		}
		hc.decorate = append(hc.decorate, func(r *http.Request) error {
			tok, ok := os.LookupEnv(envVar)
			if !ok || tok == "" {
				return runtime.Permanent(fmt.Errorf("bearer token: environment variable %s is not set", envVar))
			}
			if !validHeaderValue(tok) {
				return runtime.Permanent(fmt.Errorf("bearer token: environment variable %s contains a control character", envVar))
			}
			MarkSecret(r, "env:"+envVar, tok)
			r.Header.Set("Authorization", "Bearer "+tok)
			return nil
		})
		return nil
	}
}

// Request describes one task's request; generated code builds it once and shares it between calls.
type Request struct {
	Conn     string
	Method   string       // GET, POST, ...; "" is GET
	Path     Template     // literal parts are URL path text; values are path-escaped
	Query    []QueryParam // in spec order
	Headers  []Header     // values may contain ${env:NAME} references
	Pointer  string       // JSON pointer selecting the record in the body; "" = whole body
	NotFound []int        // statuses meaning not found; nil means [404], an empty non-nil slice means none
}

// Template is a string split at its {param} placeholders: len(Parts) == len(Params)+1.
type Template struct {
	Parts  []string
	Params []string
}

// QueryParam is one query key; its value template is rendered and then query-escaped as a whole.
type QueryParam struct {
	Key   string
	Value Template
	// List names a list passed to FetchList: the key repeats once per
	// element (sku=a&sku=b), for batch endpoints; Value is then unused.
	List string
}

// Header is one request header; Value is literal except for ${env:NAME} references resolved per request.
type Header struct {
	Name, Value string
}

// Error is a response whose status is neither success nor not found. 429 and 5xx are transient
// (retried, honouring RetryAfter); other statuses come wrapped in runtime.Permanent.
type Error struct {
	Task       string
	Method     string
	URL        string // without userinfo and query string, which may carry secrets
	Status     int
	RetryAfter time.Duration // from the Retry-After header of a 429 or 5xx; 0 if absent
	Body       string        // first 200 bytes of the response body
}

// Error names the task, request and status, and quotes the start of the body.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "reftask: http %s %s (task %s): status %d", e.Method, e.URL, e.Task, e.Status)
	if t := http.StatusText(e.Status); t != "" {
		b.WriteString(" ")
		b.WriteString(t)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %v)", e.RetryAfter)
	}
	if e.Body != "" {
		b.WriteString(": ")
		b.WriteString(quote.Quote(e.Body))
	}
	return b.String()
}

// RetryAfterDelay is for the executor's retry stage (seam.RetryAfter): the server's Retry-After, which outranks
// the policy's backoff up to its maximum delay.
func (e *Error) RetryAfterDelay(seam.Token) time.Duration { return e.RetryAfter }

// ScrubSecrets is for the executor's scrubbing of secrets (seam.Scrubber): the body and URL quote what a server
// sent and what a request carried.
func (e *Error) ScrubSecrets(_ seam.Token, scrub func(string) string) {
	e.Body = scrub(e.Body)
	e.URL = scrub(e.URL)
}

// httpCall names one request in error messages.
type httpCall struct {
	task, method, url string // url without userinfo and query
}

func (c *httpCall) errorf(format string, args ...any) error {
	return fmt.Errorf("reftask: http %s %s (task %s): "+format, append([]any{c.method, c.url, c.task}, args...)...)
}

// Fetch makes one request for task and returns the JSON value selected by r.Pointer, decoded with
// json.Number for numbers (a JSON null selects nil). vals holds the rendered param values by name; a param
// absent from vals drops the query keys that use it. body, when not nil, is sent as JSON.
// ctx bounds the whole request including reading the body.
func Fetch(ctx context.Context, x *runtime.Executor, task string, r *Request, vals map[string]string, body any) (any, error) {
	return FetchList(ctx, x, task, r, vals, nil, body)
}

// FetchList is Fetch for batch endpoints: a query param with List
// set repeats once per element of lists[List].
func FetchList(ctx context.Context, x *runtime.Executor, task string, r *Request, vals map[string]string, lists map[string][]string, body any) (any, error) {
	if x == nil || r == nil {
		return nil, runtime.Permanent(fmt.Errorf("reftask: task %s: httpsource.Fetch needs an executor and a request", task))
	}
	c, err := seam.Lookup[*Conn](x, Kind, r.Conn)
	if err != nil {
		return nil, fmt.Errorf("reftask: task %s: %w", task, err)
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	rs := &reqSecrets{list: slices.Clone(c.secrets)}
	v, err := c.fetch(ctx, task, method, r, vals, lists, body, rs)
	if err != nil {
		// The secrets are remembered even when the request failed: what comes back later (a retry's error, say)
		// may quote them too.
		list := rs.snapshot()
		x.RememberSecrets(seam.Token{}, list)
		return nil, x.RedactSecrets(seam.Token{}, err, list)
	}
	x.RememberSecrets(seam.Token{}, rs.snapshot())
	return v, nil
}

// fetch makes the request of FetchList; rs collects the secrets it carries as they are resolved.
func (c *Conn) fetch(ctx context.Context, task, method string, r *Request, vals map[string]string, lists map[string][]string, body any, rs *reqSecrets) (any, error) {
	call := &httpCall{task: task, method: method, url: c.display}
	path, err := renderPath(r.Path, vals)
	if err != nil {
		return nil, runtime.Permanent(call.errorf("%w", err))
	}
	// The path holds params of any length; error messages show its start.
	call.url = quote.ClipN(c.display+path, urlLimit)
	query, err := renderQuery(c.baseQuery, r.Query, vals, lists)
	if err != nil {
		return nil, runtime.Permanent(call.errorf("%w", err))
	}
	req, err := c.newRequest(withReqSecrets(ctx, rs), method, path, query, r.Headers, body, rs)
	if err != nil {
		return nil, runtime.Permanent(call.errorf("%w", err))
	}
	for _, d := range c.decorate {
		if err := d(req); err != nil {
			markCredentialHeaders(req.Header, rs)
			return nil, call.errorf("decorate request: %w", err)
		}
	}
	markCredentialHeaders(req.Header, rs)
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, transportError(call, err)
	}
	defer drainClose(resp.Body)
	return c.readResponse(call, r, resp, rs)
}

// newRequest builds the request with the spec's headers and JSON defaults.
func (c *Conn) newRequest(ctx context.Context, method, path, query string, headers []Header, body any, rs *reqSecrets) (*http.Request, error) {
	u := *c.base
	u.Path, u.RawPath = "", "" // set by parsing the escaped path, which keeps %2F distinct from /
	if err := setEscapedPath(&u, c.basePath+path); err != nil {
		return nil, err
	}
	u.RawQuery = query
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode request body: %w", err)
		}
		rd = bytes.NewReader(b) // a *bytes.Reader lets the client replay the body on redirects
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the query string
		}
		return nil, fmt.Errorf("build request: %w", err)
	}
	for _, h := range headers {
		if !validHeaderName(h.Name) {
			return nil, fmt.Errorf("header %q: invalid name", h.Name)
		}
		v, err := expandEnvRefs(h.Value, rs)
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", h.Name, err)
		}
		if !validHeaderValue(v) {
			// Never print v: it may hold a resolved secret.
			return nil, fmt.Errorf("header %s: value contains a control character", h.Name)
		}
		if strings.EqualFold(h.Name, "Host") {
			req.Host = v
			continue
		}
		req.Header.Add(h.Name, v)
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	return req, nil
}

// setEscapedPath sets both Path and RawPath from an escaped path, as url.Parse would.
func setEscapedPath(u *url.URL, escaped string) error {
	p, err := url.PathUnescape(escaped)
	if err != nil {
		return fmt.Errorf("path %q: %w", escaped, err)
	}
	u.Path = p
	if escaped != u.EscapedPath() {
		u.RawPath = escaped
	}
	if u.EscapedPath() != escaped {
		return fmt.Errorf("path %q is not valid URL path text", escaped)
	}
	return nil
}

// readResponse classifies the status and decodes a successful body.
func (c *Conn) readResponse(call *httpCall, r *Request, resp *http.Response, rs *reqSecrets) (any, error) {
	st := resp.StatusCode
	notFound := r.NotFound
	if notFound == nil {
		notFound = []int{http.StatusNotFound}
	}
	if slices.Contains(notFound, st) {
		return nil, fmt.Errorf("%w: %v", runtime.ErrNotFound, call.errorf("status %d", st))
	}
	if st < 200 || st > 299 {
		he := &Error{Task: call.task, Method: call.method, URL: call.url, Status: st, Body: errorExcerpt(resp.Body, rs.snapshot())}
		if st == http.StatusTooManyRequests || st >= 500 {
			he.RetryAfter = parseRetryAfter(resp.Header, time.Now())
			return nil, he
		}
		return nil, runtime.Permanent(he)
	}
	if resp.ContentLength > c.limit {
		return nil, runtime.Permanent(call.errorf("status %d: response body of %d bytes exceeds the limit of %d bytes", st, resp.ContentLength, c.limit))
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength) + 1) // +1 so that reading EOF does not grow it again
	}
	lim := c.limit
	if lim < math.MaxInt64 {
		lim++ // one byte more than allowed tells "exactly at the limit" from "over it"
	}
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, lim)); err != nil {
		// Transient: a cut connection or the attempt's deadline, which a new attempt may not meet.
		return nil, call.errorf("status %d: read response body: %w", st, err)
	}
	if int64(buf.Len()) > c.limit {
		return nil, runtime.Permanent(call.errorf("status %d: response body exceeds the limit of %d bytes", st, c.limit))
	}
	doc, err := decodeJSONBody(buf.Bytes())
	if err != nil {
		return nil, runtime.Permanent(call.errorf("status %d: response body is not JSON: %w", st, err))
	}
	v, ok, err := jsonptr.Lookup(doc, r.Pointer)
	switch {
	case err != nil:
		return nil, runtime.Permanent(call.errorf("status %d: %w", st, err))
	case !ok:
		return nil, fmt.Errorf("%w: %v", runtime.ErrNotFound, call.errorf("status %d: JSON pointer %q not in response", st, r.Pointer))
	}
	return v, nil
}

// transportError strips the url.Error wrapper, whose message repeats the query string, and keeps the cause
// reachable; certificate failures are permanent because a new attempt meets the same certificate.
func transportError(call *httpCall, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	out := call.errorf("%w", err)
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		return runtime.Permanent(out)
	}
	return out
}

// drainClose discards a bounded remainder of the body so the connection can be reused, then closes it.
func drainClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, httpDrainLimit)
	_ = body.Close()
}

// errorExcerpt reads the start of an error response for Error.Body: errorBodyLen bytes, cut back to whole
// UTF-8 characters. The secrets are scrubbed from a longer stretch before it is cut, so that a secret the server
// echoes across the cut is replaced whole rather than half shown.
func errorExcerpt(r io.Reader, secrets []secret.Secret) string {
	longest := 0
	for _, s := range secrets {
		longest = max(longest, len(s.Value))
	}
	buf := make([]byte, errorBodyLen+6*longest) // room for the longest escaped form of a secret
	k, _ := io.ReadFull(r, buf)
	text := secret.Text(string(buf[:k]), secrets)
	head, _ := quote.At(text, errorBodyLen)
	for len(head) > 0 && !utf8.ValidString(head) && len(head) > errorBodyLen-utf8.UTFMax {
		head = head[:len(head)-1]
	}
	return head
}

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP date. A date is taken relative to the
// response's Date header when present, so that clock skew between client and server does not matter.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		// ParseUint returns the maximum with ErrRange, which the cap then bounds.
		return time.Duration(min(n, maxRetryAfterSeconds)) * time.Second
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		now = d
	}
	return max(at.Sub(now), 0)
}

// decodeJSONBody decodes exactly one JSON value, numbers as json.Number so that no precision is lost.
func decodeJSONBody(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty body")
		}
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the JSON value")
	}
	return v, nil
}

// renderPath joins the path template, path-escaping each value. "." and ".." are escaped further so that
// a value can never become a dot segment that servers and proxies resolve away.
func renderPath(t Template, vals map[string]string) (string, error) {
	if len(t.Parts) != len(t.Params)+1 {
		return "", fmt.Errorf("path template has %d parts for %d params, want %d parts", len(t.Parts), len(t.Params), len(t.Params)+1)
	}
	var b strings.Builder
	for i, part := range t.Parts {
		if strings.ContainsAny(part, "?#") {
			return "", fmt.Errorf("path template part %q contains ? or #", part)
		}
		b.WriteString(part)
		if i == len(t.Params) {
			break
		}
		v, ok := vals[t.Params[i]]
		switch {
		case !ok:
			return "", fmt.Errorf("path parameter %q has no value", t.Params[i])
		case v == "":
			// An empty segment would silently address a different resource, e.g. the collection.
			return "", fmt.Errorf("path parameter %q is empty", t.Params[i])
		case v == ".":
			b.WriteString("%2E")
		case v == "..":
			b.WriteString("%2E%2E")
		default:
			b.WriteString(url.PathEscape(v))
		}
	}
	p := b.String()
	if p != "" && p[0] != '/' {
		p = "/" + p
	}
	return p, nil
}

// renderQuery encodes the query keys in spec order after the base URL's own query;
// a key whose template uses a param absent from vals is dropped.
func renderQuery(base string, params []QueryParam, vals map[string]string, lists map[string][]string) (string, error) {
	var b strings.Builder
	b.WriteString(base)
	for _, q := range params {
		if q.List != "" {
			for _, v := range lists[q.List] {
				if b.Len() > 0 {
					b.WriteByte('&')
				}
				b.WriteString(url.QueryEscape(q.Key))
				b.WriteByte('=')
				b.WriteString(url.QueryEscape(v))
			}
			continue
		}
		v, ok, err := q.Value.expand(vals)
		if err != nil {
			return "", fmt.Errorf("query %q: %w", q.Key, err)
		}
		if !ok {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(q.Key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	return b.String(), nil
}

// expand renders the template with raw values; ok is false when a param has no value.
func (t Template) expand(vals map[string]string) (string, bool, error) {
	if len(t.Parts) != len(t.Params)+1 {
		return "", false, fmt.Errorf("template has %d parts for %d params, want %d parts", len(t.Parts), len(t.Params), len(t.Params)+1)
	}
	if len(t.Params) == 0 {
		return t.Parts[0], true, nil
	}
	var b strings.Builder
	for i, part := range t.Parts {
		b.WriteString(part)
		if i == len(t.Params) {
			break
		}
		v, ok := vals[t.Params[i]]
		if !ok {
			return "", false, nil
		}
		b.WriteString(v)
	}
	return b.String(), true, nil
}

const envRefOpen = "${env:"

// expandEnvRefs replaces each ${env:NAME} with the variable's value, which it adds to rs as a secret; an unset
// variable is an error naming it, never showing any value.
func expandEnvRefs(s string, rs *reqSecrets) (string, error) {
	if !strings.Contains(s, envRefOpen) {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, envRefOpen)
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		s = s[i+len(envRefOpen):]
		j := strings.IndexByte(s, '}')
		if j < 0 {
			return "", errors.New("unterminated ${env:...} reference")
		}
		name := s[:j]
		if name == "" {
			return "", errors.New("empty variable name in ${env:} reference")
		}
		v, ok := os.LookupEnv(name)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", name)
		}
		rs.add("env:"+name, v)
		b.WriteString(v)
		s = s[j+1:]
	}
}

// validHeaderName accepts RFC 7230 tokens, so that a bad name fails here as permanent rather than in the transport.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// validHeaderValue rejects control characters other than tab, which would split or corrupt the header.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
