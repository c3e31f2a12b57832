// Package rawether is raw Ethernet frames of one EtherType (or all) on one
// interface, read with a context: an AF_PACKET socket that hands whole
// frames, header included, to the 802.1X supplicant, the LLDP listener and
// the PC port's bridge.
package rawether

// AllTypes is the EtherType that takes frames of every type (ETH_P_ALL).
const AllTypes = 0x0003

// headerLen is an Ethernet header: destination, source, EtherType.
const headerLen = 14
