package httpsrc

import (
	"encoding/json"
	"testing"
)

func TestSecretHeader(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"Authorization", true},
		{"proxy-authorization", true},
		{"Cookie", true},
		{"X-Api-Key", true},
		{"X-Auth-Token", true},
		{"Client-Secret", true},
		{"KEYRING", true},
		{"Accept", false},
		{"Content-Type", false},
		{"X-Request-Id", false},
	} {
		if got := secretHeader(tc.name); got != tc.want {
			t.Errorf("secretHeader(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestEnvName(t *testing.T) {
	for _, tc := range []struct{ conn, header, want string }{
		{"catalog", "X-Api-Key", "CATALOG_X_API_KEY"},
		{"billing-api", "Authorization", "BILLING_API_AUTHORIZATION"},
		{"a b", "c d", "A_B_C_D"},
	} {
		if got := envName(tc.conn, tc.header); got != tc.want {
			t.Errorf("envName(%q, %q) = %q, want %q", tc.conn, tc.header, got, tc.want)
		}
	}
}

// TestSchemaFragment checks that the fragment is an object schema that requires what Model reads first.
func TestSchemaFragment(t *testing.T) {
	var frag struct {
		Type       string                     `json:"type"`
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(Kind{}.Schema(), &frag); err != nil {
		t.Fatal(err)
	}
	if frag.Type != "object" || len(frag.Required) != 2 || frag.Required[0] != "connection" || frag.Required[1] != "path" {
		t.Errorf("fragment: type %q, required %v; want an object requiring connection and path", frag.Type, frag.Required)
	}
	for _, k := range []string{"connection", "method", "path", "query", "headers", "body", "pointer", "not_found", "batch"} {
		if _, ok := frag.Properties[k]; !ok {
			t.Errorf("fragment has no property %q, which spec reads", k)
		}
	}
}
