package wire

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

// A date-time key pins the instant and the offset, and nothing else: the
// same instant in UTC, Local at offset 0, or a fixed zone of offset 0 is one
// key; another instant or another offset is another key.
func TestAppendTimeKey(t *testing.T) {
	base := time.Date(2026, 3, 1, 12, 0, 0, 5, time.UTC)
	same := []time.Time{base, base.In(time.FixedZone("Z0", 0)), base.In(time.FixedZone("", 0))}
	for _, u := range same[1:] {
		if !bytes.Equal(AppendTimeKey(nil, base), AppendTimeKey(nil, u)) {
			t.Errorf("%v and %v: different keys", base, u)
		}
	}
	other := []time.Time{base.Add(1), base.In(time.FixedZone("", 3600)), base.In(time.FixedZone("", -1800))}
	seen := map[string]time.Time{string(AppendTimeKey(nil, base)): base}
	for _, u := range other {
		k := string(AppendTimeKey(nil, u))
		if prev, dup := seen[k]; dup {
			t.Errorf("%v and %v share a key", prev, u)
		}
		seen[k] = u
	}
}

// AppendGoKey tells apart values that differ in type or anywhere inside.
func TestAppendGoKeyDistinct(t *testing.T) {
	one := 1
	vals := []any{nil, 0, int64(0), "", "0", []int{}, []int(nil), []int{0}, map[string]int{"a": 1}, map[string]int{"a": 2},
		&one, struct{ A, B string }{"a", "b"}, struct{ A, B string }{"ab", ""}, [2]float64{1, 2}, true, false}
	seen := map[string]int{}
	for i, v := range vals {
		k := string(AppendGoKey(nil, reflect.ValueOf(v), 0))
		if j, dup := seen[k]; dup {
			t.Errorf("%#v and %#v share a key", vals[j], v)
		}
		seen[k] = i
	}
}
