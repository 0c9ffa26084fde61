package runtime

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/reftask/reftask/runtime/internal/seam"
)

// sqlKind is the SQL source kind's name, as specs spell it under "source".
const sqlKind = "sql"

// sqlConn is a database bound with WithSQL: a source of the SQL kind.
type sqlConn struct {
	name    string
	db      *sql.DB
	dialect Dialect
}

func (c *sqlConn) Kind() string { return sqlKind }
func (c *sqlConn) Name() string { return c.name }

// Validate reports a binding that no query could use.
func (c *sqlConn) Validate() error {
	switch {
	case c.db == nil:
		return errors.New("nil *sql.DB")
	case !c.dialect.valid():
		return fmt.Errorf("unknown dialect %v", c.dialect)
	}
	return nil
}

// Check pings the database.
func (c *sqlConn) Check(ctx context.Context) error {
	if err := c.db.PingContext(ctx); err != nil {
		return fmt.Errorf("reftask: SQL connection %q: %w", c.name, err)
	}
	return nil
}

// Close leaves the database open: it belongs to the caller of WithSQL.
func (c *sqlConn) Close() error { return nil }

// conn returns the database bound under name.
func (x *Executor) conn(name string) (*sqlConn, error) {
	return seam.Lookup[*sqlConn](x, sqlKind, name)
}
