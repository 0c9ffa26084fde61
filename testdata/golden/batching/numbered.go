// Package batching is a golden test case for batched tasks: SQL, Go and
// HTTP (GET with repeated query keys, POST with a body of keys).
package batching

import (
	"context"
	"fmt"

	"github.com/reftask/reftask/runtime"
)

// FindNumbered is the single-key Go source of Numbered.
func FindNumbered(ctx context.Context, p NumberedParams) (*Numbered, error) {
	if p.Number%7 == 0 {
		return nil, runtime.ErrNotFound
	}
	return &Numbered{Number: p.Number, Label: fmt.Sprintf("n%d", p.Number)}, nil
}

// FindNumberedBatch is the batch Go source of Numbered: multiples of 7
// are missing, so they are not found.
func FindNumberedBatch(ctx context.Context, numbers []int64) (map[int64]*Numbered, error) {
	out := make(map[int64]*Numbered, len(numbers))
	for _, n := range numbers {
		if n%7 != 0 {
			out[n] = &Numbered{Number: n, Label: fmt.Sprintf("n%d", n)}
		}
	}
	return out, nil
}
