package kit_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/kit"
)

type echoParams struct{ ID string }

type echo struct{ ID string }

func appendEcho(dst []byte, p *echoParams) []byte { return kit.AppendString(dst, p.ID) }

func readEcho(rd *kit.Reader, r *echo) { r.ID = rd.String() }

// kit.Get and kit.GetEscaping answer as the task does, for keys that fit Get's stack buffer and keys that do
// not, from the source on a miss and from the cache after it, on many goroutines at once.
func TestGetAnswersAsTheTask(t *testing.T) {
	x, err := runtime.New()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var mu sync.Mutex
	calls := map[string]int{}
	task := kit.NewTask(x, kit.TaskSpec[echoParams, echo]{
		Name: "Echo", Version: "1", AppendKey: appendEcho, Cache: kit.CachePolicy{TTL: time.Minute},
		Encode: func(dst []byte, r *echo) []byte { return kit.AppendString(dst, r.ID) },
		Decode: kit.Decoder(readEcho),
		Clone:  func(r *echo) *echo { c := *r; return &c },
		Fetch: func(_ context.Context, p *echoParams) (*echo, error) {
			mu.Lock()
			calls[p.ID]++
			mu.Unlock()
			return &echo{ID: p.ID}, nil
		},
	})
	ids := []string{"a", strings.Repeat("k", 100), strings.Repeat("long", 100)}
	get := map[string]func(context.Context, *kit.Task[echoParams, echo], func([]byte, *echoParams) []byte, echoParams) (*echo, error){
		"Get": kit.Get[echoParams, echo], "GetEscaping": kit.GetEscaping[echoParams, echo],
	}
	var wg sync.WaitGroup
	for name, f := range get {
		for _, id := range ids {
			for range 8 {
				wg.Go(func() {
					r, err := f(context.Background(), task, appendEcho, echoParams{ID: id})
					if err != nil || r.ID != id {
						t.Errorf("%s(%.10q...): %+v, %v", name, id, r, err)
					}
				})
			}
		}
	}
	wg.Wait()
	for _, id := range ids {
		if calls[id] < 1 || calls[id] > 2 { // one flight per key, unless the two functions raced past each other
			t.Errorf("%.10q...: %d source calls", id, calls[id])
		}
	}
}
