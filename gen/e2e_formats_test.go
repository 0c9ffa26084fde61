package gen_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reftask/reftask/internal/testdb"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/filesource"
	"github.com/reftask/reftask/runtime/source/httpsource"
	"github.com/reftask/reftask/runtime/source/sqlsource"
	"github.com/reftask/reftask/testdata/golden/formats"
)

// The format tests run the code generated for testdata/golden/formats
// against real databases, an HTTP server and a file: every typed format
// is converted from what each source gives, bound as a SQL argument,
// rendered into a URL, validated and served again from the cache.

var formatsDDL = map[sqlsource.Dialect][]string{
	sqlsource.SQLite: {
		`CREATE TABLE events (id TEXT, day TEXT, starts TEXT, length TEXT, organizer TEXT, link TEXT, v4 TEXT, v6 TEXT, at TEXT, ends TEXT, holidays TEXT, owners TEXT)`,
		`CREATE TABLE holidays (country TEXT, day TEXT)`,
		`CREATE TABLE hosts (addr TEXT, seen TEXT)`,
	},
	sqlsource.Postgres: {
		`CREATE TABLE events (id uuid, day date, starts time, length text, organizer text, link text, v4 inet, v6 text, at timestamptz, ends text, holidays jsonb, owners jsonb)`,
		`CREATE TABLE holidays (country text, day date)`,
		`CREATE TABLE hosts (addr text, seen timestamptz)`,
	},
	sqlsource.MySQL: {
		`CREATE TABLE events (id CHAR(36), day DATE, starts TIME, length TEXT, organizer TEXT, link TEXT, v4 TEXT, v6 TEXT, at DATETIME, ends TEXT, holidays JSON, owners JSON)`,
		`CREATE TABLE holidays (country TEXT, day DATE)`,
		`CREATE TABLE hosts (addr TEXT, seen DATETIME)`,
	},
}

const eventID = "2eb8aa08-aa98-11ea-b4aa-73b441d16380"

func seedFormats(t *testing.T, db *sql.DB, d sqlsource.Dialect) {
	t.Helper()
	ctx := context.Background()
	for _, ddl := range formatsDDL[d] {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			t.Fatal(err)
		}
	}
	ph := func(n int) string {
		var out []string
		for i := 1; i <= n; i++ {
			if d == sqlsource.Postgres {
				out = append(out, "$"+string(rune('0'+i/10))+string(rune('0'+i%10)))
			} else {
				out = append(out, "?")
			}
		}
		return strings.ReplaceAll(strings.Join(out, ","), "$0", "$")
	}
	var at any = time.Date(2024, 5, 6, 9, 30, 0, 0, time.UTC)
	if d == sqlsource.SQLite {
		at = "2024-05-06T09:30:00Z"
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec("INSERT INTO events VALUES ("+ph(12)+")", eventID, "2024-05-06", "09:30:00", "PT1H30M", "joe@example.com",
		"https://example.com/e/1", "10.0.0.1", "2001:db8::1", at, nil, `["2024-12-25","2024-12-26"]`, `{"joe":"`+eventID+`"}`)
	exec("INSERT INTO events VALUES ("+ph(12)+")", "00000000-0000-0000-0000-0000000000ff", "2024-05-06", "09:30:00", "1 hour",
		"joe@example.com", "https://example.com/e/2", "10.0.0.1", "2001:db8::1", at, nil, nil, nil)
	exec("INSERT INTO holidays VALUES ("+ph(2)+")", "fr", "2024-07-14")
	exec("INSERT INTO holidays VALUES ("+ph(2)+")", "fr", "2024-12-25")
	exec("INSERT INTO hosts VALUES ("+ph(2)+")", "2001:db8::2", at)
}

func TestE2EFormatsSQL(t *testing.T) {
	dbs := []struct {
		name    string
		dialect sqlsource.Dialect
		open    func(testing.TB) *sql.DB
	}{
		{"sqlite", sqlsource.SQLite, testdb.SQLite},
		{"postgres", sqlsource.Postgres, testdb.Postgres},
		{"mysql", sqlsource.MySQL, testdb.MySQL},
	}
	for _, d := range dbs {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			seedFormats(t, db, d.dialect)
			var cnt counters
			x, err := runtime.New(runtime.WithSource(sqlsource.Bind("db", db, d.dialect)), runtime.WithHooks(cnt.hooks()))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { x.Close() })
			c := formats.NewClient(x)
			ctx := context.Background()
			id, err := runtime.ParseUUID(eventID)
			if err != nil {
				t.Fatal(err)
			}

			for range 2 { // the second answer comes from the cache
				ev, err := c.GetEvent(ctx, id, nil)
				if err != nil {
					t.Fatal(err)
				}
				if ev.ID != id || ev.Day != (runtime.Date{Year: 2024, Month: 5, Day: 6}) ||
					ev.Starts.String() != "09:30:00Z" || ev.Length.String() != "PT1H30M" ||
					ev.Organizer.String() != "joe@example.com" || ev.Link.URL().Host != "example.com" ||
					ev.V4 != netip.MustParseAddr("10.0.0.1") || ev.V6 != netip.MustParseAddr("2001:db8::1") ||
					!ev.At.Equal(time.Date(2024, 5, 6, 9, 30, 0, 0, time.UTC)) {
					t.Fatalf("event = %+v", ev)
				}
				if std, ok := ev.Length.TimeDuration(); !ok || std != 90*time.Minute {
					t.Errorf("Length.TimeDuration() = %v, %v", std, ok)
				}
				if ev.Holidays == nil || len(*ev.Holidays) != 2 || (*ev.Holidays)[1].String() != "2024-12-26" {
					t.Errorf("holidays = %v", ev.Holidays)
				}
				if ev.Owners == nil || (*ev.Owners)["joe"] != id {
					t.Errorf("owners = %v", ev.Owners)
				}
				if ev.Ends.Set && !ev.Ends.Null {
					t.Errorf("ends = %+v, want unset or null", ev.Ends)
				}
				out, err := json.Marshal(ev)
				if err != nil {
					t.Fatal(err)
				}
				for _, want := range []string{`"id":"` + eventID + `"`, `"day":"2024-05-06"`, `"starts":"09:30:00Z"`, `"length":"PT1H30M"`, `"v4":"10.0.0.1"`} {
					if !strings.Contains(string(out), want) {
						t.Errorf("JSON %s lacks %s", out, want)
					}
				}
			}
			if calls, hits := cnt.get("Event"); calls != 1 || hits != 1 {
				t.Errorf("Event: %d source calls, %d hits; want 1 and 1", calls, hits)
			}

			// "1 hour" is not an ISO 8601 duration: the conversion fails and
			// the spec's fallback value, itself of every format, answers.
			bad, _ := runtime.ParseUUID("00000000-0000-0000-0000-0000000000ff")
			fb, err := c.GetEvent(ctx, bad, nil)
			if err != nil {
				t.Fatal(err)
			}
			if fb.ID != (runtime.UUID{}) || fb.Length.String() != "PT0S" || fb.V6 != netip.IPv6Unspecified() || fb.Organizer.Local() != "nobody" {
				t.Fatalf("fallback = %+v", fb)
			}

			// A Date param binds as its text; a DATE column converts back into a date.
			after, _ := runtime.ParseDate("2024-08-01")
			h, err := c.GetNextHoliday(ctx, "fr", after)
			if err != nil {
				t.Fatal(err)
			}
			if h.String() != "2024-12-25" {
				t.Errorf("next holiday = %s, want 2024-12-25", h)
			}

			// An IPv6 param binds as its text.
			seen, err := c.GetLastSeen(ctx, netip.MustParseAddr("2001:db8::2"))
			if err != nil {
				t.Fatal(err)
			}
			if !time.Time(*seen).Equal(time.Date(2024, 5, 6, 9, 30, 0, 0, time.UTC)) {
				t.Errorf("last seen = %v", time.Time(*seen))
			}
			// An IPv4 address where the schema says ipv6 is invalid params, before any query.
			_, err = c.GetLastSeen(ctx, netip.MustParseAddr("10.0.0.2"))
			var ve *runtime.ValidationError
			if !errors.As(err, &ve) || ve.Violations[0].Keyword != "format" || ve.Violations[0].Pointer != "/addr" {
				t.Fatalf("err = %v, want a format violation at /addr", err)
			}
		})
	}
}

func TestE2EFormatsHTTPAndFile(t *testing.T) {
	var gotURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotURL = r.URL.String()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/bookings/" + eventID:
			w.Write([]byte(`{"id":"` + strings.ToUpper(eventID) + `","guest":"ann@example.com","stay":"P2D","receipt":"https://x.example/r?id=1"}`))
		default:
			w.Write([]byte(`{"id":"` + eventID + `","guest":"Ann <ann@example.com>"}`))
		}
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	rooms := `{"rooms": {"` + eventID + `": {"id": "` + eventID + `", "opens": "08:00:00+01:00", "gateway": "192.168.1.1"}}}`
	if err := os.WriteFile(filepath.Join(dir, "rooms.json"), []byte(rooms), 0o644); err != nil {
		t.Fatal(err)
	}
	x, err := runtime.New(runtime.WithSource(httpsource.Bind("bookings", srv.URL)), runtime.WithSource(filesource.Dir(dir)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	c := formats.NewClient(x)
	ctx := context.Background()
	id, _ := runtime.ParseUUID(eventID)
	on, _ := runtime.ParseDate("2024-05-06")
	via := netip.MustParseAddr("10.1.2.3")

	b, err := c.GetBooking(ctx, id, &formats.BookingOptions{On: &on, Via: &via})
	if err != nil {
		t.Fatal(err)
	}
	if gotURL != "/bookings/"+eventID+"?on=2024-05-06&via=10.1.2.3" {
		t.Errorf("request URL = %s", gotURL)
	}
	if b.ID != id || b.Guest.Domain() != "example.com" || b.Stay == nil || b.Stay.String() != "P2D" || b.Receipt == nil || b.Receipt.URL().Query().Get("id") != "1" {
		t.Errorf("booking = %+v", b)
	}

	other, _ := runtime.ParseUUID("00000000-0000-0000-0000-000000000001")
	_, err = c.GetBooking(ctx, other, nil)
	if err == nil || !strings.Contains(err.Error(), `invalid email "Ann <ann@example.com>"`) {
		t.Fatalf("err = %v, want an invalid email error", err)
	}

	r, err := c.GetRoom(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Opens.String() != "08:00:00+01:00" || r.Gateway == nil || r.Gateway.String() != "192.168.1.1" {
		t.Errorf("room = %+v", r)
	}
}

func TestFormatsJSONDecoding(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"valid", `{"id":"` + eventID + `","day":"2024-02-29","starts":"10:00:00Z","length":"P1W","organizer":"a@b.c","link":"https://x.y/","v4":"1.2.3.4","v6":"::1","at":"2024-01-01T00:00:00Z"}`, ""},
		{"bad date", `{"id":"` + eventID + `","day":"2023-02-29","starts":"10:00:00Z","length":"P1W","organizer":"a@b.c","link":"https://x.y/","v4":"1.2.3.4","v6":"::1","at":"2024-01-01T00:00:00Z"}`, `invalid date "2023-02-29"`},
		{"bad uri", `{"id":"` + eventID + `","day":"2024-02-29","starts":"10:00:00Z","length":"P1W","organizer":"a@b.c","link":"x.y","v4":"1.2.3.4","v6":"::1","at":"2024-01-01T00:00:00Z"}`, `invalid uri "x.y"`},
		{"v6 in v4", `{"id":"` + eventID + `","day":"2024-02-29","starts":"10:00:00Z","length":"P1W","organizer":"a@b.c","link":"https://x.y/","v4":"::1","v6":"::1","at":"2024-01-01T00:00:00Z"}`, `/v4: format: ::1: not an ipv4 address`},
		{"zone", `{"id":"` + eventID + `","day":"2024-02-29","starts":"10:00:00Z","length":"P1W","organizer":"a@b.c","link":"https://x.y/","v4":"1.2.3.4","v6":"fe80::1%eth0","at":"2024-01-01T00:00:00Z"}`, `/v6: format: fe80::1%eth0: not an ipv6 address`},
		{"pattern on text", `{"id":"` + eventID + `","day":"2024-02-29","starts":"10:00:00Z","length":"P1W","organizer":"a@b.c","link":"http://x.y/","v4":"1.2.3.4","v6":"::1","at":"2024-01-01T00:00:00Z"}`, `/link: pattern`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ev formats.Event
			err := json.Unmarshal([]byte(tt.in), &ev)
			if err == nil {
				err = ev.Validate()
			}
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	// A named type over a format keeps the format's JSON form.
	var h formats.Holiday
	if err := json.Unmarshal([]byte(`"2024-07-14"`), &h); err != nil || h.String() != "2024-07-14" {
		t.Fatalf("Holiday = %v, %v", h, err)
	}
	if out, _ := json.Marshal(h); string(out) != `"2024-07-14"` {
		t.Errorf("Holiday JSON = %s", out)
	}
	if err := json.Unmarshal([]byte(`null`), &h); err == nil {
		t.Error("null decoded into a Holiday")
	}
	var s formats.SeenAt
	if err := json.Unmarshal([]byte(`"2024-07-14T10:00:00Z"`), &s); err != nil || time.Time(s).Hour() != 10 {
		t.Fatalf("SeenAt = %v, %v", time.Time(s), err)
	}
	// A zero value from Go code is not a valid date.
	if err := (&formats.Holiday{}).Validate(); err == nil || !strings.Contains(err.Error(), "not a valid date") {
		t.Errorf("zero Holiday: %v", err)
	}
}
