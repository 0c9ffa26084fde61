package format

import (
	"errors"
	"strings"
	"testing"
)

// checkCases are valid and invalid values of every format Check knows, and one it does not.
var checkCases = []struct {
	format, in string
	ok         bool
}{
	{"date", "2024-02-29", true},
	{"date", "0001-01-01", true},
	{"date", "2023-02-29", false},
	{"date", "2024-13-01", false},
	{"date", "2024-1-01", false},
	{"date", "2024-01-01T00:00:00Z", false},
	{"date", "２024-01-01", false},
	{"time", "13:45:00Z", true},
	{"time", "08:30:15.250+02:00", true},
	{"time", "23:59:60Z", true},
	{"time", "01:59:60+02:00", true},
	{"time", "00:00:00z", true},
	{"time", "12:00:60Z", false},
	{"time", "13:45:00", false},
	{"time", "24:00:00Z", false},
	{"time", "13:45:00+24:00", false},
	{"time", "13:45:00.Z", false},
	{"duration", "P1Y2M3DT4H5M6S", true},
	{"duration", "PT90M", true},
	{"duration", "P2W", true},
	{"duration", "P0D", true},
	{"duration", "P1Y2D", false},
	{"duration", "P1D2Y", false},
	{"duration", "PT1H2S", false},
	{"duration", "P", false},
	{"duration", "PT", false},
	{"duration", "P1DT", false},
	{"duration", "P1W1D", false},
	{"duration", "PT0.5S", false},
	{"duration", "1D", false},
	{"uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d16380", true},
	{"uuid", "2EB8AA08-AA98-11EA-B4AA-73B441D16380", true},
	{"uuid", "2eb8aa08aa9811eab4aa73b441d16380", false},
	{"uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d1638g", false},
	{"uuid", "{2eb8aa08-aa98-11ea-b4aa-73b441d16380}", false},
	{"email", "joe.bloggs@example.com", true},
	{"email", `"joe bloggs"@example.com`, true},
	{"email", "joe@localhost", true},
	{"email", "Joe <joe@example.com>", false},
	{"email", "<joe@example.com>", false},
	{"email", "joe@example.com (Joe)", false},
	{"email", "joe.example.com", false},
	{"email", "joe..bloggs@example.com", false},
	{"uri", "https://example.com/a?b=c#d", true},
	{"uri", "urn:isbn:0451450523", true},
	{"uri", "mailto:joe@example.com", true},
	{"uri", "http://[2001:db8::1]:80/%20x", true},
	{"uri", "/relative/path", false},
	{"uri", "http://example.com/a b", false},
	{"uri", "http://example.com/%zz", false},
	{"uri", "http://exa\\mple.com", false},
	{"ipv4", "192.168.0.1", true},
	{"ipv4", "0.0.0.0", true},
	{"ipv4", "256.0.0.1", false},
	{"ipv4", "01.2.3.4", false},
	{"ipv4", "::1", false},
	{"ipv4", "::ffff:1.2.3.4", false},
	{"ipv4", "1.2.3", false},
	{"ipv6", "::1", true},
	{"ipv6", "2001:DB8::1", true},
	{"ipv6", "::ffff:1.2.3.4", true},
	{"ipv6", "1.2.3.4", false},
	{"ipv6", "fe80::1%eth0", false},
	{"ipv6", "12345::", false},
	{"date-time", "2024-01-02T03:04:05Z", true},
	{"date-time", "2024-01-02", false},
	{"hostname", "anything at all", true},
}

func TestFormatCheck(t *testing.T) {
	for _, tc := range checkCases {
		t.Run(tc.format+"/"+tc.in, func(t *testing.T) {
			err := Check(tc.format, tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("Check(%q, %q) = %v, want ok %v", tc.format, tc.in, err, tc.ok)
			}
			if err == nil {
				return
			}
			var fe *Error
			if !errors.As(err, &fe) || fe.Format != tc.format || fe.Value != tc.in || fe.Unwrap() == nil {
				t.Fatalf("error %v is not an *Error naming %s, the value and a reason", err, tc.format)
			}
			if !strings.Contains(err.Error(), tc.format) || !strings.Contains(err.Error(), tc.in[:min(len(tc.in), 10)]) {
				t.Errorf("message %q does not name the format and the value", err)
			}
		})
	}
}
