package runtime

import (
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
	if x.cache.Load() == nil {
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
