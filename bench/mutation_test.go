package bench

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/reftask/reftask/bench/lookups"
)

// scribble changes every field of u that a careless caller could reach, through every pointer.
func scribble(u *lookups.UserProfile) {
	u.Name = "mutated"
	u.Plan = lookups.PlanFree
	*u.Email = "mutated@example.com"
	*u.LoginCount = -1
	u.Address.City = "mutated"
	u.CreatedAt = time.Time{}
}

func checkPristine(t *testing.T, what string, u *lookups.UserProfile, id string) {
	t.Helper()
	want := lookups.Profile(id)
	if u.ID != want.ID || u.Name != want.Name || u.Plan != want.Plan || *u.Email != *want.Email ||
		*u.LoginCount != *want.LoginCount || *u.Address != *want.Address || !u.CreatedAt.Equal(want.CreatedAt) {
		t.Fatalf("%s: got %+v (email %q, logins %d, address %+v), want the source's value: a caller's mutation leaked",
			what, u, *u.Email, *u.LoginCount, *u.Address)
	}
}

// TestMutationSafety: a caller that mutates its result must not change what the next caller gets,
// whether the next caller hits the cache or shares the same coalesced source call.
func TestMutationSafety(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)

	t.Run("hit after mutated miss", func(t *testing.T) {
		u, err := c.GetUserProfile(ctx, "user_7")
		if err != nil {
			t.Fatal(err)
		}
		scribble(u)
		for i := range 3 {
			v, err := c.GetUserProfile(ctx, "user_7")
			if err != nil {
				t.Fatal(err)
			}
			if v == u {
				t.Fatalf("call %d returned the same pointer as the first caller", i)
			}
			checkPristine(t, "next hit", v, "user_7")
			scribble(v)
		}
	})

	t.Run("coalesced callers", func(t *testing.T) {
		release := make(chan struct{})
		defer lookups.SetSource(func(_ context.Context, p lookups.UserProfileParams) (*lookups.UserProfile, error) {
			<-release
			return lookups.Profile(p.UserID), nil
		})()
		const n = 16
		var wg sync.WaitGroup
		res := make([]*lookups.UserProfile, n)
		for i := range n {
			wg.Go(func() {
				u, err := c.GetUserProfile(ctx, "user_8")
				if err != nil {
					t.Error(err)
					return
				}
				res[i] = u
			})
		}
		time.Sleep(50 * time.Millisecond) // let them all join the one flight
		close(release)
		wg.Wait()
		seen := map[*lookups.UserProfile]bool{}
		for _, u := range res {
			if u == nil {
				t.FailNow()
			}
			if seen[u] {
				t.Fatal("two coalesced callers got the same pointer")
			}
			seen[u] = true
		}
		for i, u := range res {
			checkPristine(t, "coalesced caller", u, "user_8")
			if i%2 == 0 {
				scribble(u)
			}
		}
		v, err := c.GetUserProfile(ctx, "user_8")
		if err != nil {
			t.Fatal(err)
		}
		checkPristine(t, "hit after coalesced callers mutated", v, "user_8")
	})
}
