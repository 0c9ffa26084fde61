package runtime

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestSlogHooks(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	x := newTestExecutor(t, WithLogger(l), withRetryTimer(&instantTimer{}))
	spec := userSpec(failingSource())
	spec.Retry.Attempts = 2
	spec.Fallbacks = []Fallback[userParams, user]{FallbackValue[userParams]("dflt", func() *user { return &user{} })}
	task := NewTask(x, spec)
	if _, err := task.Do(context.Background(), &userParams{ID: "k"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		`level=DEBUG msg="reftask: cache miss" task=UserProfile key="id=\"k\""`,
		`level=DEBUG msg="reftask: source call" task=UserProfile key="id=\"k\"" attempt=1`,
		`level=WARN msg="reftask: retrying source"`,
		`level=WARN msg="reftask: fallback"`,
		`fallback=dflt`,
		`error="transient failure"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}

	// Below the handler's level nothing is formatted.
	buf.Reset()
	quiet := SlogHooks(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelError})))
	quiet.OnError(context.Background(), Event{Task: "T", Err: errors.New("x")})
	quiet.OnHit(context.Background(), Event{Task: "T"})
	if buf.Len() != 0 {
		t.Fatalf("logged below level: %s", buf.String())
	}
	if h := SlogHooks(nil); h.OnHit == nil {
		t.Fatal("SlogHooks(nil) must use the default logger")
	}
}

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
