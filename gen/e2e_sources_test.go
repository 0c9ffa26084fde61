package gen_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/filesource"
	"github.com/reftask/reftask/runtime/source/httpsource"
	"github.com/reftask/reftask/testdata/golden/sources"
)

// catalogAPI is a small product API on loopback for the sources golden case.
type catalogAPI struct {
	mu       sync.Mutex
	requests map[string]int // by SKU
	lastURL  string
	lastBody string
}

func (a *catalogAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.lastURL = r.URL.RequestURI()
	a.mu.Unlock()
	if r.Header.Get("X-Api-Key") != "k-test" {
		http.Error(w, `{"error":"no key"}`, http.StatusUnauthorized)
		return
	}
	if r.Method == http.MethodPost && r.URL.Path == "/products:batch" {
		b, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.lastBody = string(b)
		a.mu.Unlock()
		var req struct{ IDs []string }
		if err := json.Unmarshal(b, &req); err != nil || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		var items []map[string]any
		for _, id := range req.IDs {
			items = append(items, map[string]any{"sku": id, "title": "Item " + id})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"items": items})
		return
	}
	sku, ok := strings.CutPrefix(r.URL.EscapedPath(), "/products/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	a.mu.Lock()
	a.requests[sku]++
	n := a.requests[sku]
	a.mu.Unlock()
	switch sku {
	case "gone":
		w.WriteHeader(http.StatusGone)
		return
	case "missing":
		http.NotFound(w, r)
		return
	case "flaky":
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
	case "html":
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html>oops</html>")
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{
		"sku":        sku,
		"title":      "  Widget " + r.URL.Query().Get("lang") + " ",
		"pricing":    map[string]any{"amount": 9.5, "currency": "eur"},
		"inventory":  []any{map[string]any{"count": 7}},
		"updated_at": "2024-06-01T12:00:00Z",
	}})
}

func TestE2ESources(t *testing.T) {
	t.Setenv("CATALOG_API_KEY", "k-test")
	api := &catalogAPI{requests: map[string]int{}}
	srv := httptest.NewServer(api)
	defer srv.Close()

	root := t.TempDir()
	writeFile(t, root, "config/services.yaml", "services:\n  payment_gateway:\n    url: https://pay.internal\n    timeout_ms: 1500\n    tags: [pci, eu]\n    owner: null\n")
	writeFile(t, root, "config/flags.json", `{"dev": {"flags": {"beta": true, "dark_mode": false}}, "prod": {"flags": {}}}`)

	var reloads sync.Map
	x, err := runtime.New(
		runtime.WithSource(httpsource.Bind("catalog", srv.URL)),
		runtime.WithSource(filesource.Dir(root, filesource.Poll(10*time.Millisecond))),
		runtime.WithHooks(runtime.Hooks{OnReload: func(_ context.Context, e runtime.FileEvent) { reloads.Store(e.Path, e.Err) }}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	c := sources.NewClient(x)
	ctx := context.Background()

	t.Run("http: nested transform, pointer, transform.func", func(t *testing.T) {
		lang := sources.ProductParamsLangDe
		p, err := c.GetProduct(ctx, "w-1", &sources.ProductOptions{Lang: &lang})
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "Widget de" || p.Price.Amount != 9.5 || p.Price.Currency != "EUR" || p.Stock == nil || *p.Stock != 7 {
			t.Errorf("got %+v", p)
		}
		if !strings.Contains(api.lastURL, "lang=de") || !strings.Contains(api.lastURL, "view=full") {
			t.Errorf("query: %s", api.lastURL)
		}
		if _, err := c.GetProduct(ctx, "w-2", nil); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(api.lastURL, "lang=") {
			t.Errorf("an unset optional param left its query key: %s", api.lastURL)
		}
	})

	t.Run("http: hostile params are escaped", func(t *testing.T) {
		sku := "../a?b#c%d é/x"
		if _, err := c.GetProduct(ctx, sku, nil); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(api.lastURL, "/products/..%2Fa%3Fb%23c%25d%20%C3%A9%2Fx?") {
			t.Errorf("request URI %q", api.lastURL)
		}
	})

	t.Run("http: not found statuses, retries, bad bodies", func(t *testing.T) {
		for _, sku := range []string{"missing", "gone"} {
			if _, err := c.GetProduct(ctx, sku, nil); !errors.Is(err, runtime.ErrNotFound) {
				t.Errorf("%s: %v", sku, err)
			}
		}
		p, err := c.GetProduct(ctx, "flaky", nil)
		if err != nil || p.SKU != "flaky" || api.requests["flaky"] != 2 {
			t.Errorf("flaky: %v, %d requests", err, api.requests["flaky"])
		}
		// A body that is not JSON is a permanent error: the fallback value answers.
		p, err = c.GetProduct(ctx, "html", nil)
		if err != nil || p.Name != "Unavailable" {
			t.Errorf("html body: %+v, %v", p, err)
		}
	})

	t.Run("http: POST with a JSON body, array result", func(t *testing.T) {
		got, err := c.GetProductsByIDs(ctx, []string{"a", "b"})
		if err != nil {
			t.Fatal(err)
		}
		if len(*got) != 2 || (*got)[1].Name != "Item b" {
			t.Errorf("got %+v", *got)
		}
		var body map[string]any
		if err := json.Unmarshal([]byte(api.lastBody), &body); err != nil || body["strict"] != true || len(body["fields"].([]any)) != 2 {
			t.Errorf("body %s", api.lastBody)
		}
	})

	t.Run("file: yaml and json, reload on change, broken reload keeps the last good", func(t *testing.T) {
		cfg, err := c.GetServiceConfig(ctx, "payment_gateway")
		if err != nil {
			t.Fatal(err)
		}
		if cfg.URL != "https://pay.internal" || cfg.TimeoutMs != 1500 || cfg.Tags == nil || len(*cfg.Tags) != 2 || !cfg.Owner.Set || !cfg.Owner.Null {
			t.Errorf("got %+v", cfg)
		}
		if _, err := c.GetServiceConfig(ctx, "nope"); !errors.Is(err, runtime.ErrNotFound) {
			t.Errorf("unknown service: %v", err)
		}
		flags, err := c.GetFeatureFlags(ctx, sources.FeatureFlagsParamsEnvDev)
		if err != nil || !(*flags)["beta"] || (*flags)["dark_mode"] {
			t.Errorf("flags %v, %v", flags, err)
		}

		writeFile(t, root, "config/services.yaml", "services:\n  payment_gateway:\n    url: https://pay2.internal\n    timeout_ms: 900\n")
		waitFor(t, func() bool {
			cfg, err := c.GetServiceConfig(ctx, "payment_gateway")
			return err == nil && cfg.URL == "https://pay2.internal"
		})
		writeFile(t, root, "config/services.yaml", "services: [unclosed\n")
		waitFor(t, func() bool { return x.Health() != nil })
		cfg, err = c.GetServiceConfig(ctx, "payment_gateway")
		if err != nil || cfg.URL != "https://pay2.internal" {
			t.Errorf("after a broken reload: %+v, %v", cfg, err)
		}
		if v, ok := reloads.Load("config/services.yaml"); !ok || v == nil {
			t.Error("OnReload did not report the broken file")
		}
	})
}

func writeFile(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	// Write then rename, as config deployers do, so a poll never sees half a file.
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
