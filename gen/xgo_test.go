package gen_test

import (
	"strings"
	"testing"
)

// TestGoExtensionsNeverIgnored puts each x-go-* keyword (and an unknown one) in each place a schema can hold it and
// checks that the generator either honours it (the name or type shows in the output) or reports it at the
// keyword; never silence (issue 11, class 5: never drops a constraint).
func TestGoExtensionsNeverIgnored(t *testing.T) {
	// Each shape is a property schema with EXT where the keyword goes; the shape without it generates cleanly.
	shapes := map[string]string{
		"scalar property":        `{"type": "integer"EXT}`,
		"object property":        `{"type": "object", "properties": {"a": {"type": "integer"}}EXT}`,
		"nullable object":        `{"type": ["object", "null"], "properties": {"a": {"type": "integer"}}EXT}`,
		"scalar items":           `{"type": "array", "items": {"type": "integer"EXT}}`,
		"object items":           `{"type": "array", "items": {"type": "object", "properties": {"a": {"type": "integer"}}EXT}}`,
		"map values":             `{"type": "object", "additionalProperties": {"type": "integer"EXT}}`,
		"pattern properties":     `{"type": "object", "properties": {"a": {"type": "integer"}}, "patternProperties": {"^x": {"type": "integer"EXT}}}`,
		"beside a $ref":          `{"$ref": "#/result/$defs/I"EXT}`,
		"$ref target":            `{"$ref": "#/result/$defs/X"}`,
		"allOf part":             `{"allOf": [{"type": "integer"EXT}]}`,
		"allOf object part":      `{"allOf": [{"type": "object", "properties": {"a": {"type": "integer"}}EXT}, {"required": ["a"]}]}`,
		"anyOf branch":           `{"anyOf": [{"type": "integer"EXT}, {"type": "string"}]}`,
		"oneOf object branch":    `{"oneOf": [{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]EXT}, {"type": "string"}]}`,
		"integer enum":           `{"type": "integer", "enum": [1, 2]EXT}`,
		"mixed enum":             `{"enum": ["a", 1, null]EXT}`,
		"const":                  `{"const": 3EXT}`,
		"tuple item":             `{"type": "array", "prefixItems": [{"type": "integer"EXT}], "items": false}`,
		"tuple":                  `{"type": "array", "prefixItems": [{"type": "integer"}], "items": false EXT}`,
		"JSON value":             `{"type": ["integer", "string"]EXT}`,
		"contains":               `{"type": "array", "items": {"type": "integer"}, "contains": {"type": "integer"EXT}}`,
		"if":                     `{"type": "integer", "if": {"minimum": 1EXT}, "then": {"maximum": 5}}`,
		"recursive map":          `{"$ref": "#/result/$defs/F"}`,
		"nested object property": `{"type": "object", "properties": {"in": {"type": "object", "properties": {"b": {"type": "integer"EXT}}}}}`,
	}
	exts := []struct {
		kw, value, honoured string
	}{
		{"x-go-name", `"Zed"`, "Zed"},
		{"x-go-type", `"int32"`, "int32"},
		{"x-go-enum-names", `["Qa", "Qb", "Qc"]`, "Qa"},
		{"x-go-enum-names", `["Qa", "Qb"]`, "Qa"},
		{"x-go-wat", `true`, ""},
	}
	defs := func(ext string) string {
		return `"$defs": {"I": {"type": "integer"}, "X": {"type": "object", "properties": {"a": {"type": "integer"}}` + ext + `},` +
			` "F": {"type": "object", "additionalProperties": {"$ref": "#/result/$defs/F"}` + ext + `}}`
	}
	spec := func(shape, ext string) string {
		return `{"name": "T", "params": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},` +
			` "result": {"type": "object", "properties": {"p": ` + strings.ReplaceAll(shape, "EXT", ext) + `}, ` + defs(strings.ReplaceAll(ext, "EXT", "")) + `},` +
			` "source": {"file": {"path": "d.json", "pointer": "/{id}"}}}`
	}
	for name, shape := range shapes {
		t.Run(name, func(t *testing.T) {
			base, diags := generateIn(t, writeSpecs(t, map[string]string{"t.task.json": spec(shape, "")}))
			if base == nil || len(diags) > 0 {
				t.Fatalf("the shape alone does not generate cleanly: %v", diags)
			}
			for _, e := range exts {
				ext := `, "` + e.kw + `": ` + e.value
				s := spec(shape, ext)
				if !strings.Contains(shape, "EXT") {
					// The keyword sits on the $defs target the shape refers to.
					s = spec(shape, "")
					s = strings.Replace(s, `"$defs": {"I": {"type": "integer"}, "X": {"type": "object", "properties": {"a": {"type": "integer"}}}, "F": {"type": "object", "additionalProperties": {"$ref": "#/result/$defs/F"}}}`,
						defs(ext), 1)
				}
				src, diags := generateIn(t, writeSpecs(t, map[string]string{"t.task.json": s}))
				var at []string
				for _, d := range diags {
					if strings.HasSuffix(d.Pointer, "/"+e.kw) || strings.Contains(d.Pointer, "/"+e.kw+"/") {
						at = append(at, d.String())
					}
				}
				honoured := e.honoured != "" && src != nil && strings.Contains(string(src), e.honoured) && !strings.Contains(string(base), e.honoured)
				switch {
				case honoured && len(at) > 0 && !diags.HasErrors():
					// Honoured with a warning (a clash renamed it): still not silent.
				case honoured:
				case len(at) > 0:
				default:
					t.Errorf("%s %s: neither honoured nor reported at the keyword; diagnostics: %v", e.kw, e.value, diags)
				}
				if e.honoured == "" && len(at) == 0 {
					t.Errorf("%s: an unknown extension must be reported", e.kw)
				}
			}
		})
	}
}
