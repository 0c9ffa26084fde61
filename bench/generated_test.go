package bench

import (
	"bytes"
	"os"
	"testing"

	"github.com/reftask/reftask/gen"
)

// TestGeneratedUpToDate fails when lookups/reftasks_gen.go is not what the generator makes of
// lookups/specs today (run `go generate ./lookups` from bench/).
func TestGeneratedUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the package through go/packages")
	}
	src, diags := gen.Generate(gen.Options{Specs: "lookups/specs", Package: "lookups", OutDir: "lookups", OutFile: "reftasks_gen.go"})
	if diags.HasErrors() {
		t.Fatal(diags.Sorted())
	}
	cur, err := os.ReadFile("lookups/reftasks_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cur, src) {
		t.Fatal("lookups/reftasks_gen.go is out of date: run `go generate ./lookups` in bench/")
	}
}
