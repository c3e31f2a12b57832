// Package net8021x is the phone's IEEE 802.1X supplicant: EAPOL over raw
// Ethernet (802.1X-2004/2010 supplicant PAE), the EAP peer state machine of
// RFC 3748 / RFC 4137, and the EAP methods behind the Htek 802.1X modes
// (MD5, TLS, PEAPv0 and TTLS with inner EAP-MSCHAPv2 or EAP-GTC, and
// EAP-FAST with PAC provisioning).
//
// Layout follows hostap's src/eap_peer: peer.go is the EAP state machine,
// method.go the one interface every method implements, and each method has
// its own file (method_md5.go, method_tls.go, method_peap.go, method_ttls.go,
// method_mschapv2.go, method_gtc.go). The TLS-based methods run crypto/tls
// over an in-memory connection (tlsengine.go) framed into EAP fragments by
// tlsframe.go; the interface carries no TLS type, so EAP-FAST
// (method_fast.go) fits beside them with its own minimal TLS 1.2 client
// (fast_tls.go, fast_record.go, fast_prf.go: crypto/tls cannot carry a
// PAC), its TLVs (fast_tlv.go), key chain (fast_keys.go) and the PAC store
// on flash (fast_pac.go).
//
// Supplicant (supplicant.go) is the long-running component: Run(ctx) keeps
// the port authenticated, re-authenticates in the background and publishes
// its state; Reconfigure applies a new Config live. Authenticate
// (authenticate.go) is the one-shot form for the CLI. Frames are read and
// written through the small Frames interface: ListenEAPOL is the raw socket
// (Linux), Pipe the in-memory fake.
package net8021x
