package gen_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reftask/reftask/gen"
)

// TestErrors runs the negative corpus: each folder under
// testdata/golden/errors holds broken specs and want.txt, the exact
// diagnostics expected, paths relative to the folder.
func TestErrors(t *testing.T) {
	dirs, err := filepath.Glob("../testdata/golden/errors/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no error cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			src, diags := gen.Generate(gen.Options{
				Specs:   filepath.Join(dir, "specs"),
				Package: "errcase",
				OutDir:  dir,
				OutFile: "reftasks_gen.go",
			})
			if !diags.HasErrors() || src != nil {
				t.Fatalf("no error reported; output %d bytes", len(src))
			}
			var lines []string
			for _, d := range diags.Sorted() {
				lines = append(lines, strings.ReplaceAll(d.String(), filepath.ToSlash(dir)+"/", ""))
			}
			got := strings.Join(lines, "\n") + "\n"
			wantFile := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("diagnostics differ\n--- got\n%s--- want\n%s", got, want)
			}
		})
	}
}
