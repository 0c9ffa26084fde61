package sqlsource

import (
	"database/sql"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/reftask/reftask/internal/testdb"
	"github.com/reftask/reftask/runtime"
)

// testSKU stands for an x-go-type key declared over a string.
type testSKU string

// TestForKeysKeyTypes runs the batch query forKeys builds for keys of
// every type a batch key may have, on each database, against a column of
// the key's natural type where the database has one and against a text
// column: every key must find its row. On PostgreSQL this is the typed key
// slice as the one = ANY($1) argument, which pgx encodes element by element.
func TestForKeysKeyTypes(t *testing.T) {
	mustUUID := func(s string) runtime.UUID { u, err := runtime.ParseUUID(s); must(t, err); return u }
	mustDate := func(s string) runtime.Date { d, err := runtime.ParseDate(s); must(t, err); return d }
	mustDur := func(s string) runtime.Duration { d, err := runtime.ParseDuration(s); must(t, err); return d }
	mustEmail := func(s string) runtime.Email { e, err := runtime.ParseEmail(s); must(t, err); return e }
	mustURI := func(s string) runtime.URI { u, err := runtime.ParseURI(s); must(t, err); return u }
	type keyCase struct {
		name    string
		rows    []string // the column's values, as text
		other   string   // a row no key matches
		natural map[Dialect]string
		keys    func(*BatchQuery, Dialect) (*Query, []any)
	}
	typed := func(keys any) func(*BatchQuery, Dialect) (*Query, []any) {
		return func(q *BatchQuery, d Dialect) (*Query, []any) {
			switch k := keys.(type) {
			case []runtime.UUID:
				return forKeys(q, d, k)
			case []runtime.Date:
				return forKeys(q, d, k)
			case []runtime.Duration:
				return forKeys(q, d, k)
			case []runtime.Email:
				return forKeys(q, d, k)
			case []runtime.URI:
				return forKeys(q, d, k)
			case []netip.Addr:
				return forKeys(q, d, k)
			case []int32:
				return forKeys(q, d, k)
			case []testSKU:
				return forKeys(q, d, k)
			}
			panic(fmt.Sprintf("no case for %T", keys))
		}
	}
	cases := []keyCase{
		{"uuid", []string{"3f2504e0-4f89-11d3-9a0c-0305e82c3301", "00000000-0000-0000-0000-00000000000a"}, "00000000-0000-0000-0000-00000000000b",
			map[Dialect]string{Postgres: "uuid", MySQL: "CHAR(36)"},
			typed([]runtime.UUID{mustUUID("3f2504e0-4f89-11d3-9a0c-0305e82c3301"), mustUUID("00000000-0000-0000-0000-00000000000A")})},
		{"date", []string{"2024-02-29", "1999-12-31"}, "2024-02-28", map[Dialect]string{Postgres: "date", MySQL: "DATE"},
			typed([]runtime.Date{mustDate("2024-02-29"), mustDate("1999-12-31")})},
		{"duration", []string{"P1D", "PT90M"}, "P2D", nil, typed([]runtime.Duration{mustDur("P1D"), mustDur("PT90M")})},
		{"email", []string{"a@example.com", "b.c@example.org"}, "b@example.com", nil, typed([]runtime.Email{mustEmail("a@example.com"), mustEmail("b.c@example.org")})},
		{"uri", []string{"https://example.com/a", "urn:isbn:0451450523"}, "https://example.com/b", nil, typed([]runtime.URI{mustURI("https://example.com/a"), mustURI("urn:isbn:0451450523")})},
		{"ipv4", []string{"10.0.0.1", "192.168.1.254"}, "10.0.0.2", map[Dialect]string{Postgres: "inet"},
			typed([]netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("192.168.1.254")})},
		{"ipv6", []string{"2001:db8::1", "::1"}, "2001:db8::2", map[Dialect]string{Postgres: "inet"},
			typed([]netip.Addr{netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("::1")})},
		{"int32", []string{"7", "-3"}, "8", map[Dialect]string{Postgres: "integer", MySQL: "INTEGER", SQLite: "INTEGER"}, typed([]int32{7, -3})},
		{"x-go-type string", []string{"AB-1", "CD-22"}, "AB-2", nil, typed([]testSKU{"AB-1", "CD-22"})},
	}
	for _, d := range []struct {
		name    string
		dialect Dialect
		open    func(testing.TB) *sql.DB
	}{
		{"sqlite", SQLite, testdb.SQLite},
		{"postgres", Postgres, testdb.Postgres},
		{"mysql", MySQL, testdb.MySQL},
	} {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			for i, kc := range cases {
				cols := []string{"VARCHAR(64)"}
				if n := kc.natural[d.dialect]; n != "" {
					cols = append(cols, n)
				}
				if kc.name == "int32" && d.dialect == Postgres {
					// PostgreSQL compares no integer with text, for int64 keys as for these.
					cols = cols[1:]
				}
				for j, col := range cols {
					table := fmt.Sprintf("k%d_%d", i, j)
					if _, err := db.Exec("CREATE TABLE " + table + " (k " + col + ", other VARCHAR(8))"); err != nil {
						t.Fatal(err)
					}
					ins := "INSERT INTO " + table + " VALUES (?, 'x')"
					if d.dialect == Postgres {
						ins = strings.Replace(ins, "?", "$1", 1)
					}
					// A row that must not match, then the keys' rows.
					for _, v := range append([]string{kc.other}, kc.rows...) {
						if _, err := db.Exec(ins, v); err != nil {
							t.Fatalf("%s %s: insert %q: %v", kc.name, col, v, err)
						}
					}
					q := NewBatchQuery("db", "SELECT count(*) FROM "+table+" WHERE k ", "")
					sq, args := kc.keys(q, d.dialect)
					var n int
					if err := db.QueryRow(sq.Text(d.dialect), args...).Scan(&n); err != nil {
						t.Errorf("%s in a %s column: %v", kc.name, col, err)
						continue
					}
					if n != len(kc.rows) {
						t.Errorf("%s in a %s column: %d rows for %d keys", kc.name, col, n, len(kc.rows))
					}
				}
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
