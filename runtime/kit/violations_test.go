package kit

import (
	"errors"
	"testing"

	"github.com/reftask/reftask/runtime"
)

func TestViolations(t *testing.T) {
	var v Violations
	if v.Err() != nil || v.Len() != 0 {
		t.Fatal("empty Violations must give nil")
	}
	v.Add("/user_id", "minLength", "length 0 < 1")
	v.Addf("", "required", "missing property %q", "x")
	err := v.Err()
	var ve *runtime.ValidationError
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
