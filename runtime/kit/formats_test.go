package kit

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/reftask/reftask/runtime"
)

func TestAddrArgs(t *testing.T) {
	a := netip.MustParseAddr("10.0.0.1")
	if AddrArg(a) != "10.0.0.1" || PtrAddrArg(&a) != "10.0.0.1" || PtrAddrArg(nil) != nil {
		t.Error("AddrArg, PtrAddrArg")
	}
	if OptNullAddrArg(runtime.Some(a)) != "10.0.0.1" || OptNullAddrArg(runtime.Null[netip.Addr]()) != nil || OptNullAddrArg(runtime.OptNull[netip.Addr]{}) != nil {
		t.Error("OptNullAddrArg")
	}
	if !IsIPv4(a) || IsIPv6(a) || IsIPv4(netip.Addr{}) || IsIPv6(netip.MustParseAddr("fe80::1%x")) {
		t.Error("IsIPv4, IsIPv6")
	}
}

func TestFormatsConvert(t *testing.T) {
	day := time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		conv func(string, any) (any, error)
		in   any
		want string // String() of the result, or the error text
		ok   bool
	}{
		{"date from time", wrap(AsDate), day, "2024-05-06", true},
		{"date from text", wrap(AsDate), "2024-05-06", "2024-05-06", true},
		{"date from bytes", wrap(AsDate), []byte("2024-05-06"), "2024-05-06", true},
		{"date bad", wrap(AsDate), "2024-05-36", `/d: cannot convert string "2024-05-36" to date: invalid date "2024-05-36": day out of range`, false},
		{"date null", wrap(AsDate), nil, "null", false},
		{"date int", wrap(AsDate), int64(3), "to date", false},
		{"time from sql", wrap(AsTimeOfDay), "15:04:05.5", "15:04:05.5Z", true},
		{"time from text", wrap(AsTimeOfDay), "15:04:05-01:00", "15:04:05-01:00", true},
		{"time from time", wrap(AsTimeOfDay), day.Add(90 * time.Minute), "01:30:00Z", true},
		{"time bad", wrap(AsTimeOfDay), "15:04", "to time", false},
		{"duration text", wrap(AsDuration), "P3D", "P3D", true},
		{"duration std", wrap(AsDuration), 26*time.Hour + 3*time.Second, "PT26H0M3S", true},
		{"duration frac", wrap(AsDuration), time.Millisecond, "whole number of seconds", false},
		{"uuid text", wrap(AsUUID), "2EB8AA08-AA98-11EA-B4AA-73B441D16380", "2eb8aa08-aa98-11ea-b4aa-73b441d16380", true},
		{"uuid raw", wrap(AsUUID), []byte{0x2e, 0xb8, 0xaa, 8, 0xaa, 0x98, 0x11, 0xea, 0xb4, 0xaa, 0x73, 0xb4, 0x41, 0xd1, 0x63, 0x80}, "2eb8aa08-aa98-11ea-b4aa-73b441d16380", true},
		{"uuid bad", wrap(AsUUID), "nope", "to uuid", false},
		{"email", wrap(AsEmail), "a@b.c", "a@b.c", true},
		{"email bad", wrap(AsEmail), "A <a@b.c>", "to email", false},
		{"uri", wrap(AsURI), []byte("https://x.y/"), "https://x.y/", true},
		{"uri bad", wrap(AsURI), "x y", "to uri", false},
		{"ipv4", wrap(AsIPv4), "10.1.2.3", "10.1.2.3", true},
		{"ipv4 addr", wrap(AsIPv4), netip.MustParseAddr("10.1.2.3"), "10.1.2.3", true},
		{"ipv4 given v6", wrap(AsIPv4), netip.MustParseAddr("::1"), "to ipv4", false},
		{"ipv4 text v6", wrap(AsIPv4), "::1", "not an IPv4 address", false},
		{"ipv6", wrap(AsIPv6), "::1", "::1", true},
		{"ipv6 zone", wrap(AsIPv6), "fe80::1%en0", "zones are not allowed", false},
		{"ipv6 given v4", wrap(AsIPv6), "1.2.3.4", "not an IPv6 address", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.conv("/d", tt.in)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if s := got.(interface{ String() string }).String(); s != tt.want {
					t.Errorf("got %q, want %q", s, tt.want)
				}
				return
			}
			var ce *runtime.ConvError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a *ConvError containing %q", err, tt.want)
			}
		})
	}
}

func wrap[T any](f func(string, any) (T, error)) func(string, any) (any, error) {
	return func(p string, v any) (any, error) { return f(p, v) }
}
