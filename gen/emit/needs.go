package emit

import (
	"slices"
	"strings"

	"github.com/reftask/reftask/gen/ir"
)

// Emitting only what the package calls keeps the file, and the time to
// format it, in proportion to what it does: a params type is never read
// back from the cache, and most types are never converted from a raw
// source value (SQL rows with struct results are scanned column by column).

// cacheReads returns the named types whose readX the cache decoders call:
// those reachable from a task's result.
func cacheReads(p *ir.Package) map[*ir.Type]bool {
	seen := map[*ir.Type]bool{}
	for _, t := range p.Tasks {
		reach(t.Result, seen)
	}
	return seen
}

// reach marks t and every type its values contain.
func reach(t *ir.Type, seen map[*ir.Type]bool) {
	if t == nil || seen[t] {
		return
	}
	seen[t] = true
	reach(t.Elem, seen)
	for _, fd := range t.Fields {
		reach(fd.Type, seen)
	}
	for _, v := range t.Variants {
		reach(v.Type, seen)
	}
	if t.Extra != nil {
		reach(t.Extra.Elem, seen)
	}
	for _, m := range t.Patterns {
		reach(m.Elem, seen)
	}
}

// convDemand collects the named types whose convX some emitted code
// calls, so that exactly those converters are emitted, after the code that
// calls them.
type convDemand struct {
	want    map[string]*ir.Type
	emitted map[string]bool
}

// need records that convX of t is called.
func (d *convDemand) need(t *ir.Type) {
	if d.want == nil {
		d.want = map[string]*ir.Type{}
		d.emitted = map[string]bool{}
	}
	d.want[t.Name] = t
}

// next returns the demanded converters not yet emitted, sorted by name,
// and marks them emitted; emitting them may demand more.
func (d *convDemand) next() []*ir.Type {
	var out []*ir.Type
	for name, t := range d.want {
		if !d.emitted[name] {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b *ir.Type) int { return strings.Compare(a.Name, b.Name) })
	for _, t := range out {
		d.emitted[t.Name] = true
	}
	return out
}
