package gen_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/reftask/reftask/gen/load"
	"github.com/reftask/reftask/gen/model"
)

// Hostile sizes: what they cost is measured by BenchmarkGenerateHostile in
// bench/; these tests check what can be checked without a clock. Nesting
// past the documented limits is one positioned error, nesting up to them
// generates code whose size stays within a bound, and a minified spec
// generates the same code as the same spec pretty-printed.

const sizeParams = `{"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}`

func sizeTask(result string) string {
	return `{"name": "T", "params": ` + sizeParams + `, "result": ` + result + `, "source": {"sql": {"connection": "db", "query": "SELECT 1 WHERE :id"}}}`
}

// nestedObjects is a result of n object schemas, each the only property of the one outside it.
func nestedObjects(n int) string {
	return strings.Repeat(`{"type": "object", "properties": {"a": `, n-1) + `{"type": "object", "properties": {"s": {"type": "string"}}}` + strings.Repeat("}}", n-1)
}

// nestedArrays is a result object whose property is n arrays deep.
func nestedArrays(n int) string {
	return `{"type": "object", "properties": {"a": ` + strings.Repeat(`{"type": "array", "items": `, n) + `{"type": "string"}` + strings.Repeat("}", n) + `}}`
}

func TestNestingLimits(t *testing.T) {
	chain := func(n int, typed bool) map[string]string {
		files := map[string]string{"t.task.json": sizeTask(`{"type": "object", "properties": {"a": {"$ref": "c0.json"}}}`)}
		for i := 0; i < n; i++ {
			kind := `"type": "array", `
			if !typed {
				kind = "" // no type: a JSON value, checked by a generated program
			}
			files[fmt.Sprintf("c%d.json", i)] = fmt.Sprintf(`{%s"items": {"$ref": "c%d.json"}}`, kind, i+1)
		}
		files[fmt.Sprintf("c%d.json", n)] = `{"type": "string"}`
		return files
	}
	tests := []struct {
		name  string
		files map[string]string
		want  string // part of the one error, or "" to generate
	}{
		{"objects 1,000 deep", map[string]string{"t.task.json": sizeTask(nestedObjects(1000))}, fmt.Sprintf("nested deeper than %d levels", load.MaxNesting)},
		{"arrays 1,000 deep", map[string]string{"t.task.json": sizeTask(nestedArrays(1000))}, fmt.Sprintf("nested deeper than %d levels", load.MaxNesting)},
		{"arrays 10,000 deep", map[string]string{"t.task.json": sizeTask(nestedArrays(10000))}, fmt.Sprintf("nested deeper than %d levels", load.MaxNesting)},
		// The result is level 1 and the innermost string level n+1.
		{"objects at the limit", map[string]string{"t.task.json": sizeTask(nestedObjects(model.MaxDepth - 1))}, ""},
		{"objects past the limit", map[string]string{"t.task.json": sizeTask(nestedObjects(model.MaxDepth))}, fmt.Sprintf("nested more than %d levels", model.MaxDepth)},
		{"arrays at the limit", map[string]string{"t.task.json": sizeTask(nestedArrays(model.MaxDepth - 2))}, ""},
		{"arrays past the limit", map[string]string{"t.task.json": sizeTask(nestedArrays(300))}, fmt.Sprintf("nested more than %d levels", model.MaxDepth)},
		{"typed $ref chain through 300 files", chain(300, true), fmt.Sprintf("nested more than %d levels", model.MaxDepth)},
		{"untyped $ref chain through 300 files", chain(300, false), fmt.Sprintf("nested more than %d levels", model.MaxDepth)},
		{"typed $ref chain through 50 files", chain(50, true), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := 0
			for _, f := range tt.files {
				input += len(f)
			}
			src, diags := generateIn(t, writeSpecs(t, tt.files))
			if tt.want == "" {
				if diags.HasErrors() {
					t.Fatalf("refused: %v", diags)
				}
				// Each level adds a type or a loop whose code, names
				// included, is at most a few kilobytes, however deep it is.
				if limit := 40000 + 5000*model.MaxDepth + 20*input; len(src) > limit {
					t.Errorf("%d bytes of Go for %d bytes of specs, more than %d", len(src), input, limit)
				}
				return
			}
			errs := diags.Errors()
			if len(errs) != 1 || !strings.Contains(errs[0].Msg, tt.want) || errs[0].Line == 0 {
				t.Fatalf("want one positioned error containing %q, got:\n%v", tt.want, diags)
			}
		})
	}
}

// TestMinifiedSameAsPretty generates a result of thousands of properties
// from the same spec minified (one line) and pretty-printed: the code is
// the same, byte for byte, since positions only order the properties.
func TestMinifiedSameAsPretty(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 500
	}
	props := map[string]any{}
	for i := range n {
		props[fmt.Sprintf("p%05d", i)] = map[string]any{"type": "string", "maxLength": 10, "description": "é" + strings.Repeat("x", i%7)}
	}
	result := map[string]any{"type": "object", "properties": props}
	pretty, err := json.MarshalIndent(result, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	minified, err := json.Marshal(result)
	if err != nil {
		t.Fatal(err)
	}
	var outs [][]byte
	for _, r := range [][]byte{pretty, minified} {
		src, diags := generateIn(t, writeSpecs(t, map[string]string{"t.task.json": sizeTask(string(r))}))
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		outs = append(outs, src)
	}
	// The task's version hashes the spec's text, so that any edit changes
	// its cache keys; everything else is the same.
	version := regexp.MustCompile(`Version: +"[0-9a-f]+"`)
	if a, b := version.ReplaceAll(outs[0], nil), version.ReplaceAll(outs[1], nil); !bytes.Equal(a, b) {
		t.Error("the minified spec generates other code than the pretty one")
	}
	if !bytes.Contains(outs[0], []byte(fmt.Sprintf("P%05d", n-1))) {
		t.Error("a property is missing")
	}
}
