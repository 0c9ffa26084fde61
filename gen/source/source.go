// Package source is the generator's seam for source kinds: each kind added
// through it is one folder (gen/source/<kind>) that holds its part of the
// meta-schema, its spec checks, its model and its emission, and one line in
// gen/source/kinds registers it. The loader composes the meta-schema from
// the kinds' fragments, the model hands a spec's "source"/<kind> object to
// its kind, and the emitter asks the kind's checked source for its code.
package source

import (
	"encoding/json"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
)

// Kind is one source kind.
type Kind interface {
	// Name is the kind's key under "source" in a spec.
	Name() string
	// Schema is the kind's fragment of the meta-schema: the JSON Schema of the object under "source"/Name.
	Schema() []byte
	// Model checks the kind's spec object raw, found at ptr ("/source/<kind>"), for the task s is building and
	// returns its checked source, or nil after reporting each problem through s.
	Model(s Spec, ptr string, raw json.RawMessage) ir.ExtSource
}

// Spec is what the model offers a kind while it checks one task's spec.
type Spec interface {
	// Task is the task being built, its params and result already lowered.
	Task() *ir.Task
	// Errorf reports a problem at a JSON pointer of the spec; the diagnostic carries its line and column.
	Errorf(ptr, format string, args ...any)
	// Template resolves the {param} placeholders of text, written at ptr, to params fields; with required, each
	// must name a required param. It reports what is wrong and returns false.
	Template(ptr, text string, required bool) (ir.Template, bool)
	// Batched reports whether the spec has "batch".
	Batched() bool
	// Param returns the params property named name, or nil.
	Param(name string) *ir.Field
	// Scalar reports whether values of t render as one string.
	Scalar(t *ir.Type) bool
	// ParamNames lists the params' properties for messages, as "sku, lang".
	ParamNames() string
	// Describe names the kind of values of t with its article, for messages: "an object", say.
	Describe(t *ir.Type) string
}

// Source is a kind's checked source of one task, as the emitter uses it.
type Source interface {
	ir.ExtSource
	// FieldType is the type of the Client field (named e.ClientNames(t).Source) that holds the source's
	// prepared form, built once by NewClient; nil for none.
	FieldType() jen.Code
	// Init returns NewClient's statements for the task (c is the Client, x the executor): storing the
	// prepared form in its field, say.
	Init(e Emitter, t *ir.Task) []jen.Code
	// Fetch returns the statements of the task's single lookup and its (*Result, error) expression; the params
	// are p, normalised as the cache key sees them, and the Client is c.
	Fetch(e Emitter, t *ir.Task) (stmts []jen.Code, get jen.Code)
	// Texts lists the params the source writes into text, by the spec pointer that writes them, so that the
	// generator can check that an x-go-type param has a text form.
	Texts() []Text
}

// Fielder is a Source whose prepared forms take several Client fields, or fields other than the one named
// Source; its FieldType is then not used.
type Fielder interface {
	// Fields lists the Client fields, in order; their names are among e.ClientNames(t)'s.
	Fields(e Emitter, t *ir.Task) []Field
}

// Field is a Client field: its name and type.
type Field struct {
	Name string
	Type jen.Code
}

// Text is a spec pointer and the params written into text there.
type Text struct {
	Ptr    string
	Params []*ir.Field
}

// FieldMapper is a Source that says whether transform.fields can map a result property from a source field:
// MapsFields returns why not, or "".
type FieldMapper interface {
	MapsFields(from string) string
}

// Checked is a Source that calls Go code of the user's package, whose signatures the generator checks once the
// output is written.
type Checked interface {
	// Wants lists the functions the generated code calls; sig spells a type as the generated package does.
	Wants(t *ir.Task, sig func(*ir.Type) string) []Want
}

// Want is a Go function of the output package and the signature the generated code calls it with; problems are
// reported at Ptr.
type Want struct {
	Ptr             string
	Func            string
	Params, Results []string
}

// NoBatcher is a Source that says why it has no batch form.
type NoBatcher interface {
	NoBatch() string
}

// Batcher is a Source with a batch form: it answers many keys in one call.
type Batcher interface {
	Source
	// InOrder reports whether the batch form answers in the order of the keys asked. A batch form that answers
	// by key (a map) needs the result property that carries each record's key, which the model checks first.
	InOrder() bool
	// CheckBatch checks that the batch form can serve lookups by key, the params' only property, reporting
	// problems at pointers of the spec.
	CheckBatch(s Spec, key *ir.Field) bool
	// FetchMany returns the statements of the batch lookup of ps ([]*Params), ending in a return of one result
	// per params, in order, nil for not found, and an error. The Client is c.
	FetchMany(e Emitter, t *ir.Task) []jen.Code
}

// Emitter is what the emitter offers a kind.
type Emitter interface {
	// Record is the (*Result, error) expression that converts raw, a decoded JSON value (objects as
	// map[string]any, numbers as json.Number, strings for any scalar), into the result.
	Record(t *ir.Task) jen.Code
	// RecordFunc makes sure the file has record<Task>, func(raw any) (*Result, error), which converts as Record
	// does, and returns an expression naming it, for a source that takes the converter as a function.
	RecordFunc(t *ir.Task) jen.Code
	// Helper names a function for generated code in the package (runtime or kit) that holds it.
	Helper(name string) *jen.Statement
	// Text is the expression that renders the param value x of type t as text, the same text for the same
	// cache key.
	Text(t *ir.Type, x jen.Code) jen.Code
	// ClientNames are the task's Client member names; the source's field is Source.
	ClientNames(t *ir.Task) ir.ClientNames
	// GoType is the Go type of values of t in the generated package.
	GoType(t *ir.Type) jen.Code
	// RowFunc makes sure the file has row<Task>, func(rec map[string]any) (*elem, error), which converts one
	// row: an object takes columns by property name (after transform.fields), anything else the row's only
	// column. It returns an expression naming it.
	RowFunc(t *ir.Task, elem *ir.Type) jen.Code
	// ScanFunc emits scan<Task>, func(row *sqlsource.Row) (*elem, error), which reads the struct elem from one
	// row, each property from its column by its position (after transform.fields renames).
	ScanFunc(t *ir.Task, elem *ir.Type)
	// Arg is the expression that binds the param p (of the params p) as one driver argument.
	Arg(p *ir.Field) jen.Code
}
