package gen_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// TestNoEmptyFunctions parses every generated file of the corpus (goldens, examples, bench, difftest, the runtime's
// examples) and fails on a function with an empty body: a schema that accepts everything gets no check function of
// its own (it uses kit.AcceptAll), and a type with nothing to check a Validate that returns nil.
//
// Two forms are still emitted empty and are listed here so that no other one appears: the cache reader of a struct
// with no fields (other readers take it as a function value), and the validate method of a tuple whose positions
// need no check (its parents call it unconditionally). Both are open work of issue 12 item 6.
func TestNoEmptyFunctions(t *testing.T) {
	known := map[string]bool{
		"../testdata/golden/shapes/reftasks_gen.go readXResultEmpty": true,
		"../testdata/golden/unions/reftasks_gen.go validate":         true,
	}
	fset := token.NewFileSet()
	for _, f := range generatedFiles(t) {
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if fd, ok := n.(*ast.FuncDecl); ok && fd.Body != nil && len(fd.Body.List) == 0 && !known[f+" "+fd.Name.Name] {
				t.Errorf("%s: func %s has an empty body", fset.Position(fd.Pos()), fd.Name.Name)
			}
			return true
		})
	}
}
