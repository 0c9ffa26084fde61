package kit

import (
	"github.com/reftask/reftask/runtime/internal/rawval"
)

// typeName names the Go type of a raw value as an error shows it.
func typeName(v any) string { return rawval.TypeName(v) }

// renderValue shows a raw source value in an error, bounded as the runtime's errors are.
func renderValue(v any) string { return rawval.Render(v) }

// quoteAny shows a value of any type in an error, bounded: a key, a tag.
func quoteAny(v any) string { return rawval.QuoteAny(v) }
