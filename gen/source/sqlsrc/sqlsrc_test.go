package sqlsrc

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/reftask/reftask/gen/ir"
)

// TestSchemaFragment checks that the fragment is an object schema that requires what Model reads first and has
// every property spec reads, and that its dialects are the ones SplitQueryIn reads.
func TestSchemaFragment(t *testing.T) {
	var frag struct {
		Type       string   `json:"type"`
		Required   []string `json:"required"`
		Properties map[string]struct {
			Enum []string `json:"enum"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(Kind{}.Schema(), &frag); err != nil {
		t.Fatal(err)
	}
	if frag.Type != "object" || !slices.Equal(frag.Required, []string{"connection", "query"}) {
		t.Errorf("fragment: type %q, required %v; want an object requiring connection and query", frag.Type, frag.Required)
	}
	for _, k := range []string{"connection", "query", "batch_query", "dialect"} {
		if _, ok := frag.Properties[k]; !ok {
			t.Errorf("fragment has no property %q, which spec reads", k)
		}
	}
	if got := frag.Properties["dialect"].Enum; !slices.Equal(got, Dialects) {
		t.Errorf("fragment's dialects %v, want %v", got, Dialects)
	}
}

func TestBindable(t *testing.T) {
	str := &ir.Type{Kind: ir.String}
	for _, tc := range []struct {
		t    *ir.Type
		want bool
	}{
		{str, true},
		{&ir.Type{Kind: ir.Int}, true},
		{&ir.Type{Kind: ir.Bool}, true},
		{&ir.Type{Kind: ir.Pointer, Elem: str}, true},
		{&ir.Type{Kind: ir.OptNull, Elem: &ir.Type{Kind: ir.Float}}, true},
		{&ir.Type{Kind: ir.Named, Elem: str}, true},
		{&ir.Type{Kind: ir.Enum, Elem: str}, true},
		{&ir.Type{Kind: ir.GoType}, true},
		{&ir.Type{Kind: ir.Struct}, false},
		{&ir.Type{Kind: ir.Slice, Elem: str}, false},
		{&ir.Type{Kind: ir.Pointer, Elem: &ir.Type{Kind: ir.Struct}}, false},
	} {
		if got := bindable(tc.t); got != tc.want {
			t.Errorf("bindable(%v) = %v, want %v", tc.t.Kind, got, tc.want)
		}
	}
}

func TestMapsFields(t *testing.T) {
	for _, tc := range []struct {
		from   string
		broken bool
		refuse bool
	}{
		{"name", false, false},
		{"user_name", false, false},
		{"/name", false, true},
		{"/a/b", false, true},
		{"/name", true, false}, // the query's own error is the one reported
	} {
		s := &Source{broken: tc.broken}
		if got := s.MapsFields(tc.from) != ""; got != tc.refuse {
			t.Errorf("MapsFields(%q), broken %v: refused %v, want %v", tc.from, tc.broken, got, tc.refuse)
		}
	}
}

func TestDialectCode(t *testing.T) {
	for _, d := range Dialects {
		want := map[string]string{Postgres: "Postgres", SQLite: "SQLite", MySQL: "MySQL"}[d]
		if got := fmt.Sprintf("%#v", dialectCode(d)); got != "sqlsource."+want {
			t.Errorf("dialectCode(%q) = %s, want sqlsource.%s", d, got, want)
		}
	}
}

func TestScannedColumns(t *testing.T) {
	elem := &ir.Type{Kind: ir.Struct, Fields: []*ir.Field{{JSON: "id"}, {JSON: "name"}, {JSON: "email"}}}
	for _, tc := range []struct {
		maps []ir.FieldMap
		want []string
	}{
		{nil, []string{"id", "name", "email"}},
		{[]ir.FieldMap{{Prop: []string{"name"}, From: "full_name"}}, []string{"id", "full_name", "email"}},
		// The last map into a property wins; maps read the query's columns, not earlier maps' output.
		{[]ir.FieldMap{{Prop: []string{"id"}, From: "a"}, {Prop: []string{"id"}, From: "b"}, {Prop: []string{"name"}, From: "id"}}, []string{"b", "id", "email"}},
	} {
		if got := scannedColumns(&ir.Task{Maps: tc.maps}, elem); !slices.Equal(got, tc.want) {
			t.Errorf("scannedColumns(%v) = %v, want %v", tc.maps, got, tc.want)
		}
	}
}

func TestScannedRow(t *testing.T) {
	obj := &ir.Type{Kind: ir.Struct, Name: "User"}
	list := &ir.Type{Kind: ir.Named, Name: "Users", Elem: &ir.Type{Kind: ir.Slice, Elem: obj}}
	for _, tc := range []struct {
		name string
		res  *ir.Type
		many bool
		maps []ir.FieldMap
		want *ir.Type
	}{
		{"object", obj, false, nil, obj},
		{"array of objects", list, true, nil, obj},
		{"renamed column", obj, false, []ir.FieldMap{{Prop: []string{"name"}, From: "n"}}, obj},
		{"nested property", obj, false, []ir.FieldMap{{Prop: []string{"a", "b"}, From: "n"}}, nil},
		{"pointer", obj, false, []ir.FieldMap{{Prop: []string{"name"}, From: "/n"}}, nil},
		{"scalar", &ir.Type{Kind: ir.String}, false, nil, nil},
	} {
		s := &Source{Many: tc.many}
		if got := s.scannedRow(&ir.Task{Result: tc.res, Maps: tc.maps}); got != tc.want {
			t.Errorf("%s: scannedRow = %v, want %v", tc.name, got, tc.want)
		}
	}
}
