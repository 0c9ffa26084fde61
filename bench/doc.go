// Package bench measures reftask against the code and libraries a developer
// would use instead: hand-written bigcache + encoding/json, otter, dataloadgen,
// failsafe-go and a plain retry-go loop. It is its own module so that none of
// those peers enter the main module's go.mod.
//
// Run the whole suite with `make bench` from the repository root; it runs
// cmd/report, which runs the benchmarks, keeps their raw output in results/
// and writes BENCHMARKS.md and results/chart.svg. The benchmarks themselves
// are ordinary Go benchmarks:
//
//	go test -run '^$' -bench 'Hit' -benchmem .
package bench
