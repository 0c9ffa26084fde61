package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/allegro/bigcache/v3"
	"github.com/reftask/reftask/runtime/internal/core"
	"github.com/reftask/reftask/runtime/internal/seam"
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
	st          core.State // the engine's state: cache, tiers, clocks, generations (runtime/internal/core)
	cacheMB     int
	hooks       Hooks
	sources     map[boundKey]bound.Source // bound with WithSource, read-only after New (sources.go)
	sourceOrder []bound.Source            // in binding order, closed in reverse by Close
	runners     []seam.Runner             // the bound sources that run alongside the executor, set by New
	reporters   []bound.HealthReporter    // the bound sources that report health, set by New (Health)
}

// EngineHooks hands the engine the executor's hooks, which are read-only after New. Its Token argument can only be
// written by packages of this module.
func (x *Executor) EngineHooks(_ seam.Token) *Hooks { return &x.hooks }

// Core hands the engine the executor's state. Its Token argument can only be written by packages of this module.
func (x *Executor) Core(_ seam.Token) *core.State { return &x.st }

// New builds an Executor; call Close when done with it to release the cache.
func New(opts ...Option) (*Executor, error) {
	x := &Executor{cacheMB: defaultCacheMB}
	x.st.Init()
	x.st.HotKeys = core.DefaultHotKeys
	x.st.MaxParams = defaultMaxParams
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(x); err != nil {
			return nil, fmt.Errorf("reftask: new executor: %w", err)
		}
	}
	x.st.LookupHooks = x.hooks.OnHit != nil || x.hooks.OnNegativeHit != nil || x.hooks.OnMiss != nil
	bc, err := bigcache.New(context.Background(), cacheConfig(x.cacheMB))
	if err != nil {
		return nil, fmt.Errorf("reftask: new executor: cache: %w", err)
	}
	x.st.Cache.Store(tier.NewLocal(bc))
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
		x.st.Now = now
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
		x.st.HotKeys = n
		return nil
	}
}

// Close releases the cache and closes the sources bound with WithSource; tasks called afterwards fail with
// ErrClosed. Close is idempotent.
func (x *Executor) Close() error {
	x.stopRunners() // waits for the sources' own goroutines (the file poller), so Close leaves none behind
	bc := x.st.Cache.Swap(nil)
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
func (x *Executor) InvalidateTask(task string) { x.st.InvalidateTask(task) }
