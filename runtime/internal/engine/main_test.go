package engine

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/reftask/reftask/internal/quote"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/core"
	"github.com/reftask/reftask/runtime/internal/seam"
	"github.com/reftask/reftask/runtime/internal/wire"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Test fixtures shaped like generated code.

type userParams struct {
	ID string
}

type user struct {
	ID    string
	Name  string
	Email string
	Age   int64
}

func appendUserKey(dst []byte, p *userParams) []byte { return wire.AppendString(dst, p.ID) }

func describeUser(p *userParams) string { return fmt.Sprintf("id=%q", p.ID) }

func encodeUser(dst []byte, u *user) []byte {
	dst = wire.AppendString(dst, u.ID)
	dst = wire.AppendString(dst, u.Name)
	dst = wire.AppendString(dst, u.Email)
	return wire.AppendInt64(dst, u.Age)
}

func decodeUser(rd *wire.Reader) *user {
	return &user{ID: rd.String(), Name: rd.String(), Email: rd.String(), Age: rd.Int64()}
}

// cloneUser copies a user; its fields hold no pointers, so one struct copy shares nothing.
func cloneUser(u *user) *user {
	c := *u
	return &c
}

func validateUserParams(p *userParams) error {
	var v violations
	if p.ID == "" {
		v.Add("/id", "minLength", "length 0 < 1")
	}
	return v.Err()
}

func validateUser(u *user) error {
	var v violations
	if u.Age < 0 {
		v.Addf("/age", "minimum", "%d < 0", u.Age)
	}
	return v.Err()
}

// fakeClock is a settable clock for cache freshness.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// source is a scripted Fetch that counts calls.
type source struct {
	calls atomic.Int64
	fn    func(ctx context.Context, n int64, p *userParams) (*user, error)
}

func (s *source) fetch(ctx context.Context, p *userParams) (*user, error) {
	n := s.calls.Add(1)
	if s.fn == nil {
		return &user{ID: p.ID, Name: "Name " + p.ID, Email: p.ID + "@example.com", Age: 42}, nil
	}
	return s.fn(ctx, n, p)
}

func userSpec(src *source) TaskSpec[userParams, user] {
	return TaskSpec[userParams, user]{
		Name:           "UserProfile",
		Version:        "v1",
		Cache:          CachePolicy{TTL: time.Minute},
		Retry:          RetryPolicy{Attempts: 1},
		AppendKey:      appendUserKey,
		Describe:       describeUser,
		ValidateParams: validateUserParams,
		ValidateResult: validateUser,
		Encode:         encodeUser,
		Decode:         decodeUser,
		Clone:          cloneUser,
		Fetch:          src.fetch,
	}
}

func newTestExecutor(t testing.TB, opts ...runtime.Option) *runtime.Executor {
	t.Helper()
	x, err := runtime.New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = x.Close() })
	return x
}

// violations is the test tasks' stand-in for kit.Violations, which this package's tests cannot import (the kit
// imports the runtime): it builds the same *ValidationError.
type violations struct{ list []runtime.Violation }

func (v *violations) Add(pointer, keyword, message string) {
	v.list = append(v.list, runtime.Violation{Pointer: quote.ClipN(pointer, 2*quote.Limit), Keyword: keyword, Message: quote.ClipN(message, 8*quote.Limit)})
}

func (v *violations) Addf(pointer, keyword, format string, args ...any) {
	v.Add(pointer, keyword, fmt.Sprintf(format, args...))
}

func (v *violations) Err() error {
	if len(v.list) == 0 {
		return nil
	}
	return &runtime.ValidationError{Violations: v.list}
}

// withRetryTimer lets tests observe and skip retry delays; tasks read the timer when they are made.
func withRetryTimer(tm core.Timer) runtime.Option {
	return func(x *runtime.Executor) error {
		x.Core(seam.Token{}).Timer = tm
		return nil
	}
}
