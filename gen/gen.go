// Package gen is reftaskgen's engine: load specs, build the model, emit Go,
// and check user Go code the specs name.
package gen

import (
	"fmt"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/emit"
	"github.com/reftask/reftask/gen/gocheck"
	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/load"
	"github.com/reftask/reftask/gen/model"
	"github.com/reftask/reftask/gen/source"
	"github.com/reftask/reftask/internal/crash"
)

// Options configure one run.
type Options struct {
	// Specs is the folder of *.task.json files.
	Specs string
	// Package is the Go package name of the output.
	Package string
	// OutDir and OutFile locate the generated file; OutDir is also the
	// package whose Go functions specs may name.
	OutDir, OutFile string
	// SkipGoCheck skips loading the output package (for tests of the
	// emitter alone); go/packages is slow.
	SkipGoCheck bool
	// OnPhase, when set, is called with each phase's name (PhaseLoad, ...)
	// as the phase starts, and as each worker goroutine of the load phase
	// starts. Tests inject failures through it.
	OnPhase func(phase string)
}

// The phases of a run, as OnPhase and InternalError name them.
const (
	PhaseLoad    = "load"
	PhaseModel   = "model"
	PhaseEmit    = "emit"
	PhaseGoCheck = "gocheck"
)

func (o Options) phase(name string) {
	if o.OnPhase != nil {
		o.OnPhase(name)
	}
}

// InternalError is a failure of reftaskgen itself, not of the specs: a
// panic in one of its phases, on any goroutine, or Go source that the
// emitter wrote but cannot format.
type InternalError struct {
	Phase string
	Value any
	// Stack is where the panic happened.
	Stack []byte
}

func (e *InternalError) Error() string {
	// The value may quote a spec's text (a panic message holding a name or a value): cut like any quoted value.
	return fmt.Sprintf("internal error in the %s phase: %s", e.Phase, diag.ClipN(fmt.Sprint(e.Value), diag.MessageLimit))
}

// Unwrap returns the panic's value when it is an error.
func (e *InternalError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Run is Generate that returns a failure of the generator itself as an
// *InternalError, naming the phase, instead of panicking.
func Run(opts Options) (src []byte, diags diag.List, err error) {
	phase := PhaseLoad
	hook := opts.OnPhase
	opts.OnPhase = func(p string) {
		if p == PhaseLoad || p == PhaseModel || p == PhaseEmit || p == PhaseGoCheck {
			phase = p
		}
		if hook != nil {
			hook(p)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			p := crash.Recovered(r)
			src, diags, err = nil, nil, &InternalError{Phase: phase, Value: p.Value, Stack: p.Stack}
		}
	}()
	src, diags = Generate(opts)
	return src, diags, nil
}

// Generate runs the whole pipeline. It returns the formatted Go source, or
// every problem found in the input, sorted. A failure of the generator
// itself panics (see Run).
func Generate(opts Options) ([]byte, diag.List) {
	opts.phase(PhaseLoad)
	set, diags := load.LoadTraced(opts.Specs, func(stage string) { opts.phase(PhaseLoad + ":" + stage) })
	if len(set.Specs) == 0 && diags.HasErrors() {
		return nil, diags.Sorted()
	}
	// The specs that loaded are modelled even when others did not, so that
	// one run reports every problem.
	opts.phase(PhaseModel)
	pkg, mdiags := model.Build(set, opts.Package)
	diags = append(diags, mdiags...)
	if diags.HasErrors() {
		return nil, diags.Sorted()
	}
	set.Release()
	opts.phase(PhaseEmit)
	src, err := emit.File(pkg)
	if err != nil {
		// Not the specs' fault: the emitter wrote Go it cannot format.
		panic(err)
	}
	if !opts.SkipGoCheck {
		opts.phase(PhaseGoCheck)
		diags = append(diags, checkGo(set, pkg, opts, src)...)
		if diags.HasErrors() {
			return nil, diags.Sorted()
		}
	}
	return src, diags.Sorted()
}

// checkGo verifies the Go functions named by specs, loading the package
// once and only when some spec names Go code.
func checkGo(set *load.Set, pkg *ir.Package, opts Options, src []byte) diag.List {
	var diags diag.List
	specs := map[string]*load.Spec{}
	for _, sp := range set.Specs {
		specs[sp.Name] = sp
	}
	var wants []gocheck.Want
	report := func(sp *load.Spec, ptr string) func(string) {
		return func(msg string) {
			d := diag.Diagnostic{File: sp.File.Path, Pointer: ptr, Msg: msg}
			d.Line, d.Col = sp.File.Index.Pos(ptr)
			diags.Add(d)
		}
	}
	for _, t := range pkg.Tasks {
		sp := specs[t.Name]
		if x, ok := t.Source.Ext.(source.Checked); ok {
			for _, w := range x.Wants(t, model.TypeSig) {
				wants = append(wants, gocheck.Want{Func: w.Func, Params: w.Params, Results: w.Results, Report: report(sp, w.Ptr)})
			}
		}
		if t.TransformFunc != "" {
			wants = append(wants, gocheck.Want{
				Func:    t.TransformFunc,
				Params:  []string{"context.Context", "*" + t.Result.Name},
				Results: []string{"error"},
				Report:  report(sp, "/transform/func"),
			})
		}
	}
	typeWants := externalTypes(set, pkg, func(d diag.Diagnostic) { diags.Add(d) })
	for _, t := range pkg.Tasks {
		if t.Batch == nil || t.Batch.Key.Type.Kind != ir.GoType || t.Batch.Key.Type.IsBuiltin() {
			continue
		}
		k := t.Batch.Key.Type
		for i := range typeWants {
			if typeWants[i].Path == k.GoPath && typeWants[i].Name == k.GoName {
				typeWants[i].AsKey = append(typeWants[i].AsKey, report(specs[t.Name], "/batch"))
			}
		}
	}
	// A param written into text gets its text from fmt.Sprint: its type needs one (see gocheck.TypeWant.AsText).
	asText := func(f *ir.Field, sp *load.Spec, ptr string) {
		k := f.Type
		if k.Kind == ir.Pointer || k.Kind == ir.OptNull {
			k = k.Elem
		}
		if k.Kind != ir.GoType || k.IsBuiltin() {
			return
		}
		for i := range typeWants {
			if typeWants[i].Path == k.GoPath && typeWants[i].Name == k.GoName {
				typeWants[i].AsText = append(typeWants[i].AsText, report(sp, ptr))
			}
		}
	}
	for _, t := range pkg.Tasks {
		sp := specs[t.Name]
		if x, ok := t.Source.Ext.(source.Source); ok {
			for _, tx := range x.Texts() {
				for _, f := range tx.Params {
					asText(f, sp, tx.Ptr)
				}
			}
		}
	}
	if len(wants) == 0 && len(typeWants) == 0 {
		return nil
	}
	if err := gocheck.Check(opts.OutDir, opts.OutFile, src, wants, typeWants); err != nil {
		diags.Add(diag.Diagnostic{File: opts.OutDir, Msg: err.Error()})
	}
	return diags
}

// externalTypes lists the non-builtin types specs name with x-go-type,
// once each, reported at the first schema that names them.
func externalTypes(set *load.Set, pkg *ir.Package, add func(diag.Diagnostic)) []gocheck.TypeWant {
	var out []gocheck.TypeWant
	seen := map[string]bool{}
	visited := map[*ir.Type]bool{}
	var walk func(t *ir.Type)
	walk = func(t *ir.Type) {
		if t == nil || visited[t] {
			return
		}
		visited[t] = true
		if t.Kind == ir.GoType && !t.IsBuiltin() && !seen[t.GoPath+"."+t.GoName] {
			seen[t.GoPath+"."+t.GoName] = true
			d := set.Locate(t.Origin + "/x-go-type")
			out = append(out, gocheck.TypeWant{Path: t.GoPath, Name: t.GoName, Report: func(msg string) {
				d.Msg = msg
				add(d)
			}})
		}
		walk(t.Elem)
		for _, f := range t.Fields {
			walk(f.Type)
		}
	}
	for _, t := range pkg.Types {
		walk(t)
	}
	return out
}
