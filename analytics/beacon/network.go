package beacon

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// ParsePrefixes parses a comma-separated list of CIDR prefixes or single
// addresses ("10.0.0.0/8, 192.0.2.7, ::1"), as --trusted-proxy takes them.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix (like 10.0.0.0/8)", f)
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR prefix (like 10.0.0.0/8): %w", f, err)
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// proxies is the set of addresses whose forwarding headers are trusted.
type proxies []netip.Prefix

func (ps proxies) trusted(a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr returns the address the request came from: the peer, unless the
// peer is a trusted proxy, in which case the right-most X-Forwarded-For entry
// that is not itself a trusted proxy. Forwarding headers from anyone else are
// ignored. The bool is false when no address can be had.
func (ps proxies) clientAddr(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	a := ap.Addr().Unmap()
	if len(ps) == 0 || !ps.trusted(a) {
		return a, true
	}
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		h := hops[i]
		for h != "" {
			var f string
			if j := strings.LastIndexByte(h, ','); j >= 0 {
				f, h = h[j+1:], h[:j]
			} else {
				f, h = h, ""
			}
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			x, err := netip.ParseAddr(f)
			if err != nil {
				// A hop we cannot read: trust nothing further left of it.
				return a, true
			}
			a = x.Unmap().WithZone("")
			if !ps.trusted(a) {
				return a, true
			}
		}
	}
	return a, true
}

// network returns a's network as stored in events: /24 for IPv4, /48 for IPv6.
func network(a netip.Addr) string {
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}

// addrKey is the rate-limit identity of an address: the full IPv4 address or
// the IPv6 /64 (one host usually has a whole /64).
func addrKey(a netip.Addr) [16]byte {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr().As16()
	}
	return a.As16()
}
