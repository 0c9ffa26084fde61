package redissource_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/kit"
	"github.com/reftask/reftask/runtime/source/redissource"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// roundTrips counts what a client sends: each command or pipeline is one round trip.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmd)
	}
}
func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmds)
	}
}

// fixture is a client of the local Redis, keys under a prefix of this test's own, removed at the end.
type fixture struct {
	client *redis.Client
	prefix string
	trips  *roundTrips
	x      *runtime.Executor
}

func newFixture(t *testing.T, opts ...runtime.Option) *fixture {
	t.Helper()
	// One connection, dialed (by the Ping and the pipeline below) before the round-trip counter is installed: what
	// it counts is the lookups alone, not a new connection's HELLO and CLIENT SETINFO.
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", DialTimeout: time.Second, PoolSize: 1})
	ctx := context.Background()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis at 127.0.0.1:6379 is not reachable (CI=true): %v", err)
		}
		t.Skipf("Redis at 127.0.0.1:6379 is not reachable, skipping: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	f := &fixture{client: client, prefix: "reftask-test:" + t.Name() + ":" + hex.EncodeToString(b[:]) + ":", trips: &roundTrips{}}
	t.Cleanup(func() {
		ctx := context.Background()
		iter := client.Scan(ctx, 0, f.prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
		client.Close()
	})
	x, err := runtime.New(append([]runtime.Option{runtime.WithSource(redissource.Bind("refdata", client))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	f.x = x
	if _, err := client.Pipelined(ctx, func(p redis.Pipeliner) error { return p.Ping(ctx).Err() }); err != nil {
		t.Fatal(err)
	}
	client.AddHook(f.trips)
	return f
}

func (f *fixture) set(t *testing.T, key, value string) {
	t.Helper()
	if err := f.client.Set(context.Background(), f.prefix+key, value, 0).Err(); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) hset(t *testing.T, key string, fields ...string) {
	t.Helper()
	if err := f.client.HSet(context.Background(), f.prefix+key, fields).Err(); err != nil {
		t.Fatal(err)
	}
}

// asIs is a converter that keeps the raw value, so tests see what generated converters get.
func asIs(v any) (*any, error) { return &v, nil }

func num(s string) json.Number { return json.Number(s) }

func TestGet(t *testing.T) {
	f := newFixture(t)
	f.set(t, "sku:A1", `{"sku":"A1","price":12.50,"qty":9007199254740993,"tags":["x"]}`)
	f.set(t, "sku:null", `null`)
	f.set(t, "sku:bad", `{"sku":`)
	f.set(t, "sku:two", `{} {}`)
	f.set(t, "pair:eu:7", `"seven"`)
	f.hset(t, "h:A1", "sku", "A1", "qty", "12")
	ctx := context.Background()
	cases := []struct {
		name      string
		typ       redissource.Type
		parts     []string
		vals      []string
		want      any
		notFound  bool
		permanent string
	}{
		{name: "string key, exact numbers", typ: redissource.String, parts: []string{"sku:", ""}, vals: []string{"A1"},
			want: map[string]any{"sku": "A1", "price": num("12.50"), "qty": num("9007199254740993"), "tags": []any{"x"}}},
		{name: "two params", typ: redissource.String, parts: []string{"pair:", ":", ""}, vals: []string{"eu", "7"}, want: "seven"},
		{name: "JSON null is a value", typ: redissource.String, parts: []string{"sku:", ""}, vals: []string{"null"}, want: nil},
		{name: "missing string key", typ: redissource.String, parts: []string{"sku:", ""}, vals: []string{"ghost"}, notFound: true},
		{name: "not JSON", typ: redissource.String, parts: []string{"sku:", ""}, vals: []string{"bad"}, permanent: "not JSON text"},
		{name: "two documents", typ: redissource.String, parts: []string{"sku:", ""}, vals: []string{"two"}, permanent: "more than one JSON document"},
		{name: "hash", typ: redissource.Hash, parts: []string{"h:", ""}, vals: []string{"A1"}, want: map[string]any{"sku": "A1", "qty": "12"}},
		{name: "missing hash", typ: redissource.Hash, parts: []string{"h:", ""}, vals: []string{"ghost"}, notFound: true},
		{name: "string read as hash", typ: redissource.Hash, parts: []string{"sku:", ""}, vals: []string{"A1"}, permanent: "WRONGTYPE"},
		{name: "hash read as string", typ: redissource.String, parts: []string{"h:", ""}, vals: []string{"A1"}, permanent: "WRONGTYPE"},
		{name: "too few values", typ: redissource.String, parts: []string{"pair:", ":", ""}, vals: []string{"eu"}, permanent: "takes 2 values, got 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parts := append([]string{f.prefix + c.parts[0]}, c.parts[1:]...)
			params := make([]string, len(parts)-1)
			for i := range params {
				params[i] = "p"
			}
			k := redissource.NewKey("refdata", c.typ, parts, params)
			got, err := redissource.Get(ctx, f.x, "Sku", k, c.vals, asIs)
			switch {
			case c.notFound:
				if !errors.Is(err, runtime.ErrNotFound) {
					t.Fatalf("got %v, %v; want ErrNotFound", got, err)
				}
			case c.permanent != "":
				if err == nil || !runtime.IsPermanent(err) || !strings.Contains(err.Error(), c.permanent) {
					t.Fatalf("got %v; want a permanent error saying %q", err, c.permanent)
				}
			case err != nil:
				t.Fatal(err)
			case !reflect.DeepEqual(*got, c.want):
				t.Fatalf("got %#v, want %#v", *got, c.want)
			}
		})
	}
}

func TestGetErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	t.Run("unknown connection", func(t *testing.T) {
		k := redissource.NewKey("other", redissource.String, []string{"k"}, nil)
		_, err := redissource.Get(ctx, f.x, "T", k, nil, asIs)
		if !runtime.IsPermanent(err) || !strings.Contains(err.Error(), `no redis connection "other"`) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("malformed template", func(t *testing.T) {
		k := redissource.NewKey("refdata", redissource.String, []string{"a", "b"}, nil)
		_, err := redissource.Get(ctx, f.x, "T", k, nil, asIs)
		if !runtime.IsPermanent(err) || !strings.Contains(err.Error(), "2 parts for 0 params") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("converter failure is permanent", func(t *testing.T) {
		f.set(t, "c", `1`)
		k := redissource.NewKey("refdata", redissource.String, []string{f.prefix + "c"}, nil)
		_, err := redissource.Get(ctx, f.x, "T", k, nil, func(any) (*int, error) { return nil, errors.New("not an object") })
		if !runtime.IsPermanent(err) || !strings.Contains(err.Error(), "not an object") || !strings.Contains(err.Error(), "task T") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("server unreachable is retryable", func(t *testing.T) {
		down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
		defer down.Close()
		x, err := runtime.New(runtime.WithSource(redissource.Bind("down", down)))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		k := redissource.NewKey("down", redissource.String, []string{"k"}, nil)
		_, err = redissource.Get(ctx, x, "T", k, nil, asIs)
		if err == nil || runtime.IsPermanent(err) || runtime.IsNotFound(err) {
			t.Fatalf("err = %v, want a retryable error", err)
		}
		if err := redissource.Bind("down", down).Check(ctx); err == nil {
			t.Fatal("Check passed on a closed port")
		}
	})
	t.Run("after Close", func(t *testing.T) {
		x, err := runtime.New(runtime.WithSource(redissource.Bind("refdata", f.client)))
		if err != nil {
			t.Fatal(err)
		}
		x.Close()
		k := redissource.NewKey("refdata", redissource.String, []string{"k"}, nil)
		if _, err := redissource.Get(ctx, x, "T", k, nil, asIs); !errors.Is(err, runtime.ErrClosed) {
			t.Fatalf("err = %v, want ErrClosed", err)
		}
		if err := f.client.Ping(ctx).Err(); err != nil {
			t.Fatalf("the executor closed the caller's client: %v", err)
		}
	})
	t.Run("nil client", func(t *testing.T) {
		if _, err := runtime.New(runtime.WithSource(redissource.Bind("refdata", nil))); err == nil || !strings.Contains(err.Error(), "nil Redis client") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("Check", func(t *testing.T) {
		if err := redissource.Bind("refdata", f.client).Check(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestGetManyOneRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, typ := range []redissource.Type{redissource.String, redissource.Hash} {
		t.Run(typ.String(), func(t *testing.T) {
			var vals [][]string
			want := make([]any, 0, 50)
			for i := range 50 {
				id := string(rune('a'+i%26)) + strings.Repeat("x", i/26)
				vals = append(vals, []string{id})
				switch {
				case i%5 == 4: // missing
					want = append(want, nil)
				case typ == redissource.String:
					f.set(t, typ.String()+":"+id, `{"id":"`+id+`"}`)
					want = append(want, map[string]any{"id": id})
				default:
					f.hset(t, typ.String()+":"+id, "id", id)
					want = append(want, map[string]any{"id": id})
				}
			}
			k := redissource.NewKey("refdata", typ, []string{f.prefix + typ.String() + ":", ""}, []string{"id"})
			before := f.trips.n.Load()
			got, err := redissource.GetMany(ctx, f.x, "Many", k, vals, asIs)
			if err != nil {
				t.Fatal(err)
			}
			if n := f.trips.n.Load() - before; n != 1 {
				t.Fatalf("%d round trips for one batch, want 1", n)
			}
			for i := range want {
				switch {
				case want[i] == nil && got[i] != nil:
					t.Errorf("%d: got %v for a missing key", i, *got[i])
				case want[i] != nil && (got[i] == nil || !reflect.DeepEqual(*got[i], want[i])):
					t.Errorf("%d: got %v, want %v", i, got[i], want[i])
				}
			}
		})
	}
	t.Run("a key of another type fails the batch", func(t *testing.T) {
		f.hset(t, "mixed:h", "id", "h")
		f.set(t, "mixed:s", `{}`)
		k := redissource.NewKey("refdata", redissource.String, []string{f.prefix + "mixed:", ""}, []string{"id"})
		_, err := redissource.GetMany(ctx, f.x, "Many", k, [][]string{{"s"}, {"h"}}, asIs)
		if !runtime.IsPermanent(err) || !strings.Contains(err.Error(), "mixed:h") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		k := redissource.NewKey("refdata", redissource.String, []string{"k:", ""}, []string{"id"})
		before := f.trips.n.Load()
		got, err := redissource.GetMany(ctx, f.x, "Many", k, nil, asIs)
		if err != nil || len(got) != 0 || f.trips.n.Load() != before {
			t.Fatalf("got %v, %v", got, err)
		}
	})
}

// TestThroughTask runs the source inside a task: the engine's hooks see each source call, not found is a
// *TaskError wrapping ErrNotFound, and a second lookup is a cache hit.
func TestThroughTask(t *testing.T) {
	var calls atomic.Int64
	f := newFixture(t, runtime.WithHooks(runtime.Hooks{OnSourceCall: func(context.Context, runtime.Event) { calls.Add(1) }}))
	f.set(t, "u:1", `"one"`)
	k := redissource.NewKey("refdata", redissource.String, []string{f.prefix + "u:", ""}, []string{"id"})
	type params struct{ ID string }
	task := kit.NewTask(f.x, kit.TaskSpec[params, string]{
		Name:      "User",
		Cache:     kit.CachePolicy{TTL: time.Minute, NegativeTTL: time.Minute},
		Retry:     kit.RetryPolicy{Attempts: 2},
		AppendKey: func(dst []byte, p *params) []byte { return append(dst, p.ID...) },
		Encode:    func(dst []byte, r *string) []byte { return kit.AppendString(dst, *r) },
		Decode:    func(rd *kit.Reader) *string { s := rd.String(); return &s },
		Fetch: func(ctx context.Context, p *params) (*string, error) {
			return redissource.Get(ctx, f.x, "User", k, []string{p.ID}, func(v any) (*string, error) {
				s, err := kit.AsString("", v)
				return &s, err
			})
		},
	})
	ctx := context.Background()
	for range 2 {
		if r, err := task.Do(ctx, &params{ID: "1"}); err != nil || *r != "one" {
			t.Fatalf("got %v, %v", r, err)
		}
		var te *runtime.TaskError
		if _, err := task.Do(ctx, &params{ID: "2"}); !errors.As(err, &te) || !errors.Is(err, runtime.ErrNotFound) {
			t.Fatalf("missing key: %v", err)
		}
	}
	if calls.Load() != 2 {
		t.Fatalf("%d source calls, want 2 (the second round is served from the cache)", calls.Load())
	}
}
