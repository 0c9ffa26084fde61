package runtime

import (
	"database/sql/driver"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/reftask/reftask/internal/format"
)

// formatRoundTrips are valid values of every typed format; each round-trips
// through its Go type to want (the input when want is empty). internal/format
// tests which texts are valid.
var formatRoundTrips = []struct {
	format, in, want string
}{
	{"date", "2024-02-29", ""},
	{"date", "0001-01-01", ""},
	{"time", "13:45:00Z", ""},
	{"time", "08:30:15.250+02:00", "08:30:15.25+02:00"},
	{"time", "23:59:60Z", ""},
	{"time", "01:59:60+02:00", ""},
	{"time", "00:00:00z", "00:00:00Z"},
	{"duration", "P1Y2M3DT4H5M6S", ""},
	{"duration", "PT90M", ""},
	{"duration", "P2W", ""},
	{"duration", "P0D", ""},
	{"uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d16380", ""},
	{"uuid", "2EB8AA08-AA98-11EA-B4AA-73B441D16380", "2eb8aa08-aa98-11ea-b4aa-73b441d16380"},
	{"email", "joe.bloggs@example.com", ""},
	{"email", `"joe bloggs"@example.com`, ""},
	{"email", "joe@localhost", ""},
	{"uri", "https://example.com/a?b=c#d", ""},
	{"uri", "urn:isbn:0451450523", ""},
	{"uri", "mailto:joe@example.com", ""},
	{"uri", "http://[2001:db8::1]:80/%20x", ""},
	{"ipv4", "192.168.0.1", ""},
	{"ipv4", "0.0.0.0", ""},
	{"ipv6", "::1", ""},
	{"ipv6", "2001:DB8::1", "2001:db8::1"},
	{"ipv6", "::ffff:1.2.3.4", ""},
}

func TestFormatsParse(t *testing.T) {
	for _, tc := range formatRoundTrips {
		t.Run(tc.format+"/"+tc.in, func(t *testing.T) {
			if err := format.Check(tc.format, tc.in); err != nil {
				t.Fatalf("format.Check(%q, %q) = %v", tc.format, tc.in, err)
			}
			v := newFormatValue(tc.format)
			data, _ := json.Marshal(tc.in)
			if err := json.Unmarshal(data, v); err != nil {
				t.Fatalf("UnmarshalJSON: %v", err)
			}
			out, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("MarshalJSON: %v", err)
			}
			want := tc.want
			if want == "" {
				want = tc.in
			}
			wantJSON, _ := json.Marshal(want)
			if string(out) != string(wantJSON) {
				t.Errorf("round trip: %s, want %s", out, wantJSON)
			}
			if dv, ok := v.(driver.Valuer); ok {
				sv, err := dv.Value()
				if err != nil || sv != want {
					t.Errorf("Value() = %v, %v; want %q", sv, err, want)
				}
			}
		})
	}
}

func newFormatValue(format string) any {
	switch format {
	case "date":
		return new(Date)
	case "time":
		return new(TimeOfDay)
	case "duration":
		return new(Duration)
	case "uuid":
		return new(UUID)
	case "email":
		return new(Email)
	case "uri":
		return new(URI)
	case "ipv4", "ipv6":
		return new(netip.Addr)
	}
	return nil
}

func TestFormatsUnmarshalRejects(t *testing.T) {
	tests := []struct {
		name string
		dst  any
		in   string
		want string
	}{
		{"date", new(Date), `"2024-02-30"`, `invalid date "2024-02-30": day out of range`},
		{"date number", new(Date), `20240230`, "cannot unmarshal number"},
		{"time", new(TimeOfDay), `"25:00:00Z"`, `invalid time "25:00:00Z"`},
		{"duration", new(Duration), `"P1H"`, `invalid duration "P1H"`},
		{"uuid", new(UUID), `"x"`, `invalid uuid "x"`},
		{"email", new(Email), `"a"`, `invalid email "a"`},
		{"uri", new(URI), `"a"`, `invalid uri "a": not absolute`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := json.Unmarshal([]byte(tt.in), tt.dst)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestFormatsZeroValuesDoNotMarshal(t *testing.T) {
	for _, v := range []any{Duration{}, Email{}, URI{}} {
		if _, err := json.Marshal(v); err == nil {
			t.Errorf("%T{} marshalled; a zero value is not a valid %T", v, v)
		}
	}
}

func TestDurationParts(t *testing.T) {
	tests := []struct {
		in     string
		parts  DurationParts
		std    time.Duration
		stdOK  bool
		canon  string
		canonE bool
	}{
		{"P1Y2M3DT4H5M6S", DurationParts{1, 2, 0, 3, 4, 5, 6}, 0, false, "P1Y2M3DT4H5M6S", false},
		{"PT90M", DurationParts{Minutes: 90}, 90 * time.Minute, true, "PT90M", false},
		{"P2W", DurationParts{Weeks: 2}, 14 * 24 * time.Hour, true, "P2W", false},
		{"P1DT2H", DurationParts{Days: 1, Hours: 2}, 26 * time.Hour, true, "P1DT2H", false},
		{"PT0S", DurationParts{}, 0, true, "PT0S", false},
		{"P1Y0M0D", DurationParts{Years: 1}, 0, false, "P1Y", false},
		{"PT1H0M2S", DurationParts{Hours: 1, Seconds: 2}, time.Hour + 2*time.Second, true, "PT1H0M2S", false},
		{"PT9223372036854775807S", DurationParts{Seconds: 1<<63 - 1}, 0, false, "PT9223372036854775807S", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDuration(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if d.Parts() != tt.parts {
				t.Errorf("Parts() = %+v, want %+v", d.Parts(), tt.parts)
			}
			std, ok := d.TimeDuration()
			if ok != tt.stdOK || std != tt.std {
				t.Errorf("TimeDuration() = %v, %v; want %v, %v", std, ok, tt.std, tt.stdOK)
			}
			if d.String() != tt.in {
				t.Errorf("String() = %q, want the text as parsed", d.String())
			}
			c, err := DurationOf(tt.parts)
			if err != nil || c.String() != tt.canon {
				t.Errorf("DurationOf = %q, %v; want %q", c, err, tt.canon)
			}
			if back, err := ParseDuration(c.String()); err != nil || back.Parts() != tt.parts {
				t.Errorf("DurationOf text %q does not parse back: %v", c, err)
			}
		})
	}
	if _, err := DurationOf(DurationParts{Days: -1}); err == nil {
		t.Error("DurationOf accepted a negative component")
	}
	if d, _ := DurationOf(DurationParts{Weeks: 1, Days: 1}); d.String() != "P8D" {
		t.Errorf("weeks with days = %q, want P8D", d)
	}
}

func TestDateAndTimeOfDayHelpers(t *testing.T) {
	loc := time.FixedZone("x", -5*3600)
	at := time.Date(2024, 3, 1, 23, 30, 0, 5, loc)
	if got := DateOf(at); got != (Date{2024, 3, 1}) {
		t.Errorf("DateOf = %v, want the date in the time's own zone", got)
	}
	if got := DateOf(at).In(time.UTC); !got.Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("In = %v", got)
	}
	tod := TimeOfDayOf(at)
	if tod.String() != "23:30:00.000000005-05:00" {
		t.Errorf("TimeOfDayOf = %s", tod)
	}
	if !tod.On(DateOf(at)).Equal(at) {
		t.Errorf("On = %v, want %v", tod.On(DateOf(at)), at)
	}
	if !(Date{}).IsZero() || (Date{2024, 1, 1}).IsZero() {
		t.Error("IsZero")
	}
	u, _ := ParseURI("https://example.com/x?y=1")
	if u.URL().Host != "example.com" {
		t.Errorf("URL().Host = %q", u.URL().Host)
	}
	u.URL().Host = "changed"
	if u.URL().Host != "example.com" {
		t.Error("URL() shares its result between calls")
	}
	e, _ := ParseEmail("joe@example.com")
	if e.Local() != "joe" || e.Domain() != "example.com" {
		t.Errorf("Local, Domain = %q, %q", e.Local(), e.Domain())
	}
}
