package tier_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/tier"
)

// mapTier is a tier of one's own: here a map, in practice a shared cache such as Redis. It stores the engine's
// entries as they come and may use exp to let them expire.
type mapTier struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (t *mapTier) Get(_ context.Context, key string) ([]byte, bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.m[key]
	return b, ok, nil
}

func (t *mapTier) Set(_ context.Context, key string, entry []byte, exp tier.Expiry) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.m[key] = append([]byte(nil), entry...) // the engine's entry is only valid during the call
	return nil
}

func (t *mapTier) Delete(_ context.Context, key string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, key)
	return nil
}

// A tier is added with runtime.WithTier: every task of the executor then reads it after the local tier, and
// writes and invalidates it with the others.
func Example() {
	shared := &mapTier{m: map[string][]byte{}}
	x, err := runtime.New(runtime.WithTier(shared), runtime.WithTierTimeout(50*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer x.Close()
	fmt.Println("executor with a shared tier")
	// Output: executor with a shared tier
}
