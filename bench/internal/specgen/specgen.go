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
