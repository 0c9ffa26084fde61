// Package sqlsource is the SQL source kind: a query with :param placeholders,
// split at generate time, run on a *sql.DB bound under a connection name, its
// rows converted to the task's result.
//
// Bind a database under the connection name that specs use, with its dialect:
//
//	x, err := runtime.New(runtime.WithSource(sqlsource.Bind("shop", db, sqlsource.Postgres)))
//
// PostgreSQL, SQLite and MySQL/MariaDB are supported; the dialect decides the
// placeholders ($1 or ?) and how a batch query's key list is written
// (= ANY($1), or IN (?, ?, ...)). Binding does not take the database over:
// Close leaves it open for its owner.
//
// No row is runtime.ErrNotFound; more than one row for a single-row task is a
// permanent error. Driver errors that a new attempt may not see (a broken
// connection, a refused dial) stay retryable; every other error is permanent.
// A batch is one query, whose rows are matched to keys by a result property.
package sqlsource

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/seam"
)

// Kind is the name of this source kind in specs ("source": {"sql": ...}).
const Kind = "sql"

// Dialect selects the placeholder style and SQL flavour of a connection.
type Dialect int

// Supported SQL dialects.
const (
	Postgres Dialect = iota + 1
	SQLite
	MySQL
)

// String returns the dialect name.
func (d Dialect) String() string {
	switch d {
	case Postgres:
		return "postgres"
	case SQLite:
		return "sqlite"
	case MySQL:
		return "mysql"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

func (d Dialect) valid() bool { return d >= Postgres && d <= MySQL }

// Conn is a database bound under a connection name with its dialect; it implements source.Source.
type Conn struct {
	name    string
	db      *sql.DB
	dialect Dialect
}

// Bind binds db, whose SQL is dialect d, under name, for runtime.WithSource.
func Bind(name string, db *sql.DB, d Dialect) *Conn {
	return &Conn{name: name, db: db, dialect: d}
}

// Kind returns "sql".
func (c *Conn) Kind() string { return Kind }

// Name returns the connection name specs refer to.
func (c *Conn) Name() string { return c.name }

// Validate reports a binding that no query could use.
func (c *Conn) Validate() error {
	switch {
	case c.db == nil:
		return errors.New("nil *sql.DB")
	case !c.dialect.valid():
		return fmt.Errorf("unknown dialect %v", c.dialect)
	}
	return nil
}

// Check pings the database.
func (c *Conn) Check(ctx context.Context) error {
	if err := c.db.PingContext(ctx); err != nil {
		return fmt.Errorf("reftask: SQL connection %q: %w", c.name, err)
	}
	return nil
}

// Close leaves the database open: it belongs to whoever bound it.
func (c *Conn) Close() error { return nil }

// conn returns the database bound in x under name.
func conn(x *runtime.Executor, name string) (*Conn, error) {
	return seam.Lookup[*Conn](x, Kind, name)
}
