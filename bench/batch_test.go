package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"github.com/reftask/reftask/bench/lookups"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/sqlsource"
	"github.com/vikstrous/dataloadgen"
	_ "modernc.org/sqlite" // SQLite driver "sqlite"
)

// Issue 4's benchmark: batchLookups concurrent lookups of distinct keys against a table of as many users,
// (a) a generated task with batching off, (b) the same lookup with batching on, (c) dataloadgen with a
// hand-written batch function doing the same query. Every lookup of a round is a miss. The reftask contenders
// run, like a service, on one executor that lives as long as the database pool (every round of every contender
// on that database); each round starts with InvalidateTask for its task, which makes all its cached entries
// unreachable. dataloadgen gets a fresh loader per round, its natural reset (its cache lives in the loader).
// ns/op is the time for all batchLookups lookups of one round.
const (
	batchLookups  = 10_000
	batchMaxSize  = 100 // as in lookups/specs/user_row_batched.task.json
	batchWait     = time.Millisecond
	batchPoolSize = 16 // open (and idle) connections of the database/sql pool every contender shares
)

// batchPostgresURL is the server the PostgreSQL half uses unless REFTASK_POSTGRES_URL names another.
const batchPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func batchKey(i int) string { return "user_" + strconv.Itoa(i+1) }

// batchLookup is one contender's lookup of one key, on the state its round set up.
type batchLookup func(ctx context.Context, key string) (id string, err error)

type batchContender struct {
	name string
	// round prepares one round in which every lookup misses, and returns its lookup and what to release after it.
	round func(b *testing.B, env *batchEnv) (batchLookup, func())
}

// batchEnv is what the contenders share on one database: its pool and the one executor (with its client) that
// the reftask contenders keep for all their rounds, as a service keeps its executor for its lifetime.
type batchEnv struct {
	db *sql.DB
	d  sqlsource.Dialect
	x  *runtime.Executor
	c  *lookups.Client
}

var batchContenders = []batchContender{
	// (a) the generated task without batch: one query per lookup.
	{"unbatched", func(b *testing.B, env *batchEnv) (batchLookup, func()) {
		env.x.InvalidateTask("UserRow") // every entry the previous rounds cached becomes unreachable
		c := env.c
		return func(ctx context.Context, key string) (string, error) {
			r, err := c.GetUserRow(ctx, key)
			if err != nil {
				return "", err
			}
			return r.ID, nil
		}, func() {}
	}},
	// (b) the generated task with "batch": {"max_size": 100, "wait": "1ms"} and its batch_query.
	{"batched", func(b *testing.B, env *batchEnv) (batchLookup, func()) {
		env.x.InvalidateTask("UserRowBatched")
		c := env.c
		return func(ctx context.Context, key string) (string, error) {
			r, err := c.GetUserRowBatched(ctx, key)
			if err != nil {
				return "", err
			}
			return r.ID, nil
		}, func() {}
	}},
	// (b0) (b) without a cache: what storing and looking up every answer in the cache costs a batched miss.
	{"batched-uncached", func(b *testing.B, env *batchEnv) (batchLookup, func()) {
		c := env.c
		return func(ctx context.Context, key string) (string, error) {
			r, err := c.GetUserRowBatchedUncached(ctx, key)
			if err != nil {
				return "", err
			}
			return r.ID, nil
		}, func() {}
	}},
	// (c) dataloadgen, same batch size and wait, over the batch function a developer would write.
	{"dataloadgen", func(b *testing.B, env *batchEnv) (batchLookup, func()) {
		db, d := env.db, env.d
		l := dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*handUserRow, error) {
			return handUserRows(ctx, db, d, ids)
		}, dataloadgen.WithBatchCapacity(batchMaxSize), dataloadgen.WithWait(batchWait))
		return func(ctx context.Context, key string) (string, error) {
			r, err := l.Load(ctx, key)
			if err != nil {
				return "", err
			}
			return r.ID, nil
		}, func() {}
	}},
}

// newBatchEnv binds the generated lookups to db on the executor that every round on db uses, closed when the
// benchmark ends.
func newBatchEnv(b *testing.B, db *sql.DB, d sqlsource.Dialect) *batchEnv {
	x, err := runtime.New(runtime.WithSource(sqlsource.Bind("users", db, d)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = x.Close() })
	return &batchEnv{db: db, d: d, x: x, c: lookups.NewClient(x)}
}

// handUserRow is the struct a developer would write for the users table.
type handUserRow struct {
	ID    string
	Name  string
	Email sql.NullString
	Plan  string
}

// handUserRows is the hand-written batch query: the same text the runtime runs for the batched task
// (IN (?, ?, ...) on SQLite, = ANY($1) with one array parameter on PostgreSQL), scanned into a struct.
func handUserRows(ctx context.Context, db *sql.DB, d sqlsource.Dialect, ids []string) (map[string]*handUserRow, error) {
	const sel = "SELECT id, name, email, plan FROM users WHERE id "
	var q string
	var args []any
	if d == sqlsource.Postgres {
		q, args = sel+"= ANY($1)", []any{ids}
	} else {
		q = sel + "IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
		args = make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]*handUserRow, len(ids))
	for rows.Next() {
		r := new(handUserRow)
		if err := rows.Scan(&r.ID, &r.Name, &r.Email, &r.Plan); err != nil {
			return nil, err
		}
		out[r.ID] = r
	}
	return out, rows.Err()
}

// BenchmarkBatch runs every contender against SQLite (a temporary file) and PostgreSQL (a fresh schema in
// the local server, dropped afterwards; skipped with a message when the server is unreachable).
// It reports round-trips/op (queries the database received per round of batchLookups lookups, the mean
// over the rounds), max-round-trips (the most in any one round) and lookups/s.
func BenchmarkBatch(b *testing.B) {
	for _, dbc := range []struct {
		name string
		d    sqlsource.Dialect
		open func(b *testing.B, queries *atomic.Int64) *sql.DB
	}{{"sqlite", sqlsource.SQLite, openBatchSQLite}, {"postgres", sqlsource.Postgres, openBatchPostgres}} {
		b.Run(dbc.name, func(b *testing.B) {
			var queries atomic.Int64
			db := dbc.open(b, &queries)
			fillBatchUsers(b, db, dbc.d)
			env := newBatchEnv(b, db, dbc.d)
			for _, c := range batchContenders {
				b.Run(c.name, func(b *testing.B) { runBatchRounds(b, c, env, &queries) })
			}
		})
	}
}

func runBatchRounds(b *testing.B, c batchContender, env *batchEnv, queries *atomic.Int64) {
	ctx := context.Background()
	// One round, untimed, so that every contender finds the pool's connections open and, on PostgreSQL, its
	// statements prepared on them.
	batchRound(b, c, env)
	var rounds, sent, most int64
	for b.Loop() {
		b.StopTimer()
		get, release := c.round(b, env)
		goruntime.GC() // the last round's garbage is not this round's cost
		start := make(chan struct{})
		var ready, done sync.WaitGroup
		var failed atomic.Int64
		var firstErr atomic.Pointer[error]
		for i := range batchLookups {
			key := batchKey(i)
			ready.Add(1)
			done.Go(func() {
				ready.Done()
				<-start
				id, err := get(ctx, key)
				if err == nil && id != key {
					err = fmt.Errorf("lookup of %s answered %s", key, id)
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, &err)
				}
			})
		}
		ready.Wait()
		q0 := queries.Load()
		b.StartTimer()
		close(start)
		done.Wait()
		b.StopTimer()
		sent += queries.Load() - q0
		most = max(most, queries.Load()-q0)
		if n := queries.Load() - q0; c.name == "unbatched" && n != batchLookups {
			// Every lookup must have missed: (a) sends one query per miss.
			b.Fatalf("(a) sent %d queries for %d lookups: not every lookup missed", n, batchLookups)
		}
		rounds++
		release()
		if n := failed.Load(); n > 0 {
			b.Fatalf("%d of %d lookups failed, first: %v", n, batchLookups, *firstErr.Load())
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(sent)/float64(rounds), "round-trips/op")
	b.ReportMetric(float64(most), "max-round-trips")
	b.ReportMetric(float64(rounds*batchLookups)/b.Elapsed().Seconds(), "lookups/s")
}

// batchRound runs one round outside the measurement.
func batchRound(b *testing.B, c batchContender, env *batchEnv) {
	get, release := c.round(b, env)
	defer release()
	var wg sync.WaitGroup
	for i := range batchLookups {
		wg.Go(func() {
			if _, err := get(context.Background(), batchKey(i)); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
}

func openBatchSQLite(b *testing.B, queries *atomic.Int64) *sql.DB {
	dir := b.TempDir()
	return openCounted(b, "sqlite", filepath.Join(dir, "users.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)", queries)
}

// openBatchPostgres connects with a fresh schema first on the search path, dropped when the benchmark ends.
func openBatchPostgres(b *testing.B, queries *atomic.Int64) *sql.DB {
	base := batchPostgresURL
	if u := os.Getenv("REFTASK_POSTGRES_URL"); u != "" {
		base = u
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		if admin != nil {
			admin.Close()
		}
		// Benchmarks print skip messages only under -test.v: say it on stdout too, so that it lands in results/batch.txt.
		msg := fmt.Sprintf("skipping the PostgreSQL half of BenchmarkBatch: the server at %s is not reachable (%v); start it (see .ci/run) to measure it", base, err)
		fmt.Println("# " + msg)
		b.Skip(msg)
	}
	var sfx [6]byte
	_, _ = rand.Read(sfx[:])
	schema := "reftask_bench_" + hex.EncodeToString(sfx[:])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			b.Errorf("dropping schema %s: %v", schema, err)
		}
		admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return openCounted(b, "pgx", base+sep+"search_path="+schema, queries)
}

// fillBatchUsers creates the users table with batchLookups rows (every tenth without an email) and opens
// the pool's connections.
func fillBatchUsers(b *testing.B, db *sql.DB, d sqlsource.Dialect) {
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT, plan TEXT NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	plans := []string{"free", "pro", "enterprise"}
	const chunk = 500
	for lo := 0; lo < batchLookups; lo += chunk {
		var sb strings.Builder
		sb.WriteString("INSERT INTO users (id, name, email, plan) VALUES ")
		var args []any
		for i := lo; i < min(lo+chunk, batchLookups); i++ {
			if i > lo {
				sb.WriteString(", ")
			}
			n := len(args)
			if d == sqlsource.Postgres {
				fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4)
			} else {
				sb.WriteString("(?, ?, ?, ?)")
			}
			var email any
			if i%10 != 0 {
				email = fmt.Sprintf("user%d@example.com", i+1)
			}
			args = append(args, batchKey(i), fmt.Sprintf("User %d", i+1), email, plans[i%len(plans)])
		}
		if _, err := db.ExecContext(ctx, sb.String(), args...); err != nil {
			b.Fatal(err)
		}
	}
	if d == sqlsource.Postgres {
		if _, err := db.ExecContext(ctx, "ANALYZE users"); err != nil {
			b.Fatal(err)
		}
	}
	// Open every connection of the pool now, not in the first measured round.
	conns := make([]*sql.Conn, batchPoolSize)
	for i := range conns {
		c, err := db.Conn(ctx)
		if err != nil {
			b.Fatal(err)
		}
		conns[i] = c
	}
	for _, c := range conns {
		_ = c.Close()
	}
}

// openCounted opens a database/sql pool of batchPoolSize connections whose connections count every query
// they are sent in queries: what a round trip is here, for every contender alike.
func openCounted(b *testing.B, driverName, dsn string, queries *atomic.Int64) *sql.DB {
	probe, err := sql.Open(driverName, dsn)
	if err != nil {
		b.Fatal(err)
	}
	drv := probe.Driver()
	_ = probe.Close()
	var conn driver.Connector
	if dc, ok := drv.(driver.DriverContext); ok {
		if conn, err = dc.OpenConnector(dsn); err != nil {
			b.Fatal(err)
		}
	} else {
		conn = dsnConnector{drv, dsn}
	}
	db := sql.OpenDB(countingConnector{conn, queries})
	db.SetMaxOpenConns(batchPoolSize)
	db.SetMaxIdleConns(batchPoolSize)
	b.Cleanup(func() { _ = db.Close() })
	return db
}

type dsnConnector struct {
	d   driver.Driver
	dsn string
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.d }

type countingConnector struct {
	driver.Connector
	queries *atomic.Int64
}

func (c countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{cn, c.queries}, nil
}

// countingConn passes everything through to the driver's connection and counts queries. Both drivers used
// here implement QueryerContext, so every db.QueryContext reaches QueryContext below.
type countingConn struct {
	driver.Conn
	queries *atomic.Int64
}

func (c *countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	qc, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, errors.New("bench: the driver does not implement QueryerContext; queries would not be counted")
	}
	c.queries.Add(1)
	return qc.QueryContext(ctx, q, args)
}

func (c *countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if ec, ok := c.Conn.(driver.ExecerContext); ok {
		return ec.ExecContext(ctx, q, args)
	}
	return nil, driver.ErrSkip
}

func (c *countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	if pc, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return pc.PrepareContext(ctx, q)
	}
	return c.Conn.Prepare(q)
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if bc, ok := c.Conn.(driver.ConnBeginTx); ok {
		return bc.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // the fallback database/sql itself uses
}

func (c *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if nc, ok := c.Conn.(driver.NamedValueChecker); ok {
		return nc.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func (c *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *countingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *countingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}
