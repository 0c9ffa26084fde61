// Package templates holds the starter task specs written by
// `reftaskgen init <kind> NAME`.
//
// Each template is a *.task.json file embedded in the binary; it is valid
// JSON with text/template placeholders inside strings:
//
//	{{.Name}}  the task name as given (PascalCase), e.g. GetUserProfile
//	{{.Snake}} the task name in snake_case, e.g. get_user_profile
//	{{.Table}} snake_case name with a leading verb (Get, Find, Fetch, Load,
//	           Lookup, List, Read) removed, e.g. user_profile: a table hint
//	{{.Noun}}  Table with spaces instead of underscores, e.g. "user profile",
//	           for prose
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"unicode"
)

//go:embed *.task.json
var files embed.FS

var tmpl = template.Must(template.New("").Option("missingkey=error").ParseFS(files, "*.task.json"))

// Kinds lists the template kinds Render accepts, sorted.
func Kinds() []string {
	var kinds []string
	for _, t := range tmpl.Templates() {
		if k, ok := strings.CutSuffix(t.Name(), ".task.json"); ok {
			kinds = append(kinds, k)
		}
	}
	slices.Sort(kinds)
	return kinds
}

var nameRE = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)

// Render returns the starter spec of the given kind ("sql" or "go"; see
// [Kinds]) for a task called name, which must be a PascalCase Go identifier
// (^[A-Z][A-Za-z0-9]*$, the schema's rule for task names). The result is
// valid against the task spec schema (package schema).
func Render(kind, name string) ([]byte, error) {
	t := tmpl.Lookup(kind + ".task.json")
	if t == nil {
		return nil, fmt.Errorf("templates: unknown kind %q (want one of: %s)", kind, strings.Join(Kinds(), ", "))
	}
	if !nameRE.MatchString(name) {
		return nil, fmt.Errorf("templates: task name %q is not a PascalCase Go identifier (like GetUser): it must start with an upper-case ASCII letter followed by ASCII letters and digits", name)
	}
	table := Snake(trimVerb(name))
	data := struct{ Name, Snake, Table, Noun string }{
		Name:  name,
		Snake: Snake(name),
		Table: table,
		Noun:  strings.ReplaceAll(table, "_", " "),
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("templates: %s: %w", kind, err)
	}
	return buf.Bytes(), nil
}

var verbs = []string{"Get", "Find", "Fetch", "Load", "Lookup", "List", "Read"}

// trimVerb removes a leading verb from a PascalCase name when a word
// remains: GetUser -> User, Getter -> Getter, Get -> Get.
func trimVerb(name string) string {
	for _, v := range verbs {
		if rest, ok := strings.CutPrefix(name, v); ok && rest != "" && unicode.IsUpper(rune(rest[0])) {
			return rest
		}
	}
	return name
}

// Snake converts a PascalCase (or camelCase) identifier to snake_case,
// keeping acronyms together: GetUser -> get_user, HTTPServer -> http_server,
// UserID -> user_id, UserIDs -> user_ids, OAuth2Token -> o_auth2_token.
func Snake(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) {
			if i > 0 {
				prev := r[i-1]
				nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
				if nextLower && r[i+1] == 's' && (i+2 == len(r) || !unicode.IsLower(r[i+2])) {
					nextLower = false // plural acronym: UserIDs -> user_ids
				}
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToLower(c))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
