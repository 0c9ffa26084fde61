// Package engine runs generated tasks: the cache lookup through the hot layer and the tiers, coalescing into
// flights, batch windows, and the stages of a source call (retry, per-attempt timeout, reporting, validation,
// fallbacks). Generated code reaches it through runtime/kit, which aliases its names; it reaches the executor's
// state through runtime.Executor.Core and imports package runtime for the user types it hands out, never the
// reverse.
package engine
