// Package status is the phone's published state: what each subsystem reports
// for the LCD, the simulator's /api/status and the web pages. Subsystems write
// their part through a Hub; readers take snapshots or wait for the next change.
package status

import "time"

// Phone is one snapshot of the whole phone's state. It is copied by value:
// slices are replaced, never changed in place, by writers.
type Phone struct {
	Firmware   string    `json:"firmware"`
	Board      string    `json:"board"`
	Network    Network   `json:"network"`
	Dot1X      Dot1X     `json:"dot1x"`
	Lines      []Line    `json:"lines"`
	Provision  Provision `json:"provision"`
	Security   Security  `json:"security"`
	Call       *Call     `json:"call,omitempty"`
	Calls      []Call    `json:"calls,omitempty"`
	PCPort     PCPort    `json:"pc_port"`
	Inoperable string    `json:"inoperable,omitempty"` // why the phone is out of service, "" when it is not
}

// Network is the LAN side: link, address, time source.
type Network struct {
	LinkUp bool   `json:"link_up"`
	MAC    string `json:"mac,omitempty"`
	IP     string `json:"ip,omitempty"`
	// Stage is the boot flow's current step (link, 802.1x, address, provisioning, registering, ready).
	Stage string `json:"stage,omitempty"`
	Error string `json:"error,omitempty"`
	// VLAN is the voice VLAN the phone's own traffic uses (0: untagged), and
	// Iface the interface that carries it (the LAN port or its VLAN interface).
	VLAN       int    `json:"vlan,omitempty"`
	VLANSource string `json:"vlan_source,omitempty"` // lldp-med, setting
	Iface      string `json:"iface,omitempty"`
}

// PCPort is the phone's PC port: pass-through of a PC's traffic and EAPOL.
type PCPort struct {
	Enabled bool   `json:"enabled"`
	LinkUp  bool   `json:"link_up"`
	PCMAC   string `json:"pc_mac,omitempty"`  // the station last seen behind the port
	Logoffs int    `json:"logoffs,omitempty"` // proxy EAPOL-Logoffs sent
}

// Dot1X states, as the 802.1X supplicant publishes them.
const (
	Dot1XDisabled       = "disabled"
	Dot1XConnecting     = "connecting"
	Dot1XAuthenticating = "authenticating"
	Dot1XAuthenticated  = "authenticated"
	Dot1XHeld           = "held"
	Dot1XFailed         = "failed"
)

// Dot1X is the supplicant's state.
type Dot1X struct {
	State  string    `json:"state"`
	Method string    `json:"method,omitempty"`
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since,omitzero"`
}

// Registration states of a line.
const (
	LineDisabled     = "disabled"
	LineUnregistered = "unregistered" // configured, not (yet) registering
	LineRegistering  = "registering"
	LineRegistered   = "registered"
	LineFailed       = "failed"
)

// Line is one SIP line.
type Line struct {
	Index     int       `json:"index"` // 1-based
	Label     string    `json:"label"`
	State     string    `json:"state"`
	Registrar string    `json:"registrar,omitempty"`
	Transport string    `json:"transport,omitempty"`
	Security  string    `json:"security,omitempty"` // nonsecure, authenticated, encrypted
	Expires   time.Time `json:"expires,omitzero"`
	Reason    string    `json:"reason,omitempty"`
}

// Provision is the last provisioning pass.
type Provision struct {
	Result string       `json:"result,omitempty"` // ok, partial, failed
	At     time.Time    `json:"at,omitzero"`
	Server string       `json:"server,omitempty"`
	Files  []FileResult `json:"files,omitempty"`
}

// FileResult is one file's outcome in a provisioning pass.
type FileResult struct {
	Name    string `json:"name"`
	Outcome string `json:"outcome"` // applied, unchanged, skipped, rejected
	Reason  string `json:"reason,omitempty"`
}

// Security is the phone-wide security posture.
type Security struct {
	Mode      string `json:"mode"` // the first line's mode: nonsecure, authenticated, encrypted
	TrustList string `json:"trust_list,omitempty"`
}

// Call is one call of the phone. Phone.Call is the call in focus (the one
// the handset talks to, or the one ringing), Phone.Calls every call, the
// focused one first, so a held call or a second incoming one is listed too.
type Call struct {
	ID        string `json:"id,omitempty"` // stable while the call lasts
	Line      int    `json:"line"`
	State     string `json:"state"`               // dialing, ringing, incoming, established, held, refused, ended
	Direction string `json:"direction,omitempty"` // outgoing, incoming
	Peer      string `json:"peer"`
	Encrypted bool   `json:"encrypted"`
	// Security is the call's level: encrypted (TLS and SRTP),
	// authenticated (TLS signalling, plain RTP) or nonsecure.
	Security   string `json:"security,omitempty"`
	Held       bool   `json:"held,omitempty"`        // we put it on hold
	RemoteHeld bool   `json:"remote_held,omitempty"` // the peer put us on hold
	Codec      string `json:"codec,omitempty"`
	SRTPSuite  string `json:"srtp_suite,omitempty"`
	Precedence string `json:"precedence,omitempty"` // MLPP: routine ... flash-override
	Endpoint   string `json:"endpoint,omitempty"`   // handset, speaker, headset
	Reason     string `json:"reason,omitempty"`     // why it was refused or ended
	// Media statistics, from the media session's counters.
	PacketsSent     uint64  `json:"packets_sent,omitempty"`
	PacketsReceived uint64  `json:"packets_received,omitempty"`
	Lost            int64   `json:"lost,omitempty"`
	LossPercent     float64 `json:"loss_percent,omitempty"`
	JitterMs        float64 `json:"jitter_ms,omitempty"`
	RTTMs           float64 `json:"rtt_ms,omitempty"`
}
