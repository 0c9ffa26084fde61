package gen_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/reftask/reftask/testdata/golden/drafts"
)

// TestDrafts checks the code generated for testdata/golden/drafts, whose
// result schemas live in files that declare draft-07 and draft 2019-09:
// each keyword keeps its own draft's meaning (definitions, dependencies,
// the array form of items with additionalItems, dependentRequired). The
// array form of items is a typed tuple, so a wrong item is a decode error
// that names the item.
func TestDrafts(t *testing.T) {
	tests := []struct {
		name string
		into interface{ Validate() error }
		in   string
		want string // "" when valid, else part of the error
	}{
		{"07 valid", &drafts.Account{}, `{"id":"a","tags":[{"name":"x"}],"point":[1,2],"payment":{"card":"c","billing":"b"}}`, ""},
		{"07 definitions", &drafts.Account{}, `{"id":"a","tags":[{"name":""}]}`, "/tags/0/name: minLength"},
		{"07 items array is a tuple", &drafts.Account{}, `{"id":"a","tags":[],"point":[1,"x"]}`, "/1: json: cannot unmarshal string"},
		{"07 additionalItems", &drafts.Account{}, `{"id":"a","tags":[],"point":[1,2,3]}`, "no item is allowed after the tuple's"},
		{"07 dependencies array", &drafts.Account{}, `{"id":"a","tags":[],"payment":{"card":"c"}}`, "/payment"},
		{"07 dependencies schema", &drafts.Account{}, `{"id":"a","tags":[],"payment":{"billing":"b"}}`, "/payment"},
		{"2019 valid", &drafts.Shipment{}, `{"id":"s","legs":[{"from":"a","to":"b"}],"route":["r",1,2],"contact":{"email":"e","phone":"p"}}`, ""},
		{"2019 $defs", &drafts.Shipment{}, `{"id":"s","legs":[{"from":"a"}]}`, `missing property "to"`},
		{"2019 additionalItems", &drafts.Shipment{}, `{"id":"s","legs":[{"from":"a","to":"b"}],"route":["r","x"]}`, "/1: json: cannot unmarshal string"},
		{"2019 dependentRequired", &drafts.Shipment{}, `{"id":"s","legs":[{"from":"a","to":"b"}],"contact":{"phone":"p"}}`, "/contact"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := json.Unmarshal([]byte(tt.in), tt.into)
			if err == nil {
				err = tt.into.Validate()
			}
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("valid instance rejected: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
