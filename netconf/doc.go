// Package netconf holds the phone's IP-level configuration services: an
// SNTP client (RFC 4330), a clock that never runs behind a known lower bound
// (build time, last saved time) so certificate checks have a plausible "now"
// before SNTP answers, the phone's own name servers kept in memory (never
// the host's resolv.conf), and the DNS/NTP servers a DHCP lease names.
package netconf
