// Command enrich validates and enriches a stream of order records with
// reference data: each order's SKU is checked against the product table
// and the order gains the product's name and price and the user's plan.
// Lookups go through generated tasks with batching on, against SQLite, so
// thousands of concurrent lookups become a few hundred queries.
//
// On first run it writes its own input: 100,000 orders over about 10,000
// SKUs and 10,000 users, some of them unknown or malformed.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
	_ "modernc.org/sqlite"

	"github.com/reftask/reftask/examples/enrich/refdata"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/sqlsource"
)

// Order is one input record.
type Order struct {
	OrderID  string `json:"order_id"`
	SKU      string `json:"sku"`
	UserID   string `json:"user_id"`
	Quantity int    `json:"quantity"`
}

// Enriched is one output record.
type Enriched struct {
	Order
	ProductName string `json:"product_name"`
	PriceCents  int64  `json:"price_cents"`
	TotalCents  int64  `json:"total_cents"`
	Plan        string `json:"plan"`
}

type options struct {
	dir      string
	records  int
	workers  int
	progress bool
}

func main() {
	var o options
	flag.StringVar(&o.dir, "dir", filepath.Join(os.TempDir(), "reftask-enrich"), "folder for the input, the reference database and the output")
	flag.IntVar(&o.records, "records", 100_000, "orders to generate on first run")
	flag.IntVar(&o.workers, "workers", 256, "orders enriched concurrently")
	flag.Parse()
	o.progress = term.IsTerminal(int(os.Stdout.Fd()))
	if err := run(context.Background(), os.Stdout, o); err != nil {
		log.Fatal(err)
	}
}

const (
	products = 10_000
	users    = 10_000
)

func run(ctx context.Context, w io.Writer, o options) error {
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return err
	}
	in := filepath.Join(o.dir, fmt.Sprintf("orders-%d.ndjson", o.records))
	if _, err := os.Stat(in); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(w, "writing %d orders to %s\n", o.records, in)
		if err := writeOrders(in, o.records); err != nil {
			return err
		}
	}
	db, err := openReference(ctx, filepath.Join(o.dir, "reference.db"))
	if err != nil {
		return err
	}
	defer db.Close()

	var hits, misses, roundTrips atomic.Int64
	exec, err := runtime.New(
		runtime.WithSource(sqlsource.Bind("ref", db, sqlsource.SQLite)),
		runtime.WithHooks(runtime.Hooks{
			OnHit:         func(context.Context, runtime.Event) { hits.Add(1) },
			OnNegativeHit: func(context.Context, runtime.Event) { hits.Add(1) },
			OnMiss:        func(context.Context, runtime.Event) { misses.Add(1) },
			OnBatch:       func(context.Context, runtime.BatchEvent) { roundTrips.Add(1) },
		}),
	)
	if err != nil {
		return err
	}
	defer exec.Close()
	c := refdata.NewClient(exec)

	orders, err := readOrders(in)
	if err != nil {
		return err
	}
	out := filepath.Join(o.dir, "enriched.ndjson")
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriter(f)

	var bar *progressbar.ProgressBar
	if o.progress {
		bar = progressbar.Default(int64(len(orders)), "enriching")
	}
	start := time.Now()
	results := make([]result, len(orders))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range o.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(orders) {
					return
				}
				results[i] = enrich(ctx, c, orders[i])
				if bar != nil {
					_ = bar.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	rejected := map[string]int{}
	enc := json.NewEncoder(bw)
	for _, r := range results {
		if r.reason != "" {
			rejected[r.reason]++
			continue
		}
		if err := enc.Encode(r.enriched); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	total := 0
	reasons := make([]string, 0, len(rejected))
	for reason, n := range rejected {
		total += n
		reasons = append(reasons, reason)
	}
	sort.Strings(reasons)
	fmt.Fprintf(w, "enriched %d orders into %s, rejected %d:\n", len(orders)-total, out, total)
	for _, reason := range reasons {
		fmt.Fprintf(w, "  %6d %s\n", rejected[reason], reason)
	}
	lookups := hits.Load() + misses.Load()
	ratio := 0.0
	if lookups > 0 {
		ratio = float64(hits.Load()) / float64(lookups)
	}
	fmt.Fprintf(w, "%.0f records/s, cache hit ratio %.1f%%, %d source round trips for %d lookups\n",
		float64(len(orders))/elapsed.Seconds(), 100*ratio, roundTrips.Load(), lookups)
	return nil
}

type result struct {
	enriched Enriched
	reason   string
}

// enrich looks both references up at once; the rejection reason names the
// first check that failed.
func enrich(ctx context.Context, c *refdata.Client, o Order) result {
	pf := c.GetProductAsync(ctx, o.SKU)
	u, uerr := c.GetUserPlan(ctx, o.UserID)
	p, perr := pf.Await(ctx)
	var ve *runtime.ValidationError
	switch {
	case errors.As(perr, &ve):
		return result{reason: "malformed sku"}
	case errors.Is(perr, runtime.ErrNotFound):
		return result{reason: "unknown sku"}
	case perr != nil:
		return result{reason: "product lookup failed: " + perr.Error()}
	case errors.Is(uerr, runtime.ErrNotFound):
		return result{reason: "unknown user"}
	case uerr != nil:
		return result{reason: "user lookup failed: " + uerr.Error()}
	case o.Quantity <= 0:
		return result{reason: "quantity not positive"}
	}
	return result{enriched: Enriched{
		Order:       o,
		ProductName: p.Name,
		PriceCents:  p.PriceCents,
		TotalCents:  p.PriceCents * int64(o.Quantity),
		Plan:        string(u.Plan),
	}}
}

// writeOrders writes n orders: about 1% with an unknown SKU, 0.5% with a
// malformed one, 1% with an unknown user and 0.5% with no quantity.
func writeOrders(path string, n int) error {
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	enc := json.NewEncoder(bw)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		o := Order{
			OrderID:  fmt.Sprintf("o%06d", i),
			SKU:      fmt.Sprintf("SKU-%05d", rng.IntN(products)),
			UserID:   fmt.Sprintf("user%05d", rng.IntN(users)),
			Quantity: 1 + rng.IntN(5),
		}
		switch r := rng.IntN(1000); {
		case r < 10:
			o.SKU = fmt.Sprintf("SKU-%05d", products+rng.IntN(products))
		case r < 15:
			o.SKU = "sku?" + o.SKU
		case r < 25:
			o.UserID = fmt.Sprintf("ghost%05d", rng.IntN(users))
		case r < 30:
			o.Quantity = 0
		}
		if err := enc.Encode(o); err != nil {
			f.Close()
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}

func readOrders(path string) ([]Order, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Order
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		var o Order
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, o)
	}
	return out, sc.Err()
}

// openReference creates the reference tables on first use.
func openReference(ctx context.Context, path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)")
	if err != nil {
		return nil, err
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM products").Scan(&n); err == nil && n == products {
		return db, nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		db.Close()
		return nil, err
	}
	stmts := []string{
		"DROP TABLE IF EXISTS products", "DROP TABLE IF EXISTS users",
		"CREATE TABLE products (sku TEXT PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER NOT NULL)",
		"CREATE TABLE users (id TEXT PRIMARY KEY, plan TEXT NOT NULL)",
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			tx.Rollback()
			db.Close()
			return nil, err
		}
	}
	plans := []string{"free", "pro", "enterprise"}
	for i := range products {
		if _, err := tx.ExecContext(ctx, "INSERT INTO products VALUES (?, ?, ?)", fmt.Sprintf("SKU-%05d", i), fmt.Sprintf("Product %d", i), 100+i%9900); err != nil {
			tx.Rollback()
			db.Close()
			return nil, err
		}
	}
	for i := range users {
		if _, err := tx.ExecContext(ctx, "INSERT INTO users VALUES (?, ?)", fmt.Sprintf("user%05d", i), plans[i%3]); err != nil {
			tx.Rollback()
			db.Close()
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
