package engine

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

type attemptKey struct{}

// The attempt ctx behaves as context.WithTimeout does, whichever of its methods is called first.
func TestAttemptCtx(t *testing.T) {
	closed := func(c <-chan struct{}) bool {
		select {
		case <-c:
			return true
		default:
			return false
		}
	}
	parentCause := errors.New("parent gone")
	tests := []struct {
		name      string
		timeout   time.Duration
		run       func(t *testing.T, ac *attemptCtx, cancelParent func())
		wantErr   error
		wantCause error
	}{
		{"unarmed and alive", time.Hour, func(t *testing.T, ac *attemptCtx, _ func()) {
			if ac.Err() != nil || ac.real.Load() != nil {
				t.Fatalf("Err = %v, armed = %v: want nil and unarmed", ac.Err(), ac.real.Load() != nil)
			}
			if ac.Value(attemptKey{}) != "v" || ac.real.Load() != nil {
				t.Fatal("Value did not come from the parent without arming")
			}
			if d, ok := ac.Deadline(); !ok || time.Until(d) < 59*time.Minute {
				t.Fatalf("Deadline = %v, %v", d, ok)
			}
		}, nil, nil},
		{"Err after the deadline", time.Millisecond, func(t *testing.T, ac *attemptCtx, _ func()) {
			time.Sleep(5 * time.Millisecond)
			if ac.Err() == nil || !closed(ac.Done()) {
				t.Fatal("the deadline passed, but Err is nil or Done open")
			}
		}, context.DeadlineExceeded, context.DeadlineExceeded},
		{"Done closes at the deadline", 5 * time.Millisecond, func(t *testing.T, ac *attemptCtx, _ func()) {
			if closed(ac.Done()) {
				t.Fatal("Done closed early")
			}
			<-ac.Done()
		}, context.DeadlineExceeded, context.DeadlineExceeded},
		{"a child ends with it", 5 * time.Millisecond, func(t *testing.T, ac *attemptCtx, _ func()) {
			child, cancel := context.WithCancel(ac)
			defer cancel()
			<-child.Done()
			if !errors.Is(context.Cause(child), context.DeadlineExceeded) {
				t.Fatalf("child cause = %v", context.Cause(child))
			}
		}, context.DeadlineExceeded, context.DeadlineExceeded},
		{"the parent ends first", time.Hour, func(t *testing.T, ac *attemptCtx, cancelParent func()) {
			cancelParent()
			if !closed(ac.Done()) {
				t.Fatal("Done open after the parent ended")
			}
		}, context.Canceled, parentCause},
		{"the parent ends while armed", time.Hour, func(t *testing.T, ac *attemptCtx, cancelParent func()) {
			done := ac.Done()
			cancelParent()
			<-done
		}, context.Canceled, parentCause},
		{"released", time.Hour, func(t *testing.T, ac *attemptCtx, _ func()) {
			ac.release()
			if !closed(ac.Done()) {
				t.Fatal("Done open after release")
			}
		}, context.Canceled, context.Canceled},
		{"concurrent callers", 5 * time.Millisecond, func(t *testing.T, ac *attemptCtx, _ func()) {
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					<-ac.Done()
					if ac.Err() == nil {
						t.Error("Done closed but Err is nil")
					}
				})
			}
			wg.Wait()
		}, context.DeadlineExceeded, context.DeadlineExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent, cancel := context.WithCancelCause(context.WithValue(context.Background(), attemptKey{}, "v"))
			defer cancel(nil)
			ac := newAttemptCtx(parent, time.Now().Add(tc.timeout))
			defer ac.release()
			tc.run(t, ac, func() { cancel(parentCause) })
			if err := ac.Err(); !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Errorf("Err = %v, want %v", err, tc.wantErr)
			}
			if c := context.Cause(ac); !errors.Is(c, tc.wantCause) || (c == nil) != (tc.wantCause == nil) {
				t.Errorf("Cause = %v, want %v", c, tc.wantCause)
			}
		})
	}
}
