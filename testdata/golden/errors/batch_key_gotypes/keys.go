package errcase

import (
	"context"
	"time"

	"github.com/reftask/reftask/runtime"
)

// Ref holds a pointer: == would compare the pointer.
type Ref struct{ p *string }

func (r Ref) MarshalText() ([]byte, error)  { return []byte(*r.p), nil }
func (r *Ref) UnmarshalText(b []byte) error { s := string(b); r.p = &s; return nil }

// Ratio is a float.
type Ratio float64

func (r Ratio) MarshalText() ([]byte, error) { return nil, nil }
func (r *Ratio) UnmarshalText([]byte) error  { return nil }

// Tags is a slice: not comparable at all.
type Tags []string

func (t Tags) MarshalText() ([]byte, error) { return nil, nil }
func (t *Tags) UnmarshalText([]byte) error  { return nil }

// Stamp holds a time.Time.
type Stamp struct{ At time.Time }

func (s Stamp) MarshalText() ([]byte, error) { return nil, nil }
func (s *Stamp) UnmarshalText([]byte) error  { return nil }

// Anything holds an interface.
type Anything struct{ V any }

func (a Anything) MarshalText() ([]byte, error) { return nil, nil }
func (a *Anything) UnmarshalText([]byte) error  { return nil }

// Code is a good key: an array and a string, compared by value.
type Code struct {
	Prefix [2]byte
	Rest   string
}

func (c Code) MarshalText() ([]byte, error) { return nil, nil }
func (c *Code) UnmarshalText([]byte) error  { return nil }

// FindUUIDRec is the single-key source of ByUUID.
func FindUUIDRec(ctx context.Context, p ByUUIDParams) (*UUIDRec, error) {
	return nil, runtime.ErrNotFound
}

// FindUUIDRecs takes the keys as text, not as runtime.UUID.
func FindUUIDRecs(ctx context.Context, ids []string) (map[string]*UUIDRec, error) { return nil, nil }
