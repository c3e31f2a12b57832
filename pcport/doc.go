// Package pcport is the phone's PC port: it forwards the untagged frames of a
// PC plugged behind the phone to the LAN port and back, the PC's EAPOL
// included, so the PC authenticates on the switch as its own 802.1X station
// (pass-through). When the PC's link goes down it sends an EAPOL-Logoff in
// the PC's name to the PAE group address (proxy logoff), so no other device
// can ride on the PC's authorization.
//
// Frames the phone sends itself, frames addressed to the phone, link-local
// control frames (STP, LLDP, pause) and VLAN-tagged frames are never
// forwarded: the voice VLAN is the phone's, the PC stays untagged.
package pcport
