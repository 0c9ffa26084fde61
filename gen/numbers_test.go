package gen_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/reftask/reftask/gen"
	"github.com/reftask/reftask/gen/load"
)

// Numbers beyond int64 and float64 (issue 11, class 6): every schema
// number is handled exactly or rejected with a positioned error. The
// table below puts numbers at and past the edges of int64 and float64
// into every keyword that takes a number, on integers, numbers and JSON
// values. Each spec the generator rejects must say where and why; the
// accepted ones are generated into one package, and the generated
// decoder and validator must agree with santhosh-tekuri/jsonschema on
// instances at and around each bound (as testdata/difftest does for its
// schemas). The reference reads the specs through load.Load, which reads
// count keywords exactly; the schema compiler alone reads them through
// a float64.

// edgeNumbers are the numbers the table tries in every numeric keyword.
var edgeNumbers = []string{
	"0", "-0", "1", "-1", "2.5", "0.1", "1e2", "2.0", "3",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
	"18446744073709551616", "123456789012345678901234567890", "0.30000000000000004",
	"1e308", "1.7976931348623157e308", "1.8e308", "4.9e-324", "1e-400", "-1e-400", "1e400", "-1e400",
	"1e9999", "1e10000", "-1e-10000",
}

// edgeCounts are the values the table tries in every count keyword.
var edgeCounts = []string{"0", "1", "2.0", "1e2", "2147483648", "9007199254740993",
	"9223372036854775807", "9223372036854775808", "18446744073709551616", "1e400"}

type numberCase struct {
	name   string
	schema string
	// counts marks a count keyword, whose instances are strings, arrays
	// and objects of a few elements.
	counts bool
}

func numberCases() []numberCase {
	var out []numberCase
	types := []struct{ name, decl string }{{"int", `"type": "integer", `}, {"num", `"type": "number", `}, {"any", ""}, {"nullint", `"type": ["integer", "null"], `}}
	for ti, typ := range types {
		for ni, n := range edgeNumbers {
			for _, kw := range []string{"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "const", "enum"} {
				v := n
				switch {
				case kw == "multipleOf" && (strings.HasPrefix(n, "-") || n == "0"):
					continue
				case kw == "enum":
					v = "[" + n + ", " + n + ", 7]"
				}
				out = append(out, numberCase{name: fmt.Sprintf("n%d_%d_%s", ti, ni, kw), schema: fmt.Sprintf("{%s%q: %s}", typ.decl, kw, v)})
			}
		}
	}
	for ci, n := range edgeCounts {
		for _, kw := range []string{"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "maxContains", "minContains"} {
			decls := map[string]string{"Length": `"type": "string", `, "Items": `"type": "array", "items": {"type": "integer"}, `,
				"Properties": `"type": "object", "additionalProperties": {"type": "integer"}, `, "Contains": `"type": "array", "contains": {"const": 1}, `}
			for _, suffix := range []string{"Length", "Items", "Properties", "Contains"} {
				if strings.HasSuffix(kw, suffix) {
					out = append(out, numberCase{name: fmt.Sprintf("c%d_%s", ci, kw), schema: fmt.Sprintf("{%s%q: %s}", decls[suffix], kw, n), counts: true})
					out = append(out, numberCase{name: fmt.Sprintf("c%d_%s_any", ci, kw), schema: fmt.Sprintf("{%q: %s}", kw, n), counts: true})
				}
			}
		}
	}
	return out
}

func numberTask(props map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(mapKeys(props)) {
		parts = append(parts, fmt.Sprintf("%q: %s", k, props[k]))
	}
	return `{"name": "Edge", "params": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
  "result": {"type": "object", "properties": {` + strings.Join(parts, ",\n") + `}},
  "source": {"sql": {"connection": "db", "query": "SELECT 1 WHERE :id"}}}`
}

// instancesNear are the instances tried against a bound: the bound, the
// integers and float64s just beside it, and the edges of both types.
func instancesNear(c numberCase) []string {
	if c.counts {
		return []string{`""`, `"a"`, `"ab"`, `"abc"`, `[]`, `[1]`, `[1,1]`, `[1,2,1]`, `{}`, `{"a":1}`, `{"a":1,"b":2}`, `1`, `null`}
	}
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, n := range edgeNumbers {
		r, _ := new(big.Rat).SetString(n)
		add(n)
		if r.IsInt() {
			add(new(big.Int).Add(r.Num(), big.NewInt(1)).String())
			add(new(big.Int).Sub(r.Num(), big.NewInt(1)).String())
			add(new(big.Int).Mul(r.Num(), big.NewInt(2)).String())
		}
		if f, err := strconv.ParseFloat(n, 64); err == nil && !math.IsInf(f, 0) {
			for _, g := range []float64{f, math.Nextafter(f, math.Inf(1)), math.Nextafter(f, math.Inf(-1)), 3 * f, f / 2} {
				if !math.IsInf(g, 0) {
					add(strconv.FormatFloat(g, 'g', -1, 64))
				}
			}
		}
	}
	for _, s := range []string{"7", "-7", "0.5", "5e-324", "-5e-324", "null", `"a"`} {
		add(s)
	}
	return out
}

func TestNumbersAtTheEdges(t *testing.T) {
	cases := numberCases()
	work, err := os.MkdirTemp(filepath.Join("..", "testdata"), "buildcheck")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })

	// Each case alone: accepted, or rejected with a position.
	accepted := map[string]string{}
	var rejected []string
	for i, c := range cases {
		dir := filepath.Join(work, "single", strconv.Itoa(i))
		specs := filepath.Join(dir, "specs")
		if err := os.MkdirAll(specs, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(specs, "edge.task.json"), []byte(numberTask(map[string]string{c.name: c.schema})), 0o644); err != nil {
			t.Fatal(err)
		}
		src, diags := gen.Generate(gen.Options{Specs: specs, Package: "edge", OutDir: dir, OutFile: "reftasks_gen.go", SkipGoCheck: true})
		if src != nil {
			accepted[c.name] = c.schema
			continue
		}
		for _, d := range diags.Errors() {
			if d.Line == 0 || !strings.HasPrefix(d.Pointer, "/result/properties/"+c.name) || strings.Contains(d.Msg, "internal error") {
				t.Errorf("%s: rejection is not positioned at the keyword: %s", c.schema, d)
			}
		}
		rejected = append(rejected, c.schema+": "+diags.Errors()[0].Msg)
	}
	t.Logf("%d cases accepted, %d rejected with a position:\n  %s", len(accepted), len(rejected), strings.Join(rejected, "\n  "))
	// What may be rejected: numbers past 1e10000, minimum counts no Go
	// value can reach, and integer enums or consts that are not integers.
	for _, r := range rejected {
		if !strings.Contains(r, "out of range") && !strings.Contains(r, "can never be met") && !strings.Contains(r, "is not an integer") {
			t.Errorf("rejected, but the number can be handled exactly: %s", r)
		}
	}

	if testing.Short() {
		return // building the generated package and its driver takes a minute
	}

	// The accepted cases, together, against the reference.
	dir := filepath.Join(work, "edge")
	specs := filepath.Join(dir, "specs")
	if err := os.MkdirAll(specs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(specs, "edge.task.json"), []byte(numberTask(accepted)), 0o644); err != nil {
		t.Fatal(err)
	}
	src := generateSpecs(t, dir, "edge", map[string][]byte{"edge.task.json": []byte(numberTask(accepted))})
	if src == nil {
		t.Fatal("the accepted cases together are rejected")
	}
	if err := os.WriteFile(filepath.Join(dir, "reftasks_gen.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	set, diags := load.Load(specs)
	if diags.HasErrors() || len(set.Specs) != 1 {
		t.Fatalf("load: %v", diags)
	}
	ref := set.Specs[0].Result
	c := &suiteCase{File: "edge", Group: "edge", Pkg: "edge", Type: "EdgeResult"}
	for _, nc := range cases {
		if _, ok := accepted[nc.name]; !ok {
			continue
		}
		for _, inst := range instancesNear(nc) {
			data := fmt.Sprintf(`{%q: %s}`, nc.name, inst)
			doc, err := decodeNumbers(data)
			if err != nil {
				t.Fatal(err)
			}
			if typedCase(nc) && !fitsTypedNumbers(doc) {
				continue // outside what int64 and float64 fields promise (README, "Typed numbers")
			}
			c.Tests = append(c.Tests, suiteTest{Description: nc.schema, Data: json.RawMessage(data), Valid: ref.Validate(doc) == nil})
		}
	}
	verdicts := runDriver(t, work, []*suiteCase{c})
	agree := 0
	for i, tc := range c.Tests {
		got := verdicts[0][i]
		if (got == "") != tc.Valid {
			t.Errorf("schema %s, instance %s: jsonschema says valid=%v, generated code says %q", tc.Description, tc.Data, tc.Valid, got)
			continue
		}
		agree++
	}
	t.Logf("%d instances, all agreeing: %v", len(c.Tests), agree == len(c.Tests))
}

// typedCase reports whether the generated field may be an int64 or
// float64 (as opposed to a JSON value, which keeps every digit): a number
// type, or an enum or const of numbers, which gets the type of its values.
func typedCase(c numberCase) bool {
	return strings.Contains(c.schema, `"type": "integer"`) || strings.Contains(c.schema, `"type": "number"`) ||
		strings.Contains(c.schema, `"type": ["integer", "null"]`) || strings.Contains(c.schema, `"const"`) || strings.Contains(c.schema, `"enum"`)
}

func decodeNumbers(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// fitsTypedNumbers is testdata/difftest's fitsGoNumbers: every number is a
// float64's shortest decimal and within int64's range.
func fitsTypedNumbers(v any) bool {
	switch x := v.(type) {
	case json.Number:
		r, ok := new(big.Rat).SetString(string(x))
		if !ok {
			return false
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return false
		}
		back, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
		return ok && back.Cmp(r) == 0 && math.Abs(f) < 1<<63
	case map[string]any:
		for _, e := range x {
			if !fitsTypedNumbers(e) {
				return false
			}
		}
	}
	return true
}
