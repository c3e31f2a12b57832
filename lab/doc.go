// Package lab runs the real peers of an office network for tests: an 802.1X
// switch (hostapd, wired driver) in front of FreeRADIUS or hostapd's own EAP
// server, a Kamailio registrar, nginx, tftpd-hpa, vsftpd, dnsmasq and a baresip
// remote party, each inside Linux network namespaces that the lab creates and
// always removes.
//
// Topology (one instance; every instance has its own namespaces, so the fixed
// addresses below never collide):
//
//	pc ns           phone ns                 switch ns                      services ns
//	[eth0] ---- [pc0]  [lan0] ---- [port1] hostapd, FreeRADIUS [up0] ---- [eth0] 10.99.0.1/.10/.20/.30
//	                                  nftables netdev gate
//
// The switch forwards the phone port's frames to the services only for
// station MACs that hostapd reports authorized (a hostapd_cli action script
// adds and removes them from an nftables set), and frames toward the port only
// for authorized MACs (broadcast and multicast while any is authorized);
// EAPOL always reaches hostapd. With Options.Dot1X PortOpen there is no
// hostapd and the port forwards everything but EAPOL.
//
// All processes start with Setpgid and Pdeathsig, Close kills what is left
// in the namespaces before deleting them, and Sweep (run by every Up, and by
// `make lab-down`) removes labs whose owning process died.
//
// Tests call Start, which tears the lab down in t.Cleanup and dumps the peers'
// logs when the test failed. Up and Close are the same without testing.
package lab
