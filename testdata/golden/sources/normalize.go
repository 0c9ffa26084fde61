// Package sources is a golden test case for the HTTP and file sources,
// transform.fields with nested properties and JSON pointers, and
// transform.func.
package sources

import (
	"context"
	"strings"
)

// NormalizeProduct is the transform.func of the Product task: the API
// sometimes sends lower-case currency codes.
func NormalizeProduct(ctx context.Context, p *Product) error {
	p.Price.Currency = strings.ToUpper(p.Price.Currency)
	p.Name = strings.TrimSpace(p.Name)
	return nil
}
