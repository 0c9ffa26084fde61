package emit

import (
	"bytes"
	"fmt"
	"go/format"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/load"
	"github.com/reftask/reftask/gen/model"
)

// goldenPackages models the specs of every golden case (those of
// gen/golden_test.go: testdata/golden, testdata/difftest and the examples).
func goldenPackages(t *testing.T) map[string]*ir.Package {
	t.Helper()
	var dirs []string
	for _, pattern := range []string{"../../testdata/golden/*/specs", "../../testdata/difftest/specs", "../../examples/*/*/specs"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, m...)
	}
	pkgs := map[string]*ir.Package{}
	for _, specs := range dirs {
		dir := filepath.Dir(specs)
		set, diags := load.Load(specs)
		if diags.HasErrors() {
			continue // the errors case: nothing to emit
		}
		p, diags := model.Build(set, filepath.Base(dir))
		if diags.HasErrors() {
			continue
		}
		pkgs[dir] = p
	}
	if len(pkgs) < 5 {
		t.Fatalf("found %d golden packages, want at least 5", len(pkgs))
	}
	return pkgs
}

// TestChunkedEqualsWhole: rendering in chunks gives the bytes of rendering
// the package as one jennifer File, whatever the chunk size, and those
// bytes are gofmt-clean (go/format.Source leaves them as they are).
func TestChunkedEqualsWhole(t *testing.T) {
	for dir, p := range goldenPackages(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			whole, err := wholeFile(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range []int{1, 2, 3, typesPerChunk, 1 << 20} {
				got, err := chunkedFile(p, n)
				if err != nil {
					t.Fatalf("%d per chunk: %v", n, err)
				}
				if !bytes.Equal(got, whole) {
					t.Errorf("%d per chunk: differs from the whole-file render at: %s", n, firstDiff(whole, got))
				}
				formatted, err := format.Source(got)
				if err != nil {
					t.Fatalf("%d per chunk: output does not parse: %v", n, err)
				}
				if !bytes.Equal(formatted, got) {
					t.Errorf("%d per chunk: not gofmt-clean at: %s", n, firstDiff(formatted, got))
				}
			}
			// And File is the chunked renderer.
			got, err := File(p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, whole) {
				t.Errorf("File differs from the whole-file render at: %s", firstDiff(whole, got))
			}
		})
	}
}

// TestChunkedDeterministic: the bytes do not depend on how the chunks'
// goroutines are scheduled.
func TestChunkedDeterministic(t *testing.T) {
	for dir, p := range goldenPackages(t) {
		first, err := chunkedFile(p, 1)
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			again, err := chunkedFile(p, 1)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, again) {
				t.Fatalf("%s: two renders differ at: %s", dir, firstDiff(first, again))
			}
		}
	}
}

// TestAssembleImportConflict: when two chunks give one name to different
// packages, only a single File can settle the names, and assemble renders
// the whole file instead.
func TestAssembleImportConflict(t *testing.T) {
	p := &ir.Package{Name: "conflict"}
	a, b := newChunk(p.Name), newChunk(p.Name)
	a.f.Var().Id("A").Qual("example.com/one/x", "T")
	b.f.Var().Id("B").Qual("example.com/two/x", "T")
	a.render()
	b.render()
	if a.err != nil || b.err != nil {
		t.Fatal(a.err, b.err)
	}
	got, err := assemble(p, []*chunk{a, b})
	if err != nil {
		t.Fatal(err)
	}
	want, err := wholeFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant the whole-file render\n%s", got, want)
	}
}

// TestAssembleImports: the import block lists exactly the packages the
// chunks use, under the names the chunks use.
func TestAssembleImports(t *testing.T) {
	p := &ir.Package{Name: "imports"}
	a, b := newChunk(p.Name), newChunk(p.Name)
	a.f.Var().Id("A").Qual("time", "Duration")
	b.f.Var().Id("B").Qual(rt, "Date")
	b.f.Line()
	b.f.Var().Id("C").Qual("time", "Time")
	a.render()
	b.render()
	got, err := assemble(p, []*chunk{a, b})
	if err != nil {
		t.Fatal(err)
	}
	f := jen.NewFile(p.Name)
	f.HeaderComment(header)
	f.ImportName(rt, "runtime")
	f.Var().Id("A").Qual("time", "Duration")
	f.Line()
	f.Var().Id("B").Qual(rt, "Date")
	f.Line()
	f.Var().Id("C").Qual("time", "Time")
	want := []byte(f.GoString())
	if !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func firstDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range min(len(w), len(g)) {
		if w[i] != g[i] {
			return fmt.Sprintf("line %d: want %q, got %q", i+1, w[i], g[i])
		}
	}
	return fmt.Sprintf("line %d: lengths differ (%d and %d lines)", min(len(w), len(g))+1, len(w), len(g))
}
