package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestExample(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"found:      Ada Lovelace <ada@example.com>, plan pro",
		"cache hit:  user_1 again, cache hits 1, database queries for it 0",
		"not found:  user_999 -> errors.Is(err, runtime.ErrNotFound) = true",
		"(validation error: true)",
		"list:       2 users on the pro plan: Grace Hopper Ada Lovelace",
		"async:      Grace Hopper; by name: Alan Turing (email set: false)",
		"fallback:   database closed, user_1 -> Ada Lovelace (directory copy)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
