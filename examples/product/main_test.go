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
		`lookup:     ABC-123 "Cordless drill" 89.90 EUR, in stock true`,
		"cache hit:  ABC-123 again, API requests 0",
		`retry:      the API answered 503 once; after 1 retry: "Gartenschlauch", in stock false`,
		"not found:  NOP-000 -> errors.Is(err, runtime.ErrNotFound) = true",
		"validation error true",
		`fallback:   API down, DEF-456 -> "Temporarily unavailable"`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
