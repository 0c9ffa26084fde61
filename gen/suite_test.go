package gen_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/reftask/reftask/gen"
)

// The JSON-Schema-Test-Suite harness. Every draft 2020-12 case (a schema
// with its tests) whose schema the generator accepts is generated into a
// package of its own, all inside one temporary folder of the module; one
// generated driver test decodes each test instance into the generated
// type, validates it, and reports the verdict, which must agree with the
// suite's "valid". Run it with
//
//	go test ./gen -run TestJSONSchemaSuite -v
//
// to print the table per keyword file.

// suiteDir finds the suite: $JSON_SCHEMA_TEST_SUITE, else
// ../shared/jsonschema-test-suite beside the project root.
func suiteDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("JSON_SCHEMA_TEST_SUITE")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "jsonschema-test-suite")
	}
	if _, err := os.Stat(filepath.Join(dir, "tests", "draft2020-12")); err != nil {
		msg := fmt.Sprintf("JSON-Schema-Test-Suite not found at %s: clone https://github.com/json-schema-org/JSON-Schema-Test-Suite "+
			"to ../shared/jsonschema-test-suite beside the project, or set JSON_SCHEMA_TEST_SUITE to its folder", dir)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

type suiteGroup struct {
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
	Tests       []struct {
		Description string          `json:"description"`
		Data        json.RawMessage `json:"data"`
		Valid       bool            `json:"valid"`
	} `json:"tests"`
}

// suiteCase is one accepted case: its package and the tests to run.
type suiteCase struct {
	File, Group string
	Pkg         string
	// Type is the generated result type.
	Type  string
	Tests []suiteTest
	// RoundTrip makes the driver also encode each valid instance again and report where the JSON differs:
	// a value the schema accepts must decode to what it says, null and absent kept apart.
	RoundTrip bool
}

type suiteTest struct {
	Description string          `json:"description"`
	Data        json.RawMessage `json:"data"`
	Valid       bool            `json:"valid"`
}

type suiteStats struct {
	tests, accepted, agreeing int
}

func TestJSONSchemaSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("the suite builds a few hundred generated packages")
	}
	dir := suiteDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "tests", "draft2020-12", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no suite files in %s: %v", dir, err)
	}
	work, err := os.MkdirTemp(filepath.Join("..", "testdata"), "suite")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })

	start := time.Now()
	stats := map[string]*suiteStats{}
	kinds := map[string]int{}
	var cases []*suiteCase
	var rejected []string
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var groups []suiteGroup
		if err := json.Unmarshal(data, &groups); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		st := &suiteStats{}
		stats[name] = st
		for gi, g := range groups {
			st.tests += len(g.Tests)
			pkg := fmt.Sprintf("c%04d", len(cases)+len(rejected))
			typ, reason := generateCase(t, filepath.Join(work, pkg), pkg, g.Schema)
			if reason != "" {
				rejected = append(rejected, fmt.Sprintf("%s #%d (%s): %s", name, gi, g.Description, reason))
				continue
			}
			st.accepted += len(g.Tests)
			if src, err := os.ReadFile(filepath.Join(work, pkg, "reftasks_gen.go")); err == nil {
				for kind, markers := range typedKinds {
					for _, m := range markers {
						if bytes.Contains(src, []byte(m)) {
							kinds[kind]++
							break
						}
					}
				}
			}
			c := &suiteCase{File: name, Group: g.Description, Pkg: pkg, Type: typ}
			for _, tc := range g.Tests {
				c.Tests = append(c.Tests, suiteTest{Description: tc.Description, Data: tc.Data, Valid: tc.Valid})
			}
			cases = append(cases, c)
		}
	}

	t.Logf("generated %d case packages in %s", len(cases), time.Since(start).Round(time.Millisecond))
	start = time.Now()
	verdicts := runDriver(t, work, cases)
	t.Logf("built and ran the driver in %s", time.Since(start).Round(time.Millisecond))
	for ci, c := range cases {
		for ti, tc := range c.Tests {
			got := verdicts[ci][ti]
			if (got == "") == tc.Valid {
				stats[c.File].agreeing++
				continue
			}
			if got == "" {
				got = "accepted"
			}
			t.Errorf("%s: %s: %s: suite says valid=%v, generated code says: %s\n  schema package %s, instance %s",
				c.File, c.Group, tc.Description, tc.Valid, got, c.Pkg, tc.Data)
		}
	}

	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "keyword file\ttests\taccepted\tagreeing\t")
	var total suiteStats
	for _, name := range slices.Sorted(mapKeys(stats)) {
		s := stats[name]
		total.tests += s.tests
		total.accepted += s.accepted
		total.agreeing += s.agreeing
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", name, s.tests, s.accepted, s.agreeing)
	}
	fmt.Fprintf(tw, "total\t%d\t%d\t%d\t\n", total.tests, total.accepted, total.agreeing)
	tw.Flush()
	t.Logf("JSON-Schema-Test-Suite draft 2020-12 (non-optional):\n%s", buf.String())
	t.Logf("accepted cases with typed unions: %d, tuples: %d, map fields: %d, mixed enums: %d",
		kinds["union"], kinds["tuple"], kinds["map fields"], kinds["mixed enum"])
	t.Logf("accepted %.1f%% of the tests; rejected cases:\n  %s", 100*float64(total.accepted)/float64(total.tests), strings.Join(rejected, "\n  "))
	if total.accepted*100 < total.tests*85 {
		t.Errorf("only %d of %d tests accepted, want at least 85%%", total.accepted, total.tests)
	}
}

// typedKinds are markers of the typed forms in generated code, to count
// how many suite cases exercise each.
var typedKinds = map[string][]string{
	"union":      {"kit.Candidate[", "kit.Discriminator("},
	"tuple":      {"kit.TupleItems("},
	"map fields": {"kit.ObjectWriter"},
	"mixed enum": {"kit.EnumText("},
}

func mapKeys[M ~map[K]V, K comparable, V any](m M) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// generateCase writes a task whose result is the suite schema and
// generates its package; it returns why the generator rejected it, or "".
// A rejection must carry a position, a keyword and a hint: the first
// diagnostic is returned as the reason.
func generateCase(t *testing.T, dir, pkg string, schema json.RawMessage) (typeName, reason string) {
	t.Helper()
	specs := filepath.Join(dir, "specs")
	if err := os.MkdirAll(specs, 0o755); err != nil {
		t.Fatal(err)
	}
	task := `{
  "name": "Suite",
  "params": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
  "result": {"$ref": "case.json"},
  "source": {"sql": {"connection": "db", "query": "SELECT 1 WHERE :id"}}
}
`
	if err := os.WriteFile(filepath.Join(specs, "suite.task.json"), []byte(task), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(specs, "case.json"), schema, 0o644); err != nil {
		t.Fatal(err)
	}
	src, diags := gen.Generate(gen.Options{Specs: specs, Package: pkg, OutDir: dir, OutFile: "reftasks_gen.go", SkipGoCheck: true})
	if diags.HasErrors() {
		for _, d := range diags {
			if !d.Warning {
				if d.Line == 0 {
					t.Errorf("rejection without a position: %s", d)
				}
				return "", d.String()
			}
		}
	}
	m := resultType.FindSubmatch(src)
	if m == nil {
		t.Fatalf("%s: no GetSuite method in the generated code", dir)
	}
	if err := os.WriteFile(filepath.Join(dir, "reftasks_gen.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	return string(m[1]), ""
}

var resultType = regexp.MustCompile(`GetSuite\(ctx context.Context, id string\) \(\*(\w+), error\)`)

// runDriver writes one test that imports every case package, decodes and
// validates each instance, and writes the verdicts ("" for valid, else
// the error) as JSON; it runs that test once.
func runDriver(t *testing.T, work string, cases []*suiteCase) [][]string {
	t.Helper()
	mod, err := exec.Command("go", "list", "-m", "-f", "{{.Path}}").Output()
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(work)
	if err != nil {
		t.Fatal(err)
	}
	importBase := strings.TrimSpace(string(mod)) + "/testdata/" + filepath.Base(work)
	var src strings.Builder
	src.WriteString("package driver\n\nimport (\n\t\"bytes\"\n\t\"encoding/json\"\n\t\"fmt\"\n\t\"os\"\n\t\"reflect\"\n\t\"testing\"\n\n")
	for _, c := range cases {
		fmt.Fprintf(&src, "\t%s %q\n", c.Pkg, importBase+"/"+c.Pkg)
	}
	src.WriteString(")\n\nvar checks = []func([]byte) error{\n")
	for _, c := range cases {
		check := "return v.Validate()"
		if c.RoundTrip {
			check = "if err := v.Validate(); err != nil {\n\t\t\treturn err\n\t\t}\n\t\treturn roundTrip(data, &v)"
		}
		fmt.Fprintf(&src, "\tfunc(data []byte) error {\n\t\tvar v %s.%s\n\t\tif err := json.Unmarshal(data, &v); err != nil {\n\t\t\treturn err\n\t\t}\n\t\t%s\n\t},\n", c.Pkg, c.Type, check)
	}
	src.WriteString(`}

// roundTrip encodes v and reports an error when its JSON differs from data (as values: numbers exact, keys
// unordered).
func roundTrip(data []byte, v any) error {
	out, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("round trip: %w", err)
	}
	decode := func(b []byte) any {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var x any
		_ = d.Decode(&x)
		return x
	}
	if !reflect.DeepEqual(decode(data), decode(out)) {
		return fmt.Errorf("round trip: read %s, wrote %s", data, out)
	}
	return nil
}

func TestDriver(t *testing.T) {
	in, err := os.ReadFile("instances.json")
	if err != nil {
		t.Fatal(err)
	}
	var instances [][]json.RawMessage
	if err := json.Unmarshal(in, &instances); err != nil {
		t.Fatal(err)
	}
	out := make([][]string, len(instances))
	for i, list := range instances {
		for _, data := range list {
			verdict := ""
			if err := checks[i](data); err != nil {
				verdict = err.Error()
			}
			out[i] = append(out[i], verdict)
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("verdicts.json", b, 0o644); err != nil {
		t.Fatal(err)
	}
}
`)
	if err := os.WriteFile(filepath.Join(abs, "driver_test.go"), []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	instances := make([][]json.RawMessage, len(cases))
	for i, c := range cases {
		for _, tc := range c.Tests {
			instances[i] = append(instances[i], tc.Data)
		}
	}
	b, err := json.Marshal(instances)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(abs, "instances.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "test", "-vet=off", "-count=1", "-run", "TestDriver", ".")
	cmd.Dir = abs
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("driver: %v\n%s", err, out)
	}
	res, err := os.ReadFile(filepath.Join(abs, "verdicts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var verdicts [][]string
	if err := json.Unmarshal(res, &verdicts); err != nil {
		t.Fatal(err)
	}
	return verdicts
}
