package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/names"
)

// patternNames names the package-level variable of each distinct pattern the file's code matches (a
// string's pattern, a patternProperties key, a schema program's pattern) after where it is first used:
// idPattern for a field ID, skuPattern for a type SKU, or, when another pattern took that name, the owner's
// name before it (userProfileIDPattern). The walk follows the package's types in order, so the names are
// the same on every run; the emitters only read the result, so concurrent chunks agree on it.
type patternNames struct {
	byPattern map[string]string
	taken     map[string]bool
	// order lists the patterns in the order they were named, which is the order they are declared in.
	order []string
}

func newPatternNames(p *ir.Package) *patternNames {
	n := &patternNames{byPattern: map[string]string{}, taken: map[string]bool{}}
	seenType := map[*ir.Type]bool{}
	seenSchema := map[*ir.Schema]bool{}
	var walkSchema func(s *ir.Schema)
	walkSchema = func(s *ir.Schema) {
		if s == nil || seenSchema[s] {
			return
		}
		seenSchema[s] = true
		use := strings.TrimPrefix(s.Func, "check")
		if s.Pattern != "" {
			n.add(s.Pattern, "", use)
		}
		for _, pp := range s.PatternProperties {
			n.add(pp.Pattern, "", use+"Key")
		}
		for _, c := range children(s) {
			walkSchema(c)
		}
	}
	var walkType func(t *ir.Type, owner, use string)
	walkType = func(t *ir.Type, owner, use string) {
		if t == nil || seenType[t] {
			return
		}
		seenType[t] = true
		if t.Name != "" {
			owner, use = t.Name, t.Name
		}
		if t.Check.Pattern != "" {
			n.add(t.Check.Pattern, owner, use)
		}
		walkSchema(t.Schema)
		walkType(t.Elem, owner, use)
		for _, f := range t.Fields {
			walkType(f.Type, owner, f.Name)
		}
		for _, v := range t.Variants {
			walkType(v.Type, owner, v.Name)
			for _, o := range v.Others {
				walkSchema(o)
			}
		}
		for _, m := range mapFields(t) {
			if m.Pattern != "" {
				n.add(m.Pattern, owner, m.Name+"Key")
			}
			walkType(m.Elem, owner, m.Name)
		}
	}
	for _, t := range p.Types {
		walkType(t, "", "")
	}
	for _, t := range p.Tasks {
		walkType(t.Params, "", "")
		walkType(t.Result, "", "")
	}
	return n
}

// add names pattern after its use, unless it has a name already.
func (n *patternNames) add(pattern, owner, use string) {
	if _, ok := n.byPattern[pattern]; ok {
		return
	}
	name := names.Unexported(use) + "Pattern"
	if n.taken[name] && owner != "" && owner != use {
		name = names.Unexported(owner+"_"+use) + "Pattern"
	}
	for i, base := 2, name; n.taken[name]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	n.taken[name] = true
	n.byPattern[pattern] = name
	n.order = append(n.order, pattern)
}

// declare writes the pattern variables, compiled once; the schema compiler has already accepted each.
func (n *patternNames) declare(f *jen.File) {
	if len(n.order) == 1 {
		name := n.byPattern[n.order[0]]
		comment(f, fmt.Sprintf("%s is compiled once; reftaskgen has already checked the pattern.", name))
		f.Var().Id(name).Op("=").Qual(kit, "MustPattern").Call(jen.Lit(n.order[0]))
		return
	}
	if len(n.order) == 0 {
		return
	}
	f.Comment("The patterns of the schemas, compiled once; reftaskgen has already checked them.")
	f.Var().DefsFunc(func(g *jen.Group) {
		for _, p := range n.order {
			g.Id(n.byPattern[p]).Op("=").Qual(kit, "MustPattern").Call(jen.Lit(p))
		}
	})
}
