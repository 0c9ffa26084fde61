package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func TestRunReportsEveryProblem(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"-specs", "../../testdata/golden/errors/incompatible_fallback/specs", "-out", filepath.Join(t.TempDir(), "x.go"), "-pkg", "x"}, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 5 {
		t.Errorf("want 5 diagnostics, got %d:\n%s", len(lines), stderr.String())
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "../../testdata/golden/errors/incompatible_fallback/specs/a.task.json:") {
			t.Errorf("diagnostic without file:line:col: %q", l)
		}
	}
	if strings.Contains(stderr.String(), "goroutine") {
		t.Error("a stack trace reached the user")
	}
}

func TestCheck(t *testing.T) {
	dir := "../../examples/userprofile/lookups"
	var stderr bytes.Buffer
	if code := run([]string{"-specs", dir + "/specs", "-out", dir + "/reftasks_gen.go", "-pkg", "lookups", "-check"}, os.Stdout, &stderr); code != 0 {
		t.Fatalf("-check on the committed example: exit %d\n%s", code, stderr.String())
	}
}

func TestInitThenGenerate(t *testing.T) {
	tmp := t.TempDir()
	specs := filepath.Join(tmp, "specs")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"init", "sql", "Customer", "-specs", specs}, &stdout, &stderr); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr.String())
	}
	if code := run([]string{"init", "sql", "Customer", "-specs", specs}, &stdout, &stderr); code != 1 {
		t.Errorf("init over an existing spec: exit %d, want 1", code)
	}
	if code := run([]string{"init", "http", "Customer", "-specs", specs}, &stdout, &stderr); code != 2 {
		t.Errorf("init with an unknown kind: exit %d, want 2", code)
	}
	out := filepath.Join(tmp, "gen.go")
	stderr.Reset()
	if code := run([]string{"-specs", specs, "-out", out, "-pkg", "customers"}, &stdout, &stderr); code != 0 {
		t.Fatalf("generate from the starter spec: exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil || !bytes.Contains(b, []byte("func (c *Client) GetCustomer(ctx context.Context, id string) (*")) {
		t.Fatalf("generated file lacks GetCustomer: %v", err)
	}
	if code := run([]string{"-specs", specs, "-out", out, "-pkg", "customers", "-check"}, &stdout, &stderr); code != 0 {
		t.Fatalf("-check right after generating: exit %d: %s", code, stderr.String())
	}
	// A stale file fails the check and is left alone.
	if err := os.WriteFile(out, []byte("package customers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := run([]string{"-specs", specs, "-out", out, "-pkg", "customers", "-check"}, &stdout, &stderr); code != 1 {
		t.Fatalf("-check on a stale file: exit %d", code)
	}
	if b, _ := os.ReadFile(out); string(b) != "package customers\n" {
		t.Error("-check wrote the file")
	}
	if !strings.Contains(stderr.String(), "out of date") {
		t.Errorf("stderr = %q", stderr.String())
	}
}

func TestUsage(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"-nope"}, os.Stdout, &stderr); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	if code := run([]string{"extra"}, os.Stdout, &stderr); code != 2 {
		t.Errorf("stray argument: exit %d, want 2", code)
	}
}

func TestWarningsDoNotFail(t *testing.T) {
	const dir = "../../testdata/golden/names"
	out := filepath.Join(t.TempDir(), "names.go")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-specs", dir + "/specs", "-out", out, "-pkg", "names"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, want 0 with warnings only\n%s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 6 {
		t.Errorf("want 6 warnings on stderr, got:\n%s", stderr.String())
	}
	for _, l := range lines {
		if !strings.Contains(l, ": warning: ") || !strings.HasPrefix(l, dir+"/specs/") {
			t.Errorf("not a positioned warning: %q", l)
		}
	}
	stderr.Reset()
	if code := run([]string{"-specs", dir + "/specs", "-out", out, "-pkg", "names", "-check"}, &stdout, &stderr); code != 0 {
		t.Fatalf("-check after generating: exit %d, want 0 (warnings do not fail it)\n%s", code, stderr.String())
	}
}

// TestInternalErrorExitCode injects a panic into each phase of a run, on
// the goroutine that runs it (for load, also inside its worker goroutines),
// with panic values of several kinds: every one exits with the internal
// error status and a short message that names the phase and asks for a
// report, never with the usage status or a stack trace.
func TestInternalErrorExitCode(t *testing.T) {
	const dir = "../../testdata/golden/recursive" // specs that name no Go code
	phases := []struct {
		hook, reported string
		args           func(out string) []string
	}{
		{"load", "load", nil},
		{"load:read", "load", nil},
		{"load:compile", "load", nil},
		{"model", "model", nil},
		{"emit", "emit", nil},
		{"gocheck", "gocheck", nil},
		{"write", "write", nil},
		{"check", "check", func(out string) []string {
			return []string{"-specs", dir + "/specs", "-out", out, "-pkg", "lookups", "-check"}
		}},
		{"init", "init", func(out string) []string {
			return []string{"init", "sql", "Thing", "-specs", filepath.Join(filepath.Dir(out), "specs")}
		}},
	}
	values := map[string]func(){
		"string":        func() { panic("boom") },
		"error":         func() { panic(errors.New("boom")) },
		"runtime error": func() { var m map[string]int; m["x"]++ },
	}
	for _, ph := range phases {
		for kind, fail := range values {
			t.Run(ph.hook+"/"+kind, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "reftasks_gen.go")
				args := []string{"-specs", dir + "/specs", "-out", out, "-pkg", "lookups"}
				if ph.args != nil {
					args = ph.args(out)
				}
				var stdout, stderr bytes.Buffer
				var hit atomic.Bool
				code := runPhases(args, &stdout, &stderr, func(p string) {
					if p == ph.hook {
						hit.Store(true)
						fail()
					}
				})
				if !hit.Load() {
					t.Fatalf("phase %s never ran (exit %d): %s", ph.hook, code, stderr.String())
				}
				if code != exitInternal {
					t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInternal, stderr.String())
				}
				msg := stderr.String()
				if !strings.Contains(msg, "internal error in the "+ph.reported+" phase") || !strings.Contains(msg, "Please report it") {
					t.Errorf("message does not name the phase or ask for a report:\n%s", msg)
				}
				if strings.Contains(msg, "goroutine ") || strings.Count(msg, "\n") > 2 {
					t.Errorf("a stack trace reached the user:\n%s", msg)
				}
			})
		}
	}
	t.Run("trace", func(t *testing.T) {
		t.Setenv("REFTASKGEN_TRACE", "1")
		var stderr bytes.Buffer
		code := runPhases([]string{"-specs", dir + "/specs", "-out", filepath.Join(t.TempDir(), "x.go"), "-pkg", "lookups"}, os.Stdout, &stderr,
			func(p string) {
				if p == "model" {
					panic("boom")
				}
			})
		if code != exitInternal || !strings.Contains(stderr.String(), "goroutine ") {
			t.Errorf("exit %d; with REFTASKGEN_TRACE the stack is printed:\n%s", code, stderr.String())
		}
	})
}

// TestErrorCorpusExitCodes runs the command on every case of the negative
// corpus, including the specs that once crashed it: each exits 1, the
// status for spec problems (never 2, the usage status, nor 3, a crash),
// prints exactly the diagnostics the case expects and writes no file.
func TestErrorCorpusExitCodes(t *testing.T) {
	dirs, err := filepath.Glob("../../testdata/golden/errors/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no error cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, "want.txt"))
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "reftasks_gen.go")
			var stdout, stderr bytes.Buffer
			code := run([]string{"-specs", filepath.Join(dir, "specs"), "-out", out, "-pkg", "errcase"}, &stdout, &stderr)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr.String())
			}
			if got := strings.ReplaceAll(stderr.String(), filepath.ToSlash(dir)+"/", ""); got != string(want) {
				t.Errorf("stderr differs from want.txt\n--- got\n%s--- want\n%s", got, want)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				os.Remove(out)
				t.Errorf("a file was written despite the errors (stat: %v)", err)
			}
		})
	}
}
