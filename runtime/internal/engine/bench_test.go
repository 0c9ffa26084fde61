package engine

import (
	"context"
	"testing"

	"github.com/reftask/reftask/runtime"
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

// BenchmarkHitLocal is a hit with the hot-key layer off: the local tier (bigcache) answers, and the entry is
// decoded for each caller.
func BenchmarkHitLocal(b *testing.B) {
	x := newTestExecutor(b, runtime.WithHotKeys(0))
	task := NewTask(x, userSpec(&source{}))
	ctx := context.Background()
	p := &userParams{ID: "u1"}
	if _, err := task.Do(ctx, p); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		u, err := task.Do(ctx, p)
		if err != nil || u.ID != "u1" {
			b.Fatal(u, err)
		}
	}
}

// BenchmarkHitGet is a hot-key hit through Get, the generated code's entry point.
func BenchmarkHitGet(b *testing.B) {
	task := benchHitTask(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		u, err := get(ctx, task, "u1")
		if err != nil || u.ID != "u1" {
			b.Fatal(u, err)
		}
	}
}
