package kit

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/jsonptr"
)

// FieldMap is one entry of transform.fields: the result property at path
// Prop takes the value of the source field From, a column or key name, or
// a JSON pointer (starting with "/") into the raw record.
type FieldMap struct {
	Prop []string
	From string
}

// Transform applies transform.fields to one raw record. The record is not
// modified (a file source shares it between calls); the mapped copy is
// returned. A record that is not an object is returned as it is, for the
// conversion to report.
func Transform(raw any, maps []FieldMap) any {
	m, ok := raw.(map[string]any)
	if !ok {
		return raw
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, fm := range maps {
		v, found := lookupField(m, fm.From)
		setPath(out, fm.Prop, v, found)
	}
	return out
}

// TransformEach applies Transform to every element of an array record.
func TransformEach(raw any, maps []FieldMap) any {
	arr, ok := raw.([]any)
	if !ok {
		return raw
	}
	out := make([]any, len(arr))
	for i, e := range arr {
		out[i] = Transform(e, maps)
	}
	return out
}

func lookupField(m map[string]any, from string) (any, bool) {
	if !strings.HasPrefix(from, "/") {
		v, ok := m[from]
		return v, ok
	}
	// The generator checked the pointer's syntax; a malformed one names nothing.
	v, found, err := jsonptr.Lookup(m, from)
	return v, found && err == nil
}

// setPath sets (or, when !found, deletes) the property at path, copying
// each nested object on the way so the source record stays untouched.
// Deleting creates no intermediate objects: where there is none, there is nothing to delete.
func setPath(out map[string]any, path []string, v any, found bool) {
	if len(path) == 0 {
		return
	}
	cur := out
	for _, seg := range path[:len(path)-1] {
		next := map[string]any{}
		old, ok := cur[seg].(map[string]any)
		if !ok && !found {
			return
		}
		for k, x := range old {
			next[k] = x
		}
		cur[seg] = next
		cur = next
	}
	last := path[len(path)-1]
	if found {
		cur[last] = v
	} else {
		delete(cur, last)
	}
}

// SingleColumn returns the value of a one-column row, for scalar results.
func SingleColumn(rec map[string]any) (any, error) {
	if len(rec) != 1 {
		cols := make([]string, 0, len(rec))
		for k := range rec {
			cols = append(cols, k)
		}
		sort.Strings(cols)
		return nil, runtime.Permanent(fmt.Errorf("a scalar result needs exactly one column, the query returned %d (%s)", len(rec), strings.Join(cols, ", ")))
	}
	for _, v := range rec {
		return v, nil
	}
	return nil, nil
}

// PtrArg turns an optional value into a SQL argument: nil stays NULL.
func PtrArg[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// OptNullArg turns an optional, nullable value into a SQL argument.
func OptNullArg[T any](o runtime.OptNull[T]) any {
	if !o.Set || o.Null {
		return nil
	}
	return o.Value
}

// IsMultipleOf reports whether x is a multiple of m, exactly, on the
// shortest decimals that x and m print as (the numbers a JSON document
// wrote): 0.0075 is a multiple of 0.0001, 1e-10 is not one of 0.5.
func IsMultipleOf(x, m float64) bool {
	if m == 0 || math.IsInf(x, 0) || math.IsNaN(x) || math.IsInf(m, 0) || math.IsNaN(m) {
		return false
	}
	return IsMultipleOfNumber(json.Number(strconv.FormatFloat(x, 'g', -1, 64)), strconv.FormatFloat(m, 'g', -1, 64))
}

// DuplicateIndex returns the indices of the first two equal elements, for
// uniqueItems; elements are compared by their JSON encoding.
func DuplicateIndex[T any](s []T) (int, int, bool) {
	seen := make(map[string]int, len(s))
	for i := range s {
		b, err := json.Marshal(s[i])
		if err != nil {
			continue
		}
		if j, ok := seen[string(b)]; ok {
			return j, i, true
		}
		seen[string(b)] = i
	}
	return 0, 0, false
}

// RequireKeys checks a JSON object for required properties, nulls where
// null is not allowed, and, when closed, unknown properties; generated
// UnmarshalJSON methods call it before decoding.
func RequireKeys(data []byte, required, nonNull, known []string, closed bool) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	var vs Violations
	if raw == nil {
		vs.Add("", "type", "null is not allowed")
		return vs.Err()
	}
	for _, k := range required {
		if _, ok := raw[k]; !ok {
			vs.Add("", "required", fmt.Sprintf("missing property %q", k))
		}
	}
	for _, k := range nonNull {
		if v, ok := raw[k]; ok && string(v) == "null" {
			vs.Add("/"+jsonptr.Escape(k), "type", "null is not allowed")
		}
	}
	if closed {
		keys := make([]string, 0, len(raw))
		for k := range raw {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			found := false
			for _, kk := range known {
				if kk == k {
					found = true
					break
				}
			}
			if !found {
				vs.Add("/"+jsonptr.Escape(k), "additionalProperties", "unknown property "+Quote(k))
			}
		}
	}
	return vs.Err()
}

// Brief renders a composite parameter for error messages and logs: its JSON text, cut as Clip cuts it.
func Brief(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return Clip(fmt.Sprintf("%v", v))
	}
	return Clip(string(b))
}

// ParamsError wraps an error from decoding a task's JSON params in
// Execute; a *ValidationError inside stays reachable with errors.As.
func ParamsError(task string, err error) error {
	var ve *runtime.ValidationError
	if errors.As(err, &ve) {
		ve.Task, ve.Which = task, "params"
	}
	return &runtime.TaskError{Task: task, Err: fmt.Errorf("decoding params: %w", err)}
}

// IsMultipleOfExact is IsMultipleOf for a divisor that no float64 holds
// exactly (1e-400, 0.10000000000000000001): m is its exact decimal or
// fraction text, and x stands for its shortest decimal, as in IsMultipleOf.
func IsMultipleOfExact(x float64, m string) bool {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return false
	}
	return IsMultipleOfNumber(json.Number(strconv.FormatFloat(x, 'g', -1, 64)), m)
}
