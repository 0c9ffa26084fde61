package runtime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/reftask/reftask/runtime/internal/jsonptr"
	"github.com/reftask/reftask/runtime/internal/seam"
	bound "github.com/reftask/reftask/runtime/source"
)

// File source: JSON or YAML files below a root bound at run time, parsed once, looked up by JSON pointer
// and reloaded by a poller owned by the Executor.
//
// Change detection. On every tick the poller stats each loaded file and re-reads it when its size, mtime or
// (on disk) identity changed; a rename-over therefore always counts as a change. File systems stamp mtimes
// with a coarse clock, so two writes of the same size within one tick can look identical: while a file's
// mtime is younger than racyWindow, the poller also compares a content hash (git's "racy" rule). A version
// whose content hash equals the one served is not reloaded, so touching a file does not flush caches.
// Files whose fs.FS reports a zero mtime (embed.FS) are never polled: embedded files cannot change, and
// hashing them every tick would buy nothing.
//
// Writers should replace files atomically (write a temporary file, then rename): the poller skips a read
// during which the file changed, but a writer that truncates and rewrites in place can still expose a
// prefix that happens to parse, until the next tick reads the complete file.

const (
	defaultFilePoll = time.Second
	// racyWindow exceeds the mtime granularity of common file systems (1-10ms on Linux, 1s on HFS+, 2s on FAT).
	racyWindow = 3 * time.Second
	// maxFileSize bounds one read so that a runaway file cannot exhaust memory; config files are far smaller.
	maxFileSize = 64 << 20
	// stableReads is how often a first load re-reads a file that changed while being read.
	stableReads = 3
)

// fileSource holds the file root and every file loaded or watched so far; it exists once a file option was given.
type fileSource struct {
	dir  string // WithFileRoot; opened as an os.Root by startFiles
	fsys fs.FS  // WithFileFS, or the os.Root's FS after startFiles
	root *os.Root
	poll time.Duration

	mu      sync.RWMutex
	entries map[string]*fileEntry // by cleaned path

	stopOnce sync.Once
	x        *Executor          // set by Start
	cancel   context.CancelFunc // nil when no poller runs
	done     chan struct{}
}

// fileEntry is one file. Readers only load doc; everything else belongs to whoever holds mu.
type fileEntry struct {
	path  string
	doc   atomic.Pointer[fileDoc]     // nil until the first successful load
	fail  atomic.Pointer[fileFailure] // set while a newer version fails and doc is the last good one
	tasks map[string]struct{}         // watching tasks; guarded by fileSource.mu

	mu      sync.Mutex // serialises the first load and reloads
	seen    fileStamp  // stamp of the last version read, good or bad
	seenSum [sha256.Size]byte
	goodSum [sha256.Size]byte // hash of the version in doc
	racy    bool              // seen's mtime was too recent to trust: compare contents too
	problem string            // last stat or read error, so that a persistent one is reported once
	static  bool              // the FS reports no mtime: never polled
}

// fileDoc is an immutable parsed document; a reload swaps in a new one instead of changing it.
type fileDoc struct{ root any }

type fileFailure struct{ err error }

// fileStamp identifies one version of a file as far as a stat can tell.
type fileStamp struct {
	size int64
	mod  time.Time
	info fs.FileInfo // kept for os.SameFile on disk roots
}

func (s fileStamp) same(o fileStamp, disk bool) bool {
	if s.info == nil || o.info == nil || s.size != o.size || !s.mod.Equal(o.mod) {
		return false
	}
	return !disk || os.SameFile(s.info, o.info)
}

func stampOf(fi fs.FileInfo) fileStamp {
	return fileStamp{size: fi.Size(), mod: fi.ModTime(), info: fi}
}

// The file source is bound like any other (kind "file", name "root") by the first file option: the options
// configure it, New starts its poller, and Close stops it.
const (
	fileKind = "file"
	fileRoot = "root"
)

// fileSrc returns the executor's file source for the file options, binding it first.
func (x *Executor) fileSrc() (*fileSource, error) {
	if s := x.fileSource(); s != nil {
		return s, nil
	}
	if taken, ok := x.sources[boundKey{fileKind, fileRoot}]; ok {
		return nil, fmt.Errorf("the file source is already bound to a %T", taken)
	}
	s := &fileSource{poll: defaultFilePoll, entries: map[string]*fileEntry{}}
	if x.sources == nil {
		x.sources = map[boundKey]bound.Source{}
	}
	x.sources[boundKey{fileKind, fileRoot}] = s
	x.sourceOrder = append(x.sourceOrder, s)
	return s, nil
}

// fileSource returns the file source the file options bound, or nil. The bound sources are only written while
// New applies options, so reading them needs no lock.
func (x *Executor) fileSource() *fileSource {
	s, _ := x.sources[boundKey{fileKind, fileRoot}].(*fileSource)
	return s
}

// Kind returns "file".
func (s *fileSource) Kind() string { return fileKind }

// Name returns "root": an executor has one file root.
func (s *fileSource) Name() string { return fileRoot }

// Check reports the files that failed to reload and still serve their last good version, as Health does.
func (s *fileSource) Check(context.Context) error { return s.Health() }

// Close stops the poller and closes the root directory.
func (s *fileSource) Close() error {
	s.stop()
	return nil
}

// WithFileRoot serves file sources from the directory dir; paths may not leave it, not even through symlinks.
func WithFileRoot(dir string) Option {
	return func(x *Executor) error {
		s, err := x.fileSrc()
		if err != nil {
			return fmt.Errorf("WithFileRoot: %w", err)
		}
		switch {
		case dir == "":
			return errors.New("WithFileRoot: empty directory")
		case s.dir != "" || s.fsys != nil:
			return errors.New("WithFileRoot: file root set twice")
		}
		s.dir = dir
		return nil
	}
}

// WithFileFS serves file sources from fsys, for example an embed.FS holding configuration.
func WithFileFS(fsys fs.FS) Option {
	return func(x *Executor) error {
		s, err := x.fileSrc()
		if err != nil {
			return fmt.Errorf("WithFileFS: %w", err)
		}
		switch {
		case fsys == nil:
			return errors.New("WithFileFS: nil fs.FS")
		case s.dir != "" || s.fsys != nil:
			return errors.New("WithFileFS: file root set twice")
		}
		s.fsys = fsys
		return nil
	}
}

// WithFilePoll sets how often loaded files are checked for changes (default 1s); 0 disables reloading.
func WithFilePoll(d time.Duration) Option {
	return func(x *Executor) error {
		if d < 0 {
			return fmt.Errorf("WithFilePoll: negative interval %v", d)
		}
		s, err := x.fileSrc()
		if err != nil {
			return fmt.Errorf("WithFilePoll: %w", err)
		}
		s.poll = d
		return nil
	}
}

// Start opens the file root and starts the poller; New calls it once every option has been applied.
func (s *fileSource) Start(h seam.Host) error {
	s.x = h.(*Executor)
	if s.dir != "" {
		r, err := os.OpenRoot(s.dir)
		if err != nil {
			return fmt.Errorf("WithFileRoot: %w", err)
		}
		s.root, s.fsys = r, r.FS()
	}
	if s.fsys == nil || s.poll <= 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go s.run(ctx, s.x)
	return nil
}

// Stop stops the poller, waits for it and closes the root; Close calls it, possibly more than once.
func (s *fileSource) Stop() { s.stop() }

// stop stops the poller, waiting for it, and closes the root directory; only its first call does anything.
func (s *fileSource) stop() {
	s.stopOnce.Do(func() {
		if s.cancel != nil {
			s.cancel()
			<-s.done
		}
		if s.root != nil {
			_ = s.root.Close() // read-only directory handle: nothing to flush
		}
	})
}

// WatchFile registers task as a reader of path, so that loading a new version of the file bumps the
// task's generation and its cached results stop being served. FetchFile registers its task as well.
func (x *Executor) WatchFile(task, path string) {
	if x == nil || x.fileSource() == nil {
		return
	}
	p, err := cleanFilePath(path)
	if err != nil {
		return // FetchFile reports the bad path to the caller
	}
	x.fileSource().entry(p, task)
}

// Health returns nil when every loaded file serves its current version, else one error per file that
// failed to reload and still serves its last good version.
func (s *fileSource) Health() error {
	s.mu.RLock()
	failing := make([]*fileEntry, 0, len(s.entries))
	for _, e := range s.entries {
		if e.fail.Load() != nil {
			failing = append(failing, e)
		}
	}
	s.mu.RUnlock()
	// Sorted so that the message is stable for humans and tests.
	slices.SortFunc(failing, func(a, b *fileEntry) int { return strings.Compare(a.path, b.path) })
	errs := make([]error, 0, len(failing))
	for _, e := range failing {
		if f := e.fail.Load(); f != nil { // may have recovered meanwhile
			errs = append(errs, f.err)
		}
	}
	return errors.Join(errs...)
}

// FetchFile returns the value at pointer (RFC 6901; "" is the whole document) in the JSON or YAML file path,
// relative to the file root. A missing pointer is ErrNotFound; a missing or unparsable file is an error.
// The result is the caller's own copy, normalised to JSON types (map[string]any, []any, json.Number, string,
// bool, nil).
func FetchFile(ctx context.Context, x *Executor, task, path, pointer string) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch {
	case x == nil:
		return nil, Permanent(errors.New("FetchFile: nil executor"))
	case x.cache.Load() == nil:
		return nil, ErrClosed
	case x.fileSource() == nil || x.fileSource().fsys == nil:
		return nil, Permanent(fmt.Errorf("file %q: no file root configured (WithFileRoot or WithFileFS)", path))
	}
	p, err := cleanFilePath(path)
	if err != nil {
		return nil, Permanent(err)
	}
	files := x.fileSource()
	e := files.entry(p, task)
	doc := e.doc.Load()
	if doc == nil {
		if doc, err = files.firstLoad(e); err != nil {
			return nil, err
		}
	}
	v, found, err := jsonptr.Lookup(doc.root, pointer)
	switch {
	case err != nil:
		return nil, Permanent(fmt.Errorf("file %q: %w", p, err))
	case !found:
		return nil, fmt.Errorf("%w: file %q has no value at %s", ErrNotFound, p, Quote(pointer))
	}
	// The document is shared by every reader until the next reload, so callers never get a piece of it.
	return copyJSON(v), nil
}

// EscapePointerToken escapes one JSON-pointer reference token (~ as ~0, / as ~1), for building a pointer from
// a parameter value; JoinPointer appends an escaped token to a pointer.
func EscapePointerToken(tok string) string { return jsonptr.Escape(tok) }

// cleanFilePath turns a spec path into an fs.FS path, refusing anything that could name a file outside the root.
func cleanFilePath(p string) (string, error) {
	switch {
	case p == "":
		return "", errors.New("file path is empty")
	case strings.HasPrefix(p, "/") || filepath.IsAbs(p) || filepath.VolumeName(p) != "":
		return "", fmt.Errorf("file path %q is absolute; it must be relative to the file root", p)
	case strings.Contains(p, `\`):
		return "", fmt.Errorf("file path %q contains a backslash; use / as separator", p)
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("file path %q escapes the file root", p)
	}
	if !fs.ValidPath(c) || c == "." {
		return "", fmt.Errorf("file path %q is not a valid file name", p)
	}
	return c, nil
}

// entry returns the entry for a cleaned path, registering task as a watcher when it is not empty.
func (s *fileSource) entry(p, task string) *fileEntry {
	s.mu.RLock()
	e := s.entries[p]
	known := e != nil
	if known && task != "" {
		_, known = e.tasks[task]
	}
	s.mu.RUnlock()
	if known {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e = s.entries[p]
	if e == nil {
		e = &fileEntry{path: p, tasks: map[string]struct{}{}}
		s.entries[p] = e
	}
	if task != "" {
		e.tasks[task] = struct{}{}
	}
	return e
}

// firstLoad parses the file once however many callers arrive together; a failure is not remembered,
// so the next call tries again (the file may appear later).
func (s *fileSource) firstLoad(e *fileEntry) (*fileDoc, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if doc := e.doc.Load(); doc != nil {
		return doc, nil
	}
	var (
		data   []byte
		st     fileStamp
		stable bool
		err    error
	)
	for range stableReads {
		if data, st, stable, err = readVersion(s.fsys, e.path); err != nil || stable {
			break
		}
	}
	if err != nil {
		// Retrying within one call cannot create the file or fix its permissions, and the next call reads again.
		return nil, Permanent(err)
	}
	root, err := parseFile(e.path, data)
	if err != nil {
		return nil, Permanent(err)
	}
	sum := sha256.Sum256(data)
	e.seen, e.seenSum, e.goodSum = st, sum, sum
	e.racy = isRacy(st.mod)
	e.static = s.root == nil && st.mod.IsZero()
	doc := &fileDoc{root: root}
	e.doc.Store(doc)
	return doc, nil
}

// readVersion reads one version of a file and reports whether it stayed unchanged while being read.
func readVersion(fsys fs.FS, p string) (data []byte, st fileStamp, stable bool, err error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, st, false, fmt.Errorf("file %q: %w", p, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, st, false, fmt.Errorf("file %q: %w", p, err)
	}
	if fi.IsDir() {
		return nil, st, false, fmt.Errorf("file %q: is a directory", p)
	}
	data, err = io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, st, false, fmt.Errorf("file %q: %w", p, err)
	}
	if len(data) > maxFileSize {
		return nil, st, false, fmt.Errorf("file %q: larger than %d bytes", p, maxFileSize)
	}
	st = stampOf(fi)
	after, err := f.Stat()
	if err != nil {
		return nil, st, false, fmt.Errorf("file %q: %w", p, err)
	}
	// Some virtual files report size 0 whatever they hold, so only a nonzero size is checked against the read.
	stable = after.Size() == fi.Size() && after.ModTime().Equal(fi.ModTime()) &&
		(fi.Size() == 0 || int64(len(data)) == fi.Size())
	return data, st, stable, nil
}

// isRacy reports whether a file stamped with mtime mod may still change without its mtime changing.
func isRacy(mod time.Time) bool {
	return !mod.IsZero() && time.Since(mod) < racyWindow
}

// run is the poller goroutine; it ends when ctx is cancelled by stopFiles.
func (s *fileSource) run(ctx context.Context, x *Executor) {
	defer close(s.done)
	t := time.NewTicker(s.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.pollAll(ctx, x)
		}
	}
}

func (s *fileSource) pollAll(ctx context.Context, x *Executor) {
	s.mu.RLock()
	entries := make([]*fileEntry, 0, len(s.entries))
	for _, e := range s.entries {
		entries = append(entries, e)
	}
	s.mu.RUnlock()
	for _, e := range entries {
		if ctx.Err() != nil {
			return
		}
		if e.doc.Load() != nil { // not loaded yet: the first FetchFile reads the current version anyway
			s.pollEntry(ctx, x, e)
		}
	}
}

// pollEntry reloads e when its file changed; see the comment at the top of this file for the rules.
func (s *fileSource) pollEntry(ctx context.Context, x *Executor, e *fileEntry) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.static {
		return
	}
	disk := s.root != nil
	fi, err := fs.Stat(s.fsys, e.path)
	if err != nil {
		s.problem(ctx, x, e, fmt.Errorf("file %q: %w", e.path, err))
		return
	}
	if e.problem == "" && !e.racy && stampOf(fi).same(e.seen, disk) {
		return
	}
	data, st, stable, err := readVersion(s.fsys, e.path)
	if err != nil {
		s.problem(ctx, x, e, err)
		return
	}
	if !stable {
		return // being written: the next tick reads the finished version
	}
	e.seen, e.racy = st, isRacy(st.mod)
	recovered := e.problem != ""
	e.problem = ""
	sum := sha256.Sum256(data)
	switch sum {
	case e.goodSum:
		// Back to (or still at) the version being served: nothing to reload.
		e.seenSum = sum
		if e.fail.Swap(nil) != nil || recovered {
			s.report(ctx, x, e, nil)
		}
		return
	case e.seenSum:
		return // the same broken version as last time, already reported
	}
	e.seenSum = sum
	root, err := parseFile(e.path, data)
	if err != nil {
		s.fail(ctx, x, e, err)
		return
	}
	// Swap before bumping generations: a lookup between the two would otherwise cache the old version
	// under the new generation.
	e.doc.Store(&fileDoc{root: root})
	e.goodSum = sum
	e.fail.Store(nil)
	s.mu.RLock()
	tasks := make([]string, 0, len(e.tasks))
	for t := range e.tasks {
		tasks = append(tasks, t)
	}
	s.mu.RUnlock()
	for _, t := range tasks {
		x.InvalidateTask(t)
	}
	s.report(ctx, x, e, nil)
}

// problem records a stat or read failure once per distinct message, so a deleted file is not reported every tick.
func (s *fileSource) problem(ctx context.Context, x *Executor, e *fileEntry, err error) {
	e.seenSum = [sha256.Size]byte{} // whatever reappears must be read again
	if msg := err.Error(); msg != e.problem {
		e.problem = msg
		s.fail(ctx, x, e, err)
	}
}

func (s *fileSource) fail(ctx context.Context, x *Executor, e *fileEntry, err error) {
	err = fmt.Errorf("reload failed, serving the last good version: %w", err)
	e.fail.Store(&fileFailure{err: err})
	s.report(ctx, x, e, err)
}

func (s *fileSource) report(ctx context.Context, x *Executor, e *fileEntry, err error) {
	if h := x.hooks.OnReload; h != nil {
		h(ctx, FileEvent{Path: e.path, Err: err})
	}
}

// parseFile parses data as JSON or YAML, chosen by the extension of p, into JSON types.
func parseFile(p string, data []byte) (any, error) {
	var (
		v   any
		err error
	)
	switch ext := strings.ToLower(path.Ext(p)); ext {
	case ".json":
		v, err = parseJSON(data)
	case ".yaml", ".yml":
		v, err = parseYAML(data)
	default:
		return nil, fmt.Errorf("file %q: unsupported extension %q (want .json, .yaml or .yml)", p, ext)
	}
	if err != nil {
		return nil, fmt.Errorf("file %q: %w", p, err)
	}
	return v, nil
}

func parseJSON(data []byte) (any, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // editors on Windows like to add a BOM
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("parse JSON: file is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("parse JSON: %s%w", jsonErrPos(data, err), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("parse JSON: %sdata after the top-level value", lineCol(data, dec.InputOffset()))
	}
	return v, nil
}

// jsonErrPos renders the line and column of a decoding error, which encoding/json reports only as an offset.
func jsonErrPos(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return lineCol(data, se.Offset-1) // Offset counts the offending byte
	case errors.As(err, &te):
		return lineCol(data, te.Offset)
	}
	return ""
}

func lineCol(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return fmt.Sprintf("line %d, column %d: ", line, col)
}

func parseYAML(data []byte) (any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			// An empty file is valid YAML (null) but far more often a truncated or mistaken one.
			return nil, errors.New("parse YAML: file is empty")
		}
		return nil, fmt.Errorf("parse YAML: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			return nil, fmt.Errorf("parse YAML: %w", err)
		}
		return nil, fmt.Errorf("parse YAML: line %d: more than one document", extra.Line)
	}
	// Aliases can expand a small file exponentially ("billion laughs"); bound the expanded size.
	c := yamlConv{budget: 16*len(data) + 1<<16}
	return c.value(&doc, nil)
}

// yamlConv converts a YAML node tree into JSON types.
type yamlConv struct{ budget int }

func (c *yamlConv) value(n *yaml.Node, at *Path) (any, error) {
	if c.budget--; c.budget < 0 {
		return nil, fmt.Errorf("parse YAML: line %d: document too large once aliases are expanded", n.Line)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0], at)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("parse YAML: line %d: unresolved alias %q", n.Line, n.Value)
		}
		return c.value(n.Alias, at)
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, el := range n.Content {
			p := at.Index(i)
			v, err := c.value(el, &p)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case yaml.MappingNode:
		return c.mapping(n, at)
	case yaml.ScalarNode:
		return c.scalar(n, at)
	}
	return nil, fmt.Errorf("parse YAML: line %d: unexpected node kind %v at %s", n.Line, n.Kind, displayPath(at.String()))
}

func (c *yamlConv) mapping(n *yaml.Node, at *Path) (map[string]any, error) {
	out := make(map[string]any, len(n.Content)/2)
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		for k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		tag := k.ShortTag()
		if k.Kind == yaml.ScalarNode && tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode || tag != "!!str" {
			return nil, fmt.Errorf("parse YAML: line %d: key %q in %s is %s, but only string keys map to JSON (quote it)",
				k.Line, k.Value, displayPath(at.String()), strings.TrimPrefix(tag, "!!"))
		}
		if _, dup := out[k.Value]; dup {
			return nil, fmt.Errorf("parse YAML: line %d: key %q in %s appears twice", k.Line, k.Value, displayPath(at.String()))
		}
		p := at.Key(k.Value)
		val, err := c.value(v, &p)
		if err != nil {
			return nil, err
		}
		out[k.Value] = val
	}
	// YAML merge keys: explicit keys win over merged ones, and earlier merged maps over later ones.
	for _, m := range merges {
		srcs := []*yaml.Node{m}
		if deref(m).Kind == yaml.SequenceNode {
			srcs = deref(m).Content
		}
		for _, src := range srcs {
			if deref(src).Kind != yaml.MappingNode {
				return nil, fmt.Errorf("parse YAML: line %d: merge key in %s needs a mapping or a list of mappings",
					src.Line, displayPath(at.String()))
			}
			mv, err := c.value(src, at)
			if err != nil {
				return nil, err
			}
			for k, v := range mv.(map[string]any) {
				if _, ok := out[k]; !ok {
					out[k] = v
				}
			}
		}
	}
	return out, nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func (c *yamlConv) scalar(n *yaml.Node, at *Path) (any, error) {
	tag := n.ShortTag()
	where := func(err error) error {
		return fmt.Errorf("parse YAML: line %d: %s: %w", n.Line, displayPath(at.String()), err)
	}
	switch tag {
	case "!!str":
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, where(err)
		}
		return b, nil
	case "!!int", "!!float":
		num, err := yamlNumber(n)
		if err != nil {
			return nil, where(err)
		}
		return num, nil
	case "!!timestamp":
		var t time.Time
		if err := n.Decode(&t); err != nil {
			return nil, where(err)
		}
		return t.Format(time.RFC3339Nano), nil
	case "!!binary":
		var s string
		if err := n.Decode(&s); err != nil {
			return nil, where(err)
		}
		return s, nil
	}
	return nil, where(fmt.Errorf("unsupported tag %s", tag))
}

// yamlNumber keeps the literal when it already is a JSON number, so big or precise numbers stay exact;
// other spellings (0x1F, 1_000, +1, .5) go through the value yaml decodes.
func yamlNumber(n *yaml.Node) (json.Number, error) {
	if strictJSONNumber(n.Value) {
		return json.Number(n.Value), nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return "", err
	}
	switch v := v.(type) {
	case int:
		return json.Number(strconv.Itoa(v)), nil
	case int64:
		return json.Number(strconv.FormatInt(v, 10)), nil
	case uint64:
		return json.Number(strconv.FormatUint(v, 10)), nil
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return "", fmt.Errorf("number %s has no JSON representation", n.Value)
		}
		return json.Number(strconv.FormatFloat(v, 'g', -1, 64)), nil
	}
	return "", fmt.Errorf("number %q decoded as %T", n.Value, v)
}

// strictJSONNumber reports whether s is a number literal by the JSON grammar exactly (no sign, no leading zeros).
func strictJSONNumber(s string) bool {
	i := 0
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// copyJSON deep-copies a value made of JSON types.
func copyJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = copyJSON(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = copyJSON(e)
		}
		return s
	}
	return v
}
