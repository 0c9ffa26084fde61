package gen_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// versionAssertion is the line every generated file declares so that a
// file and a kit from different versions fail to build on that line.
const versionAssertion = "const _ = kit.SupportPackageIsVersion1"

// generatedFiles lists every checked-in generated file: goldens, examples, difftest, bench and the runtime's examples.
func generatedFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../testdata/golden/*/reftasks_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../examples/*/*/reftasks_gen.go")
	files = append(files, more...)
	files = append(files, "../testdata/difftest/reftasks_gen.go", "../bench/lookups/reftasks_gen.go", "../runtime/internal/examplelookups/reftasks_gen.go")
	if len(files) < 10 {
		t.Fatalf("found only %d generated files: %v", len(files), files)
	}
	return files
}

// TestGeneratedFilesAssertKitVersion checks every checked-in generated file
// (goldens, difftest, examples, bench) declares the kit version assertion.
func TestGeneratedFilesAssertKitVersion(t *testing.T) {
	for _, f := range generatedFiles(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(src), "\n"+versionAssertion+"\n") {
			t.Errorf("%s: no %q", f, versionAssertion)
		}
	}
}

// TestKitVersionMismatchNamesTheConstant type-checks a generated file
// against the real kit, first as generated (it must pass), then as if it had
// been generated for another kit version: the error must name the constant,
// so the user learns to regenerate rather than chase a changed helper.
func TestKitVersionMismatchNamesTheConstant(t *testing.T) {
	src, err := os.ReadFile("../testdata/golden/names/reftasks_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	check := func(text string) error {
		f, err := parser.ParseFile(fset, "reftasks_gen.go", text, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		var first error
		conf := types.Config{Importer: imp, Error: func(err error) {
			if first == nil {
				first = err
			}
		}}
		_, _ = conf.Check("names", fset, []*ast.File{f}, nil)
		return first
	}
	if err := check(string(src)); err != nil {
		t.Fatalf("the generated file does not type-check as generated: %v", err)
	}
	for _, other := range []string{"SupportPackageIsVersion0", "SupportPackageIsVersion2"} {
		text := strings.Replace(string(src), "kit.SupportPackageIsVersion1", "kit."+other, 1)
		err := check(text)
		if err == nil {
			t.Fatalf("a file asserting %s type-checks against this kit", other)
		}
		if !strings.Contains(err.Error(), other) {
			t.Errorf("the first error for a file asserting %s does not name it: %v", other, err)
		}
	}
}
