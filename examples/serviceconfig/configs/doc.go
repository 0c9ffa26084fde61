// Package configs reads service configuration from a YAML file through a
// generated, typed lookup.
package configs

//go:generate go tool reftaskgen -specs ./specs -out reftasks_gen.go
