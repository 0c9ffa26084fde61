package sqlsource

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/reftask/reftask/internal/testdb"
	"github.com/reftask/reftask/runtime"

	"github.com/reftask/reftask/runtime/internal/rawval"
	"github.com/reftask/reftask/runtime/kit"
)

// scanned is what the test scanners build: the columns they read, and what they saw of the optional ones.
type scanned struct {
	ID, Name  string
	Age       int64
	Note      *string
	Blob      []byte
	HasNote   bool
	HasAbsent bool
	AbsentCol any
}

// peopleColumns are the columns scanPerson reads: id, name, age, note (nullable) and one that no query returns.
var peopleColumns = []string{"id", "name", "age", "note", "absent"}

func scanPerson(row *Row) (*scanned, error) {
	var v scanned
	var err error
	if v.ID, err = kit.AsString("/id", row.Col(0)); err != nil {
		return nil, err
	}
	if v.Name, err = kit.AsString("/name", row.Col(1)); err != nil {
		return nil, err
	}
	if v.Age, err = kit.AsInt64("/age", row.Col(2)); err != nil {
		return nil, err
	}
	if r, ok := row.Lookup(3); ok {
		v.HasNote = true
		if r != nil {
			s, err := kit.AsString("/note", r)
			if err != nil {
				return nil, err
			}
			v.Note = &s
		}
	}
	_, v.HasAbsent = row.Lookup(4)
	v.AbsentCol = row.Col(4)
	return &v, nil
}

func TestRowScanner(t *testing.T) {
	for _, d := range []struct {
		name    string
		dialect Dialect
		open    func(testing.TB) *sql.DB
		blob    string
		insert  string
	}{
		{"sqlite", SQLite, testdb.SQLite, "BLOB", "INSERT INTO people VALUES (?, ?, ?, ?, ?)"},
		{"postgres", Postgres, testdb.Postgres, "bytea", "INSERT INTO people VALUES ($1, $2, $3, $4, $5)"},
	} {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			if _, err := db.Exec("CREATE TABLE people (id TEXT PRIMARY KEY, name TEXT, age INTEGER, note TEXT, blob " + d.blob + ")"); err != nil {
				t.Fatal(err)
			}
			note := "hi"
			for _, r := range []struct {
				id, name string
				age      int
				note     *string
			}{{"u1", "Ann", 30, &note}, {"u2", "Bob", 40, nil}, {"u3", "Cid", 50, nil}} {
				if _, err := db.Exec(d.insert, r.id, r.name, r.age, r.note, []byte("blob-"+r.id)); err != nil {
					t.Fatal(err)
				}
			}
			rowScannerSuite(t, newTestExecutor(t, runtime.WithSource(Bind("main", db, d.dialect))))
		})
	}
}

func rowScannerSuite(t *testing.T, x *runtime.Executor) {
	ctx := context.Background()
	people := &RowScanner[scanned]{Columns: peopleColumns, Scan: scanPerson}
	query := func(rest string) *Query {
		return NewQuery("main", []string{"SELECT id, name, age, note, blob FROM people " + rest}, nil)
	}
	byID := func(id string) *Query {
		return NewQuery("main", []string{"SELECT id, name, age, note, blob FROM people WHERE id = '" + id + "'"}, nil)
	}

	t.Run("one row, by column name, other columns ignored", func(t *testing.T) {
		tests := []struct {
			id       string
			wantNote *string
		}{{"u1", ptr("hi")}, {"u2", nil}}
		for _, tc := range tests {
			v, err := ScanOne(ctx, x, byID(tc.id), nil, people)
			if err != nil {
				t.Fatal(err)
			}
			if v.ID != tc.id || v.Age == 0 || !v.HasNote || (v.Note == nil) != (tc.wantNote == nil) || v.Note != nil && *v.Note != *tc.wantNote {
				t.Errorf("%s: got %+v", tc.id, v)
			}
			if _, absent := v.AbsentCol.(rawval.Absent); v.HasAbsent || !absent {
				t.Errorf("%s: a column the query did not return reads as %v (present %v), want absent", tc.id, v.AbsentCol, v.HasAbsent)
			}
		}
	})

	t.Run("columns in another order", func(t *testing.T) {
		q := NewQuery("main", []string{"SELECT note, age, blob, name, id FROM people WHERE id = 'u1'"}, nil)
		v, err := ScanOne(ctx, x, q, nil, people)
		if err != nil || v.ID != "u1" || v.Name != "Ann" || v.Age != 30 || v.Note == nil || *v.Note != "hi" {
			t.Fatalf("got %+v, %v", v, err)
		}
	})

	t.Run("a column named twice: the last one counts, as in a Record", func(t *testing.T) {
		q := NewQuery("main", []string{"SELECT id, 'first' AS name, age, name AS name FROM people WHERE id = 'u2'"}, nil)
		v, err := ScanOne(ctx, x, q, nil, people)
		if err != nil || v.Name != "Bob" {
			t.Fatalf("got %+v, %v", v, err)
		}
	})

	t.Run("row counts", func(t *testing.T) {
		if _, err := ScanOne(ctx, x, byID("ghost"), nil, people); !errors.Is(err, runtime.ErrNotFound) {
			t.Errorf("no row: err = %v, want not found", err)
		}
		if _, err := ScanOne(ctx, x, query("ORDER BY id"), nil, people); !runtime.IsPermanent(err) || !strings.Contains(err.Error(), "at least 2 rows, want 1") {
			t.Errorf("three rows: err = %v", err)
		}
		if _, err := ScanAll(ctx, x, query("WHERE age > 100"), nil, people); !errors.Is(err, runtime.ErrNotFound) {
			t.Errorf("ScanAll, no row: err = %v, want not found", err)
		}
	})

	t.Run("all rows keep their own bytes", func(t *testing.T) {
		blobs := &RowScanner[scanned]{Columns: []string{"id", "blob"}, Scan: func(row *Row) (*scanned, error) {
			id, err := kit.AsString("/id", row.Col(0))
			b, _ := row.Col(1).([]byte)
			return &scanned{ID: id, Blob: b}, err
		}}
		all, err := ScanAll(ctx, x, query("ORDER BY id"), nil, blobs)
		if err != nil || len(all) != 3 {
			t.Fatalf("got %+v, %v", all, err)
		}
		for _, v := range all {
			if string(v.Blob) != "blob-"+v.ID {
				t.Errorf("blob of %s = %q: the driver's buffer was kept", v.ID, v.Blob)
			}
		}
	})

	t.Run("bad data is a permanent conversion error naming the column", func(t *testing.T) {
		tests := []struct {
			name     string
			cols     []string
			conv     func(row *Row) error
			wantPath string
			wantFrom string
		}{
			{"text where an integer is wanted", []string{"name"}, func(row *Row) error {
				_, err := kit.AsInt64("/name", row.Col(0))
				return err
			}, "/name", "string"},
			{"required column missing", []string{"id", "nope"}, func(row *Row) error {
				_, err := kit.AsString("/nope", row.Col(1))
				return err
			}, "/nope", "absent"},
			{"null where null is not allowed", []string{"note"}, func(row *Row) error {
				_, err := kit.AsString("/note", row.Col(0))
				return err
			}, "/note", "null"},
		}
		for _, tc := range tests {
			s := &RowScanner[scanned]{Columns: tc.cols, Scan: func(row *Row) (*scanned, error) { return &scanned{}, tc.conv(row) }}
			_, err := ScanOne(ctx, x, byID("u2"), nil, s)
			var ce *runtime.ConvError
			if !runtime.IsPermanent(err) || !errors.As(err, &ce) || ce.Path != tc.wantPath || ce.From != tc.wantFrom {
				t.Errorf("%s: err = %v, want a permanent *runtime.ConvError at %s from %s", tc.name, err, tc.wantPath, tc.wantFrom)
			}
		}
	})

	t.Run("batch", func(t *testing.T) {
		bq := NewBatchQuery("main", "SELECT id, name, age, note FROM people WHERE id ", "")
		keyOf := func(v *scanned) string { return v.ID }
		found, err := ScanBatch(ctx, x, bq, []string{"u1", "u3", "ghost"}, people, keyOf)
		if err != nil || len(found) != 2 || found["u1"].Name != "Ann" || found["u3"].Age != 50 || found["ghost"] != nil {
			t.Fatalf("got %v, %v", found, err)
		}
		_, err = ScanBatch(ctx, x, bq, []string{"u1", "u2"}, people, func(*scanned) string { return "same" })
		if !runtime.IsPermanent(err) || !strings.Contains(err.Error(), `two rows for key "same"`) {
			t.Errorf("two rows for one key: err = %v", err)
		}
		if found, err := ScanBatch(ctx, x, bq, nil, people, keyOf); err != nil || len(found) != 0 {
			t.Errorf("no keys: %v, %v", found, err)
		}
		if _, err := ScanBatch(ctx, x, NewBatchQuery("replica", "SELECT 1 WHERE 1 ", ""), []string{"a"}, people, keyOf); !runtime.IsPermanent(err) {
			t.Errorf("unknown connection: err = %v", err)
		}
	})

	t.Run("misuse is a permanent error", func(t *testing.T) {
		if _, err := ScanOne[scanned](ctx, x, byID("u1"), nil, nil); !runtime.IsPermanent(err) {
			t.Errorf("nil scanner: err = %v", err)
		}
		nilResult := &RowScanner[scanned]{Columns: peopleColumns, Scan: func(*Row) (*scanned, error) { return nil, nil }}
		if _, err := ScanAll(ctx, x, query(""), nil, nilResult); !runtime.IsPermanent(err) {
			t.Errorf("ScanAll, nil result: err = %v", err)
		}
		if _, err := ScanOne(ctx, x, NewQuery("main", []string{"SELEC 1"}, nil), nil, people); !runtime.IsPermanent(err) {
			t.Errorf("syntax error: err = %v", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// BenchmarkBatchRows compares the two ways generated code reads a batch query's 100 rows (SQLite, one table):
// a map[string]any per row converted by name, and a RowScanner reading columns by position.
func BenchmarkBatchRows(b *testing.B) {
	db := testdb.SQLite(b)
	if _, err := db.Exec("CREATE TABLE people (id TEXT PRIMARY KEY, name TEXT, age INTEGER, note TEXT)"); err != nil {
		b.Fatal(err)
	}
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = "u" + strconv.Itoa(i)
		if _, err := db.Exec("INSERT INTO people VALUES (?, ?, ?, ?)", keys[i], "Name "+keys[i], i, "note"); err != nil {
			b.Fatal(err)
		}
	}
	x := newTestExecutor(b, runtime.WithSource(Bind("main", db, SQLite)))
	bq := NewBatchQuery("main", "SELECT id, name, age, note FROM people WHERE id ", "")
	keyOf := func(v *scanned) string { return v.ID }
	ctx := context.Background()
	b.Run("record", func(b *testing.B) {
		conv := func(rec map[string]any) (*scanned, error) {
			row := Row{at: []int{0, 1, 2, 3, -1}, vals: []any{kit.Prop(rec, "id"), kit.Prop(rec, "name"), kit.Prop(rec, "age"), kit.Prop(rec, "note")}}
			return scanPerson(&row)
		}
		b.ReportAllocs()
		for b.Loop() {
			if found, err := QueryBatch(ctx, x, bq, keys, conv, keyOf); err != nil || len(found) != len(keys) {
				b.Fatal(len(found), err)
			}
		}
	})
	b.Run("scan", func(b *testing.B) {
		s := &RowScanner[scanned]{Columns: peopleColumns, Scan: scanPerson}
		b.ReportAllocs()
		for b.Loop() {
			if found, err := ScanBatch(ctx, x, bq, keys, s, keyOf); err != nil || len(found) != len(keys) {
				b.Fatal(len(found), err)
			}
		}
	})
}
