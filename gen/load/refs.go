package load

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/reftask/reftask/gen/diag"
)

// The $ref graph of the specs folder, read from the files themselves before
// any schema is compiled. A schema is a node; an edge leads from a schema to
// a subschema or to the target of its $ref. Edges of the in-place
// applicators ($ref, allOf, anyOf, oneOf, not, if, then, else,
// dependentSchemas) apply their target to the same value, so a cycle of
// them never reaches a smaller value: no Go type holds it and no validator
// finishes on it. Such a cycle is reported here, once, naming every schema
// on it, and no spec that reaches it is compiled. A cycle that passes
// through properties, items or any other keyword about a part of the value
// is a recursive type and is fine. Specs that reach a file rejected for its
// own sake (a duplicate key) are not compiled either, so that their other
// errors do not hide that one.

// inPlace are the keywords whose subschemas apply to the value itself.
var inPlace = map[string]bool{
	"allOf": true, "anyOf": true, "oneOf": true, "not": true, "if": true, "then": true, "else": true,
	"dependentSchemas": true, "dependencies": true,
	"$ref": true, "$dynamicRef": true, "$recursiveRef": true,
}

// oneSchema, arrSchemas and mapSchemas say where a schema object holds
// subschemas: one schema, an array of schemas, or an object of them.
var (
	oneSchema  = []string{"additionalProperties", "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contains", "additionalItems", "contentSchema", "not", "if", "then", "else", "items"}
	arrSchemas = []string{"allOf", "anyOf", "oneOf", "prefixItems", "items"}
	mapSchemas = []string{"properties", "patternProperties", "dependentSchemas", "dependencies", "$defs", "definitions"}
)

// refNode is one schema of the graph.
type refNode struct {
	file *File
	ptr  string // RFC 6901, unescaped from any percent-encoding
	val  any
	base string // the URI its relative $refs resolve against
	old  bool   // draft-07 or earlier: keywords beside $ref are ignored
	// edges lead to its subschemas and $ref targets; inPlace marks those
	// applied to the same value, at is the JSON pointer of the keyword.
	edges []refEdge
}

type refEdge struct {
	to      string
	at      string
	inPlace bool
}

// refGraph indexes every resource ($id) and anchor of the specs folder.
type refGraph struct {
	resources map[string]refTarget  // absolute URI without fragment -> schema
	anchors   map[string]refTarget  // absolute URI#name -> schema
	nodes     map[string]*refNode   // by id: file URL#pointer
	byFile    map[*File][]refTarget // the resources inside each file, by $id
	order     []string              // node ids in discovery order
}

type refTarget struct {
	file *File
	ptr  string
	base string
}

func nodeID(f *File, ptr string) string { return f.URL + "#" + ptr }

// newRefGraph walks every file once to find the resources and anchors that
// $refs may name.
func newRefGraph(files []*File) *refGraph {
	g := &refGraph{resources: map[string]refTarget{}, anchors: map[string]refTarget{}, nodes: map[string]*refNode{}, byFile: map[*File][]refTarget{}}
	for _, f := range files {
		// A fragment pointer is from the document's root, even in a task
		// spec, whose root is not a schema.
		g.resources[f.URL] = refTarget{f, "", f.URL}
		for _, root := range schemaRoots(f) {
			g.index(f, root.ptr, root.val, f.URL, fileIsOld(f))
		}
	}
	return g
}

type rootSchema struct {
	ptr string
	val any
}

// schemaRoots are the schemas a file holds at its top: the params and
// result of a task spec, or the whole of a schema file.
func schemaRoots(f *File) []rootSchema {
	if !strings.HasSuffix(f.URL, TaskSuffix) {
		return []rootSchema{{"", f.Doc}}
	}
	m, _ := f.Doc.(map[string]any)
	var out []rootSchema
	for _, k := range []string{"params", "result"} {
		if v, ok := m[k]; ok {
			out = append(out, rootSchema{"/" + k, v})
		}
	}
	return out
}

func fileIsOld(f *File) bool {
	if strings.HasSuffix(f.URL, TaskSuffix) {
		return false
	}
	m, _ := f.Doc.(map[string]any)
	sch, _ := m["$schema"].(string)
	return strings.Contains(sch, "draft-0") || strings.Contains(sch, "draft-04")
}

// index registers the $id and anchors under one schema, iteratively: a
// file may nest as deep as the reader allows.
func (g *refGraph) index(f *File, ptr string, val any, base string, old bool) {
	type item struct {
		ptr  string
		val  any
		base string
	}
	stack := []item{{ptr, val, base}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		m, ok := it.val.(map[string]any)
		if !ok {
			continue
		}
		b := it.base
		if id, ok := m["$id"].(string); ok {
			if abs, ok := resolve(b, id); ok {
				if frag := fragmentOf(abs); old && frag != "" && !strings.HasPrefix(frag, "/") {
					g.anchors[abs] = refTarget{f, it.ptr, b}
				} else {
					b = stripFragment(abs)
					g.resources[b] = refTarget{f, it.ptr, b}
					g.byFile[f] = append(g.byFile[f], refTarget{f, it.ptr, b})
				}
			}
		}
		for _, kw := range []string{"$anchor", "$dynamicAnchor"} {
			if a, ok := m[kw].(string); ok {
				g.anchors[stripFragment(b)+"#"+a] = refTarget{f, it.ptr, b}
			}
		}
		forEachSubschema(m, it.ptr, func(p, _ string, v any) {
			stack = append(stack, item{p, v, b})
		})
	}
}

// forEachSubschema calls fn for each subschema of m with its pointer and
// keyword, in a fixed order.
func forEachSubschema(m map[string]any, ptr string, fn func(ptr, keyword string, v any)) {
	for _, kw := range oneSchema {
		if v, ok := m[kw]; ok {
			if _, isArr := v.([]any); !isArr {
				fn(ptr+"/"+escapeToken(kw), kw, v)
			}
		}
	}
	for _, kw := range arrSchemas {
		if list, ok := m[kw].([]any); ok {
			for i, v := range list {
				fn(ptr+"/"+escapeToken(kw)+"/"+strconv.Itoa(i), kw, v)
			}
		}
	}
	for _, kw := range mapSchemas {
		if obj, ok := m[kw].(map[string]any); ok {
			for _, k := range slices.Sorted(mapsKeys(obj)) {
				v := obj[k]
				if _, isArr := v.([]any); isArr {
					continue // dependencies: a list of names
				}
				fn(ptr+"/"+escapeToken(kw)+"/"+escapeToken(k), kw, v)
			}
		}
	}
}

// node returns the graph node of a schema, building its edges once.
func (g *refGraph) node(f *File, ptr string, val any, base string, old bool) (*refNode, bool) {
	id := nodeID(f, ptr)
	if n, ok := g.nodes[id]; ok {
		return n, false
	}
	n := &refNode{file: f, ptr: ptr, val: val, base: base, old: old}
	g.nodes[id] = n
	g.order = append(g.order, id)
	m, ok := val.(map[string]any)
	if !ok {
		return n, true
	}
	if id, ok := m["$id"].(string); ok {
		if abs, ok := resolve(base, id); ok && (fragmentOf(abs) == "" || !old) {
			n.base = stripFragment(abs)
		}
	}
	for _, kw := range []string{"$ref", "$dynamicRef", "$recursiveRef"} {
		if ref, ok := m[kw].(string); ok {
			if t, ok := g.resolveRef(n.base, ref); ok {
				n.edges = append(n.edges, refEdge{to: nodeID(t.file, t.ptr), at: ptr + "/" + escapeToken(kw), inPlace: true})
			}
		}
	}
	if old && m["$ref"] != nil {
		return n, true // draft-07: everything beside $ref is ignored
	}
	forEachSubschema(m, ptr, func(p, kw string, _ any) {
		if kw == "$defs" || kw == "definitions" {
			return // reached only through a $ref
		}
		n.edges = append(n.edges, refEdge{to: nodeID(f, p), at: p, inPlace: inPlace[kw]})
	})
	return n, true
}

// resolveRef finds the schema a $ref names, relative to base; ok is false
// when it is not in the specs folder (the compiler reports that).
func (g *refGraph) resolveRef(base, ref string) (refTarget, bool) {
	abs, ok := resolve(base, ref)
	if !ok {
		return refTarget{}, false
	}
	frag := fragmentOf(abs)
	if frag != "" && !strings.HasPrefix(frag, "/") {
		t, ok := g.anchors[abs]
		return t, ok
	}
	res, ok := g.resources[stripFragment(abs)]
	if !ok {
		return refTarget{}, false
	}
	if frag == "" {
		return res, true
	}
	if _, ok := pointerGet(res.file.Doc, res.ptr+frag); !ok {
		return refTarget{}, false
	}
	return refTarget{res.file, res.ptr + frag, res.base}, true
}

// resolve makes ref absolute against base, with its fragment
// percent-decoded (a JSON pointer fragment is written URI-escaped).
func resolve(base, ref string) (string, bool) {
	b, err := url.Parse(base)
	if err != nil {
		return "", false
	}
	r, err := b.Parse(ref)
	if err != nil {
		return "", false
	}
	frag := r.Fragment
	r.Fragment, r.RawFragment = "", ""
	out := r.String()
	if frag != "" {
		out += "#" + frag
	}
	return out, true
}

func stripFragment(u string) string {
	s, _, _ := strings.Cut(u, "#")
	return s
}

func fragmentOf(u string) string {
	_, f, _ := strings.Cut(u, "#")
	return f
}

// checkRefs builds the graph reachable from every spec, reports each
// in-place cycle once, and returns the specs that reach no cycle and no
// rejected file.
func (s *Set) checkRefs(specs []*Spec, rejected map[*File]bool) []*Spec {
	files := make([]*File, 0, len(s.Files))
	for _, u := range slices.Sorted(mapsKeys(s.Files)) {
		files = append(files, s.Files[u])
	}
	g := newRefGraph(files)
	byURL := s.Files
	// Every schema reachable from a spec, breadth first.
	var queue []*refNode
	for _, sp := range specs {
		if sp == nil {
			continue
		}
		for _, root := range schemaRoots(sp.File) {
			if n, fresh := g.node(sp.File, root.ptr, root.val, sp.File.URL, false); fresh {
				queue = append(queue, n)
			}
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, e := range n.edges {
			if _, ok := g.nodes[e.to]; ok {
				continue
			}
			u, ptr, _ := strings.Cut(e.to, "#")
			f := byURL[u]
			val, ok := pointerGet(f.Doc, ptr)
			if !ok {
				continue
			}
			base, old := n.base, fileIsOld(f)
			if f != n.file || !strings.HasPrefix(ptr, n.ptr) {
				base = g.baseAt(f, ptr)
			}
			if m, fresh := g.node(f, ptr, val, base, old); fresh {
				queue = append(queue, m)
			}
		}
	}
	bad := map[string]bool{}
	for _, id := range g.order {
		if rejected[g.nodes[id].file] {
			bad[id] = true
		}
	}
	for _, cycle := range g.inPlaceCycles() {
		for _, id := range cycle {
			bad[id] = true
		}
		s.reportCycle(g, cycle)
	}
	if len(bad) == 0 {
		return specs
	}
	// Whatever reaches a bad schema is bad: walk the edges backwards.
	back := map[string][]string{}
	for _, id := range g.order {
		for _, e := range g.nodes[id].edges {
			back[e.to] = append(back[e.to], id)
		}
	}
	var stack []string
	for id := range bad {
		stack = append(stack, id)
	}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, from := range back[id] {
			if !bad[from] {
				bad[from] = true
				stack = append(stack, from)
			}
		}
	}
	out := make([]*Spec, len(specs))
	for i, sp := range specs {
		if sp == nil {
			continue
		}
		ok := true
		for _, root := range schemaRoots(sp.File) {
			if bad[nodeID(sp.File, root.ptr)] {
				ok = false
			}
		}
		if ok {
			out[i] = sp
		}
	}
	return out
}

// baseAt is the base URI at a pointer: that of the deepest resource of the
// file that contains it.
func (g *refGraph) baseAt(f *File, ptr string) string {
	best, bestLen := f.URL, -1
	for _, r := range g.byFile[f] {
		if len(r.ptr) > bestLen && (ptr == r.ptr || strings.HasPrefix(ptr, r.ptr+"/")) {
			best, bestLen = r.base, len(r.ptr)
		}
	}
	return best
}

// inPlaceCycles finds the cycles of in-place edges by a depth-first walk,
// iterative, in discovery order so that the report is deterministic. Each
// cycle is returned once, as the node ids along it.
func (g *refGraph) inPlaceCycles() [][]string {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var cycles [][]string
	type frame struct {
		id   string
		next int
	}
	for _, start := range g.order {
		if color[start] != white {
			continue
		}
		stack := []frame{{start, 0}}
		color[start] = grey
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			n := g.nodes[top.id]
			if top.next >= len(n.edges) {
				color[top.id] = black
				stack = stack[:len(stack)-1]
				continue
			}
			e := n.edges[top.next]
			top.next++
			if !e.inPlace {
				continue
			}
			if _, ok := g.nodes[e.to]; !ok {
				continue
			}
			switch color[e.to] {
			case white:
				color[e.to] = grey
				stack = append(stack, frame{e.to, 0})
			case grey:
				var cycle []string
				for i := len(stack) - 1; i >= 0; i-- {
					cycle = append(cycle, stack[i].id)
					if stack[i].id == e.to {
						break
					}
				}
				slices.Reverse(cycle)
				cycles = append(cycles, cycle)
			}
		}
	}
	return cycles
}

// reportCycle reports a cycle at the in-place keyword that leaves its
// first schema in file order, naming every schema on it.
func (s *Set) reportCycle(g *refGraph, cycle []string) {
	first := 0
	for i, id := range cycle {
		a, b := g.nodes[id], g.nodes[cycle[first]]
		if a.file.Path < b.file.Path || (a.file.Path == b.file.Path && a.ptr < b.ptr) {
			first = i
		}
	}
	cycle = append(slices.Clone(cycle[first:]), cycle[:first]...)
	var names []string
	for _, id := range append(cycle, cycle[0]) {
		n := g.nodes[id]
		name := n.file.Path
		if n.ptr != "" {
			name += "#" + n.ptr
		}
		names = append(names, diag.Clip(name))
	}
	start := g.nodes[cycle[0]]
	next := cycle[0]
	if len(cycle) > 1 {
		next = cycle[1]
	}
	at := start.ptr
	for _, e := range start.edges {
		if e.inPlace && e.to == next {
			at = e.at
			break
		}
	}
	d := diag.Diagnostic{File: start.file.Path, Pointer: at, Msg: fmt.Sprintf(
		"$ref cycle %s: each schema applies the next to the same value and none looks inside it, so no Go type can hold it; refer back from inside properties, items or additionalProperties",
		strings.Join(names, " -> "))}
	d.Line, d.Col = start.file.Index.Pos(at)
	s.add(d)
}

// escapeToken escapes a key as a JSON pointer token.
func escapeToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
