package examplelookups

import (
	"context"

	"github.com/reftask/reftask/runtime"
)

// FindProduct is the Go source of the Product task: it answers from a fixed catalog, and not found for any other
// SKU.
func FindProduct(ctx context.Context, p ProductParams) (*Product, error) {
	switch p.SKU {
	case "AB-123":
		return &Product{SKU: "AB-123", Name: "Espresso cup", PriceCents: 850}, nil
	case "CD-456":
		d, err := runtime.ParseDate("2026-06-30")
		if err != nil {
			return nil, err
		}
		return &Product{SKU: "CD-456", Name: "Milk jug", PriceCents: 1490, Discontinued: runtime.Some(d)}, nil
	}
	return nil, runtime.ErrNotFound
}
