package gen_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reftask/reftask/gen"
	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/jsonpos"
)

// Tests of the spec files themselves: duplicate keys, symlinks, the JSON
// pointers messages print, and SQL literals per dialect.

const fileTestTask = `{
  "name": "T",
  "params": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
  "result": {"$ref": "thing.json"},
  "source": {"sql": {"connection": "db", "query": "SELECT * FROM t WHERE id = :id"}},
  "cache": {"ttl": "1m"},
  "fallback": [{"value": {"name": "x", "tags": {"a": {"n": 1}}}}]
}`

const fileTestSchema = `{
  "type": "object",
  "required": ["name"],
  "properties": {
    "name": {"type": "string", "minLength": 1},
    "tags": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Tag"}}
  },
  "$defs": {"Tag": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 0}}}}
}`

func generateIn(t *testing.T, specs string) ([]byte, diag.List) {
	t.Helper()
	return gen.Generate(gen.Options{Specs: specs, Package: "x", OutDir: filepath.Dir(specs), OutFile: "x.go", SkipGoCheck: true})
}

func writeSpecs(t *testing.T, files map[string]string) string {
	t.Helper()
	specs := filepath.Join(t.TempDir(), "specs")
	for name, text := range files {
		p := filepath.Join(specs, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return specs
}

// writeDup writes v as JSON with the first key of the object at ptr
// written twice; it returns the text and the byte offset of the repeat.
func writeDup(v any, ptr string) (string, int) {
	var b strings.Builder
	at := -1
	var walk func(v any, p string)
	walk = func(v any, p string) {
		switch x := v.(type) {
		case map[string]any:
			keys := slices.Sorted(func(yield func(string) bool) {
				for k := range x {
					if !yield(k) {
						return
					}
				}
			})
			b.WriteString("{")
			for i, k := range keys {
				if i > 0 {
					b.WriteString(",\n")
				}
				kb, _ := json.Marshal(k)
				child := p + "/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
				b.Write(kb)
				b.WriteString(": ")
				walk(x[k], child)
				if i == 0 && p == ptr {
					b.WriteString(",\n")
					at = b.Len()
					b.Write(kb)
					b.WriteString(": ")
					walk(x[k], child)
				}
			}
			b.WriteString("}")
		case []any:
			b.WriteString("[")
			for i, e := range x {
				if i > 0 {
					b.WriteString(", ")
				}
				walk(e, p+"/"+strconv.Itoa(i))
			}
			b.WriteString("]")
		default:
			vb, _ := json.Marshal(x)
			b.Write(vb)
		}
	}
	walk(v, "")
	return b.String(), at
}

// objects lists the pointers of every non-empty object in v.
func objects(v any, p string, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) > 0 {
			*out = append(*out, p)
		}
		for k, e := range x {
			objects(e, p+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), out)
		}
	case []any:
		for i, e := range x {
			objects(e, p+"/"+strconv.Itoa(i), out)
		}
	}
}

func lineCol(text string, off int) (int, int) {
	line := 1 + strings.Count(text[:off], "\n")
	start := strings.LastIndexByte(text[:off], '\n') + 1
	return line, 1 + utf8.RuneCountInString(text[start:off])
}

// TestDuplicateKeys repeats a key in every object of a spec and of the
// schema file it references, at every depth: each is exactly one error,
// at the repeated key, naming it; the file is not used.
func TestDuplicateKeys(t *testing.T) {
	docs := map[string]string{"t.task.json": fileTestTask, "thing.json": fileTestSchema}
	for _, file := range []string{"t.task.json", "thing.json"} {
		var doc any
		if err := json.Unmarshal([]byte(docs[file]), &doc); err != nil {
			t.Fatal(err)
		}
		var ptrs []string
		objects(doc, "", &ptrs)
		slices.Sort(ptrs)
		for _, ptr := range ptrs {
			t.Run(file+"#"+ptr, func(t *testing.T) {
				text, at := writeDup(doc, ptr)
				files := map[string]string{"t.task.json": fileTestTask, "thing.json": fileTestSchema}
				files[file] = text
				src, diags := generateIn(t, writeSpecs(t, files))
				if src != nil {
					t.Fatal("generated code from a file with a duplicate key")
				}
				line, col := lineCol(text, at)
				var dups []diag.Diagnostic
				for _, d := range diags.Errors() {
					if strings.Contains(d.Msg, "duplicate key") {
						dups = append(dups, d)
					}
				}
				if len(dups) != 1 {
					t.Fatalf("want one duplicate key error, got:\n%v", diags)
				}
				d := dups[0]
				key := strings.TrimPrefix(d.Pointer[strings.LastIndex(d.Pointer, "/"):], "/")
				if !strings.HasSuffix(d.File, "/"+file) || d.Line != line || d.Col != col || !strings.HasPrefix(d.Pointer, ptr+"/") ||
					!strings.Contains(d.Msg, strconv.Quote(key)) {
					t.Errorf("got %s, want it at %s:%d:%d under %s", d, file, line, col, ptr)
				}
			})
		}
	}
}

// TestSymlinks reads the files of the folder and those that links inside
// it point to, and rejects links whose target is outside.
func TestSymlinks(t *testing.T) {
	tests := []struct {
		name string
		// link is made at specs/<link> pointing to target (relative to the link's folder).
		link, target string
		// outside files are written beside specs/.
		outside map[string]string
		want    string // part of the error, or "" when the link is fine
	}{
		{name: "schema inside", link: "thing.json", target: "real/thing.json"},
		{name: "schema in a subfolder to a sibling", link: "sub/thing.json", target: "../real/thing.json"},
		{name: "schema outside", link: "thing.json", target: "../outside/thing.json", outside: map[string]string{"outside/thing.json": fileTestSchema}, want: "symlink to ../outside/thing.json, which is outside the specs folder"},
		{name: "task outside", link: "u.task.json", target: "../outside/u.task.json", outside: map[string]string{"outside/u.task.json": strings.Replace(fileTestTask, `"T"`, `"U"`, 1)}, want: "which is outside the specs folder"},
		{name: "absolute outside", link: "other.json", target: "ABS/outside/x.json", outside: map[string]string{"outside/x.json": `{}`}, want: "which is outside the specs folder"},
		{name: "dangling", link: "gone.json", target: "nowhere.json", want: "unreadable symlink"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"t.task.json": fileTestTask, "real/thing.json": fileTestSchema}
			specs := writeSpecs(t, files)
			root := filepath.Dir(specs)
			for name, text := range tt.outside {
				p := filepath.Join(root, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			link := filepath.Join(specs, tt.link)
			target := strings.Replace(tt.target, "ABS", root, 1)
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, link); err != nil {
				t.Skipf("no symlinks here: %v", err)
			}
			if tt.link == "sub/thing.json" {
				// The task refers to the link.
				if err := os.WriteFile(filepath.Join(specs, "t.task.json"), []byte(strings.Replace(fileTestTask, `"thing.json"`, `"sub/thing.json"`, 1)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			src, diags := generateIn(t, specs)
			if tt.want == "" {
				if diags.HasErrors() || src == nil {
					t.Fatalf("a link inside the folder was refused: %v", diags)
				}
				return
			}
			found := false
			for _, d := range diags.Errors() {
				if strings.Contains(d.Msg, tt.want) {
					found = true
					if !strings.HasSuffix(d.File, "specs/"+tt.link) {
						t.Errorf("reported at %s, want the link %s", d.File, tt.link)
					}
				}
				if strings.Contains(d.String(), "outside/") && !strings.Contains(d.Msg, "symlink to") {
					t.Errorf("a file outside the folder was read: %s", d)
				}
			}
			if !found {
				t.Errorf("want an error containing %q, got:\n%v", tt.want, diags)
			}
		})
	}
}

// TestPointersInMessages puts keys with the characters JSON pointers and
// URIs escape (~, /, %, spaces, regexp syntax, non-ASCII letters) where
// the schema compiler, the meta-schema and the model each report an error
// under them. Every message prints the RFC 6901 pointer, ~0 and ~1 and
// nothing percent-encoded, at the position of the value it names.
func TestPointersInMessages(t *testing.T) {
	keys := []string{"plain", "a b", "a/b", "a~b", "~1", "~0/", "%", "%25", "%2F", "(?!x)", "é", "ключ", "a b/c~d%", "#frag", "?q=1", "\\"}
	esc := func(k string) string { return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1") }
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	for _, key := range keys {
		cases := []struct {
			name   string
			result string // the result schema
			extra  string // more keys of the spec
			ptr    string
		}{
			{"compiler", `{"type": "object", "properties": {` + q(key) + `: {"type": "strin"}}}`, "", "/result/properties/" + esc(key) + "/type"},
			{"pattern", `{"type": "object", "patternProperties": {` + q("(?!"+key+")") + `: {"type": "string"}}}`, "", "/result/patternProperties/" + esc("(?!"+key+")")},
			{"fallback", `{"type": "object", "properties": {` + q(key) + `: {"type": "string"}}}`, `, "fallback": [{"value": {` + q(key) + `: 5}}]`, "/fallback/0/value/" + esc(key)},
			{"model", `{"type": "object", "properties": {` + q(key) + `: {"type": "integer", "minimum": 0, "x-go-type": "uint8"}}}`, "", "/result/properties/" + esc(key) + "/x-go-type"},
		}
		for _, c := range cases {
			t.Run(c.name+"/"+key, func(t *testing.T) {
				task := `{"name": "T", "params": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}, "result": ` + c.result +
					`, "source": {"sql": {"connection": "db", "query": "SELECT 1 WHERE :id"}}` + c.extra + "}"
				_, diags := generateIn(t, writeSpecs(t, map[string]string{"t.task.json": task}))
				ix, err := jsonpos.Build([]byte(task))
				if err != nil {
					t.Fatal(err)
				}
				wantLine, wantCol := ix.Pos(c.ptr)
				found := false
				for _, d := range diags.Errors() {
					if d.Pointer == c.ptr {
						found = true
						if d.Line != wantLine || d.Col != wantCol {
							t.Errorf("%s: at %d:%d, want %d:%d", d, d.Line, d.Col, wantLine, wantCol)
						}
					}
				}
				if !found {
					t.Errorf("no error at pointer %s; got:\n%v", c.ptr, diags)
				}
			})
		}
	}
}

// TestSQLDialectInSpecs: a query that every dialect reads the same needs
// no dialect; one they read differently is an error at the query unless
// the spec names the dialect, and then it is split as that dialect reads it.
func TestSQLDialectInSpecs(t *testing.T) {
	tests := []struct {
		query, dialect string
		ok             bool
	}{
		{`SELECT * FROM t WHERE id = :id`, "", true},
		{`SELECT * FROM t WHERE id = :id AND note <> 'it''s'`, "", true},
		{`SELECT * FROM t WHERE id = :id AND path <> '\'`, "", false},
		{`SELECT * FROM t WHERE id = :id AND path <> '\'`, "postgres", true},
		{`SELECT * FROM t WHERE id = :id AND path <> '\'`, "sqlite", true},
		{`SELECT * FROM t WHERE id = :id AND path <> '\'`, "mysql", false},
		{`SELECT * FROM t WHERE id = :id AND path <> '\\'`, "mysql", true},
		{`SELECT $$:x$$ FROM t WHERE id = :id`, "", false},
		{`SELECT $$:x$$ FROM t WHERE id = :id`, "postgres", true},
		{"SELECT a # :x\nFROM t WHERE id = :id", "mysql", true},
		{"SELECT a # :x\nFROM t WHERE id = :id", "", false},
		{`SELECT * FROM t WHERE id = :id`, "oracle", false},
	}
	for _, tt := range tests {
		t.Run(tt.dialect+" "+tt.query, func(t *testing.T) {
			src := map[string]any{"connection": "db", "query": tt.query}
			if tt.dialect != "" {
				src["dialect"] = tt.dialect
			}
			sb, _ := json.Marshal(map[string]any{"sql": src})
			task := `{"name": "T", "params": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}, ` +
				`"result": {"type": "object", "properties": {"a": {"type": "string"}}}, "source": ` + string(sb) + "}"
			out, diags := generateIn(t, writeSpecs(t, map[string]string{"t.task.json": task}))
			if tt.ok {
				if diags.HasErrors() {
					t.Fatalf("refused: %v", diags)
				}
				only := fmt.Sprintf(".Only(sqlsource.%s)", map[string]string{"postgres": "Postgres", "sqlite": "SQLite", "mysql": "MySQL"}[tt.dialect])
				if tt.dialect != "" && !strings.Contains(string(out), only) {
					t.Errorf("the query is not bound to its dialect (%s)", only)
				}
				return
			}
			if !diags.HasErrors() {
				t.Fatal("accepted")
			}
			for _, d := range diags.Errors() {
				if !strings.HasPrefix(d.Pointer, "/source/sql") || d.Line == 0 {
					t.Errorf("error not at the query: %s", d)
				}
			}
		})
	}
}
