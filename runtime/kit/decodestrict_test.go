package kit

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/reftask/reftask/runtime"
)

func TestDecodeStrict(t *testing.T) {
	type rec struct {
		N int64
		F float64
		S string
		L []int64
		P *int64
		U uint64
		J runtime.JSONValue
	}
	i64 := func(n int64) *int64 { return &n }
	tests := []struct {
		name    string
		in      string
		want    rec
		wantErr bool
	}{
		{"plain", `{"N":1,"F":2.5,"S":"x"}`, rec{N: 1, F: 2.5, S: "x"}, false},
		{"1.0 into int64", `{"N":1.0}`, rec{N: 1}, false},
		{"1e2 into int64", `{"N":1e2}`, rec{N: 100}, false},
		{"-5.00 into int64", `{"N":-5.00}`, rec{N: -5}, false},
		{"in a slice", `{"L":[1.0,2e0,3]}`, rec{L: []int64{1, 2, 3}}, false},
		{"through a pointer", `{"P":7.0}`, rec{P: i64(7)}, false},
		{"float field keeps fraction", `{"F":1.0,"N":2}`, rec{F: 1, N: 2}, false},
		{"big uint64", `{"U":12345678901234567890}`, rec{U: 12345678901234567890}, false},
		{"runtime.JSONValue keeps value", `{"J":1e400}`, rec{J: runtime.JSONOf(json.Number("1e400"))}, false},
		{"1.5 into int64", `{"N":1.5}`, rec{}, true},
		{"1e-1 into int64", `{"N":1e-1}`, rec{}, true},
		{"1e19 into int64", `{"N":1e19}`, rec{}, true},
		{"string into int64", `{"N":"1"}`, rec{}, true},
		{"invalid JSON", `{"N":1.0`, rec{}, true},
		{"trailing data", `{"N":1} {}`, rec{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got rec
			err := DecodeStrict([]byte(tc.in), &got)
			if (err != nil) != tc.wantErr {
				t.Fatalf("DecodeStrict(%s) error = %v, wantErr %v", tc.in, err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("DecodeStrict(%s) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}

	// Scalars at the top level.
	var n int64
	for _, in := range []string{`1.0`, `1e0`, ` 1 `} {
		n = 0
		if err := DecodeStrict([]byte(in), &n); err != nil || n != 1 {
			t.Errorf("DecodeStrict(%q, *int64) = %d, %v; want 1", in, n, err)
		}
	}
	if err := DecodeStrict([]byte(`1.5`), &n); err == nil {
		t.Error("DecodeStrict(1.5, *int64): no error")
	}

	// Top-level null is a validation error, whatever the target.
	for _, in := range []string{`null`, ` null`, "\n\tnull \r\n"} {
		var r rec
		err := DecodeStrict([]byte(in), &r)
		var ve *runtime.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("DecodeStrict(%q) = %v, want *runtime.ValidationError", in, err)
		}
		if len(ve.Violations) != 1 || ve.Violations[0].Pointer != "" || ve.Violations[0].Keyword != "type" {
			t.Errorf("DecodeStrict(%q) violations = %+v", in, ve.Violations)
		}
		var p *int64
		if err := DecodeStrict([]byte(in), &p); err == nil {
			t.Errorf("DecodeStrict(%q, **int64): no error", in)
		}
	}
	// A nested null is not the decoder's business.
	var r rec
	if err := DecodeStrict([]byte(`{"P":null,"N":1.0}`), &r); err != nil || r.P != nil || r.N != 1 {
		t.Errorf("nested null: %+v, %v", r, err)
	}
}
