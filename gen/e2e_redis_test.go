package gen_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/redissource"
	redisgolden "github.com/reftask/reftask/testdata/golden/redis"
)

// pipelines counts the pipelines a Redis client sends: a batch lookup's round trips.
type pipelines struct{ n atomic.Int64 }

func (p *pipelines) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (p *pipelines) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (p *pipelines) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		p.n.Add(1)
		return next(ctx, cmds)
	}
}

// TestE2ERedis runs the generated tasks of testdata/golden/redis against the local Redis: a JSON document in a
// string key, a hash converted field by field, not found for missing keys, and a batch in one round trip. Every
// key holds a prefix of this test run's own, removed at the end.
func TestE2ERedis(t *testing.T) {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", DialTimeout: time.Second})
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis at 127.0.0.1:6379 is not reachable (CI=true): %v", err)
		}
		t.Skipf("Redis at 127.0.0.1:6379 is not reachable, skipping: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	run := "e2e-" + hex.EncodeToString(b[:]) + "-"
	t.Cleanup(func() {
		for _, pattern := range []string{"sku:" + run + "*", "stock:*:" + run + "*"} {
			iter := client.Scan(ctx, 0, pattern, 100).Iterator()
			for iter.Next(ctx) {
				client.Del(ctx, iter.Val())
			}
		}
		client.Close()
	})
	trips := &pipelines{}
	client.AddHook(trips)
	x, err := runtime.New(runtime.WithSource(redissource.Bind("refdata", client)))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	c := redisgolden.NewClient(x)

	set := func(key, val string) {
		if err := client.Set(ctx, key, val, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	set("sku:"+run+"A1", `{"sku":"`+run+`A1","name":"Anvil","price":12.5,"tags":["heavy"]}`)
	day, _ := runtime.ParseDate("2026-12-07")
	if err := client.HSet(ctx, "stock:7:"+run+"A1:2026-12-07", "sku", run+"A1", "count", "12", "blocked", "true").Err(); err != nil {
		t.Fatal(err)
	}
	if err := client.HSet(ctx, "stock:7:"+run+"NEG:2026-12-07", "sku", run+"NEG", "count", "-1").Err(); err != nil {
		t.Fatal(err)
	}

	t.Run("single", func(t *testing.T) {
		r, err := c.GetSku(ctx, run+"A1")
		if err != nil || r.Name != "Anvil" || r.Price != 12.5 || r.Tags == nil || (*r.Tags)[0] != "heavy" {
			t.Fatalf("got %+v, %v", r, err)
		}
		s, err := c.GetStock(ctx, 7, run+"A1", day)
		if err != nil || s.Count != 12 || s.Blocked == nil || !*s.Blocked || s.Reserved != nil {
			t.Fatalf("got %+v, %v", s, err)
		}
	})
	t.Run("not found", func(t *testing.T) {
		if _, err := c.GetSku(ctx, run+"ghost"); !errors.Is(err, runtime.ErrNotFound) {
			t.Fatalf("sku: %v", err)
		}
		if _, err := c.GetStock(ctx, 8, run+"A1", day); !errors.Is(err, runtime.ErrNotFound) {
			t.Fatalf("stock: %v", err)
		}
	})
	t.Run("hash field that breaks the result schema", func(t *testing.T) {
		var ve *runtime.ValidationError
		if _, err := c.GetStock(ctx, 7, run+"NEG", day); !errors.As(err, &ve) {
			t.Fatalf("count -1: %v, want a ValidationError", err)
		}
	})
	t.Run("batch in one round trip", func(t *testing.T) {
		var keys []string
		for i := range 60 {
			k := fmt.Sprintf("%sB%02d", run, i)
			keys = append(keys, k)
			if i%4 != 3 {
				set("sku:"+k, fmt.Sprintf(`{"sku":%q,"name":"Item %d","price":%d}`, k, i, i))
			}
		}
		before := trips.n.Load()
		got, err := c.GetSkuBatch(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		if n := trips.n.Load() - before; n != 1 {
			t.Fatalf("%d pipelines for 60 keys with max_size 100, want 1", n)
		}
		for i, k := range keys {
			r, ok := got[k]
			switch {
			case i%4 == 3 && ok:
				t.Errorf("%s: found %+v for a missing key", k, r)
			case i%4 != 3 && (!ok || r.Name != fmt.Sprintf("Item %d", i)):
				t.Errorf("%s: got %+v", k, r)
			}
		}
	})
}
