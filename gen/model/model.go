// Package model builds the intermediate representation (package ir) from
// loaded task specs: it walks the compiled JSON Schemas once, names every
// type, and checks everything that can be checked before Go code exists.
package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/token"
	"math/big"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/load"
	"github.com/reftask/reftask/gen/names"
	"github.com/reftask/reftask/internal/format"
)

// Build turns a loaded spec set into a package model for package pkg.
func Build(set *load.Set, pkg string) (*ir.Package, diag.List) {
	b := &builder{
		set:       set,
		byLoc:     map[string]*ir.Type{},
		byName:    map[string]string{},
		pending:   map[string]bool{},
		building:  map[string]*recursion{},
		progs:     map[string]*ir.Schema{},
		funcNames: map[string]bool{},
		conflicts: map[*jsonschema.Schema][]*jsonschema.Schema{},
		propOrder: map[*jsonschema.Schema][]string{},
		used:      map[string]bool{},
	}
	// Every generated file declares these; a schema that wants one of
	// them gets a suffix.
	for _, name := range []string{"Client", "NewClient"} {
		b.byName[name] = "reftaskgen:" + name
	}
	p := &ir.Package{Name: pkg}
	tasks := map[string]*ir.Task{}
	specs := map[string]*load.Spec{}
	for _, sp := range set.Specs {
		if _, dup := tasks[sp.Name]; dup {
			continue
		}
		t := b.task(sp)
		if t == nil {
			continue
		}
		b.unusedExtensions(sp.Params, sp.Result)
		tasks[sp.Name] = t
		specs[sp.Name] = sp
		p.Tasks = append(p.Tasks, t)
	}
	declared := set.Declared
	for _, t := range p.Tasks {
		b.fallbacks(t, specs[t.Name], tasks, declared)
	}
	b.fallbackCycles(p.Tasks, specs)
	b.clientNames(p.Tasks, specs)
	for _, t := range p.Tasks {
		t.Version = version(pkg, specs[t.Name], t)
	}
	for _, t := range b.named {
		p.Types = append(p.Types, t)
	}
	slices.SortFunc(p.Types, func(a, b *ir.Type) int { return strings.Compare(a.Name, b.Name) })
	return p, b.diags
}

type builder struct {
	set     *load.Set
	diags   diag.List
	byLoc   map[string]*ir.Type // named types by schema location
	byName  map[string]string   // Go type name -> schema location that owns it
	named   []*ir.Type
	pending map[string]bool // structs being built, to detect recursion
	// building are the schemas whose types are being built, by location;
	// depth is how many; tooDeep is set once MaxDepth is reported for the
	// task being built.
	building map[string]*recursion
	depth    int
	tooDeep  bool
	// progs are the validation programs of JSON types by schema
	// location; funcNames the Go function names they took.
	progs     map[string]*ir.Schema
	funcNames map[string]bool
	// near is the innermost schema being built that has a place in a spec
	// file, for errors about schemas that have none.
	near string
	// conflicts are the properties of merged allOf objects that several
	// parts declare, by placeholder schema; propOrder the property order of
	// merged objects.
	conflicts map[*jsonschema.Schema][]*jsonschema.Schema
	propOrder map[*jsonschema.Schema][]string
	// used are the x-go-* keywords read, by schema location + "/" + keyword (extensions.go).
	used map[string]bool
}

// errorCount counts the errors so far; warnings do not stop a task.
func (b *builder) errorCount() int {
	n := 0
	for _, d := range b.diags {
		if !d.Warning {
			n++
		}
	}
	return n
}

func (b *builder) errAt(loc, msg string) {
	d := b.set.Locate(loc)
	d.Msg = msg
	b.diags.Add(d)
}

func (b *builder) errSpec(sp *load.Spec, ptr, msg string) {
	d := diag.Diagnostic{File: sp.File.Path, Pointer: ptr, Msg: msg}
	d.Line, d.Col = sp.File.Index.Pos(ptr)
	b.diags.Add(d)
}

func (b *builder) task(sp *load.Spec) *ir.Task {
	before := b.errorCount()
	b.tooDeep = false
	t := &ir.Task{
		Name:    sp.Name,
		Doc:     sp.Description,
		File:    sp.File.Path,
		Cache:   ir.Cache{TTL: int64(sp.Cache.TTL), NegativeTTL: int64(sp.Cache.NegativeTTL), StaleIfError: int64(sp.Cache.StaleIfError)},
		Retry:   ir.Retry{Attempts: sp.Retry.Attempts, InitialDelay: int64(sp.Retry.InitialDelay), MaxDelay: int64(sp.Retry.MaxDelay), Jitter: sp.Retry.Jitter},
		Timeout: int64(sp.Timeout),
	}
	t.Params = b.params(sp, t)
	t.Result = b.result(sp)
	if t.Params == nil || t.Result == nil {
		return nil
	}
	t.Source.Ext = b.extSource(sp, t)
	b.transform(sp, t)
	b.batch(sp, t)
	if b.errorCount() > before {
		return nil
	}
	return t
}

// params builds <Name>Params and splits its fields into positional
// arguments (required, in the order of "required") and options.
func (b *builder) params(sp *load.Spec, t *ir.Task) *ir.Type {
	s := deref(sp.Params)
	if !slices.Equal(s.Types, []string{"object"}) {
		b.errSpec(sp, "/params", `params must be a schema of "type": "object"`)
		return nil
	}
	// Every param is a named argument: keys beyond the properties have no field, so a schema for them could be
	// checked neither in the typed methods nor in Execute, which would take any such key unchecked. (Pattern
	// properties are refused with the keywords params do not support.)
	if _, ok := s.AdditionalProperties.(*jsonschema.Schema); ok {
		b.errAt(s.Location+"/additionalProperties", "params cannot take additional properties by schema: each param is a named argument, so Execute could not check them; list them under properties (or set additionalProperties to false)")
	}
	st := b.structType(s, sp.Name+"Params", true)
	if st == nil {
		return nil
	}
	byJSON := map[string]*ir.Field{}
	for _, f := range st.Fields {
		byJSON[f.JSON] = f
	}
	for _, r := range s.Required {
		f, ok := byJSON[r]
		if !ok {
			b.errSpec(sp, "/params/required", fmt.Sprintf("required parameter %s is not among the properties", diag.Quote(r)))
			continue
		}
		t.Args = append(t.Args, f)
	}
	for _, f := range st.Fields {
		if !f.Required {
			t.Options = append(t.Options, f)
		}
	}
	if len(t.Options) > 0 {
		t.OptionsName = sp.Name + "Options"
		t.OptionsName = b.claim(t.OptionsName, sp.File.URL+"#/params")
	}
	// Fields in positional order, then options, so that two tasks whose
	// params agree have identical structs.
	ordered := slices.Clone(t.Args)
	ordered = append(ordered, t.Options...)
	st.Fields = ordered
	return st
}

func (b *builder) result(sp *load.Spec) *ir.Type {
	b.near = sp.File.URL + "#/result"
	return b.namedType(sp.Result, sp.Name+"Result")
}

// namedType returns a named Go type for a schema: a struct or enum named
// by its schema, or a Named wrapper around anything else.
func (b *builder) namedType(s *jsonschema.Schema, fallback string) *ir.Type {
	var t *ir.Type
	if ds := deref(s); b.nullableResult(ds) {
		// Get returns a pointer to the result, which cannot also say
		// null: a result that may be null itself is a JSON value, whose
		// IsNull tells.
		t = b.jsonType(ds, b.nameFor(ds, fallback))
	} else {
		t = b.typeOf(s, fallback)
	}
	if t == nil {
		return nil
	}
	if branches, oneOf, rest := unionBranches(deref(s)); t.Kind == ir.Pointer && branches != nil {
		// A union of one schema and null, which is a pointer elsewhere.
		t = b.union(deref(s), branches, oneOf, rest, fallback, false)
		if t == nil {
			return nil
		}
	}
	switch t.Kind {
	case ir.Struct, ir.Enum, ir.Named, ir.Union, ir.Tuple, ir.JSONEnum:
		return t
	case ir.GoType, ir.Pointer:
		if t.Kind == ir.GoType || t.Elem.Kind == ir.GoType {
			b.errAt(deref(s).Location+"/x-go-type", "x-go-type on a task's result itself is not supported: the result is a type reftaskgen generates; put x-go-type on its properties")
			return nil
		}
	}
	loc := deref(s).Location
	if nt, ok := b.byLoc[loc+"|named"]; ok {
		return nt
	}
	name := b.claim(b.nameFor(deref(s), fallback), loc)
	nt := &ir.Type{Kind: ir.Named, Name: name, Elem: t, Doc: deref(s).Description, Origin: loc}
	b.byLoc[loc+"|named"] = nt
	b.named = append(b.named, nt)
	return nt
}

// deref follows a schema that is only a $ref to its target. Load rejects a
// cycle of such schemas; the bound only keeps a missed one from hanging.
func deref(s *jsonschema.Schema) *jsonschema.Schema {
	for i := 0; s.Ref != nil && onlyRef(s) && i < 10000; i++ {
		s = s.Ref
	}
	return s
}

func onlyRef(s *jsonschema.Schema) bool {
	return len(s.Types) == 0 && s.Properties == nil && s.Items2020 == nil && s.Items == nil &&
		s.Enum == nil && s.Constant == nil && s.AdditionalProperties == nil && s.Format == "" &&
		s.AllOf == nil && s.AnyOf == nil && s.OneOf == nil && s.Not == nil && s.If == nil &&
		s.MinProperties < 0 && s.MaxProperties < 0 && len(s.Required) == 0 && s.PropertyNames == nil &&
		len(s.PatternProperties) == 0 && len(s.Dependencies) == 0 && len(s.DependentRequired) == 0 &&
		len(s.DependentSchemas) == 0 && s.UnevaluatedProperties == nil && s.MinItems < 0 && s.MaxItems < 0 &&
		!s.UniqueItems && s.AdditionalItems == nil && len(s.PrefixItems) == 0 && s.Contains == nil &&
		s.UnevaluatedItems == nil && s.MinLength < 0 && s.MaxLength < 0 && s.Pattern == nil &&
		s.Minimum == nil && s.Maximum == nil && s.ExclusiveMinimum == nil && s.ExclusiveMaximum == nil &&
		s.MultipleOf == nil && s.DynamicRef == nil && s.RecursiveRef == nil && s.Always == nil
}

// nameFor picks a Go type name: x-go-name, title, $defs key, file name,
// then the name the context suggests.
func (b *builder) nameFor(s *jsonschema.Schema, fallback string) string {
	if n := b.goName(s); n != "" {
		return n
	}
	if s.Title != "" {
		return names.Exported(s.Title)
	}
	_, frag, _ := strings.Cut(s.Location, "#")
	for _, key := range []string{"/$defs/", "/definitions/"} {
		if i := strings.LastIndex(frag, key); i >= 0 && !strings.Contains(frag[i+len(key):], "/") {
			return names.Exported(frag[i+len(key):])
		}
	}
	if frag == "" {
		base := path.Base(strings.TrimPrefix(s.Location, "file://"))
		base, _, _ = strings.Cut(base, "#")
		base = strings.TrimSuffix(base, ".json")
		base = strings.TrimSuffix(base, ".schema")
		if !strings.HasSuffix(base, ".task") {
			return names.Exported(base)
		}
	}
	return fallback
}

// claim reserves a Go name for the schema at loc and returns the name it
// gets. Names are claimed in one deterministic order, whatever the order
// files were read in: tasks sorted by name, then each task's params and
// result depth-first, properties in declaration order. The first claimant
// keeps the name; a later, different schema that wants it gets the first
// free numeric suffix (Thing2) and a warning.
func (b *builder) claim(name, loc string) string {
	prev, ok := b.byName[name]
	if !ok || prev == loc {
		b.byName[name] = loc
		return name
	}
	got := name
	for i := 2; ; i++ {
		got = fmt.Sprintf("%s%d", name, i)
		if _, taken := b.byName[got]; !taken {
			break
		}
	}
	b.byName[got] = loc
	d := b.set.Locate(strings.TrimSuffix(loc, constSuffix))
	d.Warning = true
	d.Msg = fmt.Sprintf("Go name %s is also wanted by %s; this one is named %s (give one of them a distinct \"title\" or \"x-go-name\")", diag.Clip(name), b.describeLoc(prev), diag.Clip(got))
	b.diags.Add(d)
	return got
}

// methodClash warns that what (a property, a tuple position, a union
// branch) at loc wants the Go field want, which is a method of the
// generated type typeName, and is named got instead.
func (b *builder) methodClash(loc, what, want, typeName, got string) {
	d := b.set.Locate(loc)
	d.Warning = true
	d.Msg = fmt.Sprintf("%s wants Go field %s, a method of %s; it is named %s (set \"x-go-name\" on it)", what, diag.Clip(want), diag.Clip(typeName), diag.Clip(got))
	b.diags.Add(d)
}

// explicitClash reports, as an error at loc's x-go-name, an x-go-name
// that names a method of the generated type typeName or a field another
// member already has: an x-go-name is an exact request, so it is never
// renamed the way a derived name is. It returns whether it reported.
func (b *builder) explicitClash(loc, want string, isMethod bool, holder, typeName string) bool {
	var why string
	switch {
	case isMethod:
		why = fmt.Sprintf("%s is the name of a method reftaskgen reserves on %s", diag.Clip(want), diag.Clip(typeName))
	case holder != "":
		why = fmt.Sprintf("%s is already the Go name of %s in %s", diag.Clip(want), holder, diag.Clip(typeName))
	default:
		return false
	}
	b.errAt(loc+"/x-go-name", fmt.Sprintf("x-go-name %s cannot be given: %s; choose another name", diag.Clip(want), why))
	return true
}

// constSuffix marks the location of an enum's constants, which share the
// package's namespace with its types.
const constSuffix = "|const"

func (b *builder) describeLoc(loc string) string {
	if name, ok := strings.CutPrefix(loc, "reftaskgen:"); ok {
		return "the generated " + name
	}
	d := b.set.Locate(strings.TrimSuffix(loc, constSuffix))
	if d.Line > 0 {
		return fmt.Sprintf("%s:%d:%d", d.File, d.Line, d.Col)
	}
	return d.File
}

// unsupported lists keywords the generator cannot honour yet; each is an
// error rather than a dropped constraint or an untyped value.
func unsupported(s *jsonschema.Schema) []string {
	var kw []string
	add := func(ok bool, name string) {
		if ok {
			kw = append(kw, name)
		}
	}
	add(s.Not != nil, "not")
	add(len(s.AllOf) > 0, "allOf")
	add(len(s.AnyOf) > 0, "anyOf")
	add(len(s.OneOf) > 0, "oneOf")
	add(s.If != nil, "if")
	add(s.PropertyNames != nil, "propertyNames")
	add(len(s.PatternProperties) > 0, "patternProperties")
	add(len(s.DependentRequired) > 0 || len(s.Dependencies) > 0, "dependentRequired")
	add(len(s.DependentSchemas) > 0, "dependentSchemas")
	add(s.UnevaluatedProperties != nil, "unevaluatedProperties")
	add(s.UnevaluatedItems != nil, "unevaluatedItems")
	add(s.Contains != nil, "contains")
	add(len(s.PrefixItems) > 0, "prefixItems")
	_, tuple := s.Items.([]*jsonschema.Schema)
	add(tuple, "items (array form)")
	add(s.AdditionalItems != nil, "additionalItems")
	add(s.DynamicRef != nil, "$dynamicRef")
	add(s.RecursiveRef != nil, "$recursiveRef")
	return kw
}

// MaxDepth is how deeply schemas may nest, counting every subschema that
// gets a Go type inside another, through $refs too. Each level adds to the
// names of inline types and to the nesting of generated code, so a limit
// keeps the output linear in the specs; a recursive schema is not deep,
// since its Go type refers to itself by name.
const MaxDepth = 100

// recursion records a schema whose type is being built, in case one of its
// parts refers back to it.
type recursion struct {
	suggested string
	// named is the named type the parts refer to, once one does; nullable
	// when the schema's type is a pointer to it.
	named    *ir.Type
	nullable bool
	// orNull is set when the schema's type will be a pointer to the type being built (its "type" lists
	// "null"): a reference from inside it must be that pointer too, as any other reference is.
	orNull bool
}

// typeOf builds the Go type of a schema. Inline objects and enums get the
// suggested name unless the schema names itself.
//
// A schema met again while its type is being built is recursive. Structs,
// unions and tuples are named before their parts are built, so they are
// found in byLoc; a map or array of itself gets a named type here (type
// Forest map[string]Forest), which its inner uses refer to.
func (b *builder) typeOf(s *jsonschema.Schema, suggested string) *ir.Type {
	s = deref(s)
	if t, ok := b.byLoc[s.Location]; ok {
		// A struct, tuple or enum is registered bare before its parts are built; a reference from inside a
		// nullable one gets the pointer its schema's type will be, so that null stays allowed (issue 11).
		if rec := b.building[s.Location]; rec != nil && rec.orNull && t.Kind != ir.Pointer {
			return &ir.Type{Kind: ir.Pointer, Elem: t, Origin: s.Location}
		}
		return t
	}
	if rec, ok := b.building[s.Location]; ok {
		return b.recursive(s, rec)
	}
	if b.tooDeepAt(s) {
		return nil
	}
	rec := &recursion{suggested: suggested}
	b.building[s.Location] = rec
	b.depth++
	t := b.buildType(s, suggested)
	b.depth--
	delete(b.building, s.Location)
	if rec.named != nil {
		return b.tie(s, rec, t)
	}
	if bare, ok := b.byLoc[s.Location]; ok && t != nil && t.Kind == ir.Pointer && t.Elem == bare {
		// Later references to this schema get its whole type, nullability included, not the bare one.
		b.byLoc[s.Location] = t
	}
	return t
}

// tooDeepAt reports whether a schema met at the current depth is past
// MaxDepth, and reports that once per task, at the first such schema.
func (b *builder) tooDeepAt(s *jsonschema.Schema) bool {
	if b.depth < MaxDepth {
		return false
	}
	if !b.tooDeep {
		b.tooDeep = true
		b.errAt(s.Location, fmt.Sprintf("schema nested more than %d levels deep (counting through $refs), reftaskgen's limit: generated names and code grow with each level; flatten it", MaxDepth))
	}
	return true
}

// recursive is the type of a schema at a place inside itself.
func (b *builder) recursive(s *jsonschema.Schema, rec *recursion) *ir.Type {
	if rec.named == nil {
		container, nullable, ok := recursiveShape(s)
		if !ok {
			b.errAt(s.Location, "schema refers back to itself, but not from inside an object or array of its own: a recursive schema needs \"type\": \"object\" (with properties or additionalProperties) or \"type\": \"array\" around the reference")
			return nil
		}
		if t, ok := b.byLoc[container.Location]; ok {
			// A nullable union of a struct, union or tuple, which already has its name.
			return &ir.Type{Kind: ir.Pointer, Elem: t, Origin: s.Location}
		}
		name := b.claim(b.nameFor(s, rec.suggested), s.Location)
		rec.named = &ir.Type{Kind: ir.Named, Name: name, Doc: s.Description, Origin: s.Location}
		rec.nullable = nullable
	}
	if rec.nullable {
		return &ir.Type{Kind: ir.Pointer, Elem: rec.named, Origin: s.Location}
	}
	return rec.named
}

// recursiveShape tells whether a schema whose parts refer back to it can
// be a recursive Go type: an object or array, or a union of one and null
// (the type is then a pointer to it). container is that object or array.
func recursiveShape(s *jsonschema.Schema) (container *jsonschema.Schema, nullable, ok bool) {
	if branches, _, rest := unionBranches(s); branches != nil {
		if rest != nil || len(branches) != 2 {
			return nil, false, false
		}
		for i, br := range branches {
			d := deref(br)
			c := *d
			c.Types = nil
			if slices.Equal(d.Types, []string{"null"}) && onlyRef(&c) {
				other := deref(branches[1-i])
				if slices.Contains(other.Types, "null") {
					return nil, false, false
				}
				container, _, ok = recursiveShape(other)
				return container, true, ok
			}
		}
		return nil, false, false
	}
	if needsJSON(s) != "" {
		return nil, false, false
	}
	types := slices.DeleteFunc(slices.Clone(s.Types), func(x string) bool { return x == "null" })
	if len(types) != 1 || (types[0] != "object" && types[0] != "array") {
		return nil, false, false
	}
	return s, slices.Contains(s.Types, "null"), true
}

// tie completes the named type that the parts of a recursive map or array
// refer to, now that its own type t is built.
func (b *builder) tie(s *jsonschema.Schema, rec *recursion, t *ir.Type) *ir.Type {
	if t == nil {
		return nil
	}
	inner := t
	if t.Kind == ir.Pointer {
		inner = t.Elem
	}
	if inner.Kind != ir.Map && inner.Kind != ir.Slice {
		b.errAt(s.Location, "schema refers back to itself, but not from inside an object or array of its own: a recursive schema needs \"type\": \"object\" (with properties or additionalProperties) or \"type\": \"array\" around the reference")
		return nil
	}
	rec.named.Elem = inner
	b.named = append(b.named, rec.named)
	out := rec.named
	if t.Kind == ir.Pointer {
		out = &ir.Type{Kind: ir.Pointer, Elem: rec.named, Origin: s.Location}
	}
	b.byLoc[s.Location] = out
	return out
}

// buildType builds the Go type of a schema met for the first time.
func (b *builder) buildType(s *jsonschema.Schema, suggested string) *ir.Type {
	if raw, ok := b.keyword(s, xGoType); ok {
		return b.externalType(s, raw)
	}
	if branches, oneOf, rest := unionBranches(s); branches != nil {
		return b.union(s, branches, oneOf, rest, suggested, true)
	}
	if _, _, _, ok := tupleParts(s); ok {
		return b.tuple(s, suggested)
	}
	if m := b.mergedObject(s); m != nil {
		return b.structType(m, b.nameFor(s, suggested), false)
	}
	if needsJSON(s) != "" {
		if vals, ok := jsonEnumValues(s); ok {
			return b.jsonEnum(s, vals, suggested)
		}
		t := b.jsonType(s, b.nameFor(s, suggested))
		if t != nil {
			b.byLoc[s.Location] = t
		}
		return t
	}
	types := slices.Clone(s.Types)
	nullable := slices.Contains(types, "null")
	if rec := b.building[s.Location]; rec != nil {
		rec.orNull = nullable
	}
	types = slices.DeleteFunc(types, func(x string) bool { return x == "null" })
	if len(types) == 0 && len(s.Enum) > 0 {
		types = enumTypes(s.Enum)
	}
	if len(types) == 0 && len(s.Constant) > 0 {
		types = enumTypes(s.Constant)
	}
	var t *ir.Type
	switch types[0] {
	case "object":
		t = b.object(s, suggested)
	case "array":
		t = b.array(s, suggested)
	case "string", "integer", "number", "boolean":
		t = b.scalar(s, types[0], suggested)
	default:
		b.errAt(s.Location, "unknown type "+diag.Quote(types[0]))
	}
	if t == nil {
		return nil
	}
	if nullable {
		return &ir.Type{Kind: ir.Pointer, Elem: t, Origin: s.Location}
	}
	return t
}

// newField is a struct property or tuple position of type ft, wrapped as
// README's table says: a required non-null value is plain, an optional or
// a nullable one a pointer, an optional nullable one a runtime.OptNull,
// and a JSON value (which holds null itself) a pointer only when optional.
func newField(name, json, doc string, ft *ir.Type, required bool) *ir.Field {
	field := &ir.Field{Name: name, JSON: json, Doc: doc, Required: required}
	field.Nullable = ft.Kind == ir.Pointer || ir.HoldsNull(ft)
	switch {
	case ir.HoldsNull(ft) && !required:
		field.Type = &ir.Type{Kind: ir.Pointer, Elem: ft, Origin: ft.Origin}
	case ir.HoldsNull(ft):
		field.Type = ft
	case !required && field.Nullable:
		field.Type = &ir.Type{Kind: ir.OptNull, Elem: ft.Elem, Origin: ft.Origin}
	case !required:
		field.Type = &ir.Type{Kind: ir.Pointer, Elem: ft, Origin: ft.Origin}
	default:
		field.Type = ft
	}
	return field
}

// breakCycle makes an optional, nullable field of a struct or tuple whose
// type is being built (it refers back to its own object) a
// runtime.OptNull of a pointer: an OptNull holds its value in place, and a
// Go type cannot hold itself.
func (b *builder) breakCycle(f *ir.Field) *ir.Field {
	if f.Type.Kind == ir.OptNull && (f.Type.Elem.Kind == ir.Struct || f.Type.Elem.Kind == ir.Tuple) && b.building[f.Type.Elem.Origin] != nil {
		f.Type = &ir.Type{Kind: ir.OptNull, Elem: &ir.Type{Kind: ir.Pointer, Elem: f.Type.Elem, Origin: f.Type.Origin}, Origin: f.Type.Origin}
	}
	return f
}

func enumTypes(vals []any) []string {
	var out []string
	for _, v := range vals {
		var k string
		switch x := v.(type) {
		case string:
			k = "string"
		case bool:
			k = "boolean"
		case json.Number:
			k = "number"
			if _, err := x.Int64(); err == nil {
				k = "integer"
			}
		case float64:
			k = "number"
		case nil:
			k = "null"
		default:
			k = "object"
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	if len(out) == 2 && slices.Contains(out, "integer") && slices.Contains(out, "number") {
		return []string{"number"}
	}
	return out
}

func (b *builder) object(s *jsonschema.Schema, suggested string) *ir.Type {
	if len(s.Properties) == 0 && len(s.PatternProperties) == 0 {
		if ap, ok := s.AdditionalProperties.(*jsonschema.Schema); ok {
			elem := b.typeOf(ap, suggested+"Value")
			if elem == nil {
				return nil
			}
			return &ir.Type{Kind: ir.Map, Elem: elem, Origin: s.Location, Check: b.objectChecks(s)}
		}
		b.errAt(s.Location, "an object needs \"properties\" or an \"additionalProperties\" schema to have a Go type")
		return nil
	}
	return b.structType(s, b.nameFor(s, suggested), false)
}

func (b *builder) objectChecks(s *jsonschema.Schema) ir.Constraints {
	var c ir.Constraints
	if s.MinProperties >= 0 {
		c.MinProps = ptr(int64(s.MinProperties))
	}
	if s.MaxProperties >= 0 {
		c.MaxProps = ptr(int64(s.MaxProperties))
	}
	return c
}

func (b *builder) structType(s *jsonschema.Schema, name string, isParams bool) *ir.Type {
	if !isParams {
		if kws := unsupportedTyped(s); len(kws) > 0 {
			return nil
		}
	} else if kws := unsupported(s); len(kws) > 0 {
		b.errAt(s.Location, fmt.Sprintf("keyword %s is not supported by reftaskgen yet; restructure the schema without it", strings.Join(kws, ", ")))
		return nil
	}
	name = b.claim(name, s.Location)
	t := &ir.Type{Kind: ir.Struct, Name: name, Doc: s.Description, Origin: s.Location, Check: b.objectChecks(s)}
	if ap, ok := s.AdditionalProperties.(bool); ok && !ap {
		t.Closed = true
	}
	if !isParams {
		b.byLoc[s.Location] = t
	}
	b.named = append(b.named, t)
	b.pending[s.Location] = true
	defer delete(b.pending, s.Location)

	// Declaration order in the file, so fields read as the author wrote them.
	props := b.sortedProps(s)
	// goNames maps each Go field name taken to its property ("" for a
	// method of the struct, or a map field).
	goNames := map[string]string{}
	for _, m := range ir.Methods(ir.Struct) {
		goNames[m] = ""
	}
	free := func(base string) string {
		got := base
		for i := 2; ; i++ {
			if _, taken := goNames[got]; !taken {
				return got
			}
			got = fmt.Sprintf("%s%d", base, i)
		}
	}
	for _, p := range props {
		ps := s.Properties[p]
		fname := names.Exported(p)
		explicit := b.goName(ps)
		if explicit != "" {
			fname = explicit
		}
		if explicit != "" {
			holder := ""
			if other, ok := goNames[explicit]; ok && !ir.IsMethod(ir.Struct, explicit) {
				holder = "property " + diag.Quote(other)
			}
			if b.explicitClash(ps.Location, explicit, ir.IsMethod(ir.Struct, explicit), holder, name) {
				continue
			}
		}
		if ir.IsMethod(ir.Struct, fname) {
			base := fname
			fname = free(base)
			b.methodClash(ps.Location, "property "+diag.Quote(p), base, name, fname)
		} else if other, ok := goNames[fname]; ok {
			base := fname
			fname = free(base)
			d := b.set.Locate(ps.Location)
			d.Warning = true
			d.Msg = fmt.Sprintf("properties %s and %s both want Go field %s; %s is named %s (set \"x-go-name\" on one)", diag.Quote(other), diag.Quote(p), diag.Clip(base), diag.Quote(p), diag.Clip(fname))
			b.diags.Add(d)
		}
		goNames[fname] = p
		required := slices.Contains(s.Required, p)
		target := deref(ps)
		if b.pending[target.Location] && required && !slices.Contains(target.Types, "null") {
			b.errAt(ps.Location, fmt.Sprintf("required property %s refers back to %s without null: no finite value satisfies it", diag.Quote(p), diag.Clip(name)))
			continue
		}
		var ft *ir.Type
		if parts, ok := b.conflicts[ps]; ok {
			ft = b.conflictType(parts, "check"+name+fname)
		} else {
			ft = b.typeOf(ps, name+fname)
		}
		if ft == nil {
			continue
		}
		t.Fields = append(t.Fields, b.breakCycle(newField(fname, p, target.Description, ft, required)))
	}
	for _, r := range s.Required {
		if _, ok := s.Properties[r]; !ok && !isParams {
			b.errAt(s.Location, fmt.Sprintf("required property %s is not among the properties", diag.Quote(r)))
		}
	}
	if !isParams && !b.mapFields(s, t, goNames) {
		return nil
	}
	return t
}

func (b *builder) array(s *jsonschema.Schema, suggested string) *ir.Type {
	var items *jsonschema.Schema
	switch {
	case s.Items2020 != nil:
		items = s.Items2020
	case s.Items != nil:
		items, _ = s.Items.(*jsonschema.Schema)
	}
	if items == nil {
		b.errAt(s.Location, "an array needs an \"items\" schema to have a Go type")
		return nil
	}
	elem := b.typeOf(items, strings.TrimSuffix(suggested, "s")+"Item")
	if elem == nil {
		return nil
	}
	c := ir.Constraints{UniqueItems: s.UniqueItems}
	if s.MinItems >= 0 {
		c.MinItems = ptr(int64(s.MinItems))
	}
	if s.MaxItems >= 0 {
		c.MaxItems = ptr(int64(s.MaxItems))
	}
	return &ir.Type{Kind: ir.Slice, Elem: elem, Check: c, Origin: s.Location}
}

func (b *builder) scalar(s *jsonschema.Schema, typ, suggested string) *ir.Type {
	var kind ir.Kind
	switch typ {
	case "string":
		kind = ir.String
		if s.Format == "date-time" || ir.TypedFormat(s.Format) {
			// An enum or const already pins the values; they are checked
			// against the format here, and the type stays a string.
			for _, v := range append(slices.Clone(s.Enum), s.Constant...) {
				if str, ok := v.(string); ok {
					if err := format.Check(s.Format, str); err != nil {
						b.errAt(s.Location, fmt.Sprintf("%s value %s does not match its format: %v", map[bool]string{true: "enum", false: "const"}[len(s.Enum) > 0], diag.Quote(str), err))
						return nil
					}
				}
			}
			if len(s.Enum) == 0 && len(s.Constant) == 0 {
				kind = ir.Format
				if s.Format == "date-time" {
					kind = ir.Time
				}
			}
		}
	case "integer":
		kind = ir.Int
	case "number":
		kind = ir.Float
	case "boolean":
		kind = ir.Bool
	}
	c := scalarConstraints(s, typ)
	if kind == ir.Int {
		for _, r := range []*big.Rat{c.Minimum, c.Maximum, c.ExclusiveMinimum, c.ExclusiveMaximum, c.MultipleOf} {
			if r != nil && !r.IsInt() {
				b.errAt(s.Location, fmt.Sprintf("integer bound %s is not an integer", diag.Clip(r.RatString())))
				return nil
			}
		}
	}
	if len(s.Constant) > 0 {
		v, ok := scalarValue(s.Constant[0], kind)
		if !ok {
			b.errAt(s.Location, fmt.Sprintf("const %s is not %s %s", diag.Value(s.Constant[0]), article(typ), typ))
			return nil
		}
		c.Const = v
	}
	base := &ir.Type{Kind: kind, Check: c, Origin: s.Location}
	if kind == ir.Format {
		base.Format = s.Format
	}
	if len(s.Enum) == 0 {
		return base
	}
	name := b.claim(b.nameFor(s, suggested), s.Location)
	enumNames, ok := b.enumNames(s)
	if !ok {
		return nil
	}
	et := &ir.Type{Kind: ir.Enum, Name: name, Elem: base, Doc: s.Description, Origin: s.Location}
	consts := map[string]bool{}
	// A value listed twice (or written twice, as 1 and 1.0) is one value
	// of the enum, with one constant: the first one's.
	first := map[any]int{}
	for i, v := range s.Enum {
		val, ok := scalarValue(v, kind)
		if !ok {
			if v == nil {
				b.errAt(s.Location, "null in enum: add \"null\" to \"type\" instead")
			} else {
				b.errAt(s.Location, fmt.Sprintf("enum value %s is not %s %s", diag.Value(v), article(typ), typ))
			}
			return nil
		}
		if j, dup := first[val]; dup {
			if i < len(enumNames) && enumNames[i] != enumNames[j] {
				b.errAt(s.Location+"/x-go-enum-names/"+strconv.Itoa(i), fmt.Sprintf("enum value %s is listed twice, named %s and %s; one value has one constant", diag.Quote(fmt.Sprint(v)), diag.Clip(enumNames[j]), diag.Clip(enumNames[i])))
				return nil
			}
			continue
		}
		first[val] = i
		cn := name + names.Exported(fmt.Sprint(val))
		if i < len(enumNames) {
			cn = enumNames[i]
		}
		if consts[cn] {
			base := cn
			for i := 2; consts[cn]; i++ {
				cn = fmt.Sprintf("%s%d", base, i)
			}
			d := b.set.Locate(s.Location)
			d.Warning = true
			d.Msg = fmt.Sprintf("enum value %s gives constant %s like an earlier value; it is named %s", diag.Quote(fmt.Sprint(val)), diag.Clip(base), diag.Clip(cn))
			b.diags.Add(d)
		}
		consts[cn] = true
		cn = b.claim(cn, s.Location+constSuffix)
		et.Values = append(et.Values, ir.EnumValue{Const: cn, Value: val})
	}
	b.byLoc[s.Location] = et
	b.named = append(b.named, et)
	return et
}

// scalarConstraints are the keywords of s that apply to values of the
// JSON type typ. JSON Schema applies each keyword only to the instances
// of the type it is about ({"type": "string", "minimum": 5} accepts every
// string), so the others constrain nothing and generated code, which
// could not even apply them to the Go type, leaves them out. String
// keywords on a format apply to the value's text.
func scalarConstraints(s *jsonschema.Schema, typ string) ir.Constraints {
	var c ir.Constraints
	switch typ {
	case "string":
		if s.MinLength >= 0 {
			c.MinLength = ptr(int64(s.MinLength))
		}
		if s.MaxLength >= 0 {
			c.MaxLength = ptr(int64(s.MaxLength))
		}
		if s.Pattern != nil {
			c.Pattern = s.Pattern.String()
		}
	case "integer", "number":
		c.Minimum, c.Maximum = s.Minimum, s.Maximum
		c.ExclusiveMinimum, c.ExclusiveMaximum = s.ExclusiveMinimum, s.ExclusiveMaximum
		c.MultipleOf = s.MultipleOf
	}
	return c
}

func scalarValue(v any, kind ir.Kind) (any, bool) {
	switch kind {
	case ir.String:
		s, ok := v.(string)
		return s, ok
	case ir.Bool:
		x, ok := v.(bool)
		return x, ok
	case ir.Int:
		switch n := v.(type) {
		case json.Number:
			if i, err := n.Int64(); err == nil {
				return i, true
			}
			if r, ok := new(big.Rat).SetString(n.String()); ok && r.IsInt() && r.Num().IsInt64() {
				return r.Num().Int64(), true
			}
		case float64:
			if n == float64(int64(n)) {
				return int64(n), true
			}
		}
	case ir.Float:
		switch n := v.(type) {
		case json.Number:
			f, err := n.Float64()
			return f, err == nil
		case float64:
			return n, true
		}
	}
	return nil, false
}

// listShown is how many names a message lists before it counts the rest.
const listShown = 10

// listJSON lists the JSON names of fields for a message, each cut, at most listShown of them.
func listJSON(fs []*ir.Field) string {
	var out []string
	for _, f := range fs {
		if len(out) == listShown {
			out = append(out, fmt.Sprintf("and %d more", len(fs)-listShown))
			break
		}
		out = append(out, ":"+diag.Clip(f.JSON))
	}
	if len(out) == 0 {
		return "no properties"
	}
	return strings.Join(out, ", ")
}

// describe names a type's kind with its article, for messages.
func describe(t *ir.Type) string {
	switch t.Kind {
	case ir.Pointer, ir.OptNull, ir.Named:
		return describe(t.Elem)
	case ir.Struct:
		return "an object"
	case ir.Slice:
		return "an array"
	case ir.Map:
		return "a map"
	case ir.Int:
		return "an integer"
	case ir.Enum:
		return "an enum"
	case ir.JSON:
		return "a JSON value"
	case ir.Format:
		return article(t.Format) + " " + t.Format
	case ir.GoType:
		return "a " + TypeSig(t)
	case ir.Union:
		return "a union"
	case ir.Tuple:
		return "a tuple"
	}
	return "a " + t.Kind.String()
}

func (b *builder) fallbacks(t *ir.Task, sp *load.Spec, tasks map[string]*ir.Task, declared map[string]bool) {
	for _, fb := range sp.Fallbacks {
		switch {
		case fb.Task != "":
			other, ok := tasks[fb.Task]
			if !ok && declared[fb.Task] {
				continue // that task's own errors are reported where it is declared
			}
			if !ok {
				b.errSpec(sp, fb.Pointer+"/task", "unknown task "+diag.Quote(fb.Task))
				continue
			}
			if other == t {
				b.errSpec(sp, fb.Pointer+"/task", "a task cannot fall back to itself")
				continue
			}
			if other.Result != t.Result {
				b.errSpec(sp, fb.Pointer+"/task", fmt.Sprintf("task %s returns %s, not %s: a fallback task must return the same result type", diag.Clip(other.Name), diag.Clip(other.Result.Name), diag.Clip(t.Result.Name)))
				continue
			}
			if a, o := paramsSig(t), paramsSig(other); a != o {
				b.errSpec(sp, fb.Pointer+"/task", fmt.Sprintf("task %s takes params (%s), not (%s): a fallback task must take the same params", diag.Clip(other.Name), diag.Clip(o), diag.Clip(a)))
				continue
			}
			t.Fallbacks = append(t.Fallbacks, ir.Fallback{Task: other})
		default:
			// Numbers stay exact: 1e400 is a valid JSON value, which a
			// float64 cannot hold; fitsGo says whether the result's types can.
			doc, err := decodeNumber(fb.Value)
			if err != nil {
				b.errSpec(sp, fb.Pointer+"/value", "invalid JSON: "+err.Error())
				continue
			}
			if err := sp.Result.Validate(doc); err != nil {
				var ve *jsonschema.ValidationError
				if errors.As(err, &ve) {
					for _, leaf := range leafErrs(ve) {
						b.errSpec(sp, fb.Pointer+"/value"+load.SchemaPointer(leaf.InstanceLocation), "fallback value does not match the result schema: "+leaf.Message)
					}
				} else {
					b.errSpec(sp, fb.Pointer+"/value", err.Error())
				}
				continue
			}
			if ptr, why := fitsGo(doc, t.Result, ""); why != "" {
				b.errSpec(sp, fb.Pointer+"/value"+ptr, "fallback value cannot be held by the generated Go type: "+why)
				continue
			}
			compact, err := compactJSON(fb.Value)
			if err != nil {
				b.errSpec(sp, fb.Pointer+"/value", err.Error())
				continue
			}
			t.Fallbacks = append(t.Fallbacks, ir.Fallback{Value: compact})
		}
	}
}

// clientNames keeps apart the names tasks give the generated Client. An
// exported method two tasks would both declare (task A's GetAAsync and
// task AAsync's GetAAsync) is an error at the later task's name, since a
// method the caller sees cannot be renamed behind their back; clashing
// unexported members (tasks ABC and Abc both want the field abc) get a
// numeric suffix instead.
func (b *builder) clientNames(tasks []*ir.Task, specs map[string]*load.Spec) {
	taken := map[string]string{}
	for _, n := range ir.ClientOwnNames() {
		taken[n] = "the generated Client"
	}
	for _, t := range tasks {
		for _, m := range t.ClientNames().Exported() {
			if other, ok := taken[m]; ok {
				b.errSpec(specs[t.Name], "/name", fmt.Sprintf("task %s would declare the method %s, which %s already declares; rename one of the tasks", diag.Clip(t.Name), diag.Clip(m), diag.Clip(other)))
				continue
			}
			taken[m] = "task " + t.Name
		}
	}
	clash := func(m string) bool { _, ok := taken[m]; return ok }
	for _, t := range tasks {
		for i := 2; slices.ContainsFunc(t.ClientNames().Private(), clash); i++ {
			t.Private = strconv.Itoa(i)
		}
		for _, m := range t.ClientNames().Private() {
			taken[m] = "task " + t.Name
		}
	}
}

func (b *builder) fallbackCycles(tasks []*ir.Task, specs map[string]*load.Spec) {
	for _, t := range tasks {
		seen := map[*ir.Task]bool{}
		var walk func(x *ir.Task) bool
		walk = func(x *ir.Task) bool {
			if seen[x] {
				return x == t
			}
			seen[x] = true
			for _, fb := range x.Fallbacks {
				if fb.Task != nil && (fb.Task == t || walk(fb.Task)) {
					return true
				}
			}
			return false
		}
		if walk(t) {
			b.errSpec(specs[t.Name], "/fallback", fmt.Sprintf("fallback tasks of %s lead back to %s", diag.Clip(t.Name), diag.Clip(t.Name)))
		}
	}
}

// paramsSig renders params as Go field names and types, so that two tasks
// with the same signature share a struct layout.
func paramsSig(t *ir.Task) string {
	var parts []string
	for _, f := range t.Params.Fields {
		parts = append(parts, f.Name+" "+TypeSig(f.Type))
	}
	return strings.Join(parts, ", ")
}

// TypeSig renders a type as Go source, with named types by name.
func TypeSig(t *ir.Type) string {
	switch t.Kind {
	case ir.String:
		return "string"
	case ir.Int:
		return "int64"
	case ir.Float:
		return "float64"
	case ir.Bool:
		return "bool"
	case ir.Time:
		return "time.Time"
	case ir.Enum, ir.Struct, ir.Named, ir.Union, ir.Tuple, ir.JSONEnum:
		return t.Name
	case ir.Slice:
		return "[]" + TypeSig(t.Elem)
	case ir.Map:
		return "map[string]" + TypeSig(t.Elem)
	case ir.Pointer:
		return "*" + TypeSig(t.Elem)
	case ir.OptNull:
		return "runtime.OptNull[" + TypeSig(t.Elem) + "]"
	case ir.JSON:
		return "runtime.JSONValue"
	case ir.Format:
		return FormatGoType(t.Format)
	case ir.GoType:
		if t.GoPath == "" {
			return t.GoName
		}
		return path.Base(t.GoPath) + "." + t.GoName
	}
	return "?"
}

// deepSig renders a named type with its structure, for version hashes.
func deepSig(t *ir.Type, seen map[*ir.Type]bool, b *strings.Builder) {
	switch t.Kind {
	case ir.Struct:
		b.WriteString(t.Name)
		if seen[t] {
			return
		}
		seen[t] = true
		b.WriteString("{")
		for _, f := range t.Fields {
			fmt.Fprintf(b, "%s %s:", f.Name, f.JSON)
			deepSig(f.Type, seen, b)
			b.WriteString(";")
		}
		for _, m := range append(slices.Clone(t.Patterns), t.Extra) {
			if m != nil {
				fmt.Fprintf(b, "%s /%s/:", m.Name, m.Pattern)
				deepSig(m.Elem, seen, b)
				b.WriteString(";")
			}
		}
		b.WriteString("}")
	case ir.Union:
		b.WriteString(t.Name)
		if seen[t] {
			return
		}
		seen[t] = true
		fmt.Fprintf(b, "<%v %s|", t.OneOf, t.Discriminator)
		for _, v := range t.Variants {
			fmt.Fprintf(b, "%s %v:", v.Name, v.Tag)
			deepSig(v.Type, seen, b)
			b.WriteString(";")
		}
		b.WriteString(">")
	case ir.Tuple:
		b.WriteString(t.Name)
		if seen[t] {
			return
		}
		seen[t] = true
		fmt.Fprintf(b, "[%v ", t.Closed)
		for _, f := range t.Fields {
			fmt.Fprintf(b, "%s %v:", f.Name, f.Required)
			deepSig(f.Type, seen, b)
			b.WriteString(";")
		}
		if t.Elem != nil {
			deepSig(t.Elem, seen, b)
		}
		b.WriteString("]")
	case ir.JSONEnum:
		b.WriteString(t.Name + "=")
		for _, v := range t.Values {
			b.WriteString(v.Const + ":" + v.JSON + ";")
		}
	case ir.Enum, ir.Named:
		b.WriteString(t.Name)
		if seen[t] {
			return // a recursive map or array
		}
		seen[t] = true
		b.WriteString("=")
		deepSig(t.Elem, seen, b)
	case ir.Slice, ir.Map, ir.Pointer, ir.OptNull:
		b.WriteString(t.Kind.String() + "(")
		deepSig(t.Elem, seen, b)
		b.WriteString(")")
	default:
		b.WriteString(TypeSig(t))
	}
}

func version(pkg string, sp *load.Spec, t *ir.Task) string {
	var sb strings.Builder
	sb.WriteString(pkg + "\x00")
	sb.Write(sp.Raw)
	sb.WriteString("\x00")
	deepSig(t.Params, map[*ir.Type]bool{}, &sb)
	sb.WriteString("\x00")
	deepSig(t.Result, map[*ir.Type]bool{}, &sb)
	sum := sha256.Sum256([]byte(sb.String()))
	return hex.EncodeToString(sum[:8])
}

func ptr[T any](v T) *T { return &v }

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func mapKeys[M ~map[K]V, K comparable, V any](m M) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// FormatGoType is the Go type of a typed string format, as Go source.
func FormatGoType(format string) string {
	switch format {
	case "date":
		return "runtime.Date"
	case "time":
		return "runtime.TimeOfDay"
	case "duration":
		return "runtime.Duration"
	case "uuid":
		return "runtime.UUID"
	case "email":
		return "runtime.Email"
	case "uri":
		return "runtime.URI"
	case "ipv4", "ipv6":
		return "netip.Addr"
	}
	return "string"
}

func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// goFunc checks the name of a Go function a spec names, which generated
// code calls as it is: the meta-schema admits Go keywords and the blank
// identifier, which no function can be named.
func (b *builder) goFunc(sp *load.Spec, ptr, name string) {
	if name != "" && (token.IsKeyword(name) || name == "_") {
		b.errSpec(sp, ptr, diag.Quote(name)+" is not a name a Go function can have")
	}
}

// goName returns the x-go-name of s, or "" when it has none. The name
// becomes Go code as it is, so a value that is not an exported Go
// identifier is an error at the keyword, never ignored.
func (b *builder) goName(s *jsonschema.Schema) string {
	v, ok := b.keyword(s, xGoName)
	if !ok {
		return ""
	}
	if n, ok := v.(string); ok && names.IsExportedIdent(n) {
		return n
	}
	text := diag.Value(v)
	if _, ok := v.(string); !ok {
		raw, _ := json.Marshal(v)
		text = diag.Clip(string(raw))
	}
	b.errAt(s.Location+"/"+xGoName, fmt.Sprintf("x-go-name %s is not an exported Go identifier (an upper-case letter, then letters, digits or _)", text))
	return ""
}

// keyword returns the value of an x-go-* keyword of s, as the compiler's
// x-go extension kept it (load.GoKeywords), and marks it read.
func (b *builder) keyword(s *jsonschema.Schema, name string) (any, bool) {
	k := load.GoKeywordsOf(s)
	if k == nil {
		return nil, false
	}
	v, ok := k.Values[name]
	if ok {
		b.markUsed(s.Location, name)
	}
	return v, ok
}

// isAnnotation reports whether x-go-type leaves a keyword meaningful: it
// describes the value or names it, and constrains nothing.
func isAnnotation(keyword string) bool {
	switch keyword {
	case "type", "title", "description", "$comment", "examples", "default", "deprecated", "readOnly", "writeOnly",
		"$id", "$schema", "$anchor", "$defs", "definitions", "x-go-type", "x-go-name":
		return true
	}
	return false
}

// externalType is the Go type a spec names with x-go-type. It replaces
// the generated type and its validation, so a schema that still has
// constraints is an error rather than a silently unchecked keyword.
func (b *builder) externalType(s *jsonschema.Schema, raw any) *ir.Type {
	at := s.Location + "/x-go-type"
	spec, ok := raw.(string)
	if !ok || spec == "" {
		b.errAt(at, `x-go-type must be a Go type: a builtin such as "int32", a type of the output package such as "Money", or "import/path.Type"`)
		return nil
	}
	t := &ir.Type{Kind: ir.GoType, Origin: s.Location, Doc: s.Description}
	if i := strings.LastIndexByte(spec, '.'); i > strings.LastIndexByte(spec, '/') {
		t.GoPath, t.GoName = spec[:i], spec[i+1:]
		if !validImportPath(t.GoPath) || !names.IsExportedIdent(t.GoName) {
			b.errAt(at, fmt.Sprintf("x-go-type %s is not \"import/path.Type\" with an exported type name", diag.Quote(spec)))
			return nil
		}
	} else {
		t.GoName = spec
		if ir.BuiltinKind(spec) == "" && !names.IsExportedIdent(spec) {
			b.errAt(at, fmt.Sprintf("x-go-type %s is neither a builtin (int32, uint8, float32, string, bool, ...) nor an exported type of the output package", diag.Quote(spec)))
			return nil
		}
	}
	var kws []string
	for _, k := range load.GoKeywordsOf(s).Keywords { // s has x-go-type, so it has GoKeywords
		if !isAnnotation(k) {
			kws = append(kws, k)
		}
	}
	if len(kws) > 0 {
		b.errAt(at, fmt.Sprintf("x-go-type %s replaces the generated type and its validation, so %s cannot be checked; remove x-go-type or the keywords", diag.Clip(spec), strings.Join(kws, ", ")))
		return nil
	}
	types := slices.DeleteFunc(slices.Clone(s.Types), func(x string) bool { return x == "null" })
	if len(types) > 1 {
		b.errAt(at, fmt.Sprintf("x-go-type %s needs a schema of one type, not %s", diag.Clip(spec), diag.Clip(strings.Join(types, ", "))))
		return nil
	}
	if want := ir.BuiltinKind(t.GoName); t.GoPath == "" && want != "" && len(types) == 1 && types[0] != want {
		b.errAt(at, fmt.Sprintf("x-go-type %s holds a JSON %s, but the schema's type is %s", diag.Clip(spec), want, diag.Clip(types[0])))
		return nil
	}
	if slices.Contains(s.Types, "null") {
		return &ir.Type{Kind: ir.Pointer, Elem: t, Origin: s.Location}
	}
	return t
}

// validImportPath reports whether p may be written in an import
// declaration: slash-separated elements of letters, digits and -._~+, none
// empty or starting with a dot, as the go command requires. The path
// becomes Go code, so anything else is an error, not an import.
func validImportPath(p string) bool {
	if p == "" {
		return false
	}
	for _, elem := range strings.Split(p, "/") {
		if elem == "" || elem[0] == '.' {
			return false
		}
		for _, r := range elem {
			ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~+", r)
			if !ok {
				return false
			}
		}
	}
	return true
}

// enumNames reads x-go-enum-names: the Go constant names of an enum's
// values, in order, instead of the type name followed by the value.
func (b *builder) enumNames(s *jsonschema.Schema) ([]string, bool) {
	raw, ok := b.keyword(s, xGoEnumNames)
	if !ok {
		return nil, true
	}
	at := s.Location + "/x-go-enum-names"
	list, ok := raw.([]any)
	if !ok || len(list) != len(s.Enum) {
		b.errAt(at, fmt.Sprintf("x-go-enum-names must be an array of %d exported Go names, one for each enum value", len(s.Enum)))
		return nil, false
	}
	var out []string
	for _, v := range list {
		n, ok := v.(string)
		if !ok || !names.IsExportedIdent(n) {
			b.errAt(at, fmt.Sprintf("x-go-enum-names: %s is not an exported Go name", diag.Value(v)))
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// nullableResult reports whether a result schema allows null beside one
// precise type, which would make the result a pointer. A union with a
// null branch and an x-go-type have their own rules.
func (b *builder) nullableResult(s *jsonschema.Schema) bool {
	if !slices.Contains(s.Types, "null") || needsJSON(s) != "" {
		return false
	}
	if _, ok := b.keyword(s, xGoType); ok {
		return false
	}
	branches, _, _ := unionBranches(s)
	return branches == nil
}
