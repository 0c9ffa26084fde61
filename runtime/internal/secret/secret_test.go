package secret

import "testing"

// The marker names the variable, and each form of a secret is replaced, including a start of it that a cut left.
func TestScrubText(t *testing.T) {
	secrets := []Secret{New("env:API_KEY", `a/b"c é-0123`), New("env:SHORT", "abc")}
	cases := map[string]string{
		`key a/b"c é-0123 end`:                                 "key [REDACTED env:API_KEY] end",
		`quoted "a/b\"c \u00e9-0123"`:                          `quoted "[REDACTED env:API_KEY]"`,
		`go-quoted "a/b\"c é-0123"`:                            `go-quoted "[REDACTED env:API_KEY]"`,
		`url a%2Fb%22c+%C3%A9-0123`:                            "url [REDACTED env:API_KEY]",
		`path a%2Fb%22c%20%C3%A9-0123`:                         "path [REDACTED env:API_KEY]",
		`cut "xxa/b\"c"... (300 bytes)`:                        `cut "xx[REDACTED env:API_KEY]"... (300 bytes)`,
		`clip xxa/b"c é... (300 bytes)`:                        `clip xx[REDACTED env:API_KEY]... (300 bytes)`,
		`short abc is not scrubbed, too common`:                `short abc is not scrubbed, too common`,
		`two letters are no start "xa/"... (9 bytes)`:          `two letters are no start "xa/"... (9 bytes)`,
		`three are "xa/b"... (9 bytes)`:                        `three are "x[REDACTED env:API_KEY]"... (9 bytes)`,
		`nor is one "xya"... (9 bytes)`:                        `nor is one "xya"... (9 bytes)`,
		`two cuts "a/b"... (9 bytes) and a/b\"c... (20 bytes)`: `two cuts "[REDACTED env:API_KEY]"... (9 bytes) and [REDACTED env:API_KEY]... (20 bytes)`,
	}
	for in, want := range cases {
		if got := Text(in, secrets); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}
