// Package filesource is the file source kind: JSON or YAML files below a
// root bound at run time, parsed once, looked up by JSON pointer and reloaded
// when they change.
//
// Bind a directory, or any fs.FS such as an embed.FS, with one call:
//
//	x, err := runtime.New(runtime.WithSource(filesource.Dir("config", filesource.Poll(2*time.Second))))
//	x, err := runtime.New(runtime.WithSource(filesource.FS(configFS)))
//
// An executor has one file root. Paths cannot leave it, not even through
// symlinks. A poller owned by the executor (started by runtime.New, stopped
// by Close) rereads changed files, swaps the parsed document atomically and
// retires the cached results of the tasks that read it; a file that fails to
// reload keeps serving its last good version, and is reported to the
// OnReload hook (runtime.Hooks) and by Executor.Health until a good version
// loads.
//
// Change detection. On every tick the poller stats each loaded file and
// re-reads it when its size, mtime or (on disk) identity changed; a
// rename-over therefore always counts as a change. File systems stamp mtimes
// with a coarse clock, so two writes of the same size within one tick can
// look identical: while a file's mtime is younger than racyWindow, the poller
// also compares a content hash (git's "racy" rule). A version whose content
// hash equals the one served is not reloaded, so touching a file does not
// flush caches. Files whose fs.FS reports a zero mtime (embed.FS) are never
// polled: embedded files cannot change, and hashing them every tick would buy
// nothing. The mtimes are the file system's, so the poller compares them
// with the wall clock, never with the executor's WithClock.
//
// Writers should replace files atomically (write a temporary file, then
// rename): the poller skips a read during which the file changed, but a
// writer that truncates and rewrites in place can still expose a prefix that
// happens to parse, until the next tick reads the complete file.
package filesource

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reftask/reftask/internal/quote"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/jsonptr"
	"github.com/reftask/reftask/runtime/internal/seam"
	"github.com/reftask/reftask/runtime/source"
)

// Kind is the name of this source kind in specs ("source": {"file": ...}).
const Kind = "file"

// rootName is the connection name of the file root: an executor has one, and specs do not name it.
const rootName = "root"

const (
	defaultPoll = time.Second
	// racyWindow exceeds the mtime granularity of common file systems (1-10ms on Linux, 1s on HFS+, 2s on FAT).
	racyWindow = 3 * time.Second
	// maxFileSize bounds one read so that a runaway file cannot exhaust memory; config files are far smaller.
	maxFileSize = 64 << 20
	// stableReads is how often a first load re-reads a file that changed while being read.
	stableReads = 3
)

// Source is the file root of an executor: a directory or an fs.FS, and every file loaded from it so far. It
// implements source.Source and source.HealthReporter.
type Source struct {
	dir     string // Dir; opened as an os.Root by Start
	fsys    fs.FS  // FS, or the os.Root's FS after Start
	poll    time.Duration
	optErr  error  // an invalid option, reported by Validate
	binding string // "filesource.Dir" or "filesource.FS", for messages

	root    *os.Root
	host    seam.Host // the executor, set by Start
	started atomic.Bool

	mu      sync.RWMutex
	entries map[string]*fileEntry // by cleaned path

	stopOnce sync.Once
	cancel   context.CancelFunc // nil when no poller runs
	done     chan struct{}
}

// Option configures a file root.
type Option func(*Source)

// Poll sets how often loaded files are checked for changes (default 1s); 0 disables reloading.
func Poll(d time.Duration) Option {
	return func(s *Source) {
		if d < 0 {
			s.optErr = fmt.Errorf("filesource.Poll: negative interval %v", d)
			return
		}
		s.poll = d
	}
}

// Dir binds the directory dir as the file root, for runtime.WithSource; paths may not leave it, not even
// through symlinks. The directory is opened by runtime.New, which fails if it cannot be.
func Dir(dir string, opts ...Option) *Source {
	return newSource("filesource.Dir", dir, nil, opts)
}

// FS binds fsys as the file root, for runtime.WithSource: an embed.FS holding configuration, say.
func FS(fsys fs.FS, opts ...Option) *Source {
	return newSource("filesource.FS", "", fsys, opts)
}

func newSource(binding, dir string, fsys fs.FS, opts []Option) *Source {
	s := &Source{dir: dir, fsys: fsys, poll: defaultPoll, binding: binding, entries: map[string]*fileEntry{}}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return s
}

// Kind returns "file".
func (s *Source) Kind() string { return Kind }

// Name returns "root": an executor has one file root.
func (s *Source) Name() string { return rootName }

// Validate reports an empty directory, a nil fs.FS, a negative poll interval, or a Source not built by Dir or FS.
func (s *Source) Validate() error {
	switch {
	case s.binding == "":
		return errors.New("filesource: a Source is built by filesource.Dir or filesource.FS")
	case s.optErr != nil:
		return s.optErr
	case s.binding == "filesource.Dir" && s.dir == "":
		return errors.New("filesource.Dir: empty directory")
	case s.binding == "filesource.FS" && s.fsys == nil:
		return errors.New("filesource.FS: nil fs.FS")
	}
	return nil
}

// Check reports the files that failed to reload and still serve their last good version, as Health does.
func (s *Source) Check(context.Context) error { return s.Health() }

// Close stops the poller and closes the root directory.
func (s *Source) Close() error {
	s.Stop()
	return nil
}

// Start opens the root directory and starts the poller; runtime.New calls it once every option has been
// applied. A Source serves one executor.
func (s *Source) Start(h seam.Host) error {
	if !s.started.CompareAndSwap(false, true) {
		return fmt.Errorf("%s: the file root is already bound to another executor", s.binding)
	}
	s.host = h
	if s.dir != "" {
		r, err := os.OpenRoot(s.dir)
		if err != nil {
			return fmt.Errorf("%s: %w", s.binding, err)
		}
		s.root, s.fsys = r, r.FS()
	}
	if s.fsys == nil || s.poll <= 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go s.run(ctx)
	return nil
}

// Stop stops the poller, waiting for it, and closes the root directory; only its first call does anything.
// The executor's Close calls it, so that Close leaves no goroutine behind.
func (s *Source) Stop() {
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

// Health returns nil when every loaded file serves its current version, else one error per file that
// failed to reload and still serves its last good version; Executor.Health reports it.
func (s *Source) Health() error {
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

var (
	_ seam.Runner           = (*Source)(nil)
	_ source.HealthReporter = (*Source)(nil)
	_ source.Validator      = (*Source)(nil)
)

// fileEntry is one file. Readers only load doc; everything else belongs to whoever holds mu.
type fileEntry struct {
	path  string
	doc   atomic.Pointer[fileDoc]     // nil until the first successful load
	fail  atomic.Pointer[fileFailure] // set while a newer version fails and doc is the last good one
	tasks map[string]struct{}         // watching tasks; guarded by Source.mu

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

// Watch registers task as a reader of path, so that loading a new version of the file retires the task's
// cached results. Generated NewClient functions call it for each file task; Fetch registers its task as well.
// Without a file root, or with a path Fetch would refuse, it does nothing: Fetch reports those to the caller.
func Watch(x *runtime.Executor, task, path string) {
	if x == nil {
		return
	}
	s, err := seam.Lookup[*Source](x, Kind, rootName)
	if err != nil {
		return
	}
	p, err := cleanPath(path)
	if err != nil {
		return
	}
	s.entry(p, task)
}

// Fetch returns the value at pointer (RFC 6901; "" is the whole document) in the JSON or YAML file path,
// relative to the file root. A missing pointer is runtime.ErrNotFound; a missing or unparsable file is an
// error. The result is the caller's own copy, normalised to JSON types (map[string]any, []any, json.Number,
// string, bool, nil).
func Fetch(ctx context.Context, x *runtime.Executor, task, path, pointer string) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if x == nil {
		return nil, runtime.Permanent(errors.New("filesource.Fetch: nil executor"))
	}
	s, err := seam.Lookup[*Source](x, Kind, rootName)
	switch {
	case errors.Is(err, runtime.ErrClosed):
		return nil, err
	case err != nil:
		return nil, runtime.Permanent(fmt.Errorf("file %q: no file root configured (filesource.Dir or filesource.FS): %w", path, err))
	case s.fsys == nil:
		return nil, runtime.Permanent(fmt.Errorf("file %q: no file root configured (filesource.Dir or filesource.FS)", path))
	}
	p, err := cleanPath(path)
	if err != nil {
		return nil, runtime.Permanent(err)
	}
	e := s.entry(p, task)
	doc := e.doc.Load()
	if doc == nil {
		if doc, err = s.firstLoad(e); err != nil {
			return nil, err
		}
	}
	v, found, err := jsonptr.Lookup(doc.root, pointer)
	switch {
	case err != nil:
		return nil, runtime.Permanent(fmt.Errorf("file %q: %w", p, err))
	case !found:
		return nil, fmt.Errorf("%w: file %q has no value at %s", runtime.ErrNotFound, p, quote.Quote(pointer))
	}
	// The document is shared by every reader until the next reload, so callers never get a piece of it.
	return copyJSON(v), nil
}

// cleanPath turns a spec path into an fs.FS path, refusing anything that could name a file outside the root.
func cleanPath(p string) (string, error) {
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
func (s *Source) entry(p, task string) *fileEntry {
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
func (s *Source) firstLoad(e *fileEntry) (*fileDoc, error) {
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
		return nil, runtime.Permanent(err)
	}
	root, err := parseFile(e.path, data)
	if err != nil {
		return nil, runtime.Permanent(err)
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

// run is the poller goroutine; it ends when ctx is cancelled by Stop.
func (s *Source) run(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(s.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.pollAll(ctx)
		}
	}
}

func (s *Source) pollAll(ctx context.Context) {
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
		if e.doc.Load() != nil { // not loaded yet: the first Fetch reads the current version anyway
			s.pollEntry(ctx, e)
		}
	}
}

// pollEntry reloads e when its file changed; see the package documentation for the rules.
func (s *Source) pollEntry(ctx context.Context, e *fileEntry) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.static {
		return
	}
	disk := s.root != nil
	fi, err := fs.Stat(s.fsys, e.path)
	if err != nil {
		s.problem(ctx, e, fmt.Errorf("file %q: %w", e.path, err))
		return
	}
	if e.problem == "" && !e.racy && stampOf(fi).same(e.seen, disk) {
		return
	}
	data, st, stable, err := readVersion(s.fsys, e.path)
	if err != nil {
		s.problem(ctx, e, err)
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
			s.report(ctx, e, nil)
		}
		return
	case e.seenSum:
		return // the same broken version as last time, already reported
	}
	e.seenSum = sum
	root, err := parseFile(e.path, data)
	if err != nil {
		s.fail(ctx, e, err)
		return
	}
	// Swap before retiring the tasks' results: a lookup between the two would otherwise cache the old version
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
		s.host.InvalidateTask(t)
	}
	s.report(ctx, e, nil)
}

// problem records a stat or read failure once per distinct message, so a deleted file is not reported every tick.
func (s *Source) problem(ctx context.Context, e *fileEntry, err error) {
	e.seenSum = [sha256.Size]byte{} // whatever reappears must be read again
	if msg := err.Error(); msg != e.problem {
		e.problem = msg
		s.fail(ctx, e, err)
	}
}

func (s *Source) fail(ctx context.Context, e *fileEntry, err error) {
	err = fmt.Errorf("reload failed, serving the last good version: %w", err)
	e.fail.Store(&fileFailure{err: err})
	s.report(ctx, e, err)
}

func (s *Source) report(ctx context.Context, e *fileEntry, err error) {
	s.host.ReportReload(seam.Token{}, ctx, e.path, err)
}
