package names

import "testing"

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
