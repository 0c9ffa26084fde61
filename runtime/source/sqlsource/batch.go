package sqlsource

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/rawval"
)

// BatchQuery is a batch query split around its key list: the runtime
// writes IN (?, ?, ...) for SQLite and MySQL, and = ANY($1) with a single
// array parameter for PostgreSQL, so that PostgreSQL prepares one
// statement whatever the number of keys.
type BatchQuery struct {
	conn           string
	prefix, suffix string
	pg             *Query // the PostgreSQL form, the same for any number of keys: built once
	only           Dialect
}

// Only marks q as written for dialect d alone and returns it, as Query.Only does.
func (q *BatchQuery) Only(d Dialect) *BatchQuery {
	q.only = d
	return q
}

// NewBatchQuery builds a batch query for the named connection from the
// text before and after its key list expression.
func NewBatchQuery(conn, prefix, suffix string) *BatchQuery {
	return &BatchQuery{conn: conn, prefix: prefix, suffix: suffix,
		pg: NewQuery(conn, []string{prefix + "= ANY(", ")" + suffix}, []string{"keys"})}
}

// forKeys returns the query for n keys in dialect d, and its arguments.
func forKeys[K comparable](q *BatchQuery, d Dialect, keys []K) (*Query, []any) {
	if d == Postgres {
		return q.pg, []any{keys}
	}
	parts := make([]string, len(keys)+1)
	params := make([]string, len(keys))
	args := make([]any, len(keys))
	parts[0] = q.prefix + "IN ("
	for i, k := range keys {
		if i > 0 {
			parts[i] = ", "
		}
		params[i] = "keys"
		args[i] = keyArg(k)
	}
	parts[len(keys)] = ")" + q.suffix
	return NewQuery(q.conn, parts, params), args
}

// keyArg makes a key a SQL argument: netip.Addr, the key type of formats
// ipv4 and ipv6, is not a driver.Valuer, so it is passed as its text; every
// other key type is a string, an integer or a driver.Valuer already.
func keyArg(k any) any {
	if a, ok := k.(netip.Addr); ok {
		return a.String()
	}
	return k
}

// QueryBatch runs a batch query for keys and returns the records by key,
// as keyOf reads it from each converted row. A key with no row is absent
// from the map; two rows for one key are an error, since the query would
// then answer a lookup twice.
func QueryBatch[K comparable, R any](ctx context.Context, x *runtime.Executor, q *BatchQuery, keys []K, conv func(map[string]any) (*R, error), keyOf func(*R) K) (map[K]*R, error) {
	return rowsByKey(ctx, x, q, keys, viaRecord(conv), keyOf)
}

// rowsByKey is the batch lookup behind QueryBatch and ScanBatch.
func rowsByKey[K comparable, R any](ctx context.Context, x *runtime.Executor, q *BatchQuery, keys []K, read rowReader[R], keyOf func(*R) K) (map[K]*R, error) {
	out := make(map[K]*R, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	if x == nil || q == nil {
		return nil, runtime.Permanent(errors.New("reftask: nil query or executor"))
	}
	c, err := conn(x, q.conn)
	if err != nil {
		return nil, err
	}
	if err := checkDialect(q.only, c.dialect, q.conn); err != nil {
		return nil, err
	}
	sq, args := forKeys(q, c.dialect, keys)
	_, err = read(ctx, x, sq, args, -1, func(r *R) error {
		if r == nil {
			return runtime.Permanent(errors.New("row conversion returned no value"))
		}
		k := keyOf(r)
		if _, dup := out[k]; dup {
			return runtime.Permanent(fmt.Errorf("the batch query returned two rows for key %s", rawval.QuoteAny(k)))
		}
		out[k] = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
