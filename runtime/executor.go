package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reftask/reftask/runtime/internal/wire"

	"github.com/allegro/bigcache/v3"
	"github.com/reftask/reftask/runtime/internal/seam"
	"github.com/reftask/reftask/runtime/internal/secret"
	bound "github.com/reftask/reftask/runtime/source"
	"github.com/reftask/reftask/runtime/tier"
)

// Option configures an Executor in New.
type Option func(*Executor) error

const (
	defaultCacheMB = 256
	// The LifeWindow only bounds how long bigcache keeps bytes around; freshness is decided by our own entry header.
	cacheLifeWindow = 24 * time.Hour
	maxShards       = 64
)

// Executor runs tasks: it owns the cache and the hooks that generated tasks share, and holds the sources bound
// with WithSource, which it closes on Close.
type Executor struct {
	cache   atomic.Pointer[tier.Local] // nil after Close
	cacheMB int
	hooks   Hooks
	// lookupHooks is set when OnHit, OnNegativeHit or OnMiss is: only then does Task.Get read the clock.
	lookupHooks bool
	now         func() time.Time          // WithClock's cache freshness clock, nil for the default (see nanos)
	start       time.Time                 // when New ran, with its monotonic reading: the default clock counts from here
	hotKeys     int                       // decoded results each task keeps in front of the cache; 0 = none (hot.go)
	timer       retryTimer                // nil = real timers
	secrets     secret.Set                // secret values sources' requests carried, scrubbed from attempt errors (secrets.go)
	maxParams   int                       // the largest params document DecodeParams accepts, in bytes (params.go)
	tiers       []tier.Tier               // added with WithTier, read after the local tier (tiers.go)
	tierTimeout time.Duration             // bounds each call to an added tier; 0 = defaultTierTimeout
	sources     map[boundKey]bound.Source // bound with WithSource, read-only after New (sources.go)
	sourceOrder []bound.Source            // in binding order, closed in reverse by Close
	runners     []seam.Runner             // the bound sources that run alongside the executor, set by New
	reporters   []bound.HealthReporter    // the bound sources that report health, set by New (Health)

	mu    sync.Mutex
	gens  map[string]*atomic.Uint64 // per task name, bumped by InvalidateTask
	hots  map[hotLayerKey]any       // *hotLayer[R] per spec, shared by its Task values (hot.go)
	gates map[specKey]*tierGate     // per spec, when tiers were added: shared by its Task values (tiers.go)

	scratch sync.Pool // *scratch: key buffer and Reader reused on the hit path
}

// scratch holds per-call buffers, so that a lookup allocates nothing of its own for its key or its entry.
type scratch struct {
	key   []byte
	rd    wire.Reader
	entry []byte // a cache entry being encoded for a store
}

// putScratch returns buffers to the pool, dropping unusually large ones so one huge key does not stay pinned.
func (x *Executor) putScratch(sc *scratch) {
	if cap(sc.key) > 4<<10 {
		sc.key = make([]byte, 0, 128)
	}
	if cap(sc.entry) > 16<<10 {
		sc.entry = nil
	}
	x.scratch.Put(sc)
}

// New builds an Executor; call Close when done with it to release the cache.
func New(opts ...Option) (*Executor, error) {
	x := &Executor{
		cacheMB: defaultCacheMB,
		start:   time.Now(),
		hotKeys: defaultHotKeys,
		gens:    map[string]*atomic.Uint64{},

		maxParams: defaultMaxParams,
	}
	x.scratch.New = func() any { return &scratch{key: make([]byte, 0, 128)} }
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(x); err != nil {
			return nil, fmt.Errorf("reftask: new executor: %w", err)
		}
	}
	x.lookupHooks = x.hooks.OnHit != nil || x.hooks.OnNegativeHit != nil || x.hooks.OnMiss != nil
	bc, err := bigcache.New(context.Background(), cacheConfig(x.cacheMB))
	if err != nil {
		return nil, fmt.Errorf("reftask: new executor: cache: %w", err)
	}
	x.cache.Store(tier.NewLocal(bc))
	if err := x.startSources(); err != nil {
		_ = bc.Close()
		return nil, fmt.Errorf("reftask: new executor: %w", err)
	}
	return x, nil
}

func cacheConfig(maxMB int) bigcache.Config {
	// Keep at least 1 MB per shard so that ordinary entries fit one shard.
	shards := 1
	for shards < maxShards && shards*2 <= maxMB {
		shards *= 2
	}
	return bigcache.Config{
		Shards:     shards,
		LifeWindow: cacheLifeWindow,
		// No cleanup goroutine: with our own expiry header the sweep buys nothing, and expired bytes
		// are still useful for stale-if-error until size-bounded eviction drops them.
		CleanWindow: 0,
		// These two only size the initial allocation; keep it to a few hundred KB.
		MaxEntriesInWindow: shards * 16,
		MaxEntrySize:       256,
		HardMaxCacheSize:   maxMB,
		Verbose:            false,
		Logger:             nopLogger{},
	}
}

// nopLogger silences bigcache, which would otherwise print to stdout.
type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

// WithCache sets the cache size limit in MB (bigcache HardMaxCacheSize); 0 means 256.
func WithCache(maxMB int) Option {
	return func(x *Executor) error {
		if maxMB < 0 {
			return fmt.Errorf("WithCache: negative size %d MB", maxMB)
		}
		if maxMB == 0 {
			maxMB = defaultCacheMB
		}
		x.cacheMB = maxMB
		return nil
	}
}

// WithHooks installs observers; combined with earlier WithHooks or WithLogger options, all are called.
func WithHooks(h Hooks) Option {
	return func(x *Executor) error {
		x.hooks = chainHooks(x.hooks, h)
		return nil
	}
}

// WithLogger installs hooks that log through l, as SlogHooks does.
func WithLogger(l *slog.Logger) Option {
	return WithHooks(SlogHooks(l))
}

// WithClock replaces the clock that decides cache freshness, so tests can move time without sleeping.
func WithClock(now func() time.Time) Option {
	return func(x *Executor) error {
		if now == nil {
			return errors.New("WithClock: nil clock")
		}
		x.now = now
		return nil
	}
}

// WithHotKeys sets how many decoded results each task keeps in memory in front of the cache (default 4096,
// with at most that many KiB of encoded results); 0 turns this hot-key layer off.
func WithHotKeys(n int) Option {
	return func(x *Executor) error {
		if n < 0 {
			return fmt.Errorf("WithHotKeys: negative count %d", n)
		}
		x.hotKeys = n
		return nil
	}
}

// nanos reads the cache freshness clock, in Unix nanoseconds. Without WithClock it is the wall time at New plus
// the monotonic time since, which is cheaper to read than time.Now and does not jump when the wall clock is set;
// entries live in this process only, so no other clock ever reads their times.
func (x *Executor) nanos() int64 {
	if x.now != nil {
		return x.now().UnixNano()
	}
	return x.start.UnixNano() + int64(time.Since(x.start))
}

// retryTimer is what tests put in place of real timers between retries.
type retryTimer interface {
	After(d time.Duration) <-chan time.Time
}

// monoNow is time.Now without the wall clock read: the time at New plus the monotonic time since. It is for
// deadlines, which always follow real time, whatever WithClock says.
func (x *Executor) monoNow() time.Time { return x.start.Add(time.Since(x.start)) }

// withRetryTimer lets tests observe and skip retry delays.
func withRetryTimer(t retryTimer) Option {
	return func(x *Executor) error {
		x.timer = t
		return nil
	}
}

// Close releases the cache and closes the sources bound with WithSource; tasks called afterwards fail with
// ErrClosed. Close is idempotent.
func (x *Executor) Close() error {
	x.stopRunners() // waits for the sources' own goroutines (the file poller), so Close leaves none behind
	bc := x.cache.Swap(nil)
	if bc == nil {
		return nil
	}
	var errs []error
	if err := bc.Close(); err != nil {
		errs = append(errs, fmt.Errorf("reftask: close cache: %w", err))
	}
	if err := x.closeSources(); err != nil {
		errs = append(errs, fmt.Errorf("reftask: close sources: %w", err))
	}
	return errors.Join(errs...)
}

// InvalidateTask bumps the task's generation, making all its cached entries unreachable; tiers added with
// WithTier that can delete by key prefix also drop them.
func (x *Executor) InvalidateTask(task string) {
	old := x.generation(task).Add(1) - 1
	x.retireGeneration(task, old)
}

// generation returns the counter for a task name, creating it so that InvalidateTask before NewTask still counts.
func (x *Executor) generation(task string) *atomic.Uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	g := x.gens[task]
	if g == nil {
		g = new(atomic.Uint64)
		x.gens[task] = g
	}
	return g
}
