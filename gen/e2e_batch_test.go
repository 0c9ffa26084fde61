package gen_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	goruntime "runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/reftask/reftask/internal/testdb"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/httpsource"
	"github.com/reftask/reftask/runtime/source/sqlsource"
	"github.com/reftask/reftask/testdata/golden/batching"
)

// batchCounter counts source round trips and batch sizes.
type batchCounter struct {
	calls atomic.Int64
	mu    sync.Mutex
	sizes []int
}

func (b *batchCounter) hooks() runtime.Hooks {
	return runtime.Hooks{OnBatch: func(_ context.Context, e runtime.BatchEvent) {
		b.calls.Add(1)
		b.mu.Lock()
		b.sizes = append(b.sizes, e.Size)
		b.mu.Unlock()
	}}
}

func seedUsers(t *testing.T, db *sql.DB, d sqlsource.Dialect, n int) {
	t.Helper()
	if _, err := db.Exec(`CREATE TABLE users (id VARCHAR(32) PRIMARY KEY, name TEXT NOT NULL, email TEXT, plan VARCHAR(8) NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	q := "INSERT INTO users VALUES (?, ?, ?, ?)"
	if d == sqlsource.Postgres {
		q = "INSERT INTO users VALUES ($1, $2, $3, $4)"
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		var email any
		if i%2 == 0 {
			email = fmt.Sprintf("u%d@example.com", i)
		}
		plan := "free"
		if i%3 == 0 {
			plan = "pro"
		}
		if _, err := tx.Exec(q, fmt.Sprintf("u%d", i), fmt.Sprintf("User %d", i), email, plan); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestE2EBatchSQL(t *testing.T) {
	for _, d := range []struct {
		name    string
		dialect sqlsource.Dialect
		open    func(testing.TB) *sql.DB
	}{
		{"sqlite", sqlsource.SQLite, testdb.SQLite},
		{"postgres", sqlsource.Postgres, testdb.Postgres},
		{"mysql", sqlsource.MySQL, testdb.MySQL},
	} {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			seedUsers(t, db, d.dialect, 300)
			var bc batchCounter
			x, err := runtime.New(runtime.WithSource(sqlsource.Bind("users", db, d.dialect)), runtime.WithHooks(bc.hooks()))
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			c := batching.NewClient(x)
			ctx := context.Background()

			// 250 concurrent lookups of distinct keys (10 of them missing) become at most a few batch queries.
			var wg sync.WaitGroup
			var found, notFound, failed atomic.Int64
			for i := range 250 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					id := fmt.Sprintf("u%d", i)
					if i >= 240 {
						id = fmt.Sprintf("missing%d", i)
					}
					u, err := c.GetUser(ctx, id)
					switch {
					case errors.Is(err, runtime.ErrNotFound):
						notFound.Add(1)
					case err != nil:
						t.Errorf("%s: %v", id, err)
						failed.Add(1)
					case u.ID != id:
						t.Errorf("asked %s, got %s", id, u.ID)
					default:
						found.Add(1)
					}
				}()
			}
			wg.Wait()
			if found.Load() != 240 || notFound.Load() != 10 {
				t.Fatalf("found %d, not found %d, failed %d", found.Load(), notFound.Load(), failed.Load())
			}
			if n := bc.calls.Load(); n < 3 || n > 10 {
				t.Errorf("%d batch calls for 250 keys with max_size 100 (sizes %v)", n, bc.sizes)
			}
			for _, s := range bc.sizes {
				if s > 100 {
					t.Errorf("batch of %d keys exceeds max_size 100", s)
				}
			}

			// Explicit batch: hits from the cache, misses in chunks.
			before := bc.calls.Load()
			keys := []string{"u1", "u2", "u250", "u251", "nope"}
			got, err := c.GetUserBatch(ctx, keys)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 4 || got["u250"].Name != "User 250" || got["nope"] != nil {
				t.Errorf("GetUserBatch = %v", got)
			}
			if e := got["u250"].Email; !e.Set || e.Null || e.Value != "u250@example.com" || !got["u251"].Email.Null {
				t.Errorf("nullable email: %v %v", got["u250"].Email, got["u251"].Email)
			}
			if n := bc.calls.Load() - before; n != 1 {
				t.Errorf("GetUserBatch made %d batch calls, want 1 (two keys were cached)", n)
			}
			if _, err := c.GetUserBatch(ctx, []string{"u3", ""}); err == nil {
				t.Error("an invalid key in a batch gave no error")
			}
		})
	}
}

func TestE2EBatchGoAndHTTP(t *testing.T) {
	var gets, posts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/products":
			gets.Add(1)
			if r.URL.Query().Get("view") != "short" {
				http.Error(w, "view", http.StatusBadRequest)
				return
			}
			var items []map[string]any
			for _, sku := range r.URL.Query()["sku"] {
				if strings.HasPrefix(sku, "x") {
					continue // unknown SKUs are left out of the answer
				}
				items = append(items, map[string]any{"sku": sku, "title": "T " + sku, "price": 1.5})
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"items": items})
		case r.Method == http.MethodPost && r.URL.Path == "/prices:lookup":
			posts.Add(1)
			var req struct {
				SKUs     []string `json:"skus"`
				Currency string   `json:"currency"`
			}
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Currency != "EUR" {
				http.Error(w, "body", http.StatusBadRequest)
				return
			}
			var prices []map[string]any
			for _, s := range req.SKUs {
				prices = append(prices, map[string]any{"sku": s, "amount": float64(len(s))})
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"prices": prices})
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var bc batchCounter
	x, err := runtime.New(runtime.WithSource(httpsource.Bind("catalog", srv.URL)), runtime.WithHooks(bc.hooks()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	c := batching.NewClient(x)
	ctx := context.Background()

	var wg sync.WaitGroup
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sku := fmt.Sprintf("s%d", i)
			if i%10 == 0 {
				sku = fmt.Sprintf("x%d", i)
			}
			p, err := c.GetProduct(ctx, sku)
			if strings.HasPrefix(sku, "x") {
				if !errors.Is(err, runtime.ErrNotFound) {
					t.Errorf("%s: %v", sku, err)
				}
				return
			}
			if err != nil || p.Name != "T "+sku {
				t.Errorf("%s: %+v %v", sku, p, err)
			}
		}()
	}
	wg.Wait()
	if n := gets.Load(); n < 2 || n > 10 {
		t.Errorf("%d GET batches for 60 keys with max_size 50", n)
	}

	prices, err := c.GetPriceBatch(ctx, []string{"a", "bb", "ccc"})
	if err != nil || len(prices) != 3 || prices["ccc"].Amount != 3 || posts.Load() != 1 {
		t.Errorf("GetPriceBatch: %v %v, %d posts", prices, err, posts.Load())
	}

	nums, err := c.GetNumberedBatch(ctx, []int64{1, 2, 7, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23})
	if err != nil {
		t.Fatal(err)
	}
	if len(nums) != 10 || nums[7] != nil || nums[23].Label != "n23" {
		t.Errorf("GetNumberedBatch: %d found", len(nums))
	}
	if n, err := c.GetNumbered(ctx, 5); err != nil || n.Label != "n5" {
		t.Errorf("GetNumbered: %v %v", n, err)
	}
}

// A generated Get<name> often runs on a goroutine started for it (one per record of a fan-out), whose stack
// starts at 2 KB; the generated method and the runtime keep their frames small enough that a hot-key hit fits,
// with room for a caller's closure. (When the runtime starts goroutines with more than 2 KB, after a GC has seen
// deeper stacks, nothing grows and the test passes trivially.)
func TestE2EHitFitsStartingStack(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector enlarges every frame; make test runs this test without it too")
	}
	db := testdb.SQLite(t)
	seedUsers(t, db, sqlsource.SQLite, 100)
	x, err := runtime.New(runtime.WithSource(sqlsource.Bind("users", db, sqlsource.SQLite)))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	c := batching.NewClient(x)
	ctx := context.Background()
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprintf("u%d", i)
		for range 2 { // the second lookup reads the cache and fills the hot-key layer
			if _, err := c.GetUser(ctx, ids[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	// With the collector off (after a full collection): a GC assist during a hit grows the stack for the
	// collector's sake, not the path's, and how often depends on what ran before.
	goruntime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	const n = 1000
	var grew atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var marker byte
			before := uintptr(unsafe.Pointer(&marker))
			if _, err := c.GetUser(ctx, ids[i%len(ids)]); err != nil {
				t.Error(err)
			}
			if uintptr(unsafe.Pointer(&marker)) != before {
				grew.Add(1)
			}
		})
	}
	wg.Wait()
	if g := grew.Load(); g > n/10 {
		t.Fatalf("%d of %d goroutines grew their stack during a hot-key hit", g, n)
	}
}
