package load_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/reftask/reftask/gen/load"
	"github.com/reftask/reftask/gen/source/kinds"
	"github.com/reftask/reftask/schema"
)

// TestSchemaComposed keeps the published meta-schema, which editors read, equal to what the generator checks
// specs against: the same document with each source kind's fragment written in from its own folder.
func TestSchemaComposed(t *testing.T) {
	composed, err := load.ComposeSchema(schema.JSON())
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(composed, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(schema.JSON(), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("schema/task.schema.json differs from its composition with the source kinds' fragments: copy each kind's schema.json to properties.source.properties.<kind> and list the kind in source's description")
	}
	src := want.(map[string]any)["properties"].(map[string]any)["source"].(map[string]any)["properties"].(map[string]any)
	for _, k := range kinds.All() {
		if _, ok := src[k.Name()]; !ok {
			t.Errorf("kind %q is missing from the published schema", k.Name())
		}
	}
}
