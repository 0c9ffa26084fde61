// Package batchkeys is a golden test case for batch keys that are not
// plain strings or integers: formats (uuid, date, ipv4, email) and Go types
// named by x-go-type (SKU, a type of this package, and the builtin int32).
package batchkeys

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/reftask/reftask/runtime"
)

// SKU is a stock-keeping unit such as "AB-1234": two upper-case letters, a
// dash and digits. It validates itself while decoding.
type SKU string

// MarshalText writes the SKU as it is.
func (s SKU) MarshalText() ([]byte, error) { return []byte(s), nil }

// UnmarshalText accepts a well-formed SKU.
func (s *SKU) UnmarshalText(b []byte) error {
	v := string(b)
	letters, digits, ok := strings.Cut(v, "-")
	if !ok || len(letters) != 2 || strings.ToUpper(letters) != letters || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return fmt.Errorf("invalid SKU %q: want two upper-case letters, a dash and digits", v)
	}
	*s = SKU(v)
	return nil
}

// FindMember is the single-key Go source of Member: addresses at
// example.org are not members.
func FindMember(ctx context.Context, p MemberParams) (*Member, error) {
	if p.Email.Domain() == "example.org" {
		return nil, runtime.ErrNotFound
	}
	return &Member{Email: p.Email, Name: strings.ToUpper(p.Email.Local())}, nil
}

// FindMembers is the batch Go source of Member, keyed by runtime.Email.
func FindMembers(ctx context.Context, emails []runtime.Email) (map[runtime.Email]*Member, error) {
	out := make(map[runtime.Email]*Member, len(emails))
	for _, e := range emails {
		if e.Domain() != "example.org" {
			out[e] = &Member{Email: e, Name: strings.ToUpper(e.Local())}
		}
	}
	return out, nil
}

// FindShard is the single-key Go source of Shard: shard numbers above 99
// do not exist.
func FindShard(ctx context.Context, p ShardParams) (*Shard, error) {
	if p.Number > 99 {
		return nil, runtime.ErrNotFound
	}
	return &Shard{Number: p.Number, Primary: shardAddr(p.Number)}, nil
}

// FindShards is the batch Go source of Shard, keyed by the builtin int32.
func FindShards(ctx context.Context, numbers []int32) (map[int32]*Shard, error) {
	out := make(map[int32]*Shard, len(numbers))
	for _, n := range numbers {
		if n <= 99 {
			out[n] = &Shard{Number: n, Primary: shardAddr(n)}
		}
	}
	return out, nil
}

func shardAddr(n int32) netip.Addr { return netip.AddrFrom4([4]byte{10, 0, 0, byte(n)}) }
