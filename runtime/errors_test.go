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

func TestPanicErrorUnwrap(t *testing.T) {
	inner := errors.New("inner")
	if !errors.Is(&panicError{Where: "x", Value: inner}, inner) {
		t.Fatal("panic with an error value must unwrap to it")
	}
	if (&panicError{Where: "x", Value: 3}).Unwrap() != nil {
		t.Fatal("non-error panic value")
	}
}
