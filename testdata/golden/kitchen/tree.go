// Package kitchen is a golden test case: every type kind and policy the
// generator supports, run end to end against SQLite and PostgreSQL.
package kitchen

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/reftask/reftask/runtime"
)

// TreeCalls counts BuildTree calls; tests read it to see the cache at work.
// It is a test fixture's counter, not state the generated code uses.
type TreeCalls struct{ N atomic.Int64 }

type treeKey struct{}

// WithTreeCalls makes BuildTree count its calls in tc and behave as mode
// says: "" normal, "fail-once" fails its first call, "slow" outlives the
// per-attempt timeout once, "permanent" fails permanently, "panic" panics.
func WithTreeCalls(ctx context.Context, tc *TreeCalls, mode string) context.Context {
	return context.WithValue(ctx, treeKey{}, treeState{tc, mode})
}

type treeState struct {
	calls *TreeCalls
	mode  string
}

// BuildTree is the Go source of the CategoryTree task.
func BuildTree(ctx context.Context, p CategoryTreeParams) (*CategoryTree, error) {
	st, _ := ctx.Value(treeKey{}).(treeState)
	var n int64
	if st.calls != nil {
		n = st.calls.N.Add(1)
	}
	switch st.mode {
	case "fail-once":
		if n == 1 {
			return nil, errors.New("tree service hiccup")
		}
	case "slow":
		if n == 1 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Second):
			}
		}
	case "permanent":
		return nil, runtime.Permanent(errors.New("tree is corrupt"))
	case "panic":
		panic("tree builder bug")
	}
	if p.Root == "missing" {
		return nil, runtime.ErrNotFound
	}
	depth := int64(2)
	if p.Depth != nil {
		depth = *p.Depth
	}
	return build(p.Root, depth), nil
}

func build(name string, depth int64) *CategoryTree {
	t := &CategoryTree{Name: name, Children: []CategoryTree{}}
	if depth == 0 {
		return t
	}
	for i := range 2 {
		child := build(fmt.Sprintf("%s.%d", name, i), depth-1)
		child.Parent = &CategoryTree{Name: name, Children: []CategoryTree{}}
		t.Children = append(t.Children, *child)
	}
	return t
}
