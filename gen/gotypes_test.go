package gen_test

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reftask/reftask/gen"
	"github.com/reftask/reftask/internal/testdb"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/sqlsource"
	"github.com/reftask/reftask/testdata/golden/gotypes"
)

// TestGoTypesSQL runs the code generated for testdata/golden/gotypes: x-go-type
// fields convert from SQL columns, round-trip through the cache and JSON.
func TestGoTypesSQL(t *testing.T) {
	db := testdb.SQLite(t)
	ctx := context.Background()
	for _, q := range []string{
		`CREATE TABLE orders (id INTEGER, total TEXT, discount TEXT, weight REAL, priority INTEGER, subnet TEXT, status TEXT, customer_ref TEXT, lines TEXT)`,
		`INSERT INTO orders VALUES (7, '12.50', NULL, 1.5, 3, '10.0.0.0/8', 'paid', 'c-1', '[{"sku":"a","price":"1.25"}]')`,
		`INSERT INTO orders VALUES (8, '1.00', NULL, 1, 300, NULL, 'new', NULL, '[]')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var cnt counters
	x, err := runtime.New(runtime.WithSource(sqlsource.Bind("db", db, sqlsource.SQLite)), runtime.WithHooks(cnt.hooks()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	c := gotypes.NewClient(x)
	for range 2 { // then from the cache
		o, err := c.GetOrder(ctx, 7, nil)
		if err != nil {
			t.Fatal(err)
		}
		if o.ID != 7 || o.Total != 1250 || o.Discount.Set && !o.Discount.Null || *o.Weight != 1.5 || *o.Priority != 3 ||
			*o.Subnet != netip.MustParsePrefix("10.0.0.0/8") || o.Status != gotypes.OrderPaid || *o.CustomerID != "c-1" ||
			len(o.Lines) != 1 || o.Lines[0].Price != 125 {
			t.Fatalf("order = %+v", o)
		}
		out, _ := json.Marshal(o)
		if !strings.Contains(string(out), `"total":"12.50"`) || !strings.Contains(string(out), `"subnet":"10.0.0.0/8"`) {
			t.Errorf("JSON = %s", out)
		}
	}
	if calls, hits := cnt.get("Order"); calls != 1 || hits != 1 {
		t.Errorf("%d source calls, %d hits; want 1 and 1", calls, hits)
	}
	// 300 does not fit the uint8 the spec asks for.
	if _, err := c.GetOrder(ctx, 8, nil); err == nil || !strings.Contains(err.Error(), "/priority") || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("err = %v, want an out-of-range conversion error at /priority", err)
	}
}

// TestGoTypeChecks generates into a package of this module whose Go code
// lacks or misdeclares the types specs name: each is a positioned error.
func TestGoTypeChecks(t *testing.T) {
	dir, err := os.MkdirTemp("../testdata", "gotypecheck")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	specs := filepath.Join(dir, "specs")
	if err := os.MkdirAll(specs, 0o755); err != nil {
		t.Fatal(err)
	}
	spec := `{
  "name": "A",
  "params": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
  "result": {"type": "object", "title": "A", "required": ["a"], "properties": {
    "a": {"type": "string", "x-go-type": "Plain"},
    "b": {"type": "string", "x-go-type": "Missing"},
    "c": {"type": "string", "x-go-type": "example.com/nope.Type"},
    "d": {"type": "string", "x-go-type": "net/netip.Nothing"},
    "e": {"type": "string", "x-go-type": "net/netip.Prefix"}
  }},
  "source": {"sql": {"connection": "db", "query": "SELECT * FROM t WHERE id = :id"}}
}`
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(specs, "a.task.json"), []byte(spec), 0o644))
	must(os.WriteFile(filepath.Join(dir, "plain.go"), []byte("package p\n\n// Plain has no JSON methods.\ntype Plain struct{ X int }\n"), 0o644))
	_, diags := gen.Generate(gen.Options{Specs: specs, Package: "p", OutDir: dir, OutFile: "reftasks_gen.go"})
	got := diags.Error()
	for _, want := range []string{
		`a.task.json:5:42: /result/properties/a/x-go-type: x-go-type Plain must marshal itself`,
		`a.task.json:6:42: /result/properties/b/x-go-type: x-go-type Missing: no type Missing in package p`,
		`a.task.json:7:42: /result/properties/c/x-go-type: x-go-type example.com/nope.Type: package example.com/nope cannot be loaded`,
		`a.task.json:8:42: /result/properties/d/x-go-type: x-go-type net/netip.Nothing: no type Nothing in package net/netip`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Prefix") {
		t.Errorf("net/netip.Prefix reported, but it marshals itself:\n%s", got)
	}
}
