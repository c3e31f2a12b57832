package pcport

import (
	"bytes"
	"encoding/binary"
	"net"
)

const (
	ethHeaderLen   = 14
	minFrameLen    = 60 // the Ethernet minimum without FCS
	etherTypeEAPOL = 0x888e
	eapolLogoff    = 2
)

// PAEGroupAddr is the 802.1X Port Access Entity group address.
var PAEGroupAddr = net.HardwareAddr{0x01, 0x80, 0xc2, 0x00, 0x00, 0x03}

// linkLocalPrefix starts the IEEE 802.1D reserved addresses
// 01:80:C2:00:00:00-0F, which a bridge never forwards.
var linkLocalPrefix = []byte{0x01, 0x80, 0xc2, 0x00, 0x00}

// tagTypes are the Ethernet types of VLAN tags (802.1Q, 802.1ad, and the
// pre-standard QinQ one).
var tagTypes = map[uint16]bool{0x8100: true, 0x88a8: true, 0x9100: true}

func dst(f []byte) net.HardwareAddr { return net.HardwareAddr(f[0:6]) }
func src(f []byte) net.HardwareAddr { return net.HardwareAddr(f[6:12]) }
func etherType(f []byte) uint16     { return binary.BigEndian.Uint16(f[12:14]) }
func isGroup(mac []byte) bool       { return mac[0]&1 != 0 }

// isLinkLocal reports a reserved link-local destination other than the PAE
// group address, which pass-through must carry.
func isLinkLocal(d []byte) bool {
	return bytes.Equal(d[:5], linkLocalPrefix) && d[5] <= 0x0f && d[5] != PAEGroupAddr[5]
}

// logoffFrame builds an EAPOL-Logoff from src to the PAE group address,
// padded to the Ethernet minimum.
func logoffFrame(src net.HardwareAddr, version byte) []byte {
	f := make([]byte, minFrameLen)
	copy(f[0:6], PAEGroupAddr)
	copy(f[6:12], src)
	binary.BigEndian.PutUint16(f[12:14], etherTypeEAPOL)
	f[14] = version
	f[15] = eapolLogoff
	// body length 0: f[16:18] stay zero
	return f
}
