package sqlsource

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"

	"github.com/reftask/reftask/runtime"
)

// Query is a query split at its :param placeholders at generate time, with the text for each dialect
// built once in NewQuery.
type Query struct {
	conn   string
	params []string
	texts  [MySQL + 1]string
	err    error // malformed split, reported by QueryOne and QueryAll instead of panicking at init
	only   Dialect
}

// NewQuery builds a query for the named connection; len(parts) must be len(params)+1.
func NewQuery(conn string, parts []string, params []string) *Query {
	q := &Query{conn: conn, params: append([]string(nil), params...)}
	if len(parts) != len(params)+1 {
		q.err = runtime.Permanent(fmt.Errorf("reftask: query for connection %q has %d parts for %d params, want %d parts",
			conn, len(parts), len(params), len(params)+1))
		return q
	}
	var pg, qm strings.Builder
	for i, part := range parts {
		pg.WriteString(part)
		qm.WriteString(part)
		if i < len(params) {
			pg.WriteString("$")
			pg.WriteString(strconv.Itoa(i + 1))
			qm.WriteString("?")
		}
	}
	q.texts[Postgres] = pg.String()
	q.texts[SQLite] = qm.String()
	q.texts[MySQL] = q.texts[SQLite]
	return q
}

// Only marks q as written for dialect d alone and returns it: the generator
// split it at its placeholders as d reads its string literals and comments,
// so running it on a connection of another dialect is an error rather than
// a query whose parameters may be bound in the wrong places.
func (q *Query) Only(d Dialect) *Query {
	q.only = d
	return q
}

// checkDialect reports a query that names a dialect other than the connection's.
func checkDialect(only, conn Dialect, name string) error {
	if only != 0 && only != conn {
		return runtime.Permanent(fmt.Errorf("reftask: the query is written for %s, but connection %q is %s: its string literals and comments may read differently there", only, name, conn))
	}
	return nil
}

// Text returns the query text with placeholders for d ($1..$n for Postgres, ? otherwise); "" for an unknown dialect.
func (q *Query) Text(d Dialect) string {
	if !d.valid() {
		return ""
	}
	return q.texts[d]
}

// Conn returns the connection name the query runs on.
func (q *Query) Conn() string { return q.conn }

// Params returns the names of the query's parameters, in placeholder order.
func (q *Query) Params() []string { return append([]string(nil), q.params...) }

// QueryOne runs q and converts its single row; no row is runtime.ErrNotFound, more than one is a permanent error.
func QueryOne[R any](ctx context.Context, x *runtime.Executor, q *Query, args []any, conv func(map[string]any) (*R, error)) (*R, error) {
	return oneRow(ctx, x, q, args, viaRecord(conv))
}

// QueryAll runs q and converts every row; no row at all is runtime.ErrNotFound.
func QueryAll[E any](ctx context.Context, x *runtime.Executor, q *Query, args []any, conv func(map[string]any) (*E, error)) ([]E, error) {
	return allRows(ctx, x, q, args, viaRecord(conv))
}

// rowReader reads the rows of q as results, handing each to fn; with limit > 0 it stops reading after limit rows
// and reads only the first, since a single-row lookup only needs to know that there is more than one. The
// generated code reads rows either through a map[string]any and a converter (viaRecord) or column by column with a
// RowScanner (viaScanner); oneRow, allRows and rowsByKey give both the same rules.
type rowReader[R any] func(ctx context.Context, x *runtime.Executor, q *Query, args []any, limit int, fn func(*R) error) (int, error)

// viaRecord reads each row as a map[string]any, which conv converts.
func viaRecord[R any](conv func(map[string]any) (*R, error)) rowReader[R] {
	return func(ctx context.Context, x *runtime.Executor, q *Query, args []any, limit int, fn func(*R) error) (int, error) {
		return query(ctx, x, q, args, limit, func(rec map[string]any) error {
			r, err := conv(rec)
			if err != nil {
				return err
			}
			return fn(r)
		})
	}
}

// oneRow is the single-row lookup: no row is runtime.ErrNotFound, more than one is a permanent error.
func oneRow[R any](ctx context.Context, x *runtime.Executor, q *Query, args []any, read rowReader[R]) (*R, error) {
	var out *R
	n, err := read(ctx, x, q, args, 2, func(r *R) error {
		out = r
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case n == 0:
		return nil, runtime.ErrNotFound
	case n > 1:
		return nil, runtime.Permanent(fmt.Errorf("reftask: query on %q: query returned at least %d rows, want 1", q.conn, n))
	}
	return out, nil
}

// allRows is the list lookup: every row, and runtime.ErrNotFound for none.
func allRows[E any](ctx context.Context, x *runtime.Executor, q *Query, args []any, read rowReader[E]) ([]E, error) {
	var out []E
	n, err := read(ctx, x, q, args, -1, func(e *E) error {
		if e == nil {
			return runtime.Permanent(errors.New("row conversion returned no value"))
		}
		out = append(out, *e)
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case n == 0:
		return nil, runtime.ErrNotFound
	}
	return out, nil
}

// query runs q and hands each row to fn, in a map[string]any that is reused for the next row.
func query(ctx context.Context, x *runtime.Executor, q *Query, args []any, limit int, fn func(map[string]any) error) (int, error) {
	var rec map[string]any
	return eachRow(ctx, x, q, args, limit, func(cols []string) (func([]any) error, error) {
		return func(vals []any) error {
			// One map for every row: conv reads it and must not keep it (generated converters copy what they
			// keep, AsJSONValue included), and a map per row was the largest allocation of a batch query.
			if rec == nil {
				rec = make(map[string]any, len(cols))
			} else {
				clear(rec)
			}
			for i, col := range cols {
				v := vals[i]
				if b, ok := v.([]byte); ok {
					// Drivers may reuse the buffer on the next Next.
					v = append([]byte(nil), b...)
				}
				rec[col] = v
			}
			return fn(rec)
		}, nil
	})
}

// eachRow runs q and hands each row's driver values, in the query's column order, to the function start returns
// for the query's columns; with limit > 0 it stops reading after limit rows and hands on only the first. The values
// are scanned into *any destinations, so database/sql has already copied any []byte it returns.
func eachRow(ctx context.Context, x *runtime.Executor, q *Query, args []any, limit int, start func(cols []string) (func(vals []any) error, error)) (int, error) {
	rows, cols, err := openRows(ctx, x, q, args)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	fn, err := start(cols)
	if err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		n++
		if limit > 0 && n > 1 {
			if n >= limit {
				break
			}
			continue
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, sqlErr(ctx, q, err)
		}
		if err := fn(vals); err != nil {
			return n, convFailure(q, err)
		}
	}
	if err := rows.Err(); err != nil {
		return n, sqlErr(ctx, q, err)
	}
	if err := rows.Close(); err != nil {
		return n, sqlErr(ctx, q, err)
	}
	return n, nil
}

// openRows runs q on its connection and returns its rows and column names; the caller closes the rows.
func openRows(ctx context.Context, x *runtime.Executor, q *Query, args []any) (*sql.Rows, []string, error) {
	if q == nil || x == nil {
		return nil, nil, runtime.Permanent(errors.New("reftask: nil query or executor"))
	}
	if q.err != nil {
		return nil, nil, q.err
	}
	c, err := conn(x, q.conn)
	if err != nil {
		return nil, nil, err
	}
	if err := checkDialect(q.only, c.dialect, q.conn); err != nil {
		return nil, nil, err
	}
	rows, err := c.db.QueryContext(ctx, q.texts[c.dialect], args...)
	if err != nil {
		return nil, nil, sqlErr(ctx, q, err)
	}
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return nil, nil, sqlErr(ctx, q, err)
	}
	return rows, cols, nil
}

// sqlErr keeps errors that a new attempt may not see retryable and marks the rest Permanent;
// sql.ErrNoRows never leaks.
func sqlErr(ctx context.Context, q *Query, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return runtime.ErrNotFound
	}
	err = fmt.Errorf("reftask: query on %q: %w", q.conn, err)
	if ctx.Err() != nil || isTransientDriverErr(err) {
		// Context errors stay retryable here: the executor knows whether it was the attempt timeout or the caller.
		return err
	}
	return runtime.Permanent(err)
}

// convFailure marks row conversion errors Permanent: the same row converts the same way next time.
func convFailure(q *Query, err error) error {
	if runtime.IsNotFound(err) {
		return err
	}
	return runtime.Permanent(fmt.Errorf("reftask: query on %q: %w", q.conn, err))
}

// isTransientDriverErr recognises connection-level failures that a new attempt may not see;
// sqlErr marks every other driver error Permanent.
func isTransientDriverErr(err error) bool {
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &ne)
}
