// Package source is the seam every source kind plugs into. A bound source is
// a value of one kind (SQL, HTTP, file, Go, Redis, or a kind of the user's
// own) under a connection name; runtime.WithSource binds it to an executor,
// which closes it on Close and through which generated code and the kind's
// own package reach it by kind and name.
//
// This package imports nothing of the runtime, so that the runtime can hold
// bound sources while the kind packages import the runtime for its errors,
// hooks and tasks.
package source

import "context"

// Source is a bound source: one connection of one kind under a name that
// specs refer to.
type Source interface {
	// Kind names the source kind, as specs spell it ("sql", "redis", ...).
	Kind() string
	// Name is the connection name that specs of this kind refer to.
	Name() string
	// Check reports whether the source can serve lookups now (a readiness
	// probe: a ping, a stat); nil means ready.
	Check(ctx context.Context) error
	// Close releases what the binding itself holds. It does not close what
	// the caller handed to the binding (a *sql.DB, a Redis client), which
	// the caller still owns.
	Close() error
}

// Validator is implemented by a bound source that can tell, without any
// I/O, that it was bound wrongly (a nil client, say); runtime.WithSource
// then fails with that error instead of every lookup failing later.
type Validator interface {
	Validate() error
}

// HealthReporter is implemented by a bound source that keeps serving while
// something is wrong, such as a file that failed to reload and still serves
// its last good version. Executor.Health joins what every bound source that
// implements it reports. Unlike Check it does no I/O: it reports what the
// source already knows, so it is cheap enough to call on every probe.
type HealthReporter interface {
	Health() error
}
