// Command reftaskgen generates typed Go lookup code from task specs.
//
// Usage, from a go:generate line in the package that receives the code:
//
//	//go:generate go run github.com/reftask/reftask/cmd/reftaskgen -specs ./specs -out reftasks_gen.go
//
// reftaskgen -check reports (exit 1) when the file on disk differs from what
// would be generated; reftaskgen init <sql|go> NAME writes a starter spec.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/reftask/reftask/gen"
	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/internal/crash"
	"github.com/reftask/reftask/templates"
)

func main() {
	// Fewer collections speed a run up; budgetGC bounds the memory that costs.
	budgetGC(garbageBudget)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// exitInternal is the exit status of a failure of reftaskgen itself; README
// documents it beside 1 (problems in the specs) and 2 (usage).
const exitInternal = 3

// The phases of a run after gen's: writing the file, comparing it (-check),
// and init.
const (
	phaseWrite = "write"
	phaseCheck = "check"
	phaseInit  = "init"
)

// run is main without os.Exit, so tests can call it.
func run(args []string, stdout, stderr io.Writer) int {
	return runPhases(args, stdout, stderr, nil)
}

// runPhases is run with a hook called as each phase starts (gen's phases,
// then write, check or init), through which tests inject failures. A panic
// in any phase, on any goroutine, exits with exitInternal and a short
// message asking for a report, never with a stack trace or the Go
// runtime's status 2, which would read as a usage error.
func runPhases(args []string, stdout, stderr io.Writer, onPhase func(string)) (code int) {
	phase := "start"
	enter := func(p string) {
		phase = p
		if onPhase != nil {
			onPhase(p)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			p := crash.Recovered(r)
			code = internalError(stderr, &gen.InternalError{Phase: phase, Value: p.Value, Stack: p.Stack})
		}
	}()
	if len(args) > 0 && args[0] == "init" {
		enter(phaseInit)
		return runInit(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("reftaskgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specs := fs.String("specs", "specs", "folder of *.task.json specs (and the .json schemas they reference)")
	out := fs.String("out", "reftasks_gen.go", "generated Go file; its folder is the package that receives the code")
	pkg := fs.String("pkg", "", "package name (default: $GOPACKAGE, set by go generate, else the output folder's name)")
	check := fs.Bool("check", false, "do not write; exit 1 if the file on disk differs from what would be generated")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: reftaskgen [-specs dir] [-out file] [-pkg name] [-check]\n       reftaskgen init <sql|go> NAME [-specs dir]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "reftaskgen: unexpected argument %s\n", diag.Quote(fs.Arg(0)))
		fs.Usage()
		return 2
	}
	outDir := filepath.Dir(*out)
	name := *pkg
	if name == "" {
		name = os.Getenv("GOPACKAGE")
	}
	if name == "" {
		abs, err := filepath.Abs(outDir)
		if err != nil {
			fmt.Fprintf(stderr, "reftaskgen: %v\n", err)
			return 1
		}
		name = sanitizePackage(filepath.Base(abs))
	}
	src, diags, err := gen.Run(gen.Options{Specs: *specs, Package: name, OutDir: outDir, OutFile: filepath.Base(*out), OnPhase: onPhase})
	if ie := (*gen.InternalError)(nil); errors.As(err, &ie) {
		return internalError(stderr, ie)
	}
	for _, d := range diags.Sorted() {
		fmt.Fprintln(stderr, d.String())
	}
	if diags.HasErrors() {
		return 1
	}
	if *check {
		enter(phaseCheck)
	} else {
		enter(phaseWrite)
	}
	current, err := os.ReadFile(*out)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "reftaskgen: %v\n", err)
		return 1
	}
	if *check {
		if !bytes.Equal(current, src) {
			fmt.Fprintf(stderr, "%s is out of date: run go generate (or reftaskgen) to regenerate it\n", *out)
			return 1
		}
		return 0
	}
	if bytes.Equal(current, src) {
		return 0
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintf(stderr, "reftaskgen: %v\n", err)
		return 1
	}
	return 0
}

// internalError reports a failure of reftaskgen itself and returns its
// exit status. The stack is printed only on request: the user needs to know
// that it is not their specs' fault and where to report it.
func internalError(stderr io.Writer, e *gen.InternalError) int {
	fmt.Fprintf(stderr, "reftaskgen: %v\n", e)
	fmt.Fprintln(stderr, "This is a bug in reftaskgen, not a problem in your specs. Please report it at https://github.com/reftask/reftask/issues with the specs that caused it (REFTASKGEN_TRACE=1 prints where it happened).")
	if os.Getenv("REFTASKGEN_TRACE") != "" && len(e.Stack) > 0 {
		stderr.Write(e.Stack)
	}
	return exitInternal
}

func sanitizePackage(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9' && b.Len() > 0) {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "lookups"
	}
	return b.String()
}

func runInit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("reftaskgen init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specs := fs.String("specs", "specs", "folder to write the spec into")
	force := fs.Bool("force", false, "overwrite an existing spec")
	// Accept flags before or after the positional arguments.
	var pos []string
	rest := args
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return 2
		}
		rest = fs.Args()
		if len(rest) > 0 {
			pos = append(pos, rest[0])
			rest = rest[1:]
		}
	}
	if len(pos) != 2 {
		fmt.Fprintf(stderr, "usage: reftaskgen init <%s> NAME [-specs dir]\n", strings.Join(templates.Kinds(), "|"))
		return 2
	}
	data, err := templates.Render(pos[0], pos[1])
	if err != nil {
		fmt.Fprintf(stderr, "reftaskgen init: %v\n", err)
		return 2
	}
	path := filepath.Join(*specs, templates.Snake(pos[1])+".task.json")
	if _, err := os.Stat(path); err == nil && !*force {
		fmt.Fprintf(stderr, "reftaskgen init: %s exists (use -force to overwrite)\n", path)
		return 1
	}
	if err := os.MkdirAll(*specs, 0o755); err != nil {
		fmt.Fprintf(stderr, "reftaskgen init: %v\n", err)
		return 1
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		fmt.Fprintf(stderr, "reftaskgen init: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return 0
}
