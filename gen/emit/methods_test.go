package emit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"testing"

	"github.com/reftask/reftask/gen/ir"
)

// TestMethodsAreDeclared checks ir.Methods, the one list the model renames
// clashing fields by, against the emitter: every method the golden
// packages declare on a named type is in the list for the type's kind, so
// a method added to the emitter without it fails here.
func TestMethodsAreDeclared(t *testing.T) {
	seen := map[ir.Kind]map[string]bool{}
	for dir, p := range goldenPackages(t) {
		src, err := File(p)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]ir.Kind{}
		for _, ty := range p.Types {
			kinds[ty.Name] = ty.Kind
		}
		file, err := parser.ParseFile(token.NewFileSet(), "gen.go", src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil {
				continue
			}
			recv := fn.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			name := recv.(*ast.Ident).Name
			kind, ok := kinds[name]
			if !ok {
				continue // Client
			}
			if !slices.Contains(ir.Methods(kind), fn.Name.Name) {
				t.Errorf("%s: %s (%v) has method %s, which ir.Methods(%v) does not list", filepath.Base(dir), name, kind, fn.Name.Name, kind)
			}
			if seen[kind] == nil {
				seen[kind] = map[string]bool{}
			}
			seen[kind][fn.Name.Name] = true
		}
	}
	// The goldens exercise every kind, so the list holds no stale name.
	for _, k := range []ir.Kind{ir.Struct, ir.Tuple, ir.Union, ir.Enum, ir.JSONEnum, ir.Named} {
		for _, m := range ir.Methods(k) {
			if !seen[k][m] {
				t.Errorf("ir.Methods(%v) lists %s, which no golden package declares on a %v", k, m, k)
			}
		}
	}
}
