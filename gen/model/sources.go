package model

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/load"
	"github.com/reftask/reftask/gen/source"
	"github.com/reftask/reftask/gen/source/kinds"
)

// extSpec is what a kind added through gen/source sees of the task being built.
type extSpec struct {
	b  *builder
	sp *load.Spec
	t  *ir.Task
}

func (s extSpec) Task() *ir.Task { return s.t }

func (s extSpec) Errorf(ptr, format string, args ...any) {
	s.b.errSpec(s.sp, ptr, fmt.Sprintf(format, args...))
}

func (s extSpec) Batched() bool { return s.sp.Batch != nil }

func (s extSpec) Param(name string) *ir.Field { return fieldByJSON(s.t.Params, name) }

func (s extSpec) Scalar(t *ir.Type) bool { return scalarParam(t) }

func (s extSpec) ParamNames() string {
	return strings.ReplaceAll(listJSON(s.t.Params.Fields), ":", "")
}

func (s extSpec) Describe(t *ir.Type) string { return describe(t) }

func (s extSpec) Template(ptr, text string, required bool) (ir.Template, bool) {
	return s.b.template(s.sp, s.t, ptr, text, required)
}

// extSource hands the spec's source object to its kind (the meta-schema allows exactly one, of a known kind).
func (b *builder) extSource(sp *load.Spec, t *ir.Task) ir.ExtSource {
	for _, name := range slices.Sorted(mapKeys(sp.Source.Ext)) {
		ptr := "/source/" + escape(name)
		k := kinds.ByName(name)
		if k == nil {
			b.errSpec(sp, ptr, fmt.Sprintf("unknown source kind %s", diag.Quote(name)))
			continue
		}
		src := k.Model(extSpec{b, sp, t}, ptr, sp.Source.Ext[name])
		if src == nil {
			continue
		}
		if _, ok := src.(source.Source); !ok {
			panic(fmt.Sprintf("source kind %q modelled a %T, which is not a source.Source", name, src))
		}
		return src
	}
	return nil
}

// ParseTemplate splits text at its {name} placeholders.
func ParseTemplate(s string) (parts, params []string, err error) {
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, nil, fmt.Errorf("unclosed { at byte %d", i)
			}
			name := s[i+1 : i+end]
			if !identRE.MatchString(name) {
				return nil, nil, fmt.Errorf("placeholder {%s} is not a parameter name", diag.Clip(name))
			}
			parts = append(parts, cur.String())
			cur.Reset()
			params = append(params, name)
			i += end
		case '}':
			return nil, nil, fmt.Errorf("unmatched } at byte %d", i)
		default:
			cur.WriteByte(s[i])
		}
	}
	return append(parts, cur.String()), params, nil
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// template resolves a parsed template's placeholders to params fields;
// required says whether every placeholder must name a required param.
func (b *builder) template(sp *load.Spec, t *ir.Task, ptr, text string, required bool) (ir.Template, bool) {
	parts, names, err := ParseTemplate(text)
	if err != nil {
		b.errSpec(sp, ptr, err.Error())
		return ir.Template{}, false
	}
	out := ir.Template{Parts: parts}
	ok := true
	for _, n := range names {
		f := fieldByJSON(t.Params, n)
		switch {
		case f == nil:
			b.errSpec(sp, ptr, fmt.Sprintf("unknown parameter {%s} (params has %s)", diag.Clip(n), strings.ReplaceAll(listJSON(t.Params.Fields), ":", "")))
			ok = false
		case !scalarParam(f.Type):
			b.errSpec(sp, ptr, fmt.Sprintf("parameter {%s} is %s and cannot be written into text", diag.Clip(n), describe(f.Type)))
			ok = false
		case required && !f.Required:
			b.errSpec(sp, ptr, fmt.Sprintf("parameter {%s} is optional, but a path needs a value: make it required or move it to the query", diag.Clip(n)))
			ok = false
		default:
			out.Params = append(out.Params, f)
		}
	}
	return out, ok
}

func fieldByJSON(t *ir.Type, name string) *ir.Field {
	for _, f := range t.Fields {
		if f.JSON == name {
			return f
		}
	}
	return nil
}

// scalarParam reports whether a param renders as one string.
func scalarParam(t *ir.Type) bool {
	switch t.Kind {
	case ir.Pointer, ir.OptNull:
		return scalarParam(t.Elem)
	case ir.Enum, ir.GoType:
		return true
	}
	return t.Kind.IsPrimitive()
}

// transform checks transform.fields against the result and the source,
// and records the mapping as property paths.
func (b *builder) transform(sp *load.Spec, t *ir.Task) {
	if sp.Transform == nil {
		return
	}
	b.goFunc(sp, "/transform/func", sp.Transform.Func)
	t.TransformFunc = sp.Transform.Func
	if len(sp.Transform.Fields) == 0 {
		return
	}
	res := t.Result
	if res.Kind == ir.Named && res.Elem.Kind == ir.Slice {
		res = res.Elem.Elem
	}
	if res.Kind != ir.Struct {
		b.errSpec(sp, "/transform/fields", "transform.fields needs an object result (or an array of objects)")
		return
	}
	for _, k := range slices.Sorted(mapKeys(sp.Transform.Fields)) {
		from := sp.Transform.Fields[k]
		ptr := "/transform/fields/" + escape(k)
		path := strings.Split(k, ".")
		if fieldOf(res, k) != nil {
			// A property whose name has a dot is named whole: "a.b" is
			// that property before it is b below a.
			path = []string{k}
		}
		cur := res
		ok := true
		for i, seg := range path {
			f := fieldOf(cur, seg)
			if f == nil {
				b.errSpec(sp, ptr, fmt.Sprintf("%s is not a property of %s (it has %s)", diag.Quote(strings.Join(path[:i+1], ".")), diag.Clip(cur.Name), strings.ReplaceAll(listJSON(cur.Fields), ":", "")))
				ok = false
				break
			}
			if i < len(path)-1 {
				next := f.Type
				for next.Kind == ir.Pointer || next.Kind == ir.OptNull {
					next = next.Elem
				}
				if next.Kind != ir.Struct {
					b.errSpec(sp, ptr, fmt.Sprintf("%s is not an object, so %s cannot be below it", diag.Quote(strings.Join(path[:i+1], ".")), diag.Quote(k)))
					ok = false
					break
				}
				cur = next
			}
		}
		if fm, isFM := t.Source.Ext.(source.FieldMapper); isFM {
			if why := fm.MapsFields(from); why != "" {
				b.errSpec(sp, ptr, why)
				ok = false
			}
		}
		if ok {
			t.Maps = append(t.Maps, ir.FieldMap{Prop: path, From: from})
		}
	}
}

func fieldOf(t *ir.Type, json string) *ir.Field {
	if t.Kind != ir.Struct {
		return nil
	}
	return fieldByJSON(t, json)
}
