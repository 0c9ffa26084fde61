package emit

import (
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"
)

// hostileComments are texts that would end a comment, start a directive or
// be invisible or illegal in a Go file if they were written as they are.
var hostileComments = []string{
	"",
	"plain text",
	"*/ func init() { panic(1) } /*",
	"x\nfunc init() { panic(1) }\n",
	"x\r\nfunc init() {}",
	"x\rfunc init() {}",
	"x\u2028func init() {}\u2029y\u0085z",
	"//go:linkname f runtime.f",
	"x\n//go:linkname f runtime.f",
	"x\n//line evil.go:1\nfunc init() {}",
	"/*line evil.go:1*/",
	"x\n+build ignore",
	"  +build ignore",
	"x\n//go:build ignore",
	"x\n//go:generate rm -rf /",
	"nul \x00 byte",
	"bom \ufeff inside",
	"bidi \u202e reversed \u2066 isolate \u200f",
	"invalid \xff\xfe utf-8 \xc3",
	"trailing blanks   \t",
	"\n\n\n",
	"tab\tinside",
	"`back` \"quotes\" \\ backslash %d %!",
	"emoji 👩\u200d💻 and ünïcödé 名前",
	strings.Repeat("long text ", 5000),
	strings.Repeat("*/\n", 200),
}

// TestCommentText checks that every text becomes line comments that a Go
// file holds as they are: the file parses to the same declarations, every
// comment line starts with "// " (so none is a directive), and go/format
// leaves the comments alone.
func TestCommentText(t *testing.T) {
	for _, text := range hostileComments {
		checkCommentText(t, text)
	}
}

// FuzzCommentText runs the same checks on arbitrary text.
func FuzzCommentText(f *testing.F) {
	for _, text := range hostileComments {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkCommentText(t, text)
	})
}

func checkCommentText(t *testing.T, text string) {
	t.Helper()
	got := commentText(text)
	if !utf8.ValidString(got) {
		t.Fatalf("commentText(%q) is not valid UTF-8: %q", text, got)
	}
	lines := strings.Split(got, "\n")
	for _, l := range lines {
		if l != "//" && !strings.HasPrefix(l, "// ") {
			t.Fatalf("commentText(%q): line %q is not \"// text\"", text, l)
		}
		if strings.HasPrefix(strings.TrimLeft(l[2:], " \t"), "+build") {
			t.Fatalf("commentText(%q): line %q reads as a build constraint", text, l)
		}
		for _, r := range l {
			if r != '\t' && unsafeInComment(r) {
				t.Fatalf("commentText(%q): line %q holds %U", text, l, r)
			}
		}
	}
	// Rendered by jennifer as a doc comment, a field comment and a
	// statement comment.
	f := jen.NewFile("p")
	comment(f, text)
	f.Var().Id("a").Int()
	f.Type().Id("T").StructFunc(func(g *jen.Group) {
		comment(g, text)
		g.Id("F").Int()
	})
	f.Func().Id("g").Params().Block(lineComment(text), jen.Return())
	src := f.GoString()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments|parser.AllErrors)
	if err != nil {
		t.Fatalf("commentText(%q): %v\n%s", text, err, src)
	}
	var decls []string
	for _, d := range file.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			decls = append(decls, "func "+d.Name.Name)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.ValueSpec:
					decls = append(decls, "var "+s.Names[0].Name)
				case *ast.TypeSpec:
					decls = append(decls, "type "+s.Name.Name)
				}
			}
		}
	}
	if want := "var a,type T,func g"; strings.Join(decls, ",") != want {
		t.Fatalf("commentText(%q): declarations %v, want %s\n%s", text, decls, want, src)
	}
	for _, cg := range file.Comments {
		for _, c := range cg.List {
			if !strings.HasPrefix(c.Text, "//") || (c.Text != "//" && !strings.HasPrefix(c.Text, "// ")) {
				t.Fatalf("commentText(%q): comment %q in the file", text, c.Text)
			}
		}
	}
	if _, err := format.Source([]byte(src)); err != nil {
		t.Fatalf("commentText(%q): gofmt: %v", text, err)
	}
}

// TestCommentsGoThroughHelper keeps the rule of comment.go: in the
// emitter's source, a comment whose text is not one string constant is
// written by comment or lineComment, and no constant is a directive or a
// block.
func TestCommentsGoThroughHelper(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "comment.go" {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch sel.Sel.Name {
			case "Comment", "Commentf", "CommentFunc":
			case "HeaderComment", "PackageComment", "CanonicalPath":
				if id, ok := call.Args[0].(*ast.Ident); !ok || id.Name != "header" {
					t.Errorf("%s: %s takes the constant header only", fset.Position(call.Pos()), sel.Sel.Name)
				}
				return true
			default:
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if sel.Sel.Name != "Comment" || len(call.Args) != 1 || !ok || lit.Kind != token.STRING {
				t.Errorf("%s: a comment that is not one string constant must be written by comment() or lineComment()", fset.Position(call.Pos()))
				return true
			}
			text, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(text, "//") || strings.HasPrefix(text, "/*") || strings.ContainsAny(text, "\r\n") {
				t.Errorf("%s: comment %q is a directive or a block; use directive() or several comments", fset.Position(call.Pos()), text)
			}
			return true
		})
	}
}
