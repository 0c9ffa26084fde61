package gen_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/reftask/reftask/internal/testdb"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/kit"
	"github.com/reftask/reftask/runtime/source/filesource"
	"github.com/reftask/reftask/runtime/source/httpsource"
	"github.com/reftask/reftask/runtime/source/sqlsource"
	"github.com/reftask/reftask/testdata/golden/paramkeys"
)

// Cache key identity (issue 11, class 1): two param sets may share a cache entry only if every source kind sees
// them the same. Each task of testdata/golden/paramkeys has a source that echoes what it was given: the request
// line and body of an HTTP GET or POST, the file pointer (each record of the file holds its own pointer), the type
// and value SQLite received for each argument, and the params a Go function was called with.
//
// The property is checked without reading keys: one executor keeps every entry while the params are varied (c1),
// another answers each lookup fresh from the source (c0). Had two params with different renderings one key, c1
// would answer the second from the entry of the first, and its echo would differ from c0's.

// identityCase is one param set: get looks it up on a client and returns the source's echo.
type identityCase struct {
	name string
	get  func(ctx context.Context, c *paramkeys.Client) (*paramkeys.Echo, error)
}

type keyEnv struct {
	c1, c0 *paramkeys.Client
	x1, x0 *runtime.Executor
	mu     sync.Mutex
	calls  map[string]int // source calls on x1, per task
}

func (k *keyEnv) sourceCalls(task string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.calls[task]
}

func newKeyEnv(t *testing.T, records map[string]any) *keyEnv {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"seen": r.Method + " " + r.RequestURI + " " + string(b)})
	}))
	t.Cleanup(srv.Close)
	doc, err := json.Marshal(records)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"records.json": {Data: doc}}
	db := testdb.SQLite(t)
	k := &keyEnv{calls: map[string]int{}}
	open := func(hooks runtime.Hooks) (*runtime.Executor, *paramkeys.Client) {
		x, err := runtime.New(runtime.WithSource(httpsource.Bind("echo", srv.URL)), runtime.WithSource(filesource.FS(fsys, filesource.Poll(0))),
			runtime.WithSource(sqlsource.Bind("db", db, sqlsource.SQLite)), runtime.WithHooks(hooks))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
		return x, paramkeys.NewClient(x)
	}
	k.x1, k.c1 = open(runtime.Hooks{OnSourceCall: func(_ context.Context, e runtime.Event) {
		k.mu.Lock()
		k.calls[e.Task]++
		k.mu.Unlock()
	}})
	k.x0, k.c0 = open(runtime.Hooks{})
	return k
}

// check runs every case twice, in random orders, on c1 and fresh on c0, and compares the echoes; found says that
// every case must be answered (the file records exist for each).
func (k *keyEnv) check(t *testing.T, task string, cases []identityCase, found bool, rng *rand.Rand) {
	t.Helper()
	ctx := context.Background()
	seenBy := map[string]string{} // echo -> first case that got it
	needless := 0
	var examples []string
	for round := range 2 {
		rng.Shuffle(len(cases), func(i, j int) { cases[i], cases[j] = cases[j], cases[i] })
		for _, kc := range cases {
			before := k.sourceCalls(task)
			got, err1 := kc.get(ctx, k.c1)
			missed := k.sourceCalls(task) > before
			k.x0.InvalidateTask(task)
			want, err0 := kc.get(ctx, k.c0)
			switch {
			case (err0 == nil) != (err1 == nil) || runtime.IsNotFound(err0) != runtime.IsNotFound(err1):
				t.Errorf("%s %s: cached lookup err = %v, fresh err = %v", task, kc.name, err1, err0)
				continue
			case err0 != nil:
				if found || !strings.Contains(err0.Error(), "empty") {
					t.Errorf("%s %s: %v", task, kc.name, err0)
				}
				continue
			case got.Seen != want.Seen:
				t.Errorf("%s %s: answered from another param set's entry:\n cached %q\n fresh  %q", task, kc.name, got.Seen, want.Seen)
				continue
			}
			if first, ok := seenBy[want.Seen]; ok && missed && round == 0 && first != kc.name {
				needless++
				if len(examples) < 4 {
					examples = append(examples, fmt.Sprintf("%s / %s", first, kc.name))
				}
			}
			if _, ok := seenBy[want.Seen]; !ok {
				seenBy[want.Seen] = kc.name
			}
		}
	}
	// The other direction (one rendering, two keys) only costs a miss; say how often it happens.
	t.Logf("%s: %d param sets, %d renderings, %d misses for a rendering already cached (e.g. %s)",
		task, len(cases), len(seenBy), needless, strings.Join(examples, "; "))
}

// Value pools: every kind of param, with values a careless key would confuse.

func keyStrings(rng *rand.Rand) []string {
	out := []string{"a", "A", "a/b", "a%2Fb", "a%2fb", "a?b", "a#b", "a%b", "a%", "~", "~0", "~1", "/", ".", "..", "...",
		"a\x00b", "\x00", "a b", "a+b", "a%20b", "é", "e\u0301", "\xff", "\xfe", "\x01", "\x02a", "a\x01", "{s}",
		"${env:HOME}", strings.Repeat("x", 127), strings.Repeat("x", 128), "a&b=c", "a;b", "a\\b", "日本"}
	alphabet := []rune("aA/%~?#. +\x00é0")
	for range 60 {
		n := rng.IntN(4) + 1
		var b strings.Builder
		for range n {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		out = append(out, b.String())
	}
	return out
}

func keyInts(rng *rand.Rand) []int64 {
	out := []int64{0, 1, -1, 7, 10, math.MaxInt64, math.MinInt64, 1 << 32, -(1 << 32), 127, 128}
	for range 20 {
		out = append(out, rng.Int64N(2000)-1000)
	}
	return out
}

func keyFloats(rng *rand.Rand, nonFinite bool) []float64 {
	out := []float64{0, math.Copysign(0, -1), 1, 1.0000000000000002, 1.5, 0.1, 0.30000000000000004, 1e21, 1e20, 1e-7,
		-1.5, 5e-324, math.MaxFloat64, 100, 1e2}
	if nonFinite {
		out = append(out, math.NaN(), math.Inf(1), math.Inf(-1))
	}
	for range 20 {
		out = append(out, math.Round(rng.NormFloat64()*1e4)/1e2)
	}
	return out
}

// keyTimes are instants that coincide across offsets and zones: one instant in two offsets is two renderings,
// one instant in one offset under two zone names, or with and without a monotonic reading, is one.
func keyTimes(rng *rand.Rand) []time.Time {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	zones := []*time.Location{time.UTC, time.FixedZone("", 0), time.FixedZone("GMT", 0), time.FixedZone("CET", 3600),
		time.FixedZone("", 3600), time.FixedZone("X", -5*3600), time.FixedZone("", 5*3600+1800), time.Local}
	var out []time.Time
	for _, d := range []time.Duration{0, time.Hour, 30 * time.Minute, time.Nanosecond, 500 * time.Millisecond} {
		for _, z := range zones {
			out = append(out, base.Add(d).In(z))
		}
	}
	now := time.Now() // with a monotonic reading
	out = append(out, now, now.Round(0), now.In(time.UTC), now.Add(time.Hour).Add(-time.Hour))
	for range 10 {
		out = append(out, base.Add(time.Duration(rng.IntN(4))*time.Hour).In(zones[rng.IntN(len(zones))]))
	}
	return out
}

func mustParse[T any](t *testing.T, parse func(string) (T, error), ss ...string) []T {
	t.Helper()
	var out []T
	for _, s := range ss {
		v, err := parse(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		out = append(out, v)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

var keyCodes = []paramkeys.Code{{Raw: "Ab"}, {Raw: "ab"}, {Raw: "AB"}, {Raw: "a/b"}, {Raw: "a b"}, {Raw: "~1"}}

func TestKeyIdentity(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 1))
	strs, ints, times := keyStrings(rng), keyInts(rng), keyTimes(rng)
	dates := mustParse(t, runtime.ParseDate, "2024-02-29", "2024-03-01", "0001-01-01", "9999-12-31")
	tods := mustParse(t, runtime.ParseTimeOfDay, "08:30:00Z", "08:30:00+00:00", "08:30:00-00:00", "09:30:00+01:00", "08:30:00.5Z", "08:30:00.500Z", "23:59:60Z")
	durs := mustParse(t, runtime.ParseDuration, "P1D", "PT24H", "P2W", "P14D", "PT90M", "PT1H30M")
	uuids := mustParse(t, runtime.ParseUUID, "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3F2504E0-4F89-11D3-9A0C-0305E82C3301", "00000000-0000-0000-0000-000000000000")
	emails := mustParse(t, runtime.ParseEmail, "a@x.org", "A@x.org", "a@X.org", "a.b@x.org")
	uris := mustParse(t, runtime.ParseURI, "http://x/a", "HTTP://x/a", "http://x/a?b#c", "http://x/a%2Fb", "urn:a")
	v4s := mustParse(t, runtime.ParseIPv4, "1.2.3.4", "10.0.0.1", "0.0.0.0")
	v6s := mustParse(t, runtime.ParseIPv6, "::1", "0:0:0:0:0:0:0:1", "::ffff:1.2.3.4", "::FFFF:1.2.3.4", "2001:db8::1", "2001:DB8:0::1", "::")

	// KeyGet: every scalar type in an HTTP path and query.
	baseGet := paramkeys.KeyGetParams{S: "a", I: 1, N: 1.5, B: true, E: paramkeys.KeyGetParamsERed, Dt: times[0], D: dates[0],
		Tm: tods[0], Du: durs[0], U: uuids[0], Em: emails[0], Ur: uris[0], V4: v4s[0], V6: v6s[0], Gi: 7, Code: keyCodes[0]}
	var gets []identityCase
	addGet := func(name string, f func(p *paramkeys.KeyGetParams)) {
		p := baseGet
		f(&p)
		gets = append(gets, identityCase{name, func(ctx context.Context, c *paramkeys.Client) (*paramkeys.Echo, error) {
			return c.GetKeyGet(ctx, p.S, p.I, p.N, p.B, p.E, p.Dt, p.D, p.Tm, p.Du, p.U, p.Em, p.Ur, p.V4, p.V6, p.Gi, p.Code,
				&paramkeys.KeyGetOptions{Qs: p.Qs, Qn: p.Qn, Qdt: p.Qdt, Qi: p.Qi, Qcode: p.Qcode})
		}})
	}
	for i, v := range strs {
		addGet(fmt.Sprintf("s[%d]=%q", i, v), func(p *paramkeys.KeyGetParams) { p.S = v })
		addGet(fmt.Sprintf("qs[%d]=%q", i, v), func(p *paramkeys.KeyGetParams) { p.Qs = ptr(v) })
	}
	addGet("qs absent", func(p *paramkeys.KeyGetParams) {})
	addGet(`qs ""`, func(p *paramkeys.KeyGetParams) { p.Qs = ptr("") })
	addGet("qn absent", func(p *paramkeys.KeyGetParams) {})
	addGet("qn null", func(p *paramkeys.KeyGetParams) { p.Qn = runtime.OptNull[string]{Set: true, Null: true} })
	addGet(`qn ""`, func(p *paramkeys.KeyGetParams) { p.Qn = runtime.OptNull[string]{Set: true} })
	addGet(`qn "null"`, func(p *paramkeys.KeyGetParams) { p.Qn = runtime.OptNull[string]{Set: true, Value: "null"} })
	for i, v := range ints {
		addGet(fmt.Sprintf("i=%d", v), func(p *paramkeys.KeyGetParams) { p.I = v })
		addGet(fmt.Sprintf("qi=%d", v), func(p *paramkeys.KeyGetParams) { p.Qi = ptr(v) })
		addGet(fmt.Sprintf("i,s mix %d", i), func(p *paramkeys.KeyGetParams) { p.S, p.I = "a-", -v })
	}
	for _, v := range keyFloats(rng, true) {
		addGet(fmt.Sprintf("n=%v(%x)", v, math.Float64bits(v)), func(p *paramkeys.KeyGetParams) { p.N = v })
	}
	addGet("b=false", func(p *paramkeys.KeyGetParams) { p.B = false })
	for _, e := range []paramkeys.KeyGetParamsE{"red", "Red", "r/d"} {
		addGet("e="+string(e), func(p *paramkeys.KeyGetParams) { p.E = e })
	}
	for i, v := range times {
		addGet(fmt.Sprintf("dt[%d]=%s", i, v), func(p *paramkeys.KeyGetParams) { p.Dt = v })
		addGet(fmt.Sprintf("qdt[%d]=%s", i, v), func(p *paramkeys.KeyGetParams) { p.Qdt = ptr(v) })
	}
	for _, v := range dates {
		addGet("d="+v.String(), func(p *paramkeys.KeyGetParams) { p.D = v })
	}
	for i, v := range tods {
		addGet(fmt.Sprintf("tm[%d]", i), func(p *paramkeys.KeyGetParams) { p.Tm = v })
	}
	for i, v := range durs {
		addGet(fmt.Sprintf("du[%d]", i), func(p *paramkeys.KeyGetParams) { p.Du = v })
	}
	for i, v := range uuids {
		addGet(fmt.Sprintf("u[%d]", i), func(p *paramkeys.KeyGetParams) { p.U = v })
	}
	for i, v := range emails {
		addGet(fmt.Sprintf("em[%d]", i), func(p *paramkeys.KeyGetParams) { p.Em = v })
	}
	for i, v := range uris {
		addGet(fmt.Sprintf("ur[%d]", i), func(p *paramkeys.KeyGetParams) { p.Ur = v })
	}
	for i, v := range v4s {
		addGet(fmt.Sprintf("v4[%d]", i), func(p *paramkeys.KeyGetParams) { p.V4 = v })
	}
	for i, v := range v6s {
		addGet(fmt.Sprintf("v6[%d]", i), func(p *paramkeys.KeyGetParams) { p.V6 = v })
	}
	for _, v := range []int32{0, -1, 7, math.MaxInt32, math.MinInt32} {
		addGet(fmt.Sprintf("gi=%d", v), func(p *paramkeys.KeyGetParams) { p.Gi = v })
	}
	for _, v := range keyCodes {
		addGet("code="+v.Raw, func(p *paramkeys.KeyGetParams) { p.Code = v })
		addGet("qcode="+v.Raw, func(p *paramkeys.KeyGetParams) { p.Qcode = ptr(v) })
	}

	// KeyFile: a pointer of scalars. The records exist for every case, each holding the pointer that names it, as
	// the file source is documented to render one.
	baseFile := paramkeys.KeyFileParams{S: "a", I: 1, N: 1.5, Dt: times[0], U: uuids[0], V6: v6s[0], Code: keyCodes[0]}
	records := map[string]any{}
	var files []identityCase
	addFile := func(name string, f func(p *paramkeys.KeyFileParams)) {
		p := baseFile
		f(&p)
		tokens := []string{"r", p.S, strconv.FormatInt(p.I, 10), strconv.FormatFloat(p.N, 'g', -1, 64),
			kit.NormalTime(p.Dt).Format(time.RFC3339Nano), p.U.String(), p.V6.String(), fmt.Sprint(p.Code)}
		node := records
		ptrText := ""
		for i, tok := range tokens {
			ptrText = kit.JoinPointer(ptrText, tok)
			if i == 0 {
				continue
			}
			if i == len(tokens)-1 {
				node[tok] = map[string]any{"seen": ptrText}
				break
			}
			next, _ := node[tok].(map[string]any)
			if next == nil {
				next = map[string]any{}
				node[tok] = next
			}
			node = next
		}
		files = append(files, identityCase{name, func(ctx context.Context, c *paramkeys.Client) (*paramkeys.Echo, error) {
			return c.GetKeyFile(ctx, p.S, p.I, p.N, p.Dt, p.U, p.V6, p.Code)
		}})
	}
	records["r"] = map[string]any{}
	records = records["r"].(map[string]any)
	for i, v := range strs {
		if !utf8.ValidString(v) {
			continue // a JSON file cannot hold such a key
		}
		addFile(fmt.Sprintf("s[%d]=%q", i, v), func(p *paramkeys.KeyFileParams) { p.S = v })
	}
	for _, v := range ints {
		addFile(fmt.Sprintf("i=%d", v), func(p *paramkeys.KeyFileParams) { p.I = v })
	}
	for _, v := range keyFloats(rng, false) {
		addFile(fmt.Sprintf("n=%v(%x)", v, math.Float64bits(v)), func(p *paramkeys.KeyFileParams) { p.N = v })
	}
	for i, v := range times {
		addFile(fmt.Sprintf("dt[%d]=%s", i, v), func(p *paramkeys.KeyFileParams) { p.Dt = v })
	}
	for i, v := range uuids {
		addFile(fmt.Sprintf("u[%d]", i), func(p *paramkeys.KeyFileParams) { p.U = v })
	}
	for i, v := range v6s {
		addFile(fmt.Sprintf("v6[%d]", i), func(p *paramkeys.KeyFileParams) { p.V6 = v })
	}
	for _, v := range keyCodes {
		addFile("code="+v.Raw, func(p *paramkeys.KeyFileParams) { p.Code = v })
	}

	// KeySQL: the arguments SQLite receives.
	baseSQL := paramkeys.KeySQLParams{S: "a", I: 1, N: 1.5, B: true, E: "red", Dt: times[0], D: dates[0], U: uuids[0], V4: v4s[0], Gi: 7, Code: keyCodes[0]}
	var sqls []identityCase
	addSQL := func(name string, f func(p *paramkeys.KeySQLParams)) {
		p := baseSQL
		f(&p)
		sqls = append(sqls, identityCase{name, func(ctx context.Context, c *paramkeys.Client) (*paramkeys.Echo, error) {
			return c.GetKeySQL(ctx, p.S, p.I, p.N, p.B, p.E, p.Dt, p.D, p.U, p.V4, p.Gi, p.Code,
				&paramkeys.KeySQLOptions{Os: p.Os, On: p.On, Odt: p.Odt})
		}})
	}
	for i, v := range strs {
		addSQL(fmt.Sprintf("s[%d]=%q", i, v), func(p *paramkeys.KeySQLParams) { p.S = v })
		addSQL(fmt.Sprintf("os[%d]=%q", i, v), func(p *paramkeys.KeySQLParams) { p.Os = ptr(v) })
	}
	addSQL("on null", func(p *paramkeys.KeySQLParams) { p.On = runtime.OptNull[string]{Set: true, Null: true} })
	addSQL(`on ""`, func(p *paramkeys.KeySQLParams) { p.On = runtime.OptNull[string]{Set: true} })
	for _, v := range ints {
		addSQL(fmt.Sprintf("i=%d", v), func(p *paramkeys.KeySQLParams) { p.I = v })
	}
	for _, v := range keyFloats(rng, false) {
		addSQL(fmt.Sprintf("n=%v(%x)", v, math.Float64bits(v)), func(p *paramkeys.KeySQLParams) { p.N = v })
	}
	addSQL("b=false", func(p *paramkeys.KeySQLParams) { p.B = false })
	for _, e := range []paramkeys.KeySQLParamsE{"red", "Red", "r/d"} {
		addSQL("e="+string(e), func(p *paramkeys.KeySQLParams) { p.E = e })
	}
	for i, v := range times {
		addSQL(fmt.Sprintf("dt[%d]=%s", i, v), func(p *paramkeys.KeySQLParams) { p.Dt = v })
		addSQL(fmt.Sprintf("odt[%d]=%s", i, v), func(p *paramkeys.KeySQLParams) { p.Odt = ptr(v) })
	}
	for _, v := range dates {
		addSQL("d="+v.String(), func(p *paramkeys.KeySQLParams) { p.D = v })
	}
	for i, v := range uuids {
		addSQL(fmt.Sprintf("u[%d]", i), func(p *paramkeys.KeySQLParams) { p.U = v })
	}
	for i, v := range v4s {
		addSQL(fmt.Sprintf("v4[%d]", i), func(p *paramkeys.KeySQLParams) { p.V4 = v })
	}
	for _, v := range []int32{0, -1, math.MaxInt32} {
		addSQL(fmt.Sprintf("gi=%d", v), func(p *paramkeys.KeySQLParams) { p.Gi = v })
	}
	for _, v := range keyCodes {
		addSQL("code="+v.Raw, func(p *paramkeys.KeySQLParams) { p.Code = v })
	}

	// KeyPost: objects, arrays, maps and JSON values in a body.
	basePost := paramkeys.KeyPostParams{Tags: []string{"a"}, When: times[0], Slot: paramkeys.KeyPostParamsSlot{At: times[0]}}
	var posts []identityCase
	addPost := func(name string, f func(p *paramkeys.KeyPostParams)) {
		p := basePost
		f(&p)
		posts = append(posts, identityCase{name, func(ctx context.Context, c *paramkeys.Client) (*paramkeys.Echo, error) {
			return c.GetKeyPost(ctx, p.Tags, p.When, p.Slot, &paramkeys.KeyPostOptions{Times: p.Times, Counts: p.Counts,
				Any: p.Any, Price: p.Price, Opt: p.Opt, Optnull: p.Optnull, Code: p.Code})
		}})
	}
	for i, v := range strs {
		addPost(fmt.Sprintf("tags[%d]", i), func(p *paramkeys.KeyPostParams) { p.Tags = []string{v} })
		addPost(fmt.Sprintf("tags2[%d]", i), func(p *paramkeys.KeyPostParams) { p.Tags = []string{"a", v} })
		addPost(fmt.Sprintf("label[%d]", i), func(p *paramkeys.KeyPostParams) { p.Slot.Label = ptr(v) })
		addPost(fmt.Sprintf("opt[%d]", i), func(p *paramkeys.KeyPostParams) { p.Opt = ptr(v) })
	}
	addPost("tags empty", func(p *paramkeys.KeyPostParams) { p.Tags = []string{} })
	addPost("tags nil", func(p *paramkeys.KeyPostParams) { p.Tags = nil })
	for i, v := range times {
		addPost(fmt.Sprintf("when[%d]", i), func(p *paramkeys.KeyPostParams) { p.When = v })
		addPost(fmt.Sprintf("slot.at[%d]", i), func(p *paramkeys.KeyPostParams) { p.Slot.At = v })
		addPost(fmt.Sprintf("times[%d]", i), func(p *paramkeys.KeyPostParams) { p.Times = &[]time.Time{times[0], v} })
	}
	for i := range 30 {
		m := map[string]int64{}
		for j := range rng.IntN(5) {
			m[fmt.Sprint("k", (i+j)%4)] = int64(j % 2)
		}
		addPost(fmt.Sprintf("counts[%d]=%v", i, m), func(p *paramkeys.KeyPostParams) { p.Counts = &m })
	}
	for i, raw := range []string{`1`, `1.0`, `1e0`, `"1"`, `null`, `[1,2]`, `[2,1]`, `{"a":1,"b":2}`, `{"b":2,"a":1}`, `-0`, `0`, `"\u00e9"`, `"é"`, `{}`, `[]`} {
		var v runtime.JSONValue
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			t.Fatal(err)
		}
		addPost(fmt.Sprintf("any[%d]=%s", i, raw), func(p *paramkeys.KeyPostParams) { p.Any = &v })
	}
	for _, v := range keyFloats(rng, false) {
		addPost(fmt.Sprintf("price=%v(%x)", v, math.Float64bits(v)), func(p *paramkeys.KeyPostParams) { p.Price = ptr(v) })
	}
	addPost("optnull null", func(p *paramkeys.KeyPostParams) { p.Optnull = runtime.OptNull[int64]{Set: true, Null: true} })
	addPost("optnull 0", func(p *paramkeys.KeyPostParams) { p.Optnull = runtime.OptNull[int64]{Set: true} })
	for _, v := range keyCodes {
		addPost("code="+v.Raw, func(p *paramkeys.KeyPostParams) { p.Code = ptr(v) })
	}

	// KeyGo: what a Go function is called with, date-times' locations included.
	baseGo := paramkeys.KeyGoParams{S: "a", N: 1, Dt: times[0], Code: keyCodes[0]}
	var gos []identityCase
	addGo := func(name string, f func(p *paramkeys.KeyGoParams)) {
		p := baseGo
		f(&p)
		gos = append(gos, identityCase{name, func(ctx context.Context, c *paramkeys.Client) (*paramkeys.Echo, error) {
			return c.GetKeyGo(ctx, p.S, p.N, p.Dt, p.Code, &paramkeys.KeyGoOptions{Odt: p.Odt, Ts: p.Ts, Slot: p.Slot, Slots: p.Slots, Byname: p.Byname})
		}})
	}
	for i, v := range strs {
		addGo(fmt.Sprintf("s[%d]", i), func(p *paramkeys.KeyGoParams) { p.S = v })
	}
	for _, v := range keyFloats(rng, false) {
		addGo(fmt.Sprintf("n=%v(%x)", v, math.Float64bits(v)), func(p *paramkeys.KeyGoParams) { p.N = v })
	}
	for i, v := range times {
		addGo(fmt.Sprintf("dt[%d]=%s", i, v), func(p *paramkeys.KeyGoParams) { p.Dt = v })
		addGo(fmt.Sprintf("odt[%d]=%s", i, v), func(p *paramkeys.KeyGoParams) { p.Odt = ptr(v) })
		addGo(fmt.Sprintf("ts[%d]=%s", i, v), func(p *paramkeys.KeyGoParams) { p.Ts = &[]time.Time{v} })
		// Nested date-times: in an object, an array of objects and a map, at one and two levels.
		addGo(fmt.Sprintf("slot.at[%d]=%s", i, v), func(p *paramkeys.KeyGoParams) { p.Slot = &paramkeys.KeyGoParamsSlot{At: v} })
		addGo(fmt.Sprintf("slot.until[%d]=%s", i, v), func(p *paramkeys.KeyGoParams) {
			p.Slot = &paramkeys.KeyGoParamsSlot{At: times[0], Until: ptr(v)}
		})
		addGo(fmt.Sprintf("slots[%d]=%s", i, v), func(p *paramkeys.KeyGoParams) {
			p.Slots = &[]paramkeys.KeyGoParamsSlotItem{{At: times[0]}, {At: v}}
		})
		addGo(fmt.Sprintf("byname[%d]=%s", i, v), func(p *paramkeys.KeyGoParams) { p.Byname = &map[string]time.Time{"a": v, "b": times[0]} })
	}
	for _, v := range keyCodes {
		addGo("code="+v.Raw, func(p *paramkeys.KeyGoParams) { p.Code = v })
	}

	k := newKeyEnv(t, map[string]any{"r": records})
	t.Run("http get", func(t *testing.T) { k.check(t, "KeyGet", gets, false, rng) })
	t.Run("file", func(t *testing.T) { k.check(t, "KeyFile", files, true, rng) })
	t.Run("sql", func(t *testing.T) { k.check(t, "KeySQL", sqls, true, rng) })
	t.Run("http post", func(t *testing.T) { k.check(t, "KeyPost", posts, true, rng) })
	t.Run("go", func(t *testing.T) { k.check(t, "KeyGo", gos, true, rng) })
}

// The normal form a date-time reaches its source in: the same instant and offset, no zone name, no monotonic
// reading; UTC for offset 0.
func TestNormalTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 2))
	for _, tm := range keyTimes(rng) {
		n := kit.NormalTime(tm)
		_, off := tm.Zone()
		name, noff := n.Zone()
		if !n.Equal(tm) || noff != off || n.Format(time.RFC3339Nano) != tm.Format(time.RFC3339Nano) {
			t.Errorf("NormalTime(%v) = %v: instant or offset changed", tm, n)
		}
		if strings.Contains(n.String(), "m=") || (off == 0) != (n.Location() == time.UTC) || off != 0 && name != "" {
			t.Errorf("NormalTime(%v) = %v (zone %q): not the normal form", tm, n, name)
		}
		if again := kit.NormalTime(n); again.String() != n.String() {
			t.Errorf("NormalTime is not idempotent: %v then %v", n, again)
		}
	}
}
