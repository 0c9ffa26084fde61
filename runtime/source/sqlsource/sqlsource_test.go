package sqlsource

import (
	"context"
	"strings"
	"testing"

	"github.com/reftask/reftask/internal/testdb"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/seam"
)

// TestBindRefusesWhatNoQueryCouldUse: runtime.WithSource reports a binding without a name, a database or a known
// dialect, and a second binding of one connection name.
func TestBindRefusesWhatNoQueryCouldUse(t *testing.T) {
	db := testdb.SQLite(t)
	tests := []struct {
		name    string
		opts    []runtime.Option
		wantErr string
	}{
		{"empty name", []runtime.Option{runtime.WithSource(Bind("", db, SQLite))}, "empty connection name"},
		{"nil db", []runtime.Option{runtime.WithSource(Bind("main", nil, SQLite))}, `WithSource sql "main": nil *sql.DB`},
		{"no dialect", []runtime.Option{runtime.WithSource(Bind("main", db, 0))}, "unknown dialect Dialect(0)"},
		{"unknown dialect", []runtime.Option{runtime.WithSource(Bind("main", db, MySQL+1))}, "unknown dialect Dialect(4)"},
		{"bound twice", []runtime.Option{runtime.WithSource(Bind("main", db, SQLite)), runtime.WithSource(Bind("main", db, Postgres))}, "bound twice"},
		{"each dialect", []runtime.Option{runtime.WithSource(Bind("a", db, Postgres)), runtime.WithSource(Bind("b", db, SQLite)), runtime.WithSource(Bind("c", db, MySQL))}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, err := runtime.New(tc.opts...)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				_ = x.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// TestConnIsABoundSource: the executor finds the binding by kind and name, Check pings the database, and Close
// leaves it open for its owner.
func TestConnIsABoundSource(t *testing.T) {
	db := testdb.SQLite(t)
	x, err := runtime.New(runtime.WithSource(Bind("main", db, SQLite)))
	if err != nil {
		t.Fatal(err)
	}
	s, err := x.BoundSource(seam.Token{}, Kind, "main")
	if err != nil || s.Kind() != "sql" || s.Name() != "main" {
		t.Fatalf("bound source: %v, %v", s, err)
	}
	ctx := context.Background()
	if err := s.Check(ctx); err != nil {
		t.Errorf("Check of an open database: %v", err)
	}
	if _, err := conn(x, "replica"); !runtime.IsPermanent(err) || !strings.Contains(err.Error(), `no sql connection "replica" is bound`) {
		t.Errorf("unbound name: %v", err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.PingContext(ctx); err != nil {
		t.Errorf("Close closed the caller's database: %v", err)
	}
	_ = db.Close()
	if err := s.Check(ctx); err == nil || !strings.Contains(err.Error(), `SQL connection "main"`) {
		t.Errorf("Check of a closed database: %v", err)
	}
}

func TestDialectString(t *testing.T) {
	for d, want := range map[Dialect]string{Postgres: "postgres", SQLite: "sqlite", MySQL: "mysql", 0: "Dialect(0)", 7: "Dialect(7)"} {
		if got := d.String(); got != want {
			t.Errorf("%d: %q, want %q", int(d), got, want)
		}
	}
}
