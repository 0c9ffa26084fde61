package gen_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/reftask/reftask/internal/testdb"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/sqlsource"
	"github.com/reftask/reftask/testdata/golden/batching"
)

// A generated Get method is one kit.Get call, which builds the cache key on its stack: a hit through it
// allocates only the caller's copy of the result, as a hit through the runtime does, for keys of every length
// up to the stack buffer and past it (a longer key moves to the heap, one allocation more).
func TestE2EHitAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not stable under the race detector")
	}
	db := testdb.SQLite(t)
	seedUsers(t, db, sqlsource.SQLite, 3)
	x, err := runtime.New(runtime.WithSource(sqlsource.Bind("users", db, sqlsource.SQLite)))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	c := batching.NewClient(x)
	ctx := context.Background()
	for _, id := range []string{"u0", "u1", "u2"} {
		for range 2 { // the second lookup reads the cache and fills the hot-key layer
			if _, err := c.GetUser(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		if allocs := testing.AllocsPerRun(500, func() { _, _ = c.GetUser(ctx, id) }); allocs > 1 {
			t.Errorf("GetUser(%q) hit: %v allocs/op, want 1 (the copy)", id, allocs)
		}
	}
	// A key past the stack buffer still answers, from the cache like any other.
	long := fmt.Sprintf("u%0200d", 0)
	for range 2 {
		if _, err := c.GetUser(ctx, long); !runtime.IsNotFound(err) {
			t.Fatalf("GetUser(long id): %v, want not found", err)
		}
	}
}
