package kit

import (
	"fmt"
	"reflect"

	"github.com/reftask/reftask/internal/quote"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/jsonptr"
	"github.com/reftask/reftask/runtime/internal/rawval"
	"github.com/reftask/reftask/runtime/internal/strict"
)

// Limits of one violation: a pointer (whose keys may come from input) and a message.
const (
	pointerLimit = 2 * quote.Limit
	messageLimit = 8 * quote.Limit
)

// Path is a JSON pointer built lazily on the stack while generated validators descend into a value: the string is
// only made when a violation is reported, so validating a valid value allocates nothing.
type Path = jsonptr.Path

// Violations accumulates violations in generated Validate methods; the zero value is ready to use.
type Violations struct {
	list []runtime.Violation
}

// Add records one violation. A pointer or message too long for an error line (a key or value from input can be
// any size) is cut, with its length noted.
func (v *Violations) Add(pointer, keyword, message string) {
	v.list = append(v.list, runtime.Violation{Pointer: quote.ClipN(pointer, pointerLimit), Keyword: keyword, Message: quote.ClipN(message, messageLimit)})
}

// Addf records one violation with a formatted message.
//
// Not inlined: generated validate functions call it only on failure, and inlined it would give them a frame big
// enough to outgrow a new goroutine's starting stack on the success path (a stack copy per lookup).
//
//go:noinline
func (v *Violations) Addf(pointer, keyword, format string, args ...any) {
	v.Add(pointer, keyword, fmt.Sprintf(format, boundArgs(args)...))
}

// Len returns the number of violations recorded so far.
func (v *Violations) Len() int { return len(v.list) }

// Err returns nil when no violation was recorded, else a *runtime.ValidationError holding them all.
func (v *Violations) Err() error {
	if len(v.list) == 0 {
		return nil
	}
	return &runtime.ValidationError{Violations: append([]runtime.Violation(nil), v.list...)}
}

// List returns the violations recorded so far; the slice is the accumulator's own.
func (v *Violations) List() []runtime.Violation { return v.list }

// boundedArg stands in for a long string argument of Violations.Addf, so that whatever verb the generated
// message uses (%q, %s, %v), the value is shown cut, with its length.
type boundedArg struct{ s string }

// Format writes the value as Quote does for %q and as Clip does for the other verbs.
func (b boundedArg) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		_, _ = f.Write([]byte(quote.Quote(b.s)))
		return
	}
	_, _ = f.Write([]byte(quote.Clip(b.s)))
}

// boundArgs replaces the long string arguments of a message with boundedArgs; short ones are left alone.
func boundArgs(args []any) []any {
	for i, a := range args {
		switch x := a.(type) {
		case string:
			if len(x) > quote.Limit {
				args[i] = boundedArg{x}
			}
		case []byte:
			if len(x) > quote.Limit {
				args[i] = boundedArg{string(x)}
			}
		case fmt.Stringer:
			// Format types and named strings; their text is what the message shows.
			if s := x.String(); len(s) > quote.Limit {
				args[i] = boundedArg{s}
			}
		default:
			if rv := reflect.ValueOf(a); rv.Kind() == reflect.String && rv.Len() > quote.Limit {
				args[i] = boundedArg{rv.String()}
			}
		}
	}
	return args
}

// DecodeStrict decodes data into v, a pointer to a generated type's plain form, the way JSON Schema reads it:
// null is rejected (a nullable value is a pointer or runtime.OptNull, which never get here), and a number
// without a fractional part written as 1.0 or 1e2 decodes into an integer.
func DecodeStrict(data []byte, v any) error {
	var vs Violations
	if err := strict.Decode(data, v, vs.Add); err != nil {
		return err
	}
	return vs.Err()
}

// JoinPointer appends one escaped token to a JSON pointer.
func JoinPointer(ptr, token string) string { return ptr + "/" + jsonptr.Escape(token) }

// Prop returns the property key of m, or a marker the As functions report as missing; generated converters read
// required properties through it.
func Prop(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	return rawval.Absent{}
}
