package runtime

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestChainHooks(t *testing.T) {
	var a, b int
	h := chainHooks(Hooks{OnHit: func(context.Context, Event) { a++ }}, Hooks{OnHit: func(context.Context, Event) { b++ }, OnMiss: func(context.Context, Event) { b += 10 }})
	h.OnHit(context.Background(), Event{})
	h.OnMiss(context.Background(), Event{})
	if a != 1 || b != 11 || h.OnError != nil {
		t.Fatalf("a=%d b=%d", a, b)
	}
}

func TestSlogHooksReload(t *testing.T) {
	var buf strings.Builder
	h := SlogHooks(slog.New(slog.NewTextHandler(&buf, nil)))
	h.OnReload(context.Background(), FileEvent{Path: "c.yaml"})
	h.OnReload(context.Background(), FileEvent{Path: "c.yaml", Err: errors.New("bad")})
	out := buf.String()
	for _, want := range []string{`level=INFO msg="reftask: file reloaded" path=c.yaml`, `level=ERROR msg="reftask: file reload failed" path=c.yaml error=bad`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	var a, b int
	c := chainHooks(Hooks{OnReload: func(context.Context, FileEvent) { a++ }}, Hooks{OnReload: func(context.Context, FileEvent) { b++ }})
	c.OnReload(context.Background(), FileEvent{})
	if a != 1 || b != 1 {
		t.Fatalf("chained OnReload: a=%d b=%d", a, b)
	}
}
