package model

import (
	"maps"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/load"
)

// The x-go-* keywords reftaskgen reads. A keyword the generator reads is marked used where it reads it (goName,
// keyword); after a task is built, every x-go-* keyword of a schema the task reaches that was never read is
// reported at the keyword: it would otherwise be dropped without a word (issue 11, class 5).
const (
	xGoName      = "x-go-name"
	xGoType      = "x-go-type"
	xGoEnumNames = "x-go-enum-names"
)

// isGoExtension reports whether reftaskgen reads the keyword somewhere.
func isGoExtension(k string) bool { return k == xGoName || k == xGoType || k == xGoEnumNames }

// markUsed records that the keyword at the schema location loc was read.
func (b *builder) markUsed(loc, keyword string) {
	if strings.HasPrefix(keyword, "x-go-") {
		b.used[loc+"/"+keyword] = true
	}
}

// unusedExtensions reports the x-go-* keywords of the schemas under roots that building the task never read:
// a known one is an error, since the spec asks for a name or a type it would not get; an unknown one (another
// tool's, or a typo) is a warning.
func (b *builder) unusedExtensions(roots ...*jsonschema.Schema) {
	seen := map[*jsonschema.Schema]bool{}
	stack := slices.Clone(roots)
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s == nil || seen[s] {
			continue
		}
		seen[s] = true
		stack = append(stack, load.Subschemas(s)...)
		k := load.GoKeywordsOf(s)
		if k == nil {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(k.Values)) {
			if b.used[s.Location+"/"+k] {
				continue
			}
			b.used[s.Location+"/"+k] = true // once, though several tasks reach the schema
			d := b.set.Locate(s.Location + "/" + k)
			if isGoExtension(k) {
				d.Msg = k + " has no effect on this schema: " + extensionHome(k) + "; this schema " + b.placeOf(s) + "; move the keyword or remove it"
			} else {
				d.Msg = "unknown extension " + diag.Quote(k) + ": reftaskgen reads x-go-name, x-go-type and x-go-enum-names, and ignores this one"
				d.Warning = true
			}
			b.diags.Add(d)
		}
	}
}

// extensionHome says where an extension takes effect.
func extensionHome(k string) string {
	switch k {
	case xGoName:
		return "it names a property's field, a tuple item, a union branch or a type reftaskgen declares (an object, an enum, a union, a tuple, a recursive map or array)"
	case xGoType:
		return "it replaces the Go type of a property, an item or a value that has a type of its own"
	}
	return "it names the constants of an enum that becomes a Go type"
}

// placeOf says why a schema has no Go type of its own, as far as its place tells.
func (b *builder) placeOf(s *jsonschema.Schema) string {
	_, frag, _ := strings.Cut(s.Location, "#")
	toks := strings.Split(frag, "/")
	for i := len(toks) - 1; i >= 0; i-- {
		switch toks[i] {
		case "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "contains", "propertyNames", "dependentSchemas",
			"unevaluatedProperties", "unevaluatedItems":
			return "is under " + toks[i] + ", which reftaskgen checks as a constraint rather than lowering to a Go type"
		}
	}
	if s.Ref != nil {
		return "is a $ref, whose target's type is used as it is"
	}
	return "gets a Go type that does not take it (a plain scalar, a JSON value or a type already built)"
}
