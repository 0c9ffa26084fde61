package kit

import (
	"net/netip"
	"testing"

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
	if !runtime.IsIPv4(a) || runtime.IsIPv6(a) || runtime.IsIPv4(netip.Addr{}) || runtime.IsIPv6(netip.MustParseAddr("fe80::1%x")) {
		t.Error("IsIPv4, IsIPv6")
	}
}
