package media

import (
	"errors"
	"fmt"
	"net"
)

// ListenRTP opens the sockets of one media stream on host: RTP on an even
// port and RTCP on the next one up, the pairing a peer assumes when the SDP
// has no a=rtcp (RFC 3550 11, RFC 3605).
func ListenRTP(host string) (rtpConn, rtcpConn *net.UDPConn, err error) {
	var errs []error
	for range 16 {
		first, err := net.ListenPacket("udp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, nil, fmt.Errorf("listen rtp on %s: %w", host, err)
		}
		a := first.LocalAddr().(*net.UDPAddr)
		other := a.Port + 1
		if a.Port%2 == 1 {
			other = a.Port - 1
		}
		second, err := net.ListenUDP("udp", &net.UDPAddr{IP: a.IP, Port: other, Zone: a.Zone})
		if err != nil {
			first.Close()
			errs = append(errs, err)
			continue
		}
		if a.Port%2 == 0 {
			return first.(*net.UDPConn), second, nil
		}
		return second, first.(*net.UDPConn), nil
	}
	return nil, nil, fmt.Errorf("listen rtp on %s: no free even/odd port pair: %w", host, errors.Join(errs...))
}
