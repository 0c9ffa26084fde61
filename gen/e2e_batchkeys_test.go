package gen_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/reftask/reftask/internal/testdb"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/httpsource"
	"github.com/reftask/reftask/runtime/source/sqlsource"
	"github.com/reftask/reftask/testdata/golden/batchkeys"
)

// taskBatches records the size of every batch call, per task.
type taskBatches struct {
	mu    sync.Mutex
	sizes map[string][]int
}

func (b *taskBatches) hooks() runtime.Hooks {
	b.sizes = map[string][]int{}
	return runtime.Hooks{OnBatch: func(_ context.Context, e runtime.BatchEvent) {
		b.mu.Lock()
		b.sizes[e.Task] = append(b.sizes[e.Task], e.Size)
		b.mu.Unlock()
	}}
}

// get returns the number of batch calls of task and the keys they carried.
func (b *taskBatches) get(task string) (calls, keys int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.sizes[task] {
		keys += s
	}
	return len(b.sizes[task]), keys
}

// keyCase is one batched task of testdata/golden/batchkeys under test.
type keyCase[K comparable, R any] struct {
	task    string
	maxSize int
	get     func(context.Context, K) (*R, error)
	many    func(context.Context, []K) (map[K]*R, error)
	keyOf   func(*R) K
	found   []K // keys the source has
	missing []K // keys it has not
	more    []K // further keys it has, asked only through many
}

// run asks every key twice, all callers at once: the task must make few
// batch calls that together carry each distinct key once, answer every
// found key with its own record and every missing key with not found.
// Then the many-key method, with cached, new and missing keys, must make
// exactly one batch call for the new keys and return the map.
func (kc keyCase[K, R]) run(t *testing.T, bt *taskBatches) {
	t.Helper()
	ctx := context.Background()
	calls0, keys0 := bt.get(kc.task)
	all := append(append([]K(nil), kc.found...), kc.missing...)
	start := make(chan struct{})
	var wg sync.WaitGroup
	var found, notFound atomic.Int64
	for _, k := range all {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r, err := kc.get(ctx, k)
				switch {
				case runtime.IsNotFound(err):
					notFound.Add(1)
				case err != nil:
					t.Errorf("%s %v: %v", kc.task, k, err)
				case kc.keyOf(r) != k:
					t.Errorf("%s: asked %v, got the record of %v", kc.task, k, kc.keyOf(r))
				default:
					found.Add(1)
				}
			}()
		}
	}
	close(start)
	wg.Wait()
	if int(found.Load()) != 2*len(kc.found) || int(notFound.Load()) != 2*len(kc.missing) {
		t.Errorf("%s: found %d, not found %d; want %d and %d", kc.task, found.Load(), notFound.Load(), 2*len(kc.found), 2*len(kc.missing))
	}
	calls, keys := bt.get(kc.task)
	calls, keys = calls-calls0, keys-keys0
	if keys != len(all) {
		t.Errorf("%s: the batch calls carried %d keys for %d distinct keys asked twice each", kc.task, keys, len(all))
	}
	if lo := (len(all) + kc.maxSize - 1) / kc.maxSize; calls < lo || calls > len(all)/2 {
		t.Errorf("%s: %d batch calls for %d distinct keys (max_size %d)", kc.task, calls, len(all), kc.maxSize)
	}

	// The many-key method: two cached keys, one cached as missing, the new ones in one call.
	ask := append([]K{kc.found[0], kc.found[1], kc.missing[0]}, kc.more...)
	got, err := kc.many(ctx, ask)
	if err != nil {
		t.Fatalf("%s batch: %v", kc.task, err)
	}
	if len(got) != 2+len(kc.more) {
		t.Errorf("%s batch: %d records for %d keys, 1 of them missing", kc.task, len(got), len(ask))
	}
	for _, k := range ask[:2] {
		if r := got[k]; r == nil || kc.keyOf(r) != k {
			t.Errorf("%s batch: key %v has %v", kc.task, k, r)
		}
	}
	for _, k := range kc.more {
		if r := got[k]; r == nil || kc.keyOf(r) != k {
			t.Errorf("%s batch: key %v has %v", kc.task, k, r)
		}
	}
	if _, ok := got[kc.missing[0]]; ok {
		t.Errorf("%s batch: the missing key %v is in the map", kc.task, kc.missing[0])
	}
	if c, k := bt.get(kc.task); c-calls0-calls != 1 || k-keys0-keys != len(kc.more) {
		t.Errorf("%s batch: %d batch calls with %d keys, want 1 with the %d uncached keys", kc.task, c-calls0-calls, k-keys0-keys, len(kc.more))
	}
}

func uuidKey(i int) runtime.UUID {
	u, err := runtime.ParseUUID(fmt.Sprintf("%08x-abcd-4ef0-9abc-%012x", i, i*7919))
	if err != nil {
		panic(err)
	}
	return u
}

func dayKey(i int) runtime.Date {
	return runtime.DateOf(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i))
}

func hostKey(net byte, i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, net, byte(i / 250), byte(i % 250)})
}

func keyRange[K any](from, to int, key func(int) K) []K {
	var out []K
	for i := from; i < to; i++ {
		out = append(out, key(i))
	}
	return out
}

// columnTypes are the column types of the batchkeys tables: the natural
// type of each key in the dialect, or text throughout.
type columnTypes struct {
	uuid, date, addr, text string
}

func seedBatchKeys(t *testing.T, db *sql.DB, d sqlsource.Dialect, ct columnTypes, n int) {
	t.Helper()
	for _, q := range []string{
		"CREATE TABLE accounts (id " + ct.uuid + " PRIMARY KEY, name " + ct.text + " NOT NULL)",
		"CREATE TABLE legacy_accounts (code VARCHAR(36) NOT NULL, name " + ct.text + " NOT NULL)",
		"CREATE TABLE rates (day " + ct.date + " NOT NULL, basis_points INTEGER NOT NULL)",
		"CREATE TABLE hosts (addr " + ct.addr + " NOT NULL, name " + ct.text + " NOT NULL)",
		"CREATE TABLE items (sku VARCHAR(16) NOT NULL, title " + ct.text + " NOT NULL)",
		"CREATE TABLE tiers (tier VARCHAR(8) NOT NULL, label " + ct.text + " NOT NULL)",
		"INSERT INTO tiers VALUES ('free', 'Free'), ('pro', 'Pro')",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	ph := func(q string) string {
		if d != sqlsource.Postgres {
			return q
		}
		return strings.Replace(strings.Replace(q, "?", "$1", 1), "?", "$2", 1)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		for _, row := range []struct {
			q    string
			a, b any
		}{
			{"INSERT INTO accounts VALUES (?, ?)", uuidKey(i).String(), fmt.Sprintf("Account %d", i)},
			// The legacy table writes its UUIDs in upper case.
			{"INSERT INTO legacy_accounts VALUES (?, ?)", strings.ToUpper(uuidKey(i).String()), fmt.Sprintf("Legacy %d", i)},
			{"INSERT INTO rates VALUES (?, ?)", dayKey(i).String(), 10000 + i},
			{"INSERT INTO hosts VALUES (?, ?)", hostKey(1, i).String(), fmt.Sprintf("host-%d", i)},
			{"INSERT INTO items VALUES (?, ?)", fmt.Sprintf("AB-%d", i), fmt.Sprintf("Item %d", i)},
		} {
			if _, err := tx.Exec(ph(row.q), row.a, row.b); err != nil {
				t.Fatalf("%s: %v", row.q, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestE2EBatchKeysSQL batches tasks keyed by a uuid, a date, an ipv4
// address and an x-go-type SKU through SQL, on SQLite, PostgreSQL and
// MariaDB, with each key in a column of its natural type and in a text
// column; upper-case UUID text matches lower-case keys by value.
func TestE2EBatchKeysSQL(t *testing.T) {
	const seeded = 80 // keys 0..59 are asked one by one, 60..79 only through Get<name>Batch
	for _, d := range []struct {
		name    string
		dialect sqlsource.Dialect
		open    func(testing.TB) *sql.DB
		cols    columnTypes
	}{
		{"sqlite", sqlsource.SQLite, testdb.SQLite, columnTypes{"TEXT", "TEXT", "TEXT", "TEXT"}},
		{"postgres-natural", sqlsource.Postgres, testdb.Postgres, columnTypes{"uuid", "date", "inet", "text"}},
		{"postgres-text", sqlsource.Postgres, testdb.Postgres, columnTypes{"text", "text", "text", "text"}},
		{"mysql-natural", sqlsource.MySQL, testdb.MySQL, columnTypes{"CHAR(36)", "DATE", "VARCHAR(15)", "TEXT"}},
		{"mysql-text", sqlsource.MySQL, testdb.MySQL, columnTypes{"VARCHAR(64)", "VARCHAR(64)", "VARCHAR(64)", "TEXT"}},
	} {
		t.Run(d.name, func(t *testing.T) {
			ignore := goleak.IgnoreCurrent()
			t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
			db := d.open(t)
			seedBatchKeys(t, db, d.dialect, d.cols, seeded)
			var bt taskBatches
			x, err := runtime.New(runtime.WithSource(sqlsource.Bind("db", db, d.dialect)), runtime.WithHooks(bt.hooks()))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { x.Close() })
			c := batchkeys.NewClient(x)

			keyCase[runtime.UUID, batchkeys.Account]{
				task: "Account", maxSize: 50, get: c.GetAccount, many: c.GetAccountBatch,
				keyOf: func(r *batchkeys.Account) runtime.UUID { return r.ID },
				found: keyRange(0, 60, uuidKey), missing: keyRange(1000, 1010, uuidKey), more: keyRange(60, 80, uuidKey),
			}.run(t, &bt)
			keyCase[runtime.UUID, batchkeys.LegacyAccount]{
				task: "LegacyAccount", maxSize: 50, get: c.GetLegacyAccount, many: c.GetLegacyAccountBatch,
				keyOf: func(r *batchkeys.LegacyAccount) runtime.UUID { return r.Code },
				found: keyRange(0, 60, uuidKey), missing: keyRange(1000, 1010, uuidKey), more: keyRange(60, 80, uuidKey),
			}.run(t, &bt)
			keyCase[runtime.Date, batchkeys.Rate]{
				task: "Rate", maxSize: 50, get: c.GetRate, many: c.GetRateBatch,
				keyOf: func(r *batchkeys.Rate) runtime.Date { return r.Day },
				found: keyRange(0, 60, dayKey), missing: keyRange(1000, 1010, dayKey), more: keyRange(60, 80, dayKey),
			}.run(t, &bt)
			host := func(i int) netip.Addr { return hostKey(1, i) }
			keyCase[netip.Addr, batchkeys.Host]{
				task: "Host", maxSize: 50, get: c.GetHost, many: c.GetHostBatch,
				keyOf: func(r *batchkeys.Host) netip.Addr { return r.Addr },
				found: keyRange(0, 60, host), missing: keyRange(0, 10, func(i int) netip.Addr { return hostKey(2, i) }), more: keyRange(60, 80, host),
			}.run(t, &bt)
			sku := func(i int) batchkeys.SKU { return batchkeys.SKU(fmt.Sprintf("AB-%d", i)) }
			keyCase[batchkeys.SKU, batchkeys.Item]{
				task: "Item", maxSize: 50, get: c.GetItem, many: c.GetItemBatch,
				keyOf: func(r *batchkeys.Item) batchkeys.SKU { return r.SKU },
				found: keyRange(0, 60, sku), missing: keyRange(0, 10, func(i int) batchkeys.SKU { return batchkeys.SKU(fmt.Sprintf("ZZ-%d", i)) }), more: keyRange(60, 80, sku),
			}.run(t, &bt)

			// The records hold what the rows hold, read back into the key types.
			ctx := context.Background()
			if a, err := c.GetAccount(ctx, uuidKey(7)); err != nil || a.Name != "Account 7" {
				t.Errorf("GetAccount: %+v %v", a, err)
			}
			if l, err := c.GetLegacyAccount(ctx, uuidKey(7)); err != nil || l.Code != uuidKey(7) || l.Name != "Legacy 7" {
				t.Errorf("GetLegacyAccount: %+v %v", l, err)
			}
			if r, err := c.GetRate(ctx, dayKey(31)); err != nil || r.BasisPoints != 10031 || r.Day.String() != "2024-02-01" {
				t.Errorf("GetRate: %+v %v", r, err)
			}
			if h, err := c.GetHost(ctx, hostKey(1, 3)); err != nil || h.Name != "host-3" {
				t.Errorf("GetHost: %+v %v", h, err)
			}
			// A string key matches records whose key is an enum over strings.
			tiers, err := c.GetTierBatch(ctx, []string{"free", "pro", "gold"})
			if err != nil || len(tiers) != 2 || tiers["pro"].Tier != batchkeys.TierTierPro || tiers["free"].Label != "Free" {
				t.Errorf("GetTierBatch: %v %v", tiers, err)
			}
			if tr, err := c.GetTier(ctx, "gold"); !runtime.IsNotFound(err) {
				t.Errorf("GetTier(gold): %+v %v, want not found", tr, err)
			}
		})
	}
}

// TestE2EBatchKeysGoAndHTTP batches tasks keyed by an email and an int32
// through Go batch functions, and by a date and an x-go-type SKU through
// HTTP batch endpoints (GET with repeated query keys, POST with a body).
func TestE2EBatchKeysGoAndHTTP(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
	var badKeys atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/holidays":
			var out []map[string]any
			for _, day := range r.URL.Query()["day"] {
				d, err := runtime.ParseDate(day)
				if err != nil || d.String() != day {
					badKeys.Add(1)
					continue
				}
				if d.Year == 2024 { // other years have no holidays
					out = append(out, map[string]any{"day": day, "name": "Holiday " + day})
				}
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"holidays": out})
		case r.Method == http.MethodPost && r.URL.Path == "/stock:lookup":
			var req struct {
				SKUs []string `json:"skus"`
			}
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			var out []map[string]any
			for _, s := range req.SKUs {
				if strings.HasPrefix(s, "AB-") {
					out = append(out, map[string]any{"sku": s, "units": len(s)})
				}
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"stock": out})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	var bt taskBatches
	x, err := runtime.New(runtime.WithSource(httpsource.Bind("calendar", srv.URL)), runtime.WithHooks(bt.hooks()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	c := batchkeys.NewClient(x)

	email := func(domain string) func(int) runtime.Email {
		return func(i int) runtime.Email {
			e, err := runtime.ParseEmail(fmt.Sprintf("user%d@%s", i, domain))
			if err != nil {
				panic(err)
			}
			return e
		}
	}
	keyCase[runtime.Email, batchkeys.Member]{
		task: "Member", maxSize: 20, get: c.GetMember, many: c.GetMemberBatch,
		keyOf: func(r *batchkeys.Member) runtime.Email { return r.Email },
		found: keyRange(0, 50, email("example.com")), missing: keyRange(0, 10, email("example.org")), more: keyRange(50, 60, email("example.com")),
	}.run(t, &bt)
	keyCase[int32, batchkeys.Shard]{
		task: "Shard", maxSize: 10, get: c.GetShard, many: c.GetShardBatch,
		keyOf: func(r *batchkeys.Shard) int32 { return r.Number },
		found: keyRange(0, 40, func(i int) int32 { return int32(i) }), missing: keyRange(100, 110, func(i int) int32 { return int32(i) }),
		more: keyRange(40, 50, func(i int) int32 { return int32(i) }),
	}.run(t, &bt)
	keyCase[runtime.Date, batchkeys.Holiday]{
		task: "Holiday", maxSize: 30, get: c.GetHoliday, many: c.GetHolidayBatch,
		keyOf: func(r *batchkeys.Holiday) runtime.Date { return r.Day },
		found: keyRange(0, 50, dayKey), missing: keyRange(400, 410, dayKey), more: keyRange(50, 60, dayKey),
	}.run(t, &bt)
	sku := func(p string) func(int) batchkeys.SKU {
		return func(i int) batchkeys.SKU { return batchkeys.SKU(fmt.Sprintf("%s-%d", p, i)) }
	}
	keyCase[batchkeys.SKU, batchkeys.Stock]{
		task: "Stock", maxSize: 25, get: c.GetStock, many: c.GetStockBatch,
		keyOf: func(r *batchkeys.Stock) batchkeys.SKU { return r.SKU },
		found: keyRange(0, 50, sku("AB")), missing: keyRange(0, 10, sku("ZZ")), more: keyRange(50, 60, sku("AB")),
	}.run(t, &bt)
	if n := badKeys.Load(); n != 0 {
		t.Errorf("%d dates in the batch query were not in canonical YYYY-MM-DD form", n)
	}
	ctx := context.Background()
	if s, err := c.GetShard(ctx, 3); err != nil || s.Primary != netip.MustParseAddr("10.0.0.3") {
		t.Errorf("GetShard: %+v %v", s, err)
	}
	if s, err := c.GetStock(ctx, "AB-12"); err != nil || s.Units != 5 {
		t.Errorf("GetStock: %+v %v", s, err)
	}
}
