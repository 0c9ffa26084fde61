package gen_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reftask/reftask/internal/testdb"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/sqlsource"
	"github.com/reftask/reftask/testdata/golden/kitchen"
)

// The end-to-end tests run the code generated for testdata/golden/kitchen
// (kept current by TestGolden) against real databases.

var kitchenDDL = map[sqlsource.Dialect]string{
	sqlsource.SQLite: `CREATE TABLE items (id TEXT PRIMARY KEY, title TEXT, price REAL, quantity INTEGER, active INTEGER,
		created_at TEXT, tags TEXT, attributes TEXT, category TEXT, discount REAL, note TEXT, rating REAL)`,
	sqlsource.MySQL: `CREATE TABLE items (id VARCHAR(64) PRIMARY KEY, title TEXT, price DOUBLE, quantity BIGINT, active BOOLEAN,
		created_at DATETIME, tags JSON, attributes JSON, category VARCHAR(32), discount DOUBLE, note TEXT, rating DOUBLE)`,
	sqlsource.Postgres: `CREATE TABLE items (id text PRIMARY KEY, title text, price double precision, quantity bigint, active boolean,
		created_at timestamptz, tags jsonb, attributes jsonb, category text, discount double precision, note text, rating double precision)`,
}

type itemRow struct {
	id, title        string
	price            float64
	quantity         int64
	active           bool
	created          time.Time
	tags, attributes string
	category         string
	discount         any
	note             any
	rating           any
}

var created = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

var kitchenRows = []itemRow{
	{"i1", "Hammer", 12.5, 3, true, created, `["steel","hand"]`, `{"color":"red"}`, "tools", 0.1, "sturdy", 5.0},
	{"i2", "Saw", 20, 0, false, created.Add(time.Hour), `[]`, `{}`, "tools", nil, nil, nil},
	{"i3", "Go Programming", 39.99, 10, true, created, `["go"]`, `{"isbn":"978"}`, "books", nil, nil, 4.0},
	{"bad1", "Broken", -5, 1, true, created, `[]`, `{}`, "garden", nil, nil, nil},
	{"bad2", "Half star", 1, 1, true, created, `[]`, `{}`, "garden", nil, nil, 4.5},
}

func seedKitchen(t *testing.T, db *sql.DB, d sqlsource.Dialect) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, kitchenDDL[d]); err != nil {
		t.Fatal(err)
	}
	q := "INSERT INTO items VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
	if d == sqlsource.Postgres {
		q = "INSERT INTO items VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)"
	}
	for _, r := range kitchenRows {
		var createdArg any = r.created
		var active any = r.active
		if d == sqlsource.SQLite {
			createdArg = r.created.Format(time.RFC3339)
			active = map[bool]int{true: 1, false: 0}[r.active]
		}
		if _, err := db.ExecContext(ctx, q, r.id, r.title, r.price, r.quantity, active, createdArg, r.tags, r.attributes, r.category, r.discount, r.note, r.rating); err != nil {
			t.Fatal(err)
		}
	}
}

// counters counts what the executor reports, per task.
type counters struct {
	mu    sync.Mutex
	calls map[string]int
	hits  map[string]int
}

func (c *counters) hooks() runtime.Hooks {
	c.calls, c.hits = map[string]int{}, map[string]int{}
	return runtime.Hooks{
		OnSourceCall: func(_ context.Context, e runtime.Event) {
			c.mu.Lock()
			c.calls[e.Task]++
			c.mu.Unlock()
		},
		OnHit: func(_ context.Context, e runtime.Event) {
			c.mu.Lock()
			c.hits[e.Task]++
			c.mu.Unlock()
		},
		OnNegativeHit: func(_ context.Context, e runtime.Event) {
			c.mu.Lock()
			c.hits[e.Task]++
			c.mu.Unlock()
		},
	}
}

func (c *counters) get(task string) (calls, hits int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[task], c.hits[task]
}

func TestE2EKitchen(t *testing.T) {
	dbs := []struct {
		name    string
		dialect sqlsource.Dialect
		open    func(testing.TB) *sql.DB
	}{
		{"sqlite", sqlsource.SQLite, testdb.SQLite},
		{"postgres", sqlsource.Postgres, testdb.Postgres},
		{"mysql", sqlsource.MySQL, testdb.MySQL},
	}
	for _, d := range dbs {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			seedKitchen(t, db, d.dialect)
			closed := testdb.SQLite(t)
			closed.Close()
			var cnt counters
			x, err := runtime.New(
				runtime.WithSource(sqlsource.Bind("catalog", db, d.dialect)),
				runtime.WithSource(sqlsource.Bind("archive", closed, sqlsource.SQLite)),
				runtime.WithHooks(cnt.hooks()),
			)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { x.Close() })
			c := kitchen.NewClient(x)
			runKitchen(t, c, &cnt)
		})
	}
}

func runKitchen(t *testing.T, c *kitchen.Client, cnt *counters) {
	ctx := context.Background()

	t.Run("found, every type converted", func(t *testing.T) {
		it, err := c.GetItem(ctx, "i1")
		if err != nil {
			t.Fatal(err)
		}
		if it.ID != "i1" || it.Name != "Hammer" || it.Price != 12.5 || it.Quantity != 3 || !it.Active {
			t.Errorf("scalars: %+v", it)
		}
		if !it.CreatedAt.Equal(created) {
			t.Errorf("created_at = %v, want %v", it.CreatedAt, created)
		}
		if strings.Join(it.Tags, ",") != "steel,hand" || it.Attributes["color"] != "red" || len(it.Attributes) != 1 {
			t.Errorf("json columns: tags %v attributes %v", it.Tags, it.Attributes)
		}
		if it.Category != kitchen.CategoryTools {
			t.Errorf("category = %q", it.Category)
		}
		if it.Discount == nil || *it.Discount != 0.1 || it.Note == nil || *it.Note != "sturdy" || !it.Rating.Set || it.Rating.Null || it.Rating.Value != 5 {
			t.Errorf("nullable and optional: discount %v note %v rating %v", it.Discount, it.Note, it.Rating)
		}
	})

	t.Run("nulls and empties", func(t *testing.T) {
		it, err := c.GetItem(ctx, "i2")
		if err != nil {
			t.Fatal(err)
		}
		if it.Discount != nil || it.Note != nil || !(it.Rating.Set && it.Rating.Null) || it.Tags == nil || len(it.Tags) != 0 || it.Active {
			t.Errorf("got %+v", it)
		}
	})

	t.Run("cache hit returns an independent copy", func(t *testing.T) {
		calls, hits := cnt.get("Item")
		a, err := c.GetItem(ctx, "i1")
		if err != nil {
			t.Fatal(err)
		}
		a.Name = "mutated"
		a.Tags[0] = "mutated"
		b, err := c.GetItem(ctx, "i1")
		if err != nil {
			t.Fatal(err)
		}
		if b.Name != "Hammer" || b.Tags[0] != "steel" {
			t.Errorf("a caller's mutation reached the cache: %+v", b)
		}
		calls2, hits2 := cnt.get("Item")
		if calls2 != calls || hits2 != hits+2 {
			t.Errorf("source calls %d -> %d, hits %d -> %d; want no call and two hits", calls, calls2, hits, hits2)
		}
		c.InvalidateItem("i1")
		if _, err := c.GetItem(ctx, "i1"); err != nil {
			t.Fatal(err)
		}
		if calls3, _ := cnt.get("Item"); calls3 != calls2+1 {
			t.Errorf("after InvalidateItem the source was called %d times, want 1", calls3-calls2)
		}
	})

	t.Run("every hit is a deep copy: nested pointers, slices, maps", func(t *testing.T) {
		scribble := func(it *kitchen.Item) {
			it.Name = "mutated"
			it.Tags[0] = "mutated"
			it.Tags = append(it.Tags, "more")
			it.Attributes["color"] = "mutated"
			it.Attributes["new"] = "key"
			*it.Discount = -1
			*it.Note = "mutated"
			it.Rating.Value = -1
		}
		// The first lookup may be a miss, the second fills the hot-key layer from bigcache, the rest are served
		// from it: each kind of answer must be a copy of its own.
		for i := range 4 {
			it, err := c.GetItem(ctx, "i1")
			if err != nil {
				t.Fatal(err)
			}
			if it.Name != "Hammer" || strings.Join(it.Tags, ",") != "steel,hand" || len(it.Attributes) != 1 ||
				it.Attributes["color"] != "red" || *it.Discount != 0.1 || *it.Note != "sturdy" || it.Rating.Value != 5 {
				t.Fatalf("lookup %d: an earlier caller's mutation leaked: %+v (tags %v, attributes %v, discount %v, note %q)",
					i, it, it.Tags, it.Attributes, *it.Discount, *it.Note)
			}
			scribble(it)
		}
		for i := range 3 {
			list, err := c.GetItemsByCategory(ctx, kitchen.CategoryTools, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(*list) != 2 || (*list)[0].Name != "Hammer" || (*list)[0].Tags[0] != "steel" || *(*list)[0].Note != "sturdy" {
				t.Fatalf("list lookup %d: an earlier caller's mutation leaked: %+v", i, *list)
			}
			scribble(&(*list)[0])
			(*list)[1].Name = "mutated"
			*list = (*list)[:1]
		}
	})

	t.Run("not found, and cached as such", func(t *testing.T) {
		_, err := c.GetItem(ctx, "nope")
		if !errors.Is(err, runtime.ErrNotFound) {
			t.Fatalf("err = %v, want not found", err)
		}
		if errors.Is(err, sql.ErrNoRows) {
			t.Error("sql.ErrNoRows leaks through")
		}
		calls, _ := cnt.get("Item")
		if _, err := c.GetItem(ctx, "nope"); !errors.Is(err, runtime.ErrNotFound) {
			t.Fatalf("second err = %v", err)
		}
		if calls2, _ := cnt.get("Item"); calls2 != calls {
			t.Errorf("negative entry not used: %d more source calls", calls2-calls)
		}
	})

	t.Run("bad params never reach the source", func(t *testing.T) {
		calls, _ := cnt.get("Item")
		_, err := c.GetItem(ctx, "")
		var ve *runtime.ValidationError
		if !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Keyword != "minLength" || ve.Violations[0].Pointer != "/id" {
			t.Fatalf("err = %v, want a minLength violation at /id", err)
		}
		if calls2, _ := cnt.get("Item"); calls2 != calls {
			t.Error("the source was called with invalid params")
		}
	})

	t.Run("invalid source data is an error and not cached", func(t *testing.T) {
		for range 2 {
			calls, _ := cnt.get("Item")
			_, err := c.GetItem(ctx, "bad1")
			var ve *runtime.ValidationError
			if !errors.As(err, &ve) || ve.Violations[0].Keyword != "minimum" || ve.Violations[0].Pointer != "/price" {
				t.Fatalf("err = %v, want a minimum violation at /price", err)
			}
			if calls2, _ := cnt.get("Item"); calls2 != calls+1 {
				t.Errorf("source calls = %d, want 1 (not retried, not cached)", calls2-calls)
			}
		}
	})

	t.Run("lossy conversion is an error naming the property", func(t *testing.T) {
		_, err := c.GetItem(ctx, "bad2")
		var ce *runtime.ConvError
		if !errors.As(err, &ce) || ce.Path != "/rating" || ce.To != "integer" {
			t.Fatalf("err = %v, want a conversion error at /rating", err)
		}
		if !strings.Contains(err.Error(), "Item") {
			t.Errorf("error %q does not name the task", err)
		}
	})

	t.Run("array result, optional params", func(t *testing.T) {
		all, err := c.GetItemsByCategory(ctx, kitchen.CategoryTools, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(*all) != 2 || (*all)[0].ID != "i1" || (*all)[1].ID != "i2" {
			t.Fatalf("got %+v", *all)
		}
		minPrice := 15.0
		some, err := c.GetItemsByCategory(ctx, kitchen.CategoryTools, &kitchen.ItemsByCategoryOptions{MinPrice: &minPrice, Note: runtime.Null[string]()})
		if err != nil {
			t.Fatal(err)
		}
		if len(*some) != 1 || (*some)[0].ID != "i2" {
			t.Fatalf("got %+v", *some)
		}
		neg := -1.0
		if _, err := c.GetItemsByCategory(ctx, kitchen.CategoryTools, &kitchen.ItemsByCategoryOptions{MinPrice: &neg}); err == nil {
			t.Error("a negative min_price was accepted")
		}
		if _, err := c.GetItemsByCategory(ctx, kitchen.Category("toys"), nil); err == nil {
			t.Error("an unknown category was accepted")
		}
	})

	t.Run("scalar result", func(t *testing.T) {
		n, err := c.GetItemCount(ctx, kitchen.CategoryTools)
		if err != nil {
			t.Fatal(err)
		}
		if *n != 2 {
			t.Errorf("count = %d, want 2", *n)
		}
	})

	t.Run("several rows for one result is an error", func(t *testing.T) {
		_, err := c.GetAnyItem(ctx, kitchen.CategoryTools)
		if err == nil || errors.Is(err, runtime.ErrNotFound) || !strings.Contains(err.Error(), "rows") {
			t.Fatalf("err = %v, want a too-many-rows error", err)
		}
		it, err := c.GetAnyItem(ctx, kitchen.CategoryBooks)
		if err != nil || it.ID != "i3" {
			t.Fatalf("books: %v, %v", it, err)
		}
	})

	t.Run("fallback task, then fallback value", func(t *testing.T) {
		it, err := c.GetItemOrPlaceholder(ctx, "i3")
		if err != nil {
			t.Fatal(err)
		}
		if it.Name != "Go Programming" {
			t.Errorf("fallback task gave %+v", it)
		}
	})

	t.Run("go source: recursion, retries, timeouts, panics", func(t *testing.T) {
		var tc kitchen.TreeCalls
		tctx := kitchen.WithTreeCalls(ctx, &tc, "")
		tree, err := c.GetCategoryTree(tctx, "root", nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(tree.Children) != 2 || len(tree.Children[0].Children) != 2 || tree.Children[1].Parent.Name != "root" {
			t.Fatalf("tree = %+v", tree)
		}
		again, err := c.GetCategoryTree(tctx, "root", nil)
		if err != nil || tc.N.Load() != 1 || again.Children[1].Children[0].Name != "root.1.0" {
			t.Fatalf("cache hit: %v, calls %d", err, tc.N.Load())
		}
		// A recursive type: copies reach through the slice of children and the parent pointers.
		for range 3 {
			tree.Name = "mutated"
			tree.Children[0].Name = "mutated"
			tree.Children[1].Children[0].Name = "mutated"
			tree.Children[1].Parent.Name = "mutated"
			tree.Children = nil
			if tree, err = c.GetCategoryTree(tctx, "root", nil); err != nil {
				t.Fatal(err)
			}
			if tree.Name != "root" || len(tree.Children) != 2 || tree.Children[0].Name != "root.0" ||
				tree.Children[1].Children[0].Name != "root.1.0" || tree.Children[1].Parent.Name != "root" {
				t.Fatalf("an earlier caller's mutation of the tree leaked: %+v", tree)
			}
		}
		if tc.N.Load() != 1 {
			t.Fatalf("source calls = %d, want 1: the tree should come from the cache", tc.N.Load())
		}

		depth := int64(1)
		for _, tt := range []struct {
			mode      string
			wantCalls int64
			wantErr   bool
		}{
			{"fail-once", 2, false},
			{"slow", 2, false},
			{"permanent", 1, true},
			{"panic", 1, true}, // a panic is a bug, not a transient failure: not retried
		} {
			var tc kitchen.TreeCalls
			_, err := c.GetCategoryTree(kitchen.WithTreeCalls(ctx, &tc, tt.mode), "r-"+tt.mode, &kitchen.CategoryTreeOptions{Depth: &depth})
			if (err != nil) != tt.wantErr || tc.N.Load() != tt.wantCalls {
				t.Errorf("%s: err = %v, calls = %d; want error %v, %d calls", tt.mode, err, tc.N.Load(), tt.wantErr, tt.wantCalls)
			}
		}
		_, err = c.GetCategoryTree(tctx, "missing", nil)
		if !errors.Is(err, runtime.ErrNotFound) {
			t.Errorf("missing: %v", err)
		}
	})

	t.Run("async and by name", func(t *testing.T) {
		f := c.GetItemAsync(ctx, "i3")
		got, err := c.Execute(ctx, "Item", []byte(`{"id":"i1"}`))
		if err != nil {
			t.Fatal(err)
		}
		if got.(*kitchen.Item).Name != "Hammer" {
			t.Errorf("Execute gave %+v", got)
		}
		it, err := f.Await(ctx)
		if err != nil || it.ID != "i3" {
			t.Fatalf("Await: %v %v", it, err)
		}
		if _, err := c.Execute(ctx, "Nope", []byte(`{}`)); !errors.Is(err, runtime.ErrUnknownTask) {
			t.Errorf("unknown task: %v", err)
		}
		_, err = c.Execute(ctx, "Item", []byte(`{}`))
		var ve *runtime.ValidationError
		if !errors.As(err, &ve) || ve.Violations[0].Keyword != "required" {
			t.Errorf("missing required param: %v", err)
		}
		if _, err := c.Execute(ctx, "Item", []byte(`not json`)); err == nil {
			t.Error("bad JSON accepted")
		}
	})

	t.Run("concurrent misses coalesce", func(t *testing.T) {
		var tc kitchen.TreeCalls
		tctx := kitchen.WithTreeCalls(ctx, &tc, "")
		var wg sync.WaitGroup
		var failed atomic.Int64
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.GetCategoryTree(tctx, "shared", nil); err != nil {
					failed.Add(1)
				}
			}()
		}
		wg.Wait()
		if failed.Load() != 0 || tc.N.Load() != 1 {
			t.Errorf("failed %d, source calls %d; want 0 and 1", failed.Load(), tc.N.Load())
		}
	})
}
