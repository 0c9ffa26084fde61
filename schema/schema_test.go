package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// compile compiles the embedded schema without any network or file access:
// santhosh-tekuri/jsonschema/v5 has the draft 2020-12 meta-schemas built in,
// so the "$ref" to https://json-schema.org/draft/2020-12/schema resolves
// offline. LoadURL fails loudly to prove it.
func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		t.Errorf("compiler tried to load %q", s)
		return nil, errors.New("offline")
	}
	if err := c.AddResource(ID, bytes.NewReader(JSON())); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(ID)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func TestJSON(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["$id"] != ID {
		t.Errorf("$id = %v, want %s", doc["$id"], ID)
	}
	b := JSON()
	b[0] = 'x'
	if JSON()[0] == 'x' {
		t.Error("JSON returns the embedded bytes, not a copy")
	}
}

// TestDocumented checks every property in the schema has a description and
// examples (so editors show useful hovers), and that every object schema
// with properties forbids unknown keys.
func TestDocumented(t *testing.T) {
	var doc any
	if err := json.Unmarshal(JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			if a, ok := v.([]any); ok {
				for i, e := range a {
					walk(fmt.Sprintf("%s/%d", path, i), e)
				}
			}
			return
		}
		if props, ok := m["properties"].(map[string]any); ok && !strings.Contains(path, "examples") {
			if _, ok := m["additionalProperties"]; !ok && !strings.Contains(path, "/params/allOf") {
				t.Errorf("%s: properties without additionalProperties", path)
			}
			for name, p := range props {
				if strings.Contains(path, "/params/allOf") {
					continue
				}
				pm := p.(map[string]any)
				if _, ok := pm["description"]; !ok {
					t.Errorf("%s/properties/%s: no description", path, name)
				}
				if _, ok := pm["examples"]; !ok {
					t.Errorf("%s/properties/%s: no examples", path, name)
				}
			}
		}
		for k, e := range m {
			if k == "examples" || k == "default" || k == "const" {
				continue
			}
			walk(path+"/"+k, e)
		}
	}
	walk("", doc)
}

// TestExamples validates the schema's own examples against their schemas.
func TestExamples(t *testing.T) {
	sch := compile(t)
	var doc map[string]any
	if err := json.Unmarshal(JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	for i, ex := range doc["examples"].([]any) {
		if err := sch.Validate(ex); err != nil {
			t.Errorf("top-level example %d: %v", i, err)
		}
	}
}

const base = `{
	"name": "GetUser",
	"params": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
	"result": {"type": "object", "properties": {"id": {"type": "string"}}},
	"source": {"sql": {"connection": "main", "query": "SELECT id FROM users WHERE id = :id"}}
}`

// with returns base with the given top-level keys set (JSON-encoded values)
// and the listed keys deleted.
func with(t *testing.T, set map[string]string, del ...string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(base), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range set {
		var x any
		dec := json.NewDecoder(strings.NewReader(v))
		dec.UseNumber()
		if err := dec.Decode(&x); err != nil {
			t.Fatalf("bad test value for %s: %v", k, err)
		}
		m[k] = x
	}
	for _, k := range del {
		delete(m, k)
	}
	// Round-trip through UseNumber, like the validator's own loader does.
	b, _ := json.Marshal(m)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

type kv = map[string]string

func TestValidate(t *testing.T) {
	sch := compile(t)
	tests := []struct {
		name  string
		set   kv
		del   []string
		valid bool
	}{
		{"minimal sql", nil, nil, true},
		{"with $schema and description", kv{"$schema": `"https://reftask.dev/schema/task.schema.json"`, "description": `"Looks up a user."`}, nil, true},
		{"go source", kv{"source": `{"go": {"func": "FindUser"}}`}, nil, true},
		{"full", kv{
			"transform": `{"fields": {"id": "user_id", "name": "/profile/name"}}`,
			"cache":     `{"ttl": "5m", "negative_ttl": "10s", "stale_if_error": "1h"}`,
			"retry":     `{"attempts": 3, "initial_delay": "50ms", "max_delay": "1s", "jitter": true}`,
			"timeout":   `"2s"`,
			"fallback":  `[{"task": "GetUserFromReplica"}, {"value": {"id": "x"}}, {"value": null}]`,
		}, nil, true},
		{"result array", kv{"result": `{"type": "array", "items": {"type": "string"}}`}, nil, true},
		{"result scalar", kv{"result": `{"type": "integer"}`}, nil, true},
		{"result $ref", kv{"result": `{"$ref": "#/$defs/user", "$defs": {"user": {"type": "object"}}}`}, nil, true},
		{"result empty schema", kv{"result": `{}`}, nil, true},

		// durations
		{"ttl 0", kv{"cache": `{"ttl": "0"}`}, nil, true},
		{"ttl 1m30s", kv{"cache": `{"ttl": "1m30s"}`}, nil, true},
		{"ttl 1.5h", kv{"cache": `{"ttl": "1.5h"}`}, nil, true},
		{"ttl .5s", kv{"cache": `{"ttl": ".5s"}`}, nil, true},
		{"ttl 300us", kv{"cache": `{"ttl": "300us"}`}, nil, true},
		{"ttl 2µs (micro sign)", kv{"cache": `{"ttl": "2\u00b5s"}`}, nil, true},
		{"ttl 2μs (greek mu)", kv{"cache": `{"ttl": "2\u03bcs"}`}, nil, true},
		{"ttl 1h2m3s4ms5us6ns", kv{"cache": `{"ttl": "1h2m3s4ms5us6ns"}`}, nil, true},
		{"bad duration no unit", kv{"cache": `{"ttl": "5"}`}, nil, false},
		{"bad duration unit", kv{"cache": `{"ttl": "5 minutes"}`}, nil, false},
		{"bad duration days", kv{"cache": `{"ttl": "1d"}`}, nil, false},
		{"bad duration negative", kv{"timeout": `"-1s"`}, nil, false},
		{"bad duration empty", kv{"timeout": `""`}, nil, false},
		{"bad duration dot", kv{"timeout": `".s"`}, nil, false},
		{"bad duration number", kv{"timeout": `2`}, nil, false},
		{"bad retry delay", kv{"retry": `{"initial_delay": "fast"}`}, nil, false},

		// top level
		{"unknown key", kv{"cahce": `{}`}, nil, false},
		{"missing name", nil, []string{"name"}, false},
		{"missing params", nil, []string{"params"}, false},
		{"missing result", nil, []string{"result"}, false},
		{"missing source", nil, []string{"source"}, false},
		{"name lowercase", kv{"name": `"getUser"`}, nil, false},
		{"name with underscore", kv{"name": `"Get_User"`}, nil, false},
		{"name empty", kv{"name": `""`}, nil, false},
		{"description not string", kv{"description": `1`}, nil, false},

		// params / result
		{"params type array", kv{"params": `{"type": "array"}`}, nil, false},
		{"params without type", kv{"params": `{"properties": {"id": {"type": "string"}}}`}, nil, false},
		{"params boolean schema", kv{"params": `true`}, nil, false},
		{"params invalid schema", kv{"params": `{"type": "object", "required": "id"}`}, nil, false},
		{"result boolean schema", kv{"result": `true`}, nil, false},
		{"result invalid schema", kv{"result": `{"type": "strng"}`}, nil, false},

		// source
		{"both sql and go", kv{"source": `{"sql": {"connection": "main", "query": "SELECT 1"}, "go": {"func": "F"}}`}, nil, false},
		{"empty source", kv{"source": `{}`}, nil, false},
		{"http source not yet", kv{"source": `{"http": {"url": "https://example.com"}}`}, nil, false},
		{"sql missing query", kv{"source": `{"sql": {"connection": "main"}}`}, nil, false},
		{"sql empty query", kv{"source": `{"sql": {"connection": "main", "query": ""}}`}, nil, false},
		{"sql missing connection", kv{"source": `{"sql": {"query": "SELECT 1"}}`}, nil, false},
		{"sql bad connection", kv{"source": `{"sql": {"connection": "my-db", "query": "SELECT 1"}}`}, nil, false},
		{"sql unknown key", kv{"source": `{"sql": {"connection": "main", "query": "SELECT 1", "args": []}}`}, nil, false},
		{"go missing func", kv{"source": `{"go": {}}`}, nil, false},
		{"go bad func", kv{"source": `{"go": {"func": "pkg.Find"}}`}, nil, false},

		// transform
		{"transform unknown key", kv{"transform": `{"field": {}}`}, nil, false},
		{"transform field not string", kv{"transform": `{"fields": {"id": 1}}`}, nil, false},
		{"transform field empty", kv{"transform": `{"fields": {"id": ""}}`}, nil, false},

		// cache / retry
		{"cache unknown key", kv{"cache": `{"ttl": "1m", "size": 10}`}, nil, false},
		{"retry attempts 0", kv{"retry": `{"attempts": 0}`}, nil, false},
		{"retry attempts 101", kv{"retry": `{"attempts": 101}`}, nil, false},
		{"retry attempts 100", kv{"retry": `{"attempts": 100}`}, nil, true},
		{"retry attempts fractional", kv{"retry": `{"attempts": 1.5}`}, nil, false},
		{"retry jitter string", kv{"retry": `{"jitter": "yes"}`}, nil, false},
		{"retry unknown key", kv{"retry": `{"backoff": "exp"}`}, nil, false},

		// fallback
		{"fallback both task and value", kv{"fallback": `[{"task": "Other", "value": 1}]`}, nil, false},
		{"fallback empty item", kv{"fallback": `[{}]`}, nil, false},
		{"fallback bad task name", kv{"fallback": `[{"task": "other"}]`}, nil, false},
		{"fallback unknown key", kv{"fallback": `[{"task": "Other", "when": "error"}]`}, nil, false},
		{"fallback not array", kv{"fallback": `{"task": "Other"}`}, nil, false},
		{"fallback empty array", kv{"fallback": `[]`}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sch.Validate(with(t, tt.set, tt.del...))
			if err != nil && testing.Verbose() {
				t.Logf("%#v", err)
			}
			if got := err == nil; got != tt.valid {
				t.Errorf("valid = %v, want %v; err: %v", got, tt.valid, err)
			}
		})
	}
}

// TestDurationPattern checks $defs/duration agrees with time.ParseDuration
// for non-negative durations.
func TestDurationPattern(t *testing.T) {
	var doc struct {
		Defs map[string]struct {
			Pattern string `json:"pattern"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(doc.Defs["duration"].Pattern)
	for _, s := range []string{
		"0", "0s", "1ns", "1us", "1µs", "1μs", "1ms", "1s", "1m", "1h", "1m30s",
		"50ms", "1.5h", ".5s", "5.s", "1h2m3s4ms5us6ns", "100000h", "1.0001s",
		"", "00", "1", "s", ".", ".s", "1d", "1 s", " 1s", "1s ", "1S", "-1s",
		"+1s", "1e3s", "1ss", "1sm", "0x10s", "1..5s", "1.5.5s",
	} {
		d, err := time.ParseDuration(s)
		goOK := err == nil && d >= 0 && !strings.HasPrefix(s, "+")
		if got := re.MatchString(s); got != goOK {
			t.Errorf("%q: pattern match = %v, time.ParseDuration ok = %v", s, got, goOK)
		}
	}
}
