package gen_test

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/reftask/reftask/gen"
)

var typeDecl = regexp.MustCompile(`(?m)^type (\w+) `)

// TestNameClashesIndependentOfFiles generates testdata/golden/names from
// copies whose task files have swapped names, with one and with several
// workers: which schema keeps a clashing name, and which gets a suffix,
// depends on the specs alone.
func TestNameClashesIndependentOfFiles(t *testing.T) {
	const dir = "../testdata/golden/names"
	golden, err := os.ReadFile(filepath.Join(dir, "reftasks_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	want := typeDecl.FindAllString(string(golden), -1)
	if !slices.Contains(want, "type Thing2 ") || !slices.Contains(want, "type Client2 ") {
		t.Fatalf("golden file lacks the suffixed types: %v", want)
	}
	rename := map[string]string{"a.task.json": "z.task.json", "b.task.json": "a.task.json", "c.task.json": "m.task.json"}
	tmp := t.TempDir()
	entries, err := os.ReadDir(filepath.Join(dir, "specs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, "specs", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		name := e.Name()
		if r, ok := rename[name]; ok {
			name = r
		}
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, procs := range []int{1, 4} {
		prev := runtime.GOMAXPROCS(procs)
		src, diags := gen.Generate(gen.Options{Specs: tmp, Package: "names", OutDir: tmp, OutFile: "reftasks_gen.go", SkipGoCheck: true})
		runtime.GOMAXPROCS(prev)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if got := typeDecl.FindAllString(string(src), -1); !slices.Equal(got, want) {
			t.Errorf("GOMAXPROCS %d: types %v, want %v", procs, got, want)
		}
		var warnings int
		for _, d := range diags {
			if d.Warning {
				warnings++
				if !strings.Contains(d.String(), ": warning: ") || d.Line == 0 {
					t.Errorf("warning without position: %s", d)
				}
			}
		}
		if warnings != 6 {
			t.Errorf("GOMAXPROCS %d: %d warnings, want 6", procs, warnings)
		}
	}
}
