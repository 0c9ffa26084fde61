package lookups

import (
	"context"
	"time"

	"github.com/reftask/reftask/runtime"
)

// FindInDirectory answers UserProfileFromDirectory from a small in-process
// directory: the fallback the example uses when the database is down.
func FindInDirectory(ctx context.Context, p UserProfileFromDirectoryParams) (*UserProfile, error) {
	if p.UserID != "user_1" {
		return nil, runtime.ErrNotFound
	}
	return &UserProfile{
		ID:        "user_1",
		Name:      "Ada Lovelace (directory copy)",
		Plan:      PlanPro,
		CreatedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	}, nil
}
