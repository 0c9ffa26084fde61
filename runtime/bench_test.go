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
