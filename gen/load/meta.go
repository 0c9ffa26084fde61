package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/source/kinds"

	"github.com/reftask/reftask/schema"
)

func compileMeta() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	doc, err := ComposeSchema(schema.JSON())
	if err != nil {
		return nil, err
	}
	if err := c.AddResource(schema.ID, bytes.NewReader(withoutDraftRefs(doc))); err != nil {
		return nil, err
	}
	return c.Compile(schema.ID)
}

// leaves flattens a validation error tree into the errors that have no
// causes: those say what is wrong; their parents only say where.
func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// metaError words a meta-schema violation for a spec author and places it
// as precisely as the violation allows: an unknown key at the key itself.
func (s *Set) metaError(f *File, doc any, ve *jsonschema.ValidationError) {
	ptr, msg := SchemaPointer(ve.InstanceLocation), ve.Message
	kw := ve.KeywordLocation[strings.LastIndex(ve.KeywordLocation, "/")+1:]
	switch {
	case strings.HasPrefix(msg, "additionalProperties "):
		list := strings.TrimSuffix(strings.TrimPrefix(msg, "additionalProperties "), " not allowed")
		for _, key := range strings.Split(list, ", ") {
			key = strings.Trim(key, "'")
			kp := ptr + "/" + strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
			d := diag.Diagnostic{File: f.Path, Pointer: ptr, Msg: "unknown key " + diag.Quote(key)}
			if l, c, ok := f.Index.KeyPos(kp); ok {
				d.Line, d.Col = l, c
			} else {
				d.Line, d.Col = f.Index.Pos(ptr)
			}
			s.add(d)
		}
		return
	case kw == "pattern" && strings.Contains(ve.AbsoluteKeywordLocation, "duration"):
		v, _ := pointerGet(doc, ptr)
		msg = fmt.Sprintf("invalid duration %s: want a Go duration such as \"500ms\" or \"1m30s\" (\"0\" for none)", diag.Quote(fmt.Sprint(v)))
	case kw == "pattern" && ptr == "/source/file/path":
		v, _ := pointerGet(doc, ptr)
		msg = fmt.Sprintf("file path %s must be relative, with / separators, and end in .json, .yaml or .yml", diag.Quote(fmt.Sprint(v)))
	case ptr == "/source" && (kw == "maxProperties" || kw == "minProperties"):
		var names []string
		for _, k := range kinds.All() {
			names = append(names, strconv.Quote(k.Name()))
		}
		msg = "source needs exactly one of " + strings.Join(names, ", ")
	}
	s.errorAt(f, ptr, msg)
}

// withoutDraftRefs drops the meta-schema's "$ref" from params and result to
// the draft 2020-12 meta-schema. Editors use it; the generator need not,
// because compiling each embedded schema checks it against the meta-schema
// of its own draft, and checking twice doubled the cost of loading.
func withoutDraftRefs(doc []byte) []byte {
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		return doc
	}
	props, _ := m["properties"].(map[string]any)
	for _, k := range []string{"params", "result"} {
		if p, ok := props[k].(map[string]any); ok {
			delete(p, "$ref")
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return doc
	}
	return out
}

// ComposeSchema returns the task spec meta-schema doc with each kind added through gen/source written in as
// "source"/<kind> from the kind's own fragment, and the source's description listing every kind. It is how
// the generator reads the meta-schema; schema/task.schema.json, which editors read, is kept equal to it by
// TestSchemaComposed.
func ComposeSchema(doc []byte) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, fmt.Errorf("meta-schema: %w", err)
	}
	props, _ := m["properties"].(map[string]any)
	src, _ := props["source"].(map[string]any)
	kindProps, _ := src["properties"].(map[string]any)
	if kindProps == nil {
		return nil, fmt.Errorf("meta-schema: no properties under \"source\"")
	}
	var names []string
	for _, k := range kinds.All() {
		var frag any
		if err := json.Unmarshal(k.Schema(), &frag); err != nil {
			return nil, fmt.Errorf("meta-schema fragment of source kind %q: %w", k.Name(), err)
		}
		kindProps[k.Name()] = frag
		names = append(names, strconv.Quote(k.Name()))
	}
	src["description"] = "Where the result comes from. Exactly one of " + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1] + "."
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
