package emit

import (
	"testing"

	"github.com/reftask/reftask/gen/ir"
)

// Pattern variables are named after their first use, in the package's order: a field, a named type, a map
// field's keys, a schema program; a name another pattern took gets the owner's name before it, then a number.
func TestPatternNames(t *testing.T) {
	str := func(p string) *ir.Type { return &ir.Type{Kind: ir.String, Check: ir.Constraints{Pattern: p}} }
	user := &ir.Type{Kind: ir.Struct, Name: "User", Fields: []*ir.Field{
		{Name: "ID", Type: str("^u[0-9]+$")},
		{Name: "Code", Type: &ir.Type{Kind: ir.Pointer, Elem: str("^[A-Z]{2}$")}},
		{Name: "Again", Type: str("^u[0-9]+$")},
	}}
	order := &ir.Type{Kind: ir.Struct, Name: "Order", Fields: []*ir.Field{
		{Name: "ID", Type: str("^o[0-9]+$")},
		{Name: "SKU", Type: &ir.Type{Kind: ir.Named, Name: "SKU", Elem: str("^[a-z]+-[0-9]+$")}},
	}, Patterns: []*ir.MapField{{Name: "Labels", Pattern: "^x-", Elem: &ir.Type{Kind: ir.String}}}}
	other := &ir.Type{Kind: ir.Struct, Name: "Other", Fields: []*ir.Field{{Name: "ID", Type: str("^z$")}}}
	otherAgain := &ir.Type{Kind: ir.Struct, Name: "Other", Fields: []*ir.Field{{Name: "ID", Type: str("^y$")}}}
	prog := &ir.Type{Kind: ir.Named, Name: "Doc", Elem: &ir.Type{Kind: ir.JSON, Schema: &ir.Schema{
		Func: "checkDocValue", Pattern: "^d", PatternProperties: []ir.SchemaPattern{{Pattern: "^k", Schema: &ir.Schema{Func: "checkDocK"}}},
	}}}
	n := newPatternNames(&ir.Package{Types: []*ir.Type{user, order, other, otherAgain, prog}})
	want := map[string]string{
		"^u[0-9]+$":       "idPattern",
		"^[A-Z]{2}$":      "codePattern",
		"^o[0-9]+$":       "orderIDPattern",
		"^[a-z]+-[0-9]+$": "skuPattern",
		"^x-":             "labelsKeyPattern",
		"^z$":             "otherIDPattern",
		"^y$":             "otherIDPattern2",
		"^d":              "docValuePattern",
		"^k":              "docValueKeyPattern",
	}
	for p, name := range want {
		if got := n.byPattern[p]; got != name {
			t.Errorf("pattern %q: variable %q, want %q", p, got, name)
		}
	}
	if len(n.order) != len(want) {
		t.Errorf("%d variables declared, want %d (one per distinct pattern)", len(n.order), len(want))
	}
	if again := newPatternNames(&ir.Package{Types: []*ir.Type{user, order, other, otherAgain, prog}}); len(again.order) != len(n.order) || again.byPattern["^y$"] != "otherIDPattern2" {
		t.Errorf("a second walk names the patterns differently: %v", again.byPattern)
	}
}
