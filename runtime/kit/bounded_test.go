package kit

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/reftask/reftask/internal/quote"
	"github.com/reftask/reftask/runtime"
)

// Error text is bounded (issue 11, class 10): a value the kit quotes into a violation, a conversion error or a
// params error is cut at QuoteLimit bytes with its full length noted. The runtime's own paths (format errors,
// task errors, sources, logs) are tested in package runtime.

// errorBound is the most an error line in these tests may take, whatever the size of the value in it.
const errorBound = 4 << 10

func newParamsExecutor(t *testing.T, limit int) *runtime.Executor {
	t.Helper()
	x, err := runtime.New(runtime.WithMaxParamsSize(limit), runtime.WithCache(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = x.Close() })
	return x
}

func TestBoundedKitErrors(t *testing.T) {
	paths := map[string]func(huge string) string{
		"RequireKeys unknown key": func(h string) string {
			return RequireKeys([]byte(`{`+strconv.Quote(h)+`:1}`), nil, nil, []string{"a"}, true).Error()
		},
		"Brief":     func(h string) string { return Brief(map[string]string{"k": h}) },
		"BriefJSON": func(h string) string { return BriefJSON([]any{h}) },
		"Addf %q": func(h string) string {
			var vs Violations
			vs.Addf("/a", "pattern", "%q does not match %q", h, "^x$")
			return vs.Err().Error()
		},
		"Addf %v named string": func(h string) string {
			type plan string
			var vs Violations
			vs.Addf("/a", "enum", "%v is not one of a, b", plan(h))
			return vs.Err().Error()
		},
		"Addf %s bytes": func(h string) string {
			var vs Violations
			vs.Addf("/a", "const", "%s is not x", []byte(h))
			return vs.Err().Error()
		},
		"Add pointer and message": func(h string) string {
			var vs Violations
			vs.Add("/"+h, "additionalProperties", fmt.Sprintf("unknown property %q", h))
			return vs.Err().Error()
		},
		"many violations": func(h string) string {
			var vs Violations
			for i := range len(h) / 1000 {
				vs.Addf("/items/"+strconv.Itoa(i), "maxLength", "length %d, want at most 3", i)
			}
			vs.Add("", "required", "missing property \"x\"")
			return vs.Err().Error()
		},
		"ConvError string": func(h string) string { _, err := AsInt64("/n", h); return err.Error() },
		"ConvError bytes":  func(h string) string { _, err := AsString("/s", []byte("\xff"+h)); return err.Error() },
		"ConvError number": func(h string) string {
			_, err := AsInt64("/n", json.Number("1"+strings.Repeat("0", len(h))))
			return err.Error()
		},
		"ConvError JSON text": func(h string) string {
			_, err := AsObject("/o", `{"a":1`+strings.Repeat("0", len(h)))
			return err.Error()
		},
		"DecodeParams string into integer": func(h string) string {
			var p struct {
				N int64 `json:"n"`
			}
			x := newParamsExecutor(t, 64<<20)
			return DecodeParams(x, "T", []byte(`{"n":`+strconv.Quote(h)+`}`), &p).Error()
		},
		"DecodeParams huge number": func(h string) string {
			var p struct {
				N int64 `json:"n"`
			}
			x := newParamsExecutor(t, 64<<20)
			return DecodeParams(x, "T", []byte(`{"n":1`+strings.Repeat("0", len(h))+`}`), &p).Error()
		},
		"DecodeParams duplicate huge key": func(h string) string {
			var p struct{}
			x := newParamsExecutor(t, 64<<20)
			k := strconv.Quote(h)
			return DecodeParams(x, "T", []byte(`{`+k+`:1,`+k+`:2}`), &p).Error()
		},
		"DecodeParams over the limit": func(h string) string {
			var p struct{}
			return DecodeParams(nil, "T", []byte(`{"a":`+strconv.Quote(h+strings.Repeat(" ", 1<<20))+`}`), &p).Error()
		},
	}
	sizes := []int{quote.Limit + 1, 1 << 20, 5 << 20}
	if raceEnabled {
		sizes = sizes[:2] // the race detector makes every copy of a large value slow; the sizes say the same
	}
	for name, f := range paths {
		for _, n := range sizes {
			h := strings.Repeat("x", n)
			got := f(h)
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
	if got := paths["Addf %q"](h); len(got) > errorBound {
		t.Errorf("50 MB value: error of %d bytes", len(got))
	}
}
