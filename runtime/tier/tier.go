// Package tier defines the cache tiers an executor reads in front of a task's source, and holds the local tier
// (bigcache) that every executor has. A user adds a tier of their own, a shared Redis cache say, with
// runtime.WithTier; the engine reads the tiers in order (the hot-key layer, the local tier, then the added tiers
// in the order given), fills earlier tiers from a later tier's hit, writes every fetched result to every tier,
// sends Invalidate to every tier, and InvalidateTask to the tiers that can delete by key prefix (PrefixDeleter).
//
// A tier stores entries as opaque bytes: the engine's own encoding of a result, which carries its freshness in
// a header, so a tier need not understand an entry beyond the Expiry it is given with it. The hot-key layer in
// front of the local tier is not a Tier: it is per task and holds decoded values (see runtime's hot.go).
package tier

import (
	"context"
	"errors"
	"time"

	"github.com/allegro/bigcache/v3"
)

// Tier is one cache tier holding entries as bytes. Methods may be called concurrently. A tier that reaches over
// the network must honour ctx, which the engine bounds: an error or a timeout is treated as a miss (Get) or as a
// write that did not happen (Set, Delete), never as the lookup's failure.
//
// The key and the entry passed in are only valid during the call: a tier that keeps them must copy them. The
// bytes Get returns must not change afterwards: the engine decodes from them.
type Tier interface {
	// Get returns key's entry and true, or false when the tier holds none.
	Get(ctx context.Context, key string) (entry []byte, ok bool, err error)
	// Set stores entry under key. exp says how long it is of use; the tier may drop it any time after that.
	Set(ctx context.Context, key string, entry []byte, exp Expiry) error
	// Delete removes key's entry; a key with no entry is not an error.
	Delete(ctx context.Context, key string) error
}

// PrefixDeleter is a Tier that can also remove every entry whose key starts with a prefix. InvalidateTask calls it
// with the key prefix of each generation it retires (the task's name, spec version and old generation), so that a
// shared tier does not keep entries nobody can reach any more. A tier without it keeps them until they expire.
type PrefixDeleter interface {
	DeletePrefix(ctx context.Context, prefix string) error
}

// Expiry is the lifetime of an entry from the moment it is written: fresh for Fresh, then servable for Stale
// more when the source fails (stale-if-error). A fill from a later tier's hit passes the entry's remaining time.
type Expiry struct {
	Fresh time.Duration
	Stale time.Duration
}

// Total is how long the entry is of use at all: a tier may drop it after that.
func (e Expiry) Total() time.Duration { return e.Fresh + e.Stale }

// Local is the in-process tier over bigcache that every executor reads first, after its hot-key layer.
type Local struct {
	bc *bigcache.BigCache
}

// NewLocal wraps a bigcache, which the tier then owns: Close closes it.
func NewLocal(bc *bigcache.BigCache) *Local { return &Local{bc: bc} }

// MaxKeyLen is the longest key Local stores: bigcache keeps key lengths in 16 bits.
const MaxKeyLen = 1<<16 - 1

// Get returns a copy of key's entry. bigcache keeps no reference to key.
func (l *Local) Get(_ context.Context, key string) ([]byte, bool, error) {
	b, err := l.bc.Get(key)
	if err != nil {
		if errors.Is(err, bigcache.ErrEntryNotFound) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return b, true, nil
}

// Set stores a copy of entry. The expiry is not needed: bigcache has one life window for all entries, and the
// engine reads freshness from the entry itself; an entry too large for a shard is an error and is not stored.
func (l *Local) Set(_ context.Context, key string, entry []byte, _ Expiry) error {
	return l.bc.Set(key, entry)
}

// Delete removes key's entry.
func (l *Local) Delete(_ context.Context, key string) error {
	if err := l.bc.Delete(key); err != nil && !errors.Is(err, bigcache.ErrEntryNotFound) {
		return err
	}
	return nil
}

// Close releases the cache's memory.
func (l *Local) Close() error { return l.bc.Close() }
