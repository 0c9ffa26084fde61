package gen_test

import (
	"strings"
	"testing"

	"github.com/reftask/reftask/gen/diag"
)

// diagLineBound is the most one diagnostic line may take, whatever the size of the spec's values (issue 11,
// class 10): a value is quoted cut at diag.QuoteLimit, a pointer at diag.PointerLimit, a message at
// diag.MessageLimit.
const diagLineBound = 1 << 10

// TestDiagnosticsBounded puts a 100 KB value in each field of a spec that a reftaskgen error or warning can quote
// and checks that every diagnostic line stays under diagLineBound, still names the field, and notes the full
// length of the value it cut.
func TestDiagnosticsBounded(t *testing.T) {
	const size = 100 << 10
	long := strings.Repeat("x", size)
	word := "Ab" + strings.Repeat("c", size) // an identifier: names, placeholders
	multi := strings.Repeat("é", size/2)     // a cut must fall on a rune boundary
	digits := strings.Repeat("7", size)
	params := `{"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}`
	file := `{"file": {"path": "d.json", "pointer": "/{id}"}}`
	task := func(p, r, src string) string {
		return `{"name": "T", "params": ` + p + `, "result": ` + r + `, "source": ` + src + `}`
	}
	prop := func(schema string) string {
		return task(params, `{"type": "object", "properties": {"a": `+schema+`}}`, file)
	}
	cases := []struct {
		name, spec string
		// field is text the diagnostic must hold: the keyword or the pointer that names what is wrong.
		field string
		// whole marks a message that does not quote the long value (the meta-schema's words for a type or a
		// pattern), so nothing in it is cut.
		whole bool
	}{
		{"enum value", prop(`{"type": "integer", "enum": [1, "` + long + `"]}`), "enum value", false},
		{"enum value multibyte", prop(`{"type": "integer", "enum": [1, "` + multi + `"]}`), "enum value", false},
		{"enum format", prop(`{"type": "string", "format": "date", "enum": ["` + long + `"]}`), "does not match its format", false},
		{"const", prop(`{"type": "integer", "const": "` + long + `"}`), "const", false},
		{"const format", prop(`{"type": "string", "format": "uuid", "const": "` + long + `"}`), "const value", false},
		{"unknown type", prop(`{"type": "` + long + `"}`), "/result/properties/a", true},
		{"unknown key", `{"name": "T", "` + long + `": 1, "params": ` + params + `, "result": {"type": "object"}, "source": ` + file + `}`, "unknown key", false},
		{"x-go-name", prop(`{"type": "string", "x-go-name": "` + long + `"}`), "x-go-name", false},
		{"x-go-name not a string", prop(`{"type": "string", "x-go-name": ["` + long + `"]}`), "x-go-name", false},
		{"x-go-type", prop(`{"type": "string", "x-go-type": "` + long + `"}`), "x-go-type", false},
		{"x-go-type path", prop(`{"type": "string", "x-go-type": "example.com/` + long + `.lower"}`), "x-go-type", false},
		{"x-go-type keywords", prop(`{"type": "string", "minLength": 1, "x-go-type": "` + word + `"}`), "x-go-type", false},
		{"x-go-enum-names", prop(`{"type": "string", "enum": ["a"], "x-go-enum-names": ["` + long + `"]}`), "x-go-enum-names", false},
		{"enum names twice", prop(`{"type": "string", "enum": ["` + long + `", "` + long + `"], "x-go-enum-names": ["` + word + `", "B` + word + `"]}`), "x-go-enum-names", false},
		{"pattern", prop(`{"type": "string", "pattern": "(` + long + `"}`), "pattern", false},
		{"minLength beyond", prop(`{"type": "string", "minLength": ` + digits + `}`), "minLength", false},
		{"bound not a number", prop(`{"type": "integer", "x-go-type": "int8", "maximum": ` + digits + `}`), "maximum", false},
		{"param required missing", task(`{"type": "object", "required": ["`+long+`"], "properties": {}}`, `{"type": "object"}`, `{"file": {"path": "d.json"}}`), "required parameter", false},
		{"property names clash", prop(`{"type": "object", "properties": {"` + word + `": {"type": "string"}, "` + strings.ToLower(word[:1]) + word[1:] + `": {"type": "string"}}}`), "both want Go field", false},
		{"property name in pointer", prop(`{"type": "object", "properties": {"` + long + `": {"type": "string", "pattern": "("}}}`), "pattern", false},
		{"task name", `{"name": "` + long + `", "params": ` + params + `, "result": {"type": "object"}, "source": ` + file + `}`, "/name", true},
		{"sql placeholder", task(params, `{"type": "object"}`, `{"sql": {"connection": "db", "query": "SELECT 1 WHERE x = :`+word+`"}}`), "unknown parameter", false},
		{"sql dialect", task(params, `{"type": "object"}`, `{"sql": {"connection": "db", "dialect": "`+long+`", "query": "SELECT 1"}}`), "/source/sql", true},
		{"sql string", task(params, `{"type": "object"}`, `{"sql": {"connection": "db", "query": "SELECT '`+long+`"}}`), "/source/sql", true},
		{"http placeholder", task(params, `{"type": "object"}`, `{"http": {"connection": "api", "path": "/x/{`+word+`}"}}`), "unknown parameter", false},
		{"http header credential", task(params, `{"type": "object"}`, `{"http": {"connection": "`+word+`", "path": "/x", "headers": {"Authorization": "`+long+`"}}}`), "credential", false},
		{"http env", task(params, `{"type": "object"}`, `{"http": {"connection": "api", "path": "/x", "headers": {"X-A": "${env:`+multi+`}"}}}`), "/source/http/headers", false},
		{"file pointer token", task(params, `{"type": "object"}`, `{"file": {"path": "d.json", "pointer": "/a{`+word+`}"}}`), "token", false},
		{"file path", task(params, `{"type": "object"}`, `{"file": {"path": "/`+long+`"}}`), "file path", false},
		{"duration", task(params, `{"type": "object"}`, file+`, "cache": {"ttl": "`+long+`"}`), "duration", false},
		{"fallback task", task(params, `{"type": "object"}`, file+`, "fallback": [{"task": "`+word+`"}]`), "unknown task", false},
		{"ref", prop(`{"$ref": "#/$defs/` + long + `"}`), "$ref", false},
		{"ref file", prop(`{"$ref": "` + word + `.json"}`), "$ref", false},
		{"number text", prop(`{"type": "integer", "minimum": 1e` + digits + `}`), "minimum", false},
		{"invalid JSON", `{"name": "` + long, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			specs := writeSpecs(t, map[string]string{"t.task.json": c.spec})
			_, diags := generateIn(t, specs)
			if len(diags) == 0 {
				t.Fatal("no diagnostic: the case must exercise a message")
			}
			noted := false
			for _, d := range diags {
				line := d.String()
				// The file's path is the user's own, bounded by the file system; the rest comes from the spec.
				if n := len(line) - len(d.File); n > diagLineBound {
					t.Errorf("diagnostic of %d bytes besides its file (bound %d): %.300s", n, diagLineBound, line)
				}
				if strings.Contains(line, "bytes)") {
					noted = true
				}
				if c.field != "" && !strings.Contains(line, c.field) {
					t.Errorf("diagnostic does not name %q: %.300s", c.field, line)
				}
				if !strings.HasPrefix(line, strings.TrimSuffix(specs, "specs")) && !strings.Contains(line, "t.task.json") {
					t.Errorf("diagnostic is not placed in the spec file: %.300s", line)
				}
				if strings.ContainsRune(line, '\uFFFD') {
					t.Errorf("a cut split a character: %.300s", line)
				}
			}
			if !noted && !c.whole {
				t.Errorf("no value was cut, yet the case expects its value quoted: %.300s", diags.Error())
			}
		})
	}
}

// TestClipPointer checks the rule for pointers over many shapes: bounded, the ends kept, no split character.
func TestClipPointer(t *testing.T) {
	for _, n := range []int{0, 1, 100, diag.PointerLimit, diag.PointerLimit + 1, 1 << 12, 1 << 17} {
		for _, tok := range []string{"x", "é", "ab~1c"} {
			p := "/params/properties/" + strings.Repeat(tok, n) + "/items/3/pattern"
			deep := strings.Repeat("/"+tok, n) + "/pattern"
			for _, p := range []string{p, deep} {
				got := diag.ClipPointer(p)
				if len(p) <= diag.PointerLimit && got != p {
					t.Errorf("short pointer changed: %q -> %q", p, got)
				}
				if len(got) > 2*diag.PointerLimit {
					t.Errorf("pointer of %d bytes shown in %d", len(p), len(got))
				}
				if !strings.HasSuffix(got, "/pattern") || strings.ContainsRune(got, '\uFFFD') {
					t.Errorf("pointer %.60q... shown as %q", p, got)
				}
			}
		}
	}
}
