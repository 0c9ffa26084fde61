package runtime

import (
	"fmt"

	"github.com/reftask/reftask/runtime/internal/seam"
)

// defaultMaxParams is the largest params document Execute accepts unless WithMaxParamsSize says otherwise.
const defaultMaxParams = 1 << 20

// WithMaxParamsSize sets the largest params document, in bytes, that a generated Execute decodes (default 1 MiB).
// A larger one is a *ValidationError, like any other bad input.
func WithMaxParamsSize(n int) Option {
	return func(x *Executor) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxParamsSize: limit %d is not positive", n)
		}
		x.st.MaxParams = n
		return nil
	}
}

// ParamsLimit is the largest params document, in bytes, that kit.DecodeParams accepts for this executor. Its
// Token argument can only be written by packages of this module.
func (x *Executor) ParamsLimit(_ seam.Token) int { return x.st.MaxParams }
