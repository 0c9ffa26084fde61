package gen_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A cache hit answers what the miss answered (issue 11, class 1): a result date-time that the source wrote with
// an offset comes back from the cache in that offset, so the result prints and marshals as on the miss. The task
// Guarded of testdata/golden/paramkeys returns an "at" date-time; each code asks for another text of it.
func TestHitAnswersAsMiss(t *testing.T) {
	t.Setenv("RT_GUARD_KEY", guardKey)
	t.Setenv("RT_GUARD_TRACE", guardTrace)
	rng := rand.New(rand.NewPCG(12, 1))
	texts := []string{"2024-01-01T00:00:00Z", "2024-01-01T01:00:00+01:00", "2024-01-01T05:45:00+05:45", "2023-12-31T23:30:00-00:30",
		"2024-01-01T00:00:00.5+00:00", "2024-01-01T00:00:00.123456789-12:00", "2024-06-30T14:00:00+14:00"}
	for range 40 {
		off := (rng.IntN(28*4) - 14*4) * 15 * 60
		tm := time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).In(time.FixedZone("", off))
		texts = append(texts, tm.Format(time.RFC3339Nano))
	}
	code := func(i int) string { return strings.Repeat("a", i/26+1) + string(rune('a'+i%26)) }
	byCode := map[string]string{}
	for i, s := range texts {
		byCode[code(i)] = s
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		at := byCode[strings.TrimPrefix(r.URL.Path, "/g/")]
		_, _ = fmt.Fprintf(w, `{"name":"x","at":%q}`, at)
	}))
	t.Cleanup(srv.Close)
	c, _, _ := guardedClient(t, srv)
	ctx := context.Background()
	for i, text := range texts {
		miss, err := c.GetGuarded(ctx, code(i), nil)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		wantJSON, _ := json.Marshal(miss)
		for hit := range 3 {
			got, err := c.GetGuarded(ctx, code(i), nil)
			if err != nil {
				t.Fatalf("%s: hit %d: %v", text, hit, err)
			}
			gotJSON, _ := json.Marshal(got)
			if string(gotJSON) != string(wantJSON) || got.At.String() != miss.At.String() || !got.At.Equal(*miss.At) {
				t.Errorf("%s: hit %d answered %s (%v), the miss %s (%v)", text, hit, gotJSON, got.At, wantJSON, miss.At)
			}
		}
		// A converted date-time is in UTC (kit.AsTime); a Go source's keeps its zone (runtime TestTaskHitKeepsZone).
		if want := mustParseTime(t, text); !miss.At.Equal(want) {
			t.Errorf("%s: the miss itself read %v", text, miss.At)
		}
	}
}

func mustParseTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
