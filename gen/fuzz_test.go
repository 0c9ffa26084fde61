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
	// The typed forms, inline: unions, allOf, map fields, tuples, mixed enums.
	f.Add([]byte(`{"name":"T","params":{"type":"object","required":["id"],"properties":{"id":{"type":"string"}}},"result":{"type":"object","required":["u"],"properties":{` +
		`"u":{"type":"object","required":["k"],"properties":{"k":{"type":"string"}},"oneOf":[{"properties":{"k":{"const":"a"}}},{"properties":{"k":{"const":"b"},"n":{"type":"integer"}}}]},` +
		`"v":{"anyOf":[{"type":"integer"},{"type":"string"},{"type":"null"}]},"w":{"oneOf":[{"type":"number"},{"type":"integer"}]},` +
		`"a":{"allOf":[{"type":"object","properties":{"x":{"type":"integer","minimum":1}}},{"properties":{"x":{"maximum":5}},"required":["x"]}]},` +
		`"m":{"type":"object","properties":{"p":{"type":"string"}},"patternProperties":{"^x":{"type":"integer"}},"additionalProperties":{"type":"boolean"}},` +
		`"t":{"type":"array","prefixItems":[{"type":"string"},{"type":["number","null"]}],"items":{"type":"boolean"}},` +
		`"e":{"enum":[1,"a",null,[1],{"k":2}]}}},"source":{"sql":{"connection":"c","query":"SELECT 1 WHERE :id"}}}`))
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
