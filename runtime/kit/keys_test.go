package kit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendJSONKeyNoJSON: values that encoding/json cannot write are keyed on their Go value: two different ones
// never share a key (even a pointer at one address whose pointee changed), equal ones do (whatever the map
// order), and none shares a key with a value that has JSON text.
func TestAppendJSONKeyNoJSON(t *testing.T) {
	nan := math.NaN()
	y10k := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 1
	vals := []keyProbe{
		{F: nan}, {F: math.Inf(1)}, {F: math.Inf(-1)}, {F: nan, un: 1},
		{T: y10k}, {T: y10k.Add(time.Nanosecond)}, {T: y10k.In(time.FixedZone("", 3600))}, {T: y10k.In(time.FixedZone("X", 3600))},
		{F: nan, M: map[string]float64{}}, {F: nan, M: map[string]float64{"a": 1}}, {F: nan, M: map[string]float64{"a": 2}},
		{F: nan, S: []int{}}, {F: nan, S: []int{0}}, {F: nan, I: 1}, {F: nan, I: int64(1)}, {F: nan, I: "1"},
		{F: nan, P: &n},
	}
	keys := map[string]int{}
	for i, v := range vals {
		k := string(AppendJSONKey(nil, &v))
		if j, ok := keys[k]; ok {
			t.Errorf("values %d and %d share a key: %+v / %+v", j, i, vals[j], v)
		}
		keys[k] = i
		if k[0] != 1 {
			t.Errorf("value %d has JSON text?", i)
		}
	}
	// One pointer, its pointee changed between two lookups: two keys, not the address twice.
	p := &keyProbe{F: nan, P: &n}
	k1 := AppendJSONKey(nil, p)
	n = 2
	if k2 := AppendJSONKey(nil, p); bytes.Equal(k1, k2) {
		t.Error("a changed pointee kept its key")
	}
	// Map order does not matter.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		m1, m2 := map[string]float64{}, map[string]float64{}
		keysIn := rng.Perm(8)
		for _, i := range keysIn {
			m1[fmt.Sprint(i)] = float64(i)
		}
		for i := range 8 {
			m2[fmt.Sprint(i)] = float64(i)
		}
		a, b := keyProbe{F: nan, M: m1}, keyProbe{F: nan, M: m2}
		if !bytes.Equal(AppendJSONKey(nil, &a), AppendJSONKey(nil, &b)) {
			t.Fatal("one map, two keys")
		}
	}
	// A cyclic value has no JSON text either, and its key is bounded.
	type node struct {
		F    float64
		Next *node
	}
	c := &node{F: 1}
	c.Next = c
	if k := AppendJSONKey(nil, c); len(k) == 0 || len(k) > 1<<20 {
		t.Errorf("cyclic value: key of %d bytes", len(k))
	}
}

// TestNormalTimesIn: every date-time nested in the value comes back in its NormalTime form, the instant, offset and
// JSON text unchanged, the caller's value untouched, and a second pass changes nothing.
func TestNormalTimesIn(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	zones := []*time.Location{time.UTC, time.Local, time.FixedZone("CET", 3600), time.FixedZone("", 3600),
		time.FixedZone("GMT", 0), time.FixedZone("", -1800), time.FixedZone("NPT", 5*3600+2700)}
	rt := func() time.Time {
		tm := time.Now().Add(time.Duration(rng.Int64N(1e15))) // with a monotonic reading
		if rng.IntN(2) == 0 {
			tm = tm.In(zones[rng.IntN(len(zones))])
		}
		return tm
	}
	for range 300 {
		opt := rt()
		v := nestedTimes{At: rt(), List: []time.Time{rt(), rt()}, Items: []struct{ When time.Time }{{rt()}},
			ByKey: map[string]time.Time{"a": rt(), "b": rt()}, Any: rt(), Arr: [2]time.Time{rt(), rt()}, Other: "x"}
		if rng.IntN(2) == 0 {
			v.Opt = &opt
		}
		before := fmt.Sprintf("%+v %v", v, v.Opt)
		jsonBefore, _ := json.Marshal(v)
		n := NormalTimesIn(v)
		if after := fmt.Sprintf("%+v %v", v, v.Opt); after != before {
			t.Fatalf("the caller's value changed:\n%s\n%s", before, after)
		}
		if jsonAfter, _ := json.Marshal(n); !bytes.Equal(jsonBefore, jsonAfter) {
			t.Fatalf("JSON text changed:\n%s\n%s", jsonBefore, jsonAfter)
		}
		all := []time.Time{n.At, n.List[0], n.List[1], n.Items[0].When, n.ByKey["a"], n.ByKey["b"], n.Any.(time.Time), n.Arr[0], n.Arr[1]}
		if n.Opt != nil {
			all = append(all, *n.Opt)
		}
		for _, tm := range all {
			if tm.String() != NormalTime(tm).String() {
				t.Errorf("%v is not in normal form", tm)
			}
		}
		if again := NormalTimesIn(n); fmt.Sprintf("%+v", again) != fmt.Sprintf("%+v", n) {
			t.Error("not idempotent")
		}
	}
	// Nothing to normalise: the value comes back as it was.
	type plain struct{ A []int }
	p := plain{A: []int{1}}
	if q := NormalTimesIn(p); &q.A[0] != &p.A[0] {
		t.Error("a value without date-times was copied")
	}
}

type keyProbe struct {
	F  float64
	T  time.Time
	P  *int
	M  map[string]float64
	S  []int
	I  any
	un int
}

type nestedTimes struct {
	At    time.Time
	Opt   *time.Time
	List  []time.Time
	Items []struct{ When time.Time }
	ByKey map[string]time.Time
	Any   any
	Arr   [2]time.Time
	Other string
}
