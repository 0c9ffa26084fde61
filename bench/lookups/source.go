package lookups

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/reftask/reftask/runtime"
)

// Profile builds the profile the in-process source holds for id, with every
// field set, as a full database row would give it. Each call returns a new value.
func Profile(id string) *UserProfile {
	email := "ada@example.com"
	logins := int64(42)
	return &UserProfile{
		ID:         id,
		Name:       "Ada Lovelace",
		Email:      &email,
		Plan:       PlanPro,
		CreatedAt:  time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		LoginCount: &logins,
		Address:    &Address{City: "London", Country: "GB"},
	}
}

// SourceFunc answers UserProfile.
type SourceFunc func(ctx context.Context, p UserProfileParams) (*UserProfile, error)

var source atomic.Pointer[SourceFunc]

// SetSource makes FindUserProfile call f until restore is called; a benchmark
// uses it to count calls or to slow the source down.
func SetSource(f SourceFunc) (restore func()) {
	old := source.Swap(&f)
	return func() { source.Store(old) }
}

// MissingID is the one id the default source does not know.
const MissingID = "user_0"

// FindUserProfile is the Go source of UserProfile: by default it answers at
// once from memory (Profile; MissingID is not found), otherwise it calls what
// SetSource installed.
func FindUserProfile(ctx context.Context, p UserProfileParams) (*UserProfile, error) {
	if f := source.Load(); f != nil && *f != nil {
		return (*f)(ctx, p)
	}
	if p.UserID == MissingID {
		return nil, runtime.ErrNotFound
	}
	return Profile(p.UserID), nil
}

// ErrFlaky is the transient failure of the flaky source.
var ErrFlaky = errors.New("lookups: transient failure")

// Flaky is the shared 50%-failing source: odd-numbered attempts (counted in
// n) fail with ErrFlaky, even-numbered ones answer, so every lookup takes
// exactly two attempts. Every contender in the retry benchmark calls it.
func Flaky(n *atomic.Uint64, id string) (*UserProfile, error) {
	if n.Add(1)%2 == 1 {
		return nil, ErrFlaky
	}
	return Profile(id), nil
}

// FlakyAttempts counts the attempts of FindUserProfileFlaky.
var FlakyAttempts atomic.Uint64

// FindUserProfileFlaky is the Go source of UserProfileFlaky.
func FindUserProfileFlaky(ctx context.Context, p UserProfileFlakyParams) (*UserProfile, error) {
	return Flaky(&FlakyAttempts, p.UserID)
}
