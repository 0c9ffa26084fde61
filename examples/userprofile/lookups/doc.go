// Package lookups holds the user-profile lookups of the example: the specs
// in specs/, the code reftaskgen generates from them, and the Go function
// one of them names.
package lookups

//go:generate go tool reftaskgen -specs ./specs -out reftasks_gen.go
