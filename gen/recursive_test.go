package gen_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/reftask/reftask/runtime"
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
		"null list": `{"forest":{},"list":null,"grid":null}`,
	}
	invalid := map[string]string{
		`{"forest":{"a":{"b":1}}}`:                               "/forest/a/b",
		`{"forest":{},"nest":[[],[],[],[]]}`:                     "/nest",
		`{"forest":{},"nest":[[[[1]]]]}`:                         "/nest/0/0/0/0",
		`{"forest":{},"node":{"name":"x","children":[{}]}}`:      "/node/children/0",
		`{"forest":{},"node":{"name":"x","parent":{"name":""}}}`: "/node/parent/name",
		`{"forest":{},"list":{"head":1,"tail":{"head":"x"}}}`:    "/list/tail/head",
		`{"forest":{},"mixed":{"a":[{"b":{}}]}}`:                 "/mixed/a/0/b",
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
		x, err := runtime.New(runtime.WithFileRoot(root), runtime.WithHotKeys(hot))
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
