package runtime

import (
	"context"
	"errors"
	"fmt"
)

// RowScanner is how generated code reads query rows straight into its result type, without a Record per row:
// Columns names the columns Scan reads, and Scan builds one result from one Row. The names are matched to the
// query's columns once per query. A column the query does not return reads as absent, and the query's other
// columns are ignored, as with a Record.
type RowScanner[R any] struct {
	Columns []string
	Scan    func(row *Row) (*R, error)
}

// Row is one row of a query as a RowScanner's Scan sees it: the values of the scanner's columns by their position
// in Columns. The runtime reuses it for the next row, so Scan may keep the values it reads but not the Row.
type Row struct {
	at   []int // position in the scanner's Columns -> index in vals; -1 when the query did not return the column
	vals []any // this row's driver values, in the query's column order
}

// Col returns the value of the scanner's i-th column (nil for SQL NULL); a column the query did not return reads
// as absent, which the As functions report as a missing property.
func (r *Row) Col(i int) any {
	if j := r.at[i]; j >= 0 {
		return r.vals[j]
	}
	return absentValue{}
}

// Lookup returns the value of the scanner's i-th column and whether the query returned that column.
func (r *Row) Lookup(i int) (any, bool) {
	if j := r.at[i]; j >= 0 {
		return r.vals[j], true
	}
	return nil, false
}

// bind matches want to the query's columns. When the query names a column twice the last one counts, as it does
// in a Record.
func (r *Row) bind(want, cols []string) {
	r.at = make([]int, len(want))
	for i, name := range want {
		r.at[i] = -1
		for j, c := range cols {
			if c == name {
				r.at[i] = j
			}
		}
	}
}

// ScanOne runs q and scans its single row with s; no row is ErrNotFound, more than one is a permanent error.
func ScanOne[R any](ctx context.Context, x *Executor, q *SQLQuery, args []any, s *RowScanner[R]) (*R, error) {
	var out *R
	n, err := scanRows(ctx, x, q, args, 2, s, func(r *R) error {
		out = r
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case n == 0:
		return nil, ErrNotFound
	case n > 1:
		return nil, Permanent(fmt.Errorf("reftask: query on %q: query returned at least %d rows, want 1", q.conn, n))
	}
	return out, nil
}

// ScanAll runs q and scans every row with s; no row at all is ErrNotFound.
func ScanAll[E any](ctx context.Context, x *Executor, q *SQLQuery, args []any, s *RowScanner[E]) ([]E, error) {
	var out []E
	n, err := scanRows(ctx, x, q, args, -1, s, func(e *E) error {
		if e == nil {
			return Permanent(errors.New("row conversion returned no value"))
		}
		out = append(out, *e)
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case n == 0:
		return nil, ErrNotFound
	}
	return out, nil
}

// ScanBatch is QueryBatch with a RowScanner: it runs a batch query for keys and returns the results by key, as
// keyOf reads it from each result. A key with no row is absent from the map; two rows for one key are an error.
func ScanBatch[K comparable, R any](ctx context.Context, x *Executor, q *SQLBatchQuery, keys []K, s *RowScanner[R], keyOf func(*R) K) (map[K]*R, error) {
	out := make(map[K]*R, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	if x == nil || q == nil {
		return nil, Permanent(errors.New("reftask: nil query or executor"))
	}
	c, ok := x.conn(q.conn)
	if !ok {
		return nil, Permanent(fmt.Errorf("reftask: unknown SQL connection %q", q.conn))
	}
	sq, args := forKeys(q, c.dialect, keys)
	_, err := scanRows(ctx, x, sq, args, -1, s, func(r *R) error {
		if r == nil {
			return Permanent(errors.New("row conversion returned no value"))
		}
		k := keyOf(r)
		if _, dup := out[k]; dup {
			return Permanent(fmt.Errorf("the batch query returned two rows for key %v", k))
		}
		out[k] = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scanRows runs q, scans each row with s and hands the result to fn; with limit > 0 it stops reading after limit
// rows and scans only the first, since ScanOne only needs to know that there is more than one.
func scanRows[R any](ctx context.Context, x *Executor, q *SQLQuery, args []any, limit int, s *RowScanner[R], fn func(*R) error) (int, error) {
	if s == nil || s.Scan == nil {
		return 0, Permanent(errors.New("reftask: nil row scanner"))
	}
	rows, cols, err := openRows(ctx, x, q, args)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	row := Row{vals: make([]any, len(cols))}
	row.bind(s.Columns, cols)
	// database/sql copies []byte values into an *any destination, so Scan may keep what it reads.
	ptrs := make([]any, len(cols))
	for i := range row.vals {
		ptrs[i] = &row.vals[i]
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
		r, err := s.Scan(&row)
		if err == nil {
			err = fn(r)
		}
		if err != nil {
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
