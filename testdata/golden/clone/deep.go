// Package clone is a golden test case for generated clones: a result with
// every shape (pointers to structs and scalars, slices and maps of
// structs with pointers, nested slices, optional-and-nullable structs,
// a recursive pointer, JSON values, more optional fields than one clone
// block holds), which the tests mutate through every path.
package clone

import (
	"context"

	"github.com/reftask/reftask/runtime"
)

// BuildDeep is the Deep task's source: the same value for the same id, on every call.
func BuildDeep(_ context.Context, p DeepParams) (*Deep, error) {
	return NewDeep(p.ID), nil
}

// NewDeep builds a Deep for id with every optional field set and every slice and map filled, nested to depth 2
// through Next.
func NewDeep(id string) *Deep {
	return newDeep(id, 2)
}

func newDeep(id string, depth int) *Deep {
	str := func(s string) *string { return &s }
	person := func(name string) Person {
		scores := map[string]float64{"a": 1.5, "b": 2}
		return Person{
			Name:    name,
			Email:   runtime.Some(name + "@example.com"),
			Address: &Address{City: "Köln", Zip: str("50667")},
			Scores:  &scores,
		}
	}
	owner := person("owner")
	tags := []string{"x", "y"}
	var wide DeepWide
	for i, f := range []**int64{&wide.O00, &wide.O07, &wide.O20, &wide.O33, &wide.O35} {
		n := int64(i + 1)
		*f = &n
	}
	extra := runtime.JSONOf(map[string]any{"list": []any{"a", map[string]any{"k": "v"}}, "n": 1})
	d := &Deep{
		ID:     id,
		Tags:   []string{"t1", "t2"},
		Note:   runtime.Some("note"),
		Owner:  &owner,
		Parts:  []Person{person("p1"), person("p2")},
		ByName: map[string]Person{"m1": person("m1")},
		Grid:   [][]int64{{1, 2}, {3}},
		Maybe:  runtime.Some(Pet{Kind: "cat", Vet: str("dr"), Tags: &tags}),
		Extra:  &extra,
		Wide:   &wide,
	}
	if depth > 0 {
		d.Next = newDeep(id+".next", depth-1)
	}
	return d
}
