package jsonptr

import (
	"testing"
)

func TestPathString(t *testing.T) {
	var nilRoot *Path
	var zeroRoot Path
	chain := func(root *Path, steps ...any) string {
		cur := root
		for _, s := range steps {
			var next Path
			switch s := s.(type) {
			case string:
				next = cur.Key(s)
			case int:
				next = cur.Index(s)
			}
			cur = &next
		}
		return cur.String()
	}
	tests := []struct {
		name  string
		root  *Path
		steps []any
		want  string
	}{
		{"nil root", nilRoot, nil, ""},
		{"zero value root", &zeroRoot, nil, ""},
		{"key", nilRoot, []any{"a"}, "/a"},
		{"key below zero value root", &zeroRoot, []any{"a"}, "/a"},
		{"index", nilRoot, []any{3}, "/3"},
		{"key index key", nilRoot, []any{"items", 0, "name"}, "/items/0/name"},
		{"nested indices", nilRoot, []any{"m", 10, 2}, "/m/10/2"},
		{"slash escaped", nilRoot, []any{"a/b"}, "/a~1b"},
		{"tilde escaped", nilRoot, []any{"m~n"}, "/m~0n"},
		{"tilde before slash", nilRoot, []any{"~/"}, "/~0~1"},
		{"escaped text stays literal", nilRoot, []any{"~1", "~0"}, "/~01/~00"},
		{"empty key below key", nilRoot, []any{"a", ""}, "/a/"},
		{"empty key at root", nilRoot, []any{""}, "/"},
		{"empty key below zero value root", &zeroRoot, []any{""}, "/"},
		{"two empty keys", nilRoot, []any{"", ""}, "//"},
		{"empty key then index", nilRoot, []any{"", 1}, "//1"},
		{"unicode", nilRoot, []any{"ключ", "é"}, "/ключ/é"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := chain(tc.root, tc.steps...); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
