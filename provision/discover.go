package provision

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// DHCP options the phone reads to find its provisioning server.
const (
	OptVendorSpecific = 43  // vendor sub-options, see ServerURLs
	OptTFTPServerName = 66  // a server name (or, as many servers hand out, a URL)
	OptTFTPServers    = 150 // Cisco: a list of IPv4 addresses of TFTP servers
	OptProvisionURL   = 160 // Polycom/Panasonic style: the provisioning URL
)

// Sub-options of option 43 this phone reads. Option 43 is a list of
// (code, length, value) sub-options (RFC 2132 8.4):
//
//	1  provisioning URL, as option 160 (e.g. "https://prov.example/phones/")
//	2  provisioning server name or address, as option 66 (TFTP)
//
// Other sub-options are ignored. An option 43 that is not a valid
// sub-option list but whose whole value is a URL is read as sub-option 1,
// since some servers are configured that way.
const (
	Sub43URL    = 1
	Sub43Server = 2
)

// ParseDHCPOptions splits the options field of a DHCP message (after the
// magic cookie) into its options: pad (0) is skipped, end (255) stops, and
// an option that appears more than once is concatenated (RFC 3396).
func ParseDHCPOptions(b []byte) (map[uint8][]byte, error) {
	opts := make(map[uint8][]byte)
	for i := 0; i < len(b); {
		code := b[i]
		switch code {
		case 0:
			i++
			continue
		case 255:
			return opts, nil
		}
		if i+1 >= len(b) {
			return nil, fmt.Errorf("dhcp option %d at offset %d: no length", code, i)
		}
		n := int(b[i+1])
		if i+2+n > len(b) {
			return nil, fmt.Errorf("dhcp option %d at offset %d: length %d runs past the end", code, i, n)
		}
		opts[code] = append(opts[code], b[i+2:i+2+n]...)
		i += 2 + n
	}
	return opts, nil
}

// DiscoverServers is the list of provisioning server URLs in the DHCP
// options field b (see ServerURLs).
func DiscoverServers(b []byte) ([]string, error) {
	opts, err := ParseDHCPOptions(b)
	if err != nil {
		return nil, err
	}
	return ServerURLs(opts), nil
}

// ServerURLs orders the servers the options name, most specific first:
// option 160 (a URL), option 43 sub-option 1 (a URL), option 43 sub-option
// 2 and option 66 (a name: TFTP, unless the value is itself a URL), then
// each address of option 150 (TFTP). A configured server URL
// (provision.server_url) comes before all of these; that is the caller's.
// Values that are not usable (bad text, an unknown scheme, no host) are
// left out; duplicates are listed once.
func ServerURLs(opts map[uint8][]byte) []string {
	var out []string
	seen := map[string]bool{}
	add := func(v string, ok bool) {
		if ok && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	add(serverURL(opts[OptProvisionURL]))
	if v43, ok := opts[OptVendorSpecific]; ok {
		sub, err := parseSubOptions(v43)
		if err != nil {
			add(serverURL(v43))
		} else {
			add(serverURL(sub[Sub43URL]))
			add(serverURL(sub[Sub43Server]))
		}
	}
	add(serverURL(opts[OptTFTPServerName]))
	v150 := opts[OptTFTPServers]
	for i := 0; i+4 <= len(v150); i += 4 {
		a := netip.AddrFrom4([4]byte(v150[i : i+4]))
		if a.IsUnspecified() || a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
			continue
		}
		add("tftp://"+a.String()+"/", true)
	}
	return out
}

func parseSubOptions(b []byte) (map[uint8][]byte, error) {
	sub := make(map[uint8][]byte)
	for i := 0; i < len(b); {
		code := b[i]
		if code == 0 {
			i++
			continue
		}
		if code == 255 {
			break
		}
		if i+1 >= len(b) || i+2+int(b[i+1]) > len(b) {
			return nil, errors.New("truncated sub-option")
		}
		n := int(b[i+1])
		sub[code] = append(sub[code], b[i+2:i+2+n]...)
		i += 2 + n
	}
	return sub, nil
}

// serverURL makes a server URL from an option's text: a URL with a known
// scheme as it is, a bare host name or address as tftp://host/.
func serverURL(b []byte) (string, bool) {
	s := strings.TrimRight(string(b), "\x00") // some servers NUL-terminate
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 255 {
		return "", false
	}
	for _, r := range s {
		if r <= ' ' || r >= 0x7f {
			return "", false
		}
	}
	if !strings.Contains(s, "://") {
		s = "tftp://" + s + "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "tftp", "ftp":
	default:
		return "", false
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), true
}
