// Command report runs the benchmark suite of the bench module (or reads the
// raw output of an earlier run), keeps the raw, benchstat-ready output in
// results/*.txt, and writes BENCHMARKS.md and results/chart.svg with every
// comparison and ratio computed from that one run.
//
//	go run ./cmd/report            # run everything (what `make bench` does), from bench/
//	go run ./cmd/report -read      # rewrite the report from results/*.txt
//	go run ./cmd/report -quick     # a short smoke run with small settings (not for publishing)
//	go run ./cmd/report -only batch   # run only the named groups (comma-separated: hit, stampede, miss,
//	                                  # memory, generator, hostile, batch), then rewrite the report from all results/*.txt
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"time"
)

// group is one raw output file and the test-binary runs that fill it.
type group struct {
	file string
	runs [][]string // test binary arguments, one run each, in order
}

func groups(quick bool) []group {
	rounds, bt, stampedeBT, entries := 5, "1s", "10x", "1000000"
	batchRounds, batchBT := 5, "5x"
	if quick {
		rounds, bt, stampedeBT, entries = 1, "100ms", "2x", "100000"
		batchRounds, batchBT = 1, "2x"
	}
	common := []string{"-test.run", "^$", "-test.benchmem", "-test.count", "1", "-test.timeout", "30m"}
	args := func(extra ...string) []string { return append(append([]string{}, common...), extra...) }
	var hit, miss []([]string)
	// Rounds interleave the contenders, so that a noisy neighbour slows all of them alike.
	for range rounds {
		hit = append(hit, args("-test.bench", "^BenchmarkHit(Parallel)?$", "-test.benchtime", bt))
		miss = append(miss, args("-test.bench", "^Benchmark(Miss|Retry)$", "-test.benchtime", bt))
	}
	var mem [][]string
	// One process per contender, so that no heap is left over from another.
	for _, c := range []string{"reftask", "map", "otter"} {
		mem = append(mem, args("-test.bench", "^BenchmarkMemory$/^"+c+"$", "-test.benchtime", "1x", "-mem.entries", entries))
	}
	gen := [][]string{args("-test.bench", "^BenchmarkGenerate$", "-test.benchtime", "1x")}
	if !quick {
		gen = append(gen, args("-test.bench", "^BenchmarkGenerate$/^specs=(100|1000)$", "-test.benchtime", "1x"))
	} else {
		gen = [][]string{args("-test.bench", "^BenchmarkGenerate$/^specs=100$", "-test.benchtime", "1x")}
	}
	// Issue 11's hostile sizes: three processes, so that the minified/pretty ratio is of medians.
	hostile := [][]string{args("-test.bench", "^BenchmarkGenerateHostile$", "-test.benchtime", "1x", "-test.count", "3")}
	if quick {
		hostile = [][]string{args("-test.bench", "^BenchmarkGenerateHostile$", "-test.benchtime", "1x")}
	}
	stampede := [][]string{args("-test.bench", "^BenchmarkStampede$", "-test.benchtime", stampedeBT, "-test.count", "3")}
	// Issue 4's batching benchmark: each op is 10,000 concurrent lookups, so a few ops per process suffice.
	// One process per round: each sets up its own SQLite file and PostgreSQL schema.
	var batch [][]string
	for range batchRounds {
		batch = append(batch, args("-test.bench", "^BenchmarkBatch$", "-test.benchtime", batchBT))
	}
	return []group{
		{"hit.txt", hit},
		{"stampede.txt", stampede},
		{"miss.txt", miss},
		{"memory.txt", mem},
		{"generator.txt", gen},
		{"hostile.txt", hostile},
		{"batch.txt", batch},
	}
}

func main() {
	read := flag.Bool("read", false, "do not run: rebuild the report from the raw output in -results")
	quick := flag.Bool("quick", false, "short smoke run (fewer rounds, 100,000 entries, 100 specs)")
	resDir := flag.String("results", "results", "folder of the raw benchmark output")
	out := flag.String("out", "../BENCHMARKS.md", "report to write")
	svg := flag.String("svg", "results/chart.svg", "chart to write")
	only := flag.String("only", "", "run only these groups (comma-separated names of results/*.txt without .txt, e.g. batch); the report is still rebuilt from every results/*.txt")
	flag.Parse()
	if err := run(*read, *quick, *only, *resDir, *out, *svg); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(read, quick bool, only, resDir, out, svgPath string) error {
	gs := groups(quick)
	torun, err := selectGroups(gs, only)
	if err != nil {
		return err
	}
	if read && only != "" {
		return errors.New("-read and -only do not go together: -read runs nothing")
	}
	if err := os.MkdirAll(resDir, 0o755); err != nil {
		return err
	}
	var m machine
	if read || only != "" {
		b, err := os.ReadFile(filepath.Join(resDir, "machine.txt"))
		switch {
		case err == nil:
			m.parse(string(b))
		case read:
			return fmt.Errorf("-read needs %s from an earlier run: %w", filepath.Join(resDir, "machine.txt"), err)
		}
	}
	if !read {
		start := time.Now()
		pm := probe()
		bin := filepath.Join(os.TempDir(), fmt.Sprintf("reftask-bench-%d.test", os.Getpid()))
		defer os.Remove(bin)
		fmt.Fprintln(os.Stderr, "report: building the benchmarks")
		if err := command(os.Stderr, "go", "test", "-c", "-o", bin, "."); err != nil {
			return err
		}
		for _, g := range torun {
			var buf bytes.Buffer
			for _, a := range g.runs {
				fmt.Fprintf(os.Stderr, "report: %s %s\n", filepath.Base(g.file), strings.Join(a, " "))
				fmt.Fprintf(&buf, "# go test -c && %s\n", shellJoin(append([]string{"./bench.test"}, a...)))
				if err := command(io.MultiWriter(&buf, os.Stderr), bin, a...); err != nil {
					return fmt.Errorf("%s: %w", g.file, err)
				}
			}
			if err := os.WriteFile(filepath.Join(resDir, g.file), buf.Bytes(), 0o644); err != nil {
				return err
			}
		}
		pm.loadAfter = loadavg()
		pm.duration = time.Since(start).Round(time.Second).String()
		pm.quick = quick
		if only == "" {
			// A full run: one machine.txt for every group; drop what partial runs left.
			m = pm
			if err := os.WriteFile(filepath.Join(resDir, "machine.txt"), []byte(m.String()), 0o644); err != nil {
				return err
			}
			for _, g := range gs {
				_ = os.Remove(filepath.Join(resDir, partialMachineFile(g.file)))
			}
		} else {
			// The other groups' figures stay those of the last full run (machine.txt); the groups run now
			// get a machine file of their own, shown beside it in the report.
			for _, g := range torun {
				if err := os.WriteFile(filepath.Join(resDir, partialMachineFile(g.file)), []byte(pm.String()), 0o644); err != nil {
					return err
				}
			}
			if m.date == "" {
				m = pm
			}
		}
	}
	partial := map[string]machine{} // groups last run apart from the full run, by file
	for _, g := range gs {
		if b, err := os.ReadFile(filepath.Join(resDir, partialMachineFile(g.file))); err == nil {
			var pm machine
			pm.parse(string(b))
			partial[g.file] = pm
		}
	}
	r := results{}
	for _, g := range gs {
		f, err := os.Open(filepath.Join(resDir, g.file))
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(os.Stderr, "report: no %s yet: its section is left out (run it with -only %s)\n", g.file, groupName(g.file))
			continue
		}
		if err != nil {
			return err
		}
		err = r.parse(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	rep := build(r, m, gs)
	rep.partial = partial
	rel, err := filepath.Rel(filepath.Dir(out), svgPath)
	if err != nil {
		rel = svgPath
	}
	md := rep.markdown(filepath.ToSlash(rel), filepath.ToSlash(resDir))
	if err := os.WriteFile(out, []byte(md), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(svgPath, []byte(chart("reftask vs peers: "+m.cpu+", "+m.cores+" cores", rep.panels)), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "report: wrote %s and %s\n", out, svgPath)
	return nil
}

// groupName is a group's name for -only: its file without .txt.
func groupName(file string) string { return strings.TrimSuffix(file, ".txt") }

// partialMachineFile is where a run of only some groups records the machine it ran on, per group.
func partialMachineFile(file string) string { return "machine." + file }

// selectGroups returns the groups named in only (comma-separated), or all of them when only is empty.
func selectGroups(gs []group, only string) ([]group, error) {
	if strings.TrimSpace(only) == "" {
		return gs, nil
	}
	var out []group
	var names []string
	for _, g := range gs {
		names = append(names, groupName(g.file))
	}
	for _, n := range strings.Split(only, ",") {
		n = strings.TrimSuffix(strings.TrimSpace(n), ".txt")
		i := slices.Index(names, n)
		if i < 0 {
			return nil, fmt.Errorf("-only: unknown group %q (groups: %s)", n, strings.Join(names, ", "))
		}
		if !slices.ContainsFunc(out, func(g group) bool { return g.file == gs[i].file }) {
			out = append(out, gs[i])
		}
	}
	return out, nil
}

func command(w io.Writer, name string, args ...string) error {
	c := exec.Command(name, args...)
	c.Stdout, c.Stderr = w, os.Stderr
	return c.Run()
}

func shellJoin(a []string) string {
	q := make([]string, len(a))
	for i, s := range a {
		if strings.ContainsAny(s, "^$|()*? ") {
			s = "'" + s + "'"
		}
		q[i] = s
	}
	return strings.Join(q, " ")
}

// machine describes where and on what code the run happened.
type machine struct {
	date, goVersion, cpu, cores, gomaxprocs, commit, dirty, loadBefore, loadAfter, duration string
	quick                                                                                   bool
}

func probe() machine {
	m := machine{date: time.Now().UTC().Format("2006-01-02 15:04 UTC")}
	m.goVersion = strings.TrimSpace(output("go", "version"))
	m.cpu = "unknown"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	m.cores = fmt.Sprint(goruntime.NumCPU())
	m.gomaxprocs = fmt.Sprint(goruntime.GOMAXPROCS(0))
	m.commit = strings.TrimSpace(output("git", "rev-parse", "--short", "HEAD"))
	if m.commit == "" {
		m.commit = "unknown"
	}
	st := strings.Fields(output("git", "status", "--porcelain", "--", "../runtime", "../gen"))
	m.dirty = "no"
	if len(st) > 0 {
		m.dirty = "yes (uncommitted changes in runtime/ or gen/ were measured)"
	}
	if w := os.Getenv("GOWORK"); w != "" && w != "off" {
		m.dirty += "; GOWORK=" + w
	}
	m.loadBefore = loadavg()
	return m
}

func output(name string, args ...string) string {
	b, err := exec.Command(name, args...).Output()
	if err != nil {
		return ""
	}
	return string(b)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

var machineKeys = []string{"date", "go", "cpu", "cores", "gomaxprocs", "commit", "dirty", "load_before", "load_after", "duration", "quick"}

func (m *machine) fields() []*string {
	q := fmt.Sprint(m.quick)
	return []*string{&m.date, &m.goVersion, &m.cpu, &m.cores, &m.gomaxprocs, &m.commit, &m.dirty, &m.loadBefore, &m.loadAfter, &m.duration, &q}
}

func (m machine) String() string {
	var b strings.Builder
	for i, p := range m.fields() {
		fmt.Fprintf(&b, "%s: %s\n", machineKeys[i], *p)
	}
	return b.String()
}

func (m *machine) parse(s string) {
	f := m.fields()
	for _, l := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(l, ": ")
		if !ok {
			continue
		}
		for i, key := range machineKeys {
			if key == k {
				*f[i] = v
			}
		}
	}
	m.quick = *f[len(f)-1] == "true"
}
