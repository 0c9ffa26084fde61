package model

import (
	"slices"
	"testing"
)

func TestSplitQuery(t *testing.T) {
	tests := []struct {
		q      string
		parts  []string
		params []string
		err    bool
	}{
		{q: "SELECT 1", parts: []string{"SELECT 1"}},
		{q: "SELECT * FROM u WHERE id = :user_id", parts: []string{"SELECT * FROM u WHERE id = ", ""}, params: []string{"user_id"}},
		{q: "SELECT :a::text, :b", parts: []string{"SELECT ", "::text, ", ""}, params: []string{"a", "b"}},
		{q: "SELECT ':x', \":y\" FROM t WHERE a=:z", parts: []string{"SELECT ':x', \":y\" FROM t WHERE a=", ""}, params: []string{"z"}},
		{q: "SELECT 'it''s :x' WHERE a = :a -- :c\n", parts: []string{"SELECT 'it''s :x' WHERE a = ", " -- :c\n"}, params: []string{"a"}},
		{q: "/* :x */ SELECT $$ :y $$, $t$ :z $t$ WHERE id=:id", parts: []string{"/* :x */ SELECT $$ :y $$, $t$ :z $t$ WHERE id=", ""}, params: []string{"id"}},
		{q: "SELECT '12:30'", parts: []string{"SELECT '12:30'"}},
		{q: "SELECT * FROM t WHERE id IN (:ids)", parts: []string{"SELECT * FROM t WHERE id IN (", ")"}, params: []string{"ids"}},
		{q: "SELECT $1 WHERE a=:a", parts: []string{"SELECT $1 WHERE a=", ""}, params: []string{"a"}},
		{q: "SELECT 'open", err: true},
		{q: "SELECT /* open", err: true},
	}
	for _, tt := range tests {
		parts, params, err := SplitQuery(tt.q)
		if (err != nil) != tt.err {
			t.Errorf("SplitQuery(%q) error = %v, want error %v", tt.q, err, tt.err)
			continue
		}
		if tt.err {
			continue
		}
		if !slices.Equal(parts, tt.parts) || !slices.Equal(params, tt.params) {
			t.Errorf("SplitQuery(%q) = %q, %q; want %q, %q", tt.q, parts, params, tt.parts, tt.params)
		}
	}
}
