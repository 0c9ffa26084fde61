package runtime

import (
	"github.com/reftask/reftask/runtime/internal/rawval"
)

func displayPath(p string) string { return rawval.DisplayPath(p) }
