package lab

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// writeDnsmasq writes dnsmasq.conf: DHCP for the phone's LAN with the
// provisioning options (sent only when the client asks for them) and DNS for
// the lab's host names.
func (l *Lab) writeDnsmasq() error {
	d := l.DHCP
	var o43 []string
	for _, c := range d.Option43 {
		o43 = append(o43, fmt.Sprintf("%02x", c))
	}
	conf := fmt.Sprintf(`# deskphone lab DHCP and DNS (written at lab start)
keep-in-foreground
no-resolv
no-hosts
no-poll
interface=%s
bind-interfaces
listen-address=%s
user=root
group=root
pid-file=
domain=%s
local=/%s/
address=/%s/%s
address=/%s/%s
address=/%s/%s
dhcp-authoritative
dhcp-range=%s,%s,255.255.255.0,1h
dhcp-leasefile=%s
dhcp-option=option:router,%s
dhcp-option=option:dns-server,%s
dhcp-option=66,"%s"
dhcp-option=67,"%s"
dhcp-option=150,%s
dhcp-option=43,%s
dhcp-option=160,"%s"
log-dhcp
log-queries
log-facility=-
`, IfServices, d.Server, Domain, Domain,
		HostPBX, AddrPBX, HostProv, AddrProv, HostRemote, AddrRemote,
		d.First, d.Last, filepath.Join(l.Dir, "dnsmasq.leases"), d.Server, d.Server,
		d.Option66, d.Option67, strings.Join(d.Option150, ","), strings.Join(o43, ":"), d.Option160)
	return os.WriteFile(filepath.Join(l.Dir, "dnsmasq.conf"), []byte(conf), 0o644)
}

func (l *Lab) startDHCP(ctx context.Context) ([]*Process, error) {
	p, err := l.spawn("dnsmasq", l.ServicesNS, "dnsmasq", "--conf-file="+filepath.Join(l.Dir, "dnsmasq.conf"))
	if err != nil {
		return nil, err
	}
	return []*Process{p}, waitListening(ctx, p, sock{"udp", "0.0.0.0", 67}, sock{"udp", l.DHCP.Server, 53})
}

// option43 encodes the vendor-specific option as one TLV: sub-option 1 is
// the provisioning URL.
func option43(url string) []byte {
	return append([]byte{1, byte(len(url))}, url...)
}
