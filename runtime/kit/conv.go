package kit

import (
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/rawval"
)

// Missing is the conversion error for a required property that the source
// did not provide.
func Missing(path, to string) error {
	return &runtime.ConvError{Path: path, From: "absent", To: to, Value: "(absent)", Err: rawval.MissingDetail(path)}
}

// NullNotAllowed is the conversion error for a null where the schema has no null.
func NullNotAllowed(path, to string) error {
	return &runtime.ConvError{Path: path, From: "null", To: to, Value: "null", Err: rawval.NullDetail(path)}
}

// convErr builds a *runtime.ConvError; it is only reached on failure, so fmt's reflection is fine here.
func convErr(path string, v any, to string, detail error) error {
	switch v.(type) {
	case rawval.Absent:
		return Missing(path, to)
	case nil:
		return NullNotAllowed(path, to)
	}
	return &runtime.ConvError{Path: path, From: typeName(v), To: to, Value: renderValue(v), Err: detail}
}
