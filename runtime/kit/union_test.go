package kit

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/reftask/reftask/runtime"
)

type pick struct {
	S *string
	N *int64
}

func checkPick(p *pick) error {
	var vs Violations
	if p.S != nil && len(*p.S) > 2 {
		vs.Add("", "maxLength", "too long")
	}
	if p.N != nil && *p.N < 0 {
		vs.Add("", "minimum", "negative")
	}
	return vs.Err()
}

func TestPickVariant(t *testing.T) {
	str := func(s string) *string { return &s }
	num := func(n int64) *int64 { return &n }
	decodeErr := errors.New("wrong type")
	for _, tc := range []struct {
		name    string
		oneOf   bool
		cands   []Candidate[pick]
		want    string // "S", "N" or ""
		wantErr string
	}{
		{"one valid", true, []Candidate[pick]{{Name: "S", Value: pick{S: str("a")}}, {Name: "N", Err: decodeErr}}, "S", ""},
		{"oneOf ambiguous", true, []Candidate[pick]{{Name: "S", Value: pick{S: str("a")}}, {Name: "N", Value: pick{N: num(1)}}}, "", "matches S and N"},
		{"anyOf first", false, []Candidate[pick]{{Name: "S", Value: pick{S: str("a")}}, {Name: "N", Value: pick{N: num(1)}}}, "S", ""},
		{"none valid keeps the first decoded", true, []Candidate[pick]{{Name: "S", Err: decodeErr}, {Name: "N", Value: pick{N: num(-1)}}}, "N", ""},
		{"none decoded", false, []Candidate[pick]{{Name: "S", Err: decodeErr}, {Name: "N", Err: decodeErr}}, "", "anyOf: the value matches none of the variants (S: wrong type; N: wrong type)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got pick
			err := PickVariant(&got, tc.oneOf, tc.cands, checkPick)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (tc.want == "S") != (got.S != nil) || (tc.want == "N") != (got.N != nil) {
				t.Errorf("got %+v, want %s", got, tc.want)
			}
		})
	}
}

func TestDiscriminator(t *testing.T) {
	for _, tc := range []struct {
		data string
		want any
		err  string
	}{
		{`{"kind":"a","x":1}`, "a", ""},
		{`{"kind":1.0}`, json.Number("1.0"), ""},
		{`{"x":1}`, nil, `missing property "kind"`},
		{`[1]`, nil, "array is not of type object"},
		{`null`, nil, "null is not of type object"},
		{`{`, nil, "unexpected"},
	} {
		got, err := Discriminator([]byte(tc.data), "kind")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err %v, want %q", tc.data, err, tc.err)
			}
			continue
		}
		if err != nil || !EqualJSON(got, tc.want) {
			t.Errorf("%s: %v %v", tc.data, got, err)
		}
	}
	err := UnknownTag("kind", "c", `"a", "b"`)
	var ve *runtime.ValidationError
	if !errors.As(err, &ve) || ve.Violations[0].Pointer != "/kind" || ve.Violations[0].Message != `"c" is none of "a", "b"` {
		t.Errorf("UnknownTag: %v", err)
	}
}

func TestFirstMatch(t *testing.T) {
	isString := func(v any, p *Path, vs *Violations, _ *Evaluated) {
		if _, ok := v.(string); !ok {
			vs.Add(p.String(), "type", "not a string")
		}
	}
	isNumber := func(v any, p *Path, vs *Violations, _ *Evaluated) {
		if _, ok := v.(json.Number); !ok {
			vs.Add(p.String(), "type", "not a number")
		}
	}
	n := int64(5)
	if i := FirstMatch(&n, nil, isString, isNumber); i != 1 {
		t.Errorf("FirstMatch = %d, want 1", i)
	}
	if i := FirstMatch(&n, nil, isString); i != -1 {
		t.Errorf("FirstMatch = %d, want -1", i)
	}
}

func TestObjectWriter(t *testing.T) {
	type base struct {
		A int    `json:"a"`
		B string `json:"b,omitempty"`
	}
	for _, tc := range []struct {
		name string
		v    base
		maps []map[string]int
		want string
	}{
		{"only the struct", base{A: 1}, nil, `{"a":1}`},
		{"sorted extras", base{A: 1, B: "x"}, []map[string]int{{"z": 2, "c": 3}}, `{"a":1,"b":"x","c":3,"z":2}`},
		{"a key is written once", base{A: 1}, []map[string]int{{"a": 9, "k": 1}, {"k": 2, "m": 3}}, `{"a":1,"k":1,"m":3}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w ObjectWriter
			w.Struct(tc.v)
			for _, m := range tc.maps {
				WriteProps(&w, m)
			}
			got, err := w.Bytes()
			if err != nil || string(got) != tc.want {
				t.Errorf("got %s %v, want %s", got, err, tc.want)
			}
		})
	}
	// An empty struct still gives an object.
	var w ObjectWriter
	w.Struct(struct{}{})
	WriteProps(&w, map[string]bool{"x": true})
	if got, err := w.Bytes(); err != nil || string(got) != `{"x":true}` {
		t.Errorf("empty struct: %s %v", got, err)
	}
}

func TestOtherPropsAndNulls(t *testing.T) {
	keys, raw, err := OtherProps([]byte(`{"a":1,"z":null,"b":[1]}`), []string{"a"})
	if err != nil || strings.Join(keys, ",") != "b,z" || string(raw["b"]) != "[1]" {
		t.Errorf("OtherProps: %v %v %v", keys, raw, err)
	}
	nulls := NullProps([]byte(`{"a":null,"b":1,"c": null }`), "a", "b", "c", "d")
	if !nulls["a"] || nulls["b"] || !nulls["c"] || nulls["d"] {
		t.Errorf("NullProps: %v", nulls)
	}
	err = PropError("x/y", &runtime.ValidationError{Violations: []runtime.Violation{{Pointer: "/r", Keyword: "minimum"}}})
	var ve *runtime.ValidationError
	if !errors.As(err, &ve) || ve.Violations[0].Pointer != "/x~1y/r" {
		t.Errorf("PropError: %v", err)
	}
}

func TestTupleItems(t *testing.T) {
	for _, tc := range []struct {
		data     string
		min, max int
		n        int
		err      string
	}{
		{`[1,"a"]`, 2, 2, 2, ""},
		{`[1]`, 2, -1, 0, "minItems"},
		{`[1,2,3]`, 0, 2, 0, "at most 2"},
		{`{"a":1}`, 0, -1, 0, "object is not of type array"},
		{`null`, 0, -1, 0, "null is not of type array"},
	} {
		items, err := TupleItems([]byte(tc.data), tc.min, tc.max)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err %v, want %q", tc.data, err, tc.err)
			}
			continue
		}
		if err != nil || len(items) != tc.n {
			t.Errorf("%s: %v %v", tc.data, items, err)
		}
	}
}

func TestEnumText(t *testing.T) {
	values := []string{`1`, `"a"`, `null`, `{"k":[1,2]}`}
	for _, tc := range []struct{ data, want string }{
		{`1.0`, `1`},
		{`1e0`, `1`},
		{`"a"`, `"a"`},
		{`null`, `null`},
		{`{ "k" : [1, 2.0] }`, `{"k":[1,2]}`},
		{`2`, `2`},
		{`{ "x" : 1 }`, `{"x":1}`},
	} {
		got, err := EnumText([]byte(tc.data), values...)
		if err != nil || got != tc.want {
			t.Errorf("%s: %q %v, want %q", tc.data, got, err, tc.want)
		}
	}
	if _, err := EnumText([]byte(`{`), values...); err == nil {
		t.Error("EnumText accepted broken JSON")
	}
	if _, err := EnumJSON(""); err == nil {
		t.Error("EnumJSON accepted the empty text")
	}
	if b, err := EnumJSON(`[1]`); err != nil || string(b) != `[1]` {
		t.Errorf("EnumJSON: %s %v", b, err)
	}
}

func TestDecodeStrictNestedNulls(t *testing.T) {
	type inner struct {
		Tags []string            `json:"tags"`
		M    map[string]int64    `json:"m"`
		P    []*string           `json:"p"`
		J    []runtime.JSONValue `json:"j"`
		Deep map[string][]bool   `json:"deep"`
	}
	for _, tc := range []struct{ data, err string }{
		{`{"tags":["a"],"m":{"x":1},"p":[null],"j":[null]}`, ""},
		{`{"tags":["a",null]}`, "/tags/1: type: null is not allowed"},
		{`{"m":{"x":null}}`, "/m/x: type: null is not allowed"},
		{`{"deep":{"k":[true,null]}}`, "/deep/k/1: type: null is not allowed"},
		{`{"m":{"x":1.0}}`, ""},
	} {
		var v inner
		err := DecodeStrict([]byte(tc.data), &v)
		if tc.err == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.data, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: err %v, want %q", tc.data, err, tc.err)
		}
	}
	var p *int64
	if err := DecodeNullable([]byte(` null `), &p); err != nil || p != nil {
		t.Errorf("DecodeNullable(null): %v %v", p, err)
	}
	if err := DecodeNullable([]byte(`2.0`), &p); err != nil || p == nil || *p != 2 {
		t.Errorf("DecodeNullable(2.0): %v %v", p, err)
	}
}

func TestDecodeVia(t *testing.T) {
	var j runtime.JSONValue
	if err := DecodeVia("/x", map[string]any{"a": 1.5}, &j); err != nil || j.String() != `{"a":1.5}` {
		t.Errorf("DecodeVia: %v %v", j, err)
	}
	var obj objectOnly
	if err := DecodeVia("/x", []byte(`{"a": 1}`), &obj); err != nil || obj.m["a"] == nil {
		t.Errorf("DecodeVia of JSON text: %v %v", obj.m, err)
	}
	var n numberOnly
	err := DecodeVia("/x", "text", &n)
	var ce *runtime.ConvError
	if !errors.As(err, &ce) || ce.Path != "/x" {
		t.Errorf("DecodeVia error: %v", err)
	}
}

type numberOnly struct{ n json.Number }

func (v *numberOnly) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &v.n)
}

type objectOnly struct{ m map[string]any }

func (v *objectOnly) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &v.m)
}

func TestDecodeStrictExactKeys(t *testing.T) {
	type obj struct {
		A  int64  `json:"a"`
		ID string `json:"id,omitempty"`
	}
	for _, tc := range []struct {
		data string
		want obj
	}{
		{`{"a":3,"A":"00"}`, obj{A: 3}},
		{`{"A":"x","a":1,"Id":5,"id":"k"}`, obj{A: 1, ID: "k"}},
		{`{"a":2}`, obj{A: 2}},
		{`{"a":2,"\u0041":"x"}`, obj{A: 2}},
		{`{"a":2,"id":"q\"A\n"}`, obj{A: 2, ID: "q\"A\n"}},
	} {
		var got obj
		if err := DecodeStrict([]byte(tc.data), &got); err != nil || got != tc.want {
			t.Errorf("%s: %+v %v, want %+v", tc.data, got, err, tc.want)
		}
	}
}

// evenDate is a generated-like type whose Validate rejects odd days.
type evenDate struct{ D runtime.Date }

func (e *evenDate) Validate() error {
	if e.D.Day%2 == 1 {
		return errors.New("odd day")
	}
	return nil
}

func TestBranchNarrowing(t *testing.T) {
	str := func(v any, p *Path, vs *Violations, _ *Evaluated) {
		if _, ok := v.(string); !ok {
			vs.Add(p.String(), "type", "not a string")
		}
	}
	obj := func(v any, p *Path, vs *Violations, _ *Evaluated) {
		if _, ok := v.(map[string]any); !ok {
			vs.Add(p.String(), "type", "not an object")
		}
	}
	arr := func(v any, p *Path, vs *Violations, _ *Evaluated) {
		if _, ok := v.([]any); !ok {
			vs.Add(p.String(), "type", "not an array")
		}
	}
	tests := []struct {
		name  string
		check func(any, *Path, *Violations, *Evaluated)
		doc   any
		match bool
	}{
		{"a date", FormatChecked("date", str), "2024-02-29", true},
		{"no date", FormatChecked("date", str), "abc", false},
		{"ipv6 is no ipv4", FormatChecked("ipv4", str), "::1", false},
		{"the program still counts", FormatChecked("date", obj), "2024-02-29", false},
		{"dates in an array", DecodesAs[[]runtime.Date](arr), []any{"2024-02-29"}, true},
		{"no date in an array", DecodesAs[[]runtime.Date](arr), []any{"abc"}, false},
		{"decoded and valid", DecodedBy[evenDate](obj), map[string]any{"D": "2024-02-28"}, true},
		{"decoded, not valid", DecodedBy[evenDate](obj), map[string]any{"D": "2024-02-29"}, false},
		{"not decoded", DecodedBy[evenDate](obj), map[string]any{"D": "x"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var vs Violations
			tc.check(tc.doc, nil, &vs, nil)
			if got := vs.Len() == 0; got != tc.match {
				t.Errorf("match = %v, want %v (%v)", got, tc.match, vs.Err())
			}
		})
	}
}
