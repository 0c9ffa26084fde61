package runtime

// Clone returns a deep copy of the value: its arrays and objects are copied, so that changing what Any returns
// in one copy never shows in the other. Scalars (strings, json.Number, bool) are immutable and shared.
func (j JSONValue) Clone() JSONValue { return JSONValue{v: cloneJSON(j.v)} }

func cloneJSON(v any) any {
	switch x := v.(type) {
	case []any:
		if x == nil {
			return x
		}
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = cloneJSON(e)
		}
		return c
	case map[string]any:
		if x == nil {
			return x
		}
		c := make(map[string]any, len(x))
		for k, e := range x {
			c[k] = cloneJSON(e)
		}
		return c
	}
	return v
}
