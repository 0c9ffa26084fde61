package gen_test

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reftask/reftask/gen"
)

// No property is lost. TestPropertyNamesRoundTrip generates a package
// whose result and params have a property for each of many names (every
// name a struct tag cannot carry, names that fold to one another, that
// want a generated method's name, that need the X prefix, and random
// Unicode), of several kinds (required and optional, nullable, nested
// objects, JSON values), builds it and runs propnamesDriver in it: each
// exact name must survive decode and encode, name its violations in
// Validate, be required and known by the strict decoder, reach the source
// and the cache key through Execute's params, come back through the
// result's conversion, transform.fields and the cache codec.

// propNames are the names under test: the fixed awkward ones, then random
// strings from a seeded source, without duplicates and without "id", the
// tasks' own param.
func propNames() []string {
	names := []string{
		"-", ",", "a,b", "-,", ",omitempty", "x,string", `q"x`, "b`x", `bs\x`, "", " ", "a b", "'", "a'b",
		"ünï", "ÜNÏ", "名前", "ßtraße", "ǅemal", "e\u0301", "😀", "٣", "Kelvin\u212a", "kelvink",
		"Validate", "validate", "MarshalJSON", "UnmarshalJSON", "String", "Value", "Valid",
		"a.b", "a/b", "~0", "~1", "/", "~", "%d", "%", "{id}", ":id", "$ref", "#", "?x=1&y",
		"ID", "Id", "iD", "x\ny", "\t", "\u2028", "\x7f", "\ufeff", "\u202e", "<html>", "&amp;",
		"null", "true", "0", "1e2", "A,B",
	}
	rnd := rand.New(rand.NewPCG(11, 4))
	ranges := [][2]rune{{0x20, 0x7e}, {0xa0, 0x17f}, {0x300, 0x36f}, {0x391, 0x3c9}, {0x4e00, 0x4e80}, {0x1f600, 0x1f64f}, {0x2000, 0x206f}, {0x10000, 0x10100}}
	for range 40 {
		var b strings.Builder
		for range 1 + rnd.IntN(5) {
			r := ranges[rnd.IntN(len(ranges))]
			b.WriteRune(r[0] + rune(rnd.IntN(int(r[1]-r[0]+1))))
		}
		names = append(names, b.String())
	}
	seen := map[string]bool{"id": true}
	var out []string
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// The kinds of property, by index modulo 6: see propKind.
const propKinds = 6

// propKind is the schema of the i-th property: a required string, an
// optional integer, an optional nullable string (runtime.OptNull), an
// optional object, a required nullable integer and an optional JSON
// value; each has a constraint the driver breaks.
func propKind(i int) (schema map[string]any, required bool) {
	switch i % propKinds {
	case 0:
		return map[string]any{"type": "string", "minLength": 2}, true
	case 1:
		return map[string]any{"type": "integer", "minimum": 0}, false
	case 2:
		return map[string]any{"type": []any{"string", "null"}, "maxLength": 3}, false
	case 3:
		return map[string]any{"$ref": "#/$defs/Inner"}, false
	case 4:
		return map[string]any{"type": []any{"integer", "null"}, "minimum": 0}, true
	}
	return map[string]any{"type": []any{"integer", "string"}, "minimum": 0}, false
}

func TestPropertyNamesRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a generated package")
	}
	names := propNames()
	work, err := os.MkdirTemp(filepath.Join("..", "testdata"), "propnames")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })
	specs := filepath.Join(work, "specs")
	if err := os.MkdirAll(specs, 0o755); err != nil {
		t.Fatal(err)
	}
	props := map[string]any{}
	var required []string
	params := map[string]any{"id": map[string]any{"type": "string"}}
	fields := map[string]any{}
	for i, n := range names {
		s, req := propKind(i)
		props[n] = s
		if req {
			required = append(required, n)
		}
		if i%propKinds <= 1 {
			params[n] = s
		}
		fields[n] = "/m/" + strings.ReplaceAll(strings.ReplaceAll(n, "~", "~0"), "/", "~1")
	}
	write := func(name string, v any) {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(specs, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("defs.json", map[string]any{"$defs": map[string]any{
		"Inner": map[string]any{"type": "object", "required": []any{"v"}, "properties": map[string]any{"v": map[string]any{"type": "integer", "minimum": 0}}},
		"Thing": map[string]any{"type": "object", "additionalProperties": false, "required": required, "properties": props},
	}})
	write("thing.task.json", map[string]any{
		"name":   "Thing",
		"params": map[string]any{"type": "object", "required": []any{"id"}, "properties": params},
		"result": map[string]any{"$ref": "defs.json#/$defs/Thing"},
		"source": map[string]any{"file": map[string]any{"path": "data.json", "pointer": "/{id}"}},
	})
	write("mapped.task.json", map[string]any{
		"name":      "Mapped",
		"params":    map[string]any{"type": "object", "required": []any{"id"}, "properties": map[string]any{"id": map[string]any{"type": "string"}}},
		"result":    map[string]any{"$ref": "defs.json#/$defs/Thing"},
		"source":    map[string]any{"file": map[string]any{"path": "mapped.json", "pointer": "/{id}"}},
		"transform": map[string]any{"fields": fields},
	})

	src, diags := gen.Generate(gen.Options{Specs: specs, Package: "propnames", OutDir: work, OutFile: "reftasks_gen.go", SkipGoCheck: true})
	if diags.HasErrors() {
		t.Fatalf("generate: %v", diags)
	}
	// Names that want a generated method's field name are renamed, with
	// a warning at the property.
	for _, m := range []string{"Validate", "MarshalJSON", "UnmarshalJSON"} {
		found := false
		for _, d := range diags {
			found = found || (d.Warning && d.Line > 0 && strings.Contains(d.Msg, "wants Go field "+m+", a method of Thing"))
		}
		if !found {
			t.Errorf("no warning for the property %q, which wants the method name %s:\n%v", m, m, diags)
		}
	}
	if err := os.WriteFile(filepath.Join(work, "reftasks_gen.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(names)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "names.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "driver_test.go"), []byte(propnamesDriver), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "vet", ".")
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet: %v\n%s", err, out)
	}
	cmd = exec.Command("go", "test", "-count=1", "-run", "TestDriver", ".")
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("driver: %v\n%s", err, out)
	}
	if !slices.Contains(names, "a,b") {
		t.Fatal("the names lost a,b")
	}
}

// propnamesDriver runs inside the generated package. It reads the names
// from names.json and checks every one by its exact JSON key.
const propnamesDriver = `package propnames

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/kit"
	"github.com/reftask/reftask/runtime/source/filesource"
)

func names(t *testing.T) []string {
	b, err := os.ReadFile("names.json")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func pointer(name string) string {
	return "/" + strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
}

// value is a valid value of the i-th property (kinds as in propKind), told
// apart from the others' by seed.
func value(i, seed int) any {
	switch i % 6 {
	case 0:
		return "s" + strings.Repeat("x", i%3) + string(rune('a'+seed))
	case 1:
		return i + seed
	case 2:
		if i%4 == 2 {
			return nil
		}
		return "ab"
	case 3:
		return map[string]any{"v": i}
	case 4:
		if i%4 == 0 {
			return nil
		}
		return i
	}
	if i%4 == 1 {
		return "text"
	}
	return i
}

// bad breaks the i-th property's constraint, at the pointer returned.
func bad(i int, name string) (any, string) {
	switch i % 6 {
	case 0:
		return "a", pointer(name)
	case 1:
		return -1, pointer(name)
	case 2:
		return "abcd", pointer(name)
	case 3:
		return map[string]any{"v": -1}, pointer(name) + "/v"
	case 4:
		return -1, pointer(name)
	}
	return -1, pointer(name)
}

func object(t *testing.T, ns []string, seed int) []byte {
	m := map[string]any{}
	for i, n := range ns {
		m[n] = value(i, seed)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sameJSON(t *testing.T, what string, want, got []byte) {
	t.Helper()
	var w, g map[string]any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v: %s", what, err, got)
	}
	for k, v := range w {
		if gv, ok := g[k]; !ok {
			t.Errorf("%s: property %q is lost", what, k)
		} else if !reflect.DeepEqual(v, gv) {
			t.Errorf("%s: property %q is %v, want %v", what, k, gv, v)
		}
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			t.Errorf("%s: property %q appeared", what, k)
		}
	}
}

func pointers(t *testing.T, err error) []string {
	t.Helper()
	var ve *runtime.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a *runtime.ValidationError, got %v", err)
	}
	var out []string
	for _, v := range ve.Violations {
		out = append(out, v.Pointer)
	}
	slices.Sort(out)
	return out
}

func diff(t *testing.T, what string, got, want []string) {
	t.Helper()
	for _, p := range got {
		if !slices.Contains(want, p) {
			t.Errorf("%s: unexpected violation at %q", what, p)
		}
	}
	for _, p := range want {
		if !slices.Contains(got, p) {
			t.Errorf("%s: no violation at %q", what, p)
		}
	}
}

func TestDriver(t *testing.T) {
	ns := names(t)
	data := object(t, ns, 0)

	t.Run("decode and encode", func(t *testing.T) {
		var v Thing
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		if err := v.Validate(); err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "encode", data, out)
		var again Thing
		if err := json.Unmarshal(out, &again); err != nil || !reflect.DeepEqual(v, again) {
			t.Errorf("a second round trip differs: %v", err)
		}
		c := cloneThing(&v)
		if !reflect.DeepEqual(*c, v) {
			t.Error("the clone differs")
		}
		rd := kit.NewReader(appendThing(nil, &v))
		var dec Thing
		readThing(rd, &dec)
		if !reflect.DeepEqual(dec, v) {
			t.Error("the cache codec's copy differs")
		}
	})

	t.Run("validate names each property", func(t *testing.T) {
		m := map[string]any{}
		var want []string
		for i, n := range ns {
			var p string
			m[n], p = bad(i, n)
			want = append(want, p)
		}
		b, _ := json.Marshal(m)
		var v Thing
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		slices.Sort(want)
		diff(t, "validate", pointers(t, v.Validate()), want)
	})

	t.Run("strict decoder knows every name", func(t *testing.T) {
		var m map[string]any
		json.Unmarshal(data, &m)
		for i, n := range ns {
			if i%6 != 0 {
				continue
			}
			cp := map[string]any{}
			for k, v := range m {
				if k != n {
					cp[k] = v
				}
			}
			b, _ := json.Marshal(cp)
			var v Thing
			if err := json.Unmarshal(b, &v); err == nil || !strings.Contains(err.Error(), "missing property "+strconv.Quote(n)) {
				t.Errorf("without %q: %v", n, err)
			}
		}
		m["unknown,key"] = 1
		b, _ := json.Marshal(m)
		var v Thing
		if err := json.Unmarshal(b, &v); err == nil || !strings.Contains(err.Error(), "/unknown,key") {
			t.Errorf("an unknown key: %v", err)
		}
	})

	t.Run("execute", func(t *testing.T) {
		var hits atomic.Int64
		fsys := fstest.MapFS{
			"data.json":   {Data: []byte(` + "`" + `{"r1": ` + "`" + ` + string(data) + ` + "`" + `}` + "`" + `)},
			"mapped.json": {Data: []byte(` + "`" + `{"r1": {"m": ` + "`" + ` + string(data) + ` + "`" + `}}` + "`" + `)},
		}
		x, err := runtime.New(runtime.WithSource(filesource.FS(fsys)), runtime.WithHotKeys(0),
			runtime.WithHooks(runtime.Hooks{OnHit: func(context.Context, runtime.Event) { hits.Add(1) }}))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		c := NewClient(x)
		ctx := context.Background()
		params := func(seed int, broken bool) ([]byte, []string) {
			m := map[string]any{"id": "r1"}
			var want []string
			for i, n := range ns {
				if i%6 > 1 {
					continue
				}
				m[n] = value(i, seed)
				if broken {
					var p string
					m[n], p = bad(i, n)
					want = append(want, p)
				}
			}
			b, _ := json.Marshal(m)
			slices.Sort(want)
			return b, want
		}
		p0, _ := params(0, false)
		for round := range 2 {
			r, err := c.Execute(ctx, "Thing", p0)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := json.Marshal(r)
			sameJSON(t, "execute", data, out)
			if got := hits.Load(); got != int64(round) {
				t.Errorf("round %d: %d cache hits, want %d", round, got, round)
			}
		}
		// Other values under every name are other params: a miss.
		p1, _ := params(1, false)
		if _, err := c.Execute(ctx, "Thing", p1); err != nil {
			t.Fatal(err)
		}
		if hits.Load() != 1 {
			t.Error("params that differ under the awkward names shared a cache entry")
		}
		pb, want := params(0, true)
		if _, err := c.Execute(ctx, "Thing", pb); err == nil {
			t.Error("invalid params were accepted")
		} else {
			diff(t, "params", pointers(t, err), want)
		}
		r, err := c.Execute(ctx, "Mapped", []byte(` + "`" + `{"id": "r1"}` + "`" + `))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := json.Marshal(r)
		sameJSON(t, "transform.fields", data, out)
	})
}
`
