package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/reftask/reftask/schema"
)

func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.LoadURL = func(s string) (io.ReadCloser, error) { return nil, errors.New("offline: " + s) }
	if err := c.AddResource(schema.ID, bytes.NewReader(schema.JSON())); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schema.ID)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func TestKinds(t *testing.T) {
	if got, want := Kinds(), []string{"go", "sql"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Kinds() = %v, want %v", got, want)
	}
}

func TestRenderValid(t *testing.T) {
	sch := compile(t)
	for _, kind := range Kinds() {
		for _, name := range []string{"GetUser", "UserProfile", "HTTPStatus", "A", "Order2Item", "Get"} {
			out, err := Render(kind, name)
			if err != nil {
				t.Fatalf("Render(%q, %q): %v", kind, name, err)
			}
			dec := json.NewDecoder(bytes.NewReader(out))
			dec.UseNumber()
			var doc any
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("Render(%q, %q): invalid JSON: %v\n%s", kind, name, err, out)
			}
			if err := sch.Validate(doc); err != nil {
				t.Errorf("Render(%q, %q): %#v\n%s", kind, name, err, out)
			}
			if bytes.Contains(out, []byte("{{")) {
				t.Errorf("Render(%q, %q): unexpanded placeholder:\n%s", kind, name, out)
			}
		}
	}
}

func TestRenderContent(t *testing.T) {
	type spec struct {
		Schema      string `json:"$schema"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Params      struct {
			Type       string                     `json:"type"`
			Properties map[string]json.RawMessage `json:"properties"`
			Required   []string                   `json:"required"`
		} `json:"params"`
		Result struct {
			Type       string `json:"type"`
			Properties map[string]struct {
				Type   string `json:"type"`
				Format string `json:"format"`
			} `json:"properties"`
		} `json:"result"`
		Source struct {
			SQL *struct{ Connection, Query string } `json:"sql"`
			Go  *struct {
				Func string `json:"func"`
			} `json:"go"`
		} `json:"source"`
		Cache   struct{ TTL string }   `json:"cache"`
		Retry   struct{ Attempts int } `json:"retry"`
		Timeout string                 `json:"timeout"`
	}
	for _, kind := range []string{"sql", "go"} {
		out, err := Render(kind, "GetUserProfile")
		if err != nil {
			t.Fatal(err)
		}
		var s spec
		if err := json.Unmarshal(out, &s); err != nil {
			t.Fatal(err)
		}
		if s.Schema != schema.ID || s.Name != "GetUserProfile" || s.Cache.TTL != "5m" || s.Retry.Attempts != 3 || s.Timeout != "2s" {
			t.Errorf("%s: header fields: %+v", kind, s)
		}
		if s.Description != "GetUserProfile looks up a user profile by id." {
			t.Errorf("%s: description %q", kind, s.Description)
		}
		if s.Params.Type != "object" || s.Params.Properties["id"] == nil || !reflect.DeepEqual(s.Params.Required, []string{"id"}) {
			t.Errorf("%s: params %+v", kind, s.Params)
		}
		p := s.Result.Properties
		if s.Result.Type != "object" || p["id"].Type != "string" || p["name"].Type != "string" ||
			p["created_at"].Type != "string" || p["created_at"].Format != "date-time" {
			t.Errorf("%s: result %+v", kind, s.Result)
		}
		switch kind {
		case "sql":
			if s.Source.SQL == nil || s.Source.Go != nil || s.Source.SQL.Connection != "main" ||
				s.Source.SQL.Query != "SELECT id, name, created_at FROM user_profile WHERE id = :id" {
				t.Errorf("sql source: %+v", s.Source.SQL)
			}
		case "go":
			if s.Source.Go == nil || s.Source.SQL != nil || s.Source.Go.Func != "FindGetUserProfile" {
				t.Errorf("go source: %+v", s.Source.Go)
			}
		}
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct{ kind, name, want string }{
		{"http", "GetUser", `unknown kind "http" (want one of: go, sql)`},
		{"", "GetUser", `unknown kind ""`},
		{"SQL", "GetUser", "unknown kind"},
		{"sql.task.json", "GetUser", "unknown kind"},
		{"sql", "getUser", "not a PascalCase"},
		{"sql", "", "not a PascalCase"},
		{"sql", "Get_User", "not a PascalCase"},
		{"go", "Get User", "not a PascalCase"},
		{"go", "Ünïcode", "not a PascalCase"},
		{"go", `X"`, "not a PascalCase"},
		{"go", "1User", "not a PascalCase"},
	}
	for _, tt := range tests {
		out, err := Render(tt.kind, tt.name)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Render(%q, %q) = %q, %v; want error containing %q", tt.kind, tt.name, out, err, tt.want)
		}
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{
		"GetUser":        "get_user",
		"A":              "a",
		"HTTPServer":     "http_server",
		"UserID":         "user_id",
		"UserIDs":        "user_ids",
		"Order2Item":     "order2_item",
		"GetUserProfile": "get_user_profile",
		"ABC":            "abc",
		"getURL":         "get_url",
		"URLsFor":        "urls_for",
		"IsValid":        "is_valid",
		"OAuth2Token":    "o_auth2_token",
	} {
		if got := Snake(in); got != want {
			t.Errorf("Snake(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTrimVerb(t *testing.T) {
	for in, want := range map[string]string{
		"GetUser":      "User",
		"FindOrder":    "Order",
		"LookupCity":   "City",
		"Getter":       "Getter",
		"Get":          "Get",
		"UserProfile":  "UserProfile",
		"ListProducts": "Products",
	} {
		if got := trimVerb(in); got != want {
			t.Errorf("trimVerb(%q) = %q, want %q", in, got, want)
		}
	}
}
