package filesource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"go.uber.org/goleak"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/jsonptr"
	"github.com/reftask/reftask/runtime/internal/seam"
	"github.com/reftask/reftask/runtime/internal/wire"
	"github.com/reftask/reftask/runtime/kit"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newExec builds an executor with the file root s (none when nil) and closes it when the test ends.
func newExec(t testing.TB, s *Source, opts ...runtime.Option) *runtime.Executor {
	t.Helper()
	if s != nil {
		opts = append([]runtime.Option{runtime.WithSource(s)}, opts...)
	}
	x, err := runtime.New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = x.Close() })
	return x
}

// userFileKind is a user's own source that claims the file kind's name.
type userFileKind struct{}

func (userFileKind) Kind() string                { return Kind }
func (userFileKind) Name() string                { return rootName }
func (userFileKind) Check(context.Context) error { return nil }
func (userFileKind) Close() error                { return nil }

const (
	fixtureJSON = `{
  "users": {"u1": {"name": "Ann", "age": 41}, "a/b": {"name": "slash"}, "m~n": {"name": "tilde"}},
  "list": [10, 20, {"deep": true}],
  "nil": null,
  "big": 123456789012345678901234567890
}`
	fixtureYAML = `
users:
  u1: {name: Ann, age: 41}
  a/b: {name: slash}
  m~n: {name: tilde}
list: [10, 20, {deep: true}]
nil: ~
big: 123456789012345678901234567890
`
)

func TestFetchLookup(t *testing.T) {
	fsys := fstest.MapFS{
		"data/fixture.json": {Data: []byte(fixtureJSON)},
		"data/fixture.yaml": {Data: []byte(fixtureYAML)},
		"data/fixture.yml":  {Data: []byte(fixtureYAML)},
	}
	x := newExec(t, FS(fsys))
	ctx := context.Background()
	cases := []struct {
		pointer string
		want    any
		err     string // substring; "notfound" means ErrNotFound
	}{
		{pointer: "/users/u1/name", want: "Ann"},
		{pointer: "/users/u1/age", want: json.Number("41")},
		{pointer: "/users/" + jsonptr.Escape("a/b") + "/name", want: "slash"},
		{pointer: kit.JoinPointer("/users", "m~n") + "/name", want: "tilde"},
		{pointer: "/users/a~1b/name", want: "slash"},
		{pointer: "/users/m~0n/name", want: "tilde"},
		{pointer: "/list/1", want: json.Number("20")},
		{pointer: "/list/2/deep", want: true},
		{pointer: "/list/2", want: map[string]any{"deep": true}},
		{pointer: "/nil", want: nil},
		{pointer: "/big", want: json.Number("123456789012345678901234567890")},
		{pointer: "/users/nobody", err: "notfound"},
		{pointer: "/users/u1/name/more", err: "notfound"},
		{pointer: "/list/3", err: "notfound"},
		{pointer: "/list/01", err: "notfound"},
		{pointer: "/list/-", err: "notfound"},
		{pointer: "/list/x", err: "notfound"},
		{pointer: "/users/a/b", err: "notfound"},
		{pointer: "users", err: "must be empty or start with /"},
		{pointer: "/users/m~2n", err: "~ must be followed by 0 or 1"},
	}
	for _, file := range []string{"data/fixture.json", "data/fixture.yaml", "data/fixture.yml"} {
		for _, tc := range cases {
			t.Run(file+tc.pointer, func(t *testing.T) {
				got, err := Fetch(ctx, x, "T", file, tc.pointer)
				switch {
				case tc.err == "notfound":
					if !runtime.IsNotFound(err) {
						t.Fatalf("got %v, %v; want ErrNotFound", got, err)
					}
				case tc.err != "":
					if err == nil || !strings.Contains(err.Error(), tc.err) || runtime.IsNotFound(err) {
						t.Fatalf("got %v, %v; want error containing %q", got, err, tc.err)
					}
				case err != nil:
					t.Fatal(err)
				case !reflect.DeepEqual(got, tc.want):
					t.Fatalf("got %#v, want %#v", got, tc.want)
				}
			})
		}
	}

	// The whole document, and callers own what they get.
	doc, err := Fetch(ctx, x, "T", "data/fixture.json", "")
	if err != nil {
		t.Fatal(err)
	}
	doc.(map[string]any)["users"].(map[string]any)["u1"].(map[string]any)["name"] = "changed"
	if got, _ := Fetch(ctx, x, "T", "data/fixture.json", "/users/u1/name"); got != "Ann" {
		t.Fatalf("a caller's change leaked into the shared document: %v", got)
	}
}

func TestParseYAMLNormalisation(t *testing.T) {
	cases := []struct {
		name, in string
		want     any
		err      string
	}{
		{name: "scalars", in: "s: hi\nq: '12'\nb: true\nn: null\ni: 42\nneg: -7\nf: 1.50\ne: 1e3\n",
			want: map[string]any{"s": "hi", "q": "12", "b": true, "n": nil, "i": json.Number("42"), "neg": json.Number("-7"),
				"f": json.Number("1.50"), "e": json.Number("1e3")}},
		{name: "yaml-only number spellings", in: "hex: 0x1F\nunderscore: 1_000\nplus: +5\nfrac: .5\noct: 0o17\n",
			want: map[string]any{"hex": json.Number("31"), "underscore": json.Number("1000"), "plus": json.Number("5"),
				"frac": json.Number("0.5"), "oct": json.Number("15")}},
		{name: "timestamps", in: "at: 2024-03-01T10:20:30.5+02:00\nday: 2024-03-01\nquoted: '2024-03-01'\n",
			want: map[string]any{"at": "2024-03-01T10:20:30.5+02:00", "day": "2024-03-01T00:00:00Z", "quoted": "2024-03-01"}},
		{name: "sequence of mappings", in: "- a: 1\n- [x, y]\n",
			want: []any{map[string]any{"a": json.Number("1")}, []any{"x", "y"}}},
		{name: "anchors and merge", in: "base: &b {x: 1, y: 2}\nother: &o {z: 9}\nd:\n  <<: [*b, *o]\n  y: 3\nref: *b\n",
			want: map[string]any{
				"base":  map[string]any{"x": json.Number("1"), "y": json.Number("2")},
				"other": map[string]any{"z": json.Number("9")},
				"d":     map[string]any{"x": json.Number("1"), "y": json.Number("3"), "z": json.Number("9")},
				"ref":   map[string]any{"x": json.Number("1"), "y": json.Number("2")},
			}},
		{name: "binary", in: "b: !!binary aGVsbG8=\n", want: map[string]any{"b": "hello"}},
		{name: "top-level scalar", in: "7\n", want: json.Number("7")},
		{name: "explicit null document", in: "~\n", want: nil},
		{name: "int key", in: "a:\n  1: x\n", err: `line 2: key "1" in /a is int`},
		{name: "bool key", in: "true: x\n", err: "is bool"},
		{name: "null key", in: "~: x\n", err: "is null"},
		{name: "complex key", in: "? [a]\n: x\n", err: "only string keys"},
		{name: "duplicate key", in: "a: 1\na: 2\n", err: `key "a" in (root) appears twice`},
		{name: "infinity", in: "x: .inf\n", err: "no JSON representation"},
		{name: "nan", in: "x: .nan\n", err: "no JSON representation"},
		{name: "custom tag", in: "x: !thing 1\n", err: "unsupported tag !thing"},
		{name: "two documents", in: "a: 1\n---\nb: 2\n", err: "more than one document"},
		{name: "empty", in: "", err: "file is empty"},
		{name: "syntax", in: "a: [1, 2\n", err: "parse YAML"},
		{name: "alias bomb", in: yamlBomb(), err: "too large once aliases are expanded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseFile("f.yaml", []byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %#v, %v; want error containing %q", got, err, tc.err)
				}
				if !strings.Contains(err.Error(), `"f.yaml"`) {
					t.Fatalf("error %q does not name the file", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

// yamlBomb is a "billion laughs" document: a few hundred bytes expanding to 10^9 nodes.
func yamlBomb() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func TestParseJSON(t *testing.T) {
	cases := []struct {
		name, in string
		want     any
		err      string
	}{
		{name: "numbers stay exact", in: `{"a": 1.10, "b": [1e400]}`,
			want: map[string]any{"a": json.Number("1.10"), "b": []any{json.Number("1e400")}}},
		{name: "bom", in: "\xef\xbb\xbf[true]", want: []any{true}},
		{name: "syntax error with position", in: "{\n  \"a\": 1,\n}", err: "line 3, column 1"},
		{name: "trailing data", in: `{} {}`, err: "data after the top-level value"},
		{name: "empty", in: " \n", err: "file is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseFile("f.json", []byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %#v, %v; want error containing %q", got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestFetchErrors(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	writeFile(t, filepath.Join(dir, "secret.json"), `{"k": "secret"}`)
	writeFile(t, filepath.Join(root, "ok.json"), `{"k": "v"}`)
	writeFile(t, filepath.Join(root, "conf.toml"), `k = "v"`)
	writeFile(t, filepath.Join(root, "broken.yaml"), "a: [\n")
	if err := os.Symlink(filepath.Join(dir, "secret.json"), filepath.Join(root, "link.json")); err != nil {
		t.Fatal(err)
	}
	x := newExec(t, Dir(root, Poll(0)))
	ctx := context.Background()

	cases := []struct {
		name, path string
		err        []string
		notExist   bool
	}{
		{name: "parent", path: "../secret.json", err: []string{`"../secret.json"`, "escapes the file root"}},
		{name: "parent after clean", path: "a/../../secret.json", err: []string{"escapes the file root"}},
		{name: "absolute", path: filepath.Join(dir, "secret.json"), err: []string{"is absolute"}},
		{name: "backslash", path: `..\secret.json`, err: []string{"backslash"}},
		{name: "empty", path: "", err: []string{"file path is empty"}},
		{name: "dot", path: ".", err: []string{"not a valid file name"}},
		{name: "symlink out of the root", path: "link.json", err: []string{`"link.json"`}},
		{name: "missing file", path: "nope/missing.json", err: []string{`"nope/missing.json"`}, notExist: true},
		{name: "extension", path: "conf.toml", err: []string{`unsupported extension ".toml"`}},
		{name: "parse error", path: "broken.yaml", err: []string{`"broken.yaml"`, "parse YAML"}},
		{name: "directory", path: "a/..", err: []string{"not a valid file name"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Fetch(ctx, x, "T", tc.path, "/k")
			if err == nil {
				t.Fatalf("got %v, want an error", got)
			}
			if runtime.IsNotFound(err) {
				t.Fatalf("%v must not be not-found", err)
			}
			if !runtime.IsPermanent(err) {
				t.Errorf("%v should not be retried", err)
			}
			for _, want := range tc.err {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if tc.notExist != errors.Is(err, fs.ErrNotExist) {
				t.Errorf("errors.Is(%v, fs.ErrNotExist) = %v", err, !tc.notExist)
			}
		})
	}
	if v, err := Fetch(ctx, x, "T", "./ok.json", "/k"); err != nil || v != "v" {
		t.Fatalf("./ok.json: %v, %v", v, err)
	}

	// A file that appears later is picked up: a failed first load is not remembered.
	writeFile(t, filepath.Join(root, "late.json"), `{"k": 1}`)
	if _, err := Fetch(ctx, x, "T", "late.json", "/k"); err != nil {
		t.Fatal(err)
	}

	noRoot := newExec(t, nil)
	if _, err := Fetch(ctx, noRoot, "T", "ok.json", ""); err == nil || !strings.Contains(err.Error(), "no file root configured") {
		t.Fatalf("without a root: %v", err)
	}
	if _, err := runtime.New(runtime.WithSource(Dir(filepath.Join(dir, "does-not-exist")))); err == nil {
		t.Fatal("New with a missing root directory must fail")
	}
	for _, tc := range []struct {
		name string
		opts []runtime.Option
		want string
	}{
		{"two roots", []runtime.Option{runtime.WithSource(Dir(root)), runtime.WithSource(FS(fstest.MapFS{}))}, "bound twice"},
		{"negative poll", []runtime.Option{runtime.WithSource(Dir(root, Poll(-time.Second)))}, "filesource.Poll: negative interval -1s"},
		{"empty directory", []runtime.Option{runtime.WithSource(Dir(""))}, "filesource.Dir: empty directory"},
		{"nil fs", []runtime.Option{runtime.WithSource(FS(nil))}, "filesource.FS: nil fs.FS"},
		{"zero Source", []runtime.Option{runtime.WithSource(&Source{})}, "built by filesource.Dir or filesource.FS"},
		{"a user's kind named file", []runtime.Option{runtime.WithSource(userFileKind{}), runtime.WithSource(Dir(root))}, "bound twice"},
	} {
		if x, err := runtime.New(tc.opts...); err == nil || !strings.Contains(err.Error(), tc.want) {
			if err == nil {
				_ = x.Close()
			}
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	// A Source serves one executor: its poller and its files belong to it.
	shared := FS(fstest.MapFS{})
	newExec(t, shared)
	if x, err := runtime.New(runtime.WithSource(shared)); err == nil || !strings.Contains(err.Error(), "already bound to another executor") {
		if err == nil {
			_ = x.Close()
		}
		t.Errorf("one Source bound to two executors: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Fetch(cctx, x, "T", "ok.json", "/k"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ctx: %v", err)
	}
	_ = x.Close()
	if _, err := Fetch(ctx, x, "T", "ok.json", "/k"); !errors.Is(err, runtime.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// countingFS counts opens, to tell how often a file was read.
type countingFS struct {
	fs.FS
	opens atomic.Int64
}

func (c *countingFS) Open(name string) (fs.File, error) {
	c.opens.Add(1)
	return c.FS.Open(name)
}

func TestFetchFirstLoadParsesOnce(t *testing.T) {
	cfs := &countingFS{FS: fstest.MapFS{"c.yaml": {Data: []byte("v: 1\n")}}}
	s := FS(cfs, Poll(time.Millisecond))
	x := newExec(t, s)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 32 {
		wg.Go(func() {
			<-start
			if v, err := Fetch(context.Background(), x, "T", "c.yaml", "/v"); err != nil || v != json.Number("1") {
				t.Errorf("got %v, %v", v, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if n := cfs.opens.Load(); n != 1 {
		t.Fatalf("file opened %d times, want 1", n)
	}
	// A MapFS file without a mod time is treated like an embedded one: never polled.
	if e := s.entry("c.yaml", ""); !e.static {
		t.Fatal("a file without mod time must not be polled")
	}
}

// writeFile replaces path atomically (write then rename), as a careful deployment does.
func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmp.WriteString(content); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		t.Fatal(err)
	}
}

// eventually polls cond until it holds, failing the test after a generous bound.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestFileReload(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(t testing.TB, path, content string)
	}{
		{name: "rename", write: writeFile},
		{name: "in place", write: func(t testing.TB, path, content string) {
			// Same size, within the same mtime tick: only the content hash can tell the versions apart.
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "c.json")
			tc.write(t, path, `{"v": "one"}`)
			x := newExec(t, Dir(dir, Poll(10*time.Millisecond)))
			ctx := context.Background()
			fetch := func() any {
				v, err := Fetch(ctx, x, "T", "c.json", "/v")
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			if v := fetch(); v != "one" {
				t.Fatalf("got %v", v)
			}
			tc.write(t, path, `{"v": "two"}`)
			eventually(t, "version two", func() bool { return fetch() == "two" })
			tc.write(t, path, `{"v": "six"}`)
			eventually(t, "version six", func() bool { return fetch() == "six" })
		})
	}
}

// reloadLog records OnReload events.
type reloadLog struct {
	mu     sync.Mutex
	events []runtime.FileEvent
}

func (l *reloadLog) hook(_ context.Context, e runtime.FileEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *reloadLog) failures() []runtime.FileEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []runtime.FileEvent
	for _, e := range l.events {
		if e.Err != nil {
			out = append(out, e)
		}
	}
	return out
}

func TestFileBrokenReloadKeepsLastGood(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "c.yaml"), "v: one\n")
	writeFile(t, filepath.Join(dir, "other.json"), `{"v": 1}`)
	var log reloadLog
	x := newExec(t, Dir(dir, Poll(10*time.Millisecond)), runtime.WithHooks(runtime.Hooks{OnReload: log.hook}))
	ctx := context.Background()
	fetch := func(p string) any {
		v, err := Fetch(ctx, x, "T", p, "/v")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if fetch("c.yaml") != "one" || fetch("other.json") != json.Number("1") {
		t.Fatal("first load")
	}
	if err := x.Health(); err != nil {
		t.Fatalf("healthy executor: %v", err)
	}

	writeFile(t, filepath.Join(dir, "c.yaml"), "v: [broken\n")
	eventually(t, "Health to report the broken file", func() bool { return x.Health() != nil })
	err := x.Health()
	for _, want := range []string{`"c.yaml"`, "parse YAML", "serving the last good version"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Health %q lacks %q", err, want)
		}
	}
	if v := fetch("c.yaml"); v != "one" {
		t.Fatalf("after a broken reload got %v, want the last good version", v)
	}
	fails := log.failures()
	if len(fails) != 1 || fails[0].Path != "c.yaml" || !strings.Contains(fails[0].Err.Error(), "parse YAML") {
		t.Fatalf("OnReload failures: %+v", fails)
	}

	// A deleted file is a failure too, reported once and not every tick.
	if err := os.Remove(filepath.Join(dir, "other.json")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Health to report the deleted file", func() bool {
		err := x.Health()
		return err != nil && strings.Contains(err.Error(), `"other.json"`)
	})
	if v := fetch("other.json"); v != json.Number("1") {
		t.Fatalf("deleted file: got %v, want the last good version", v)
	}
	if err := x.Health(); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), `"c.yaml"`) {
		t.Fatalf("Health must report both files: %v", err)
	}

	writeFile(t, filepath.Join(dir, "c.yaml"), "v: three\n")
	writeFile(t, filepath.Join(dir, "other.json"), `{"v": 1}`)
	eventually(t, "a good version to clear Health", func() bool { return x.Health() == nil })
	if v := fetch("c.yaml"); v != "three" {
		t.Fatalf("got %v after the fix", v)
	}
	if n := len(log.failures()); n != 2 {
		t.Fatalf("%d failures reported, want 2 (one per broken state): %+v", n, log.failures())
	}
}

func TestFileConcurrentReadsDuringReloads(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	version := func(i int) string {
		// Both fields and the padding change together; a mixed or torn document would disagree.
		return fmt.Sprintf("a: %d\nlist: [%s]\nb: %d\n", i, strings.Repeat("x, ", i%50), i)
	}
	writeFile(t, path, version(0))
	var reloads atomic.Int64
	x := newExec(t, Dir(dir, Poll(time.Millisecond)),
		runtime.WithHooks(runtime.Hooks{OnReload: func(_ context.Context, e runtime.FileEvent) {
			if e.Err == nil {
				reloads.Add(1)
			}
		}}))
	ctx := context.Background()
	const versions = 200
	var (
		wg      sync.WaitGroup
		stop    atomic.Bool
		highest atomic.Int64
	)
	for range 8 {
		wg.Go(func() {
			for !stop.Load() {
				v, err := Fetch(ctx, x, "T", "c.yaml", "")
				if err != nil {
					t.Error(err)
					return
				}
				m := v.(map[string]any)
				a, b := m["a"].(json.Number), m["b"].(json.Number)
				if a != b || len(m["list"].([]any)) != mustInt(t, a)%50 {
					t.Errorf("mixed document: %v", m)
					return
				}
				if n := int64(mustInt(t, a)); n > highest.Load() {
					highest.Store(n)
				}
			}
		})
	}
	for i := 1; i <= versions; i++ {
		writeFile(t, path, version(i))
		if i%20 == 0 {
			time.Sleep(2 * time.Millisecond) // let the poller catch some intermediate versions
		}
	}
	eventually(t, "the last version", func() bool { return highest.Load() == versions })
	stop.Store(true)
	wg.Wait()
	if err := x.Health(); err != nil {
		t.Fatalf("atomic writes never break a reload: %v", err)
	}
	if n := reloads.Load(); n < 2 {
		t.Fatalf("only %d reloads: the readers did not race with reloading", n)
	}
	t.Logf("%d reloads", reloads.Load())
}

func mustInt(t testing.TB, n json.Number) int {
	i, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return int(i)
}

type cfgParams struct{ Key string }

func TestFileReloadBumpsGeneration(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "prices.json"), `{"apple": "1.00", "pear": "2.00"}`)
	s := Dir(dir, Poll(10*time.Millisecond))
	x := newExec(t, s)
	var fetches atomic.Int64
	task := kit.NewTask(x, kit.TaskSpec[cfgParams, string]{
		Name:      "Price",
		Version:   "v1",
		Cache:     kit.CachePolicy{TTL: time.Hour},
		AppendKey: func(dst []byte, p *cfgParams) []byte { return wire.AppendString(dst, p.Key) },
		Encode:    func(dst []byte, r *string) []byte { return wire.AppendString(dst, *r) },
		Decode:    func(rd *kit.Reader) *string { s := rd.String(); return &s },
		Fetch: func(ctx context.Context, p *cfgParams) (*string, error) {
			fetches.Add(1)
			raw, err := Fetch(ctx, x, "Price", "prices.json", kit.JoinPointer("", p.Key))
			if err != nil {
				return nil, err
			}
			s, err := kit.AsString("", raw)
			return &s, err
		},
	})
	Watch(x, "Price", "prices.json")
	ctx := context.Background()
	do := func(key string) string {
		r, err := task.Do(ctx, &cfgParams{Key: key})
		if err != nil {
			t.Fatal(err)
		}
		return *r
	}
	if do("apple") != "1.00" || do("apple") != "1.00" {
		t.Fatal("first version")
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1 (second call is a cache hit)", n)
	}
	writeFile(t, filepath.Join(dir, "prices.json"), `{"apple": "1.25", "pear": "2.00"}`)
	eventually(t, "the cached price to follow the file", func() bool { return do("apple") == "1.25" })
	before := fetches.Load()
	if do("apple") != "1.25" || fetches.Load() != before {
		t.Fatal("the new version must be cached again")
	}

	// Touching a file without changing it must not flush the cache.
	before = fetches.Load()
	now := time.Now().Add(time.Minute)
	if err := os.Chtimes(filepath.Join(dir, "prices.json"), now, now); err != nil {
		t.Fatal(err)
	}
	e := s.entry("prices.json", "")
	eventually(t, "the poller to see the touch", func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.seen.mod.Equal(now)
	})
	if do("apple") != "1.25" || fetches.Load() != before {
		t.Fatal("a touch retired the cached results")
	}
}

func TestFilePollerLifecycle(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "c.json"), `{}`)

	// No poller without polling, nor without a root.
	for _, opts := range [][]runtime.Option{
		{runtime.WithSource(Dir(dir, Poll(0)))},
		{},
	} {
		x, err := runtime.New(opts...)
		if err != nil {
			t.Fatal(err)
		}
		goleak.VerifyNone(t, ignore)
		if err := x.Close(); err != nil {
			t.Fatal(err)
		}
	}

	x, err := runtime.New(runtime.WithSource(Dir(dir, Poll(time.Millisecond))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Fetch(context.Background(), x, "T", "c.json", ""); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	goleak.VerifyNone(t, ignore)
}

// TestBound: the file root is a bound source of kind "file" named "root", which the seam finds and whose Check
// reports what Health does; a user's source bound under that kind and name is not taken for a file root.
func TestBound(t *testing.T) {
	s := Dir(t.TempDir(), Poll(0))
	x := newExec(t, s)
	got, err := x.BoundSource(seam.Token{}, Kind, rootName)
	if err != nil || got != s {
		t.Fatalf("BoundSource: %v, %v", got, err)
	}
	if err := got.Check(context.Background()); err != nil {
		t.Errorf("file root with nothing failing: %v", err)
	}
	other := newExec(t, nil, runtime.WithSource(userFileKind{}))
	if _, err := Fetch(context.Background(), other, "T", "c.json", ""); err == nil || !runtime.IsPermanent(err) ||
		!strings.Contains(err.Error(), "no file root configured") || !strings.Contains(err.Error(), "filesource.userFileKind") {
		t.Errorf("a user's kind under the file root's name: %v", err)
	}
	Watch(other, "T", "c.json") // does nothing, and must not panic
	Watch(nil, "T", "c.json")
	if _, err := Fetch(context.Background(), nil, "T", "c.json", ""); err == nil || !runtime.IsPermanent(err) {
		t.Errorf("nil executor: %v", err)
	}
}

// TestBoundedPointerError: a huge pointer is cut in the not-found error, with its length noted, as every value
// quoted into an error is.
func TestBoundedPointerError(t *testing.T) {
	x := newExec(t, FS(fstest.MapFS{"f.json": {Data: []byte(`{"a":1}`)}}))
	for _, n := range []int{kit.QuoteLimit + 1, 1 << 20, 5 << 20} {
		_, err := Fetch(context.Background(), x, "T", "f.json", kit.JoinPointer("", strings.Repeat("x", n)))
		if !runtime.IsNotFound(err) {
			t.Fatalf("%d bytes: %v, want not found", n, err)
		}
		if msg := err.Error(); len(msg) > 4<<10 || !strings.Contains(msg, " bytes)") {
			t.Errorf("%d-byte pointer: error of %d bytes: %s", n, len(msg), kit.Clip(msg))
		}
	}
}
