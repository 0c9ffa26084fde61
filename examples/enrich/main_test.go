package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestExample(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, options{dir: t.TempDir(), records: 5000, workers: 64}); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []string{"unknown sku", "malformed sku", "unknown user", "quantity not positive", "records/s, cache hit ratio"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	m := regexp.MustCompile(`(\d+) source round trips for (\d+) lookups`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no round-trip line:\n%s", s)
	}
	trips, _ := strconv.Atoi(m[1])
	lookups, _ := strconv.Atoi(m[2])
	if lookups < 9800 || lookups > 10000 || trips == 0 || trips > lookups/10 {
		t.Errorf("%d round trips for %d lookups: batching did not cut round trips tenfold", trips, lookups)
	}
}
