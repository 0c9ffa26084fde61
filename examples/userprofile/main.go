// Command userprofile runs the user-profile lookups of package lookups
// against an embedded SQLite database: a found user, a cache hit, a
// not-found, a rejected parameter, a list, an async call, a call by name,
// and a fallback when the database goes away.
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sync/atomic"

	_ "modernc.org/sqlite"

	"github.com/reftask/reftask/examples/userprofile/lookups"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/sqlsource"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

const schema = `
CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	name          TEXT NOT NULL,
	email_address TEXT,
	plan          TEXT NOT NULL,
	created_at    TEXT NOT NULL,
	login_count   INTEGER,
	city          TEXT,
	country       TEXT
);
INSERT INTO users VALUES
	('user_1', 'Ada Lovelace', 'ada@example.com', 'pro', '2024-01-02T03:04:05Z', 42, 'London', 'GB'),
	('user_2', 'Alan Turing', NULL, 'free', '2024-02-03T04:05:06Z', NULL, NULL, NULL),
	('user_3', 'Grace Hopper', 'grace@example.com', 'pro', '2024-03-04T05:06:07Z', 7, 'Arlington', 'US');
`

func run(ctx context.Context, w io.Writer) error {
	dir, err := os.MkdirTemp("", "reftask-userprofile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, "users.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("seeding the database: %w", err)
	}

	var hits, sourceCalls atomic.Int64
	exec, err := runtime.New(
		runtime.WithSource(sqlsource.Bind("users", db, sqlsource.SQLite)),
		runtime.WithHooks(runtime.Hooks{
			OnHit:        func(context.Context, runtime.Event) { hits.Add(1) },
			OnSourceCall: func(context.Context, runtime.Event) { sourceCalls.Add(1) },
		}),
	)
	if err != nil {
		return err
	}
	defer exec.Close()
	c := lookups.NewClient(exec)

	// 1. A user that exists.
	u, err := c.GetUserProfile(ctx, "user_1")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "found:      %s <%s>, plan %s, since %s, in %s\n", u.Name, deref(u.Email), u.Plan, u.CreatedAt.Format("2006-01-02"), u.Address.City)

	// 2. The same user again: served from the cache, the database is not asked.
	before := sourceCalls.Load()
	if _, err := c.GetUserProfile(ctx, "user_1"); err != nil {
		return err
	}
	fmt.Fprintf(w, "cache hit:  user_1 again, cache hits %d, database queries for it %d\n", hits.Load(), sourceCalls.Load()-before)

	// 3. A user that does not exist.
	_, err = c.GetUserProfile(ctx, "user_999")
	fmt.Fprintf(w, "not found:  user_999 -> errors.Is(err, runtime.ErrNotFound) = %v\n", errors.Is(err, runtime.ErrNotFound))

	// 4. A parameter the spec rejects, before the database is touched.
	_, err = c.GetUserProfile(ctx, "bob")
	var ve *runtime.ValidationError
	fmt.Fprintf(w, "rejected:   %q -> %v (validation error: %v)\n", "bob", err, errors.As(err, &ve))

	// 5. A list, with an optional parameter.
	limit := int64(10)
	pros, err := c.GetUsersByPlan(ctx, lookups.PlanPro, &lookups.UsersByPlanOptions{Limit: &limit})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "list:       %d users on the pro plan:", len(*pros))
	for _, s := range *pros {
		fmt.Fprintf(w, " %s", s.Name)
	}
	fmt.Fprintln(w)

	// 6. Asynchronously, and by name with JSON params.
	f := c.GetUserProfileAsync(ctx, "user_3")
	byName, err := c.Execute(ctx, "UserProfile", []byte(`{"user_id":"user_2"}`))
	if err != nil {
		return err
	}
	grace, err := f.Await(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "async:      %s; by name: %s (email set: %v)\n", grace.Name, byName.(*lookups.UserProfile).Name, byName.(*lookups.UserProfile).Email != nil)

	// 7. The database goes away: the spec's fallback task answers instead.
	c.InvalidateUserProfile("user_1")
	db.Close()
	u, err = c.GetUserProfile(ctx, "user_1")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "fallback:   database closed, user_1 -> %s\n", u.Name)
	return nil
}

func deref(s *string) string {
	if s == nil {
		return "no email"
	}
	return *s
}
