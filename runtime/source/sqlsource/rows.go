package sqlsource

import (
	"context"
	"errors"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/rawval"
)

// RowScanner is how generated code reads query rows straight into its result type, without a map[string]any per row:
// Columns names the columns Scan reads, and Scan builds one result from one Row. The names are matched to the
// query's columns once per query. A column the query does not return reads as absent, and the query's other
// columns are ignored, as with a map[string]any.
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
	return rawval.Absent{}
}

// Lookup returns the value of the scanner's i-th column and whether the query returned that column.
func (r *Row) Lookup(i int) (any, bool) {
	if j := r.at[i]; j >= 0 {
		return r.vals[j], true
	}
	return nil, false
}

// bind matches want to the query's columns. When the query names a column twice the last one counts, as it does
// in a map[string]any.
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

// ScanOne runs q and scans its single row with s; no row is runtime.ErrNotFound, more than one is a permanent error.
func ScanOne[R any](ctx context.Context, x *runtime.Executor, q *Query, args []any, s *RowScanner[R]) (*R, error) {
	return oneRow(ctx, x, q, args, viaScanner(s))
}

// ScanAll runs q and scans every row with s; no row at all is runtime.ErrNotFound.
func ScanAll[E any](ctx context.Context, x *runtime.Executor, q *Query, args []any, s *RowScanner[E]) ([]E, error) {
	return allRows(ctx, x, q, args, viaScanner(s))
}

// ScanBatch is QueryBatch with a RowScanner: it runs a batch query for keys and returns the results by key, as
// keyOf reads it from each result. A key with no row is absent from the map; two rows for one key are an error.
func ScanBatch[K comparable, R any](ctx context.Context, x *runtime.Executor, q *BatchQuery, keys []K, s *RowScanner[R], keyOf func(*R) K) (map[K]*R, error) {
	return rowsByKey(ctx, x, q, keys, viaScanner(s), keyOf)
}

// viaScanner reads each row column by column with s.
func viaScanner[R any](s *RowScanner[R]) rowReader[R] {
	return func(ctx context.Context, x *runtime.Executor, q *Query, args []any, limit int, fn func(*R) error) (int, error) {
		if s == nil || s.Scan == nil {
			return 0, runtime.Permanent(errors.New("reftask: nil row scanner"))
		}
		return eachRow(ctx, x, q, args, limit, func(cols []string) (func([]any) error, error) {
			var row Row
			row.bind(s.Columns, cols)
			return func(vals []any) error {
				row.vals = vals
				r, err := s.Scan(&row)
				if err != nil {
					return err
				}
				return fn(r)
			}, nil
		})
	}
}
