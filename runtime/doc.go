// Package runtime is what a program that uses reftask-generated code talks
// to: New and its options build an Executor that binds the sources (with
// WithSource, from the kinds' packages under runtime/source or a user's own
// kind) and runs the generated tasks with caching,
// request coalescing, batching, retries and fallbacks. It also holds the errors a
// caller matches (ErrNotFound, TaskError, ValidationError, ...), Future,
// Hooks and their events, and the format types (Date, UUID, JSONValue, ...)
// that generated structs use.
//
// The helpers that only generated code calls live in package
// runtime/kit. The binding between the generator and both packages is
// described in CONTRACT.md next to this file.
package runtime
