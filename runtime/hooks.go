package runtime

import (
	"context"
	"log/slog"
	"time"
)

// Event describes one thing that happened while running a task.
type Event struct {
	Task     string
	Key      string        // params rendered for humans
	Attempt  int           // source attempt number, from 1; 0 when not about an attempt
	Duration time.Duration // time spent; for OnRetry, the delay before the next attempt
	Err      error
	Fallback string // fallback name, set for OnFallback
}

// FileEvent reports the outcome of reloading a changed file of the file source (runtime/source/filesource): Err
// is nil when the new version (or the version already served) is in use again, else why the last good version
// is still being served.
type FileEvent struct {
	Path string
	Err  error
}

// Hooks are optional observers of task execution; a nil func costs nothing, not even building the Event.
type Hooks struct {
	OnHit, OnMiss, OnStale, OnNegativeHit func(ctx context.Context, e Event)
	OnSourceCall                          func(ctx context.Context, e Event) // after each attempt
	OnRetry                               func(ctx context.Context, e Event)
	OnFallback                            func(ctx context.Context, e Event)
	OnError                               func(ctx context.Context, e Event) // Do is about to return an error other than not-found
	// OnReload is called by the file source's poller (runtime/source/filesource) after it read a changed file:
	// Err nil means the new version is served, else the last good version still is (see Executor.Health).
	OnReload func(ctx context.Context, e FileEvent)
	// OnBatch is called once per batch source call of a batched task, after its retries.
	OnBatch func(ctx context.Context, e BatchEvent)
}

// SlogHooks returns hooks that log to l (slog.Default when nil): debug for hits, misses and source calls,
// warn for stale serving, retries, fallbacks and errors, info for file reloads and error for failed ones.
func SlogHooks(l *slog.Logger) Hooks {
	if l == nil {
		l = slog.Default()
	}
	logf := func(level slog.Level, msg string) func(context.Context, Event) {
		return func(ctx context.Context, e Event) {
			if !l.Enabled(ctx, level) {
				return
			}
			attrs := make([]slog.Attr, 0, 6)
			attrs = append(attrs, slog.String("task", e.Task))
			if e.Key != "" {
				attrs = append(attrs, slog.String("key", clipText(e.Key, logLimit)))
			}
			if e.Attempt > 0 {
				attrs = append(attrs, slog.Int("attempt", e.Attempt))
			}
			if e.Duration > 0 {
				attrs = append(attrs, slog.Duration("duration", e.Duration))
			}
			if e.Fallback != "" {
				attrs = append(attrs, slog.String("fallback", e.Fallback))
			}
			if e.Err != nil {
				attrs = append(attrs, slog.String("error", clipText(e.Err.Error(), logLimit)))
			}
			l.LogAttrs(ctx, level, msg, attrs...)
		}
	}
	return Hooks{
		OnHit:         logf(slog.LevelDebug, "reftask: cache hit"),
		OnMiss:        logf(slog.LevelDebug, "reftask: cache miss"),
		OnNegativeHit: logf(slog.LevelDebug, "reftask: negative cache hit"),
		OnSourceCall:  logf(slog.LevelDebug, "reftask: source call"),
		OnStale:       logf(slog.LevelWarn, "reftask: serving stale entry after source error"),
		OnRetry:       logf(slog.LevelWarn, "reftask: retrying source"),
		OnFallback:    logf(slog.LevelWarn, "reftask: fallback"),
		OnError:       logf(slog.LevelWarn, "reftask: task failed"),
		OnReload: func(ctx context.Context, e FileEvent) {
			if e.Err == nil {
				l.LogAttrs(ctx, slog.LevelInfo, "reftask: file reloaded", slog.String("path", e.Path))
				return
			}
			l.LogAttrs(ctx, slog.LevelError, "reftask: file reload failed", slog.String("path", e.Path), slog.String("error", clipText(e.Err.Error(), logLimit)))
		},
		OnBatch: func(ctx context.Context, e BatchEvent) {
			level := slog.LevelDebug
			if e.Err != nil {
				level = slog.LevelWarn
			}
			if !l.Enabled(ctx, level) {
				return
			}
			attrs := []slog.Attr{slog.String("task", e.Task), slog.Int("size", e.Size), slog.Duration("waited", e.Waited),
				slog.Int("attempts", e.Attempts), slog.Duration("duration", e.Duration)}
			if e.Err != nil {
				attrs = append(attrs, slog.String("error", clipText(e.Err.Error(), logLimit)))
			}
			l.LogAttrs(ctx, level, "reftask: batch source call", attrs...)
		},
	}
}

// chainHooks calls a's hook then b's, so WithHooks and WithLogger can be combined.
func chainHooks(a, b Hooks) Hooks {
	c := func(f, g func(context.Context, Event)) func(context.Context, Event) {
		switch {
		case f == nil:
			return g
		case g == nil:
			return f
		}
		return func(ctx context.Context, e Event) { f(ctx, e); g(ctx, e) }
	}
	return Hooks{
		OnHit:         c(a.OnHit, b.OnHit),
		OnMiss:        c(a.OnMiss, b.OnMiss),
		OnStale:       c(a.OnStale, b.OnStale),
		OnNegativeHit: c(a.OnNegativeHit, b.OnNegativeHit),
		OnSourceCall:  c(a.OnSourceCall, b.OnSourceCall),
		OnRetry:       c(a.OnRetry, b.OnRetry),
		OnFallback:    c(a.OnFallback, b.OnFallback),
		OnError:       c(a.OnError, b.OnError),
		OnReload: func() func(context.Context, FileEvent) {
			switch {
			case a.OnReload == nil:
				return b.OnReload
			case b.OnReload == nil:
				return a.OnReload
			}
			return func(ctx context.Context, e FileEvent) { a.OnReload(ctx, e); b.OnReload(ctx, e) }
		}(),
		OnBatch: func() func(context.Context, BatchEvent) {
			switch {
			case a.OnBatch == nil:
				return b.OnBatch
			case b.OnBatch == nil:
				return a.OnBatch
			}
			return func(ctx context.Context, e BatchEvent) { a.OnBatch(ctx, e); b.OnBatch(ctx, e) }
		}(),
	}
}

// BatchEvent describes one FetchMany call of a batched task, after its retries.
// Waited is how long the batch's first key waited before the call started.
type BatchEvent struct {
	Task     string
	Size     int // keys in the call
	Waited   time.Duration
	Attempts int
	Duration time.Duration // all attempts and retry delays
	Err      error         // the whole call's error; per-key failures are reported per key
}
