package kit

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reftask/reftask/runtime/internal/rawval"
)

func TestHasJSONType(t *testing.T) {
	tests := []struct {
		name  string
		v     any
		types []string
		want  bool
	}{
		{"integer is number", json.Number("3"), []string{"number"}, true},
		{"integer is integer", json.Number("3"), []string{"integer"}, true},
		{"1.0 is integer", json.Number("1.0"), []string{"integer"}, true},
		{"1e2 is integer", json.Number("1e2"), []string{"integer"}, true},
		{"1.5 is number", json.Number("1.5"), []string{"number"}, true},
		{"1.5 is not integer", json.Number("1.5"), []string{"integer"}, false},
		{"string not number", "1", []string{"number", "integer"}, false},
		{"one of several", "x", []string{"null", "string"}, true},
		{"none of several", true, []string{"null", "string"}, false},
		{"null", nil, []string{"null"}, true},
		{"null not object", nil, []string{"object"}, false},
		{"no types", json.Number("1"), nil, false},
		{"array", []any{json.Number("1")}, []string{"array"}, true},
		{"object not array", map[string]any{}, []string{"array"}, false},
		{"boolean", false, []string{"boolean"}, true},
		{"string named number is a string", "number", []string{"string"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := HasJSONType(tc.v, tc.types...); got != tc.want {
				t.Errorf("HasJSONType(%#v, %q) = %v, want %v", tc.v, tc.types, got, tc.want)
			}
		})
	}
}

func TestInJSON(t *testing.T) {
	enum := []any{json.Number("1"), "a", nil, map[string]any{"k": []any{true}}}
	tests := []struct {
		v    string
		want bool
	}{
		{`1`, true},
		{`1.0`, true},
		{`1e0`, true},
		{`2`, false},
		{`"a"`, true},
		{`"1"`, false},
		{`null`, true},
		{`false`, false},
		{`{"k":[true]}`, true},
		{`{"k":[false]}`, false},
		{`[true]`, false},
	}
	for _, tc := range tests {
		if got := InJSON(jvDecode(t, tc.v), enum...); got != tc.want {
			t.Errorf("InJSON(%s) = %v, want %v", tc.v, got, tc.want)
		}
	}
	if InJSON(nil) || InJSON(json.Number("1")) {
		t.Error("InJSON with no values returned true")
	}
}

func TestDuplicateJSON(t *testing.T) {
	tests := []struct {
		arr  string
		i, j int
		ok   bool
	}{
		{`[]`, 0, 0, false},
		{`[1]`, 0, 0, false},
		{`[1,2,3]`, 0, 0, false},
		{`[1,1.0]`, 0, 1, true},
		{`[1,2,1e0]`, 0, 2, true},
		{`[1,2,2,1]`, 0, 3, true}, // first i, then first j for it
		{`[0,2,3,3]`, 2, 3, true},
		{`[1,"1",true,null]`, 0, 0, false},
		{`[null,null]`, 0, 1, true},
		{`[{"a":1,"b":2},{"b":2.0,"a":1}]`, 0, 1, true},
		{`[[1,2],[2,1]]`, 0, 0, false},
		{`[[1,2],[1,2]]`, 0, 1, true},
		{`[{},[]]`, 0, 0, false},
		{`[12345678901234567890,12345678901234567891]`, 0, 0, false},
		{`[9007199254740993,9007199254740992]`, 0, 0, false},
	}
	for _, tc := range tests {
		arr := jvDecode(t, tc.arr).([]any)
		i, j, ok := DuplicateJSON(arr)
		if i != tc.i || j != tc.j || ok != tc.ok {
			t.Errorf("DuplicateJSON(%s) = %d, %d, %v; want %d, %d, %v", tc.arr, i, j, ok, tc.i, tc.j, tc.ok)
		}
	}
	if _, _, ok := DuplicateJSON(nil); ok {
		t.Error("DuplicateJSON(nil) found a duplicate")
	}
}

func TestEvaluated(t *testing.T) {
	// Every method accepts a nil receiver.
	var nilEv *Evaluated
	nilEv.Prop("a")
	nilEv.Item(0)
	nilEv.AllProps()
	nilEv.AllItems()
	nilEv.Merge(&Evaluated{allProps: true})
	if nilEv.HasProp("a") || nilEv.HasItem(0) {
		t.Error("nil Evaluated reports something evaluated")
	}

	e := new(Evaluated)
	if e.HasProp("a") || e.HasItem(0) {
		t.Error("new Evaluated reports something evaluated")
	}
	e.Prop("a")
	e.Prop("")
	e.Item(2)
	for _, tc := range []struct {
		what string
		got  bool
		want bool
	}{
		{"prop a", e.HasProp("a"), true},
		{"prop empty", e.HasProp(""), true},
		{"prop b", e.HasProp("b"), false},
		{"item 2", e.HasItem(2), true},
		{"item 0", e.HasItem(0), false},
		{"item 3", e.HasItem(3), false},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %v, want %v", tc.what, tc.got, tc.want)
		}
	}

	all := new(Evaluated)
	all.AllProps()
	if !all.HasProp("anything") || all.HasItem(0) {
		t.Error("AllProps: wrong HasProp/HasItem")
	}
	all.AllItems()
	if !all.HasItem(1000) {
		t.Error("AllItems: HasItem(1000) false")
	}

	// Merge adds what the other recorded, and nothing else.
	m := new(Evaluated)
	m.Prop("x")
	o := new(Evaluated)
	o.Prop("y")
	o.Item(1)
	m.Merge(o)
	m.Merge(nil)
	if !m.HasProp("x") || !m.HasProp("y") || !m.HasItem(1) || m.HasProp("z") || m.HasItem(0) {
		t.Errorf("after Merge: %+v", m)
	}
	o.Prop("later")
	if m.HasProp("later") {
		t.Error("Merge shares state with its argument")
	}
	m.Merge(all)
	if !m.HasProp("z") || !m.HasItem(0) {
		t.Error("Merge did not carry AllProps/AllItems")
	}
	// Merging a plain one does not clear the "all" flags.
	all.Merge(new(Evaluated))
	if !all.HasProp("q") || !all.HasItem(7) {
		t.Error("Merge cleared AllProps/AllItems")
	}
}

func TestCountValid(t *testing.T) {
	pass := func(prop string) func(any, *Path, *Violations, *Evaluated) {
		return func(_ any, _ *Path, _ *Violations, ev *Evaluated) { ev.Prop(prop) }
	}
	fail := func(prop string) func(any, *Path, *Violations, *Evaluated) {
		return func(_ any, p *Path, vs *Violations, ev *Evaluated) {
			ev.Prop(prop)
			vs.Add(p.String(), "type", "wrong")
		}
	}
	type check = func(any, *Path, *Violations, *Evaluated)
	tests := []struct {
		name      string
		checks    []check
		want      int
		evaluated []string
		notEval   []string
	}{
		{"none", nil, 0, nil, nil},
		{"one pass", []check{pass("a")}, 1, []string{"a"}, nil},
		{"one fail", []check{fail("a")}, 0, nil, []string{"a"}},
		{"mixed", []check{pass("a"), fail("b"), pass("c"), fail("d")}, 2, []string{"a", "c"}, []string{"b", "d"}},
		{"all pass", []check{pass("a"), pass("b"), pass("c")}, 3, []string{"a", "b", "c"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := Path{}
			p := root.Key("x")
			ev := new(Evaluated)
			if got := CountValid("v", &p, ev, tc.checks...); got != tc.want {
				t.Errorf("CountValid = %d, want %d", got, tc.want)
			}
			for _, k := range tc.evaluated {
				if !ev.HasProp(k) {
					t.Errorf("property %q of a passing check not merged", k)
				}
			}
			for _, k := range tc.notEval {
				if ev.HasProp(k) {
					t.Errorf("property %q of a failing check merged", k)
				}
			}
			// Without an Evaluated the checks get nil and the count is the same.
			if got := CountValid("v", nil, nil, tc.checks...); got != tc.want {
				t.Errorf("CountValid(ev nil) = %d, want %d", got, tc.want)
			}
		})
	}

	// Each check sees the value and path, and its own violations.
	var seen []string
	checkA := func(v any, p *Path, vs *Violations, ev *Evaluated) {
		if vs.Len() != 0 {
			t.Error("check started with violations")
		}
		if ev != nil {
			t.Error("ev nil, but the check got an Evaluated")
		}
		seen = append(seen, v.(string)+p.String())
		vs.Add("", "k", "m")
	}
	root := Path{}
	p := root.Index(3)
	if n := CountValid("val", &p, nil, checkA, checkA); n != 0 {
		t.Errorf("CountValid = %d, want 0", n)
	}
	if want := []string{"val/3", "val/3"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("checks saw %q, want %q", seen, want)
	}
}

func TestAsJSONValueFor(t *testing.T) {
	objectOnly := func(v any, p *Path, vs *Violations, _ *Evaluated) {
		if _, ok := v.(map[string]any); !ok {
			vs.Add(p.String(), "type", "not an object")
		}
	}
	anything := func(any, *Path, *Violations, *Evaluated) {}
	tests := []struct {
		name  string
		raw   any
		check func(any, *Path, *Violations, *Evaluated)
		want  any
	}{
		{"object text for an object", `{"a":1}`, objectOnly, map[string]any{"a": json.Number("1")}},
		{"object bytes for an object", []byte(`{"a":[true]}`), objectOnly, map[string]any{"a": []any{true}}},
		{"array text is not an object but still JSON", `[1]`, objectOnly, []any{json.Number("1")}},
		{"text that is no JSON stays a string", `{"a"`, objectOnly, `{"a"`},
		{"a JSON scalar in text stays a string", `12`, objectOnly, `12`},
		{"a string the schema takes stays one", `{"a":1}`, anything, `{"a":1}`},
		{"a map is kept", map[string]any{"b": "x"}, objectOnly, map[string]any{"b": "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AsJSONValueFor("/p", tc.raw, tc.check)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Any(), tc.want) {
				t.Errorf("got %#v, want %#v", got.Any(), tc.want)
			}
		})
	}
	if _, err := AsJSONValueFor("/p", rawval.Absent{}, anything); err == nil {
		t.Error("an absent value converted")
	}
	if AcceptsNull(objectOnly) || !AcceptsNull(anything) {
		t.Error("AcceptsNull disagrees with the checks")
	}
}

func jvDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := DecodeJSON([]byte(s))
	if err != nil {
		t.Fatalf("DecodeJSON(%s): %v", s, err)
	}
	return v
}

func TestBriefJSON(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"null", nil, "null"},
		{"number exact", json.Number("12345678901234567890"), "12345678901234567890"},
		{"1e400", json.Number("1e400"), "1e400"},
		{"string", "x", `"x"`},
		{"object", map[string]any{"b": true, "a": nil}, `{"a":null,"b":true}`},
		{"exactly the limit", strings.Repeat("y", QuoteLimit-2), `"` + strings.Repeat("y", QuoteLimit-2) + `"`},
		{"one more is cut", strings.Repeat("y", QuoteLimit-1), `"` + strings.Repeat("y", QuoteLimit-1) + lengthNote(QuoteLimit+1)},
		{"long array", []any{strings.Repeat("z", 200)}, `["` + strings.Repeat("z", QuoteLimit-2) + lengthNote(204)},
		{"not marshalable", make(chan int), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := BriefJSON(tc.v)
			if tc.want == "" {
				if got == "" || strings.HasPrefix(got, "json") {
					t.Errorf("BriefJSON fallback = %q", got)
				}
				return
			}
			if got != tc.want {
				t.Errorf("BriefJSON = %q, want %q", got, tc.want)
			}
			if len(got) > QuoteLimit+len(lengthNote(1<<20)) {
				t.Errorf("BriefJSON length %d", len(got))
			}
		})
	}
}

func TestBriefJSONUTF8(t *testing.T) {
	for pad := range 4 {
		s := strings.Repeat("a", pad) + strings.Repeat("é€😀", 30)
		if got := BriefJSON(s); !utf8.ValidString(got) {
			t.Errorf("pad %d: BriefJSON = %q is not valid UTF-8", pad, got)
		}
	}
}
