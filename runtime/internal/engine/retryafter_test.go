package engine

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/httpsource"
)

type noParams struct{}

// TestHTTPRetryAfterDelays: a server's Retry-After, read by the HTTP source, sets the retry stage's delay
// (capped at MaxDelay), and a missing, zero or unreadable one leaves the backoff. With an instant timer the
// chosen delays are exact.
func TestHTTPRetryAfterDelays(t *testing.T) {
	cases := []struct {
		header string
		want   time.Duration
	}{
		{"7", 7 * time.Second},
		{"120", 30 * time.Second}, // capped at MaxDelay
		{"0", 100 * time.Millisecond},
		{"", 100 * time.Millisecond},
		{"soon", 100 * time.Millisecond},
	}
	for _, c := range cases {
		timer := &instantTimer{}
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if c.header != "" {
				w.Header().Set("Retry-After", c.header)
			}
			w.WriteHeader(http.StatusTooManyRequests)
		}))
		x, err := runtime.New(runtime.WithSource(httpsource.Bind("api", ts.URL)), withRetryTimer(timer))
		if err != nil {
			t.Fatal(err)
		}
		req := &httpsource.Request{Conn: "api", Path: httpsource.Template{Parts: []string{"/"}}}
		task := NewTask(x, TaskSpec[noParams, any]{
			Name: "RA", Version: "v1", Timeout: time.Second,
			Retry:     RetryPolicy{Attempts: 2, InitialDelay: 100 * time.Millisecond, MaxDelay: 30 * time.Second},
			AppendKey: func(dst []byte, _ *noParams) []byte { return dst },
			Fetch: func(ctx context.Context, _ *noParams) (*any, error) {
				v, err := httpsource.Fetch(ctx, x, "RA", req, nil, nil)
				if err != nil {
					return nil, err
				}
				return &v, nil
			},
		})
		_, err = task.Do(context.Background(), &noParams{})
		var he *httpsource.Error
		if !errors.As(err, &he) || he.Status != 429 {
			t.Fatalf("Retry-After %q: err = %v", c.header, err)
		}
		if d := timer.Delays(); len(d) != 1 || d[0] != c.want {
			t.Errorf("Retry-After %q: delays %v, want [%v]", c.header, d, c.want)
		}
		_ = x.Close()
		ts.Close()
	}
}
