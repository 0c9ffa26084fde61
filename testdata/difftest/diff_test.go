package difftest

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/reftask/reftask/gen/load"
	"github.com/reftask/reftask/runtime/kit"
)

// The differential test: random JSON instances for the schemas in specs/,
// checked by the generated decoder and validator and by
// santhosh-tekuri/jsonschema, which must give the same verdict.

// generated decodes and validates one instance with the generated type of a task.
var generated = map[string]func([]byte) error{
	"Shape":       check[Shape],
	"Mixed":       check[Mixed],
	"Conditional": check[Conditional],
	"Tuple":       check[Tuple],
	"Typed":       check[Typed],
	"Keyed":       check[Keyed],
	"Scalar":      check[Scalar],
	"Merged":      check[Merged],
	"Extra":       check[Extra],
	"Pair":        check[Pair],
	"Maybe":       check[Maybe],
	"Nested":      check[Nested],
	"Mode":        check[Mode],
	"Open":        check[Open],
	"Either":      check[Either],
	"Vehicle":     check[Vehicle],
	"Blend":       check[Blend],
}

func check[T any, P interface {
	*T
	Validate() error
}](data []byte) error {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	return P(&v).Validate()
}

func reference(t testing.TB) map[string]*jsonschema.Schema {
	t.Helper()
	set, diags := load.Load("specs")
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	out := map[string]*jsonschema.Schema{}
	for _, sp := range set.Specs {
		out[sp.Name] = sp.Result
	}
	if len(out) != len(generated) {
		t.Fatalf("specs have %d tasks, the test knows %d", len(out), len(generated))
	}
	return out
}

// compare checks one instance against every schema; valid, when not nil,
// counts the instances each schema accepts.
func compare(t testing.TB, ref map[string]*jsonschema.Schema, data []byte, valid map[string]int) {
	t.Helper()
	doc, err := kit.DecodeJSON(data)
	if err != nil || !fitsGoNumbers(doc) {
		return
	}
	for name, s := range ref {
		want, ok := referenceVerdict(s, doc)
		if !ok {
			return
		}
		if want && valid != nil {
			valid[name]++
		}
		gerr := generated[name](data)
		if got := gerr == nil; got != want {
			t.Errorf("%s: instance %s: jsonschema says valid=%v, generated code says %v", name, data, want, gerr)
		}
	}
}

// fitsGoNumbers reports whether every number in v is one a typed Go field
// holds to the digit: a float64 whose shortest decimal is the number, and
// within int64 range. The README documents that typed numbers are float64
// and int64; beyond that only JSON values are exact, so such instances
// are outside what the typed forms promise.
func fitsGoNumbers(v any) bool {
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
	case []any:
		for _, e := range x {
			if !fitsGoNumbers(e) {
				return false
			}
		}
	case map[string]any:
		for _, e := range x {
			if !fitsGoNumbers(e) {
				return false
			}
		}
	}
	return true
}

// referenceVerdict validates with the reference implementation, which
// panics on numbers big.Rat cannot hold (1E1000010); ok is false then.
func referenceVerdict(s *jsonschema.Schema, doc any) (valid, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return s.Validate(doc) == nil, true
}

var (
	keys    = []string{"kind", "r", "a", "b", "c", "d", "foo", "bar", "x1", "xy", "long"}
	strs    = []string{"", "a", "ab", "abc", "abcd", "circle", "square", "x1", "y"}
	numbers = []string{"-1", "0", "1", "1.0", "2", "2.5", "3", "5", "7.5", "10", "11", "0.1", "1e1"}
)

// randomJSON builds a random JSON text whose pieces are likely to matter
// to the schemas: their property names, boundary numbers, enum strings.
func randomJSON(r *rand.Rand, depth int) string {
	n := 7
	if depth <= 0 {
		n = 5
	}
	switch r.IntN(n) {
	case 0:
		return "null"
	case 1:
		return []string{"true", "false"}[r.IntN(2)]
	case 2, 3:
		return numbers[r.IntN(len(numbers))]
	case 4:
		b, _ := json.Marshal(strs[r.IntN(len(strs))])
		return string(b)
	case 5:
		var parts []string
		for range r.IntN(5) {
			parts = append(parts, randomJSON(r, depth-1))
		}
		return "[" + strings.Join(parts, ",") + "]"
	default:
		seen := map[string]bool{}
		var parts []string
		for range r.IntN(5) {
			k := keys[r.IntN(len(keys))]
			if seen[k] {
				continue
			}
			seen[k] = true
			parts = append(parts, fmt.Sprintf("%q:%s", k, randomJSON(r, depth-1)))
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
}

// seeds are valid instances; mutating them reaches the boundaries of
// the schemas far more often than random text does.
var seeds = []string{
	`{"kind":"circle","r":2.5}`,
	`{"kind":"square","a":3}`,
	`{"kind":"a","foo":"x1","bar":2}`,
	`["ab",2.5,true,null,3]`,
	`{"a":3,"b":"ab","c":["x1","y"],"d":5}`,
	`{"foo":1,"x1":"a","abc":true}`,
	`"abc"`,
	`"ab"`,
	`{"a":3,"b":"x"}`,
	`{"foo":1,"x1":"a","bar":true}`,
	`["ab",null,true]`,
	`[{"kind":"circle","r":1},{"kind":"square","a":2}]`,
	`{"kind":"a"}`,
	`{"a":1.0}`,
	`[3,"ab",null]`,
	`{"kind":"square","a":1,"c":["x1"]}`,
	`{"foo":1,"bar":"ab"}`,
}

// mutate replaces, drops or adds one piece of a seed.
func mutate(r *rand.Rand, seed string) string {
	v, err := kit.DecodeJSON([]byte(seed))
	if err != nil {
		panic(err)
	}
	var walk func(x any) any
	walk = func(x any) any {
		switch y := x.(type) {
		case map[string]any:
			ks := kit.SortedKeys(y)
			switch {
			case len(ks) > 0 && r.IntN(3) == 0:
				k := ks[r.IntN(len(ks))]
				if r.IntN(2) == 0 {
					delete(y, k)
				} else {
					y[k] = walk(y[k])
				}
			case r.IntN(2) == 0:
				y[keys[r.IntN(len(keys))]] = decode(randomJSON(r, 1))
			case len(ks) > 0:
				k := ks[r.IntN(len(ks))]
				y[k] = walk(y[k])
			}
			return y
		case []any:
			if len(y) > 0 && r.IntN(3) > 0 {
				i := r.IntN(len(y))
				y[i] = walk(y[i])
				return y
			}
			if len(y) > 0 && r.IntN(2) == 0 {
				return y[:len(y)-1]
			}
			return append(y, decode(randomJSON(r, 1)))
		}
		return decode(randomJSON(r, 1))
	}
	if r.IntN(4) > 0 {
		v = walk(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func decode(s string) any {
	v, err := kit.DecodeJSON([]byte(s))
	if err != nil {
		panic(err)
	}
	return v
}

func TestDifferential(t *testing.T) {
	ref := reference(t)
	n := 20000
	if testing.Short() {
		n = 2000
	}
	r := rand.New(rand.NewPCG(1, 2))
	valid := map[string]int{}
	for range n {
		doc := randomJSON(r, 3)
		if r.IntN(2) == 0 {
			doc = mutate(r, seeds[r.IntN(len(seeds))])
		}
		compare(t, ref, []byte(doc), valid)
		if t.Failed() {
			return
		}
	}
	// Random instances must reach both verdicts, or the test proves little.
	for name := range ref {
		if valid[name] == 0 || valid[name] == n {
			t.Errorf("%s: %d of %d random instances valid; make the generator's pieces fit the schema", name, valid[name], n)
		}
	}
	t.Logf("valid instances of %d: %v", n, valid)
}

// FuzzDifferential lets the fuzzer look for instances on which the two
// validators disagree: go test -fuzz FuzzDifferential ./testdata/difftest
func FuzzDifferential(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		f.Add([]byte(randomJSON(r, 3)))
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	ref := reference(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		compare(t, ref, data, nil)
	})
}
