package model

import (
	"fmt"
	"strings"

	"github.com/reftask/reftask/gen/diag"
	"github.com/reftask/reftask/gen/ir"
	"github.com/reftask/reftask/gen/load"
	"github.com/reftask/reftask/gen/source"
)

// batch checks the batch policy and the source's batch form.
func (b *builder) batch(sp *load.Spec, t *ir.Task) {
	if sp.Batch == nil {
		return
	}
	bt := &ir.Batch{MaxSize: sp.Batch.MaxSize, Concurrency: sp.Batch.Concurrency, Wait: int64(sp.Batch.Wait)}
	if len(t.Params.Fields) != 1 || !t.Params.Fields[0].Required {
		b.errSpec(sp, "/batch", fmt.Sprintf("batching needs params with exactly one property, the required key; %s has %s", diag.Clip(t.Params.Name), listJSON(t.Params.Fields)))
		return
	}
	bt.Key = t.Params.Fields[0]
	if why := keyTypeProblem(bt.Key.Type); why != "" {
		b.errSpec(sp, "/batch", fmt.Sprintf("the batch key %s is %s, which cannot be a key: %s", diag.Quote(bt.Key.JSON), describeKey(bt.Key.Type), why))
		return
	}
	ext, _ := t.Source.Ext.(source.Batcher)
	switch {
	case t.Source.Ext != nil && ext == nil:
		why := fmt.Sprintf("a %s source has no batch form", t.Source.Ext.SourceKind())
		if nb, ok := t.Source.Ext.(source.NoBatcher); ok {
			why = nb.NoBatch()
		}
		b.errSpec(sp, "/batch", why)
		return
	case ext != nil && ext.InOrder():
		if ext.CheckBatch(extSpec{b, sp, t}, bt.Key) {
			t.Batch = bt
		}
		return
	}
	res := t.Result
	if res.Kind != ir.Struct {
		b.errSpec(sp, "/batch", "batching needs an object result, so that records can be matched to keys")
		return
	}
	keyProp := sp.Batch.Key
	if keyProp == "" {
		keyProp = bt.Key.JSON
	}
	rk := fieldByJSON(res, keyProp)
	switch {
	case rk == nil:
		b.errSpec(sp, "/batch", fmt.Sprintf("the result has no property %s to match records to keys; set batch.key to one of %s", diag.Quote(keyProp), strings.ReplaceAll(listJSON(res.Fields), ":", "")))
		return
	case !rk.Required || rk.Type.Kind == ir.Pointer || rk.Type.Kind == ir.OptNull:
		b.errSpec(sp, "/batch/key", fmt.Sprintf("result property %s must be required and not null to match records to keys", diag.Quote(keyProp)))
		return
	case !sameKeyType(rk.Type, bt.Key.Type):
		b.errSpec(sp, "/batch/key", fmt.Sprintf("result property %s is %s but the key %s is %s; records are matched to keys with ==, so give the property the key's type%s",
			diag.Quote(keyProp), describeKey(rk.Type), diag.Quote(bt.Key.JSON), describeKey(bt.Key.Type), keyTypeHint(bt.Key.Type)))
		return
	}
	bt.ResultKey = rk
	if ext == nil || !ext.CheckBatch(extSpec{b, sp, t}, bt.Key) {
		return
	}
	t.Batch = bt
}

// keyTypeProblem says why values of t cannot be batch keys, or returns ""
// when they can. Keys are map keys, and records are matched to them with
// ==, so a key type must be comparable and its == must hold exactly when
// the two JSON values are the same key. The comparability of an x-go-type
// declared in Go is checked later, with the loaded package (gocheck).
func keyTypeProblem(t *ir.Type) string {
	switch t.Kind {
	case ir.String, ir.Int:
		return ""
	case ir.Enum:
		if t.Elem.Kind == ir.String || t.Elem.Kind == ir.Int {
			return ""
		}
		return keyTypeProblem(t.Elem)
	case ir.Format:
		switch t.Format {
		case "uuid", "date", "duration", "email", "uri", "ipv4", "ipv6":
			// UUID is [16]byte and Date three integers: == is the value's
			// identity. Duration, Email and URI keep their text, so == is
			// the text's; netip.Addr's == compares address and zone.
			return ""
		case "time":
			return "runtime.TimeOfDay's == compares the UTC offset too, so one instant written with two offsets (13:00:00Z, 14:00:00+01:00) would be two keys"
		}
		return "its format has no key form"
	case ir.Time:
		return "time.Time's == compares the location and the monotonic clock reading, so one instant read from two sources would be two keys"
	case ir.Float:
		return floatKey
	case ir.Bool:
		return boolKey
	case ir.GoType:
		if !t.IsBuiltin() {
			return "" // checked against the loaded package
		}
		switch ir.BuiltinKind(t.GoName) {
		case "number":
			return floatKey
		case "boolean":
			return boolKey
		}
		return ""
	case ir.Struct, ir.Tuple, ir.Union:
		return "an object or array value is not comparable; use one of its properties as the key"
	case ir.Slice, ir.Map:
		return "arrays and maps are not comparable"
	case ir.JSON, ir.JSONEnum:
		return "a value that may have several JSON types has no single key form"
	case ir.Pointer, ir.OptNull:
		return "null is not a key; drop \"null\" from the key's type"
	}
	return "it is not comparable"
}

const (
	floatKey = "floating-point values are inexact keys: a database or API may answer with a value rounded differently, which then matches no key"
	boolKey  = "a boolean has two values, so there is nothing to batch"
)

// sameKeyType reports whether a result property of type r can be matched
// with == against keys of type k. Strings, integers and enums of them
// compare by their underlying value, as before; format and x-go-type keys
// need the very same Go type (and, for formats, the same format: an ipv4
// key never matches an ipv6 record).
func sameKeyType(r, k *ir.Type) bool {
	switch k.Kind {
	case ir.Format:
		return r.Kind == ir.Format && r.Format == k.Format
	case ir.GoType:
		return r.Kind == ir.GoType && r.GoPath == k.GoPath && r.GoName == k.GoName
	}
	rb, kb := baseKind(r), baseKind(k)
	return rb == kb && (kb == ir.String || kb == ir.Int)
}

// describeKey names a key or result property type for a mismatch message,
// with the format or Go type where the kind alone would not tell.
func describeKey(t *ir.Type) string {
	switch t.Kind {
	case ir.Format:
		return fmt.Sprintf("a string of format %s (%s)", diag.Clip(t.Format), FormatGoType(t.Format))
	case ir.Pointer, ir.OptNull:
		return describeKey(t.Elem) + " or null"
	case ir.Time:
		return "a string of format date-time (time.Time)"
	case ir.GoType:
		return "the x-go-type " + diag.Clip(TypeSig(t))
	case ir.Enum:
		return "an enum of " + describe(t.Elem)[strings.IndexByte(describe(t.Elem), ' ')+1:] + "s"
	}
	return describe(t)
}

// keyTypeHint says how to write the result property's schema to match
// the key.
func keyTypeHint(k *ir.Type) string {
	switch k.Kind {
	case ir.Format:
		return fmt.Sprintf(` ({"type": "string", "format": %s})`, diag.Quote(k.Format))
	case ir.GoType:
		name := k.GoName
		if k.GoPath != "" {
			name = k.GoPath + "." + k.GoName
		}
		return fmt.Sprintf(` ("x-go-type": %s)`, diag.Quote(name))
	}
	switch baseKind(k) {
	case ir.String:
		return ` ({"type": "string"})`
	case ir.Int:
		return ` ({"type": "integer"})`
	}
	return ""
}

func baseKind(t *ir.Type) ir.Kind {
	if t.Kind == ir.Enum || t.Kind == ir.Named {
		return baseKind(t.Elem)
	}
	return t.Kind
}
