// Package ir is the intermediate representation between compiled task specs
// and the Go emitter: every Go type kind is named here, so that emission is a
// plain walk and never goes back to the schemas.
package ir

import (
	"math/big"
	"reflect"

	"github.com/reftask/reftask/gen/names"
)

// Kind names one kind of Go type the generator emits.
type Kind int

// The type kinds. Primitives map to one Go type each; the rest are built from
// other types.
const (
	String   Kind = iota + 1 // string
	Int                      // int64
	Float                    // float64
	Bool                     // bool
	Time                     // time.Time, from format date-time
	Enum                     // named type over a primitive with one constant per value
	Struct                   // named struct from an object schema
	Slice                    // []Elem from an array schema
	Map                      // map[string]Elem from additionalProperties
	Pointer                  // *Elem: optional (absent) or nullable (null), never both
	OptNull                  // runtime.OptNull[Elem]: optional and nullable at once
	Named                    // named type over a primitive, slice or map (a titled result, say)
	JSON                     // runtime.JSONValue: any JSON value, for a schema that allows several or all types; validated by Schema
	Format                   // a validated string type for a JSON Schema format (runtime.Date, netip.Addr, ...); see Type.Format
	GoType                   // a Go type named by x-go-type: a builtin, a type of the output package, or GoPath.GoName
	Union                    // named struct with one pointer per oneOf/anyOf branch, exactly one set
	Tuple                    // named struct with one field per prefixItems entry (and a slice of the rest), as a JSON array
	JSONEnum                 // named string type holding the JSON text of one of an enum's values of mixed or composite types
)

// String returns the kind's name, for error messages and tests.
func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Int:
		return "int"
	case Float:
		return "float"
	case Bool:
		return "bool"
	case Time:
		return "time"
	case Enum:
		return "enum"
	case Struct:
		return "struct"
	case Slice:
		return "slice"
	case Map:
		return "map"
	case Pointer:
		return "pointer"
	case OptNull:
		return "optnull"
	case Named:
		return "named"
	case JSON:
		return "json"
	case Format:
		return "format"
	case GoType:
		return "gotype"
	case Union:
		return "union"
	case Tuple:
		return "tuple"
	case JSONEnum:
		return "jsonenum"
	}
	return "invalid"
}

// IsPrimitive reports whether values of the kind are a single Go scalar.
func (k Kind) IsPrimitive() bool {
	return k == String || k == Int || k == Float || k == Bool || k == Time || k == Format
}

// TypedFormat reports whether a string format gets a Go type of its own
// (kind Format); date-time is Time, and other formats stay strings.
func TypedFormat(format string) bool {
	switch format {
	case "date", "time", "duration", "uuid", "email", "uri", "ipv4", "ipv6":
		return true
	}
	return false
}

// Type is one Go type. Named kinds (Enum, Struct, Named) are shared by
// pointer wherever the same schema is used; the others are built per use.
type Type struct {
	Kind Kind
	// Name is the Go name of Enum, Struct and Named types.
	Name string
	// Doc is the schema's description, for the type's doc comment.
	Doc string
	// Elem is the element of Slice, Map, Pointer and OptNull, the
	// underlying type of Enum and Named, and the rest items of a Tuple
	// (nil when it is closed).
	Elem *Type
	// Fields are a Struct's properties, in declaration order, or a
	// Tuple's positions; a Tuple's Elem is the type of the items after them.
	Fields []*Field
	// Closed is true when a Struct rejects unknown properties
	// (additionalProperties: false), or a Tuple items after its positions.
	Closed bool
	// Values are an Enum's values, each typed as Elem.
	Values []EnumValue
	// Check holds the constraints validated on values of this type.
	Check Constraints
	// Origin is the schema location the type came from, for messages.
	Origin string
	// Schema is the validation program of a JSON type.
	Schema *Schema
	// Format is the JSON Schema format of a Format type ("date", "ipv4", ...).
	Format string
	// GoPath and GoName name a GoType: a builtin ("int32") or a
	// type of the output package ("Money") has no path.
	GoPath, GoName string
	// Variants are a Union's branches, in schema order; OneOf is true for
	// oneOf (exactly one branch valid), false for anyOf (at least one).
	Variants []*Variant
	OneOf    bool
	// Discriminator is the property whose const value tells a Union's
	// object branches apart, or "".
	Discriminator string
	// Extra holds a Struct's additionalProperties schema beside its
	// properties: the keys no property or pattern takes; nil when absent.
	Extra *MapField
	// Patterns are a Struct's patternProperties, one map field each.
	Patterns []*MapField
}

// Methods lists the methods the emitter declares on a named type of kind k.
// A struct field, tuple position or union variant of such a type may not
// have one of these names (Go rejects a field and a method of one name),
// so the model renames it; the emitter's tests check that it declares no
// other method.
func Methods(k Kind) []string {
	switch k {
	case Struct, Tuple:
		return []string{"MarshalJSON", "UnmarshalJSON", "Validate", "validate"}
	case Union:
		return []string{"MarshalJSON", "UnmarshalJSON", "Validate", "Value", "checkVariant", "validate", "validateVariant"}
	case Enum:
		return []string{"UnmarshalJSON", "Valid", "Validate", "validate"}
	case JSONEnum:
		return []string{"MarshalJSON", "UnmarshalJSON", "Valid", "Validate", "Value", "validate"}
	case Named:
		return []string{"MarshalJSON", "String", "UnmarshalJSON", "Validate", "validate"}
	}
	return nil
}

// IsMethod reports whether name is one of Methods(k).
func IsMethod(k Kind, name string) bool {
	for _, m := range Methods(k) {
		if m == name {
			return true
		}
	}
	return false
}

// IsBuiltin reports whether t is a GoType naming a Go builtin.
func (t *Type) IsBuiltin() bool {
	return t.Kind == GoType && t.GoPath == "" && BuiltinKind(t.GoName) != ""
}

// BuiltinKind returns the JSON type a builtin Go type x-go-type may name
// holds ("integer", "number", "string", "boolean"), or "".
func BuiltinKind(name string) string {
	switch name {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "integer"
	case "float32", "float64":
		return "number"
	case "string":
		return "string"
	case "bool":
		return "boolean"
	}
	return ""
}

// Variant is one branch of a Union: a pointer field of the union struct.
type Variant struct {
	// Name is the Go field name.
	Name string
	// Type is the branch's Go type (never Pointer or OptNull: a nullable
	// branch is a JSON value).
	Type *Type
	// Tag is the discriminator value that selects the branch, when the
	// union has a discriminator.
	Tag any
	// Others are the programs of the other branches that a value of this
	// branch could also match (their JSON types overlap), for oneOf: a
	// valid value must match none of them.
	Others []*Schema
	// OtherNames are the Go names of the variants in Others.
	OtherNames []string
}

// MapField is a map field of a Struct that holds properties not declared
// in properties: the additionalProperties (Pattern "") or the properties
// whose names match Pattern.
type MapField struct {
	Name    string
	Pattern string
	Elem    *Type
}

// Field is one property of a Struct, or one position of a Tuple.
type Field struct {
	// Name is the Go field name; JSON is the property name, or a Tuple
	// position in decimal.
	Name string
	JSON string
	Doc  string
	// Type is the field's Go type, already wrapped in Pointer or OptNull
	// where the property is optional or nullable.
	Type *Type
	// Required is true when the property must be present.
	Required bool
	// Nullable is true when the property may be null.
	Nullable bool
}

// EnumValue is one allowed value of an Enum and the name of its constant.
type EnumValue struct {
	Const string
	// Value is a string, int64, float64 or bool; for a JSONEnum, the
	// decoded JSON value (nil, bool, json.Number, string, []any or
	// map[string]any), and JSON its compact JSON text.
	Value any
	JSON  string
}

// Constraints are the validation keywords the generator honours. A nil
// pointer or zero value means the keyword is absent.
type Constraints struct {
	MinLength, MaxLength *int64
	Pattern              string
	Minimum, Maximum     *big.Rat
	ExclusiveMinimum     *big.Rat
	ExclusiveMaximum     *big.Rat
	MultipleOf           *big.Rat
	MinItems, MaxItems   *int64
	UniqueItems          bool
	MinProps, MaxProps   *int64
	// Const is a single allowed value (string, int64, float64, bool), or nil.
	Const any
}

// Empty reports whether no constraint is set.
func (c Constraints) Empty() bool {
	return c.MinLength == nil && c.MaxLength == nil && c.Pattern == "" &&
		c.Minimum == nil && c.Maximum == nil && c.ExclusiveMinimum == nil &&
		c.ExclusiveMaximum == nil && c.MultipleOf == nil && c.MinItems == nil &&
		c.MaxItems == nil && !c.UniqueItems && c.MinProps == nil && c.MaxProps == nil && c.Const == nil
}

// Schema is the validation program of one schema, for values of kind
// JSON: every keyword is kept, and generated code applies each to the
// instances of the JSON type it is about. Subschemas are Schemas too;
// a $ref points at the shared target, so recursion is a cycle here.
type Schema struct {
	// Func is the Go name of the generated function that checks it.
	Func string
	// Origin is the schema location, for messages and comments.
	Origin string
	// Bool is set for the boolean schemas true and false.
	Bool *bool
	// Types are the allowed JSON types ("integer", "null", ...), or none.
	Types []string
	// Enum holds the allowed values, decoded JSON (nil, bool,
	// json.Number, string, []any, map[string]any); HasConst marks Const.
	Enum     []any
	HasEnum  bool
	Const    any
	HasConst bool
	// Number keywords, as exact decimals.
	Minimum, Maximum, ExclusiveMinimum, ExclusiveMaximum, MultipleOf string
	// String keywords.
	MinLength, MaxLength *int64
	Pattern              string
	// Array keywords.
	MinItems, MaxItems       *int64
	UniqueItems              bool
	PrefixItems              []*Schema
	Items                    *Schema
	Contains                 *Schema
	MinContains, MaxContains *int64
	UnevaluatedItems         *Schema
	// Object keywords.
	Properties            []SchemaProp
	PatternProperties     []SchemaPattern
	AdditionalProperties  *Schema
	Required              []string
	MinProps, MaxProps    *int64
	DependentRequired     []Dependent
	DependentSchemas      []SchemaProp
	PropertyNames         *Schema
	UnevaluatedProperties *Schema
	// Applicators, applied to the same instance.
	Ref                 *Schema
	AllOf, AnyOf, OneOf []*Schema
	Not                 *Schema
	If, Then, Else      *Schema
}

// SchemaProp is one entry of properties or dependentSchemas.
type SchemaProp struct {
	Name   string
	Schema *Schema
}

// SchemaPattern is one entry of patternProperties.
type SchemaPattern struct {
	Pattern string
	Schema  *Schema
}

// Dependent is one entry of dependentRequired: when Name is present, so
// must Required be.
type Dependent struct {
	Name     string
	Required []string
}

// Tracks reports whether the schema needs evaluated-property or item
// tracking in its own body (it has unevaluatedProperties or unevaluatedItems).
func (s *Schema) Tracks() bool {
	return s.UnevaluatedProperties != nil || s.UnevaluatedItems != nil
}

// AcceptsAll reports whether the schema accepts every JSON value and checks nothing: the boolean schema true, or a
// schema with no keyword at all. Such a schema gets no check function of its own; generated code skips its checks
// and, where a check function is passed as a value, passes the kit's no-op one.
func (s *Schema) AcceptsAll() bool {
	if s.Bool != nil {
		return *s.Bool
	}
	// Every field but the two names is a keyword, so a schema equal to the zero value but for them has none; an
	// added keyword field is covered without touching this.
	bare := *s
	bare.Func, bare.Origin = "", ""
	return reflect.DeepEqual(bare, Schema{})
}

// Package is everything one run of the generator emits into one Go file.
type Package struct {
	Name string
	// Types are the named types, sorted by name.
	Types []*Type
	// Tasks are sorted by name.
	Tasks []*Task
}

// Task is one lookup: its typed params and result, its source and policies.
type Task struct {
	Name string
	Doc  string
	// File is the spec's path as given to the generator, for messages.
	File string
	// Version changes whenever the spec or its types change; it is part of
	// every cache key.
	Version string
	// Params is the <Name>Params struct; Args are its required fields in
	// the order of "required" (the positional arguments), Options the rest.
	Params  *Type
	Args    []*Field
	Options []*Field
	// OptionsName is the Go name of the options struct, when Options is not empty.
	OptionsName string
	Result      *Type
	Source      Source
	// Maps are transform.fields, sorted by property path.
	Maps []FieldMap
	// TransformFunc is a user Go function run on the converted result.
	TransformFunc string
	Cache         Cache
	Retry         Retry
	Timeout       int64 // nanoseconds; 0 = none
	Fallbacks     []Fallback
	// Batch is the batch form of the task, nil when it has none.
	Batch *Batch
	// Private is appended to the names of the task's unexported Client
	// members when the plain names would clash with another task's (see
	// ClientNames); usually "".
	Private string
}

// ClientNames are the Go names of the members a task gives the generated
// Client: its exported methods, and the unexported fields and methods the
// generated code uses. Every name derived from a task name is listed
// here, so that one check (in the model) can keep them apart.
type ClientNames struct {
	// Exported methods; Batch is "" for a task without batching.
	Get, Async, Invalidate, Batch string
	// Unexported fields: the runtime task and its source's prepared forms.
	Task, Query, RowScanner, Request, BatchQuery, BatchRequest string
	// Source holds the prepared form of a source of a kind added through gen/source.
	Source string
	// Unexported methods.
	Fetch, FetchMany, Key string
}

// ClientNames returns the names of the task's Client members.
func (t *Task) ClientNames() ClientNames {
	n := ClientNames{Get: "Get" + t.Name, Async: "Get" + t.Name + "Async", Invalidate: "Invalidate" + t.Name}
	if t.Batch != nil {
		n.Batch = "Get" + t.Name + "Batch"
	}
	base := names.Unexported(t.Name) + t.Private
	n.Task, n.Query, n.RowScanner, n.Request = base, base+"Query", base+"RowScanner", base+"Request"
	n.BatchQuery, n.BatchRequest = base+"BatchQuery", base+"BatchRequest"
	n.Source = base + "Source"
	n.Fetch, n.FetchMany, n.Key = "fetch"+t.Name+t.Private, "fetchMany"+t.Name+t.Private, "key"+t.Name+t.Private
	return n
}

// Exported lists the exported method names, Private the others, in a fixed order.
func (n ClientNames) Exported() []string {
	out := []string{n.Get, n.Async, n.Invalidate}
	if n.Batch != "" {
		out = append(out, n.Batch)
	}
	return out
}

// Private lists the unexported field and method names.
func (n ClientNames) Private() []string {
	return []string{n.Task, n.Query, n.RowScanner, n.Request, n.BatchQuery, n.BatchRequest, n.Source, n.Fetch, n.FetchMany, n.Key}
}

// ClientOwnNames are the Client members every generated file declares.
func ClientOwnNames() []string { return []string{"x", "Execute", "Tasks"} }

// Batch describes how a task's lookups are batched: the key param, the
// result property that carries each record's key; the source's kind emits
// the batch form.
type Batch struct {
	MaxSize, Concurrency int64
	Wait                 int64 // nanoseconds
	// Key is the params' only property; ResultKey the result property matched against it, nil when the
	// source's batch form answers keys in order.
	Key       *Field
	ResultKey *Field
}

// FieldMap maps one result property (a path into nested objects) onto a
// source field: a column or key name, or a JSON pointer starting with "/".
type FieldMap struct {
	Prop []string
	From string
}

// Source is the task's source.
type Source struct {
	// Ext is a source of a kind added through gen/source, which checks, models and emits it.
	Ext ExtSource
}

// ExtSource is the checked source of one task, of a kind added through gen/source; the kind's own package
// defines what it holds and how it is emitted.
type ExtSource interface {
	// SourceKind is the kind's name, as specs spell it under "source".
	SourceKind() string
}

// Template is text with {param} placeholders: Parts has one more element
// than Params.
type Template struct {
	Parts  []string
	Params []*Field
}

// Cache holds durations in nanoseconds.
type Cache struct {
	TTL, NegativeTTL, StaleIfError int64
}

// Retry is the retry policy; delays are in nanoseconds.
type Retry struct {
	Attempts               int64
	InitialDelay, MaxDelay int64
	Jitter                 bool
}

// Fallback is either another task with the same params and result, or a
// constant value given as JSON already validated against the result schema.
type Fallback struct {
	Task  *Task
	Value []byte
}

// HoldsNull reports whether a value of the type can itself be JSON null:
// a JSON value, or a union with a branch that can.
func HoldsNull(t *Type) bool {
	return holdsNull(t, map[*Type]bool{})
}

func holdsNull(t *Type, seen map[*Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind {
	case JSON:
		return true
	case JSONEnum:
		for _, v := range t.Values {
			if v.Value == nil {
				return true
			}
		}
	case Union:
		for _, v := range t.Variants {
			if holdsNull(v.Type, seen) {
				return true
			}
		}
	}
	return false
}
