package gen_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/kit"
	"github.com/reftask/reftask/testdata/golden/paramkeys"
)

// Bad input to Execute is one kind of error (issue 11, class 9): whatever is wrong with the JSON params (not
// JSON, not an object, a wrong type, a number where an integer is wanted, a duplicate key, too large), Execute
// returns a *runtime.ValidationError for the params, with the JSON pointer of the offending value, worded as the
// generated Validate words its violations, and naming no Go type.

var validGet = map[string]any{
	"s": "a", "i": 1, "n": 1.5, "b": true, "e": "red", "dt": "2024-01-01T00:00:00Z", "d": "2024-02-29",
	"tm": "08:30:00Z", "du": "P1D", "u": "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "em": "a@x.org", "ur": "http://x/a",
	"v4": "1.2.3.4", "v6": "::1", "gi": 7, "code": "Ab",
}

var validPost = map[string]any{"tags": []any{"a"}, "when": "2024-01-01T00:00:00Z", "slot": map[string]any{"at": "2024-01-01T00:00:00Z"}}

// goWords are what a message must never show: Go types, packages and encoding/json's own phrasing.
var goWords = []string{"int64", "int32", "float64", "uint", "struct", "json:", "main.", "paramkeys", "runtime.",
	"time.Time", "map[", "[]string", "reflect", "Go value", "Go struct", "unmarshal", "KeyGetParams", "KeyPostParams", "*"}

// withProp returns the JSON text of base with property k set to the raw JSON v.
func withProp(t *testing.T, base map[string]any, k, v string) string {
	t.Helper()
	m := map[string]json.RawMessage{}
	for bk, bv := range base {
		b, err := json.Marshal(bv)
		if err != nil {
			t.Fatal(err)
		}
		m[bk] = b
	}
	m[k] = json.RawMessage(v)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("%s=%s: %v", k, v, err)
	}
	return string(b)
}

type badParams struct {
	task, doc        string
	pointer, keyword string
	words            string // the message contains this
}

func badParamCases(t *testing.T) []badParams {
	var out []badParams
	prop := func(task string, base map[string]any, k, v, pointer, keyword, words string) {
		out = append(out, badParams{task, withProp(t, base, k, v), pointer, keyword, words})
	}
	get := func(k, v, pointer, keyword, words string) { prop("KeyGet", validGet, k, v, pointer, keyword, words) }
	post := func(k, v, pointer, keyword, words string) { prop("KeyPost", validPost, k, v, pointer, keyword, words) }
	for _, v := range []string{`1`, `1.5`, `true`, `[]`, `{}`} {
		get("s", v, "/s", "type", "is not of type string")
		get("em", v, "/em", "type", "is not of type string")
		get("code", v, "/code", "type", "is not of type string")
		post("opt", v, "/opt", "type", "is not of type string")
	}
	for _, k := range []string{"s", "i", "n", "b", "dt", "u", "gi", "code"} {
		get(k, `null`, "/"+k, "type", "null is not allowed")
	}
	for _, v := range []string{`"1"`, `true`, `[]`, `{}`, `[1]`} {
		get("i", v, "/i", "type", "is not of type integer")
		get("gi", v, "/gi", "type", "is not of type integer")
		get("n", v, "/n", "type", "is not of type number")
		post("optnull", v, "/optnull", "type", "is not of type integer")
	}
	for _, v := range []string{`1.5`, `-0.5`, `1e-3`, `123456789.25`} {
		get("i", v, "/i", "type", "number is not of type integer")
		get("gi", v, "/gi", "type", "number is not of type integer")
		post("optnull", v, "/optnull", "type", "number is not of type integer")
	}
	for _, v := range []string{`1e400`, `9223372036854775808`, `-9223372036854775809`, `1e19`} {
		get("i", v, "/i", "type", "is out of range")
	}
	get("gi", `2147483648`, "/gi", "type", "is out of range")
	get("n", `1e400`, "/n", "type", "is out of range")
	for _, v := range []string{`"true"`, `1`, `0`, `[]`} {
		get("b", v, "/b", "type", "is not of type boolean")
	}
	get("e", `"blue"`, "/e", "enum", "is not one of")
	get("e", `1`, "/e", "type", "is not of type string")
	for k, vs := range map[string][]string{
		"dt": {`"nope"`, `"2024-01-01"`, `"2024-01-01T00:00:00"`}, "d": {`"2024-02-30"`, `"x"`}, "tm": {`"25:00:00Z"`, `"08:30:00"`},
		"du": {`"P"`, `"1D"`}, "u": {`"xyz"`, `"3f2504e0"`}, "em": {`"Joe <a@x.org>"`}, "ur": {`"/relative"`},
		"v4": {`"::1"`, `"01.2.3.4"`}, "v6": {`"1.2.3.4"`, `"::1%eth0"`},
	} {
		for _, v := range vs {
			get(k, v, "/"+k, "format", "")
		}
		get(k, `5`, "/"+k, "type", "is not of type string")
	}
	post("tags", `"a"`, "/tags", "type", "is not of type array")
	post("tags", `{}`, "/tags", "type", "is not of type array")
	post("tags", `[1]`, "/tags/0", "type", "integer is not of type string")
	post("tags", `["a", true]`, "/tags/1", "type", "boolean is not of type string")
	post("tags", `[null]`, "/tags/0", "type", "null is not allowed")
	post("slot", `5`, "/slot", "type", "is not of type object")
	post("slot", `{}`, "/slot", "required", `missing property "at"`)
	post("slot", `{"at":5}`, "/slot/at", "type", "integer is not of type string")
	post("slot", `{"at":"x"}`, "/slot/at", "format", `invalid date-time "x"`)
	post("slot", `{"at":"2024-01-01T00:00:00Z","label":[]}`, "/slot/label", "type", "array is not of type string")
	post("counts", `{"a":"x"}`, "/counts/a", "type", "string is not of type integer")
	post("counts", `{"a":1.5}`, "/counts/a", "type", "number is not of type integer")
	post("counts", `[]`, "/counts", "type", "is not of type object")
	post("times", `["x"]`, "/times/0", "format", `invalid date-time "x"`)
	post("times", `["2024-01-01T00:00:00Z", 1]`, "/times/1", "type", "integer is not of type string")

	// Documents that are not a params object at all.
	doc := func(task, d, pointer, keyword, words string) {
		out = append(out, badParams{task, d, pointer, keyword, words})
	}
	for _, task := range []string{"KeyGet", "KeyPost"} {
		doc(task, ``, "", "syntax", "input is empty")
		doc(task, "  \n", "", "syntax", "input is empty")
		doc(task, `{`, "", "syntax", "unexpected end of input")
		doc(task, `{"s":`, "/s", "syntax", "unexpected end of input")
		doc(task, `{"s":}`, "/s", "syntax", "invalid character")
		doc(task, `{"s":"a",}`, "", "syntax", "invalid character")
		doc(task, `{"s" "a"}`, "/s", "syntax", "invalid character")
		doc(task, `{'s':1}`, "", "syntax", "invalid character")
		doc(task, "{\"s\":\"a\x01\"}", "/s", "syntax", "invalid character")
		doc(task, `{"x":[1,2,}`, "/x/2", "syntax", "invalid character")
		doc(task, `{}{}`, "", "syntax", "data after the params object")
		doc(task, `{} x`, "", "syntax", "invalid character")
		doc(task, `nul`, "", "syntax", "invalid JSON")
		doc(task, `nulx`, "", "syntax", "invalid character")
		for _, v := range []string{`[]`, `"x"`, `1`, `1.5`, `true`, `null`, `[{"s":"a"}]`} {
			doc(task, v, "", "type", "is not of type object")
		}
		doc(task, `{"s":"a","s":"b"}`, "/s", "duplicateKeys", `duplicate property "s"`)
		doc(task, `{"s":"a","\u0073":"b"}`, "/s", "duplicateKeys", `duplicate property "s"`)
		doc(task, `{"x":{"y":[{"z":1,"z":1}]}}`, "/x/y/0/z", "duplicateKeys", `duplicate property "z"`)
		doc(task, `{"a/b":{"~":1,"~":2}}`, "/a~1b/~0", "duplicateKeys", `duplicate property "~"`)
		doc(task, `{"any":`+strings.Repeat("[", 1001)+strings.Repeat("]", 1001)+`}`, "/any/0/0/0/0/0*", "maxDepth", "nesting deeper than 1000 levels")
	}
	doc("KeyPost", withProp(t, validPost, "any", `{"a":1,"a":2}`), "/any/a", "duplicateKeys", `duplicate property "a"`)
	doc("KeyPost", withProp(t, validPost, "slot", `{"at":"2024-01-01T00:00:00Z","at":"2024-01-01T00:00:00Z"}`), "/slot/at", "duplicateKeys", `duplicate property "at"`)
	doc("KeyPost", withProp(t, validPost, "counts", `{"a":1,"a":1}`), "/counts/a", "duplicateKeys", `duplicate property "a"`)
	doc("KeyGet", `{"s":"`+strings.Repeat("x", 1<<20)+`"}`, "", "maxSize", "exceed the limit of 1048576 bytes")
	return out
}

func checkParamsError(t *testing.T, name string, err error, pointer, keyword, words string) {
	t.Helper()
	var ve *runtime.ValidationError
	if !errors.As(err, &ve) {
		t.Errorf("%s: err = %v (%T), want a *runtime.ValidationError", name, err, err)
		return
	}
	if ve.Which != "params" {
		t.Errorf("%s: Which = %q, want params", name, ve.Which)
	}
	found := false
	for _, v := range ve.Violations {
		at := v.Pointer == pointer
		if p, ok := strings.CutSuffix(pointer, "*"); ok {
			at = strings.HasPrefix(v.Pointer, p) && len(v.Pointer) < 300 // a deep pointer is cut, with its length
		}
		if at && v.Keyword == keyword && strings.Contains(v.Message, words) {
			found = true
		}
		for _, w := range goWords {
			if strings.Contains(v.Message, w) {
				t.Errorf("%s: violation %+v shows %q", name, v, w)
			}
		}
	}
	if !found {
		t.Errorf("%s: no violation at %q %s %q in %v", name, pointer, keyword, words, ve.Violations)
	}
	msg := strings.ReplaceAll(strings.ReplaceAll(err.Error(), "KeyGet", ""), "KeyPost", "")
	for _, w := range goWords {
		if strings.Contains(msg, w) {
			t.Errorf("%s: error text shows %q: %s", name, w, kit.Clip(msg))
		}
	}
}

func TestExecuteBadParams(t *testing.T) {
	x, err := runtime.New()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	c := paramkeys.NewClient(x)
	ctx := context.Background()
	cases := badParamCases(t)
	for _, bc := range cases {
		name := bc.task + " " + kit.Clip(bc.doc)
		r, err := c.Execute(ctx, bc.task, []byte(bc.doc))
		if r != nil {
			t.Errorf("%s: result %v", name, r)
		}
		checkParamsError(t, name, err, bc.pointer, bc.keyword, bc.words)
	}
	// Valid params get past decoding: the error is the source's, not a validation error.
	for task, base := range map[string]map[string]any{"KeyGet": validGet, "KeyPost": validPost} {
		b, _ := json.Marshal(base)
		_, err := c.Execute(ctx, task, b)
		var ve *runtime.ValidationError
		if err == nil || errors.As(err, &ve) {
			t.Errorf("%s valid params: err = %v", task, err)
		}
	}
	// Integers written as 1.0 or 1e2 are integers.
	for _, v := range []string{`1.0`, `1e2`, `-0`, `100.000`} {
		_, err := c.Execute(ctx, "KeyGet", []byte(withProp(t, validGet, "i", v)))
		var ve *runtime.ValidationError
		if errors.As(err, &ve) {
			t.Errorf("i=%s: %v", v, err)
		}
	}
	t.Logf("%d bad documents", len(cases))
}

func TestExecuteParamsSizeLimit(t *testing.T) {
	for _, limit := range []int{16, 100, 1000} {
		x, err := runtime.New(runtime.WithMaxParamsSize(limit))
		if err != nil {
			t.Fatal(err)
		}
		c := paramkeys.NewClient(x)
		for _, n := range []int{limit - 10, limit, limit + 1, 10 * limit} {
			doc := `{"s":"` + strings.Repeat("x", max(n-8, 0)) + `"}`
			_, err := c.Execute(context.Background(), "KeyGet", []byte(doc))
			var ve *runtime.ValidationError
			isSize := errors.As(err, &ve) && ve.Violations[0].Keyword == "maxSize"
			if isSize != (len(doc) > limit) {
				t.Errorf("limit %d, %d bytes: err = %v", limit, len(doc), err)
			}
		}
		x.Close()
	}
	if _, err := runtime.New(runtime.WithMaxParamsSize(0)); err == nil {
		t.Error("WithMaxParamsSize(0) accepted")
	}
}
