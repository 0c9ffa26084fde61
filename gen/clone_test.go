package gen_test

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/testdata/golden/clone"
)

// scribble changes everything reachable from v, which must be addressable: every string, number and bool, through
// every pointer, slice element, map value and JSON value, and adds a key to every map. A caller that does this to
// its result must change nothing for the next caller.
func scribble(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			scribble(v.Elem())
		}
	case reflect.Struct:
		if jv, ok := v.Interface().(runtime.JSONValue); ok {
			scribbleJSON(jv.Any())
			return
		}
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				scribble(f)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			scribble(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			scribble(e) // a copy of the value, but whatever it points to is shared with the map's
			v.SetMapIndex(k, e)
		}
		k := reflect.New(v.Type().Key()).Elem()
		k.SetString("scribbled")
		v.SetMapIndex(k, reflect.New(v.Type().Elem()).Elem())
	case reflect.String:
		v.SetString("scribbled")
	case reflect.Int64:
		v.SetInt(-7)
	case reflect.Float64:
		v.SetFloat(-7)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	}
}

func scribbleJSON(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			scribbleJSON(e)
			if _, ok := e.(string); ok {
				x[k] = "scribbled"
			}
		}
		x["scribbled"] = true
	case []any:
		for i, e := range x {
			scribbleJSON(e)
			x[i] = "scribbled"
		}
	}
}

// TestCloneIsolatesCallers runs the generated clone of a result with every shape there is (see
// testdata/golden/clone): every caller, whether its answer was a miss, a fill from bigcache, a hit in the hot-key
// layer or a coalesced call, mutates everything it got, and the next caller must still get the source's value.
func TestCloneIsolatesCallers(t *testing.T) {
	mutated := clone.NewDeep("k")
	scribble(reflect.ValueOf(mutated))
	if reflect.DeepEqual(mutated, clone.NewDeep("k")) {
		t.Fatal("scribble changed nothing: the test would prove nothing")
	}

	x, err := runtime.New()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	c := clone.NewClient(x)
	ctx := context.Background()
	for i := range 5 { // a miss, a fill from bigcache, then hits in the hot-key layer
		d, err := c.GetDeep(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d, clone.NewDeep("k")) {
			t.Fatalf("lookup %d: an earlier caller's mutation leaked:\n got %+v\nwant %+v", i, d, clone.NewDeep("k"))
		}
		scribble(reflect.ValueOf(d))
	}

	// Coalesced callers of an uncached key: the first gets the fetched value, the others clones.
	var wg sync.WaitGroup
	res := make([]*clone.Deep, 8)
	for i := range res {
		wg.Go(func() {
			d, err := c.GetDeep(ctx, "fresh")
			if err != nil {
				t.Error(err)
			}
			res[i] = d
		})
	}
	wg.Wait()
	for i, d := range res {
		if !reflect.DeepEqual(d, clone.NewDeep("fresh")) {
			t.Fatalf("caller %d: got a value another caller changed", i)
		}
		scribble(reflect.ValueOf(d))
	}
}
