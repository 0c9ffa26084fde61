package bench

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/allegro/bigcache/v3"
	"github.com/reftask/reftask/bench/lookups"
	"github.com/reftask/reftask/runtime"
)

// hotKeys is the number of distinct keys the hit benchmarks cycle through: a hot set that stays cached.
const hotKeys = 1024

var keys = func() []string {
	ks := make([]string, hotKeys)
	for i := range ks {
		ks[i] = "user_" + strconv.Itoa(i+1)
	}
	return ks
}()

// newClient returns a generated client on a fresh executor, closed when the benchmark ends.
func newClient(tb testing.TB, opts ...runtime.Option) *lookups.Client {
	tb.Helper()
	x, err := runtime.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = x.Close() })
	return lookups.NewClient(x)
}

// handProfile is the struct a developer would write by hand for the bigcache + encoding/json peer.
type handProfile struct {
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	Email      *string      `json:"email"`
	Plan       string       `json:"plan"`
	CreatedAt  time.Time    `json:"created_at"`
	LoginCount *int64       `json:"login_count,omitempty"`
	Address    *handAddress `json:"address,omitempty"`
}

type handAddress struct {
	City    string `json:"city"`
	Country string `json:"country"`
}

func handFetch(id string) *handProfile { return handFrom(lookups.Profile(id)) }

func handFrom(p *lookups.UserProfile) *handProfile {
	return &handProfile{ID: p.ID, Name: p.Name, Email: p.Email, Plan: string(p.Plan), CreatedAt: p.CreatedAt,
		LoginCount: p.LoginCount, Address: &handAddress{City: p.Address.City, Country: p.Address.Country}}
}

// newBigcache is the hand-written peer's cache: bigcache's defaults with a TTL and no logging.
func newBigcache(tb testing.TB) *bigcache.BigCache {
	tb.Helper()
	cfg := bigcache.DefaultConfig(5 * time.Minute)
	cfg.Verbose = false
	cfg.HardMaxCacheSize = 256
	bc, err := bigcache.New(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = bc.Close() })
	return bc
}

// handGet is the hand-written read path: bigcache Get, then json.Unmarshal into a fresh struct.
func handGet(bc *bigcache.BigCache, key string) (*handProfile, bool) {
	b, err := bc.Get(key)
	if err != nil {
		return nil, false
	}
	p := new(handProfile)
	if err := json.Unmarshal(b, p); err != nil {
		return nil, false
	}
	return p, true
}

// handGetOrFetch is the hand-written lookup: read, else call the source and store its JSON.
func handGetOrFetch(bc *bigcache.BigCache, key string, fetch func(string) (*handProfile, error)) (*handProfile, error) {
	if p, ok := handGet(bc, key); ok {
		return p, nil
	}
	p, err := fetch(key)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	_ = bc.Set(key, b)
	return p, nil
}

// mapCache is the simplest failsafe-go cachepolicy.Cache a developer would write: a map under a lock.
type mapCache[R any] struct {
	mu sync.RWMutex
	m  map[string]R
}

func newMapCache[R any]() *mapCache[R] { return &mapCache[R]{m: map[string]R{}} }

func (c *mapCache[R]) Get(key string) (R, bool) {
	c.mu.RLock()
	v, ok := c.m[key]
	c.mu.RUnlock()
	return v, ok
}

func (c *mapCache[R]) Set(key string, v R) {
	c.mu.Lock()
	c.m[key] = v
	c.mu.Unlock()
}

// cloneProfile is the deep copy a caller of a shared-value cache needs so that callers never share a
// mutable result: what a generated Clone would do, one allocation per pointer.
func cloneProfile(p *lookups.UserProfile) *lookups.UserProfile {
	c := *p
	if p.Email != nil {
		e := *p.Email
		c.Email = &e
	}
	if p.LoginCount != nil {
		n := *p.LoginCount
		c.LoginCount = &n
	}
	if p.Address != nil {
		a := *p.Address
		c.Address = &a
	}
	return &c
}

// profileBlock holds a profile and everything its pointers point to, so that one allocation copies it all.
type profileBlock struct {
	v      lookups.UserProfile
	email  string
	logins int64
	addr   lookups.Address
}

// cloneProfileBlock is the same deep copy in a single allocation: the layout a generated Clone (or Decode)
// could use. The fields still point into the block, so the copy is as independent as cloneProfile's.
func cloneProfileBlock(p *lookups.UserProfile) *lookups.UserProfile {
	b := &profileBlock{v: *p}
	if p.Email != nil {
		b.email = *p.Email
		b.v.Email = &b.email
	}
	if p.LoginCount != nil {
		b.logins = *p.LoginCount
		b.v.LoginCount = &b.logins
	}
	if p.Address != nil {
		b.addr = *p.Address
		b.v.Address = &b.addr
	}
	return &b.v
}
