package gen_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/filesource"
	"github.com/reftask/reftask/testdata/golden/recursive"
)

// TestRecursiveShapes reads recursive values (a map of itself, arrays of
// themselves, a struct whose properties are itself, a nullable linked
// list) through a file source: the converters build them, Validate walks
// them, the cache codec stores and reads them back, and the hot-key layer
// clones them, all by functions that call themselves.
func TestRecursiveShapes(t *testing.T) {
	records := map[string]string{
		"empty": `{"forest":{}}`,
		"deep": `{"forest":{"oak":{"acorn":{}},"elm":{}},"nest":[[],[[]],[[[]]]],` +
			`"node":{"name":"root","parent":{"name":"up"},"children":[{"name":"a","children":[{"name":"b"}]}]},` +
			`"list":{"head":1,"tail":{"head":2,"tail":null}},"grid":[null,[null,[]]],"mixed":{"a":[{"b":[]}]}}`,
		"null list":  `{"forest":{},"list":null,"grid":null}`,
		"chain":      `{"forest":{},"chain":{"v":1,"next":{"next":null,"kids":[null,{"v":2}]}}}`,
		"null chain": `{"forest":{},"chain":null}`,
	}
	invalid := map[string]string{
		`{"forest":{"a":{"b":1}}}`:                               "/forest/a/b",
		`{"forest":{},"nest":[[],[],[],[]]}`:                     "/nest",
		`{"forest":{},"nest":[[[[1]]]]}`:                         "/nest/0/0/0/0",
		`{"forest":{},"node":{"name":"x","children":[{}]}}`:      "/node/children/0",
		`{"forest":{},"node":{"name":"x","parent":{"name":""}}}`: "/node/parent/name",
		`{"forest":{},"list":{"head":1,"tail":{"head":"x"}}}`:    "/list/tail/head",
		`{"forest":{},"mixed":{"a":[{"b":{}}]}}`:                 "/mixed/a/0/b",
		`{"forest":{},"chain":{"next":{"v":"x"}}}`:               "/chain/next/v",
	}
	root := t.TempDir()
	var file strings.Builder
	file.WriteString("{")
	i := 0
	for k, v := range records {
		if i > 0 {
			file.WriteString(",")
		}
		i++
		kb, _ := json.Marshal(k)
		file.Write(kb)
		file.WriteString(":" + v)
	}
	badIDs := map[string]string{}
	for v, ptr := range invalid {
		id := "bad" + string(rune('a'+len(badIDs)))
		badIDs[id] = ptr
		file.WriteString(`,"` + id + `":` + v)
	}
	file.WriteString("}")
	writeFile(t, root, "shapes.json", file.String())
	ctx := context.Background()
	for _, hot := range []int{0, 64} {
		x, err := runtime.New(runtime.WithSource(filesource.Dir(root)), runtime.WithHotKeys(hot))
		if err != nil {
			t.Fatal(err)
		}
		c := recursive.NewClient(x)
		for id, want := range records {
			var first *recursive.ShapesResult
			for call := range 3 { // a miss, then hits: codec (hot 0) or clone
				got, err := c.GetShapes(ctx, id)
				if err != nil {
					t.Fatalf("hot %d, %s, call %d: %v", hot, id, call, err)
				}
				if err := got.Validate(); err != nil {
					t.Errorf("hot %d, %s: Validate: %v", hot, id, err)
				}
				b, err := json.Marshal(got)
				if err != nil {
					t.Fatal(err)
				}
				if !sameJSON(t, want, string(b)) {
					t.Errorf("hot %d, %s, call %d: got %s, want %s", hot, id, call, b, want)
				}
				if first != nil && first == got {
					t.Errorf("hot %d, %s: two calls share one value", hot, id)
				}
				if first == nil {
					first = got
					// A caller scribbling on its value changes no later answer.
					for k := range got.Forest {
						got.Forest[k] = recursive.Forest{"scribbled": nil}
					}
					if got.Node != nil && got.Node.Children != nil && len(*got.Node.Children) > 0 {
						(*got.Node.Children)[0].Name = "scribbled"
					}
				}
			}
		}
		for id, ptr := range badIDs {
			if _, err := c.GetShapes(ctx, id); err == nil || !strings.Contains(err.Error(), ptr) {
				t.Errorf("%s: error %v, want one at %s", id, err, ptr)
			}
		}
		for v := range invalid {
			var r recursive.ShapesResult
			err := json.Unmarshal([]byte(v), &r)
			if err == nil {
				err = r.Validate()
			}
			if err == nil {
				t.Errorf("%s: decoded and validated", v)
			}
		}
		x.Close()
	}
	var w recursive.Forest
	if err := json.Unmarshal([]byte(`{"a":{"b":{"c":{}}}}`), &w); err != nil || w.Validate() != nil || len(w["a"]["b"]["c"]) != 0 {
		t.Errorf("Forest: %v %v", w, err)
	}
}

// TestRecursiveNullability generates recursive shapes (a struct, an array, a map or a tuple of itself, nullable
// or not, through $defs or "#", and schemas referenced twice) and checks each instance through the generated
// decode and Validate against the jsonschema library's verdict; a valid instance must also encode back to the
// same JSON, so that a null the schema allows is neither rejected nor turned into an absent property (issue 11,
// classes 3 and 5: a reference to a schema being lowered carries its nullability like any other reference).
func TestRecursiveNullability(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated package per shape")
	}
	obj := func(props string) string { return `{"type": "object", "properties": {` + props + `}}` }
	shapes := []struct {
		name, schema string
		instances    []string
	}{
		{"struct of itself, nullable, $defs", "", nil},
		{"struct of itself, nullable and required, $defs",
			`{"type": "object", "properties": {"t": {"$ref": "#/$defs/T"}}, "$defs": {"T": {"type": ["object", "null"], "required": ["x"], "properties": {"x": {"$ref": "#/$defs/T"}, "y": {"type": "integer"}}}}}`,
			[]string{`{"t": {"x": null}}`, `{"t": {"x": {"x": null, "y": 1}}}`, `{"t": {}}`, `{"t": {"x": {}}}`, `{"t": null}`, `{"t": {"x": 1}}`}},
		{"struct of itself, not nullable, $defs",
			`{"type": "object", "properties": {"t": {"$ref": "#/$defs/T"}}, "$defs": {"T": {"type": "object", "properties": {"x": {"$ref": "#/$defs/T"}, "y": {"type": "integer"}}}}}`,
			nil},
		{"struct of itself through #",
			obj(`"x": {"$ref": "#"}, "y": {"type": "integer"}`),
			nil},
		{"nullable struct of itself through #",
			`{"type": ["object", "null"], "properties": {"x": {"$ref": "#"}, "y": {"type": "integer"}}}`,
			nil},
		{"struct of itself or null through anyOf",
			obj(`"x": {"anyOf": [{"type": "null"}, {"$ref": "#"}]}, "y": {"type": "integer"}`),
			nil},
		{"array of itself, nullable",
			`{"type": "object", "properties": {"t": {"$ref": "#/$defs/A"}}, "$defs": {"A": {"type": ["array", "null"], "items": {"$ref": "#/$defs/A"}}}}`,
			[]string{`{"t": [null, [], [null, [null]]]}`, `{"t": null}`, `{"t": [1]}`, `{"t": [[{}]]}`}},
		{"array of itself, not nullable",
			`{"type": "object", "properties": {"t": {"$ref": "#/$defs/A"}}, "$defs": {"A": {"type": "array", "items": {"$ref": "#/$defs/A"}}}}`,
			[]string{`{"t": [[], [[]]]}`, `{"t": [null]}`, `{"t": null}`}},
		{"map of itself, nullable",
			`{"type": "object", "properties": {"t": {"$ref": "#/$defs/M"}}, "$defs": {"M": {"type": ["object", "null"], "additionalProperties": {"$ref": "#/$defs/M"}}}}`,
			[]string{`{"t": {"a": null, "b": {"c": null}}}`, `{"t": null}`, `{"t": {"a": 1}}`}},
		{"map of itself, not nullable",
			`{"type": "object", "properties": {"t": {"$ref": "#/$defs/M"}}, "$defs": {"M": {"type": "object", "additionalProperties": {"$ref": "#/$defs/M"}}}}`,
			[]string{`{"t": {"a": {}, "b": {"c": {}}}}`, `{"t": {"a": null}}`}},
		{"struct holding an array and a map of itself, nullable",
			`{"type": "object", "properties": {"t": {"$ref": "#/$defs/T"}}, "$defs": {"T": {"type": ["object", "null"], "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/T"}}, "by": {"type": "object", "additionalProperties": {"$ref": "#/$defs/T"}}}}}}`,
			[]string{`{"t": {"kids": [null, {"kids": []}], "by": {"a": null, "b": {}}}}`, `{"t": {"kids": [1]}}`, `{"t": {"by": {"a": []}}}`}},
		{"tuple of itself, nullable",
			`{"type": "object", "properties": {"t": {"$ref": "#/$defs/P"}}, "$defs": {"P": {"type": ["array", "null"], "prefixItems": [{"type": "integer"}, {"$ref": "#/$defs/P"}], "items": false}}}`,
			[]string{`{"t": [1, null]}`, `{"t": [1, [2, null]]}`, `{"t": [1, [2]]}`, `{"t": null}`, `{"t": [1, 2]}`}},
		{"nullable struct referenced twice",
			`{"type": "object", "properties": {"a": {"$ref": "#/$defs/N"}, "b": {"$ref": "#/$defs/N"}}, "required": ["b"], "$defs": {"N": {"type": ["object", "null"], "properties": {"y": {"type": "integer"}}}}}`,
			[]string{`{"a": null, "b": null}`, `{"b": null}`, `{"a": {"y": 1}, "b": {}}`, `{"a": null}`, `{"b": {"y": "x"}}`}},
		{"nullable enum referenced twice",
			`{"type": "object", "properties": {"a": {"$ref": "#/$defs/E"}, "b": {"$ref": "#/$defs/E"}}, "$defs": {"E": {"type": ["string", "null"], "enum": ["p", "q", null]}}}`,
			[]string{`{"a": null, "b": null}`, `{"a": "p", "b": "q"}`, `{"b": "r"}`}},
	}
	// The struct shapes share a set of instances: those reached through $defs/T, and those through "#". Each
	// holds only declared properties, so that a valid one must encode back as it was.
	defsInstances := []string{`{}`, `{"t": null}`, `{"t": {}}`, `{"t": {"x": null}}`, `{"t": {"x": {"x": null, "y": 2}}}`,
		`{"t": {"x": {"y": "no"}}}`, `{"t": {"x": 1}}`, `{"t": {"x": {"x": {"x": null}}}}`, `null`}
	rootInstances := []string{`{}`, `{"x": null}`, `{"x": {"x": null}}`, `{"x": {"x": {"y": 1}}, "y": 0}`,
		`{"x": {"y": "no"}}`, `{"x": []}`, `null`, `{"y": 1}`, `{"x": {}}`}
	shapes[0].schema = `{"type": "object", "properties": {"t": {"$ref": "#/$defs/T"}}, "$defs": {"T": {"type": ["object", "null"], "properties": {"x": {"$ref": "#/$defs/T"}, "y": {"type": "integer"}}}}}`
	work, err := os.MkdirTemp(filepath.Join("..", "testdata"), "recnull")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })
	var cases []*suiteCase
	for i, sh := range shapes {
		instances := sh.instances
		if instances == nil {
			instances = rootInstances
			if strings.Contains(sh.schema, "#/$defs/T") {
				instances = defsInstances
			}
		}
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft2020
		if err := c.AddResource("case.json", strings.NewReader(sh.schema)); err != nil {
			t.Fatalf("%s: %v", sh.name, err)
		}
		sch, err := c.Compile("case.json")
		if err != nil {
			t.Fatalf("%s: %v", sh.name, err)
		}
		pkg := fmt.Sprintf("r%02d", i)
		typ, reason := generateCase(t, filepath.Join(work, pkg), pkg, json.RawMessage(sh.schema))
		if reason != "" {
			t.Errorf("%s: rejected: %s", sh.name, reason)
			continue
		}
		sc := &suiteCase{File: sh.name, Pkg: pkg, Type: typ, RoundTrip: true}
		valid := 0
		for _, in := range instances {
			var v any
			if err := json.Unmarshal([]byte(in), &v); err != nil {
				t.Fatal(err)
			}
			ok := sch.Validate(v) == nil
			if ok {
				valid++
			}
			sc.Tests = append(sc.Tests, suiteTest{Description: in, Data: json.RawMessage(in), Valid: ok})
		}
		if valid == 0 || valid == len(instances) {
			t.Errorf("%s: the instances must hold both valid and invalid ones (%d of %d valid)", sh.name, valid, len(instances))
		}
		cases = append(cases, sc)
	}
	verdicts := runDriver(t, work, cases)
	for ci, c := range cases {
		for ti, tc := range c.Tests {
			got := verdicts[ci][ti]
			if (got == "") != tc.Valid {
				if got == "" {
					got = "accepted"
				}
				t.Errorf("%s: %s: the schema says valid=%v, generated code says: %s", c.File, tc.Description, tc.Valid, got)
			} else if strings.HasPrefix(got, "round trip") {
				t.Errorf("%s: %s", c.File, got)
			}
		}
	}
}
