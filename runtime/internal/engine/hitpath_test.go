package engine

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/reftask/reftask/runtime"
)

// TestValidationOnlyOnMiss checks the hit-path rule: params are validated
// when the cache cannot answer, and a hit (which proves the params passed
// validation when the entry was written) skips it. Invalid params are
// still rejected on every call, cached or not, and on a closed executor.
func TestValidationOnlyOnMiss(t *testing.T) {
	x := newTestExecutor(t)
	src := &source{}
	spec := userSpec(src)
	var validations atomic.Int64
	spec.ValidateParams = func(p *userParams) error {
		validations.Add(1)
		return validateUserParams(p)
	}
	task := NewTask(x, spec)
	ctx := context.Background()
	for range 3 {
		if _, err := task.Do(ctx, &userParams{ID: "u1"}); err != nil {
			t.Fatal(err)
		}
	}
	if got := validations.Load(); got != 1 {
		t.Errorf("validated %d times for one miss and two hits, want 1", got)
	}
	for range 2 {
		var ve *runtime.ValidationError
		if _, err := task.Do(ctx, &userParams{}); !errors.As(err, &ve) {
			t.Fatalf("invalid params: err = %v, want a validation error", err)
		}
	}
	if src.calls.Load() != 1 {
		t.Errorf("source calls = %d, want 1", src.calls.Load())
	}
	_ = x.Close()
	var ve *runtime.ValidationError
	if _, err := task.Do(ctx, &userParams{}); !errors.As(err, &ve) {
		t.Errorf("closed executor, invalid params: err = %v, want a validation error", err)
	}
	if _, err := task.Do(ctx, &userParams{ID: "u1"}); !errors.Is(err, runtime.ErrClosed) {
		t.Errorf("closed executor: err = %v, want ErrClosed", err)
	}
}
