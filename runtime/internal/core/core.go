// Package core holds the state an executor keeps for the engine that generated tasks run on: the local cache
// tier, the added tiers, the clocks, the per-task generations, the per-spec shared layers and the buffers reused
// on the hit path. It holds no type of package runtime, so that the engine can live outside that package and
// reach this state through the executor's token-gated Core method.
package core

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reftask/reftask/runtime/internal/secret"
	"github.com/reftask/reftask/runtime/internal/wire"
	"github.com/reftask/reftask/runtime/tier"
)

// DefaultHotKeys is how many decoded results each task keeps in front of the cache unless WithHotKeys says
// otherwise.
const DefaultHotKeys = 4096

// DefaultTierTimeout bounds each call to an added tier unless WithTierTimeout says otherwise.
const DefaultTierTimeout = 100 * time.Millisecond

// Timer is what tests put in place of real timers between retries.
type Timer interface {
	After(d time.Duration) <-chan time.Time
}

// State is an executor's engine state. Its exported fields are set while the executor's options are applied and
// read-only afterwards, except Cache, which Close swaps to nil.
type State struct {
	Cache atomic.Pointer[tier.Local] // nil after Close
	// LookupHooks is set when OnHit, OnNegativeHit or OnMiss is: only then does a lookup read the clock.
	LookupHooks bool
	Now         func() time.Time // WithClock's cache freshness clock, nil for the default (see Nanos)
	Start       time.Time        // when New ran, with its monotonic reading: the default clock counts from here
	HotKeys     int              // decoded results each task keeps in front of the cache; 0 = none
	Timer       Timer            // nil = real timers
	Secrets     secret.Set       // secret values sources' requests carried, scrubbed from attempt errors
	MaxParams   int              // the largest params document DecodeParams accepts, in bytes
	Tiers       []tier.Tier      // added with WithTier, read after the local tier
	TierTimeout time.Duration    // bounds each call to an added tier; 0 = DefaultTierTimeout

	mu     sync.Mutex
	gens   map[string]*atomic.Uint64 // per task name, bumped by InvalidateTask
	shared map[any]any               // per-spec values shared by the Task values of one spec (hot layers)
	gates  map[specKey]*TierGate     // per spec: shared by its Task values

	scratch sync.Pool // *Scratch: key buffer and Reader reused on the hit path
}

// Scratch holds per-call buffers, so that a lookup allocates nothing of its own for its key or its entry.
type Scratch struct {
	Key   []byte
	Rd    wire.Reader
	Entry []byte // a cache entry being encoded for a store
}

// Init readies s for use; New calls it before applying the options.
func (s *State) Init() {
	s.Start = time.Now()
	s.gens = map[string]*atomic.Uint64{}
	s.scratch.New = func() any { return &Scratch{Key: make([]byte, 0, 128)} }
}

// GetScratch takes buffers from the pool.
func (s *State) GetScratch() *Scratch { return s.scratch.Get().(*Scratch) }

// PutScratch returns buffers to the pool, dropping unusually large ones so one huge key does not stay pinned.
func (s *State) PutScratch(sc *Scratch) {
	if cap(sc.Key) > 4<<10 {
		sc.Key = make([]byte, 0, 128)
	}
	if cap(sc.Entry) > 16<<10 {
		sc.Entry = nil
	}
	s.scratch.Put(sc)
}

// Nanos reads the cache freshness clock, in Unix nanoseconds. Without WithClock it is the wall time at New plus
// the monotonic time since, which is cheaper to read than time.Now and does not jump when the wall clock is set;
// entries live in this process only, so no other clock ever reads their times.
func (s *State) Nanos() int64 {
	if s.Now != nil {
		return s.Now().UnixNano()
	}
	return s.Start.UnixNano() + int64(time.Since(s.Start))
}

// MonoNow is time.Now without the wall clock read: the time at New plus the monotonic time since. It is for
// deadlines, which always follow real time, whatever WithClock says.
func (s *State) MonoNow() time.Time { return s.Start.Add(time.Since(s.Start)) }

// Generation returns the counter for a task name, creating it so that InvalidateTask before NewTask still counts.
func (s *State) Generation(task string) *atomic.Uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.gens[task]
	if g == nil {
		g = new(atomic.Uint64)
		s.gens[task] = g
	}
	return g
}

// Shared returns the value kept under k, making it with mk on first use; a nil from mk is returned and not kept.
func (s *State) Shared(k any, mk func() any) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.shared[k]; ok {
		return v
	}
	v := mk()
	if v != nil {
		if s.shared == nil {
			s.shared = map[any]any{}
		}
		s.shared[k] = v
	}
	return v
}

// specKey names one spec on an executor.
type specKey struct{ name, version string }

// TierGate counts the engine's writes to the local tier for one spec (stores and Invalidate deletes), so that a
// fill from an added tier lands only when none happened since its read. Mu orders each counted write with a
// fill's check and write.
type TierGate struct {
	Mu    sync.Mutex
	Wrote atomic.Uint64
}

// Gate returns the gate for a spec, making it on first use: two Task values of one spec (two clients made on
// one executor) share local entries, so a fill through one must see an Invalidate through the other.
func (s *State) Gate(name, version string) *TierGate {
	k := specKey{name: name, version: version}
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.gates[k]; g != nil {
		return g
	}
	if s.gates == nil {
		s.gates = map[specKey]*TierGate{}
	}
	g := &TierGate{}
	s.gates[k] = g
	return g
}

// InvalidateTask bumps the task's generation, making all its cached entries unreachable, and asks the added
// tiers that can to drop the entries of the old generation, one key prefix per spec version bound.
func (s *State) InvalidateTask(task string) {
	old := s.Generation(task).Add(1) - 1
	if len(s.Tiers) == 0 {
		return
	}
	s.mu.Lock()
	var prefixes []string
	for k := range s.gates {
		if k.name == task {
			prefixes = append(prefixes, string(binary.AppendUvarint(wire.AppendString(wire.AppendString(nil, task), k.version), old)))
		}
	}
	s.mu.Unlock()
	for _, tr := range s.Tiers {
		for _, p := range prefixes {
			_ = s.TierDelete(context.Background(), tr, p, true)
		}
	}
}

// TierCtx is the ctx of one call to an added tier: the caller's, bounded by the tier timeout. Writes run on a
// ctx detached from the caller's cancellation (parent is then the flight's or batch's ctx, which ends with it).
func (s *State) TierCtx(parent context.Context, detach bool) (context.Context, context.CancelFunc) {
	if detach {
		parent = context.WithoutCancel(parent)
	}
	d := s.TierTimeout
	if d <= 0 {
		d = DefaultTierTimeout
	}
	return context.WithTimeout(parent, d)
}

// TierGet reads key from an added tier on a bounded ctx. An error, a timeout or a panic in the tier is a miss.
func (s *State) TierGet(ctx context.Context, tr tier.Tier, key string) (b []byte, ok bool) {
	tctx, cancel := s.TierCtx(ctx, false)
	defer cancel()
	defer func() {
		if recover() != nil {
			b, ok = nil, false
		}
	}()
	b, ok, err := tr.Get(tctx, key)
	return b, ok && err == nil
}

// TierSet writes an entry to an added tier on a bounded ctx detached from ctx's cancellation; a panic in the
// tier is an error.
func (s *State) TierSet(ctx context.Context, tr tier.Tier, key string, entry []byte, exp tier.Expiry) (err error) {
	tctx, cancel := s.TierCtx(ctx, true)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Where: "cache tier", Value: v}
		}
	}()
	return tr.Set(tctx, key, entry, exp)
}

// TierDelete is TierSet for Delete, and for DeletePrefix when prefix is set.
func (s *State) TierDelete(ctx context.Context, tr tier.Tier, key string, prefix bool) (err error) {
	tctx, cancel := s.TierCtx(ctx, true)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Where: "cache tier", Value: v}
		}
	}()
	if prefix {
		if pd, ok := tr.(tier.PrefixDeleter); ok {
			return pd.DeletePrefix(tctx, key)
		}
		return nil
	}
	return tr.Delete(tctx, key)
}

// PanicError carries a recovered panic so callers get an error instead of a crash.
type PanicError struct {
	Where string
	Value any
}

func (e *PanicError) Error() string { return fmt.Sprintf("reftask: panic in %s: %v", e.Where, e.Value) }

// Unwrap exposes a panic value that is itself an error.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}

// CtxErr is ctx's error, with its cause when the cause says more.
func CtxErr(ctx context.Context) error {
	err := ctx.Err()
	if c := context.Cause(ctx); c != nil && c != err {
		return fmt.Errorf("%w: %w", err, c)
	}
	return err
}

// PermanentError marks an error that retrying cannot fix (runtime.Permanent).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }

// Unwrap returns the error marked.
func (e *PermanentError) Unwrap() error { return e.Err }
