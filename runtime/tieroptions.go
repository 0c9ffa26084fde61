package runtime

import (
	"errors"
	"time"

	"github.com/reftask/reftask/runtime/tier"
)

// WithTier adds a cache tier read after the local one and before the source; tiers added by several options are
// read in the order given. A result fetched from the source is written to every tier, and Invalidate and
// InvalidateTask reach every tier. The executor does not close t.
func WithTier(t tier.Tier) Option {
	return func(x *Executor) error {
		if t == nil {
			return errors.New("WithTier: nil tier")
		}
		x.st.Tiers = append(x.st.Tiers, t)
		return nil
	}
}

// WithTierTimeout bounds each call to a tier added with WithTier (default 100ms): a tier that does not answer in
// time counts as a miss, and the lookup goes on to the next tier or the source.
func WithTierTimeout(d time.Duration) Option {
	return func(x *Executor) error {
		if d <= 0 {
			return errors.New("WithTierTimeout: the timeout must be positive")
		}
		x.st.TierTimeout = d
		return nil
	}
}
