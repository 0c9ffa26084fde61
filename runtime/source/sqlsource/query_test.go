package sqlsource

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/reftask/reftask/internal/testdb"
	"github.com/reftask/reftask/runtime"
	_ "modernc.org/sqlite"

	"github.com/reftask/reftask/runtime/internal/wire"
	"github.com/reftask/reftask/runtime/kit"
)

func TestQueryText(t *testing.T) {
	q := NewQuery("main", []string{"SELECT * FROM t WHERE a = ", " AND b = ", ""}, []string{"a", "b"})
	tests := []struct {
		d    Dialect
		want string
	}{
		{Postgres, "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{SQLite, "SELECT * FROM t WHERE a = ? AND b = ?"},
		{MySQL, "SELECT * FROM t WHERE a = ? AND b = ?"},
		{Dialect(0), ""},
		{Dialect(9), ""},
	}
	for _, tc := range tests {
		if got := q.Text(tc.d); got != tc.want {
			t.Errorf("Text(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
	if q.Conn() != "main" || strings.Join(q.Params(), ",") != "a,b" {
		t.Errorf("Conn/Params = %q %v", q.Conn(), q.Params())
	}
	if got := NewQuery("c", []string{"SELECT 1"}, nil).Text(Postgres); got != "SELECT 1" {
		t.Errorf("no params: %q", got)
	}
	bad := NewQuery("c", []string{"a"}, []string{"x"})
	x := newTestExecutor(t)
	if _, err := QueryOne(context.Background(), x, bad, nil, func(map[string]any) (*int, error) { return nil, nil }); !runtime.IsPermanent(err) {
		t.Errorf("malformed query: err = %v, want permanent", err)
	}
}

func TestSQLErrorClassification(t *testing.T) {
	q := NewQuery("c", []string{"x"}, nil)
	live := context.Background()
	dead, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name          string
		ctx           context.Context
		err           error
		wantPermanent bool
	}{
		{"bad conn", live, driver.ErrBadConn, false},
		{"net error", live, &net.OpError{Op: "dial", Err: errors.New("refused")}, false},
		{"conn refused", live, fmt.Errorf("dial: %w", syscall.ECONNREFUSED), false},
		{"conn reset", live, syscall.ECONNRESET, false},
		{"broken pipe", live, syscall.EPIPE, false},
		{"unexpected EOF", live, fmt.Errorf("read: %w", io.ErrUnexpectedEOF), false},
		{"plain driver error", live, errors.New("constraint failed"), true},
		{"syntax error", live, errors.New(`near "SELEC": syntax error`), true},
		{"ctx cancelled", dead, errors.New("interrupted"), false},
	}
	for _, tc := range tests {
		if got := runtime.IsPermanent(sqlErr(tc.ctx, q, tc.err)); got != tc.wantPermanent {
			t.Errorf("%s: permanent = %v, want %v", tc.name, got, tc.wantPermanent)
		}
	}
	if err := sqlErr(live, q, sql.ErrNoRows); err != runtime.ErrNotFound {
		t.Errorf("ErrNoRows mapped to %v", err)
	}
}

type row struct {
	ID      string
	Name    string
	Age     int64
	Active  bool
	Score   float64
	Created time.Time
	Meta    map[string]any
	Blob    string
}

func convRow(rec map[string]any) (*row, error) {
	var r row
	var err error
	if r.ID, err = kit.AsString("/id", rec["id"]); err != nil {
		return nil, err
	}
	if r.Name, err = kit.AsString("/name", rec["name"]); err != nil {
		return nil, err
	}
	if r.Age, err = kit.AsInt64("/age", rec["age"]); err != nil {
		return nil, err
	}
	if r.Active, err = kit.AsBool("/active", rec["active"]); err != nil {
		return nil, err
	}
	if r.Score, err = kit.AsFloat64("/score", rec["score"]); err != nil {
		return nil, err
	}
	if r.Created, err = kit.AsTime("/created", rec["created"]); err != nil {
		return nil, err
	}
	if r.Meta, err = kit.AsObject("/meta", rec["meta"]); err != nil {
		return nil, err
	}
	if v, ok := rec["blob"]; ok && !kit.IsNull(v) {
		if r.Blob, err = kit.AsString("/blob", v); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// sqlSuite runs the same checks against any dialect; ph renders the n-th placeholder in setup statements.
func sqlSuite(t *testing.T, db *sql.DB, d Dialect, table string) {
	ctx := context.Background()
	x := newTestExecutor(t, runtime.WithSource(Bind("main", db, d)))
	created := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	byID := NewQuery("main", []string{"SELECT id, name, age, active, score, created, meta, blob FROM " + table + " WHERE id = ", ""}, []string{"id"})
	byAge := NewQuery("main", []string{"SELECT id, name, age, active, score, created, meta, blob FROM " + table + " WHERE age >= ", " ORDER BY id"}, []string{"age"})

	t.Run("one row", func(t *testing.T) {
		r, err := QueryOne(ctx, x, byID, []any{"u1"}, convRow)
		if err != nil {
			t.Fatal(err)
		}
		want := row{ID: "u1", Name: "Ann", Age: 30, Active: true, Score: 1.5, Created: created, Blob: "blob-u1"}
		if r.ID != want.ID || r.Name != want.Name || r.Age != want.Age || r.Active != want.Active || r.Score != want.Score ||
			!r.Created.Equal(want.Created) || r.Blob != want.Blob || fmt.Sprint(r.Meta["tags"]) != "[a b]" {
			t.Fatalf("got %+v", r)
		}
	})
	t.Run("no row is ErrNotFound", func(t *testing.T) {
		_, err := QueryOne(ctx, x, byID, []any{"nobody"}, convRow)
		if !errors.Is(err, runtime.ErrNotFound) || errors.Is(err, sql.ErrNoRows) {
			t.Fatalf("err = %v", err)
		}
		_, err = QueryAll(ctx, x, byAge, []any{1000}, convRow)
		if !errors.Is(err, runtime.ErrNotFound) {
			t.Fatalf("QueryAll err = %v", err)
		}
	})
	t.Run("more than one row", func(t *testing.T) {
		_, err := QueryOne(ctx, x, byAge, []any{0}, convRow)
		if !runtime.IsPermanent(err) || !strings.Contains(err.Error(), "want 1") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("all rows with independent byte values", func(t *testing.T) {
		rows, err := QueryAll(ctx, x, byAge, []any{0}, convRow)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[0].ID != "u1" || rows[1].ID != "u2" || rows[2].ID != "u3" {
			t.Fatalf("rows %+v", rows)
		}
		for _, r := range rows {
			if r.Blob != "blob-"+r.ID {
				t.Fatalf("blob of %s = %q: driver buffer reused", r.ID, r.Blob)
			}
		}
	})
	t.Run("conversion error is permanent", func(t *testing.T) {
		_, err := QueryOne(ctx, x, byID, []any{"u1"}, func(rec map[string]any) (*string, error) {
			s, err := kit.AsString("/age", rec["age"])
			return &s, err
		})
		var ce *runtime.ConvError
		if !runtime.IsPermanent(err) || !errors.As(err, &ce) || ce.Path != "/age" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("syntax error is permanent and not retried", func(t *testing.T) {
		bad := NewQuery("main", []string{"SELEC id FROM " + table + " WHERE id = ", ""}, []string{"id"})
		calls := 0
		task := kit.NewTask(x, kit.TaskSpec[userParams, row]{
			Name:  "Bad" + d.String(),
			Retry: kit.RetryPolicy{Attempts: 3},
			Fetch: func(ctx context.Context, p *userParams) (*row, error) {
				calls++
				return QueryOne(ctx, x, bad, []any{p.ID}, convRow)
			},
		})
		_, err := task.Do(ctx, &userParams{ID: "u1"})
		if te := mustTaskError(t, err); te.Attempts != 1 || calls != 1 || !runtime.IsPermanent(err) {
			t.Fatalf("err = %v after %d calls", err, calls)
		}
	})
	t.Run("unknown connection", func(t *testing.T) {
		q := NewQuery("replica", []string{"SELECT 1"}, nil)
		_, err := QueryOne(ctx, x, q, nil, convRow)
		if !runtime.IsPermanent(err) || !strings.Contains(err.Error(), `"replica"`) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("through a task with cache", func(t *testing.T) {
		calls := 0
		task := kit.NewTask(x, kit.TaskSpec[userParams, row]{
			Name:      "Row" + d.String(),
			Cache:     kit.CachePolicy{TTL: time.Minute, NegativeTTL: time.Minute},
			Retry:     kit.RetryPolicy{Attempts: 2},
			AppendKey: appendUserKey,
			Encode: func(dst []byte, r *row) []byte {
				return wire.AppendString(wire.AppendString(dst, r.ID), r.Name)
			},
			Decode: func(rd *wire.Reader) *row { return &row{ID: rd.String(), Name: rd.String()} },
			Fetch: func(ctx context.Context, p *userParams) (*row, error) {
				calls++
				return QueryOne(ctx, x, byID, []any{p.ID}, convRow)
			},
		})
		for range 2 {
			r, err := task.Do(ctx, &userParams{ID: "u2"})
			if err != nil || r.Name != "Bob" {
				t.Fatalf("got %+v, %v", r, err)
			}
			if _, err := task.Do(ctx, &userParams{ID: "ghost"}); !runtime.IsNotFound(err) {
				t.Fatalf("ghost: %v", err)
			}
		}
		if calls != 2 {
			t.Fatalf("source calls = %d, want 2 (one hit, one negative hit)", calls)
		}
	})
}

func seedRows(t *testing.T, db *sql.DB, insert string) {
	t.Helper()
	rows := []struct {
		id, name string
		age      int
		active   bool
		score    float64
		meta     string
	}{
		{"u1", "Ann", 30, true, 1.5, `{"tags":["a","b"]}`},
		{"u2", "Bob", 40, false, 2, `{}`},
		{"u3", "Cid", 50, true, -3.25, `{"n":1}`},
	}
	created := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, r := range rows {
		if _, err := db.Exec(insert, r.id, r.name, r.age, r.active, r.score, created, r.meta, []byte("blob-"+r.id)); err != nil {
			t.Fatalf("insert: %v", err)
		}
	}
}

func uniqueTable() string {
	return fmt.Sprintf("reftask_rt_%d_%d", os.Getpid(), time.Now().UnixNano())
}

func TestSQLiteHelpers(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	table := uniqueTable()
	if _, err := db.Exec(`CREATE TABLE ` + table + ` (id TEXT PRIMARY KEY, name TEXT, age INTEGER, active BOOLEAN,
		score REAL, created DATETIME, meta TEXT, blob BLOB)`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = db.Exec(`DROP TABLE ` + table) })
	seedRows(t, db, `INSERT INTO `+table+` VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	sqlSuite(t, db, SQLite, table)
}

func postgresDB(t *testing.T) *sql.DB {
	t.Helper()
	return testdb.Postgres(t)
}

func TestPostgresHelpers(t *testing.T) {
	db := postgresDB(t)
	table := uniqueTable()
	if _, err := db.Exec(`CREATE TABLE ` + table + ` (id text PRIMARY KEY, name text, age bigint, active boolean,
		score double precision, created timestamptz, meta jsonb, blob bytea)`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec(`DROP TABLE IF EXISTS ` + table); err != nil {
			t.Errorf("drop %s: %v", table, err)
		}
	})
	seedRows(t, db, `INSERT INTO `+table+` VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`)
	sqlSuite(t, db, Postgres, table)

	t.Run("per-attempt timeout is retried", func(t *testing.T) {
		x := newTestExecutor(t, runtime.WithSource(Bind("main", db, Postgres)))
		slow := NewQuery("main", []string{"SELECT pg_sleep(5) AS x"}, nil)
		task := kit.NewTask(x, kit.TaskSpec[userParams, row]{
			Name:    "SlowPG",
			Timeout: 100 * time.Millisecond,
			Retry:   kit.RetryPolicy{Attempts: 2, InitialDelay: time.Millisecond},
			Fetch: func(ctx context.Context, p *userParams) (*row, error) {
				return QueryOne(ctx, x, slow, nil, convRow)
			},
		})
		start := time.Now()
		_, err := task.Do(context.Background(), &userParams{ID: "k"})
		// The executor's attempt timeout, not the query's own failure, ended each attempt.
		if te := mustTaskError(t, err); te.Attempts != 2 || !strings.Contains(err.Error(), "attempt timed out after 100ms") {
			t.Fatalf("err = %v", err)
		}
		if el := time.Since(start); el > 3*time.Second {
			t.Fatalf("took %v", el)
		}
	})
	t.Run("numeric and json values", func(t *testing.T) {
		x := newTestExecutor(t, runtime.WithSource(Bind("main", db, Postgres)))
		q := NewQuery("main", []string{"SELECT ", "::numeric AS n, '[1, 2]'::jsonb AS arr, 9007199254740993::bigint AS big"}, []string{"n"})
		_, err := QueryOne(context.Background(), x, q, []any{"12.50"}, func(rec map[string]any) (*float64, error) {
			f, err := kit.AsFloat64("/n", rec["n"])
			if err != nil {
				return nil, err
			}
			if f != 12.5 {
				return nil, fmt.Errorf("n = %v", f)
			}
			if a, err := kit.AsArray("/arr", rec["arr"]); err != nil || len(a) != 2 {
				return nil, fmt.Errorf("arr = %v, %v", a, err)
			}
			if _, err := kit.AsFloat64("/big", rec["big"]); err == nil {
				return nil, errors.New("2^53+1 converted to float64")
			}
			return &f, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
