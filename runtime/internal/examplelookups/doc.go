// Package examplelookups holds the generated lookups that the runtime's
// Example functions call: the specs in specs/, the code reftaskgen generates
// from them, and the Go source they name (source.go), which answers from a
// fixed in-memory catalog so that the examples need no database.
package examplelookups

//go:generate go run github.com/reftask/reftask/cmd/reftaskgen -specs ./specs -out reftasks_gen.go -pkg examplelookups
