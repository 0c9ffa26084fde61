package filesource

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/reftask/reftask/internal/jsonnum"
	"github.com/reftask/reftask/runtime/internal/jsonptr"
	"github.com/reftask/reftask/runtime/internal/rawval"
)

// Documents are parsed once per version into JSON types (map[string]any, []any, json.Number, string, bool,
// nil), whichever of JSON or YAML they are written in, so that the generated converters see one shape.

// parseFile parses data as JSON or YAML, chosen by the extension of p, into JSON types.
func parseFile(p string, data []byte) (any, error) {
	var (
		v   any
		err error
	)
	switch ext := strings.ToLower(path.Ext(p)); ext {
	case ".json":
		v, err = parseJSON(data)
	case ".yaml", ".yml":
		v, err = parseYAML(data)
	default:
		return nil, fmt.Errorf("file %q: unsupported extension %q (want .json, .yaml or .yml)", p, ext)
	}
	if err != nil {
		return nil, fmt.Errorf("file %q: %w", p, err)
	}
	return v, nil
}

func parseJSON(data []byte) (any, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // editors on Windows like to add a BOM
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("parse JSON: file is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("parse JSON: %s%w", jsonErrPos(data, err), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("parse JSON: %sdata after the top-level value", lineCol(data, dec.InputOffset()))
	}
	return v, nil
}

// jsonErrPos renders the line and column of a decoding error, which encoding/json reports only as an offset.
func jsonErrPos(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return lineCol(data, se.Offset-1) // Offset counts the offending byte
	case errors.As(err, &te):
		return lineCol(data, te.Offset)
	}
	return ""
}

func lineCol(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return fmt.Sprintf("line %d, column %d: ", line, col)
}

func parseYAML(data []byte) (any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			// An empty file is valid YAML (null) but far more often a truncated or mistaken one.
			return nil, errors.New("parse YAML: file is empty")
		}
		return nil, fmt.Errorf("parse YAML: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			return nil, fmt.Errorf("parse YAML: %w", err)
		}
		return nil, fmt.Errorf("parse YAML: line %d: more than one document", extra.Line)
	}
	// Aliases can expand a small file exponentially ("billion laughs"); bound the expanded size.
	c := yamlConv{budget: 16*len(data) + 1<<16}
	return c.value(&doc, nil)
}

// yamlConv converts a YAML node tree into JSON types.
type yamlConv struct{ budget int }

func (c *yamlConv) value(n *yaml.Node, at *jsonptr.Path) (any, error) {
	if c.budget--; c.budget < 0 {
		return nil, fmt.Errorf("parse YAML: line %d: document too large once aliases are expanded", n.Line)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0], at)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("parse YAML: line %d: unresolved alias %q", n.Line, n.Value)
		}
		return c.value(n.Alias, at)
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, el := range n.Content {
			p := at.Index(i)
			v, err := c.value(el, &p)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case yaml.MappingNode:
		return c.mapping(n, at)
	case yaml.ScalarNode:
		return c.scalar(n, at)
	}
	return nil, fmt.Errorf("parse YAML: line %d: unexpected node kind %v at %s", n.Line, n.Kind, rawval.DisplayPath(at.String()))
}

func (c *yamlConv) mapping(n *yaml.Node, at *jsonptr.Path) (map[string]any, error) {
	out := make(map[string]any, len(n.Content)/2)
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		for k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		tag := k.ShortTag()
		if k.Kind == yaml.ScalarNode && tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode || tag != "!!str" {
			return nil, fmt.Errorf("parse YAML: line %d: key %q in %s is %s, but only string keys map to JSON (quote it)",
				k.Line, k.Value, rawval.DisplayPath(at.String()), strings.TrimPrefix(tag, "!!"))
		}
		if _, dup := out[k.Value]; dup {
			return nil, fmt.Errorf("parse YAML: line %d: key %q in %s appears twice", k.Line, k.Value, rawval.DisplayPath(at.String()))
		}
		p := at.Key(k.Value)
		val, err := c.value(v, &p)
		if err != nil {
			return nil, err
		}
		out[k.Value] = val
	}
	// YAML merge keys: explicit keys win over merged ones, and earlier merged maps over later ones.
	for _, m := range merges {
		srcs := []*yaml.Node{m}
		if deref(m).Kind == yaml.SequenceNode {
			srcs = deref(m).Content
		}
		for _, src := range srcs {
			if deref(src).Kind != yaml.MappingNode {
				return nil, fmt.Errorf("parse YAML: line %d: merge key in %s needs a mapping or a list of mappings",
					src.Line, rawval.DisplayPath(at.String()))
			}
			mv, err := c.value(src, at)
			if err != nil {
				return nil, err
			}
			for k, v := range mv.(map[string]any) {
				if _, ok := out[k]; !ok {
					out[k] = v
				}
			}
		}
	}
	return out, nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func (c *yamlConv) scalar(n *yaml.Node, at *jsonptr.Path) (any, error) {
	tag := n.ShortTag()
	where := func(err error) error {
		return fmt.Errorf("parse YAML: line %d: %s: %w", n.Line, rawval.DisplayPath(at.String()), err)
	}
	switch tag {
	case "!!str":
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, where(err)
		}
		return b, nil
	case "!!int", "!!float":
		num, err := yamlNumber(n)
		if err != nil {
			return nil, where(err)
		}
		return num, nil
	case "!!timestamp":
		var t time.Time
		if err := n.Decode(&t); err != nil {
			return nil, where(err)
		}
		return t.Format(time.RFC3339Nano), nil
	case "!!binary":
		var s string
		if err := n.Decode(&s); err != nil {
			return nil, where(err)
		}
		return s, nil
	}
	return nil, where(fmt.Errorf("unsupported tag %s", tag))
}

// yamlNumber keeps the literal when it already is a JSON number, so big or precise numbers stay exact;
// other spellings (0x1F, 1_000, +1, .5) go through the value yaml decodes.
func yamlNumber(n *yaml.Node) (json.Number, error) {
	if jsonnum.IsLiteral(n.Value) {
		return json.Number(n.Value), nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return "", err
	}
	switch v := v.(type) {
	case int:
		return json.Number(strconv.Itoa(v)), nil
	case int64:
		return json.Number(strconv.FormatInt(v, 10)), nil
	case uint64:
		return json.Number(strconv.FormatUint(v, 10)), nil
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return "", fmt.Errorf("number %s has no JSON representation", n.Value)
		}
		return json.Number(strconv.FormatFloat(v, 'g', -1, 64)), nil
	}
	return "", fmt.Errorf("number %q decoded as %T", n.Value, v)
}

// copyJSON deep-copies a value made of JSON types.
func copyJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = copyJSON(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = copyJSON(e)
		}
		return s
	}
	return v
}
