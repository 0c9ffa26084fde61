package runtime

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reftask/reftask/internal/format"
	"github.com/reftask/reftask/internal/quote"
)

// Error text is bounded (issue 11, class 10): a value quoted in an error or a log line is cut at quote.Limit
// bytes with its full length noted, so that a huge param or source value cannot make a huge message.

func TestQuoteProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 1))
	alphabet := []string{"a", "é", "€", "😀", "\x00", "\"", "\\", "\xff", "\n"}
	for range 2000 {
		var b strings.Builder
		n := rng.IntN(3 * quote.Limit)
		for b.Len() < n {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		q, c := quote.Quote(s), quote.Clip(s)
		if len(s) <= quote.Limit {
			if q != strconv.Quote(s) || c != s {
				t.Fatalf("short value changed: %q -> %s / %s", s, q, c)
			}
			continue
		}
		note := lengthNote(len(s))
		head, err := strconv.Unquote(strings.TrimSuffix(q, note))
		if !strings.HasSuffix(q, note) || err != nil || !strings.HasPrefix(s, head) || len(head) > quote.Limit || len(head) < quote.Limit-utf8.UTFMax {
			t.Fatalf("quote.Quote(%d bytes) = %s", len(s), q)
		}
		if !strings.HasSuffix(c, note) || !strings.HasPrefix(s, strings.TrimSuffix(c, note)) || len(c) > quote.Limit+len(note) {
			t.Fatalf("quote.Clip(%d bytes) = %q", len(s), c)
		}
		if utf8.ValidString(s) && (!utf8.ValidString(head) || !utf8.ValidString(c)) {
			t.Fatalf("a cut split a character: %q", c)
		}
	}
}

// hugeValues are the sizes the bounded-error tests try; 50 MB once, the others for each path.
var hugeSizes = []int{quote.Limit + 1, 1 << 20, 5 << 20}

// errorBound is the most an error line in these tests may take, whatever the size of the value in it.
const errorBound = 4 << 10

func TestBoundedErrors(t *testing.T) {
	paths := map[string]func(huge string) string{
		"FormatError date":  func(h string) string { _, err := ParseDate(h); return err.Error() },
		"FormatError uuid":  func(h string) string { _, err := ParseUUID(h); return err.Error() },
		"FormatError email": func(h string) string { _, err := ParseEmail(h + " @x.org"); return err.Error() },
		"FormatError uri":   func(h string) string { _, err := ParseURI("http://x/" + h + " "); return err.Error() },
		"FormatError ipv6":  func(h string) string { _, err := ParseIPv6(h); return err.Error() },
		"CheckFormat":       func(h string) string { return format.Check("date-time", h).Error() },
		"TaskError of a describe": func(h string) string {
			return (&TaskError{Task: "T", Key: "id=" + quote.Quote(h), Attempts: 1, Err: ErrNotFound}).Error()
		},
	}
	sizes := hugeSizes
	if raceEnabled {
		sizes = sizes[:2] // the race detector makes every copy of a large value slow; the sizes say the same
	}
	for name, f := range paths {
		for _, n := range sizes {
			h := strings.Repeat("x", n)
			start := time.Now()
			got := f(h)
			if d := time.Since(start); d > time.Second {
				t.Logf("%s, %d bytes: %v", name, n, d)
			}
			if len(got) > errorBound {
				t.Errorf("%s, %d-byte value: error of %d bytes: %s", name, n, len(got), quote.Clip(got))
			}
			if n >= 1<<20 && !strings.Contains(got, " bytes)") && !strings.HasPrefix(name, "DecodeParams") && name != "many violations" {
				t.Errorf("%s, %d-byte value: the cut is not noted: %s", name, n, quote.Clip(got))
			}
		}
	}
	if raceEnabled {
		return
	}
	// One 50 MB value, through the path a caller is most likely to log.
	h := strings.Repeat("y", 50<<20)
	if got := paths["TaskError of a describe"](h); len(got) > errorBound {
		t.Errorf("50 MB value: error of %d bytes", len(got))
	}
}
