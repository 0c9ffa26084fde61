package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// runtimeOnly are the module paths that belong to the runtime and its sources; the generator must build without
// any of them, so that installing reftaskgen does not pull in a cache, a retry library, a YAML parser or a SQL
// driver.
var runtimeOnly = []string{
	"github.com/reftask/reftask/runtime",
	"github.com/allegro/bigcache",
	"github.com/avast/retry-go",
	"go.yaml.in/yaml",
	"modernc.org/sqlite",
	"github.com/jackc/pgx",
	"github.com/go-sql-driver/mysql",
}

// runtimeOnlyDeps returns the packages of deps that belong to a path of runtimeOnly.
func runtimeOnlyDeps(deps []string) []string {
	var bad []string
	for _, d := range deps {
		for _, p := range runtimeOnly {
			if d == p || strings.HasPrefix(d, p+"/") {
				bad = append(bad, d)
				break
			}
		}
	}
	return bad
}

// goListDeps lists the packages that the named packages import, directly or not, as `go list -deps` does.
func goListDeps(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-deps"}, args...)...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list -deps %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v", strings.Join(args, " "), err)
	}
	return strings.Fields(string(out))
}

// TestGeneratorStandsAlone pins issue 12 item 7: the generator shares format checks and exact numbers with the
// runtime through internal leaves, and imports neither the runtime nor its dependencies.
func TestGeneratorStandsAlone(t *testing.T) {
	deps := goListDeps(t, ".")
	if !slices.Contains(deps, "github.com/reftask/reftask/gen") {
		t.Fatalf("go list -deps . does not list the generator; got %d packages", len(deps))
	}
	if bad := runtimeOnlyDeps(deps); len(bad) > 0 {
		t.Errorf("reftaskgen depends on runtime packages:\n\t%s\nshare the code through an internal leaf instead", strings.Join(bad, "\n\t"))
	}
	// The check itself must see these packages where they are: the runtime, its source kinds and their tests
	// import most of them (the SQL kind's tests the SQLite driver).
	runtimeDeps := goListDeps(t, "-test", "../../runtime/...")
	found := runtimeOnlyDeps(runtimeDeps)
	for _, p := range []string{"github.com/reftask/reftask/runtime", "github.com/allegro/bigcache/v3", "github.com/avast/retry-go/v4", "go.yaml.in/yaml/v3", "modernc.org/sqlite"} {
		if !slices.Contains(found, p) {
			t.Errorf("runtimeOnlyDeps missed %s in the runtime's own dependencies", p)
		}
	}
}
