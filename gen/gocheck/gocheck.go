// Package gocheck checks, through go/packages, that the Go functions task
// specs name exist in the output package with the signatures the generated
// code calls them with. It loads the package once per run, with the
// generated file laid over whatever is on disk.
package gocheck

import (
	"fmt"
	"go/types"
	"path/filepath"
	"strings"

	"github.com/reftask/reftask/gen/diag"

	"golang.org/x/tools/go/packages"
)

// Want is one function a spec names and the signature it must have.
type Want struct {
	Func string
	// Params and Results are the types as the generated package spells
	// them, e.g. "context.Context", "UserProfileParams"; "*UserProfile", "error".
	Params, Results []string
	// Report receives the problem, if any, so the caller can place it at the spec.
	Report func(msg string)
}

// TypeWant is a Go type a spec names with x-go-type: it must exist and
// read and write itself as JSON.
type TypeWant struct {
	// Path is the import path; "" for a type of the output package.
	Path, Name string
	Report     func(msg string)
	// AsKey holds one report per batched task keyed by the type: such a
	// type must also compare by value, since keys are map keys and
	// records are matched to them with ==.
	AsKey []func(msg string)
	// AsText holds one report per place a param of the type is written into text (an HTTP path or query, a file
	// pointer): generated code writes it with fmt.Sprint, so the type must have a text form there.
	AsText []func(msg string)
}

// Check loads the package in dir with the generated file (outFile, content)
// overlaid, and checks every wanted function and type.
func Check(dir, outFile string, content []byte, wants []Want, typeWants []TypeWant) error {
	absOut, err := filepath.Abs(filepath.Join(dir, outFile))
	if err != nil {
		return err
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	cfg := &packages.Config{
		Mode:    packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo,
		Dir:     absDir,
		Overlay: map[string][]byte{absOut: content},
		Tests:   false,
	}
	pkgs, err := packages.Load(cfg, ".")
	if err != nil {
		return fmt.Errorf("loading the Go package in %s: %w", dir, err)
	}
	if len(pkgs) != 1 || pkgs[0].Types == nil || pkgs[0].Name == "" {
		why := fmt.Sprintf("found %d packages", len(pkgs))
		if len(pkgs) == 1 && len(pkgs[0].Errors) > 0 {
			why = pkgs[0].Errors[0].Msg
		}
		return fmt.Errorf("specs name Go functions or types, so the output folder %s must be a Go package inside a module: %s", dir, why)
	}
	pkg := pkgs[0]
	for _, tw := range typeWants {
		checkType(pkg, tw)
	}
	scope := pkg.Types.Scope()
	// Other packages are spelled by name, as the generated code writes
	// them ("runtime.UUID", "netip.Addr"), not by import path.
	qual := func(p *types.Package) string {
		if p == pkg.Types {
			return ""
		}
		return p.Name()
	}
	for _, w := range wants {
		obj := scope.Lookup(w.Func)
		if obj == nil {
			w.Report(fmt.Sprintf("function %s is not declared in package %s; declare %s beside the generated file",
				diag.Clip(w.Func), pkg.Name, diag.Clip(strings.Replace(sig(w.Params, w.Results), "func", "func "+w.Func, 1))))
			continue
		}
		fn, ok := obj.(*types.Func)
		if !ok {
			w.Report(fmt.Sprintf("%s in package %s is a %s, not a function", diag.Clip(w.Func), pkg.Name, kindOf(obj)))
			continue
		}
		fsig := fn.Type().(*types.Signature)
		if fsig.Recv() != nil || fsig.TypeParams().Len() > 0 {
			w.Report(fmt.Sprintf("%s must be a plain function, not a method or generic function", diag.Clip(w.Func)))
			continue
		}
		got := func(t *types.Tuple) []string {
			var out []string
			for i := 0; i < t.Len(); i++ {
				out = append(out, types.TypeString(t.At(i).Type(), qual))
			}
			return out
		}
		gp, gr := got(fsig.Params()), got(fsig.Results())
		if fsig.Variadic() || !equal(gp, w.Params) || !equal(gr, w.Results) {
			pos := pkg.Fset.Position(fn.Pos())
			w.Report(fmt.Sprintf("function %s has signature %s, want %s (declared at %s:%d)",
				diag.Clip(w.Func), diag.Clip(sig(gp, gr)), diag.Clip(sig(w.Params, w.Results)), filepath.Base(pos.Filename), pos.Line))
		}
	}
	return nil
}

// sig renders a signature as Go writes it: one unnamed result needs no parentheses.
func sig(params, results []string) string {
	r := strings.Join(results, ", ")
	if len(results) > 1 {
		r = "(" + r + ")"
	}
	return "func(" + strings.Join(params, ", ") + ") " + r
}

func kindOf(obj types.Object) string {
	switch obj.(type) {
	case *types.Var:
		return "variable"
	case *types.Const:
		return "constant"
	case *types.TypeName:
		return "type"
	}
	return "declaration"
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkType reports a type that cannot be found or does not marshal itself:
// its value must have MarshalJSON or MarshalText, its pointer
// UnmarshalJSON or UnmarshalText.
func checkType(pkg *packages.Package, tw TypeWant) {
	full := tw.Name
	scope := pkg.Types.Scope()
	if tw.Path != "" {
		full = tw.Path + "." + tw.Name
		scope = nil
		for _, imp := range pkg.Types.Imports() {
			if imp.Path() == tw.Path {
				scope = imp.Scope()
			}
		}
		// A package that failed to load is there, but empty.
		if scope == nil || scope.Len() == 0 {
			why := "it is not a dependency of this module (go get it)"
			for _, e := range pkg.Errors {
				if strings.Contains(e.Msg, tw.Path) {
					why = e.Msg
					break
				}
			}
			tw.Report(fmt.Sprintf("x-go-type %s: package %s cannot be loaded: %s", diag.Clip(full), diag.Clip(tw.Path), diag.Clip(why)))
			return
		}
	}
	obj, ok := scope.Lookup(tw.Name).(*types.TypeName)
	if !ok {
		tw.Report(fmt.Sprintf("x-go-type %s: no type %s in package %s", diag.Clip(full), diag.Clip(tw.Name), diag.Clip(pkgPath(pkg, tw.Path))))
		return
	}
	typ := obj.Type()
	has := func(t types.Type, names ...string) bool {
		for _, n := range names {
			if m, _, _ := types.LookupFieldOrMethod(t, false, obj.Pkg(), n); m != nil {
				if _, ok := m.(*types.Func); ok {
					return true
				}
			}
		}
		return false
	}
	if !has(typ, "MarshalJSON", "MarshalText") || !has(types.NewPointer(typ), "UnmarshalJSON", "UnmarshalText") {
		tw.Report(fmt.Sprintf("x-go-type %s must marshal itself: give %s a MarshalJSON (or MarshalText) method and *%s an UnmarshalJSON (or UnmarshalText) method", diag.Clip(full), diag.Clip(tw.Name), diag.Clip(tw.Name)))
	}
	if len(tw.AsText) > 0 && !has(typ, "String") {
		if _, basic := typ.Underlying().(*types.Basic); !basic {
			// fmt.Sprint would print the fields (pointers as addresses): no text a source or a cache key should see.
			for _, r := range tw.AsText {
				r(fmt.Sprintf("x-go-type %s is written into text with fmt.Sprint, which prints a %s as Go syntax: give %s a String method", diag.Clip(full), diag.Clip(tw.Name), diag.Clip(tw.Name)))
			}
		}
	}
	if len(tw.AsKey) > 0 {
		if why := keyProblem(typ, map[types.Type]bool{}); why != "" {
			for _, r := range tw.AsKey {
				r(fmt.Sprintf("the batch key's x-go-type %s cannot be a key: %s", diag.Clip(full), why))
			}
		}
	}
}

// byValue are types outside the basic kinds whose == is documented to
// compare their value, though they hold a pointer inside.
var byValue = map[string]bool{"net/netip.Addr": true, "net/netip.AddrPort": true, "net/netip.Prefix": true}

// keyProblem says why == on values of t does not compare them by value,
// or returns "": t must be a string or integer type, or an array or
// struct of those, all the way down (or a type in byValue).
func keyProblem(t types.Type, seen map[types.Type]bool) string {
	t = types.Unalias(t)
	if n, ok := t.(*types.Named); ok {
		if obj := n.Obj(); obj.Pkg() != nil {
			name := obj.Pkg().Path() + "." + obj.Name()
			if byValue[name] {
				return ""
			}
			if name == "time.Time" {
				return "time.Time's == compares the location and the monotonic clock reading, so one instant read from two sources would be two keys"
			}
		}
	}
	if seen[t] {
		return ""
	}
	seen[t] = true
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&(types.IsInteger|types.IsString) != 0 && u.Kind() != types.UnsafePointer:
			return ""
		case u.Info()&(types.IsFloat|types.IsComplex) != 0:
			return "its == compares floating-point numbers, an inexact key"
		case u.Info()&types.IsBoolean != 0:
			return "a boolean has two values, so there is nothing to batch"
		}
		return fmt.Sprintf("%s is not a value a key can hold", u)
	case *types.Array:
		if why := keyProblem(u.Elem(), seen); why != "" {
			return "its elements: " + why
		}
		return ""
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			f := u.Field(i)
			if why := keyProblem(f.Type(), seen); why != "" {
				return fmt.Sprintf("its field %s: %s", f.Name(), why)
			}
		}
		return ""
	case *types.Pointer, *types.Chan:
		return "its == compares a pointer, not the value it points to"
	case *types.Interface:
		return "its == compares dynamic values, and panics on one that is not comparable"
	case *types.Slice, *types.Map, *types.Signature:
		return "it is not comparable (slices, maps and functions have no ==)"
	}
	return "it is not comparable"
}

func pkgPath(pkg *packages.Package, path string) string {
	if path == "" {
		return pkg.Name
	}
	return path
}
