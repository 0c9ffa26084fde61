package load

import (
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// GoExtension is the name under which the compiler keeps a schema's x-go-* keywords (x-go-name, x-go-type,
// x-go-enum-names, and any other x-go-* keyword, which the model reports as unknown): Schema.Extensions[GoExtension]
// is a *GoKeywords.
const GoExtension = "x-go"

// GoKeywords is what the x-go extension keeps of one schema that has x-go-* keywords.
type GoKeywords struct {
	// Values are the x-go-* keywords and their values as the compiler decoded them.
	Values map[string]any
	// Keywords are all the keywords of the schema, sorted: x-go-type replaces the schema's type and validation, so
	// the model checks that nothing beside it constrains the value.
	Keywords []string
}

// Validate accepts every value: the x-go-* keywords describe the Go code, not the instances.
func (*GoKeywords) Validate(jsonschema.ValidationContext, any) error { return nil }

// GoKeywordsOf returns the x-go-* keywords of s, or nil when it has none.
func GoKeywordsOf(s *jsonschema.Schema) *GoKeywords {
	k, _ := s.Extensions[GoExtension].(*GoKeywords)
	return k
}

// goExtension compiles the x-go-* keywords of each schema into a *GoKeywords. It registers no meta-schema: the
// model checks each value itself, so that a bad one is reported with a message about the Go code it would make, at
// the keyword's position.
type goExtension struct{}

// Compile keeps the x-go-* keywords of m; a schema without any gets no extension.
func (goExtension) Compile(_ jsonschema.CompilerContext, m map[string]any) (jsonschema.ExtSchema, error) {
	var k *GoKeywords
	for key, v := range m {
		if !strings.HasPrefix(key, "x-go-") {
			continue
		}
		if k == nil {
			k = &GoKeywords{Values: map[string]any{}}
		}
		k.Values[key] = v
	}
	if k == nil {
		return nil, nil
	}
	for key := range m {
		k.Keywords = append(k.Keywords, key)
	}
	slices.Sort(k.Keywords)
	return k, nil
}
