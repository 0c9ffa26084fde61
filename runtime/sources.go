package runtime

import (
	"context"
	"errors"
	"fmt"

	"github.com/reftask/reftask/runtime/internal/seam"
	bound "github.com/reftask/reftask/runtime/source"
)

// boundKey names a bound source: each kind has its own connection names, so an SQL connection and an HTTP
// connection may both be called "main".
type boundKey struct{ kind, name string }

// WithSource binds a source (built by its kind's package, such as redissource.Bind, or one of the user's own
// kinds) under its kind and name; the executor closes it on Close. Binding one kind and name twice is an error.
func WithSource(s bound.Source) Option {
	return func(x *Executor) error {
		if s == nil {
			return errors.New("WithSource: nil source")
		}
		kind, name := s.Kind(), s.Name()
		switch {
		case kind == "":
			return fmt.Errorf("WithSource %T: empty kind", s)
		case name == "":
			return fmt.Errorf("WithSource %s: empty connection name", kind)
		}
		if v, ok := s.(bound.Validator); ok {
			if err := v.Validate(); err != nil {
				return fmt.Errorf("WithSource %s %q: %w", kind, name, err)
			}
		}
		k := boundKey{kind, name}
		if _, dup := x.sources[k]; dup {
			return fmt.Errorf("WithSource %s %q: connection bound twice", kind, name)
		}
		if x.sources == nil {
			x.sources = map[boundKey]bound.Source{}
		}
		x.sources[k] = s
		x.sourceOrder = append(x.sourceOrder, s)
		return nil
	}
}

// BoundSource hands a source kind's package the source bound under kind and name. Its Token argument can only be
// written by packages of this module: users reach their own bound sources through the values they bound.
func (x *Executor) BoundSource(_ seam.Token, kind, name string) (bound.Source, error) {
	if x.st.Cache.Load() == nil {
		return nil, ErrClosed
	}
	s, ok := x.sources[boundKey{kind, name}]
	if !ok {
		return nil, Permanent(fmt.Errorf("reftask: no %s connection %q is bound (runtime.WithSource)", kind, name))
	}
	return s, nil
}

// Permanent is runtime.Permanent for the packages of this module that reach the executor through the seam.
func (x *Executor) Permanent(_ seam.Token, err error) error { return Permanent(err) }

// startSources starts the bound sources that run alongside the executor, in binding order, and notes those that
// report health; New calls it once every option has been applied and the cache is ready. If one fails to start,
// those already started are stopped.
func (x *Executor) startSources() error {
	for _, s := range x.sourceOrder {
		if h, ok := s.(bound.HealthReporter); ok {
			x.reporters = append(x.reporters, h)
		}
		r, ok := s.(seam.Runner)
		if !ok {
			continue
		}
		x.runners = append(x.runners, r)
		if err := r.Start(x); err != nil {
			x.stopRunners()
			return fmt.Errorf("start %s %q: %w", s.Kind(), s.Name(), err)
		}
	}
	return nil
}

// stopRunners stops what startSources started, the last started first; Close calls it, possibly more than once.
func (x *Executor) stopRunners() {
	for i := len(x.runners) - 1; i >= 0; i-- {
		x.runners[i].Stop()
	}
}

// Health returns nil when every bound source serves what it should, else the problems that the sources which
// keep serving through them report: with a file root bound, one error per file that failed to reload and still
// serves its last good version. It does no I/O, so it is cheap enough for every liveness probe.
func (x *Executor) Health() error {
	if x == nil {
		return nil
	}
	var errs []error
	for _, h := range x.reporters {
		if err := h.Health(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ReportReload hands the file source's reload outcome to the OnReload hook. Its Token argument can only be
// written by packages of this module.
func (x *Executor) ReportReload(_ seam.Token, ctx context.Context, path string, err error) {
	if h := x.hooks.OnReload; h != nil {
		h(ctx, FileEvent{Path: path, Err: err})
	}
}

var _ seam.Host = (*Executor)(nil)

// closeSources closes the bound sources, the last bound first, and joins their errors.
func (x *Executor) closeSources() error {
	var errs []error
	for i := len(x.sourceOrder) - 1; i >= 0; i-- {
		s := x.sourceOrder[i]
		if err := s.Close(); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %w", s.Kind(), s.Name(), err))
		}
	}
	x.sourceOrder = nil
	return errors.Join(errs...)
}
