package runtime

import (
	"encoding/json"
	"testing"
)

type optHolder struct {
	N OptNull[int]    `json:"n,omitzero"`
	S OptNull[string] `json:"s,omitzero"`
}

func TestOptNullJSON(t *testing.T) {
	tests := []struct {
		name string
		in   optHolder
		json string
	}{
		{"absent", optHolder{}, `{}`},
		{"null", optHolder{N: Null[int]()}, `{"n":null}`},
		{"value", optHolder{N: Some(0), S: Some("x")}, `{"n":0,"s":"x"}`},
	}
	for _, tc := range tests {
		b, err := json.Marshal(tc.in)
		if err != nil || string(b) != tc.json {
			t.Fatalf("%s: marshal = %s, %v; want %s", tc.name, b, err, tc.json)
		}
		var back optHolder
		if err := json.Unmarshal(b, &back); err != nil || back != tc.in {
			t.Fatalf("%s: unmarshal = %+v, %v; want %+v", tc.name, back, err, tc.in)
		}
	}
	var h optHolder
	if err := json.Unmarshal([]byte(`{"n":"x"}`), &h); err == nil {
		t.Fatal("want type error")
	}
	if v, ok := Some(3).Get(); !ok || v != 3 {
		t.Fatal("Get on Some")
	}
	if _, ok := Null[int]().Get(); ok {
		t.Fatal("Get on Null")
	}
	if !(OptNull[int]{}).IsZero() || Null[int]().IsZero() || Some(0).IsZero() {
		t.Fatal("IsZero")
	}
	// Marshalled on its own, an absent value is null.
	if b, _ := json.Marshal(OptNull[int]{}); string(b) != "null" {
		t.Fatalf("absent alone = %s", b)
	}
}

// TestOptNullNestedNull: inside a present value, a null where the value's
// type has no place for one is an error, as it is for any other field.
func TestOptNullNestedNull(t *testing.T) {
	tests := []struct {
		in      string
		wantErr bool
	}{
		{`["a","b"]`, false},
		{`null`, false},
		{`["a",null]`, true},
		{`[null]`, true},
	}
	for _, tc := range tests {
		var o OptNull[[]string]
		err := json.Unmarshal([]byte(tc.in), &o)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: err = %v, want error %v", tc.in, err, tc.wantErr)
		}
	}
	var m OptNull[map[string]*string]
	if err := json.Unmarshal([]byte(`{"a":null}`), &m); err != nil || !m.Set || m.Value["a"] != nil {
		t.Errorf("nullable map value: %+v, %v", m, err)
	}
	var n OptNull[int64]
	if err := json.Unmarshal([]byte(`2.0`), &n); err != nil || n.Value != 2 {
		t.Errorf("integer with a zero fraction: %+v, %v", n, err)
	}
}
