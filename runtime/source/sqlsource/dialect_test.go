package sqlsource

import (
	"context"
	"strings"
	"testing"

	"github.com/reftask/reftask/internal/testdb"
	"github.com/reftask/reftask/runtime"
)

// TestQueryOnly runs a query split for one dialect on a connection of
// each dialect: only its own runs it; any other is a permanent error that
// names both, for single and batch queries alike, and the database is not
// asked.
func TestQueryOnly(t *testing.T) {
	db := testdb.SQLite(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id TEXT PRIMARY KEY, path TEXT); INSERT INTO t VALUES ('a', '\')`); err != nil {
		t.Fatal(err)
	}
	conv := func(r map[string]any) (*string, error) { s, _ := r["path"].(string); return &s, nil }
	for _, bound := range []Dialect{Postgres, SQLite, MySQL} {
		for _, only := range []Dialect{0, Postgres, SQLite, MySQL} {
			x, err := runtime.New(runtime.WithSource(Bind("db", db, bound)))
			if err != nil {
				t.Fatal(err)
			}
			// The query is SQLite's own text ($1 and ? are both SQLite placeholders).
			q := NewQuery("db", []string{"SELECT path FROM t WHERE path = '\\' AND id = ", ""}, []string{"id"})
			bq := NewBatchQuery("db", "SELECT id, path FROM t WHERE path = '\\' AND id ", "")
			if only != 0 {
				q.Only(only)
				bq.Only(only)
			}
			_, err = QueryOne(ctx, x, q, []any{"a"}, conv)
			_, berr := QueryBatch(ctx, x, bq, []string{"a"}, conv, func(*string) string { return "a" })
			refused := only != 0 && only != bound
			for _, e := range []error{err, berr} {
				switch {
				case refused && (e == nil || !runtime.IsPermanent(e) || !strings.Contains(e.Error(), "written for "+only.String()) || !strings.Contains(e.Error(), bound.String())):
					t.Errorf("only %v on %v: %v, want a permanent error naming both", only, bound, e)
				case !refused && e != nil && strings.Contains(e.Error(), "written for"):
					t.Errorf("only %v on %v refused: %v", only, bound, e)
				}
			}
			if !refused && bound == SQLite && (err != nil || berr != nil) {
				t.Errorf("only %v on SQLite: %v, %v", only, err, berr)
			}
			_ = x.Close()
		}
	}
}
