package kit

import (
	"encoding/json"
	"testing"
)

func TestObjectWriterProp(t *testing.T) {
	type plain struct {
		A int `json:"a"`
	}
	tests := []struct {
		name  string
		props []any // key, value pairs
		want  string
	}{
		{"after the struct", []any{"a,b", 1, "", "x", "-", nil}, `{"a":7,"a,b":1,"":"x","-":null}`},
		{"a key written once", []any{"a", 9, "q\"x", true, "q\"x", false}, `{"a":7,"q\"x":true}`},
	}
	for _, tt := range tests {
		var w ObjectWriter
		w.Struct(plain{A: 7})
		for i := 0; i < len(tt.props); i += 2 {
			w.Prop(tt.props[i].(string), tt.props[i+1])
		}
		got, err := w.Bytes()
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: %s, %v; want %s", tt.name, got, err, tt.want)
		}
		if !json.Valid(got) {
			t.Errorf("%s: not JSON: %s", tt.name, got)
		}
	}
	var w ObjectWriter
	w.Struct(struct{}{})
	w.Prop("k", 1)
	if got, _ := w.Bytes(); string(got) != `{"k":1}` {
		t.Errorf("after an empty struct: %s", got)
	}
}

// TestDecodeStrictFoldedNames: a key that folds to another field's name
// is dropped only when no field has it exactly; "ID" beside "id" (or the
// Kelvin sign beside k) is a property of its own.
func TestDecodeStrictFoldedNames(t *testing.T) {
	type plain struct {
		Lower string `json:"id"`
		Upper string `json:"ID"`
		Mixed string `json:"ünï"`
		K     string `json:"k"`
	}
	tests := []struct {
		in   string
		want plain
	}{
		{`{"id":"a","ID":"b"}`, plain{Lower: "a", Upper: "b"}},
		{`{"ID":"b","id":"a"}`, plain{Lower: "a", Upper: "b"}},
		{`{"Id":"x","iD":"y"}`, plain{}},
		{`{"ÜNÏ":"x","ünï":"y"}`, plain{Mixed: "y"}},
		{`{"` + "\u212a" + `":"kelvin"}`, plain{}},
		{`{"k":"k","K":"K"}`, plain{K: "k"}},
	}
	for _, tt := range tests {
		var got plain
		if err := DecodeStrict([]byte(tt.in), &got); err != nil || got != tt.want {
			t.Errorf("%s: %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}
