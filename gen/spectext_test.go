package gen_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/reftask/reftask/gen"
	"github.com/reftask/reftask/gen/names"
)

// Spec text never becomes code. textSpecs writes a spec folder with the
// text s in every free-text field a spec has: descriptions, titles and
// $comments, property names (of params, results, nested objects and JSON
// values), enum and const values, defaults and examples, patterns and
// patternProperties, $defs keys (and so schema locations, which comments
// quote), SQL text (single and batch queries), HTTP paths, query keys and
// values, header values, bodies and pointers, file paths and pointers,
// transform.fields, batch keys and fallback values. Where a field has a
// syntax of its own the text is escaped for it (a regular expression
// quotes it, a $ref percent-encodes it, a SQL string literal doubles its
// quotes, a template loses its braces) so that the spec stays valid. Every
// name that text could give a Go declaration is pinned with x-go-name or
// x-go-enum-names, so the generated file must declare exactly what it
// declares for plain text.
func textSpecs(t testing.TB, dir, s string) string {
	t.Helper()
	specs := filepath.Join(dir, "specs")
	if err := os.MkdirAll(specs, 0o755); err != nil {
		t.Fatal(err)
	}
	q := rawJSON
	noBrace := strings.NewReplacer("{", "(", "}", ")", "${", "$(").Replace
	// The meta-schema's patterns for pointers and file paths use ".",
	// which matches no newline.
	pointerTok := func(s string) string {
		return strings.NewReplacer("~", "~0", "/", "~1", "\n", " ").Replace(s)
	}
	sqlLit := "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
	ref := "shapes.json#/$defs/" + url.PathEscape(strings.NewReplacer("~", "~0", "/", "~1").Replace(strings.ToValidUTF8(s, "\uFFFD")))
	pattern := "^" + regexp.QuoteMeta(s)
	file := strings.NewReplacer("/", "_", "\\", "_", "{", "_", "}", "_", "\x00", "_", "\n", " ").Replace(s)
	subst := strings.NewReplacer(
		"S_TEXT", q(s),
		"S_KEY", q("k"+s),
		"S_COL", q("col"+s),
		"S_PATTERN", q(pattern),
		// A pattern that could match "k" would make Maps a JSON value.
		"S_PROPPATTERN", q("^p"+regexp.QuoteMeta(s)),
		"S_DEFKEY", q(strings.ToValidUTF8(s, "\uFFFD")),
		"S_REF", q(ref),
		"S_SQL", q("SELECT note, code FROM t WHERE id = :id AND note <> "+sqlLit),
		"S_BATCHSQL", q("SELECT k FROM t WHERE note <> "+sqlLit+" AND k IN (:id)"),
		"S_PATH", q("/items/{id}/"+noBrace(s)),
		"S_QKEY", q("q"+noBrace(s)),
		"S_QVAL", q(noBrace(s)+"{id}"),
		"S_HEADER", q(noBrace(s)),
		"S_POINTER", q("/data/"+pointerTok(s)),
		"S_FILEPTR", q("/items/{id}/"+pointerTok(noBrace(s))),
		"S_FILE", q("data/f"+file+".json"),
		"S_BODYKEY", q(noBrace(s)),
		"S_BODY", q(noBrace(s)),
	)
	files := map[string]string{
		"shapes.json": `{"$comment": S_TEXT, "$defs": {S_DEFKEY: {
  "x-go-name": "Shape", "title": S_TEXT, "description": S_TEXT, "$comment": S_TEXT,
  "type": "object", "required": ["note", "code"],
  "properties": {
    ",": {"type": "integer"},
    "note": {"type": "string", "description": S_TEXT, "examples": [S_TEXT], "default": S_TEXT},
    "code": {"x-go-name": "Code", "enum": [S_TEXT], "x-go-enum-names": ["CodeA"], "description": S_TEXT},
    "konst": {"const": S_TEXT, "description": S_TEXT},
    "mixed": {"x-go-name": "Mixed", "enum": [1, null, [S_TEXT], {S_TEXT: S_TEXT}]},
    "pat": {"type": "string", "pattern": S_PATTERN, "title": S_TEXT},
    "nested": {"x-go-name": "Nested", "title": S_TEXT, "type": "object", "properties": {",": {"type": "integer"}, S_TEXT: {"type": "string", "description": S_TEXT, "pattern": S_PATTERN}}},
    "maps": {"x-go-name": "Maps", "type": "object", "properties": {"k": {"type": "string"}},
      "patternProperties": {S_PROPPATTERN: {"type": "integer", "description": S_TEXT}}, "additionalProperties": {"type": "boolean"}},
    "uni": {"x-go-name": "Uni", "description": S_TEXT, "oneOf": [{"x-go-name": "A", "title": S_TEXT, "type": "string", "pattern": S_PATTERN}, {"x-go-name": "B", "type": "integer"}]},
    "tup": {"x-go-name": "Tup", "type": "array", "prefixItems": [{"x-go-name": "First", "title": S_TEXT, "type": "string", "const": S_TEXT}]},
    "free": {"x-go-name": "Free", "description": S_TEXT, "type": ["object", "string"], "properties": {S_TEXT: {"type": "string", "pattern": S_PATTERN}},
      "dependentRequired": {S_TEXT: [S_KEY]}, "required": [S_TEXT], "enum": [S_TEXT, {S_TEXT: S_TEXT, S_KEY: S_TEXT}], "const": S_TEXT},
    "list": {"type": "array", "items": {"x-go-name": "Item", "enum": [S_TEXT], "x-go-enum-names": ["ItemA"]}, "description": S_TEXT}
  }}}}`,
		"alpha.task.json": `{
  "name": "Alpha", "description": S_TEXT,
  "params": {"type": "object", "required": ["id", S_TEXT], "description": S_TEXT, "properties": {
    "id": {"type": "string", "description": S_TEXT, "title": S_TEXT, "default": S_TEXT, "examples": [S_TEXT], "$comment": S_TEXT, "pattern": S_PATTERN},
    S_TEXT: {"type": "string", "description": S_TEXT, "pattern": S_PATTERN}, ",": {"type": "integer"}}},
  "result": {"$ref": S_REF},
  "source": {"sql": {"connection": "db", "query": S_SQL}},
  "transform": {"fields": {"note": S_COL}},
  "fallback": [{"value": {"note": S_TEXT, "code": S_TEXT, "nested": {S_TEXT: S_TEXT}, "konst": S_TEXT, "free": S_TEXT}}]
}`,
		"beta.task.json": `{
  "name": "Beta", "description": S_TEXT,
  "params": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "description": S_TEXT}}},
  "result": {"$ref": S_REF},
  "source": {"http": {"connection": "api", "method": "POST", "path": S_PATH, "query": {S_QKEY: S_QVAL},
    "headers": {"X-Note": S_HEADER, "Accept": "application/json"}, "body": {"note": S_BODY, S_BODYKEY: [S_BODY], "id": "{id}"},
    "pointer": S_POINTER, "not_found": [404]}},
  "transform": {"fields": {"note": S_POINTER}}
}`,
		"gamma.task.json": `{
  "name": "Gamma", "description": S_TEXT,
  "params": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
  "result": {"$ref": S_REF},
  "source": {"file": {"path": S_FILE, "pointer": S_FILEPTR}}
}`,
		"delta.task.json": `{
  "name": "Delta", "description": S_TEXT,
  "params": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "description": S_TEXT}}},
  "result": {"x-go-name": "Rec", "title": S_TEXT, "type": "object", "required": [S_KEY], "properties": {S_KEY: {"type": "string", "description": S_TEXT}, ",": {"type": "integer"}}},
  "source": {"sql": {"connection": "db", "query": S_SQL, "batch_query": S_BATCHSQL}},
  "batch": {"key": S_KEY, "max_size": 10}
}`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(specs, name), []byte(subst.Replace(text)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return specs
}

// rawJSON writes s as a JSON string, escaping only what JSON requires, so
// that every other byte (invalid UTF-8, U+2028, a byte order mark) reaches
// the loader as it is.
func rawJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// textFixedKeys are the names textSpecs uses beside the text: text equal
// to one of them would be a duplicate key, which is another spec.
var textFixedKeys = []string{",", "id", "note", "code", "konst", "mixed", "pat", "nested", "maps", "uni", "tup", "free", "list", "k", "Accept", "X-Note"}

// hostileTexts are the fixed inputs of TestSpecTextHostile: texts that end
// comments and string literals, start directives, break lines in the ways
// Go, editors and HTTP see them, are illegal or invisible in Go source, or
// are only long.
var hostileTexts = []string{
	"*/\nfunc init() { panic(\"pwned\") }\n/*",
	"Looks up.*/\nfunc init() { panic(\"pwned\") }\n/*",
	"x\nfunc init() { panic(1) }\n//",
	"\n//go:linkname evil runtime.evil\nvar _ = 1",
	"//go:linkname evil runtime.evil",
	"x\n//line evil.go:1\n",
	"/*line evil.go:1:1*/",
	"x\n+build ignore",
	"x\r\nfunc init() {}",
	"x\rfunc init() {}",
	"x\u2028func init() {}\u2029",
	"x\u0085y",
	"\"); panic(\"pwned\"); //",
	"` + panic(1) + `",
	"\\\"\\n\\",
	"a,b",
	"-",
	"",
	" ",
	"%d %s %!v %%",
	"\x00",
	"\ufeffbom",
	"bidi \u202e\u2066\u200f",
	"\xff\xfe invalid utf-8 \xc3",
	"ünï 名前 ß 👩\u200d💻",
	"Validate",
	"type",
	"$$ 'x' \\' -- /* :id",
	"${env:HOME}",
	strings.Repeat("long */\n", 2000),
}

// TestSpecTextHostile generates the specs of textSpecs with each hostile
// text and with plain text: every output must parse, type-check, declare
// the same top-level names and hold no other directive; all of them,
// written into one package tree of the module, must pass go vet.
func TestSpecTextHostile(t *testing.T) {
	plain := generateText(t, t.TempDir(), "plain")
	want := topLevel(t, plain)
	var work string
	if !testing.Short() {
		var err error
		work, err = os.MkdirTemp(filepath.Join("..", "testdata"), "spectext")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(work) })
	}
	for i, s := range hostileTexts {
		src := generateText(t, t.TempDir(), s)
		checkSameDecls(t, s, src, want)
		if work != "" {
			pkg := fmt.Sprintf("t%02d", i)
			src = []byte(strings.Replace(string(src), "package text", "package "+pkg, 1))
			if err := os.MkdirAll(filepath.Join(work, pkg), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(work, pkg, "reftasks_gen.go"), src, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if work == "" {
		return
	}
	cmd := exec.Command("go", "vet", "./"+filepath.ToSlash(work)+"/...")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet: %v\n%s", err, out)
	}
}

// FuzzSpecText runs the checks of TestSpecTextHostile (without go vet,
// which takes seconds) on arbitrary text.
func FuzzSpecText(f *testing.F) {
	for _, s := range hostileTexts {
		f.Add(s)
	}
	// Loading the imports takes seconds, more than the fuzzing engine
	// allows one input: every worker does it before the first.
	if _, err := (exportImporter{}).Import("github.com/reftask/reftask/runtime"); err != nil {
		f.Fatal(err)
	}
	want := topLevel(f, generateText(f, f.TempDir(), "plain"))
	f.Fuzz(func(t *testing.T, s string) {
		if slices.Contains(textFixedKeys, s) || len(s) > 1<<16 {
			t.Skip()
		}
		checkSameDecls(t, s, generateText(t, t.TempDir(), s), want)
	})
}

func generateText(t testing.TB, dir, s string) []byte {
	t.Helper()
	specs := textSpecs(t, dir, s)
	src, diags := gen.Generate(gen.Options{Specs: specs, Package: "text", OutDir: dir, OutFile: "reftasks_gen.go", SkipGoCheck: true})
	if diags.HasErrors() {
		t.Fatalf("text %q: generate: %v", s, diags)
	}
	return src
}

// checkSameDecls parses and type-checks src, and compares its top-level
// declarations with want; it also allows no comment that is a directive
// but the generator's own.
func checkSameDecls(t *testing.T, s string, src []byte, want map[string]int) {
	t.Helper()
	got := topLevel(t, src)
	// The validation function of a JSON value's property is named after
	// the property, by names.Exported.
	if fn := "func checkFreeProp" + names.Exported(s); got[fn] == 1 {
		delete(got, fn)
		got["func checkFreePropPlain"] = 1
	}
	for k, n := range got {
		if want[k] != n {
			t.Errorf("text %q: the output declares %s %d times, plain text's %d", s, k, n, want[k])
		}
	}
	for k, n := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("text %q: the output does not declare %s (plain text's does, %d times)", s, k, n)
		}
	}
	for _, line := range strings.Split(string(src), "\n") {
		l := strings.TrimSpace(line)
		if (strings.HasPrefix(l, "//") && len(l) > 2 && l[2] != ' ' && l != "//go:noinline") || strings.HasPrefix(l, "/*") {
			t.Errorf("text %q: the output has the comment %q", s, l)
		}
	}
	typeCheck(t, s, src)
}

// topLevel parses src and counts its top-level names: functions and
// methods (Type.Method), types, constants and variables.
func topLevel(t testing.TB, src []byte) map[string]int {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "gen.go", src, parser.AllErrors)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	out := map[string]int{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			name := d.Name.Name
			if d.Recv != nil {
				recv := d.Recv.List[0].Type
				if s, ok := recv.(*ast.StarExpr); ok {
					recv = s.X
				}
				name = fmt.Sprint(recv) + "." + name
			}
			out["func "+name]++
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				switch sp := sp.(type) {
				case *ast.TypeSpec:
					out["type "+sp.Name.Name]++
				case *ast.ValueSpec:
					for _, n := range sp.Names {
						out[d.Tok.String()+" "+n.Name]++
					}
				case *ast.ImportSpec:
					out["import "+sp.Path.Value]++
				}
			}
		}
	}
	return out
}

// typeCheck type-checks a generated file against the export data of the
// packages it imports, loaded once per process.
func typeCheck(t *testing.T, s string, src []byte) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "gen.go", src, 0)
	if err != nil {
		t.Fatalf("text %q: parse: %v", s, err)
	}
	conf := types.Config{Importer: exportImporter{}}
	if _, err := conf.Check("text", fset, []*ast.File{f}, nil); err != nil {
		t.Fatalf("text %q: type check: %v", s, err)
	}
}

var exports struct {
	sync.Mutex
	pkgs map[string]*types.Package
}

type exportImporter struct{}

func (im exportImporter) Import(path string) (*types.Package, error) {
	exports.Lock()
	defer exports.Unlock()
	if p, ok := exports.pkgs[path]; ok {
		return p, nil
	}
	if exports.pkgs == nil {
		exports.pkgs = map[string]*types.Package{}
	}
	// The runtime, its kit, the source kinds and the standard packages generated code imports, with
	// every dependency, in one load.
	patterns := []string{path, "github.com/reftask/reftask/runtime", "github.com/reftask/reftask/runtime/kit", "github.com/reftask/reftask/runtime/source/httpsource", "github.com/reftask/reftask/runtime/source/sqlsource", "github.com/reftask/reftask/runtime/source/filesource", "github.com/reftask/reftask/runtime/source/redissource", "context", "encoding/json", "fmt", "strconv", "time", "slices", "unicode/utf8", "net/netip", "errors", "bytes", "math"}
	loaded, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedTypes | packages.NeedImports | packages.NeedDeps}, patterns...)
	if err != nil {
		return nil, err
	}
	packages.Visit(loaded, nil, func(p *packages.Package) {
		if p.Types != nil {
			exports.pkgs[p.PkgPath] = p.Types
		}
	})
	if p, ok := exports.pkgs[path]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("package %s not found", path)
}
