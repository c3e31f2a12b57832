package netconf

import (
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
)

// openRaw starts nclient4 on a raw socket of iface (CAP_NET_RAW): it works
// before the interface has an address. One attempt is four sends 1 s apart:
// the first DISCOVER often goes out while the switch is still opening the
// port that 802.1X just authorized, and a phone should not wait 4 s for that.
func openRaw(iface string) (Exchanger, error) {
	c, err := nclient4.New(iface, nclient4.WithTimeout(time.Second), nclient4.WithRetry(4))
	if err != nil {
		return nil, err // not a nil *Client in a non-nil Exchanger
	}
	return c, nil
}
