package bench

import (
	"fmt"
	"go/parser"
	"go/token"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/reftask/reftask/bench/internal/specgen"
	"github.com/reftask/reftask/gen"
)

// peakHeap samples the live heap every millisecond until stop is called, and returns the highest value seen.
func peakHeap() (stop func() uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 { close(done); wg.Wait(); return peak }
}

// BenchmarkGenerate: the whole generator pipeline (load and validate the specs, build the model, emit and
// format the Go file) over 100, 1,000 and 5,000 specs that specgen writes. SQL sources, so no go/packages load.
func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("specs=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			specs := filepath.Join(dir, "specs")
			if err := specgen.Write(specs, n); err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			var peak uint64
			var size int
			b.ReportAllocs()
			for b.Loop() {
				stop := peakHeap()
				src, diags := gen.Generate(gen.Options{Specs: specs, Package: "entities", OutDir: dir, OutFile: "reftasks_gen.go"})
				peak = max(peak, stop())
				if diags.HasErrors() {
					b.Fatalf("%d specs: %v", n, diags.Sorted()[0])
				}
				size = len(src)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(size)/1024, "out-KiB")
		})
	}
}

// TestGeneratedCompiles checks that the synthetic specs generate a Go file that parses: the generator
// benchmark measures real output, not an error path.
func TestGeneratedCompiles(t *testing.T) {
	dir := t.TempDir()
	specs := filepath.Join(dir, "specs")
	if err := specgen.Write(specs, 10); err != nil {
		t.Fatal(err)
	}
	src, diags := gen.Generate(gen.Options{Specs: specs, Package: "entities", OutDir: dir, OutFile: "reftasks_gen.go"})
	if diags.HasErrors() {
		t.Fatal(diags.Sorted())
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "reftasks_gen.go", src, 0); err != nil {
		t.Fatal(err)
	}
}
