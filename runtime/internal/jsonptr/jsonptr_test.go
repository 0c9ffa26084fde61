package jsonptr

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Whatever a key holds, Escape makes a token that Lookup follows back to it,
// alone and nested under another token.
func TestEscapeLookupRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 1))
	alphabet := []string{"a", "~", "/", "0", "1", "~0", "~1", "é", " ", ""}
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(6) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		k := b.String()
		doc := map[string]any{k: map[string]any{k: "v"}}
		ptr := "/" + Escape(k) + "/" + Escape(k)
		v, found, err := Lookup(doc, ptr)
		if err != nil || !found || v != "v" {
			t.Fatalf("Lookup(%q) for key %q = %v, %v, %v", ptr, k, v, found, err)
		}
	}
}

func TestLookup(t *testing.T) {
	doc := map[string]any{"a": []any{"x", map[string]any{"b": nil}}}
	for _, tc := range []struct {
		ptr          string
		want         any
		found, fails bool
	}{
		{"", doc, true, false},
		{"/a/0", "x", true, false},
		{"/a/1/b", nil, true, false},
		{"/a/2", nil, false, false},
		{"/a/01", nil, false, false},
		{"/a/-", nil, false, false},
		{"/a/0/x", nil, false, false},
		{"/missing", nil, false, false},
		{"a", nil, false, true},
		{"/a~2", nil, false, true},
		{"/a~", nil, false, true},
	} {
		v, found, err := Lookup(doc, tc.ptr)
		if (err != nil) != tc.fails || found != tc.found {
			t.Errorf("Lookup(%q) = %v, %v, %v", tc.ptr, v, found, err)
			continue
		}
		if s, ok := tc.want.(string); ok && v != s {
			t.Errorf("Lookup(%q) = %v, want %v", tc.ptr, v, s)
		}
	}
}
