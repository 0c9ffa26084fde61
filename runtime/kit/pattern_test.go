package kit

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

var patternCases = []struct {
	pattern string
	loop    bool // matched by the loop rather than the regexp engine
}{
	{`^user_[0-9]+$`, true},
	{`^[a-z]{2}$`, true},
	{`^[A-Z]{2,3}-\d{1,4}$`, true},
	{`^\d{3}-?\d{4}$`, true},
	{`^[a-f0-9]{8}-[a-f0-9]{4}$`, true},
	{`^.+@.+$`, false},          // . also matches @: greedy matching could go wrong
	{`^[a-z]+[a-z0-9]$`, false}, // the repeated class overlaps what follows
	{`^$`, true},
	{`^x*$`, true},
	{`^é+ß?$`, true},
	{`^[^\n]{0,3}$`, true},
	{`^.?$`, true},
	{`^a{2,}b$`, true},
	{`^(?i)abc$`, false},
	{`^a|b$`, false},
	{`abc`, false},
	{`^abc`, false},
	{`^(ab)+$`, false},
	{`^\p{L}+$`, true},
	{`^[[:alpha:]]+ [[:digit:]]*$`, true},
}

// MatchString agrees with the regexp on every case, whichever way it matches.
func TestPatternAgreesWithRegexp(t *testing.T) {
	inputs := []string{"", "a", "ab", "abc", "ABC", "user_", "user_1", "user_123", "user_12a", "xuser_1", "user_1\n",
		"ab-1", "ABC-1234", "AB-12345", "555-1234", "5551234", "deadbeef-cafe", "a@b", "@", "aab", "aaab", "ééß", "é",
		"\n", "a\n", "xxx", "\xff", "\xff\xfe", "ab\xff", "Ünïcödé", "abc 123", "abc ", "b"}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("aAbz09_-@é\nß \xff")
	for range 300 {
		r := make([]rune, rng.IntN(8))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		inputs = append(inputs, string(r), "user_"+string(r))
	}
	for _, tc := range patternCases {
		p := MustPattern(tc.pattern)
		if (p.items != nil) != tc.loop {
			t.Errorf("%s: matched by the loop = %v, want %v", tc.pattern, p.items != nil, tc.loop)
		}
		re := regexp.MustCompile(tc.pattern)
		for _, s := range inputs {
			if got, want := p.MatchString(s), re.MatchString(s); got != want {
				t.Errorf("%s on %q: %v, regexp says %v", tc.pattern, s, got, want)
			}
		}
	}
}

func FuzzPattern(f *testing.F) {
	for _, tc := range patternCases {
		f.Add(tc.pattern, "user_12")
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return
		}
		if got, want := MustPattern(pattern).MatchString(s), re.MatchString(s); got != want {
			t.Fatalf("%q on %q: %v, regexp says %v", pattern, s, got, want)
		}
	})
}

func BenchmarkPattern(b *testing.B) {
	p, re := MustPattern(`^user_[0-9]+$`), regexp.MustCompile(`^user_[0-9]+$`)
	b.Run("loop", func(b *testing.B) {
		for b.Loop() {
			p.MatchString("user_12345")
		}
	})
	b.Run("regexp", func(b *testing.B) {
		for b.Loop() {
			re.MatchString("user_12345")
		}
	})
}
