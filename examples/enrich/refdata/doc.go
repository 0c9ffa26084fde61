// Package refdata holds the reference lookups of the enrichment example:
// products by SKU and users' plans, both batched.
package refdata

//go:generate go tool reftaskgen -specs ./specs -out reftasks_gen.go
