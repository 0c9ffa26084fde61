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

// CopyByCodec returns a deep copy of v made by encoding it with enc and decoding the bytes with dec, the
// generated cache codec of T. Generated Clone functions use it for types they cannot copy field by field.
func CopyByCodec[T any](v *T, enc func(dst []byte, v *T) []byte, dec func(rd *Reader, v *T)) *T {
	c := new(T)
	rd := Reader{buf: enc(nil, v)}
	dec(&rd, c)
	if rd.err != nil {
		panic("reftask: CopyByCodec: " + rd.err.Error()) // the codec reads what it wrote; Do turns a panic into an error
	}
	return c
}
