package kit

import (
	"net/netip"

	"github.com/reftask/reftask/runtime"
)

// AddrArg makes an IP address a SQL argument, as its text: netip.Addr is
// not a driver.Valuer.
func AddrArg(a netip.Addr) any { return a.String() }

// PtrAddrArg is AddrArg for an optional address: nil stays NULL.
func PtrAddrArg(a *netip.Addr) any {
	if a == nil {
		return nil
	}
	return a.String()
}

// OptNullAddrArg is AddrArg for an optional, nullable address.
func OptNullAddrArg(o runtime.OptNull[netip.Addr]) any {
	if !o.Set || o.Null {
		return nil
	}
	return o.Value.String()
}
