package bench

import (
	"bytes"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/reftask/reftask/bench/internal/specgen"
	"github.com/reftask/reftask/gen"
)

// buildGenerator builds the reftaskgen command once per benchmark run, the binary a go:generate line runs.
func buildGenerator(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "reftaskgen")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/reftask/reftask/cmd/reftaskgen")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building reftaskgen: %v\n%s", err, out)
	}
	return bin
}

// BenchmarkGenerate: the reftaskgen command, as go generate runs it (load and validate the specs, build the
// model, emit and gofmt the Go file, write it), over 100, 1,000 and 5,000 specs that specgen writes. SQL
// sources, so no go/packages load. ns/op is the command's wall time; cpu-s is its user+system CPU time and
// peak-RSS-MB its peak resident memory, both read from the kernel's accounting of the child process.
func BenchmarkGenerate(b *testing.B) {
	bin := buildGenerator(b)
	for _, n := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("specs=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			specs := filepath.Join(dir, "specs")
			if err := specgen.Write(specs, n); err != nil {
				b.Fatal(err)
			}
			out := filepath.Join(dir, "reftasks_gen.go")
			var cpu time.Duration
			var rss int64
			runs := 0
			for b.Loop() {
				cmd := exec.Command(bin, "-specs", specs, "-out", out, "-pkg", "entities")
				if msg, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%d specs: %v\n%s", n, err, msg)
				}
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					rss = max(rss, ru.Maxrss) // KiB on Linux
				}
				runs++
			}
			fi, err := os.Stat(out)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(cpu.Seconds()/float64(runs), "cpu-s")
			b.ReportMetric(float64(rss)/1024, "peak-RSS-MB")
			b.ReportMetric(float64(fi.Size())/1024, "out-KiB")
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

// BenchmarkGenerateHostile: the reftaskgen command on the hostile sizes of issue 11 (specgen.HostileSpecs): a
// result of 10,000 properties pretty-printed and minified, whose times must stay within 2× of each other, and
// schemas nested 1,000 deep, which must be refused with one positioned error, beside the deepest nesting the
// limits allow. Metrics as in BenchmarkGenerate; exit is the command's exit status.
func BenchmarkGenerateHostile(b *testing.B) {
	bin := buildGenerator(b)
	for _, h := range specgen.HostileSpecs() {
		b.Run(h.Name, func(b *testing.B) {
			dir := b.TempDir()
			specs := filepath.Join(dir, "specs")
			if err := h.Write(specs); err != nil {
				b.Fatal(err)
			}
			out := filepath.Join(dir, "reftasks_gen.go")
			var cpu time.Duration
			var rss int64
			runs := 0
			for b.Loop() {
				cmd := exec.Command(bin, "-specs", specs, "-out", out, "-pkg", "hostile")
				msg, err := cmd.CombinedOutput()
				code := cmd.ProcessState.ExitCode()
				if h.Fails {
					if code != 1 || bytes.Count(bytes.TrimSpace(msg), []byte("\n")) != 0 || !bytes.Contains(msg, []byte("nested")) {
						b.Fatalf("%s: exit %d, want one positioned error:\n%.2000s", h.Name, code, msg)
					}
				} else if err != nil {
					b.Fatalf("%s: %v\n%.2000s", h.Name, err, msg)
				}
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					rss = max(rss, ru.Maxrss)
				}
				runs++
			}
			size := int64(0)
			if fi, err := os.Stat(out); err == nil && !h.Fails {
				size = fi.Size()
			}
			b.ReportMetric(cpu.Seconds()/float64(runs), "cpu-s")
			b.ReportMetric(float64(rss)/1024, "peak-RSS-MB")
			b.ReportMetric(float64(size)/1024, "out-KiB")
		})
	}
}
