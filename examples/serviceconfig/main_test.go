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
		"payment_gateway: https://payments.internal.example, timeout 1500ms, enabled true, owner team-payments",
		"email_sender:    https://mail.internal.example, timeout 3000ms, enabled false, owner (nobody)",
		"search:          not configured (not found: true)",
		"after the edit:  payment_gateway timeout 2500ms",
		"broken edit:     still timeout 2500ms; health: true",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
