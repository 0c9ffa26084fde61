package runtime

import (
	"encoding/json"
	"testing"
)

func TestDecimalCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1", "1.0", 0},
		{"1", "1e0", 0},
		{"0", "-0", 0},
		{"0.0", "0e5", 0},
		{"1e1000001", "100", 1},
		{"-1e1000001", "100", -1},
		{"1e-1000001", "0", 1},
		{"1e-1000001", "1e-1000000", -1},
		{"9007199254740993", "9007199254740992", 1},
		{"12345678901234567890", "1.2345678901234567890e19", 0},
		{"0.1", "0.10000000000000000001", -1},
		{"-2.5", "-2.49", -1},
		{"100", "1e2", 0},
		{"99.999", "1e2", -1},
		{"1e99999999999999999999", "1e100", 1},
	}
	for _, tt := range tests {
		a, okA := parseDecimal(tt.a)
		b, okB := parseDecimal(tt.b)
		if !okA || !okB {
			t.Fatalf("parse %q, %q: %v %v", tt.a, tt.b, okA, okB)
		}
		if got := a.cmp(b); got != tt.want {
			t.Errorf("cmp(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := b.cmp(a); got != -tt.want {
			t.Errorf("cmp(%s, %s) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

func TestDecimalParseAndInt(t *testing.T) {
	tests := []struct {
		s       string
		ok, int bool
	}{
		{"1", true, true}, {"1.0", true, true}, {"1e2", true, true}, {"1.5", true, false},
		{"1e-1", true, false}, {"1e1000001", true, true}, {"1e-1000001", true, false},
		{"-0.0", true, true}, {"12.50e1", true, true}, {"1.25e1", true, false},
		{"", false, false}, {"-", false, false}, {"1.", false, false}, {".5", false, false},
		{"1e", false, false}, {"1e+", false, false}, {"0x10", false, false}, {"1a", false, false},
	}
	for _, tt := range tests {
		d, ok := parseDecimal(tt.s)
		if ok != tt.ok {
			t.Errorf("parseDecimal(%q) ok = %v, want %v", tt.s, ok, tt.ok)
			continue
		}
		if ok && d.isInt() != tt.int {
			t.Errorf("parseDecimal(%q).isInt() = %v, want %v", tt.s, d.isInt(), tt.int)
		}
	}
}

func TestCompareNumberFractionBounds(t *testing.T) {
	tests := []struct {
		n, bound string
		want     int
	}{
		{"1.2", "11/10", 1},
		{"1.1", "11/10", 0},
		{"1e1000001", "11/10", 1},
		{"-1e1000001", "11/10", -1},
		{"1e-1000001", "11/10", -1},
		{"1e-1000001", "-11/10", 1},
		{"1e-1000001", "0", 1},
	}
	for _, tt := range tests {
		if got := CompareNumber(json.Number(tt.n), tt.bound); got != tt.want {
			t.Errorf("CompareNumber(%s, %s) = %d, want %d", tt.n, tt.bound, got, tt.want)
		}
	}
}
