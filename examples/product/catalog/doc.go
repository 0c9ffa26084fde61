// Package catalog looks products up in a REST API through a generated,
// typed lookup.
package catalog

//go:generate go tool reftaskgen -specs ./specs -out reftasks_gen.go
