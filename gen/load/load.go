// Package load reads a folder of task specs, validates each against the
// task meta-schema, and compiles the JSON Schemas they hold, keeping enough
// of every file to turn a JSON pointer back into file:line:col.
package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/jsonpos"
	"github.com/reftask/reftask/internal/crash"
)

// TaskSuffix names the files that hold one task spec each.
const TaskSuffix = ".task.json"

// MaxNesting is how deeply a spec or schema file may nest objects and
// arrays. Positions are indexed by JSON pointer, each as long as its
// depth, so the bound keeps reading a file linear in its size; schemas
// themselves nest at most model.MaxDepth levels.
const MaxNesting = 512

// File is one JSON file of the specs folder.
type File struct {
	// Path is the file's path as shown in messages (relative to the
	// working directory where possible).
	Path string
	// URL is the file:// URL schemas are compiled under.
	URL   string
	Data  []byte
	Index *jsonpos.Index
	// Doc is Data decoded once (numbers as json.Number), for keywords the
	// schema compiler does not keep and for messages.
	Doc any
}

// Spec is one task spec, decoded and with its schemas compiled.
type Spec struct {
	File        *File
	Name        string
	Description string
	Source      Source
	Transform   *Transform
	Cache       Cache
	Retry       Retry
	Timeout     time.Duration
	Fallbacks   []Fallback
	// Batch is nil when the spec has no "batch".
	Batch  *Batch
	Params *jsonschema.Schema
	Result *jsonschema.Schema
	// Raw is the spec's bytes, for the task's version hash.
	Raw []byte
}

// Source is exactly one source kind.
type Source struct {
	// Ext holds the object of a kind added through gen/source, by the kind's name; the meta-schema, composed
	// from the kinds' fragments, has already checked that it is one of them and well formed.
	Ext map[string]json.RawMessage
}

// UnmarshalJSON keeps each kind's object in Ext, for its kind to decode.
func (s *Source) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &s.Ext)
}

// Batch is the batch policy, defaults applied.
type Batch struct {
	MaxSize     int64
	Wait        time.Duration
	Key         string
	Concurrency int64
}

// Transform maps result properties onto source fields.
type Transform struct {
	Fields map[string]string `json:"fields"`
	Func   string            `json:"func"`
}

// Cache is the cache policy, defaults applied.
type Cache struct {
	TTL, NegativeTTL, StaleIfError time.Duration
}

// Retry is the retry policy, defaults applied.
type Retry struct {
	Attempts               int64
	InitialDelay, MaxDelay time.Duration
	Jitter                 bool
}

// Fallback is one entry of the fallback list; Pointer locates it in the spec.
type Fallback struct {
	Task    string
	Value   json.RawMessage
	Pointer string
}

// Default policy values, documented in the meta-schema.
const (
	DefaultTTL          = time.Minute
	DefaultInitialDelay = 50 * time.Millisecond
	DefaultMaxDelay     = time.Second
	DefaultBatchWait    = time.Millisecond
)

// Set is everything loaded from one specs folder.
type Set struct {
	Dir   string
	Files map[string]*File // by URL
	Specs []*Spec          // sorted by name
	// Declared holds the name of every task spec whose name could be read,
	// loaded or not, so that later checks do not report a task with errors
	// of its own as unknown.
	Declared map[string]bool
	diags    diag.List
	// rejected are files with problems of their own (a duplicate key): no
	// spec that reaches one is compiled.
	rejected map[*File]bool
	// mu guards diags, Declared, Files and rejected while files are read in parallel.
	mu sync.Mutex
}

type rawSpec struct {
	Schema      string          `json:"$schema"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Params      json.RawMessage `json:"params"`
	Result      json.RawMessage `json:"result"`
	Source      Source          `json:"source"`
	Transform   *Transform      `json:"transform"`
	Cache       *struct {
		TTL          *string `json:"ttl"`
		NegativeTTL  *string `json:"negative_ttl"`
		StaleIfError *string `json:"stale_if_error"`
	} `json:"cache"`
	Retry *struct {
		Attempts     *Int    `json:"attempts"`
		InitialDelay *string `json:"initial_delay"`
		MaxDelay     *string `json:"max_delay"`
		Jitter       bool    `json:"jitter"`
	} `json:"retry"`
	Timeout *string `json:"timeout"`
	Batch   *struct {
		MaxSize     *Int    `json:"max_size"`
		Wait        *string `json:"wait"`
		Key         string  `json:"key"`
		Concurrency *Int    `json:"concurrency"`
	} `json:"batch"`
	Fallback []struct {
		Task  string          `json:"task"`
		Value json.RawMessage `json:"value"`
	} `json:"fallback"`
}

// Load reads every JSON file under dir, validates the task specs and
// compiles their params and result schemas. It returns every problem found;
// the Set is usable for the specs that had none.
func Load(dir string) (*Set, diag.List) {
	return LoadTraced(dir, nil)
}

// LoadTraced is Load that calls trace, when it is not nil, as each of its
// worker goroutines starts: with "read" in the workers that read and check
// files, with "compile" in those that compile schemas. Tests inject
// failures through it; a panic in a worker reaches the caller of
// LoadTraced.
func LoadTraced(dir string, trace func(stage string)) (*Set, diag.List) {
	if trace == nil {
		trace = func(string) {}
	}
	s := &Set{Dir: dir, Files: map[string]*File{}, Declared: map[string]bool{}, rejected: map[*File]bool{}}
	abs, err := filepath.Abs(dir)
	if err != nil {
		s.diags.Add(diag.Diagnostic{File: dir, Msg: err.Error()})
		return s, s.diags
	}
	var paths []string
	// A file is read only if it is inside the folder once symlinks are
	// resolved: a link may not bring in a file from elsewhere.
	root, rootErr := filepath.EvalSymlinks(abs)
	err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != abs && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), ".json") {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if msg := s.outsideLink(p, root, rootErr); msg != "" {
				rel, _ := filepath.Rel(abs, p)
				s.diags.Add(diag.Diagnostic{File: filepath.ToSlash(filepath.Join(dir, rel)), Msg: msg})
				return nil
			}
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		s.diags.Add(diag.Diagnostic{File: dir, Msg: err.Error()})
		return s, s.diags
	}
	tasks := 0
	for _, p := range paths {
		if strings.HasSuffix(p, TaskSuffix) {
			tasks++
		}
	}
	if tasks == 0 {
		s.diags.Add(diag.Diagnostic{File: dir, Msg: "no " + TaskSuffix + " files found"})
		return s, s.diags
	}

	meta, err := compileMeta()
	if err != nil {
		s.diags.Add(diag.Diagnostic{File: "schema/task.schema.json", Msg: "internal: meta-schema does not compile: " + err.Error()})
		return s, s.diags
	}

	// Reading, indexing, decoding and checking each file against the
	// meta-schema is independent work: it runs on every core. Compiling the
	// embedded schemas shares one compiler and runs after, in order.
	// Workers take the next file from a shared counter, so that one that
	// fails leaves no sender blocked.
	specs := make([]*Spec, len(paths))
	var next atomic.Int64
	var wg crash.Group
	for range min(goruntime.GOMAXPROCS(0), len(paths)) {
		wg.Go(func() {
			trace("read")
			for i := int(next.Add(1) - 1); i < len(paths); i = int(next.Add(1) - 1) {
				f, ok := s.readFile(dir, abs, paths[i])
				if ok && strings.HasSuffix(paths[i], TaskSuffix) {
					specs[i] = s.checkSpec(meta, f)
				}
			}
		})
	}
	wg.Wait()
	specs = s.checkRefs(specs, s.rejected)

	// Compiling dominates loading, and a compiler is not safe for concurrent
	// use: each worker gets its own, over the same resources. Types are
	// identified by schema location later, never by pointer, so specs
	// compiled by different compilers still share their Go types.
	//
	// A compiler decodes a file only when a spec it compiles reaches it:
	// given every file up front, each compiler would decode and keep every
	// file of the folder, so loading would cost the folder's size times the
	// number of cores, held until the last spec compiled. Every file here
	// was read as valid JSON, and a URL the compiler asks for is the key it
	// was given, so loading on demand finds what adding up front would.
	compiled := make([]bool, len(specs))
	workers := min(goruntime.GOMAXPROCS(0), len(specs))
	var compilers crash.Group
	for w := range workers {
		compilers.Go(func() {
			trace("compile")
			c := jsonschema.NewCompiler()
			c.Draft = jsonschema.Draft2020
			c.ExtractAnnotations = true
			c.RegisterExtension(GoExtension, nil, goExtension{})
			c.LoadURL = func(u string) (io.ReadCloser, error) {
				f, ok := s.Files[u]
				if !ok {
					return nil, &refError{url: u}
				}
				data := f.Data
				if strings.HasSuffix(f.URL, TaskSuffix) {
					data = stripSchemaKey(f)
				}
				return io.NopCloser(bytes.NewReader(data)), nil
			}
			for i := w; i < len(specs); i += workers {
				if specs[i] != nil {
					compiled[i] = s.compileSpec(c, specs[i])
				}
			}
		})
	}
	compilers.Wait()
	for i, sp := range specs {
		if sp != nil && compiled[i] {
			s.exactCounts(sp)
			s.Specs = append(s.Specs, sp)
		}
	}
	slices.SortFunc(s.Specs, func(a, b *Spec) int { return strings.Compare(a.Name, b.Name) })
	seen := map[string]*Spec{}
	for _, sp := range s.Specs {
		if prev, ok := seen[sp.Name]; ok {
			s.errorAt(sp.File, "/name", fmt.Sprintf("duplicate task name %s (also in %s)", diag.Quote(sp.Name), prev.File.Path))
			continue
		}
		seen[sp.Name] = sp
	}
	return s, s.diags
}

// outsideLink tells why the symlink at p may not be read, or "": its
// target must be inside the specs folder, whose own path is root once
// resolved.
func (s *Set) outsideLink(p, root string, rootErr error) string {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "unreadable symlink: " + err.Error()
	}
	if rootErr != nil {
		return "symlink in a specs folder whose path cannot be resolved: " + rootErr.Error()
	}
	if rel, err := filepath.Rel(root, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		shown, err := os.Readlink(p)
		if err != nil {
			shown = target
		}
		return fmt.Sprintf("symlink to %s, which is outside the specs folder %s: only files under it are read", diag.Clip(filepath.ToSlash(shown)), s.Dir)
	}
	return ""
}

func (s *Set) readFile(dir, abs, p string) (*File, bool) {
	rel, err := filepath.Rel(abs, p)
	if err != nil {
		rel = p
	}
	display := filepath.ToSlash(filepath.Join(dir, rel))
	data, err := os.ReadFile(p)
	if err != nil {
		s.add(diag.Diagnostic{File: display, Msg: err.Error()})
		return nil, false
	}
	f := &File{Path: display, URL: fileURL(p), Data: data}
	ix, err := jsonpos.BuildDepth(data, MaxNesting)
	if err != nil {
		var se *jsonpos.SyntaxError
		if errors.As(err, &se) {
			s.add(diag.Diagnostic{File: display, Line: se.Line, Col: se.Col, Msg: "invalid JSON: " + se.Msg})
		} else {
			s.add(diag.Diagnostic{File: display, Msg: "invalid JSON: " + err.Error()})
		}
		return nil, false
	}
	f.Index = ix
	for _, dup := range ix.Duplicates() {
		line, col := ix.LineCol(dup.Offset)
		fl, fc := ix.LineCol(dup.First)
		key := dup.Pointer[strings.LastIndexByte(dup.Pointer, '/')+1:]
		key = strings.ReplaceAll(strings.ReplaceAll(key, "~1", "/"), "~0", "~")
		s.add(diag.Diagnostic{File: display, Line: line, Col: col, Pointer: dup.Pointer,
			Msg: fmt.Sprintf("duplicate key %s (also at %d:%d): JSON readers disagree on which one counts, so reftaskgen rejects the file", diag.Quote(key), fl, fc)})
		s.mu.Lock()
		s.rejected[f] = true
		s.mu.Unlock()
	}
	if f.Doc, err = decodeAny(data); err != nil {
		s.add(diag.Diagnostic{File: display, Msg: "invalid JSON: " + err.Error()})
		return nil, false
	}
	var huge [][2]string
	outOfRangeNumbers(f.Doc, "", &huge)
	for _, h := range huge {
		d := diag.Diagnostic{File: display, Pointer: h[0], Msg: fmt.Sprintf("number %s is out of range: reftaskgen reads numbers exactly, from 1e-%d to below 1e%d in magnitude", diag.Clip(h[1]), maxDecimalExponent, maxDecimalExponent)}
		d.Line, d.Col = ix.Pos(h[0])
		s.add(d)
	}
	if len(huge) > 0 {
		return nil, false
	}
	s.mu.Lock()
	s.Files[f.URL] = f
	s.mu.Unlock()
	return f, true
}

// add records a diagnostic; files are read in parallel.
func (s *Set) add(d diag.Diagnostic) {
	s.mu.Lock()
	s.diags.Add(d)
	s.mu.Unlock()
}

// checkSpec validates one task spec against the meta-schema and decodes
// it; it runs in parallel with the others.
func (s *Set) checkSpec(meta *jsonschema.Schema, f *File) *Spec {
	doc := f.Doc
	if m, ok := doc.(map[string]any); ok {
		if name, ok := m["name"].(string); ok {
			s.mu.Lock()
			s.Declared[name] = true
			s.mu.Unlock()
		}
	}
	if err := meta.Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			for _, leaf := range leaves(ve) {
				s.metaError(f, doc, leaf)
			}
		} else {
			s.errorAt(f, "", err.Error())
		}
		return nil
	}
	var raw rawSpec
	if err := json.Unmarshal(f.Data, &raw); err != nil {
		s.errorAt(f, "", "invalid spec: "+err.Error())
		return nil
	}
	sp := &Spec{File: f, Name: raw.Name, Description: raw.Description, Source: raw.Source, Transform: raw.Transform, Raw: f.Data}
	ok := true
	dur := func(ptr string, v *string, def time.Duration) time.Duration {
		if v == nil {
			return def
		}
		d, err := time.ParseDuration(*v)
		if err != nil || d < 0 {
			s.errorAt(f, ptr, fmt.Sprintf("invalid duration %s: want a non-negative Go duration such as \"500ms\" or \"1m30s\"", diag.Quote(*v)))
			ok = false
			return def
		}
		return d
	}
	sp.Cache.TTL = DefaultTTL
	if raw.Cache != nil {
		sp.Cache.TTL = dur("/cache/ttl", raw.Cache.TTL, DefaultTTL)
		sp.Cache.NegativeTTL = dur("/cache/negative_ttl", raw.Cache.NegativeTTL, 0)
		sp.Cache.StaleIfError = dur("/cache/stale_if_error", raw.Cache.StaleIfError, 0)
	}
	sp.Retry = Retry{Attempts: 1, InitialDelay: DefaultInitialDelay, MaxDelay: DefaultMaxDelay}
	if raw.Retry != nil {
		if raw.Retry.Attempts != nil {
			sp.Retry.Attempts = int64(*raw.Retry.Attempts)
		}
		sp.Retry.InitialDelay = dur("/retry/initial_delay", raw.Retry.InitialDelay, DefaultInitialDelay)
		sp.Retry.MaxDelay = dur("/retry/max_delay", raw.Retry.MaxDelay, DefaultMaxDelay)
		sp.Retry.Jitter = raw.Retry.Jitter
		if sp.Retry.MaxDelay < sp.Retry.InitialDelay {
			s.errorAt(f, "/retry/max_delay", fmt.Sprintf("max_delay %s is shorter than initial_delay %s", sp.Retry.MaxDelay, sp.Retry.InitialDelay))
			ok = false
		}
	}
	sp.Timeout = dur("/timeout", raw.Timeout, 0)
	if raw.Batch != nil {
		sp.Batch = &Batch{MaxSize: 100, Concurrency: 4, Key: raw.Batch.Key}
		sp.Batch.Wait = dur("/batch/wait", raw.Batch.Wait, DefaultBatchWait)
		if raw.Batch.MaxSize != nil {
			sp.Batch.MaxSize = int64(*raw.Batch.MaxSize)
		}
		if raw.Batch.Concurrency != nil {
			sp.Batch.Concurrency = int64(*raw.Batch.Concurrency)
		}
	}
	for i, fb := range raw.Fallback {
		sp.Fallbacks = append(sp.Fallbacks, Fallback{Task: fb.Task, Value: fb.Value, Pointer: fmt.Sprintf("/fallback/%d", i)})
	}
	if !ok {
		return nil
	}
	return sp
}

// compileSpec compiles the params and result schemas of a checked spec.
func (s *Set) compileSpec(c *jsonschema.Compiler, sp *Spec) bool {
	ok := true
	var err error
	if sp.Params, err = c.Compile(sp.File.URL + "#/params"); err != nil {
		s.schemaError(sp.File, "/params", err)
		ok = false
	}
	if sp.Result, err = c.Compile(sp.File.URL + "#/result"); err != nil {
		s.schemaError(sp.File, "/result", err)
		ok = false
	}
	return ok
}

// schemaError reports a compile error of an embedded schema at the most
// precise place the error tells.
func (s *Set) schemaError(f *File, ptr string, err error) {
	var se *jsonschema.SchemaError
	if errors.As(err, &se) {
		var ve *jsonschema.ValidationError
		if errors.As(se.Err, &ve) {
			target := f
			if u, _, ok := strings.Cut(se.SchemaURL, "#"); ok || u != "" {
				if tf, found := s.Files[u]; found {
					target = tf
				}
			}
			for _, leaf := range leaves(ve) {
				s.errorAt(target, SchemaPointer(leaf.InstanceLocation), "invalid schema: "+leaf.Message)
			}
			return
		}
		if s.schemaRefError(f, ptr, se.Err) {
			return
		}
		s.errorAt(f, ptr, refMessage(se.Err))
		return
	}
	if s.schemaRefError(f, ptr, err) {
		return
	}
	s.errorAt(f, ptr, refMessage(err))
}

// refError is what the compiler's loader returns for a file that is not
// among the specs: the compiler is never allowed to read outside them.
type refError struct{ url string }

func (e *refError) Error() string { return "unresolved $ref " + e.url }

// schemaRefError reports an unresolved reference at the "$ref" that names it.
func (s *Set) schemaRefError(f *File, ptr string, err error) bool {
	var re *refError
	target := ""
	switch {
	case errors.As(err, &re):
		target = re.url
	default:
		msg := err.Error()
		// The compiler words a missing fragment as: ... "url#/ptr" ... not found / invalid reference.
		i := strings.Index(msg, "file://")
		if i < 0 {
			return false
		}
		rest := msg[i:]
		if j := strings.IndexAny(rest, "\" \n"); j >= 0 {
			rest = rest[:j]
		}
		target = rest
	}
	base, frag, _ := strings.Cut(target, "#")
	rel := s.relative(base)
	refPtr := ptr
	if doc := f.Doc; doc != nil {
		if sub, ok := pointerGet(doc, ptr); ok {
			if p, ok := findRef(sub, ptr, f.URL, base, frag); ok {
				refPtr = p
			}
		}
	}
	var msg string
	switch {
	case strings.HasPrefix(base, "file://") && s.Files[base] == nil:
		if _, statErr := os.Stat(strings.TrimPrefix(base, "file://")); statErr == nil {
			msg = fmt.Sprintf("$ref %s is outside the specs folder %s; only files under it can be referenced", diag.Clip(rel), s.Dir)
		} else {
			msg = fmt.Sprintf("$ref target %s does not exist", diag.Clip(rel))
		}
	case frag != "":
		msg = fmt.Sprintf("$ref target %s#%s does not exist", diag.Clip(rel), diag.Clip(SchemaPointer(frag)))
	default:
		msg = fmt.Sprintf("unresolved $ref %s", diag.Clip(rel))
	}
	d := diag.Diagnostic{File: f.Path, Pointer: refPtr, Msg: msg}
	d.Line, d.Col = f.Index.Pos(refPtr)
	s.diags.Add(d)
	return true
}

// relative shows a file URL as a path under the specs folder.
func (s *Set) relative(u string) string {
	p := strings.TrimPrefix(u, "file://")
	abs, err := filepath.Abs(s.Dir)
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(abs, filepath.FromSlash(p)); err == nil {
		return filepath.ToSlash(filepath.Join(s.Dir, rel))
	}
	return p
}

// findRef finds the "$ref" under v whose target is base#frag.
func findRef(v any, ptr, fileURL, base, frag string) (string, bool) {
	switch x := v.(type) {
	case map[string]any:
		if r, ok := x["$ref"].(string); ok {
			if resolved, err := url.Parse(fileURL); err == nil {
				if ref, err := resolved.Parse(r); err == nil {
					rb, rf, _ := strings.Cut(ref.String(), "#")
					if rb == base && (frag == "" || rf == frag) {
						return ptr + "/$ref", true
					}
				}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if p, ok := findRef(x[k], ptr+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), fileURL, base, frag); ok {
				return p, true
			}
		}
	case []any:
		for i, e := range x {
			if p, ok := findRef(e, fmt.Sprintf("%s/%d", ptr, i), fileURL, base, frag); ok {
				return p, true
			}
		}
	}
	return "", false
}

// SchemaPointer turns a JSON pointer as santhosh-tekuri/jsonschema reports
// it (RFC 6901 tokens, then percent-encoded as in a URI fragment) into the
// RFC 6901 pointer that diagnostics print: /patternProperties/(?!x), not
// /patternProperties/%28%3F%21x%29. Every pointer that reaches a message
// from the schema library goes through it.
func SchemaPointer(p string) string {
	if !strings.Contains(p, "%") {
		return p
	}
	if u, err := url.PathUnescape(p); err == nil {
		return u
	}
	return p
}

func refMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "jsonschema: ")
}

func (s *Set) errorAt(f *File, ptr, msg string) {
	d := diag.Diagnostic{File: f.Path, Pointer: ptr, Msg: msg}
	if f.Index != nil {
		d.Line, d.Col = f.Index.Pos(ptr)
	}
	s.add(d)
}

// Locate turns a compiled schema's location (file URL and fragment) into a
// diagnostic position.
func (s *Set) Locate(location string) diag.Diagnostic {
	u, frag, _ := strings.Cut(location, "#")
	if p, err := url.PathUnescape(frag); err == nil {
		frag = p
	}
	f, ok := s.Files[u]
	if !ok {
		return diag.Diagnostic{File: location}
	}
	d := diag.Diagnostic{File: f.Path, Pointer: frag}
	d.Line, d.Col = f.Index.Pos(frag)
	return d
}

// RawAt returns the decoded JSON value at a schema location, for values
// the compiler does not keep exactly (the text of large counts); the x-go-*
// keywords come through the x-go extension instead (extensions.go).
func (s *Set) RawAt(location string) (any, bool) {
	u, frag, _ := strings.Cut(location, "#")
	if p, err := url.PathUnescape(frag); err == nil {
		frag = p
	}
	f, ok := s.Files[u]
	if !ok {
		return nil, false
	}
	return pointerGet(f.Doc, frag)
}

// Release drops what only building the model reads, the compiled schemas,
// the decoded documents and the files' pointer indexes, so that emitting
// the code does not hold them: they are most of a run's live memory.
// Positions can still be found, for diagnostics (an index is rebuilt when
// asked); RawAt finds nothing after Release.
func (s *Set) Release() {
	for _, sp := range s.Specs {
		sp.Params, sp.Result = nil, nil
	}
	for _, f := range s.Files {
		f.Doc = nil
		f.Index.Compact()
	}
}

// FileOf returns the file a location is in.
func (s *Set) FileOf(location string) *File {
	u, _, _ := strings.Cut(location, "#")
	return s.Files[u]
}

func fileURL(p string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(p)}
	return u.String()
}

func decodeAny(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// stripSchemaKey removes "$schema" from a task spec so that the schema
// compiler treats the spec as a plain 2020-12 document: "$schema" there
// names the task meta-schema, not a JSON Schema dialect.
func stripSchemaKey(f *File) []byte {
	m, ok := f.Doc.(map[string]any)
	if !ok {
		return f.Data
	}
	if _, ok := m["$schema"]; !ok {
		return f.Data
	}
	cp := make(map[string]any, len(m))
	for k, v := range m {
		if k != "$schema" {
			cp[k] = v
		}
	}
	out, err := json.Marshal(cp)
	if err != nil {
		return f.Data
	}
	return out
}

func pointerGet(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	cur := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			var i int
			if _, err := fmt.Sscanf(tok, "%d", &i); err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func mapsKeys[M ~map[K]V, K comparable, V any](m M) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
