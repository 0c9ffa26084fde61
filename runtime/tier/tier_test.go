package tier_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/allegro/bigcache/v3"
	"github.com/reftask/reftask/runtime/tier"
)

var _ tier.Tier = (*tier.Local)(nil)

func newLocal(t *testing.T) *tier.Local {
	t.Helper()
	cfg := bigcache.DefaultConfig(time.Hour)
	cfg.CleanWindow, cfg.Shards, cfg.HardMaxCacheSize, cfg.MaxEntriesInWindow, cfg.Verbose = 0, 2, 1, 16, false
	bc, err := bigcache.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	l := tier.NewLocal(bc)
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// The local tier's contract, as the engine relies on it: a missing key is a miss without an error, Delete of a
// missing key is not an error, Get returns a copy that later writes do not change, and Set copies what it is given.
func TestLocalContract(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(t *testing.T, l *tier.Local)
	}{
		{"missing key", func(t *testing.T, l *tier.Local) {
			if b, ok, err := l.Get(ctx, "k"); ok || err != nil || b != nil {
				t.Fatalf("%q, %v, %v; want a plain miss", b, ok, err)
			}
			if err := l.Delete(ctx, "k"); err != nil {
				t.Fatalf("Delete of a missing key: %v", err)
			}
		}},
		{"set, get, delete", func(t *testing.T, l *tier.Local) {
			if err := l.Set(ctx, "k", []byte("v1"), tier.Expiry{Fresh: time.Minute}); err != nil {
				t.Fatal(err)
			}
			if b, ok, err := l.Get(ctx, "k"); !ok || err != nil || string(b) != "v1" {
				t.Fatalf("%q, %v, %v", b, ok, err)
			}
			if err := l.Delete(ctx, "k"); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := l.Get(ctx, "k"); ok {
				t.Fatal("deleted key still there")
			}
		}},
		{"Set copies its input and Get its output", func(t *testing.T, l *tier.Local) {
			in := []byte("v1")
			_ = l.Set(ctx, "k", in, tier.Expiry{})
			in[0] = 'X'
			out, _, _ := l.Get(ctx, "k")
			_ = l.Set(ctx, "k", []byte("v2"), tier.Expiry{})
			if !bytes.Equal(out, []byte("v1")) {
				t.Fatalf("got %q, want v1 unchanged by later writes", out)
			}
		}},
		{"an entry too large is an error and not stored", func(t *testing.T, l *tier.Local) {
			if err := l.Set(ctx, "big", make([]byte, 2<<20), tier.Expiry{}); err == nil {
				t.Fatal("a 2 MB entry in a 1 MB cache was accepted")
			}
			if _, ok, _ := l.Get(ctx, "big"); ok {
				t.Fatal("the large entry is there")
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newLocal(t)) })
	}
}

func TestExpiryTotal(t *testing.T) {
	for _, e := range []tier.Expiry{{}, {Fresh: time.Second}, {Fresh: time.Minute, Stale: time.Hour}} {
		if e.Total() != e.Fresh+e.Stale {
			t.Fatalf("%+v: Total %v", e, e.Total())
		}
	}
}
