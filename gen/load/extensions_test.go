package load_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/reftask/reftask/gen/load"
)

// TestGoKeywordsThroughExtension: the compiler's x-go extension keeps every x-go-* keyword of a schema, with its
// value as written and the schema's other keywords, and nothing for a schema without one.
func TestGoKeywordsThroughExtension(t *testing.T) {
	dir := t.TempDir()
	spec := `{
  "name": "Order",
  "params": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer", "x-go-type": "int32"}}},
  "result": {
    "type": "object",
    "x-go-name": "OrderRow",
    "properties": {
      "status": {"type": "string", "enum": ["new", "paid"], "x-go-enum-names": ["New", "Paid"], "x-go-other": 1},
      "plain": {"type": "string"},
      "nested": {"type": "array", "items": {"type": "string", "x-go-type": "Money", "minLength": 1}}
    }
  },
  "source": {"sql": {"connection": "db", "query": "SELECT 1 WHERE :id = 1"}}
}`
	if err := os.WriteFile(filepath.Join(dir, "order.task.json"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	set, diags := load.Load(dir)
	if diags.HasErrors() || len(set.Specs) != 1 {
		t.Fatalf("load: %v", diags)
	}
	sp := set.Specs[0]
	props := sp.Result.Properties
	cases := []struct {
		name     string
		keywords *load.GoKeywords
		values   []string
		all      []string
	}{
		{"params id", load.GoKeywordsOf(sp.Params.Properties["id"]), []string{"x-go-type"}, []string{"type", "x-go-type"}},
		{"result", load.GoKeywordsOf(sp.Result), []string{"x-go-name"}, []string{"properties", "type", "x-go-name"}},
		{"status", load.GoKeywordsOf(props["status"]), []string{"x-go-enum-names", "x-go-other"}, []string{"enum", "type", "x-go-enum-names", "x-go-other"}},
		{"plain", load.GoKeywordsOf(props["plain"]), nil, nil},
		{"nested items", load.GoKeywordsOf(props["nested"].Items2020), []string{"x-go-type"}, []string{"minLength", "type", "x-go-type"}},
	}
	for _, c := range cases {
		if c.values == nil {
			if c.keywords != nil {
				t.Errorf("%s: GoKeywords %+v, want none", c.name, c.keywords)
			}
			continue
		}
		if c.keywords == nil {
			t.Errorf("%s: no GoKeywords, want %v", c.name, c.values)
			continue
		}
		if got := slices.Sorted(maps.Keys(c.keywords.Values)); !slices.Equal(got, c.values) {
			t.Errorf("%s: x-go keywords %v, want %v", c.name, got, c.values)
		}
		if !slices.Equal(c.keywords.Keywords, c.all) {
			t.Errorf("%s: keywords %v, want %v", c.name, c.keywords.Keywords, c.all)
		}
	}
	if names, _ := load.GoKeywordsOf(props["status"]).Values["x-go-enum-names"].([]any); len(names) != 2 || names[0] != "New" || names[1] != "Paid" {
		t.Errorf("x-go-enum-names = %v, want [New Paid]", names)
	}
}
