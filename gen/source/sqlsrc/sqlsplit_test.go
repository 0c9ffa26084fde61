package sqlsrc

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitQuery(t *testing.T) {
	tests := []struct {
		q      string
		parts  []string
		params []string
		err    bool
	}{
		{q: "SELECT 1", parts: []string{"SELECT 1"}},
		{q: "SELECT * FROM u WHERE id = :user_id", parts: []string{"SELECT * FROM u WHERE id = ", ""}, params: []string{"user_id"}},
		{q: "SELECT :a::text, :b", parts: []string{"SELECT ", "::text, ", ""}, params: []string{"a", "b"}},
		{q: "SELECT ':x', \":y\" FROM t WHERE a=:z", parts: []string{"SELECT ':x', \":y\" FROM t WHERE a=", ""}, params: []string{"z"}},
		{q: "SELECT 'it''s :x' WHERE a = :a -- :c\n", parts: []string{"SELECT 'it''s :x' WHERE a = ", " -- :c\n"}, params: []string{"a"}},
		{q: "/* :x */ SELECT `:y` WHERE id=:id", parts: []string{"/* :x */ SELECT `:y` WHERE id=", ""}, params: []string{"id"}},
		{q: "SELECT '12:30'", parts: []string{"SELECT '12:30'"}},
		{q: "SELECT * FROM t WHERE id IN (:ids)", parts: []string{"SELECT * FROM t WHERE id IN (", ")"}, params: []string{"ids"}},
		{q: "SELECT $1 WHERE a=:a", parts: []string{"SELECT $1 WHERE a=", ""}, params: []string{"a"}},
		{q: "SELECT 'open", err: true},
		{q: "SELECT /* open", err: true},
		// Read differently by the dialects, so ambiguous without one.
		{q: `SELECT '\' WHERE a = :a`, err: true},
		{q: `SELECT "\" WHERE a = :a AND b = '"'`, err: true},
		{q: "SELECT $$ :y $$ WHERE id=:id", err: true},
		{q: "SELECT a # :b\n FROM t WHERE id = :id", err: true},
		{q: "SELECT /* /* :x */ :y */ 1", err: true},
	}
	for _, tt := range tests {
		parts, params, err := SplitQuery(tt.q)
		if (err != nil) != tt.err {
			t.Errorf("SplitQuery(%q) error = %v, want error %v", tt.q, err, tt.err)
			continue
		}
		if tt.err {
			continue
		}
		if !slices.Equal(parts, tt.parts) || !slices.Equal(params, tt.params) {
			t.Errorf("SplitQuery(%q) = %q, %q; want %q, %q", tt.q, parts, params, tt.parts, tt.params)
		}
	}
}

// TestSplitQueryDialects reads each query as each dialect does: the
// placeholders it binds, or "error" for a query it cannot read. Without a
// dialect, a query is split only when all three agree.
func TestSplitQueryDialects(t *testing.T) {
	tests := []struct {
		q                    string
		postgres, sqlite, my string // placeholders, comma-separated
	}{
		// A backslash is a plain character in a standard string, an escape in MySQL.
		{`SELECT '\' AS s, :a`, "a", "a", "error"},
		{`SELECT '\', :a, '\'`, "a", "a", "error"},
		{`SELECT 'x\', :a, 'y' || :b`, "a,b", "a,b", "error"},
		{`SELECT E'\', :a, '\'`, "error", "a", "error"},
		{`SELECT E'it\'s', :a`, "a", "error", "a"},
		{`SELECT 'it''s', :a`, "a", "a", "a"},
		// Double quotes: an identifier, a string with escapes in MySQL.
		{`SELECT "a\" FROM t WHERE x = :x AND y = '"'`, "x", "x", "error"},
		{`SELECT "col" FROM t WHERE x = :x`, "x", "x", "x"},
		// Backquotes quote names and take no escapes.
		{"SELECT `a\\` FROM t WHERE x = :x", "x", "x", "x"},
		// Dollar quotes are PostgreSQL's.
		{"SELECT $$ :y $$ WHERE id = :id", "id", "y,id", "y,id"},
		{"SELECT $t$ :y $t$, :id", "id", "y,id", "y,id"},
		{"SELECT $1, :id", "id", "id", "id"},
		// # is a comment in MySQL, an operator elsewhere.
		{"SELECT a # :b\nFROM t WHERE id = :id", "b,id", "b,id", "id"},
		// -- is a comment in MySQL only when a space follows.
		{"SELECT 1 --:x\n, :y", "y", "y", "x,y"},
		{"SELECT 1 -- :x\n, :y", "y", "y", "y"},
		// PostgreSQL nests block comments.
		{"SELECT /* /* :x */ :y */ :z", "z", "y,z", "y,z"},
		// [names] are SQLite's.
		{"SELECT [a :b] FROM t WHERE id = :id", "b,id", "id", "b,id"},
		// Casts are no placeholders anywhere.
		{"SELECT :a::int", "a", "a", "a"},
	}
	for _, tt := range tests {
		want := map[string]string{Postgres: tt.postgres, SQLite: tt.sqlite, MySQL: tt.my}
		agree := tt.postgres == tt.sqlite && tt.sqlite == tt.my
		for _, d := range Dialects {
			parts, params, err := SplitQueryIn(tt.q, d)
			got := strings.Join(params, ",")
			if err != nil {
				got = "error"
			}
			if got != want[d] {
				t.Errorf("%s reads %q as %q, want %q (%v)", d, tt.q, got, want[d], err)
			}
			if err == nil && len(parts) != len(params)+1 {
				t.Errorf("%s: %q: %d parts for %d params", d, tt.q, len(parts), len(params))
			}
			if err == nil {
				// The parts and placeholders give back the query.
				var b strings.Builder
				for i, p := range parts {
					b.WriteString(p)
					if i < len(params) {
						b.WriteString(":" + params[i])
					}
				}
				if b.String() != tt.q {
					t.Errorf("%s: %q splits into %q, %q", d, tt.q, parts, params)
				}
			}
		}
		_, params, err := SplitQuery(tt.q)
		switch {
		case agree && tt.postgres != "error" && (err != nil || strings.Join(params, ",") != tt.postgres):
			t.Errorf("without a dialect %q: %q, %v; every dialect reads %q", tt.q, params, err, tt.postgres)
		case !agree && (err == nil || !strings.Contains(err.Error(), `set "dialect"`)):
			t.Errorf("without a dialect %q: %q, %v; want an error asking for a dialect", tt.q, params, err)
		}
	}
	if _, _, err := SplitQueryIn("SELECT 1", "oracle"); err == nil {
		t.Error("an unknown dialect is accepted")
	}
}
