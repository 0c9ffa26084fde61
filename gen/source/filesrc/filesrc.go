// Package filesrc is the generator's side of the file source kind: a JSON or
// YAML file under the root bound at run time, and a JSON pointer into it
// whose tokens may be params. Generated code calls the runtime's file source
// package, runtime/source/filesource (Watch and Fetch).
package filesrc

import (
	_ "embed"
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/source"
)

// rt is the runtime package the generated code calls; the generator names it without importing it.
const rt = "github.com/reftask/reftask/runtime/source/filesource"

//go:embed schema.json
var schema []byte

// wholePlaceholder is a pointer token that is one {param}.
var wholePlaceholder = regexp.MustCompile(`^\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// Kind is the file source kind: "source": {"file": {"path", "pointer"}}.
type Kind struct{}

// Name returns "file".
func (Kind) Name() string { return "file" }

// Schema returns the kind's fragment of the meta-schema.
func (Kind) Schema() []byte { return slices.Clone(schema) }

type spec struct {
	Path    string `json:"path"`
	Pointer string `json:"pointer"`
}

// Source is the checked file source of one task.
type Source struct {
	Path string
	// Pointer tokens: a literal token (already escaped), or a param whose value is the token.
	Pointer []Token
	ptr     string
}

// Token is one token of the pointer.
type Token struct {
	Literal string
	Param   *ir.Field
}

// Model checks the path and resolves the pointer's placeholders.
func (Kind) Model(s source.Spec, ptr string, raw json.RawMessage) ir.ExtSource {
	var f spec
	if err := json.Unmarshal(raw, &f); err != nil {
		s.Errorf(ptr, "%v", err)
		return nil
	}
	src := &Source{Path: f.Path, ptr: ptr}
	if strings.Contains(f.Path, "..") || strings.HasPrefix(f.Path, "/") {
		s.Errorf(ptr+"/path", "the path must stay under the file root: no \"..\" and no leading /")
	}
	if f.Pointer == "" {
		return src
	}
	for _, tok := range strings.Split(f.Pointer[1:], "/") {
		if !strings.ContainsAny(tok, "{}") {
			src.Pointer = append(src.Pointer, Token{Literal: tok})
			continue
		}
		m := wholePlaceholder.FindStringSubmatch(tok)
		if m == nil {
			s.Errorf(ptr+"/pointer", "token %s: a placeholder must be a whole pointer token, as in /services/{name}", diag.Quote(tok))
			continue
		}
		field := s.Param(m[1])
		switch {
		case field == nil:
			s.Errorf(ptr+"/pointer", "unknown parameter {%s} (params has %s)", diag.Clip(m[1]), s.ParamNames())
		case !field.Required || !s.Scalar(field.Type):
			s.Errorf(ptr+"/pointer", "parameter {%s} must be a required scalar to stand in a pointer", diag.Clip(m[1]))
		default:
			src.Pointer = append(src.Pointer, Token{Param: field})
		}
	}
	return src
}

// SourceKind returns "file".
func (*Source) SourceKind() string { return "file" }

// FieldType is nil: the file is named by its path.
func (*Source) FieldType() jen.Code { return nil }

// Init registers the task as a reader of the file, so that a new version drops its cached results.
func (s *Source) Init(_ source.Emitter, t *ir.Task) []jen.Code {
	return []jen.Code{jen.Qual(rt, "Watch").Call(jen.Id("x"), jen.Lit(t.Name), jen.Lit(s.Path))}
}

// Fetch builds the pointer, each param escaped as a token, and reads the file's record with filesource.Fetch.
func (s *Source) Fetch(e source.Emitter, t *ir.Task) ([]jen.Code, jen.Code) {
	var ptr jen.Code
	lit := ""
	var expr *jen.Statement
	for _, tok := range s.Pointer {
		if tok.Param == nil {
			lit += "/" + tok.Literal
			continue
		}
		base := jen.Lit(lit)
		if expr != nil {
			base = expr
			if lit != "" {
				base = expr.Clone().Op("+").Lit(lit)
			}
		}
		expr = e.Helper("JoinPointer").Call(base, e.Text(tok.Param.Type, jen.Id("p").Dot(tok.Param.Name)))
		lit = ""
	}
	switch {
	case expr == nil:
		ptr = jen.Lit(lit)
	case lit != "":
		ptr = expr.Op("+").Lit(lit)
	default:
		ptr = expr
	}
	stmts := []jen.Code{
		jen.List(jen.Id("raw"), jen.Err()).Op(":=").Qual(rt, "Fetch").Call(jen.Id("ctx"), jen.Id("c").Dot("x"), jen.Lit(t.Name), jen.Lit(s.Path), ptr),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
	}
	return stmts, e.Record(t)
}

// Texts lists the params the pointer writes.
func (s *Source) Texts() []source.Text {
	var fs []*ir.Field
	for _, tok := range s.Pointer {
		if tok.Param != nil {
			fs = append(fs, tok.Param)
		}
	}
	return []source.Text{{Ptr: s.ptr + "/pointer", Params: fs}}
}

// NoBatch says why a file source has no batch form.
func (*Source) NoBatch() string {
	return "a file source is read once and served from memory: it has nothing to batch"
}

var _ source.NoBatcher = (*Source)(nil)
