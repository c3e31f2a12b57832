// Package voicevlan moves the phone's own traffic onto the voice VLAN. It
// reads LLDP on the LAN port for the LLDP-MED Network Policy of the voice
// application (ANSI/TIA-1057: VLAN id, tagged flag, priority, DSCP), falls
// back to the manual setting, and once 802.1X has authorized the port it
// makes the VLAN interface (lan0.VID) with rtnetlink and publishes the
// interface the phone's IP traffic must use. The PC's traffic is not
// touched: it stays untagged on the LAN port.
//
// The phone sends no LLDP of its own: lldpd (1.0.16, checked in the lab)
// advertises a configured MED network policy whether or not it has seen an
// LLDP-MED device on the port.
package voicevlan
