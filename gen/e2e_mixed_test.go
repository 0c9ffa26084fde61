package gen_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/reftask/reftask/gen/load"
	"github.com/reftask/reftask/internal/testdb"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/sqlsource"
	"github.com/reftask/reftask/testdata/golden/mixed"
)

// The code generated for testdata/golden/mixed combines the typed forms:
// a union in an optional nullable array, allOf over a $ref and a oneOf,
// patternProperties without additionalProperties, a tuple of formats, an
// x-go-type union branch, a recursive union and names that clash.

func mixedReference(t *testing.T) map[string]func(any) bool {
	t.Helper()
	set, diags := load.Load("../testdata/golden/mixed/specs")
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	out := map[string]func(any) bool{}
	for _, sp := range set.Specs {
		s := sp.Result
		out[sp.Name] = func(doc any) bool { return s.Validate(doc) == nil }
	}
	return out
}

func mixedVerdict[T any, P interface {
	*T
	Validate() error
}](data string) error {
	var v T
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		return err
	}
	if err := P(&v).Validate(); err != nil {
		return err
	}
	out, err := json.Marshal(&v)
	if err != nil {
		return err
	}
	var w T
	if err := json.Unmarshal(out, &w); err != nil {
		return err
	}
	return P(&w).Validate()
}

func TestMixedAgreesWithReference(t *testing.T) {
	ref := mixedReference(t)
	for _, tc := range []struct{ task, data string }{
		{"Gallery", `{"id":"a"}`},
		{"Gallery", `{"id":"a","shapes":null}`},
		{"Gallery", `{"id":"a","shapes":[]}`},
		{"Gallery", `{"id":"a","shapes":[{"kind":"circle","r":1},{"kind":"square","side":2}]}`},
		{"Gallery", `{"id":"a","shapes":[{"kind":"circle","r":0}]}`},
		{"Gallery", `{"id":"a","shapes":[{"kind":"circle","r":1,"x":1}]}`},
		{"Gallery", `{"id":"a","shapes":[null]}`},
		{"Gallery", `{"id":"a","shapes":[{"kind":"square","side":1},{"kind":"square","side":1},{"kind":"square","side":1},{"kind":"square","side":1}]}`},
		{"Gallery", `{"id":"a","owner":{"id":1,"kind":"person","email":"a@b.c"}}`},
		{"Gallery", `{"id":"a","owner":{"id":1,"kind":"team","size":2,"since":"2024-01-02"}}`},
		{"Gallery", `{"id":"a","owner":{"id":0,"kind":"team","size":2}}`},
		{"Gallery", `{"id":"a","owner":{"id":1,"kind":"team","size":1}}`},
		{"Gallery", `{"id":"a","owner":{"kind":"team","size":3}}`},
		{"Gallery", `{"id":"a","headers":{"x-a":"abcd","n-1":3}}`},
		{"Gallery", `{"id":"a","headers":{"x-a":"abcde"}}`},
		{"Gallery", `{"id":"a","headers":{"n-1":"3"}}`},
		{"Gallery", `{"id":"a","headers":{"host":"h"}}`},
		{"Gallery", `{"id":"a","headers":{"x-a":"","x-b":"","x-c":"","x-d":""}}`},
		{"Gallery", `{"id":"a","span":["2024-01-02","2024-01-02T03:04:05Z"]}`},
		{"Gallery", `{"id":"a","span":["2024-01-02","2024-01-02T03:04:05Z","2eb8aa08-aa98-11ea-b4aa-73b441d16380"]}`},
		{"Gallery", `{"id":"a","span":["2024-01-02"]}`},
		{"Gallery", `{"id":"a","span":["2024-01-02","2024-01-02T03:04:05Z","x"]}`},
		{"Gallery", `{"id":"a","span":["2024-02-30","2024-01-02T03:04:05Z"]}`},
		{"Gallery", `{"id":"a","span":["2024-01-02","2024-01-02T03:04:05Z","2eb8aa08-aa98-11ea-b4aa-73b441d16380",1]}`},
		{"Gallery", `{"id":"a","price":"12.50"}`},
		{"Gallery", `{"id":"a","price":7}`},
		{"Gallery", `{"id":"a","price":-7}`},
		{"Gallery", `{"id":"a","price":true}`},
		{"Gallery", `{"id":"a","tree":[1,[2,[3]],[]]}`},
		{"Gallery", `{"id":"a","tree":[1,[2,[3,4,5,6]]]}`},
		{"Gallery", `{"id":"a","tree":[1,[-2]]}`},
		{"Gallery", `{"id":"a","tree":"x"}`},
		{"Gallery", `{"id":"a","extras":{"a":1,"b":"xy"}}`},
		{"Gallery", `{"id":"a","extras":{"b":"x"}}`},
		{"Gallery", `{"id":"a","mode":null}`},
		{"Gallery", `{"id":"a","mode":[1,2]}`},
		{"Gallery", `{"id":"a","mode":[2,1]}`},
		// oneOf branches typed as formats: "abc" is no date, so only one branch holds it.
		{"Gallery", `{"id":"a","when":"abc"}`},
		{"Gallery", `{"id":"a","when":"2024-01-01"}`},
		{"Gallery", `{"id":"a","when":"abcd"}`},
		{"Gallery", `{"id":"a","addr":"::1"}`},
		{"Gallery", `{"id":"a","addr":"10.0.0.1"}`},
		{"Gallery", `{"id":"a","ids":["abc"]}`},
		{"Gallery", `{"id":"a","ids":["2eb8aa08-aa98-11ea-b4aa-73b441d16380"]}`},
		{"Gallery", `{"id":"a","ids":[]}`},
		{"Gallery", `{"id":"a","stamp":{"on":"abc"}}`},
		{"Gallery", `{"id":"a","stamp":{"on":"2024-01-01"}}`},
		{"Gallery", `{"id":"a","stamp":{"on":"2024-01-32"}}`},
		{"Frame", `{"shape":{"kind":"circle","d":1}}`},
		{"Frame", `{"shape":{"kind":"circle","w":1}}`},
		{"Frame", `{"shape":{"kind":"square","w":1},"price":false,"tree":3}`},
		{"Frame", `{"shape":{"kind":"square","w":1},"price":1}`},
	} {
		var doc any
		if err := json.Unmarshal([]byte(tc.data), &doc); err != nil {
			t.Fatal(err)
		}
		want := ref[tc.task](doc)
		var err error
		switch tc.task {
		case "Gallery":
			err = mixedVerdict[mixed.Gallery](tc.data)
		case "Frame":
			err = mixedVerdict[mixed.Frame](tc.data)
		}
		if got := err == nil; got != want {
			t.Errorf("%s %s: jsonschema says valid=%v, generated code says %v", tc.task, tc.data, want, err)
		}
	}
}

func TestMixedThroughSQL(t *testing.T) {
	db := testdb.SQLite(t)
	ctx := context.Background()
	for _, q := range []string{
		`CREATE TABLE galleries (id TEXT, shapes TEXT, owner TEXT, headers TEXT, span TEXT, price, tree, extras TEXT, mode TEXT)`,
		`INSERT INTO galleries VALUES ('g1', '[{"kind":"circle","r":1.5},{"kind":"square","side":2}]',
			'{"id":3,"kind":"team","size":4}', '{"x-a":"ab","n-1":2}', '["2024-01-02","2024-01-02T03:04:05Z","2eb8aa08-aa98-11ea-b4aa-73b441d16380"]', '12.50',
			'[1,[2,[3]]]', '{"a":1,"b":"xy"}', '[1,2]')`,
		`INSERT INTO galleries VALUES ('g2', NULL, NULL, NULL, NULL, 7, NULL, NULL, NULL)`,
		`INSERT INTO galleries VALUES ('bad', '[{"kind":"circle","r":-1}]', NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
		`INSERT INTO galleries VALUES ('badowner', NULL, '{"id":0,"kind":"team","size":4}', NULL, NULL, NULL, NULL, NULL, NULL)`,
		`CREATE TABLE frames (id TEXT, shape TEXT, price TEXT, tree TEXT)`,
		`INSERT INTO frames VALUES ('f1', '{"kind":"square","w":3}', 'true', '[0]')`, // a text column is a string, never a boolean,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var cnt counters
	x, err := runtime.New(runtime.WithSource(sqlsource.Bind("db", db, sqlsource.SQLite)), runtime.WithHooks(cnt.hooks()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	c := mixed.NewClient(x)

	want := `{"id":"g1","shapes":[{"kind":"circle","r":1.5},{"kind":"square","side":2}],"owner":{"id":3,"kind":"team","size":4},` +
		`"headers":{"x-a":"ab","n-1":2},` +
		`"span":["2024-01-02","2024-01-02T03:04:05Z","2eb8aa08-aa98-11ea-b4aa-73b441d16380"],` +
		`"price":"12.50","tree":[1,[2,[3]]],"extras":{"a":1,"b":"xy"},"mode":[1,2]}`
	for i := range 3 { // the source, then the hot-key layer
		g, err := c.GetGallery(ctx, "g1")
		if err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(t, want, string(out)) {
			t.Fatalf("lookup %d: %s", i, out)
		}
		// Scribble on every mutable part: the next lookup must not see it.
		g.Shapes.Value[0].Circle.R = 99
		g.Shapes.Value = append(g.Shapes.Value[:1], g.Shapes.Value[0])
		(*g.Tree.Array)[1] = mixed.Node{}
		(*g.Extras)["a"] = mixed.GalleryExtrasValue{}
		*g.Price.String = 1
		*g.Span.Ref = runtime.UUID{}
		delete(g.Owner.Any().(map[string]any), "id")
	}
	if calls, hits := cnt.get("Gallery"); calls != 1 || hits != 2 {
		t.Errorf("%d source calls, %d hits; want 1 and 2", calls, hits)
	}
	g, err := c.GetGallery(ctx, "g2")
	if err != nil {
		t.Fatal(err)
	}
	if !g.Shapes.Null || g.Mode == nil || *g.Mode != mixed.GalleryModeNull || g.Owner != nil || g.Price == nil || g.Price.Integer == nil || *g.Price.Integer != 7 {
		t.Errorf("g2 = %+v", g)
	}
	if _, err := c.GetGallery(ctx, "bad"); err == nil {
		t.Error("a circle of radius -1 passed")
	}
	// JSON text in a column is the object the schema wants, so its own
	// constraints are the ones reported.
	if _, err := c.GetGallery(ctx, "badowner"); err == nil || !strings.Contains(err.Error(), "/owner/id: minimum") {
		t.Errorf("badowner: %v, want a minimum violation at /owner/id", err)
	}
	f, err := c.GetFrame(ctx, "f1")
	if err != nil {
		t.Fatal(err)
	}
	if f.Shape.Square == nil || f.Shape.Square.W != 3 || f.Price == nil || f.Price.String == nil || *f.Price.String != "true" || f.Tree == nil || f.Tree.Array == nil {
		t.Errorf("f1 = %+v", f)
	}
}
