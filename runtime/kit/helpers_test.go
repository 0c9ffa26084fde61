package kit

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reftask/reftask/runtime"
)

// record builds a fresh raw record with nested objects and arrays, so that each test case gets its own.
func record() map[string]any {
	return map[string]any{
		"id":            json.Number("7"),
		"email_address": "a@example.com",
		"email":         "old@example.com",
		"price":         map[string]any{"amount": json.Number("9.5"), "currency": "EUR"},
		"address":       map[string]any{"street": "Main St", "zip": "12345"},
		"items":         []any{map[string]any{"name": "first"}, map[string]any{"name": "second"}},
		"a/b":           "slash",
		"m~n":           "tilde",
		"nothing":       nil,
		"scalar":        "text",
	}
}

func TestTransform(t *testing.T) {
	tests := []struct {
		name string
		maps []FieldMap
		want func(m map[string]any) // edits record() into the expected output
	}{
		{"no maps copies", nil, func(map[string]any) {}},
		{"flat key", []FieldMap{{Prop: []string{"email"}, From: "email_address"}}, func(m map[string]any) {
			m["email"] = "a@example.com"
		}},
		{"flat key into a new property", []FieldMap{{Prop: []string{"mail"}, From: "email_address"}}, func(m map[string]any) {
			m["mail"] = "a@example.com"
		}},
		{"flat key with a slash is not a pointer", []FieldMap{{Prop: []string{"x"}, From: "a/b"}}, func(m map[string]any) {
			m["x"] = "slash"
		}},
		{"JSON pointer", []FieldMap{{Prop: []string{"currency"}, From: "/price/currency"}}, func(m map[string]any) {
			m["currency"] = "EUR"
		}},
		{"JSON pointer into an array", []FieldMap{{Prop: []string{"first"}, From: "/items/0/name"}}, func(m map[string]any) {
			m["first"] = "first"
		}},
		{"JSON pointer to an object copies the reference", []FieldMap{{Prop: []string{"p"}, From: "/price"}}, func(m map[string]any) {
			m["p"] = m["price"]
		}},
		{"JSON pointer with escapes", []FieldMap{{Prop: []string{"s"}, From: "/a~1b"}, {Prop: []string{"t"}, From: "/m~0n"}}, func(m map[string]any) {
			m["s"], m["t"] = "slash", "tilde"
		}},
		{"null is a value, not missing", []FieldMap{{Prop: []string{"email"}, From: "nothing"}}, func(m map[string]any) {
			m["email"] = nil
		}},
		{"nested prop into an existing object keeps its other keys", []FieldMap{{Prop: []string{"address", "city"}, From: "scalar"}}, func(m map[string]any) {
			m["address"] = map[string]any{"street": "Main St", "zip": "12345", "city": "text"}
		}},
		{"nested prop creates intermediate objects", []FieldMap{{Prop: []string{"geo", "pos", "lat"}, From: "/price/amount"}}, func(m map[string]any) {
			m["geo"] = map[string]any{"pos": map[string]any{"lat": json.Number("9.5")}}
		}},
		{"nested prop replaces a non-object on the way", []FieldMap{{Prop: []string{"scalar", "x"}, From: "id"}}, func(m map[string]any) {
			m["scalar"] = map[string]any{"x": json.Number("7")}
		}},
		{"two nested props share an intermediate", []FieldMap{
			{Prop: []string{"geo", "lat"}, From: "id"},
			{Prop: []string{"geo", "lon"}, From: "scalar"},
		}, func(m map[string]any) {
			m["geo"] = map[string]any{"lat": json.Number("7"), "lon": "text"}
		}},
		{"later maps read the original record", []FieldMap{
			{Prop: []string{"email"}, From: "email_address"},
			{Prop: []string{"copy"}, From: "email"},
		}, func(m map[string]any) {
			m["copy"] = "old@example.com"
			m["email"] = "a@example.com"
		}},
		{"missing flat source deletes the property", []FieldMap{{Prop: []string{"email"}, From: "no_such_column"}}, func(m map[string]any) {
			delete(m, "email")
		}},
		{"missing pointer source deletes the property", []FieldMap{{Prop: []string{"email"}, From: "/price/nope"}}, func(m map[string]any) {
			delete(m, "email")
		}},
		{"pointer through a scalar is missing", []FieldMap{{Prop: []string{"email"}, From: "/scalar/x"}}, func(m map[string]any) {
			delete(m, "email")
		}},
		{"missing source deletes a nested property", []FieldMap{{Prop: []string{"address", "zip"}, From: "nope"}}, func(m map[string]any) {
			m["address"] = map[string]any{"street": "Main St"}
		}},
		{"missing source does not create intermediate objects", []FieldMap{{Prop: []string{"geo", "lat"}, From: "nope"}}, func(map[string]any) {}},
		{"missing source below a non-object leaves it", []FieldMap{{Prop: []string{"scalar", "x"}, From: "nope"}}, func(map[string]any) {}},
		{"empty prop path is ignored", []FieldMap{{Prop: nil, From: "id"}}, func(map[string]any) {}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, pristine, want := record(), record(), record()
			tc.want(want)
			got := Transform(in, tc.maps)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got  %v\nwant %v", got, want)
			}
			if !reflect.DeepEqual(in, pristine) {
				t.Fatalf("input record was modified:\n got %v\nwant %v", in, pristine)
			}
			// The output does not alias the objects Transform wrote into: editing them leaves the input alone.
			out := got.(map[string]any)
			for _, fm := range tc.maps {
				cur := out
				for _, seg := range fm.Prop[:max(len(fm.Prop)-1, 0)] {
					next, ok := cur[seg].(map[string]any)
					if !ok {
						break
					}
					next["__edited"] = true
					cur = next
				}
			}
			out["__edited"] = true
			if !reflect.DeepEqual(in, pristine) {
				t.Fatalf("editing the output changed the input:\n got %v\nwant %v", in, pristine)
			}
		})
	}
}

func TestTransformNonObject(t *testing.T) {
	maps := []FieldMap{{Prop: []string{"x"}, From: "y"}}
	arr := []any{map[string]any{"y": 1}}
	for _, raw := range []any{nil, "text", json.Number("1"), true, arr, map[string]string{"y": "typed map"}} {
		got := Transform(raw, maps)
		if !reflect.DeepEqual(got, raw) {
			t.Errorf("Transform(%#v) = %#v, want it unchanged", raw, got)
		}
	}
	if got := Transform(arr, maps).([]any); &got[0] != &arr[0] {
		t.Error("an array record was copied instead of returned as it is")
	}
}

func TestTransformEach(t *testing.T) {
	maps := []FieldMap{{Prop: []string{"name"}, From: "/n/0"}, {Prop: []string{"gone"}, From: "missing"}}
	in := []any{
		map[string]any{"n": []any{"a"}, "gone": 1},
		"not an object",
		map[string]any{"n": []any{}},
		nil,
	}
	pristine := []any{
		map[string]any{"n": []any{"a"}, "gone": 1},
		"not an object",
		map[string]any{"n": []any{}},
		nil,
	}
	want := []any{
		map[string]any{"n": []any{"a"}, "name": "a"},
		"not an object",
		map[string]any{"n": []any{}},
		nil,
	}
	got := TransformEach(in, maps)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
	if !reflect.DeepEqual(in, pristine) {
		t.Fatalf("input modified: %v", in)
	}
	if got := TransformEach([]any{}, maps); !reflect.DeepEqual(got, []any{}) {
		t.Fatalf("empty array: %#v", got)
	}
	for _, raw := range []any{nil, "x", map[string]any{"n": []any{"a"}}} {
		if got := TransformEach(raw, maps); !reflect.DeepEqual(got, raw) {
			t.Errorf("TransformEach(%#v) = %#v, want it unchanged", raw, got)
		}
	}
}

func TestLookupField(t *testing.T) {
	rec := map[string]any{
		"a":    "flat",
		"":     "empty key",
		"a/b":  "slash",
		"m~n":  "tilde",
		"~1":   "literal tilde one",
		"null": nil,
		"arr":  []any{"zero", "one", map[string]any{"k": "deep"}},
		"obj":  map[string]any{"x": map[string]any{"y": json.Number("1")}},
		"s":    "scalar",
	}
	tests := []struct {
		from  string
		want  any
		found bool
	}{
		{"a", "flat", true},
		{"missing", nil, false},
		{"a/b", "slash", true}, // no leading slash: a plain key
		{"/a", "flat", true},
		{"/", "empty key", true},
		{"/a~1b", "slash", true},
		{"/m~0n", "tilde", true},
		{"/~01", "literal tilde one", true}, // ~01 is ~ then 1, not /
		{"/null", nil, true},
		{"/arr/0", "zero", true},
		{"/arr/1", "one", true},
		{"/arr/2/k", "deep", true},
		{"/arr/3", nil, false},
		{"/arr/01", nil, false},
		{"/arr/00", nil, false},
		{"/arr/-1", nil, false},
		{"/arr/-", nil, false},
		{"/arr/+1", nil, false},
		{"/arr/-0", nil, false},
		{"/arr/ 1", nil, false},
		{"/arr/1.0", nil, false},
		{"/arr/", nil, false},
		{"/arr/99999999999999999999", nil, false},
		{"/obj/x/y", json.Number("1"), true},
		{"/obj/x/z", nil, false},
		{"/s/x", nil, false},
		{"/null/x", nil, false},
		{"/obj/x/y/z", nil, false},
	}
	for _, tc := range tests {
		got, found := lookupField(rec, tc.from)
		if found != tc.found || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("lookupField(%q) = %#v, %v; want %#v, %v", tc.from, got, found, tc.want, tc.found)
		}
	}
}

func TestSingleColumn(t *testing.T) {
	if v, err := SingleColumn(map[string]any{"n": int64(3)}); err != nil || v != int64(3) {
		t.Fatalf("one column: %v, %v", v, err)
	}
	if v, err := SingleColumn(map[string]any{"n": nil}); err != nil || v != nil {
		t.Fatalf("one NULL column: %v, %v", v, err)
	}
	tests := []struct {
		rec  map[string]any
		want string
	}{
		{map[string]any{}, "the query returned 0 ()"},
		{map[string]any{"b": 1, "a": 2}, "the query returned 2 (a, b)"},
		{map[string]any{"z": 1, "y": 2, "x": 3}, "the query returned 3 (x, y, z)"},
	}
	for _, tc := range tests {
		for range 5 { // map order varies: the message must not
			_, err := SingleColumn(tc.rec)
			if err == nil || !runtime.IsPermanent(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("SingleColumn(%v) = %v, want a permanent error containing %q", tc.rec, err, tc.want)
			}
		}
	}
}

func TestPtrArgAndOptNullArg(t *testing.T) {
	five, empty := 5, ""
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"nil pointer", PtrArg[int](nil), nil},
		{"pointer", PtrArg(&five), 5},
		{"pointer to zero value", PtrArg(&empty), ""},
		{"absent", OptNullArg(runtime.OptNull[int]{}), nil},
		{"null", OptNullArg(runtime.Null[int]()), nil},
		{"null with a stray value", OptNullArg(runtime.OptNull[int]{Value: 3, Set: true, Null: true}), nil},
		{"value", OptNullArg(runtime.Some(3)), 3},
		{"zero value", OptNullArg(runtime.Some("")), ""},
	}
	for _, tc := range tests {
		if tc.got != tc.want || reflect.TypeOf(tc.got) != reflect.TypeOf(tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
}

func TestIsMultipleOf(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	tests := []struct {
		x, m float64
		want bool
	}{
		{0.0075, 0.0001, true},
		{0.3, 0.1, true},
		{7, 2, false},
		{8, 2, true},
		{0, 5, true},
		{-0.3, 0.1, true},
		{0.35, 0.1, false},
		{10, 2.5, true},
		{1.1, 0.01, true},
		{19.99, 0.01, true},
		{19.995, 0.01, false},
		{1e20, 3, false}, // exact: 10^20 is not a multiple of 3
		{1e-10, 0.5, false},
		{2.5e-9, 5e-10, true},
		{5, 0, false},
		{inf, 1, false},
		{-inf, 1, false},
		{nan, 1, false},
		{1, nan, false},
		{1e308, 1e-308, true}, // exact, though the float quotient overflows
	}
	for _, tc := range tests {
		if got := IsMultipleOf(tc.x, tc.m); got != tc.want {
			t.Errorf("IsMultipleOf(%v, %v) = %v, want %v", tc.x, tc.m, got, tc.want)
		}
	}
}

func TestDuplicateIndex(t *testing.T) {
	type pair struct {
		i, j int
		dup  bool
	}
	check := func(name string, got pair, want pair) {
		t.Helper()
		if got != want {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
	p := func(i, j int, dup bool) pair { return pair{i, j, dup} }
	check("nil", p(DuplicateIndex[int](nil)), pair{})
	check("distinct", p(DuplicateIndex([]int{1, 2, 3})), pair{})
	check("first and last", p(DuplicateIndex([]int{1, 2, 1})), pair{0, 2, true})
	check("first pair found", p(DuplicateIndex([]int{1, 2, 2, 1})), pair{1, 2, true})
	check("strings", p(DuplicateIndex([]string{"a", "b", "a"})), pair{0, 2, true})
	check("case matters", p(DuplicateIndex([]string{"a", "A"})), pair{})
	check("numbers by value", p(DuplicateIndex([]float64{1, 1.0})), pair{0, 1, true})
	check("maps regardless of order", p(DuplicateIndex([]map[string]any{{"a": 1, "b": 2}, {"b": 2, "a": 1}})), pair{0, 1, true})
	check("maps differ", p(DuplicateIndex([]map[string]any{{"a": 1}, {"a": 2}})), pair{})
	type item struct {
		ID   string
		Tags []string
		Opt  runtime.OptNull[int] `json:",omitzero"`
	}
	check("structs", p(DuplicateIndex([]item{{ID: "x", Tags: []string{"t"}}, {ID: "y"}, {ID: "x", Tags: []string{"t"}}})), pair{0, 2, true})
	check("absent vs null", p(DuplicateIndex([]item{{ID: "x"}, {ID: "x", Opt: runtime.Null[int]()}})), pair{})
	check("nested slices", p(DuplicateIndex([][]int{{1, 2}, {2, 1}, {1, 2}})), pair{0, 2, true})
}

func TestRequireKeys(t *testing.T) {
	type vio struct{ ptr, kw, msg string }
	tests := []struct {
		name     string
		data     string
		required []string
		nonNull  []string
		known    []string
		closed   bool
		want     []vio // nil: no error
		wantErr  bool  // an error other than a *ValidationError
	}{
		{name: "all present", data: `{"id":"1","name":null}`, required: []string{"id", "name"}, nonNull: []string{"id"}},
		{name: "empty object, nothing required", data: `{}`},
		{name: "missing required", data: `{"id":"1"}`, required: []string{"id", "name", "email"},
			want: []vio{{"", "required", `missing property "name"`}, {"", "required", `missing property "email"`}}},
		{name: "null on non-null", data: `{"id":null,"name":null,"note":null}`, required: []string{"id"}, nonNull: []string{"id", "name"},
			want: []vio{{"/id", "type", "null is not allowed"}, {"/name", "type", "null is not allowed"}}},
		{name: "null with spaces is a value", data: `{"id": null }`, nonNull: []string{"id"},
			want: []vio{{"/id", "type", "null is not allowed"}}},
		{name: "absent non-null optional is fine", data: `{}`, nonNull: []string{"id"}},
		{name: "non-null key escaped", data: `{"a/b":null}`, nonNull: []string{"a/b"},
			want: []vio{{"/a~1b", "type", "null is not allowed"}}},
		{name: "unknown key when open", data: `{"id":1,"extra":2}`, known: []string{"id"}},
		{name: "unknown keys when closed, sorted", data: `{"zeta":1,"id":2,"alpha":3,"m~n":4,"Beta":5}`, known: []string{"id"}, closed: true,
			want: []vio{
				{"/Beta", "additionalProperties", `unknown property "Beta"`},
				{"/alpha", "additionalProperties", `unknown property "alpha"`},
				{"/m~0n", "additionalProperties", `unknown property "m~n"`},
				{"/zeta", "additionalProperties", `unknown property "zeta"`},
			}},
		{name: "closed with no known keys", data: `{"a":1}`, closed: true,
			want: []vio{{"/a", "additionalProperties", `unknown property "a"`}}},
		{name: "closed, all known", data: `{"a":1,"b":2}`, known: []string{"b", "a"}, closed: true},
		{name: "every kind, in order", data: `{"x":null,"y":1}`, required: []string{"id"}, nonNull: []string{"x"}, known: []string{"x"}, closed: true,
			want: []vio{
				{"", "required", `missing property "id"`},
				{"/x", "type", "null is not allowed"},
				{"/y", "additionalProperties", `unknown property "y"`},
			}},
		{name: "invalid JSON", data: `{"id":`, required: []string{"id"}, wantErr: true},
		{name: "array", data: `[1]`, wantErr: true},
		{name: "string", data: `"x"`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for range 3 { // the order must not depend on map iteration
				err := RequireKeys([]byte(tc.data), tc.required, tc.nonNull, tc.known, tc.closed)
				var ve *runtime.ValidationError
				switch {
				case tc.wantErr:
					if err == nil || errors.As(err, &ve) {
						t.Fatalf("err = %v, want a decoding error", err)
					}
					continue
				case tc.want == nil:
					if err != nil {
						t.Fatalf("err = %v", err)
					}
					continue
				}
				if !errors.As(err, &ve) {
					t.Fatalf("err = %v, want *ValidationError", err)
				}
				var got []vio
				for _, v := range ve.Violations {
					got = append(got, vio{v.Pointer, v.Keyword, v.Message})
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("violations\n got %q\nwant %q", got, tc.want)
				}
			}
		})
	}
	if err := RequireKeys([]byte(`null`), []string{"id"}, nil, nil, false); err == nil {
		t.Fatal("null object with a required key: no error")
	}
}

func TestBrief(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"string", "u1", `"u1"`},
		{"struct", struct{ A int }{1}, `{"A":1}`},
		{"nil", nil, "null"},
		{"slice", []string{"a", "b"}, `["a","b"]`},
		{"exactly the limit", strings.Repeat("y", QuoteLimit-2), `"` + strings.Repeat("y", QuoteLimit-2) + `"`},
		{"truncated", long, `"` + strings.Repeat("x", QuoteLimit-1) + lengthNote(len(long)+2)},
		{"not marshalable", make(chan int), ""}, // falls back to %v: checked below
		{"func", func() {}, ""},
	}
	for _, tc := range tests {
		got := Brief(tc.v)
		if tc.want == "" {
			if got == "" {
				t.Errorf("%s: empty", tc.name)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("%s: Brief = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := Brief(long); len(got) != QuoteLimit+len(lengthNote(len(long)+2)) {
		t.Errorf("truncated length %d", len(got))
	}
	// Truncation never splits a UTF-8 sequence.
	for pad := range 4 {
		s := strings.Repeat("a", pad) + strings.Repeat("é€😀", 30)
		got := Brief(s)
		if !utf8.ValidString(got) || !strings.HasSuffix(got, " bytes)") || len(got) > QuoteLimit+20 {
			t.Errorf("pad %d: Brief = %q (valid UTF-8: %v, %d bytes)", pad, got, utf8.ValidString(got), len(got))
		}
	}
}

func TestParamsError(t *testing.T) {
	var vs Violations
	vs.Add("/user_id", "minLength", "length 0 < 1")
	inner := vs.Err()
	err := ParamsError("UserProfile", inner)
	var te *runtime.TaskError
	if !errors.As(err, &te) || te.Task != "UserProfile" || te.Attempts != 0 {
		t.Fatalf("err = %#v, want *TaskError for UserProfile", err)
	}
	var ve *runtime.ValidationError
	if !errors.As(err, &ve) || ve.Task != "UserProfile" || ve.Which != "params" || len(ve.Violations) != 1 {
		t.Fatalf("errors.As *ValidationError: %#v", ve)
	}
	want := "reftask: task UserProfile: decoding params: invalid params: /user_id: minLength: length 0 < 1"
	if err.Error() != want {
		t.Fatalf("text\n got %s\nwant %s", err, want)
	}

	// Wrapped by a generated UnmarshalJSON, the violation is still found.
	err = ParamsError("T", json.Unmarshal([]byte(`{"x":1}`), &failingUnmarshal{err: inner}))
	if !errors.As(err, &ve) || ve.Task != "T" || ve.Which != "params" {
		t.Fatalf("through json.Unmarshal: %v (%#v)", err, ve)
	}

	// Other decoding errors stay reachable too.
	var syn *json.SyntaxError
	err = ParamsError("T", json.Unmarshal([]byte(`{`), new(map[string]any)))
	if !errors.As(err, &syn) || !errors.As(err, &te) || te.Task != "T" {
		t.Fatalf("syntax error: %v", err)
	}
}

type failingUnmarshal struct{ err error }

func (f *failingUnmarshal) UnmarshalJSON([]byte) error { return f.err }

// lengthNote is the note Quote and Clip put after a cut value.
func lengthNote(n int) string { return "... (" + strconv.Itoa(n) + " bytes)" }

func TestPropAndAsMissingVersusNull(t *testing.T) {
	m := map[string]any{"null": nil}
	as := map[string]func(string, any) error{
		"string":    func(p string, v any) error { _, err := AsString(p, v); return err },
		"integer":   func(p string, v any) error { _, err := AsInt64(p, v); return err },
		"number":    func(p string, v any) error { _, err := AsFloat64(p, v); return err },
		"boolean":   func(p string, v any) error { _, err := AsBool(p, v); return err },
		"date-time": func(p string, v any) error { _, err := AsTime(p, v); return err },
		"object":    func(p string, v any) error { _, err := AsObject(p, v); return err },
		"array":     func(p string, v any) error { _, err := AsArray(p, v); return err },
	}
	for to, f := range as {
		for _, tc := range []struct {
			key, from, value, msg string
		}{
			{"absent", "absent", "(absent)", "required property /x is missing"},
			{"null", "null", "null", "property /x is null but its schema does not allow null"},
		} {
			err := f("/x", Prop(m, tc.key))
			var ce *runtime.ConvError
			if !errors.As(err, &ce) {
				t.Fatalf("%s of %s: err = %v, want *ConvError", to, tc.key, err)
			}
			if ce.Path != "/x" || ce.From != tc.from || ce.To != to || ce.Value != tc.value || ce.Err == nil || ce.Err.Error() != tc.msg {
				t.Errorf("%s of %s: %+v (%v)", to, tc.key, *ce, ce.Err)
			}
		}
	}
	if v := Prop(map[string]any{"k": "v"}, "k"); v != "v" {
		t.Fatalf("Prop = %v", v)
	}
	if v := Prop(nil, "k"); IsNull(v) {
		t.Fatal("Prop of a nil map is null, want absent")
	}
	if err := Missing("", "object"); !strings.Contains(err.Error(), "required property (root) is missing") {
		t.Fatalf("Missing at root: %v", err)
	}
	if err := NullNotAllowed("", "object"); !strings.Contains(err.Error(), "property (root) is null") {
		t.Fatalf("NullNotAllowed at root: %v", err)
	}
}
