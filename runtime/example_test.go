package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/examplelookups"
)

// Example builds an executor, hands it to a generated client and looks a product up. The client and its
// GetProduct method are generated from runtime/internal/examplelookups/specs/product.task.json.
func Example() {
	x, err := runtime.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer x.Close()
	client := examplelookups.NewClient(x)

	p, err := client.GetProduct(context.Background(), "AB-123")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %s, %d cents\n", p.SKU, p.Name, p.PriceCents)
	// Output: AB-123: Espresso cup, 850 cents
}

// ExampleIsNotFound tells a missing product from a failure: every error a lookup returns is a *TaskError, and
// not found matches ErrNotFound through it.
func ExampleIsNotFound() {
	x, _ := runtime.New()
	defer x.Close()
	client := examplelookups.NewClient(x)

	_, err := client.GetProduct(context.Background(), "ZZ-999")
	fmt.Println("not found:", runtime.IsNotFound(err), errors.Is(err, runtime.ErrNotFound))
	var te *runtime.TaskError
	if errors.As(err, &te) {
		fmt.Println("task:", te.Task, "params:", te.Key)
	}
	// Output:
	// not found: true true
	// task: Product params: sku="ZZ-999"
}

// ExampleValidationError shows params that break their schema: no source is asked, and the error lists each
// violation with its JSON pointer and keyword.
func ExampleValidationError() {
	x, _ := runtime.New()
	defer x.Close()
	client := examplelookups.NewClient(x)

	_, err := client.GetProduct(context.Background(), "not a sku")
	var ve *runtime.ValidationError
	if errors.As(err, &ve) {
		for _, v := range ve.Violations {
			fmt.Println(ve.Which, v.Pointer, v.Keyword)
		}
	}
	// Output: params /sku pattern
}

// ExampleFuture starts a lookup without waiting for it and collects its answer later.
func ExampleFuture() {
	x, _ := runtime.New()
	defer x.Close()
	client := examplelookups.NewClient(x)

	f := client.GetProductAsync(context.Background(), "CD-456")
	// ... other work ...
	p, err := f.Await(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Name)
	// Output: Milk jug
}

// ExampleWithHooks observes lookups: the first one misses the cache and calls the source, the second is a hit.
func ExampleWithHooks() {
	say := func(what string) func(context.Context, runtime.Event) {
		return func(_ context.Context, e runtime.Event) { fmt.Println(what, e.Task, e.Key) }
	}
	x, _ := runtime.New(runtime.WithHooks(runtime.Hooks{
		OnHit:        say("hit"),
		OnMiss:       say("miss"),
		OnSourceCall: say("source call"),
	}))
	defer x.Close()
	client := examplelookups.NewClient(x)

	for range 2 {
		if _, err := client.GetProduct(context.Background(), "AB-123"); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// miss Product sku="AB-123"
	// source call Product sku="AB-123"
	// hit Product sku="AB-123"
}

// ExampleWithLogger logs lookups with log/slog; SlogHooks picks each event's level (debug for hits, misses and
// source calls, warn for retries, stale answers and fallbacks).
func ExampleWithLogger() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{} // so that the output is the same on every run
			}
			return a
		},
	}))
	x, _ := runtime.New(runtime.WithLogger(logger))
	defer x.Close()
	client := examplelookups.NewClient(x)

	_, _ = client.GetProduct(context.Background(), "ZZ-999")
	// Output:
	// level=DEBUG msg="reftask: cache miss" task=Product key="sku=\"ZZ-999\""
	// level=DEBUG msg="reftask: source call" task=Product key="sku=\"ZZ-999\"" attempt=1 error="reftask: not found"
}

// ExampleOptNull shows the three states of a property that is both optional and nullable, in Go and in JSON.
func ExampleOptNull() {
	d, _ := runtime.ParseDate("2026-06-30")
	for _, v := range []examplelookups.Product{
		{SKU: "AB-123", Name: "absent"},
		{SKU: "AB-124", Name: "null", Discontinued: runtime.Null[runtime.Date]()},
		{SKU: "AB-125", Name: "value", Discontinued: runtime.Some(d)},
	} {
		b, _ := json.Marshal(v)
		fmt.Println(string(b))
	}
	// Output:
	// {"sku":"AB-123","name":"absent","price_cents":0}
	// {"sku":"AB-124","name":"null","price_cents":0,"discontinued":null}
	// {"sku":"AB-125","name":"value","price_cents":0,"discontinued":"2026-06-30"}
}

// ExampleParseDate parses a JSON Schema "date" into the Date type that generated structs use for it.
func ExampleParseDate() {
	d, err := runtime.ParseDate("2026-02-30")
	fmt.Println(err != nil)
	d, _ = runtime.ParseDate("2026-06-30")
	fmt.Println(d, d.In(time.UTC).Weekday())
	// Output:
	// true
	// 2026-06-30 Tuesday
}
