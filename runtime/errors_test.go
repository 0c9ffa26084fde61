package runtime

import (
	"errors"
	"fmt"
	"testing"
)

func TestPermanent(t *testing.T) {
	base := errors.New("base")
	p := Permanent(base)
	if !IsPermanent(p) || !errors.Is(p, base) || p.Error() != "base" {
		t.Fatalf("Permanent(base) = %v", p)
	}
	if !IsPermanent(fmt.Errorf("ctx: %w", p)) {
		t.Fatal("wrapped Permanent not seen")
	}
	if Permanent(nil) != nil || IsPermanent(base) || IsPermanent(nil) {
		t.Fatal("nil or plain errors")
	}
	if Permanent(p) != p {
		t.Fatal("double wrap")
	}
	var ce *ConvError
	if !errors.As(Permanent(&ConvError{Path: "/x"}), &ce) || ce.Path != "/x" {
		t.Fatal("errors.As through Permanent")
	}
}

func TestViolations(t *testing.T) {
	var v Violations
	if v.Err() != nil || v.Len() != 0 {
		t.Fatal("empty Violations must give nil")
	}
	v.Add("/user_id", "minLength", "length 0 < 1")
	v.Addf("", "required", "missing property %q", "x")
	err := v.Err()
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Violations) != 2 || ve.Task != "" || ve.Which != "" {
		t.Fatalf("Err() = %#v", err)
	}
	if got, want := err.Error(), `invalid value: /user_id: minLength: length 0 < 1; (root): required: missing property "x"`; got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
	ve.Task, ve.Which = "UserProfile", "params"
	if got, want := ve.Error(), `invalid params: /user_id: minLength: length 0 < 1; (root): required: missing property "x"`; got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
	// Err returns a snapshot: later Adds do not change it.
	v.Add("/z", "k", "m")
	if len(ve.Violations) != 2 {
		t.Fatal("Err shares its slice")
	}
}

func TestPanicErrorUnwrap(t *testing.T) {
	inner := errors.New("inner")
	if !errors.Is(&panicError{where: "x", value: inner}, inner) {
		t.Fatal("panic with an error value must unwrap to it")
	}
	if (&panicError{where: "x", value: 3}).Unwrap() != nil {
		t.Fatal("non-error panic value")
	}
}
