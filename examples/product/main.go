// Command product looks products up by SKU in a REST API. It starts its own
// small product API on loopback, then shows a lookup, a cache hit, a retry
// on an injected 503, not-found for an unknown SKU, and the fallback value
// when the API is down.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"

	"github.com/reftask/reftask/examples/product/catalog"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/httpsource"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// productAPI serves /v1/products/{sku}; failNext makes the next request
// answer 503, as an overloaded API would.
type productAPI struct {
	requests atomic.Int64
	failNext atomic.Bool
}

func (a *productAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.requests.Add(1)
	if r.Header.Get("X-Api-Key") != "demo-key" {
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	if a.failNext.CompareAndSwap(true, false) {
		w.Header().Set("Retry-After", "0")
		http.Error(w, `{"error":"overloaded"}`, http.StatusServiceUnavailable)
		return
	}
	sku := strings.TrimPrefix(r.URL.Path, "/v1/products/")
	products := map[string]map[string]any{
		"ABC-123": {"title": map[string]string{"en": "Cordless drill", "de": "Akkubohrer"}[lang(r)], "price": map[string]any{"amount": 89.9, "currency": "EUR"}, "stock": map[string]any{"available": true}},
		"XYZ-999": {"title": map[string]string{"en": "Garden hose", "de": "Gartenschlauch"}[lang(r)], "price": map[string]any{"amount": 24.5, "currency": "EUR"}, "stock": map[string]any{"available": false}},
	}
	p, ok := products[sku]
	if !ok {
		http.Error(w, `{"error":"no such product"}`, http.StatusNotFound)
		return
	}
	p["sku"] = sku
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"product": p})
}

func lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		return l
	}
	return "en"
}

func run(ctx context.Context, w io.Writer) error {
	api := &productAPI{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: api}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	baseURL := "http://" + ln.Addr().String()
	fmt.Fprintf(w, "product API listening on %s\n", baseURL)

	// The API key comes from the environment, never from the spec.
	if os.Getenv("CATALOG_API_KEY") == "" {
		os.Setenv("CATALOG_API_KEY", "demo-key")
	}
	var retries atomic.Int64
	exec, err := runtime.New(
		runtime.WithSource(httpsource.Bind("catalog", baseURL)),
		runtime.WithHooks(runtime.Hooks{OnRetry: func(context.Context, runtime.Event) { retries.Add(1) }}),
	)
	if err != nil {
		return err
	}
	defer exec.Close()
	c := catalog.NewClient(exec)

	p, err := c.GetProduct(ctx, "ABC-123", nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "lookup:     %s %q %.2f %s, in stock %v\n", p.SKU, p.Name, p.Price, p.Currency, p.InStock)

	before := api.requests.Load()
	if _, err := c.GetProduct(ctx, "ABC-123", nil); err != nil {
		return err
	}
	fmt.Fprintf(w, "cache hit:  ABC-123 again, API requests %d\n", api.requests.Load()-before)

	de := catalog.ProductParamsLangDe
	api.failNext.Store(true)
	p, err = c.GetProduct(ctx, "XYZ-999", &catalog.ProductOptions{Lang: &de})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "retry:      the API answered 503 once; after %d retry: %q, in stock %v\n", retries.Load(), p.Name, p.InStock)

	_, err = c.GetProduct(ctx, "NOP-000", nil)
	fmt.Fprintf(w, "not found:  NOP-000 -> errors.Is(err, runtime.ErrNotFound) = %v\n", errors.Is(err, runtime.ErrNotFound))

	_, err = c.GetProduct(ctx, "bad sku", nil)
	var ve *runtime.ValidationError
	fmt.Fprintf(w, "rejected:   %q -> validation error %v, API not called\n", "bad sku", errors.As(err, &ve))

	srv.Close()
	p, err = c.GetProduct(ctx, "DEF-456", nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "fallback:   API down, DEF-456 -> %q\n", p.Name)
	return nil
}
