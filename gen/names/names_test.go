package names

import (
	"go/token"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/quick"
	"unicode"
)

func TestExported(t *testing.T) {
	tests := []struct{ in, want string }{
		{"user_id", "UserID"},
		{"userId", "UserID"},
		{"id", "ID"},
		{"created_at", "CreatedAt"},
		{"HTTPServer", "HTTPServer"},
		{"api-key", "APIKey"},
		{"sku", "SKU"},
		{"2fa", "X2fa"},
		{"", "X"},
		{"user_profile", "UserProfile"},
		{"ids", "IDs"},
		{"product_urls", "ProductURLs"},
		{"skus", "SKUs"},
	}
	for _, tt := range tests {
		if got := Exported(tt.in); got != tt.want {
			t.Errorf("Exported(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUnexported(t *testing.T) {
	tests := []struct{ in, want string }{
		{"user_id", "userID"},
		{"id", "id"},
		{"type", "type_"},
		{"sku", "sku"},
		{"page_size", "pageSize"},
		{"ctx", "ctx_"},
	}
	for _, tt := range tests {
		if got := Unexported(tt.in); got != tt.want {
			t.Errorf("Unexported(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestIdentifiersAlwaysValid checks, over awkward and random names, that
// Exported gives a valid exported identifier and Unexported a valid
// identifier that is no keyword: a field or parameter is never lost to an
// unexported or invalid name.
func TestIdentifiersAlwaysValid(t *testing.T) {
	check := func(s string) bool {
		ex, un := Exported(s), Unexported(s)
		if !IsExportedIdent(ex) {
			t.Errorf("Exported(%q) = %q, not an exported identifier", s, ex)
			return false
		}
		if !token.IsIdentifier(un) || token.IsKeyword(un) {
			t.Errorf("Unexported(%q) = %q, not an identifier", s, un)
			return false
		}
		return true
	}
	for _, s := range []string{"", "-", "_", "a,b", "q\"x", "b`x", "bs\\x", "ünï", "名前", "ßtraße", "ǅemal",
		"٣٤", "e\u0301", "😀", "\x00", "\xff", "type", "func", "Validate", "a b", "_x", "__", "1", "X", "ĳ", "ᾈ"} {
		check(s)
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 5000}); err != nil {
		t.Error(err)
	}
	// Random runes from every plane, not only the ones quick favours.
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var b strings.Builder
		for range 1 + rnd.IntN(6) {
			b.WriteRune(rune(rnd.IntN(unicode.MaxRune + 1)))
		}
		check(b.String())
	}
}
