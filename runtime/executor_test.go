package runtime

import (
	"testing"
	"time"
)

func TestCacheConfigIsSmallAndQuiet(t *testing.T) {
	for _, mb := range []int{1, 16, 256, 4096} {
		c := cacheConfig(mb)
		if c.Verbose || c.Logger == nil || c.OnRemove != nil || c.OnRemoveWithReason != nil || c.OnRemoveWithMetadata != nil {
			t.Fatalf("%d MB: config not quiet: %+v", mb, c)
		}
		if c.HardMaxCacheSize != mb || c.LifeWindow < time.Hour {
			t.Fatalf("%d MB: %+v", mb, c)
		}
		// bigcache allocates max(MaxEntriesInWindow/Shards, 10) * MaxEntrySize bytes per shard up front.
		initial := c.Shards * max(c.MaxEntriesInWindow/c.Shards, 10) * c.MaxEntrySize
		if initial > 1<<20 {
			t.Fatalf("%d MB: initial allocation %d bytes", mb, initial)
		}
		if mb/c.Shards < 1 {
			t.Fatalf("%d MB over %d shards leaves shards under 1 MB", mb, c.Shards)
		}
	}
}
