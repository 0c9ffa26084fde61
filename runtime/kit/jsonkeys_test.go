package kit

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/reftask/reftask/internal/jsonnum"
	"github.com/reftask/reftask/runtime"
)

// Cache key identity for values with no JSON text (issue 11, class 1).

// TestJSONValueAlwaysEncodes: no constructor lets a JSONValue hold something encoding/json cannot write, so its
// cache key (its JSON text) is never missing, and never the "null" of another value.
func TestJSONValueAlwaysEncodes(t *testing.T) {
	bad := []any{
		json.Number("foo"), json.Number("+1"), json.Number("01"), json.Number(".5"), json.Number("1."), json.Number("NaN"),
		json.Number(""), json.Number(" 1"), json.Number("1e"), json.Number("0x10"), math.NaN(), math.Inf(1), float32(math.Inf(-1)),
		map[string]any{"a": json.Number("bad")}, []any{1, json.Number("1_000")}, make(chan int), func() {},
	}
	for _, v := range bad {
		if _, err := AsJSONValue("/x", v); err == nil {
			t.Errorf("AsJSONValue(%#v): no error", v)
		}
		j := runtime.JSONOf(v)
		if _, err := json.Marshal(j); err != nil || !j.IsNull() {
			t.Errorf("runtime.JSONOf(%#v) = %v (%v), want null", v, j, err)
		}
	}
	// Over random JSON documents: AppendJSONValue keys two values alike exactly when their JSON texts are alike.
	rng := rand.New(rand.NewPCG(3, 4))
	texts := map[string]string{} // key -> JSON text
	for range 3000 {
		doc := randomJSON(rng, 3)
		var j runtime.JSONValue
		if err := json.Unmarshal([]byte(doc), &j); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		text, err := json.Marshal(j)
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		key := string(AppendJSONValue(nil, j))
		if prev, ok := texts[key]; ok && prev != string(text) {
			t.Errorf("one key for %s and %s", prev, text)
		}
		texts[key] = string(text)
		rd := NewReader([]byte(key))
		if back := ReadJSONValue(rd); rd.Err() != nil || !jsonnum.Equal(back.Any(), j.Any()) {
			t.Errorf("%s: read back %v, %v", doc, back, rd.Err())
		}
	}
}

func randomJSON(rng *rand.Rand, depth int) string {
	atoms := []string{`null`, `true`, `false`, `0`, `-0`, `1`, `1.0`, `1e0`, `1E+2`, `-12.5e-3`, `""`, `"a"`, `"é"`, `"\u00e9"`,
		`"2024-01-01T00:00:00Z"`, `"2024-01-01T01:00:00+01:00"`, `"\ud800"`, `123456789012345678901234567890`}
	if depth == 0 || rng.IntN(3) == 0 {
		return atoms[rng.IntN(len(atoms))]
	}
	n := rng.IntN(3)
	parts := make([]string, n)
	if rng.IntN(2) == 0 {
		for i := range parts {
			parts[i] = randomJSON(rng, depth-1)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	for i := range parts {
		parts[i] = fmt.Sprintf(`"%c":%s`, 'a'+rune(rng.IntN(3)), randomJSON(rng, depth-1))
	}
	return "{" + strings.Join(dedupKeys(parts), ",") + "}"
}

func dedupKeys(parts []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range parts {
		if k := p[:3]; !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	return out
}
