package kit_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/kit"
)

// absent is what runtime.Prop gives for a property the record does not have.
var absent = runtime.Prop(map[string]any{}, "x")

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
	v := kit.Field(err, "/x", raw, runtime.AsString)
	return &v
}

func optional(err *error, raw any) *string {
	return kit.OptionalField(err, "/x", raw, runtime.AsString)
}

func nullable(err *error, raw any) *string {
	return kit.NullableField(err, "/x", "string", raw, runtime.AsString)
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

func readPoint(rd *runtime.Reader, p *point) { p.X, p.Y = rd.Int64(), rd.Int64() }

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
		rd := runtime.NewReader(b)
		s := kit.ReadOpt(rd, (*runtime.Reader).String)
		p := kit.ReadOptRef(rd, readPoint)
		if end := rd.String(); rd.Err() != nil || end != "end" {
			t.Fatalf("%v %v: trailing value %q, err %v", deref(tc.s), tc.p, end, rd.Err())
		}
		if deref(s) != deref(tc.s) || (p == nil) != (tc.p == nil) || (p != nil && *p != *tc.p) {
			t.Errorf("read back %v %v, want %v %v", deref(s), p, deref(tc.s), tc.p)
		}
	}
}
