package kit

import (
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/reftask/reftask/runtime"
)

// fuzzParams has a field of each kind a generated params struct holds.
type fuzzParams struct {
	S    string                 `json:"s"`
	I    int64                  `json:"i"`
	F    *float64               `json:"f,omitempty"`
	B    bool                   `json:"b"`
	T    time.Time              `json:"t"`
	D    *runtime.Date          `json:"d,omitempty"`
	A    *netip.Addr            `json:"a,omitempty"`
	L    []string               `json:"l"`
	M    map[string]int64       `json:"m"`
	N    *fuzzNested            `json:"n,omitempty"`
	O    runtime.OptNull[int64] `json:"o,omitzero"`
	Rest *runtime.JSONValue     `json:"rest,omitempty"`
}

type fuzzNested struct {
	X int64  `json:"x"`
	Y string `json:"y"`
}

// goTypeWords must never reach a params error: Go types and encoding/json's phrasing.
var goTypeWords = []string{"int64", "float64", "struct", "json:", "runtime.", "time.Time", "fuzzParams", "fuzzNested",
	"map[", "netip", "Go value", "unmarshal", "runtime.OptNull"}

// FuzzDecodeParams checks DecodeParams on any input: it never panics, and it either decodes a JSON object or returns
// a *runtime.ValidationError for the params, every violation with a keyword, a bounded message and no Go type in it.
func FuzzDecodeParams(f *testing.F) {
	for _, s := range []string{`{}`, `{"s":"a","i":1}`, `{"i":1.5}`, `{"i":"1"}`, `{"s":1,"s":2}`, `[]`, `null`, ``, `{`,
		`{"t":"2024-01-01T00:00:00Z"}`, `{"t":"x"}`, `{"d":"2024-02-30"}`, `{"a":"::1"}`, `{"l":[1]}`, `{"m":{"a":"b"}}`,
		`{"n":{"x":"1"}}`, `{"n":{"x":1,"x":2}}`, `{"o":null}`, `{"rest":[[[]]]}`, `{"f":1e400}`, `{"i":1e19}`, "{\"s\":\"\xff\"}"} {
		f.Add([]byte(s))
	}
	x, err := runtime.New(runtime.WithMaxParamsSize(4 << 10))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = x.Close() })
	f.Fuzz(func(t *testing.T, data []byte) {
		var p fuzzParams
		err := DecodeParams(x, "Fuzz", data, &p)
		if err == nil {
			if !json.Valid(data) || !strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
				t.Fatalf("accepted %q", data)
			}
			return
		}
		var te *runtime.TaskError
		var ve *runtime.ValidationError
		if !errors.As(err, &te) || !errors.As(err, &ve) || ve.Which != "params" || ve.Task != "Fuzz" || len(ve.Violations) == 0 {
			t.Fatalf("%q: err = %v (%T)", data, err, err)
		}
		for _, v := range ve.Violations {
			if v.Keyword == "" || v.Message == "" || len(v.Message) > messageLimit+32 || len(v.Pointer) > pointerLimit+32 {
				t.Fatalf("%q: violation %+v", data, v)
			}
			for _, w := range goTypeWords {
				if strings.Contains(v.Message, w) {
					t.Fatalf("%q: violation %+v shows %q", data, v, w)
				}
			}
		}
		if len(err.Error()) > 16<<10 {
			t.Fatalf("%q: error of %d bytes", data, len(err.Error()))
		}
	})
}

func TestDecodeParamsDuplicatesAnywhere(t *testing.T) {
	for doc, ptr := range map[string]string{
		`{"s":"a","s":"a"}`:                     "/s",
		`{"n":{"x":1,"y":"a","x":1}}`:           "/n/x",
		`{"l":["a"],"m":{"k":1,"k":1}}`:         "/m/k",
		`{"rest":[{"a":[{"b":1,"b":1}]}]}`:      "/rest/0/a/0/b",
		`{"rest":{"a~b/c":1,"a~b/c":2}}`:        "/rest/a~0b~1c",
		`{"rest":{"\u00e9":1,"é":2}}`:           "/rest/é",
		`{"rest":[{}, {"q":1}, {"q":1,"q":1}]}`: "/rest/2/q",
	} {
		var p fuzzParams
		err := DecodeParams(nil, "T", []byte(doc), &p)
		var ve *runtime.ValidationError
		if !errors.As(err, &ve) || ve.Violations[0].Pointer != ptr || ve.Violations[0].Keyword != "duplicateKeys" {
			t.Errorf("%s: %v, want a duplicate at %s", doc, err, ptr)
		}
	}
}
