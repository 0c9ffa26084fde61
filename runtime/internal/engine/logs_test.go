package engine

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/reftask/reftask/internal/quote"
	"github.com/reftask/reftask/runtime"
)

func TestSlogHooks(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	x := newTestExecutor(t, runtime.WithLogger(l), withRetryTimer(&instantTimer{}))
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
	quiet := runtime.SlogHooks(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelError})))
	quiet.OnError(context.Background(), runtime.Event{Task: "T", Err: errors.New("x")})
	quiet.OnHit(context.Background(), runtime.Event{Task: "T"})
	if buf.Len() != 0 {
		t.Fatalf("logged below level: %s", buf.String())
	}
	if h := runtime.SlogHooks(nil); h.OnHit == nil {
		t.Fatal("SlogHooks(nil) must use the default logger")
	}
}

// A source's own error, unbounded, is cut in the log line SlogHooks writes about the task (the HTTP source's own
// bounds are tested with it, in runtime/source/httpsource).
func TestBoundedSourceErrorLogs(t *testing.T) {
	huge := strings.Repeat("z", 2<<20)
	var logs bytes.Buffer
	x := newTestExecutor(t, runtime.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	// A source's own error, unbounded, is still cut in the log line.
	big := NewTask(x, TaskSpec[userParams, user]{Name: "Big", Version: "v1", AppendKey: appendUserKey,
		Describe: func(p *userParams) string { return "id=" + quote.Quote(p.ID) },
		Fetch:    func(context.Context, *userParams) (*user, error) { return nil, runtime.Permanent(errors.New(huge)) }})
	_, _ = big.Do(context.Background(), &userParams{ID: huge})
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if len(l) > 2*errorBound || !strings.Contains(l, " bytes)") {
			t.Errorf("log line of %d bytes: %s", len(l), quote.Clip(l))
		}
	}
}

// errorBound is the most an error line in these tests may take, whatever the size of the value in it.
const errorBound = 4 << 10
