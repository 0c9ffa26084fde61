package main

import (
	"fmt"
	"strings"
)

type report struct {
	r       results
	m       machine
	partial map[string]machine // groups last run on their own (-only), by file
	gs      []group
	panels  []panel
}

func build(r results, m machine, gs []group) *report {
	rep := &report{r: r, m: m, gs: gs}
	rep.panels = rep.makePanels()
	return rep
}

var (
	hitNames      = []string{"reftask", "bigcache_json", "otter", "otter_clone", "otter_blockclone", "dataloadgen", "failsafe_cache"}
	stampedeNames = []string{"reftask", "bigcache_json", "otter_loader", "dataloadgen", "failsafe_cache"}
	missNames     = []string{"source_direct", "reftask", "reftask_hooks", "bigcache_json", "otter", "failsafe_cache"}
	retryNames    = []string{"source_direct", "reftask", "failsafe_retry", "retrygo_loop"}
	memNames      = []string{"reftask", "map", "otter"}
	genSizes      = []string{"100", "1000", "5000"}
	batchNames    = []string{"unbatched", "batched", "batched-uncached", "dataloadgen"}
	batchDBs      = []struct{ key, title string }{{"sqlite", "SQLite"}, {"postgres", "PostgreSQL"}}
)

// Issue 4's batching benchmark: its size and the batch size the targets are stated for.
const (
	batchLookups = 10_000
	batchMaxSize = 100
)

var describe = map[string]string{
	"reftask":          "generated `GetUserProfile` (hot-key layer over bigcache, a generated clone per hit)",
	"bigcache_json":    "(a) hand-written bigcache v3 + encoding/json",
	"otter":            "(b) otter v2 holding decoded values, shared pointer (the floor)",
	"otter_clone":      "otter + a deep copy per read (no shared mutable value)",
	"otter_blockclone": "otter + the deep copy in one allocation (the copy reftask's hot-key layer makes)",
	"dataloadgen":      "(c) dataloadgen cached `Load` (shared pointer)",
	"failsafe_cache":   "(d) failsafe-go cache policy over a map",
	"otter_loader":     "otter `Get` with a loader (coalesces)",
	"reftask_hooks":    "reftask with every hook set (counting)",
	"source_direct":    "the source call alone (baseline)",
	"failsafe_retry":   "failsafe-go retry policy, 3 attempts, no delay",
	"retrygo_loop":     "plain retry-go `DoWithData` loop, 3 attempts, no delay",
	"map":              "map of decoded values under a RWMutex",
	"unbatched":        "(a) generated `GetUserRow`, batching off: one query per lookup",
	"batched":          "(b) generated `GetUserRowBatched`, `batch` max_size 100, wait 1ms",
}

var describeBatch = map[string]string{
	"unbatched":   describe["unbatched"],
	"batched":     describe["batched"],
	"dataloadgen": "(c) dataloadgen, capacity 100, wait 1ms, over a hand-written batch function (same query)",
	// Not one of the contenders: (b) without its cache, to show what caching every answer costs a batched miss.
	"batched-uncached": "(b0) (b) with `cache` ttl 0: no cache lookup before the batch, no store after it",
}

// hostileSizes are BenchmarkGenerateHostile's sub-benchmarks, with what each is.
var hostileSizes = []struct{ name, what string }{
	{"props=10000/pretty", "a result of 10,000 properties, pretty-printed"},
	{"props=10000/minified", "the same, minified (one line)"},
	{"objects=99", "objects nested 99 deep (the deepest within the limit)"},
	{"objects=1000", "objects nested 1,000 deep"},
	{"arrays=98", "arrays nested 98 deep (the deepest within the limit)"},
	{"arrays=1000", "arrays nested 1,000 deep"},
}

func (rep *report) v(name, unit string) float64 {
	v, _ := rep.r.get(name, unit)
	return v
}

func (rep *report) has(name string) bool { return rep.r.n(name, "ns/op") > 0 }

func ns(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2f s", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2f ms", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1f µs", v/1e3)
	case v >= 1e3:
		return fmt.Sprintf("%.2f µs", v/1e3)
	}
	return fmt.Sprintf("%.0f ns", v)
}

func ratio(v float64) string {
	if v >= 10 {
		return fmt.Sprintf("%.0f×", v)
	}
	return fmt.Sprintf("%.2f×", v)
}

func num(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d", int64(v))
	}
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

type target struct {
	what, measured string
	met            bool
}

func (rep *report) targets() []target {
	var ts []target
	add := func(what string, ok bool, format string, a ...any) {
		ts = append(ts, target{what, fmt.Sprintf(format, a...), ok})
	}
	rt, bj := rep.v("Hit/reftask", "ns/op"), rep.v("Hit/bigcache_json", "ns/op")
	prt, pbj := rep.v("HitParallel/reftask", "ns/op"), rep.v("HitParallel/bigcache_json", "ns/op")
	if rt > 0 && bj > 0 && prt > 0 && pbj > 0 {
		add("Hit ≥ 6× faster than (a) bigcache + encoding/json", bj/rt >= 6 && pbj/prt >= 6,
			"%s faster single (%s vs %s), %s parallel (%s vs %s)", ratio(bj/rt), ns(rt), ns(bj), ratio(pbj/prt), ns(prt), ns(pbj))
	}
	if a, ok := rep.r.get("Hit/reftask", "allocs/op"); ok {
		add("Hit ≤ 2 allocations", a <= 2, "%s allocs/op (%s B/op)", num(a), num(rep.v("Hit/reftask", "B/op")))
	}
	ot, pot := rep.v("Hit/otter", "ns/op"), rep.v("HitParallel/otter", "ns/op")
	if rt > 0 && ot > 0 && prt > 0 && pot > 0 {
		add("Hot keys within 3× of (b) otter", rt/ot <= 3 && prt/pot <= 3,
			"%s otter's time single (%s vs %s), %s parallel (%s vs %s)", ratio(rt/ot), ns(rt), ns(ot), ratio(prt/pot), ns(prt), ns(pot))
	}
	if c, ok := rep.r.get("Stampede/reftask", "calls/op"); ok {
		add("Stampede: exactly one source call for 1,000 callers", c == 1 && maxOf(rep.r["Stampede/reftask"]["calls/op"]) == 1,
			"%s source calls per round (max over rounds %s)", num(c), num(maxOf(rep.r["Stampede/reftask"]["calls/op"])))
	}
	if m, d := rep.v("Miss/reftask", "ns/op"), rep.v("Miss/source_direct", "ns/op"); m > 0 && d > 0 {
		h := rep.v("Miss/reftask_hooks", "ns/op")
		add("Miss overhead < 2 µs beyond the source call", m-d < 2000,
			"%s (%s miss − %s source); with every hook set %s", ns(m-d), ns(m), ns(d), ns(h-d))
	}
	g1, g5 := rep.v("Generate/specs=1000", "ns/op"), rep.v("Generate/specs=5000", "ns/op")
	if g1 > 0 {
		add("Generator: 1,000 specs in < 2 s", g1 < 2e9, "%s", ns(g1))
	}
	if g1 > 0 && g5 > 0 {
		add("Generator: 5,000 specs ≤ 5.5× the time of 1,000", g5/g1 <= 5.5, "%s (%s)", ratio(g5/g1), ns(g5))
	}
	pretty, minified := rep.v("GenerateHostile/props=10000/pretty", "ns/op"), rep.v("GenerateHostile/props=10000/minified", "ns/op")
	if pretty > 0 && minified > 0 {
		add("Generator: 10,000 properties minified ≤ 2× the time pretty-printed", minified/pretty <= 2, "%s (%s vs %s)", ratio(minified/pretty), ns(minified), ns(pretty))
	}
	o, a := rep.v("GenerateHostile/objects=1000", "ns/op"), rep.v("GenerateHostile/arrays=1000", "ns/op")
	if o > 0 && a > 0 {
		add("Generator: schemas nested 1,000 deep answered in seconds (a positioned error: past the documented limit)", max(o, a) < 5e9,
			"objects %s, arrays %s", ns(o), ns(a))
	}
	return ts
}

func maxOf(vs []float64) float64 {
	m := 0.0
	for _, v := range vs {
		m = max(m, v)
	}
	return m
}

func (rep *report) markdown(svgRel, resDir string) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# Benchmarks\n\n")
	w("reftask's generated lookups against the code and libraries a developer would use instead, all measured in one run by `make bench` ")
	w("(the `bench/` module, so that no peer enters the main `go.mod`). Every ratio below comes from this run's medians. ")
	w("This file, `bench/results/*.txt` (raw `go test -bench` output, benchstat-ready) and the chart are written by `bench/cmd/report`; do not edit them by hand.\n\n")
	if rep.m.quick {
		w("> **Quick smoke run** (`-quick`): fewer rounds and smaller sizes. Not for publishing.\n\n")
	}
	w("## Machine\n\n| | |\n|---|---|\n")
	w("| date | %s |\n| go | `%s` |\n| CPU | %s |\n| cores | %s (GOMAXPROCS %s) |\n", rep.m.date, rep.m.goVersion, rep.m.cpu, rep.m.cores, rep.m.gomaxprocs)
	w("| code | commit `%s`; uncommitted runtime/gen changes: %s |\n", rep.m.commit, rep.m.dirty)
	w("| load average | %s before, %s after (other work on the machine shows up here) |\n| wall time of the whole run | %s |\n", rep.m.loadBefore, rep.m.loadAfter, rep.m.duration)
	for _, g := range rep.gs {
		pm, ok := rep.partial[g.file]
		if !ok {
			continue
		}
		q := ""
		if pm.quick {
			q = "; **quick smoke run**"
		}
		w("| `%s` run on its own (`-only %s`) | %s, commit `%s`, uncommitted runtime/gen changes: %s; load average %s before, %s after; %s%s |\n",
			g.file, groupName(g.file), pm.date, pm.commit, pm.dirty, pm.loadBefore, pm.loadAfter, pm.duration, q)
	}
	w("\n")

	w("## Targets (issue 6)\n\n| target | measured | |\n|---|---|---|\n")
	for _, t := range rep.targets() {
		mark := "**missed**"
		if t.met {
			mark = "met"
		}
		w("| %s | %s | %s |\n", t.what, t.measured, mark)
	}
	w("\nBatching (issue 4) has its own targets, in section 6. ")
	w("Why the missed ones are missed, with profiles, and what would fix them: [bench/NOTES.md](bench/NOTES.md). Before and after the runtime-architecture work (issue 12): [bench/NOTES.md](bench/NOTES.md#issue-12-runtime-architecture-before-and-after).\n\n")
	w("![chart](%s)\n\n", svgRel)

	w("## How it was run\n\n```sh\nmake bench   # = cd bench && go run ./cmd/report\n```\n\n")
	w("which builds the test binary once (`go test -c`) and runs, from `bench/`:\n\n```sh\n")
	seen := map[string]bool{}
	for _, g := range rep.gs {
		for _, a := range g.runs {
			line := shellJoin(append([]string{"./bench.test"}, a...)) + "   # -> " + resDir + "/" + g.file
			if !seen[line] {
				w("%s\n", line)
				seen[line] = true
			}
		}
	}
	w("```\n\nThe hit and miss groups run %d rounds that interleave the contenders, so that load from elsewhere hits all of them alike; tables show medians. ", len(rep.gs[0].runs))
	w("Compare runs with `cd bench && go tool benchstat results/hit.txt` (or any two saved copies).\n\n")

	// 1. Hits.
	w("## 1. Cache hit\n\nA warm cache of %d hot keys, read in turn. `ratio` is the contender's time over reftask's (above 1: reftask is faster).\n\n", 1024)
	for _, mode := range []string{"Hit", "HitParallel"} {
		title := "one goroutine"
		if mode == "HitParallel" {
			title = "`b.RunParallel`, GOMAXPROCS goroutines"
		}
		w("**%s**\n\n| contender | ns/op | ratio | B/op | allocs/op |\n|---|---:|---:|---:|---:|\n", title)
		base := rep.v(mode+"/reftask", "ns/op")
		for _, n := range hitNames {
			name := mode + "/" + n
			if !rep.has(name) {
				continue
			}
			v := rep.v(name, "ns/op")
			w("| %s | %s | %s | %s | %s |\n", describe[n], ns(v), ratio(v/base), num(rep.v(name, "B/op")), num(rep.v(name, "allocs/op")))
		}
		w("\n")
	}
	w("`TestMutationSafety` (bench/mutation_test.go) checks that a caller that mutates its result, through every pointer, changes nothing for the next caller, on a hit and among coalesced callers. otter, dataloadgen and failsafe-go hand every caller the same pointer; the `otter_clone` rows show what making them safe costs.\n\n")

	// 2. Stampede.
	w("## 2. Cache stampede\n\n1,000 goroutines ask for one uncached key at the same instant; the source takes 5 ms. Latency is from the common start to each caller's answer, over all rounds.\n\n")
	w("| contender | source calls per round | p50 | p99 |\n|---|---:|---:|---:|\n")
	for _, n := range stampedeNames {
		name := "Stampede/" + n
		if !rep.has(name) {
			continue
		}
		w("| %s | %s | %s | %s |\n", describe[n], num(rep.v(name, "calls/op")), ns(rep.v(name, "p50-µs")*1e3), ns(rep.v(name, "p99-µs")*1e3))
	}
	w("\n")

	// 3. Miss and retry.
	w("## 3. Miss overhead and the retry path\n\n**Miss**: every lookup is a key never seen, from a source that answers at once; `overhead` is the time beyond `source_direct` (the source call and the key's formatting, which every contender pays).\n\n")
	w("| contender | ns/op | overhead | B/op | allocs/op |\n|---|---:|---:|---:|---:|\n")
	d := rep.v("Miss/source_direct", "ns/op")
	for _, n := range missNames {
		name := "Miss/" + n
		if !rep.has(name) {
			continue
		}
		v := rep.v(name, "ns/op")
		w("| %s | %s | %s | %s | %s |\n", describe[n], ns(v), ns(v-d), num(rep.v(name, "B/op")), num(rep.v(name, "allocs/op")))
	}
	w("\n**Retry**: a source that fails every other attempt (50%%), so each lookup takes two attempts; uncached, no delay between attempts.\n\n")
	w("| contender | ns/op | overhead | attempts/op | B/op | allocs/op |\n|---|---:|---:|---:|---:|---:|\n")
	d = rep.v("Retry/source_direct", "ns/op")
	for _, n := range retryNames {
		name := "Retry/" + n
		if !rep.has(name) {
			continue
		}
		v := rep.v(name, "ns/op")
		att := "2"
		if a, ok := rep.r.get(name, "attempts/op"); ok {
			att = num(a)
		}
		w("| %s | %s | %s | %s | %s | %s |\n", describe[n], ns(v), ns(v-d), att, num(rep.v(name, "B/op")), num(rep.v(name, "allocs/op")))
	}
	w("\n")

	// 4. Memory.
	entries := rep.v("Memory/reftask", "entries")
	w("## 4. Memory and GC\n\n%s results cached (one process per contender). `heap` is the heap in use after a GC, above what it was before the fill. ", num(entries))
	w("A full collection with the cache live: its wall time, the CPU the collector spent, and its stop-the-world pauses; `fill pauses` adds up the pauses while filling.\n\n")
	w("| contender | heap | per entry | full GC wall | GC CPU | GC pause | fill pauses | fill time |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, n := range memNames {
		name := "Memory/" + n
		if rep.r.n(name, "heap-MB") == 0 {
			continue
		}
		w("| %s | %.0f MB | %.0f B | %.1f ms | %.1f ms | %.0f µs | %.1f ms | %.1f s |\n", describe[n], rep.v(name, "heap-MB"), rep.v(name, "heap-B/entry"),
			rep.v(name, "gc-wall-ms"), rep.v(name, "gc-cpu-ms"), rep.v(name, "gc-pause-µs"), rep.v(name, "fill-pause-ms"), rep.v(name, "fill-s"))
	}
	if a, b := rep.v("Memory/reftask", "gc-cpu-ms"), rep.v("Memory/map", "gc-cpu-ms"); a > 0 && b > 0 {
		w("\nWhat bigcache buys: a full GC costs %s less CPU with reftask's million entries than with the map's (%.1f ms vs %.0f ms), because its entries live in a few large pointer-free byte slices the collector does not scan. ", ratio(b/a), a, b)
		w("reftask's fill time is its miss path (section 3), a million times.\n\n")
	}

	// 5. Generator.
	w("## 5. Generator\n\nThe `reftaskgen` command, built once and run as a go:generate line runs it (load and validate the specs, build the model, emit and gofmt the Go file, write it), over spec sets that `bench/internal/specgen` writes (`go run ./cmd/specgen -n 1000 -dir DIR` writes the same ones). SQL sources, so no go/packages load. Time is the command's wall time; CPU time (user + system, on both cores) and peak resident memory are the kernel's accounting of the child process.\n\n")
	w("| specs | time | vs 1,000 | CPU time | peak RSS | output |\n|---:|---:|---:|---:|---:|---:|\n")
	g1 := rep.v("Generate/specs=1000", "ns/op")
	for _, s := range genSizes {
		name := "Generate/specs=" + s
		if !rep.has(name) {
			continue
		}
		v := rep.v(name, "ns/op")
		vs := "–"
		if g1 > 0 {
			vs = ratio(v / g1)
		}
		w("| %s | %s | %s | %.2f s | %.0f MB | %.0f KiB |\n", s, ns(v), vs, rep.v(name, "cpu-s"), rep.v(name, "peak-RSS-MB"), rep.v(name, "out-KiB"))
	}
	w("\n")
	if rep.has("GenerateHostile/props=10000/pretty") {
		w("Hostile sizes (issue 11), one spec each, from `specgen.HostileSpecs` (`BenchmarkGenerateHostile`, medians of 3 processes). ")
		w("Past the documented nesting limits (512 levels of JSON in a file, 100 levels of schemas: README, \"The task spec\") the answer is one positioned error, exit status 1.\n\n")
		w("| spec | answer | time | CPU time | peak RSS | output |\n|---|---|---:|---:|---:|---:|\n")
		for _, h := range hostileSizes {
			name := "GenerateHostile/" + h.name
			if !rep.has(name) {
				continue
			}
			answer := "code"
			if strings.HasSuffix(h.name, "=1000") {
				answer = "one positioned error"
			}
			w("| %s | %s | %s | %.2f s | %.0f MB | %.0f KiB |\n", h.what, answer, ns(rep.v(name, "ns/op")), rep.v(name, "cpu-s"), rep.v(name, "peak-RSS-MB"), rep.v(name, "out-KiB"))
		}
		w("\n")
	}

	rep.batchSection(w)
	return b.String()
}

// batchSection writes section 6: issue 4's batching benchmark, a table per database and its targets.
func (rep *report) batchSection(w func(string, ...any)) {
	w("## 6. Batching (issue 4)\n\n")
	w("%s concurrent lookups of distinct keys, one goroutine each, against a table of %s users: SQLite in a temporary file (modernc.org/sqlite) and PostgreSQL (a fresh schema on 127.0.0.1:5432). ", thousands(batchLookups), thousands(batchLookups))
	w("Every lookup of a round is a miss. (a) and (b) run, as a service does, on one executor per database that lives for the whole benchmark process (every round of both, the untimed first round included); each round starts with `InvalidateTask` for its task, which makes every entry the earlier rounds cached unreachable (the generation in the cache key moves on: bigcache keeps the old bytes until its shards reach their size bound and then reuses them, oldest first). (c) gets a fresh loader per round, its natural reset, since its cache lives in the loader. ")
	w("All contenders share one `database/sql` pool of 16 connections per database. ")
	w("`round trips` counts the queries the database received (a counting `database/sql` driver wrapper); `time` is from releasing the %s goroutines to the last answer. ", thousands(batchLookups))
	runs := 0
	for _, g := range rep.gs {
		if g.file == "batch.txt" {
			runs = len(g.runs)
		}
	}
	w("`b ÷ row` is (b)'s throughput over the row's. The group runs the benchmark in %d processes, each measuring a few all-miss rounds per contender (`-benchtime`); tables show the median of the processes' means, and `range` the lowest and the highest. ", runs)
	w("Specs: `bench/lookups/specs/user_row*.task.json`; code: `bench/batch_test.go`.\n\n")
	if !rep.has("Batch/sqlite/batched") && !rep.has("Batch/postgres/batched") {
		w("Not run yet: `cd bench && go run ./cmd/report -only batch`.\n\n")
		return
	}
	for _, db := range batchDBs {
		w("**%s**\n\n", db.title)
		if !rep.has("Batch/" + db.key + "/batched") {
			w("Not measured in this run: the benchmark skips PostgreSQL when 127.0.0.1:5432 is unreachable (its message is in `results/batch.txt`).\n\n")
			continue
		}
		w("| contender | round trips | time for %s | lookups/s | range | b ÷ row | B/lookup | allocs/lookup |\n|---|---:|---:|---:|---:|---:|---:|---:|\n", thousands(batchLookups))
		bt := rep.v("Batch/"+db.key+"/batched", "lookups/s")
		for _, n := range batchNames {
			name := "Batch/" + db.key + "/" + n
			if !rep.has(name) {
				continue
			}
			t := rep.v(name, "lookups/s")
			vs := rep.r[name]["lookups/s"]
			w("| %s | %s | %s | %s | %s–%s | %s | %s | %s |\n", describeBatch[n], count(rep.v(name, "round-trips/op")), ns(rep.v(name, "ns/op")), thousands(t),
				thousands(minOf(vs)), thousands(maxOf(vs)), ratio(bt/t), num(rep.v(name, "B/op")/batchLookups), num(rep.v(name, "allocs/op")/batchLookups))
		}
		w("\n")
	}
	w("**Targets (issue 4)**\n\n| target | measured | |\n|---|---|---|\n")
	for _, t := range rep.batchTargets() {
		mark := "**missed**"
		switch {
		case t.measured == "":
			mark, t.measured = "not measured", "PostgreSQL was unreachable"
		case t.met:
			mark = "met"
		}
		w("| %s | %s | %s |\n", t.what, t.measured, mark)
	}
	w("\nWhat the profiles say about the missed ones: [bench/NOTES.md](bench/NOTES.md#batching-issue-4).\n\n")
}

func (rep *report) batchTargets() []target {
	limit := 1.1 * float64((batchLookups+batchMaxSize-1)/batchMaxSize)
	var ts []target
	for _, db := range batchDBs {
		name := "Batch/" + db.key + "/batched"
		what := fmt.Sprintf("%s: round trips ≤ 1.1 × ceil(%s/%d) = %s", db.title, thousands(batchLookups), batchMaxSize, num(limit))
		if !rep.has(name) {
			ts = append(ts, target{what: what})
			continue
		}
		worst := maxOf(rep.r[name]["max-round-trips"])
		ts = append(ts, target{what, fmt.Sprintf("%s per %s lookups (median), %s in the worst round; (a) %s, (c) %s", count(rep.v(name, "round-trips/op")), thousands(batchLookups), count(worst),
			count(rep.v("Batch/"+db.key+"/unbatched", "round-trips/op")), count(rep.v("Batch/"+db.key+"/dataloadgen", "round-trips/op"))), worst <= limit})
	}
	b, a := rep.v("Batch/postgres/batched", "lookups/s"), rep.v("Batch/postgres/unbatched", "lookups/s")
	what := "PostgreSQL: throughput ≥ 10 × (a) batching off"
	if b > 0 && a > 0 {
		ts = append(ts, target{what, fmt.Sprintf("%s (%s vs %s lookups/s)", ratio(b/a), thousands(b), thousands(a)), b/a >= 10})
	} else {
		ts = append(ts, target{what: what})
	}
	for _, db := range batchDBs {
		what := db.title + ": not behind (c) dataloadgen"
		b, c := rep.v("Batch/"+db.key+"/batched", "lookups/s"), rep.v("Batch/"+db.key+"/dataloadgen", "lookups/s")
		if b > 0 && c > 0 {
			ts = append(ts, target{what, fmt.Sprintf("%s (c)'s throughput (%s vs %s lookups/s)", ratio(b/c), thousands(b), thousands(c)), b >= c})
		} else {
			ts = append(ts, target{what: what})
		}
	}
	return ts
}

// count formats a count that may be a mean: with a decimal below 1,000, with separators above.
func count(v float64) string {
	if v < 1000 {
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
	}
	return thousands(v)
}

// thousands formats a throughput with thousands separators.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func minOf(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	m := vs[0]
	for _, v := range vs {
		m = min(m, v)
	}
	return m
}

func (rep *report) makePanels() []panel {
	var ps, batchPanels []panel
	hit := func(mode, title string) {
		p := panel{title: title, unit: "ns per lookup", log: true}
		for _, n := range hitNames {
			name := mode + "/" + n
			if rep.has(name) {
				v := rep.v(name, "ns/op")
				p.bars = append(p.bars, bar{label: n, value: v, ours: n == "reftask", text: fmt.Sprintf("%s, %s allocs", ns(v), num(rep.v(name, "allocs/op")))})
			}
		}
		ps = append(ps, p)
	}
	hit("Hit", "1. Cache hit, one goroutine")
	hit("HitParallel", "1. Cache hit, RunParallel")
	p := panel{title: "2. Stampede: source calls for 1,000 callers of one key", unit: "calls", log: true}
	for _, n := range stampedeNames {
		if name := "Stampede/" + n; rep.has(name) {
			v := rep.v(name, "calls/op")
			p.bars = append(p.bars, bar{label: n, value: v, ours: n == "reftask", text: fmt.Sprintf("%s calls, p99 %s", num(v), ns(rep.v(name, "p99-µs")*1e3))})
		}
	}
	ps = append(ps, p)
	for _, g := range []struct {
		prefix, title string
		names         []string
	}{{"Miss", "3. Miss from an immediate source", missNames}, {"Retry", "3. Retry path, 50% failing source", retryNames}} {
		p := panel{title: g.title, unit: "ns per lookup", log: false}
		for _, n := range g.names {
			if name := g.prefix + "/" + n; rep.has(name) {
				v := rep.v(name, "ns/op")
				p.bars = append(p.bars, bar{label: n, value: v, ours: strings.HasPrefix(n, "reftask"), text: ns(v)})
			}
		}
		ps = append(ps, p)
	}
	p = panel{title: "4. CPU of one full GC with the results cached", unit: "ms", log: true}
	for _, n := range memNames {
		if name := "Memory/" + n; rep.r.n(name, "gc-cpu-ms") > 0 {
			v := rep.v(name, "gc-cpu-ms")
			p.bars = append(p.bars, bar{label: n, value: v, ours: n == "reftask", text: fmt.Sprintf("%.1f ms GC CPU, heap %.0f MB", v, rep.v(name, "heap-MB"))})
		}
	}
	ps = append(ps, p)
	for _, db := range batchDBs {
		p := panel{title: fmt.Sprintf("6. Batching: %s concurrent lookups, %s", thousands(batchLookups), db.title), unit: "lookups per second", log: true}
		for _, n := range batchNames {
			if name := "Batch/" + db.key + "/" + n; rep.has(name) {
				v := rep.v(name, "lookups/s")
				p.bars = append(p.bars, bar{label: n, value: v, ours: n != "dataloadgen", text: fmt.Sprintf("%s/s, %s round trips", thousands(v), count(rep.v(name, "round-trips/op")))})
			}
		}
		if len(p.bars) > 0 {
			batchPanels = append(batchPanels, p)
		}
	}
	p = panel{title: "5. Generator time", unit: "seconds", log: false}
	for _, s := range genSizes {
		if name := "Generate/specs=" + s; rep.has(name) {
			v := rep.v(name, "ns/op")
			p.bars = append(p.bars, bar{label: s + " specs", value: v / 1e9, ours: true, text: ns(v)})
		}
	}
	ps = append(ps, p)
	return append(ps, batchPanels...)
}
