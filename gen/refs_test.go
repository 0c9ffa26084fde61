package gen_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reftask/reftask/gen"
	"github.com/reftask/reftask/gen/diag"
)

// The $ref graph property test: random graphs of schemas that refer to
// each other, within a file and across files, through in-place keywords
// ($ref, allOf, anyOf) and through containers (a property, additional
// properties, array items). Every graph must generate within a time limit.
// A graph with a cycle of in-place keywords must be rejected with a
// positioned error that names a real cycle; any other graph must generate
// recursive Go types that compile and round-trip data: decode, validate,
// encode, the cache codec and the hot-key clone.

// refKind is what a schema of the graph is.
type refKind int

const (
	kRef      refKind = iota // {"$ref": T}
	kAllOf                   // {"allOf": [{"$ref": T}]}
	kNullable                // {"anyOf": [{"type": "null"}, {"$ref": T}]}
	kStruct                  // {"type": "object", "properties": {"p": {"$ref": T}}}
	kMap                     // {"type": "object", "additionalProperties": {"$ref": T}}
	kArray                   // {"type": "array", "items": {"$ref": T}}
	kLeaf                    // {"type": "string"}
	kinds
)

func (k refKind) inPlace() bool { return k == kRef || k == kAllOf || k == kNullable }

type refSchema struct {
	kind   refKind
	target int
	// file is the file the schema is in: "" for a $defs entry of
	// s<shared>.json, else a file of its own.
	own    bool
	shared int
}

type refGraphCase struct {
	nodes []refSchema
	root  int
	// direct: the task's result is the root itself, else an object whose
	// optional property v is.
	direct bool
}

func randomRefGraph(r *rand.Rand) refGraphCase {
	n := 1 + r.IntN(6)
	c := refGraphCase{root: r.IntN(n), direct: r.IntN(3) == 0}
	for i := 0; i < n; i++ {
		c.nodes = append(c.nodes, refSchema{kind: refKind(r.IntN(int(kinds))), target: r.IntN(n), own: r.IntN(3) == 0, shared: r.IntN(2)})
	}
	return c
}

func (c refGraphCase) file(i int) string {
	if c.nodes[i].own {
		return fmt.Sprintf("n%d.json", i)
	}
	return fmt.Sprintf("s%d.json", c.nodes[i].shared)
}

// name is how the generator names schema i in a message.
func (c refGraphCase) name(i int) string {
	if c.nodes[i].own {
		return "specs/" + c.file(i)
	}
	return fmt.Sprintf("specs/%s#/$defs/N%d", c.file(i), i)
}

// ref is the $ref from schema "from" to schema i.
func (c refGraphCase) ref(from, i int) string {
	frag := ""
	if !c.nodes[i].own {
		frag = fmt.Sprintf("#/$defs/N%d", i)
	}
	if from >= 0 && c.file(from) == c.file(i) {
		if frag == "" {
			return "#"
		}
		return frag
	}
	return c.file(i) + frag
}

func (c refGraphCase) schema(i int) map[string]any {
	nd := c.nodes[i]
	ref := map[string]any{"$ref": c.ref(i, nd.target)}
	switch nd.kind {
	case kRef:
		return ref
	case kAllOf:
		return map[string]any{"allOf": []any{ref}}
	case kNullable:
		return map[string]any{"anyOf": []any{map[string]any{"type": "null"}, ref}}
	case kStruct:
		return map[string]any{"type": "object", "properties": map[string]any{"p": ref}}
	case kMap:
		return map[string]any{"type": "object", "additionalProperties": ref}
	case kArray:
		return map[string]any{"type": "array", "items": ref}
	}
	return map[string]any{"type": "string"}
}

func (c refGraphCase) write(t *testing.T, specs string) {
	t.Helper()
	files := map[string]map[string]any{}
	for i := range c.nodes {
		if c.nodes[i].own {
			files[c.file(i)] = c.schema(i)
			continue
		}
		f := files[c.file(i)]
		if f == nil {
			f = map[string]any{"$defs": map[string]any{}}
			files[c.file(i)] = f
		}
		f["$defs"].(map[string]any)[fmt.Sprintf("N%d", i)] = c.schema(i)
	}
	var result any = map[string]any{"$ref": c.ref(-1, c.root)}
	if !c.direct {
		result = map[string]any{"type": "object", "properties": map[string]any{"v": result}}
	}
	files["t.task.json"] = map[string]any{
		"name":   "T",
		"params": map[string]any{"type": "object", "required": []any{"id"}, "properties": map[string]any{"id": map[string]any{"type": "string"}}},
		"result": result,
		"source": map[string]any{"go": map[string]any{"func": "Find"}},
	}
	if err := os.MkdirAll(specs, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, doc := range files {
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(specs, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// reachable lists the schemas the task reaches.
func (c refGraphCase) reachable() []bool {
	seen := make([]bool, len(c.nodes))
	for i := c.root; !seen[i]; {
		seen[i] = true
		if c.nodes[i].kind == kLeaf {
			break
		}
		i = c.nodes[i].target
	}
	return seen
}

// recursive reports whether the task reaches a cycle: every schema has
// one target, so the walk from the root ends at a leaf or goes round.
func (c refGraphCase) recursive() bool {
	seen := make([]bool, len(c.nodes))
	for i := c.root; c.nodes[i].kind != kLeaf; i = c.nodes[i].target {
		if seen[i] {
			return true
		}
		seen[i] = true
	}
	return false
}

// inPlaceCycle reports whether the task reaches a cycle of in-place keywords.
func (c refGraphCase) inPlaceCycle() bool {
	reach := c.reachable()
	for i := range c.nodes {
		if !reach[i] {
			continue
		}
		j, steps := i, 0
		for c.nodes[j].kind.inPlace() && steps <= len(c.nodes) {
			j = c.nodes[j].target
			steps++
			if j == i {
				return true
			}
		}
	}
	return false
}

var cycleNames = regexp.MustCompile(`\$ref cycle (\S+(?: -> \S+)+):`)

// checkCycleMessage checks that the message names a cycle of the graph:
// each step an in-place edge, ending where it starts.
func (c refGraphCase) checkCycleMessage(d diag.Diagnostic) error {
	if d.Line == 0 {
		return fmt.Errorf("cycle error without a position: %s", d)
	}
	m := cycleNames.FindStringSubmatch(d.Msg)
	if m == nil {
		return fmt.Errorf("error names no cycle: %s", d)
	}
	var path []int
	for _, name := range strings.Split(m[1], " -> ") {
		// allOf/0 and anyOf/1 are the in-place steps inside a schema.
		name = name[strings.LastIndex(name, "specs/"):]
		name = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "/allOf/0"), "/anyOf/1"), "#")
		i := -1
		for k := range c.nodes {
			if c.name(k) == name {
				i = k
			}
		}
		if i < 0 {
			return fmt.Errorf("cycle names %s, which is no schema of the graph: %s", name, d)
		}
		if len(path) == 0 || path[len(path)-1] != i || c.nodes[i].target == i {
			path = append(path, i)
		}
	}
	if path[0] != path[len(path)-1] {
		return fmt.Errorf("cycle does not end where it starts: %s", d)
	}
	for k := 0; k+1 < len(path); k++ {
		if nd := c.nodes[path[k]]; !nd.kind.inPlace() || nd.target != path[k+1] {
			return fmt.Errorf("cycle step %s -> %s is not an in-place reference: %s", c.name(path[k]), c.name(path[k+1]), d)
		}
	}
	return nil
}

// instance returns a valid value of schema i, with nesting cut at depth.
func (c refGraphCase) instance(r *rand.Rand, i, depth int) any {
	nd := c.nodes[i]
	deep := depth >= 4
	switch nd.kind {
	case kRef, kAllOf:
		return c.instance(r, nd.target, depth)
	case kNullable:
		if deep || r.IntN(3) == 0 {
			return nil
		}
		return c.instance(r, nd.target, depth)
	case kStruct:
		if deep || r.IntN(3) == 0 {
			return map[string]any{}
		}
		return map[string]any{"p": c.instance(r, nd.target, depth+1)}
	case kMap:
		m := map[string]any{}
		for k := 0; !deep && k < r.IntN(3); k++ {
			m[fmt.Sprintf("k%d", k)] = c.instance(r, nd.target, depth+1)
		}
		return m
	case kArray:
		a := []any{}
		for k := 0; !deep && k < r.IntN(3); k++ {
			a = append(a, c.instance(r, nd.target, depth+1))
		}
		return a
	}
	return "s"
}

// spoil replaces the first string in v by true, which no schema of the
// graph accepts; it reports whether there was one.
func spoil(v *any) bool {
	switch x := (*v).(type) {
	case string:
		*v = true
		return true
	case map[string]any:
		for _, k := range slices.Sorted(mapKeys(x)) {
			e := x[k]
			if spoil(&e) {
				x[k] = e
				return true
			}
		}
	case []any:
		for i := range x {
			if spoil(&x[i]) {
				return true
			}
		}
	}
	return false
}

type refRoundTrip struct {
	pkg, typ       string
	valid, invalid json.RawMessage
}

func TestRefGraphs(t *testing.T) {
	n := 60
	if testing.Short() {
		n = 15
	}
	work, err := os.MkdirTemp(filepath.Join("..", "testdata"), "refgraphs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })
	var trips []refRoundTrip
	cycles, recursive := 0, 0
	for seed := range n {
		r := rand.New(rand.NewPCG(uint64(seed), 11))
		c := randomRefGraph(r)
		pkg := fmt.Sprintf("g%03d", seed)
		dir := filepath.Join(work, pkg)
		c.write(t, filepath.Join(dir, "specs"))
		type result struct {
			src   []byte
			diags diag.List
		}
		done := make(chan result, 1)
		go func() {
			src, diags := gen.Generate(gen.Options{Specs: filepath.Join(dir, "specs"), Package: pkg, OutDir: dir, OutFile: "reftasks_gen.go", SkipGoCheck: true})
			done <- result{src, diags}
		}()
		var res result
		select {
		case res = <-done:
		case <-time.After(60 * time.Second):
			t.Fatalf("seed %d: the generator did not finish within 60s on %+v", seed, c)
		}
		if c.inPlaceCycle() {
			cycles++
			var found bool
			for _, d := range res.diags.Errors() {
				if strings.Contains(d.Msg, "$ref cycle") {
					found = true
					if err := c.checkCycleMessage(d); err != nil {
						t.Errorf("seed %d: %v", seed, err)
					}
				}
			}
			if !found {
				t.Errorf("seed %d: graph %+v has an in-place cycle, but no error names one: %v", seed, c, res.diags)
			}
			continue
		}
		if res.diags.HasErrors() {
			t.Errorf("seed %d: graph %+v has no in-place cycle, but:\n%v", seed, c, res.diags)
			continue
		}
		m := regexp.MustCompile(`GetT\(ctx context.Context, id string\) \(\*(\w+), error\)`).FindSubmatch(res.src)
		if m == nil {
			t.Fatalf("seed %d: no GetT in the output", seed)
		}
		typ := string(m[1])
		if c.recursive() {
			recursive++
		}
		find := fmt.Sprintf("package %s\n\nimport (\n\t\"context\"\n\t\"encoding/json\"\n)\n\n// Source is the JSON Find decodes.\nvar Source []byte\n\n"+
			"func Find(ctx context.Context, p TParams) (*%[2]s, error) {\n\tvar r %[2]s\n\tif err := json.Unmarshal(Source, &r); err != nil {\n\t\treturn nil, err\n\t}\n\treturn &r, nil\n}\n", pkg, typ)
		for name, b := range map[string][]byte{"reftasks_gen.go": res.src, "find.go": []byte(find)} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for k := 0; k < 3; k++ {
			v := c.instance(r, c.root, 0)
			if !c.direct {
				v = map[string]any{"v": v}
			}
			valid, _ := json.Marshal(v)
			if !spoil(&v) {
				v = true
			}
			invalid, _ := json.Marshal(v)
			trips = append(trips, refRoundTrip{pkg, typ, valid, invalid})
		}
	}
	t.Logf("%d graphs: %d with an in-place cycle, %d recursive through a container, %d round trips", n, cycles, recursive, len(trips))
	if cycles == 0 || recursive == 0 {
		t.Fatal("the random graphs miss a kind: raise n")
	}
	runRefDriver(t, work, trips)
}

// runRefDriver builds one test that imports every generated package and
// round-trips each instance through it.
func runRefDriver(t *testing.T, work string, trips []refRoundTrip) {
	t.Helper()
	mod, err := exec.Command("go", "list", "-m", "-f", "{{.Path}}").Output()
	if err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSpace(string(mod)) + "/testdata/" + filepath.Base(work)
	var src strings.Builder
	src.WriteString("package driver\n\nimport (\n\t\"context\"\n\t\"encoding/json\"\n\t\"fmt\"\n\t\"reflect\"\n\t\"testing\"\n\n\t\"github.com/reftask/reftask/runtime\"\n")
	pkgs := map[string]bool{}
	for _, tr := range trips {
		if !pkgs[tr.pkg] {
			pkgs[tr.pkg] = true
			fmt.Fprintf(&src, "\t%s %q\n", tr.pkg, base+"/"+tr.pkg)
		}
	}
	src.WriteString(")\n\n" + refDriverHelpers + "\nfunc TestDriver(t *testing.T) {\n")
	for i, tr := range trips {
		fmt.Fprintf(&src, "\tt.Run(%q, func(t *testing.T) {\n", fmt.Sprintf("%s/%d", tr.pkg, i))
		fmt.Fprintf(&src, "\t\tvalid, invalid := []byte(%q), []byte(%q)\n", tr.valid, tr.invalid)
		fmt.Fprintf(&src, "\t\tvar v %s.%s\n\t\tcheck(t, valid, json.Unmarshal(valid, &v), v.Validate, func() ([]byte, error) { return json.Marshal(&v) })\n", tr.pkg, tr.typ)
		fmt.Fprintf(&src, "\t\tvar w %s.%s\n\t\tif json.Unmarshal(invalid, &w) == nil && w.Validate() == nil {\n\t\t\tt.Errorf(\"%%s accepted\", invalid)\n\t\t}\n", tr.pkg, tr.typ)
		fmt.Fprintf(&src, "\t\t%s.Source = valid\n\t\tfor _, hot := range []int{0, 16} {\n\t\t\tx, err := runtime.New(runtime.WithHotKeys(hot))\n\t\t\tif err != nil {\n\t\t\t\tt.Fatal(err)\n\t\t\t}\n", tr.pkg)
		fmt.Fprintf(&src, "\t\t\tc := %s.NewClient(x)\n\t\t\tvar first any\n\t\t\tfor k := 0; k < 3; k++ {\n\t\t\t\tr, err := c.GetT(context.Background(), \"k\")\n\t\t\t\tif err != nil {\n\t\t\t\t\tt.Fatalf(\"hot %%d, call %%d: %%v\", hot, k, err)\n\t\t\t\t}\n", tr.pkg)
		src.WriteString("\t\t\t\tb, _ := json.Marshal(r)\n\t\t\t\tif !sameJSON(valid, b) {\n\t\t\t\t\tt.Errorf(\"hot %d, call %d: got %s, want %s\", hot, k, b, valid)\n\t\t\t\t}\n" +
			"\t\t\t\tif first != nil && reflect.ValueOf(first).Pointer() == reflect.ValueOf(r).Pointer() {\n\t\t\t\t\tt.Errorf(\"hot %d: two calls share one result\", hot)\n\t\t\t\t}\n\t\t\t\tfirst = r\n\t\t\t}\n\t\t\tx.Close()\n\t\t}\n\t})\n")
	}
	src.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(work, "driver_test.go"), []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "test", "-vet=off", "-count=1", "-run", "TestDriver", ".")
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("driver: %v\n%s", err, out)
	}
}

const refDriverHelpers = `func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// check asserts that a valid instance decodes, validates and encodes to itself.
func check(t *testing.T, valid []byte, decodeErr error, validate func() error, encode func() ([]byte, error)) {
	t.Helper()
	if decodeErr != nil {
		t.Fatalf("decode %s: %v", valid, decodeErr)
	}
	if err := validate(); err != nil {
		t.Fatalf("validate %s: %v", valid, err)
	}
	out, err := encode()
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	if !sameJSON(valid, out) {
		t.Errorf("round trip: %s became %s", valid, out)
	}
	_ = fmt.Sprint()
}
`
