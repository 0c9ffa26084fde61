package errcase

import "context"

// FindThing takes its params by pointer, which the generated code does not.
func FindThing(ctx context.Context, p *WrongParams) (*Thing, error) { return nil, nil }

// Limit is a constant, not a function.
const Limit = 10
