package gen_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/reftask/reftask/gen"
)

// FuzzGenerate feeds arbitrary bytes to the generator as a task spec: it
// must answer with output or diagnostics, never a panic.
func FuzzGenerate(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/golden/*/specs/*.task.json")
	more, _ := filepath.Glob("../testdata/golden/errors/*/specs/*.task.json")
	for _, p := range append(seeds, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"name":"X","params":{"type":"object","properties":{"a":{"$ref":"#"}}},"result":{"$ref":"#/params"},"source":{"sql":{"connection":"c","query":":a"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		specs := filepath.Join(dir, "specs")
		if err := os.MkdirAll(specs, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(specs, "x.task.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		src, diags := gen.Generate(gen.Options{Specs: specs, Package: "fuzz", OutDir: dir, OutFile: "gen.go", SkipGoCheck: true})
		if src == nil && !diags.HasErrors() {
			t.Fatal("no output and no error")
		}
	})
}
