package gen_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/kit"
	"github.com/reftask/reftask/runtime/source/httpsource"
	"github.com/reftask/reftask/testdata/golden/paramkeys"
)

// The task Guarded of testdata/golden/paramkeys, through its generated code: its spec's ${env:...} headers never
// leave in an error, a hook event or a log line, whatever the server echoes (issue 11, class 8), and no error or
// log line grows with the size of a value in it (class 10).

const (
	guardKey   = `gk-5e3cr3t/val+ue"q`
	guardTrace = "trace-secret-77aa"
)

// guardForms are the ways a message could spell the secrets.
func guardForms() []string {
	var out []string
	for _, s := range []string{guardKey, guardTrace, "t-" + guardTrace} {
		q := strconv.Quote(s)
		j, _ := json.Marshal(s)
		out = append(out, s, q[1:len(q)-1], string(j[1:len(j)-1]), url.QueryEscape(s), url.PathEscape(s), s[:10])
	}
	return out
}

type textLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *textLog) add(s string) {
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
}

func guardedServer(t *testing.T, huge string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, trace := r.Header.Get("X-Api-Key"), r.Header.Get("X-Trace")
		echo := fmt.Sprintf("key=%s trace=%s %q headers=%v", key, trace, key, r.Header)
		w.Header().Set("X-Echo", key)
		code := strings.TrimPrefix(r.URL.Path, "/g/")
		rec := map[string]any{"name": "Ada"}
		switch code {
		case "fivehundred":
			http.Error(w, echo, http.StatusInternalServerError)
			return
		case "badrequest":
			http.Error(w, echo, http.StatusBadRequest)
			return
		case "missing":
			http.Error(w, echo, http.StatusNotFound)
			return
		case "redirect":
			http.Redirect(w, r, "/g/"+url.PathEscape(key), http.StatusFound)
			return
		case "name":
			rec["name"] = key
		case "count":
			rec["count"] = echo
		case "label":
			rec["label"] = trace
		case "at":
			rec["at"] = key
		case "hugename":
			rec["name"] = huge + "!"
		case "hugecount":
			rec["count"] = huge
		case "hugebody":
			http.Error(w, huge, http.StatusBadGateway)
			return
		case "ok":
		default:
			http.Error(w, echo, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(rec)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func guardedClient(t *testing.T, srv *httptest.Server, opts ...runtime.Option) (*paramkeys.Client, *textLog, *bytes.Buffer) {
	t.Helper()
	var events textLog
	ev := func(kind string) func(context.Context, runtime.Event) {
		return func(_ context.Context, e runtime.Event) { events.add(fmt.Sprintf("%s %+v %v", kind, e, e.Err)) }
	}
	var logs bytes.Buffer
	opts = append([]runtime.Option{runtime.WithSource(httpsource.Bind("guarded", srv.URL)),
		runtime.WithHooks(runtime.Hooks{OnHit: ev("hit"), OnMiss: ev("miss"), OnSourceCall: ev("source"), OnRetry: ev("retry"),
			OnError: ev("error"), OnStale: ev("stale"), OnNegativeHit: ev("neg"), OnFallback: ev("fallback")}),
		runtime.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))}, opts...)
	x, err := runtime.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return paramkeys.NewClient(x), &events, &logs
}

func TestGuardedSecrets(t *testing.T) {
	t.Setenv("RT_GUARD_KEY", guardKey)
	t.Setenv("RT_GUARD_TRACE", guardTrace)
	c, events, logs := guardedClient(t, guardedServer(t, "x"))
	ctx := context.Background()
	var texts []string
	markers := 0
	for _, code := range []string{"fivehundred", "badrequest", "missing", "redirect", "name", "count", "label", "at"} {
		for range 2 { // the second time from the negative cache, where there is one
			_, err := c.GetGuarded(ctx, code, nil)
			if err == nil {
				t.Errorf("%s: no error", code)
				continue
			}
			texts = append(texts, code+": "+err.Error(), fmt.Sprintf("%s: %+v", code, err))
			if strings.Contains(err.Error(), "[REDACTED env:RT_GUARD_KEY]") || strings.Contains(err.Error(), "[REDACTED env:RT_GUARD_TRACE]") {
				markers++
			}
		}
		b, _ := json.Marshal(map[string]any{"code": code})
		if _, err := c.Execute(ctx, "Guarded", b); err != nil {
			texts = append(texts, "Execute "+code+": "+err.Error())
		}
	}
	texts = append(texts, events.lines...)
	sc := bufio.NewScanner(logs)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		texts = append(texts, sc.Text())
	}
	for _, s := range texts {
		for _, f := range guardForms() {
			if strings.Contains(s, f) {
				t.Errorf("shows %q: %s", f, kit.Clip(s))
			}
		}
	}
	if markers == 0 {
		t.Error("no error named a redacted variable")
	}
	t.Logf("%d texts checked, %d errors with a marker", len(texts), markers)
}

// errBound is the most an error or log line may take in TestGuardedBounded, whatever the size of its values.
const errBound = 8 << 10

func TestGuardedBounded(t *testing.T) {
	t.Setenv("RT_GUARD_KEY", "k")
	t.Setenv("RT_GUARD_TRACE", "t")
	sizes := []int{1 << 20, 8 << 20}
	if raceEnabled {
		sizes = sizes[:1] // the race detector makes every copy of a large value slow; the sizes say the same
	}
	for _, n := range sizes {
		huge := strings.Repeat("A", n)
		c, events, logs := guardedClient(t, guardedServer(t, huge), runtime.WithMaxParamsSize(64<<20))
		ctx := context.Background()
		kind := paramkeys.GuardedParamsKind(huge)
		tags := []string{huge, "ok", huge}
		errs := map[string]error{}
		_, errs["pattern"] = c.GetGuarded(ctx, huge, nil)
		_, errs["enum"] = c.GetGuarded(ctx, "ok", &paramkeys.GuardedOptions{Kind: &kind})
		_, errs["maxLength"] = c.GetGuarded(ctx, "ok", &paramkeys.GuardedOptions{Tags: &tags})
		_, errs["result pattern"] = c.GetGuarded(ctx, "hugename", nil)
		_, errs["result conversion"] = c.GetGuarded(ctx, "hugecount", nil)
		_, errs["error body"] = c.GetGuarded(ctx, "hugebody", nil)
		_, errs["Execute pattern"] = c.Execute(ctx, "Guarded", []byte(`{"code":"`+huge+`"}`))
		_, errs["Execute type"] = c.Execute(ctx, "Guarded", []byte(`{"code":"a","tags":"`+huge+`"}`))
		_, errs["Execute unknown format"] = c.Execute(ctx, "Guarded", []byte(`{"code":"a","day":"`+huge+`"}`))
		_, errs["Execute duplicate"] = c.Execute(ctx, "Guarded", []byte(`{"`+huge+`":1,"`+huge+`":2}`))
		_, errs["Execute syntax"] = c.Execute(ctx, "Guarded", []byte(`{"code":"a", `+huge))
		if n == 8<<20 {
			// Once, 50 MB, through the path a caller is most likely to log.
			_, errs["pattern 50 MB"] = c.GetGuarded(ctx, strings.Repeat("B", 50<<20), nil)
		}
		for name, err := range errs {
			if err == nil {
				t.Errorf("%d bytes, %s: no error", n, name)
				continue
			}
			if l := len(err.Error()); l > errBound {
				t.Errorf("%d bytes, %s: error of %d bytes: %s", n, name, l, kit.Clip(err.Error()))
			}
		}
		for _, e := range events.lines {
			if len(e) > 2*errBound {
				t.Errorf("%d bytes: hook event of %d bytes: %s", n, len(e), kit.Clip(e))
			}
		}
		sc := bufio.NewScanner(logs)
		sc.Buffer(nil, 64<<20)
		lines := 0
		for sc.Scan() {
			lines++
			if len(sc.Bytes()) > errBound {
				t.Errorf("%d bytes: log line of %d bytes: %s", n, len(sc.Bytes()), kit.Clip(sc.Text()))
			}
		}
		if lines == 0 {
			t.Error("nothing logged")
		}
		_, _ = io.Copy(io.Discard, logs)
	}
}
