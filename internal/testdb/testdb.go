// Package testdb opens the databases end-to-end tests run against: a
// SQLite file in a temporary folder, and a fresh schema in the local
// PostgreSQL (or MariaDB), dropped when the test ends.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // MySQL/MariaDB driver "mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"
)

// PostgresURL is the server tests use unless REFTASK_POSTGRES_URL names another.
const PostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Unreachable fails the test under CI=true, where every service must run,
// and skips it elsewhere, saying what to start.
func Unreachable(t testing.TB, what string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not reachable (CI=true requires it): %v", what, err)
	}
	t.Skipf("skipping: %s is not reachable (%v); start it (see .ci/run) to run this test", what, err)
}

// SQLite opens a new SQLite database file in a temporary folder.
func SQLite(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "test.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Postgres connects to the local PostgreSQL with a fresh schema first on
// the search path, so tests never see each other's tables.
func Postgres(t testing.TB) *sql.DB {
	t.Helper()
	base := PostgresURL
	if u := os.Getenv("REFTASK_POSTGRES_URL"); u != "" {
		base = u
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		Unreachable(t, "PostgreSQL", err)
	}
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		Unreachable(t, "PostgreSQL at "+base, err)
	}
	schema := "reftask_" + randomSuffix()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	db, err := sql.Open("pgx", base+"&search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// MySQLURL is the MariaDB server tests use unless REFTASK_MYSQL_DSN names another.
const MySQLURL = "root@tcp(127.0.0.1:3306)/test"

// MySQL connects to the local MariaDB (or MySQL) in a fresh database,
// dropped when the test ends. Times are read as time.Time in UTC.
func MySQL(t testing.TB) *sql.DB {
	t.Helper()
	base := MySQLURL
	if u := os.Getenv("REFTASK_MYSQL_DSN"); u != "" {
		base = u
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin, err := sql.Open("mysql", base)
	if err != nil {
		Unreachable(t, "MariaDB", err)
	}
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		Unreachable(t, "MariaDB at "+base, err)
	}
	name := "reftask_" + randomSuffix()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(ctx, "DROP DATABASE "+name)
		admin.Close()
	})
	dsn := base[:strings.LastIndex(base, "/")+1] + name + "?parseTime=true&loc=UTC"
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
