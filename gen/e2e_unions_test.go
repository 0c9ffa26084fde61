package gen_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/kit"
	"github.com/reftask/reftask/runtime/source/filesource"
	"github.com/reftask/reftask/testdata/golden/unions"
)

// The code generated for testdata/golden/unions (kept current by
// TestGolden): sum types, merged allOf structs, map fields and tuples,
// decoded, validated, marshalled back and read through the file source
// and the cache.

// roundTrip decodes data into T, validates it, marshals it and checks that
// the JSON is the same value; it returns the decoded value and the
// validation error.
func roundTrip[T any, P interface {
	*T
	Validate() error
}](t *testing.T, data string) (*T, error) {
	t.Helper()
	v := new(T)
	if err := json.Unmarshal([]byte(data), v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	verr := P(v).Validate()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %s: %v", data, err)
	}
	if !sameJSON(t, data, string(out)) {
		t.Errorf("round trip of %s gave %s", data, out)
	}
	return v, verr
}

func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	x, err := kit.DecodeJSON([]byte(a))
	if err != nil {
		t.Fatal(err)
	}
	y, err := kit.DecodeJSON([]byte(b))
	if err != nil {
		t.Fatal(err)
	}
	return kit.EqualJSON(x, y)
}

// violations lists "pointer keyword" of a validation error.
func violations(err error) []string {
	var ve *runtime.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, v := range ve.Violations {
		out = append(out, v.Pointer+" "+v.Keyword)
	}
	return out
}

func TestUnionsDiscriminator(t *testing.T) {
	d, err := roundTrip[unions.Drawing](t, `{"shape":{"kind":"square","side":2},"shapes":[{"kind":"circle","r":1.5},{"kind":"square","side":3}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if d.Shape.Square == nil || d.Shape.Circle != nil || d.Shape.Square.Side != 2 {
		t.Errorf("shape: %+v", d.Shape)
	}
	switch s := d.Shape.Value().(type) {
	case *unions.Square:
		if s != d.Shape.Square {
			t.Error("Value is not the Square field")
		}
	default:
		t.Errorf("Value() is %T", s)
	}
	if (unions.Shape{}).Value() != nil {
		t.Error("Value of an empty union is not nil")
	}
	if s := *d.Shapes; len(s) != 2 || s[0].Circle == nil || s[0].Circle.R != 1.5 || s[1].Square == nil {
		t.Errorf("shapes: %+v", s)
	}

	// The tag picks the branch; the branch's own constraints are Validate's.
	d, err = roundTrip[unions.Drawing](t, `{"shape":{"kind":"circle","r":-1}}`)
	if got := violations(err); len(got) != 1 || got[0] != "/shape/r exclusiveMinimum" || d.Shape.Circle == nil {
		t.Errorf("violations %v, shape %+v", got, d.Shape)
	}

	for _, tc := range []struct{ data, want string }{
		{`{"shape":{"kind":"triangle"}}`, `"triangle" is none of "circle", "square"`},
		{`{"shape":{"side":1}}`, `missing property "kind"`},
		{`{"shape":[1]}`, `array is not of type object`},
		{`{"shape":{"kind":"square","side":"2"}}`, `cannot unmarshal string`},
	} {
		var d unions.Drawing
		err := json.Unmarshal([]byte(tc.data), &d)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error with %q", tc.data, err, tc.want)
		}
	}
}

func TestUnionsTrial(t *testing.T) {
	for _, tc := range []struct {
		data    string
		variant string
		invalid string // the violation Validate reports, if any
	}{
		{`"ab"`, "String", ""},
		{`1`, "Integer", ""},
		{`1.0`, "Integer", ""},
		{`2.5`, "Number", ""},
		{`1.5`, "Number", " minimum"}, // decodes only as a number, which is too small
		{`"abcd"`, "String", " maxLength"},
	} {
		v, err := roundTrip[unions.Scalar](t, tc.data)
		got := map[bool]string{true: "String"}[v.String != nil] + map[bool]string{true: "Integer"}[v.Integer != nil] + map[bool]string{true: "Number"}[v.Number != nil]
		if got != tc.variant {
			t.Errorf("%s: variant %s, want %s", tc.data, got, tc.variant)
		}
		if vs := strings.Join(violations(err), ","); vs != tc.invalid {
			t.Errorf("%s: violations %q, want %q", tc.data, vs, tc.invalid)
		}
	}

	// 5 is an integer and a number of at least 2: oneOf rejects it.
	var s unions.Scalar
	if err := json.Unmarshal([]byte(`5`), &s); err == nil || !strings.Contains(err.Error(), "matches Integer and Number") {
		t.Errorf("ambiguous oneOf: %v", err)
	}
	if err := json.Unmarshal([]byte(`true`), &s); err == nil || !strings.Contains(err.Error(), "matches none of the variants") {
		t.Errorf("no branch: %v", err)
	}
	// Built by hand, the same value fails Validate.
	five := int64(5)
	if got := violations((&unions.Scalar{Integer: &five}).Validate()); len(got) != 1 || got[0] != " oneOf" {
		t.Errorf("hand-built ambiguous value: %v", got)
	}
	if got := violations((&unions.Scalar{}).Validate()); len(got) != 1 || got[0] != " oneOf" {
		t.Errorf("no variant set: %v", got)
	}
	if _, err := json.Marshal(unions.Scalar{}); err == nil {
		t.Error("marshalling a union with no variant set succeeded")
	}

	// anyOf: the first branch that matches wins, overlaps are fine.
	r, err := roundTrip[unions.Ref](t, `7`)
	if err != nil || r.Integer == nil || *r.Integer != 7 {
		t.Errorf("anyOf 7: %+v %v", r, err)
	}
	r, err = roundTrip[unions.Ref](t, `-1`)
	if got := violations(err); len(got) != 1 || got[0] != " minimum" || r.Integer == nil {
		t.Errorf("anyOf -1: %+v %v", r, got)
	}
}

func TestUnionsNullable(t *testing.T) {
	d, err := roundTrip[unions.Drawing](t, `{"shape":{"kind":"square","side":1},"maybe":null}`)
	if err != nil || !d.Maybe.Set || !d.Maybe.Null {
		t.Errorf("null: %+v %v", d.Maybe, err)
	}
	d, err = roundTrip[unions.Drawing](t, `{"shape":{"kind":"square","side":1},"maybe":{"kind":"circle","r":2}}`)
	if c, ok := d.Maybe.Get(); err != nil || !ok || c.R != 2 {
		t.Errorf("circle: %+v %v", d.Maybe, err)
	}
	d, err = roundTrip[unions.Drawing](t, `{"shape":{"kind":"square","side":1}}`)
	if err != nil || d.Maybe.Set {
		t.Errorf("absent: %+v %v", d.Maybe, err)
	}
}

func TestAllOfMerged(t *testing.T) {
	d, err := roundTrip[unions.Drawing](t, `{"shape":{"kind":"square","side":1},"named":{"id":3,"name":"n"},"tagged":{"id":1,"tags":["a"]}}`)
	if err != nil || d.Named.ID != 3 || d.Named.Name != "n" || d.Tagged.ID != 1 || len(*d.Tagged.Tags) != 1 {
		t.Fatalf("%+v %v", d, err)
	}
	// Constraints of both parts apply: minimum from entity, maximum from the second part.
	_, err = roundTrip[unions.Drawing](t, `{"shape":{"kind":"square","side":1},"named":{"id":2000,"name":"n"},"tagged":{"id":0,"created":"x","tags":[],"extra":1}}`)
	want := []string{"/named/id maximum", "/tagged maxProperties", "/tagged/id minimum"}
	if got := violations(err); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("violations %v, want %v", got, want)
	}
	var n unions.Named
	if err := json.Unmarshal([]byte(`{"id":1}`), &n); err == nil || !strings.Contains(err.Error(), `missing property "name"`) {
		t.Errorf("required from the second part: %v", err)
	}
}

func TestMapFields(t *testing.T) {
	d, err := roundTrip[unions.Drawing](t, `{"shape":{"kind":"square","side":1},"counters":{"name":"c","b":2,"a":1},"headers":{"host":"h","x-id":"7"}}`)
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Counters; c.Name != "c" || len(c.Extra) != 2 || c.Extra["a"] != 1 || c.Extra["b"] != 2 {
		t.Errorf("counters: %+v", c)
	}
	if h := d.Headers; h.Host == nil || *h.Host != "h" || h.PatternProps["x-id"] != "7" {
		t.Errorf("headers: %+v", h)
	}
	// Extra keys are written back after the properties, in key order.
	b, err := json.Marshal(d.Counters)
	if err != nil || string(b) != `{"name":"c","a":1,"b":2}` {
		t.Errorf("marshal: %s %v", b, err)
	}

	_, err = roundTrip[unions.Drawing](t, `{"shape":{"kind":"square","side":1},"counters":{"name":"c","a":-1},"headers":{"x-long":"123456789"}}`)
	want := []string{"/counters/a minimum", "/headers/x-long maxLength"}
	if got := violations(err); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("violations %v, want %v", got, want)
	}
	for _, tc := range []struct{ data, want string }{
		{`{"name":"c","a":"x"}`, "/a"},
		{`{"name":"c","a":null}`, "null is not allowed"},
	} {
		var c unions.Counters
		if err := json.Unmarshal([]byte(tc.data), &c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.data, err, tc.want)
		}
	}
	var h unions.Headers
	if err := json.Unmarshal([]byte(`{"host":"h","other":"x"}`), &h); err == nil || !strings.Contains(err.Error(), `unknown property "other"`) {
		t.Errorf("closed with patterns: %v", err)
	}
	// Keys that belong elsewhere are Validate's to report.
	bad := unions.Counters{Name: "c", Extra: map[string]int64{"name": 1}}
	if got := violations(bad.Validate()); len(got) != 1 || got[0] != "/name additionalProperties" {
		t.Errorf("declared key in Extra: %v", got)
	}
	badH := unions.Headers{PatternProps: map[string]string{"y": "1"}}
	if got := violations(badH.Validate()); len(got) != 1 || got[0] != "/y patternProperties" {
		t.Errorf("key not matching the pattern: %v", got)
	}
}

func TestTuples(t *testing.T) {
	p, err := roundTrip[unions.Point](t, `[1, 2.5]`)
	if err != nil || p.X != 1 || p.Y != 2.5 || p.Label.Set {
		t.Errorf("%+v %v", p, err)
	}
	p, err = roundTrip[unions.Point](t, `[1, 2, null]`)
	if err != nil || !p.Label.Set || !p.Label.Null {
		t.Errorf("%+v %v", p, err)
	}
	p, err = roundTrip[unions.Point](t, `[1, 2, "a"]`)
	if l, ok := p.Label.Get(); err != nil || !ok || l != "a" {
		t.Errorf("%+v %v", p, err)
	}
	r, err := roundTrip[unions.Row](t, `["a", 1, 2]`)
	if err != nil || r.V0 != "a" || len(r.Rest) != 2 || r.Rest[1] != 2 {
		t.Errorf("%+v %v", r, err)
	}
	_, err = roundTrip[unions.Row](t, `["a", 1, 2, 3, 4]`)
	if got := violations(err); len(got) != 1 || got[0] != " maxItems" {
		t.Errorf("maxItems: %v", got)
	}
	for _, tc := range []struct{ data, want string }{
		{`[1]`, "minItems"},
		{`[1, 2, "a", 4]`, "at most 3"},
		{`{"x": 1}`, "object is not of type array"},
		{`[1, "2"]`, "/1"},
		{`[1, null]`, "null is not allowed"},
	} {
		var p unions.Point
		if err := json.Unmarshal([]byte(tc.data), &p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.data, err, tc.want)
		}
	}
	var r2 unions.Row
	if err := json.Unmarshal([]byte(`["a", 1.5]`), &r2); err == nil {
		t.Error("a fractional rest item decoded as an integer")
	}
}

// TestUnionsThroughSource reads the typed values from a file source: the
// converters build them from decoded YAML/JSON, the cache stores them with
// the generated codec, and a hit decodes them again.
func TestUnionsThroughSource(t *testing.T) {
	root := t.TempDir()
	drawing := `{"shape":{"kind":"circle","r":1},"shapes":[{"kind":"square","side":2}],"scalar":"ab","ref":"x",` +
		`"maybe":null,"named":{"id":3,"name":"n"},"tagged":{"id":1,"tags":["t"]},"counters":{"name":"c","z":1},` +
		`"headers":{"x-a":"b"},"point":[1,2,"p"],"row":["r",1,2]}`
	writeFile(t, root, "drawings.json", `{"d1": `+drawing+`, "bad": {"shape":{"kind":"square","side":0}}}`)
	writeFile(t, root, "settings.json", `{"five": 5, "two": 2.5}`)
	var hits atomic.Int64
	x, err := runtime.New(runtime.WithSource(filesource.Dir(root)), runtime.WithHooks(runtime.Hooks{
		OnHit: func(context.Context, runtime.Event) { hits.Add(1) },
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	c := unions.NewClient(x)
	ctx := context.Background()
	for range 2 { // the second call is a cache hit
		d, err := c.GetDrawing(ctx, "d1")
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(t, drawing, string(b)) {
			t.Errorf("got %s\nwant %s", b, drawing)
		}
	}
	if hits.Load() != 1 {
		t.Errorf("%d cache hits, want 1: the second lookup decodes the cached entry", hits.Load())
	}
	if _, err := c.GetDrawing(ctx, "bad"); err == nil || !strings.Contains(err.Error(), "/shape/side") {
		t.Errorf("invalid record: %v", err)
	}
	s, err := c.GetScalar(ctx, "two")
	if err != nil || s.Number == nil || *s.Number != 2.5 {
		t.Errorf("scalar: %+v %v", s, err)
	}
	if _, err := c.GetScalar(ctx, "five"); err == nil || !strings.Contains(err.Error(), "matches Integer and Number") {
		t.Errorf("ambiguous scalar: %v", err)
	}
}

func TestJSONEnum(t *testing.T) {
	for _, tc := range []struct {
		data string
		want unions.Mode
	}{
		{`1`, unions.Mode1},
		{`1.0`, unions.Mode1}, // equal to 1 in JSON Schema, spelled as the constant
		{`"auto"`, unions.ModeAuto},
		{`[1, 2]`, unions.ModeValue3},
		{`{"level": 2.50}`, unions.ModeValue4},
	} {
		var m unions.Mode
		if err := json.Unmarshal([]byte(tc.data), &m); err != nil || m != tc.want || !m.Valid() || m.Validate() != nil {
			t.Errorf("%s: %q %v", tc.data, m, err)
		}
	}
	// null is one of the values: an optional property keeps it apart from absent.
	d, err := roundTrip[unions.Drawing](t, `{"shape":{"kind":"square","side":1},"mode":null}`)
	if err != nil || d.Mode == nil || *d.Mode != unions.ModeNull || d.Mode.Value() != nil {
		t.Errorf("null mode: %v %v", d.Mode, err)
	}
	d, err = roundTrip[unions.Drawing](t, `{"shape":{"kind":"square","side":1},"mode":"manual"}`)
	if got := violations(err); len(got) != 1 || got[0] != "/mode enum" || *d.Mode != `"manual"` {
		t.Errorf("value outside the enum: %v %v", got, d.Mode)
	}
	if _, err := json.Marshal(unions.Mode("")); err == nil {
		t.Error("the zero Mode marshalled")
	}
	if b, err := json.Marshal(unions.ModeValue4); err != nil || string(b) != `{"level":2.5}` {
		t.Errorf("marshal: %s %v", b, err)
	}
}

func TestTupleOpenRest(t *testing.T) {
	e, err := roundTrip[unions.Entry](t, `["k", 1, null, {"a": [true]}]`)
	if err != nil || e.Key == nil || *e.Key != "k" || len(e.Rest) != 3 || !e.Rest[1].IsNull() {
		t.Errorf("%+v %v", e, err)
	}
	e, err = roundTrip[unions.Entry](t, `[]`)
	if err != nil || e.Key != nil || len(e.Rest) != 0 {
		t.Errorf("empty: %+v %v", e, err)
	}
	var bad unions.Entry
	if err := json.Unmarshal([]byte(`[1]`), &bad); err == nil || !strings.Contains(err.Error(), "/0") {
		t.Errorf("wrong first item: %v", err)
	}
	// Items after an absent position cannot be written.
	gap := unions.Entry{Rest: []runtime.JSONValue{runtime.JSONOf("x")}}
	if got := violations(gap.Validate()); len(got) != 1 || got[0] != " prefixItems" {
		t.Errorf("gap: %v", got)
	}
}

// benchDecode decodes and validates data into a fresh T per iteration.
func benchDecode[T any, P interface {
	*T
	Validate() error
}](b *testing.B, data string) {
	b.ReportAllocs()
	raw := []byte(data)
	for b.Loop() {
		v := P(new(T))
		if err := json.Unmarshal(raw, v); err != nil {
			b.Fatal(err)
		}
		if err := v.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTypedForms measures decoding and validating each typed form:
//
//	go test ./gen -run '^$' -bench TypedForms -benchmem
func BenchmarkTypedForms(b *testing.B) {
	b.Run("union/discriminator", func(b *testing.B) { benchDecode[unions.Shape](b, `{"kind":"circle","r":1.5}`) })
	b.Run("union/oneOf-trial", func(b *testing.B) { benchDecode[unions.Scalar](b, `2.5`) })
	b.Run("union/anyOf-trial", func(b *testing.B) { benchDecode[unions.Ref](b, `"name"`) })
	b.Run("allOf-merged", func(b *testing.B) { benchDecode[unions.Named](b, `{"id":3,"name":"n"}`) })
	b.Run("map-fields", func(b *testing.B) { benchDecode[unions.Counters](b, `{"name":"c","a":1,"b":2}`) })
	b.Run("tuple", func(b *testing.B) { benchDecode[unions.Point](b, `[1,2,"p"]`) })
	b.Run("mixed-enum", func(b *testing.B) { benchDecode[unions.Mode](b, `{"level":2.5}`) })
}

func TestUnionWithParentKeywords(t *testing.T) {
	d, err := roundTrip[unions.Drawing](t, `{"shape":{"kind":"square","side":1},"vehicle":{"kind":"car","wheels":4,"seats":5}}`)
	if err != nil || d.Vehicle.Car == nil || d.Vehicle.Car.Wheels != 4 || *d.Vehicle.Car.Seats != 5 {
		t.Fatalf("%+v %v", d.Vehicle, err)
	}
	// The keywords beside the oneOf apply to each branch.
	var v unions.Vehicle
	if err := json.Unmarshal([]byte(`{"kind":"bike"}`), &v); err == nil || !strings.Contains(err.Error(), `missing property "wheels"`) {
		t.Errorf("required from beside the oneOf: %v", err)
	}
	_, err = roundTrip[unions.Vehicle](t, `{"kind":"bike","wheels":-1,"electric":true}`)
	if got := violations(err); len(got) != 1 || got[0] != "/wheels minimum" {
		t.Errorf("violations %v", got)
	}
	// A hand-built branch with the other's tag breaks its const.
	bad := unions.Vehicle{Car: &unions.VehicleCar{Kind: "bike", Wheels: 2}}
	if got := violations(bad.Validate()); len(got) != 1 || got[0] != "/kind const" {
		t.Errorf("const: %v", got)
	}
}
