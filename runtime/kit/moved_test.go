package kit

import (
	"strings"
	"testing"
)

// Whatever the token, a pointer built by JoinPointer leads
// Transform's field lookup back to it.
func TestJoinPointerLeadsToLookupField(t *testing.T) {
	for _, tok := range []string{"a", "", "b/c", "~", "~1", "0", "a~b/c~1", "é", " "} {
		doc := map[string]any{tok: "v"}
		if v, ok := lookupField(doc, JoinPointer("", tok)); !ok || v != "v" {
			t.Errorf("lookupField(JoinPointer(%q)) = %v, %v", tok, v, ok)
		}
	}
}

func TestInOrder(t *testing.T) {
	a, b := new(int), new(int)
	found := map[string]*int{"a": a, "b": b}
	for _, tc := range []struct {
		keys []string
		want []*int
	}{
		{nil, []*int{}},
		{[]string{"ghost"}, []*int{nil}},
		{[]string{"b", "a", "ghost", "a"}, []*int{b, a, nil, a}},
	} {
		got := InOrder(tc.keys, found)
		if len(got) != len(tc.want) {
			t.Fatalf("InOrder(%v) = %v", tc.keys, got)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("InOrder(%v)[%d] = %p, want %p", tc.keys, i, got[i], tc.want[i])
			}
		}
	}
}

type pair struct {
	A string
	N int64
}

func encodePair(dst []byte, v *pair) []byte { return AppendInt64(AppendString(dst, v.A), v.N) }
func decodePair(rd *Reader, v *pair)        { v.A, v.N = rd.String(), rd.Int64() }

func TestCopyByCodec(t *testing.T) {
	for _, p := range []pair{{}, {"a", 1}, {strings.Repeat("x", 1000), -1 << 62}} {
		c := CopyByCodec(&p, encodePair, decodePair)
		if *c != p || c == &p {
			t.Fatalf("copy %+v of %+v", c, p)
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a codec that cannot read what it wrote did not panic")
		}
	}()
	CopyByCodec(&pair{"a", 1}, func(dst []byte, _ *pair) []byte { return dst }, decodePair)
}
