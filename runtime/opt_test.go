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
