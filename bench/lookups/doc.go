// Package lookups holds the generated lookups that the benchmarks measure:
// the specs in specs/, the code reftaskgen generates from them, and the Go
// sources they name (source.go), which answer from memory so that no
// database is needed.
package lookups

//go:generate go run github.com/reftask/reftask/cmd/reftaskgen -specs ./specs -out reftasks_gen.go
