// Package schema embeds the JSON Schema (draft 2020-12) describing reftask
// task specs (*.task.json).
//
// Specs that set "$schema" to [ID] get completion and checking in editors
// that understand JSON Schema; reftaskgen validates every spec against the
// same document.
package schema

import _ "embed"

// ID is the "$id" of the task spec schema.
const ID = "https://reftask.dev/schema/task.schema.json"

//go:embed task.schema.json
var taskSchema []byte

// JSON returns the task spec schema document. The result is a fresh copy;
// callers may modify it.
func JSON() []byte {
	return append([]byte(nil), taskSchema...)
}
