package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
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
