package load

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/reftask/reftask/schema"
)

func compileMeta() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(schema.ID, bytes.NewReader(schema.JSON())); err != nil {
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

// metaMessage words a meta-schema violation for a spec author.
func metaMessage(ve *jsonschema.ValidationError) string {
	msg := ve.Message
	if strings.HasPrefix(msg, "additionalProperties ") {
		msg = strings.TrimPrefix(msg, "additionalProperties ")
		return fmt.Sprintf("unknown key %s", strings.TrimSuffix(msg, " not allowed"))
	}
	return msg
}
