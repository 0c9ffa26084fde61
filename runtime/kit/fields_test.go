package kit_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/kit"
)

// absent is what Prop gives for a property the record does not have.
var absent = kit.Prop(map[string]any{}, "x")

// The field conversions of generated scanners and converters: each keeps the first failure, converts
// nothing once one is kept, and reads absent and null as its kind of property says.
func TestFieldConversions(t *testing.T) {
	earlier := errors.New("earlier failure")
	for _, tc := range []struct {
		name    string
		prior   error
		raw     any
		field   func(err *error, raw any) *string
		want    *string
		wantErr string // "" none, "earlier" the prior error kept, else a substring
	}{
		{"required", nil, "a", required, ptr("a"), ""},
		{"required absent", nil, absent, required, ptr(""), "missing"},
		{"required null", nil, nil, required, ptr(""), "null"},
		{"required wrong type", nil, 1.5, required, ptr(""), "string"},
		{"required after a failure", earlier, "a", required, ptr(""), "earlier"},
		{"optional", nil, "a", optional, ptr("a"), ""},
		{"optional absent", nil, absent, optional, nil, ""},
		{"optional null", nil, nil, optional, nil, ""},
		{"optional wrong type", nil, true, optional, nil, "string"},
		{"optional after a failure", earlier, "a", optional, nil, "earlier"},
		{"nullable", nil, "a", nullable, ptr("a"), ""},
		{"nullable null", nil, nil, nullable, nil, ""},
		{"nullable absent", nil, absent, nullable, nil, "missing"},
		{"nullable wrong type", nil, []any{}, nullable, nil, "string"},
		{"nullable after a failure", earlier, nil, nullable, nil, "earlier"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.prior
			got := tc.field(&err, tc.raw)
			switch {
			case (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want):
				t.Errorf("value = %v, want %v", deref(got), deref(tc.want))
			case tc.wantErr == "" && err != nil:
				t.Errorf("err = %v, want none", err)
			case tc.wantErr == "earlier" && err != earlier:
				t.Errorf("err = %v, want the earlier failure kept", err)
			case tc.wantErr != "" && tc.wantErr != "earlier" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("err = %v, want one mentioning %q", err, tc.wantErr)
			}
			var ce *runtime.ConvError
			if err != nil && err != earlier && !errors.As(err, &ce) {
				t.Errorf("err = %T, want a *runtime.ConvError", err)
			}
		})
	}
}

func required(err *error, raw any) *string {
	v := kit.Field(err, "/x", raw, kit.AsString)
	return &v
}

func optional(err *error, raw any) *string {
	return kit.OptionalField(err, "/x", raw, kit.AsString)
}

func nullable(err *error, raw any) *string {
	return kit.NullableField(err, "/x", "string", raw, kit.AsString)
}

func ptr(s string) *string { return &s }

func deref(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

type point struct{ X, Y int64 }

func appendPoint(dst []byte, p *point) []byte { return kit.AppendInt64(kit.AppendInt64(dst, p.X), p.Y) }

func readPoint(rd *kit.Reader, p *point) { p.X, p.Y = rd.Int64(), rd.Int64() }

// An optional value written by AppendOpt or AppendOptRef reads back as it was, set or not, and leaves the
// reader at the next value.
func TestOptionalCodecRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		s *string
		p *point
	}{{nil, nil}, {ptr(""), &point{}}, {ptr("héllo"), &point{-1, 1 << 40}}} {
		b := kit.AppendOpt(nil, tc.s, kit.AppendString)
		b = kit.AppendOptRef(b, tc.p, appendPoint)
		b = kit.AppendString(b, "end")
		rd := kit.NewReader(b)
		s := kit.ReadOpt(rd, (*kit.Reader).String)
		p := kit.ReadOptRef(rd, readPoint)
		if end := rd.String(); rd.Err() != nil || end != "end" {
			t.Fatalf("%v %v: trailing value %q, err %v", deref(tc.s), tc.p, end, rd.Err())
		}
		if deref(s) != deref(tc.s) || (p == nil) != (tc.p == nil) || (p != nil && *p != *tc.p) {
			t.Errorf("read back %v %v, want %v %v", deref(s), p, deref(tc.s), tc.p)
		}
	}
}

// The forms of Field for lists, for properties whose type holds null and for optional nullable ones, and
// the conversions into named types: absent, null, a value and a failure each land where the property's
// kind says.
func TestFieldForms(t *testing.T) {
	type level string
	for _, tc := range []struct {
		name    string
		run     func(err *error) any
		want    any
		wantErr string
	}{
		{"list", func(err *error) any { return kit.ListField(err, "/l", []any{"a", "b"}, kit.AsString) }, []string{"a", "b"}, ""},
		{"list element fails at its index", func(err *error) any { return kit.ListField(err, "/l", []any{"a", 1.5}, kit.AsString) }, []string(nil), "/l/1"},
		{"list null", func(err *error) any { return kit.ListField(err, "/l", nil, kit.AsString) }, []string(nil), "null"},
		{"optional list absent", func(err *error) any { return kit.OptionalListField(err, "/l", absent, kit.AsString) }, (*[]string)(nil), ""},
		{"optional list null", func(err *error) any { return kit.OptionalListField(err, "/l", nil, kit.AsString) }, (*[]string)(nil), ""},
		{"present absent", func(err *error) any { return kit.PresentField(err, "/p", absent, kit.AsJSONValue) }, (*runtime.JSONValue)(nil), ""},
		{"present null is a value", func(err *error) any {
			v := kit.PresentField(err, "/p", nil, kit.AsJSONValue)
			return v != nil && v.IsNull()
		}, true, ""},
		{"optnull absent", func(err *error) any { return kit.OptNullField(err, "/o", absent, kit.AsInt64) }, runtime.OptNull[int64]{}, ""},
		{"optnull null", func(err *error) any { return kit.OptNullField(err, "/o", nil, kit.AsInt64) }, runtime.Null[int64](), ""},
		{"optnull value", func(err *error) any { return kit.OptNullField(err, "/o", int64(3), kit.AsInt64) }, runtime.Some(int64(3)), ""},
		{"optnull fails", func(err *error) any { return kit.OptNullField(err, "/o", "x", kit.AsInt64) }, runtime.OptNull[int64]{}, "/o"},
		{"extra props", func(err *error) any {
			return kit.ExtraProps(err, "/o", map[string]any{"a": int64(1), "b": int64(2), "name": "x"}, []string{"name"}, kit.AsInt64)
		}, map[string]int64{"a": 1, "b": 2}, ""},
		{"no extra props", func(err *error) any {
			return kit.ExtraProps(err, "/o", map[string]any{"name": "x"}, []string{"name"}, kit.AsInt64)
		}, map[string]int64(nil), ""},
		{"extra prop fails at its pointer", func(err *error) any {
			return kit.ExtraProps(err, "/o", map[string]any{"a/b": "x"}, nil, kit.AsInt64)
		}, map[string]int64(nil), "/o/a~1b"},
		{"named string", func(err *error) any { return kit.Field(err, "/n", "hi", kit.AsStringOf[level]) }, level("hi"), ""},
		{"named string fails", func(err *error) any { return kit.Field(err, "/n", 2.5, kit.AsStringOf[level]) }, level(""), "/n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			got := tc.run(&err)
			if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("err = %v, want one mentioning %q", err, tc.wantErr)
			}
		})
	}
}

// An optional nullable value written by AppendOptNull or AppendOptNullRef reads back as it was: unset,
// null or a value.
func TestOptNullCodecRoundTrip(t *testing.T) {
	for _, o := range []runtime.OptNull[point]{{}, runtime.Null[point](), runtime.Some(point{}), runtime.Some(point{2, -3})} {
		s := runtime.OptNull[string]{Set: o.Set, Null: o.Null, Value: fmt.Sprint(o.Value)}
		b := kit.AppendOptNullRef(nil, &o, appendPoint)
		b = kit.AppendOptNull(b, &s, kit.AppendString)
		b = kit.AppendString(b, "end")
		rd := kit.NewReader(b)
		gotP := kit.ReadOptNullRef(rd, readPoint)
		gotS := kit.ReadOptNull(rd, (*kit.Reader).String)
		if end := rd.String(); rd.Err() != nil || end != "end" {
			t.Fatalf("%+v: trailing value %q, err %v", o, end, rd.Err())
		}
		if !o.Set || o.Null { // the value of an unset or null OptNull is not encoded
			s.Value, o.Value = "", point{}
		}
		if gotP != o || gotS != s {
			t.Errorf("read back %+v %+v, want %+v %+v", gotP, gotS, o, s)
		}
	}
}
