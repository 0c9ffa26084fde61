package kit

import "testing"

func TestJoinPointer(t *testing.T) {
	tests := []struct{ ptr, tok, want string }{
		{"", "a", "/a"},
		{"", "", "/"},
		{"/a", "b", "/a/b"},
		{"/a", "b/c", "/a/b~1c"},
		{"/a", "~", "/a/~0"},
		{"/a", "~1", "/a/~01"},
		{"/a~1b", "0", "/a~1b/0"}, // the base is already a pointer: left as is
	}
	for _, tc := range tests {
		if got := JoinPointer(tc.ptr, tc.tok); got != tc.want {
			t.Errorf("JoinPointer(%q, %q) = %q, want %q", tc.ptr, tc.tok, got, tc.want)
		}
	}
}
