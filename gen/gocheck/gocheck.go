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

// Check loads the package in dir with the generated file (outFile, content)
// overlaid, and checks every wanted function.
func Check(dir, outFile string, content []byte, wants []Want) error {
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
		return fmt.Errorf("specs name Go functions, so the output folder %s must be a Go package inside a module: %s", dir, why)
	}
	pkg := pkgs[0]
	scope := pkg.Types.Scope()
	qual := types.RelativeTo(pkg.Types)
	for _, w := range wants {
		obj := scope.Lookup(w.Func)
		if obj == nil {
			w.Report(fmt.Sprintf("function %s is not declared in package %s; declare %s beside the generated file",
				w.Func, pkg.Name, strings.Replace(sig(w.Params, w.Results), "func", "func "+w.Func, 1)))
			continue
		}
		fn, ok := obj.(*types.Func)
		if !ok {
			w.Report(fmt.Sprintf("%s in package %s is a %s, not a function", w.Func, pkg.Name, kindOf(obj)))
			continue
		}
		fsig := fn.Type().(*types.Signature)
		if fsig.Recv() != nil || fsig.TypeParams().Len() > 0 {
			w.Report(fmt.Sprintf("%s must be a plain function, not a method or generic function", w.Func))
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
				w.Func, sig(gp, gr), sig(w.Params, w.Results), filepath.Base(pos.Filename), pos.Line))
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
