package errcase

import "context"

// Normalize takes the result by value, so it could not change it.
func Normalize(ctx context.Context, t Thing) error { return nil }

// FindOther is fine.
func FindOther(ctx context.Context, p OtherParams) (*Thing, error) { return nil, nil }
