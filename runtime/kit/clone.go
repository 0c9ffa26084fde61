package kit

// CopyByCodec returns a deep copy of v made by encoding it with enc and decoding the bytes with dec, the
// generated cache codec of T. Generated Clone functions use it for types they cannot copy field by field.
func CopyByCodec[T any](v *T, enc func(dst []byte, v *T) []byte, dec func(rd *Reader, v *T)) *T {
	c := new(T)
	rd := NewReader(enc(nil, v))
	dec(rd, c)
	if rd.Err() != nil {
		panic("reftask: CopyByCodec: " + rd.Err().Error()) // the codec reads what it wrote; Do turns a panic into an error
	}
	return c
}
