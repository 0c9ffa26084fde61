package runtime

import (
	"context"
	"testing"
)

func benchHitTask(b *testing.B) *Task[userParams, user] {
	x := newTestExecutor(b)
	task := NewTask(x, userSpec(&source{}))
	if _, err := task.Do(context.Background(), &userParams{ID: "u1"}); err != nil {
		b.Fatal(err)
	}
	return task
}

func BenchmarkHit(b *testing.B) {
	task := benchHitTask(b)
	ctx := context.Background()
	p := &userParams{ID: "u1"}
	b.ReportAllocs()
	for b.Loop() {
		u, err := task.Do(ctx, p)
		if err != nil || u.ID != "u1" {
			b.Fatal(u, err)
		}
	}
}

func BenchmarkHitParallel(b *testing.B) {
	task := benchHitTask(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		p := &userParams{ID: "u1"}
		for pb.Next() {
			u, err := task.Do(ctx, p)
			if err != nil || u.ID != "u1" {
				b.Fatal(u, err)
			}
		}
	})
}

// TestHitAllocs guards the hit path: the only allocations are bigcache's two copies in Get
// (the entry, which the Reader aliases, and the stored key for its collision check) and the decoded *R.
func TestHitAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not stable under the race detector")
	}
	x := newTestExecutor(t)
	task := NewTask(x, userSpec(&source{}))
	ctx := context.Background()
	p := &userParams{ID: "u1"}
	if _, err := task.Do(ctx, p); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := task.Do(ctx, p); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 3 {
		t.Fatalf("hit path: %v allocs/op, want ≤ 3", allocs)
	}
}
