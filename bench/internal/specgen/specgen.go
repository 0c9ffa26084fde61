// Package specgen writes synthetic spec sets for the generator benchmark:
// n independent tasks, each with its own params, a result object of every
// kind of property (strings with constraints, numbers, booleans, date-time,
// an enum, an array, a nested object, a nullable field), a SQL source with a
// field mapping, cache, retry and timeout policies, and on every fifth task
// a fallback value.
package specgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Write writes n specs (e0001.task.json, ...) into dir, creating it.
func Write(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := 1; i <= n; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("e%05d.task.json", i)), Spec(i), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Spec returns the i-th spec.
func Spec(i int) []byte {
	fallback := ""
	if i%5 == 0 {
		fallback = `,
  "fallback": [{"value": {"id": "e_0", "name": "placeholder", "price": 0, "quantity": 0, "active": false,
    "created_at": "2000-01-01T00:00:00Z", "status": "draft", "tags": [], "note": null}}]`
	}
	return fmt.Appendf(nil, `{
  "$schema": "https://reftask.dev/schema/task.schema.json",
  "name": "Entity%[1]d",
  "description": "Looks up entity %[1]d by id.",
  "params": {
    "type": "object",
    "required": ["id"],
    "properties": {
      "id": {"type": "string", "pattern": "^e_[0-9]+$", "maxLength": 32},
      "region": {"type": "string", "enum": ["eu", "us", "ap"]},
      "min_quantity": {"type": "integer", "minimum": 0}
    }
  },
  "result": {
    "title": "Entity%[1]d",
    "type": "object",
    "required": ["id", "name", "price", "quantity", "active", "created_at", "status", "tags", "note"],
    "properties": {
      "id": {"type": "string", "pattern": "^e_[0-9]+$"},
      "name": {"type": "string", "minLength": 1, "maxLength": 200},
      "price": {"type": "number", "minimum": 0},
      "quantity": {"type": "integer", "minimum": 0, "maximum": 1000000},
      "active": {"type": "boolean"},
      "created_at": {"type": "string", "format": "date-time"},
      "status": {"type": "string", "enum": ["draft", "live", "retired"]},
      "tags": {"type": "array", "items": {"type": "string", "minLength": 1}, "maxItems": 20, "uniqueItems": true},
      "note": {"type": ["string", "null"]},
      "rating": {"type": "number", "minimum": 0, "maximum": 5},
      "address": {
        "type": "object",
        "required": ["city", "country"],
        "properties": {
          "city": {"type": "string"},
          "country": {"type": "string", "minLength": 2, "maxLength": 2}
        }
      }
    }
  },
  "source": {"sql": {"connection": "db", "query": "SELECT id, title, price, quantity, active, created_at, status, tags, note, rating, address FROM entity_%[1]d WHERE id = :id AND region = COALESCE(:region, region) AND quantity >= COALESCE(:min_quantity, 0)"}},
  "transform": {"fields": {"name": "title"}},
  "cache": {"ttl": "5m", "negative_ttl": "30s", "stale_if_error": "1h"},
  "retry": {"attempts": 3, "initial_delay": "20ms", "max_delay": "200ms", "jitter": true},
  "timeout": "2s"%[2]s
}
`, i, fallback)
}

// Hostile is one hostile spec set of the generator benchmark: its name
// (the sub-benchmark's) and a writer of its one task into a folder.
type Hostile struct {
	Name  string
	Write func(dir string) error
	// Fails is true when the spec is past a documented limit: the
	// generator answers with one positioned error instead of code.
	Fails bool
}

// HostileSpecs are the sizes issue 11 names: a result of 10,000
// properties, pretty-printed and minified (one line), and schemas nested
// 1,000 deep, objects and arrays, which are past the nesting limit, beside
// the deepest nesting that is within it.
func HostileSpecs() []Hostile {
	wide := func(minified bool) func(string) error {
		return func(dir string) error {
			var b strings.Builder
			nl, ind := "\n", "  "
			if minified {
				nl, ind = "", ""
			}
			b.WriteString(`{"type": "object",` + nl + ind + `"properties": {` + nl)
			for i := range 10000 {
				if i > 0 {
					b.WriteString("," + nl)
				}
				fmt.Fprintf(&b, `%s%s"p%05d": {"type": "string", "maxLength": 64, "description": "property %d"}`, ind, ind, i, i)
			}
			b.WriteString(nl + ind + "}}")
			return writeTask(dir, b.String())
		}
	}
	objects := func(n int) func(string) error {
		return func(dir string) error {
			return writeTask(dir, strings.Repeat(`{"type": "object", "properties": {"a": `, n)+`{"type": "string"}`+strings.Repeat("}}", n))
		}
	}
	arrays := func(n int) func(string) error {
		return func(dir string) error {
			return writeTask(dir, `{"type": "object", "properties": {"a": `+strings.Repeat(`{"type": "array", "items": `, n)+`{"type": "string"}`+strings.Repeat("}", n)+"}}")
		}
	}
	return []Hostile{
		{Name: "props=10000/pretty", Write: wide(false)},
		{Name: "props=10000/minified", Write: wide(true)},
		{Name: "objects=99", Write: objects(99)},
		{Name: "objects=1000", Write: objects(1000), Fails: true},
		{Name: "arrays=98", Write: arrays(98)},
		{Name: "arrays=1000", Write: arrays(1000), Fails: true},
	}
}

func writeTask(dir, result string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	spec := `{"name": "Hostile", "params": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},` +
		` "result": ` + result + `, "source": {"sql": {"connection": "db", "query": "SELECT * FROM t WHERE id = :id"}}}`
	return os.WriteFile(filepath.Join(dir, "hostile.task.json"), []byte(spec), 0o644)
}
