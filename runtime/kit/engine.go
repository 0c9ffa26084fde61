package kit

import (
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/engine"
)

// The engine's names, as generated code spells them: aliases of runtime/internal/engine, which the executor's
// token-gated Core method hands its state to, so that package runtime holds only what users call.

// Task is one generated task bound to an executor: its cache, flights, batch window and policies.
type Task[P, R any] = engine.Task[P, R]

// TaskSpec is what a generated NewClient says about one task: its name, version, codecs, source call and policies.
type TaskSpec[P, R any] = engine.TaskSpec[P, R]

// CachePolicy is a task's cache lifetimes (fresh, stale-if-error, negative).
type CachePolicy = engine.CachePolicy

// RetryPolicy is a task's source attempts and the backoff between them.
type RetryPolicy = engine.RetryPolicy

// BatchPolicy is a batched task's window and its source call for many keys.
type BatchPolicy[P, R any] = engine.BatchPolicy[P, R]

// Fallback is what a task answers with when its source fails: another task, or a value.
type Fallback[P, R any] = engine.Fallback[P, R]

// NewTask binds the task s describes to x.
func NewTask[P, R any](x *runtime.Executor, s TaskSpec[P, R]) *Task[P, R] {
	return engine.NewTask(x, s)
}

// FallbackTask is a fallback that asks another task with the same params and result.
func FallbackTask[P, R any](t *Task[P, R]) Fallback[P, R] { return engine.FallbackTask(t) }

// FallbackValue is a fallback that answers the value v returns.
func FallbackValue[P, R any](name string, v func() *R) Fallback[P, R] {
	return engine.FallbackValue[P](name, v)
}
