package sqlsource

import (
	"errors"
	"testing"

	"go.uber.org/goleak"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/wire"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// userParams and appendUserKey stand for a generated task's params and its cache-key encoder.
type userParams struct {
	ID string
}

func appendUserKey(dst []byte, p *userParams) []byte { return wire.AppendString(dst, p.ID) }

// newTestExecutor is runtime.New with opts, closed when the test ends.
func newTestExecutor(t testing.TB, opts ...runtime.Option) *runtime.Executor {
	t.Helper()
	x, err := runtime.New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = x.Close() })
	return x
}

// mustTaskError returns err as the *runtime.TaskError every failed lookup is.
func mustTaskError(t *testing.T, err error) *runtime.TaskError {
	t.Helper()
	var te *runtime.TaskError
	if !errors.As(err, &te) {
		t.Fatalf("error %v (%T) is not a *TaskError", err, err)
	}
	return te
}
