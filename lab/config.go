package lab

import "net"

// Fixed addresses inside every lab instance's namespaces (private to it).
const (
	Subnet      = "10.99.0.0/24"
	PrefixLen   = 24
	AddrGateway = "10.99.0.1"   // dnsmasq: DHCP server, DNS, default gateway
	AddrPBX     = "10.99.0.10"  // Kamailio
	AddrProv    = "10.99.0.20"  // nginx, tftpd-hpa, vsftpd
	AddrRemote  = "10.99.0.30"  // baresip remote party
	AddrPhone   = "10.99.0.100" // the phone's LAN address with Options.PhoneAddress
	AddrPC      = "10.99.0.101" // the PC's address with Options.PhoneAddress
	DHCPFirst   = "10.99.0.150"
	DHCPLast    = "10.99.0.199"
	Domain      = "lab.test"
)

// Fixed MACs (locally administered).
var (
	MACPhoneLAN   = net.HardwareAddr{0x02, 0, 0, 0, 0x01, 0x01}
	MACPhonePC    = net.HardwareAddr{0x02, 0, 0, 0, 0x01, 0x02}
	MACPC         = net.HardwareAddr{0x02, 0, 0, 0, 0x02, 0x01}
	MACSwitchPort = net.HardwareAddr{0x02, 0, 0, 0, 0x0a, 0x01}
	MACSwitchUp   = net.HardwareAddr{0x02, 0, 0, 0, 0x0a, 0x02}
	MACServices   = net.HardwareAddr{0x02, 0, 0, 0, 0x0b, 0x01}
)

// Interface names.
const (
	IfPhoneLAN   = "lan0"  // phone ns: to the switch
	IfPhonePC    = "pc0"   // phone ns: the PC port
	IfPC         = "eth0"  // pc ns
	IfSwitchPort = "port1" // switch ns: the phone's port, hostapd runs here
	IfSwitchUp   = "up0"   // switch ns: uplink to the services
	IfServices   = "eth0"  // services ns
)

// Login is a user name and password.
type Login struct {
	User     string
	Password string
}

// EAPUsers are the 802.1X identities, the same on both back ends.
type EAPUsers struct {
	MD5          Login
	PEAPMSCHAPv2 Login
	PEAPGTC      Login
	TTLSMSCHAPv2 Login // TTLS with inner EAP-MSCHAPv2 (and non-EAP MSCHAPv2)
	TTLSGTC      Login // TTLS with inner EAP-GTC
	FAST         Login // EAP-FAST inner MSCHAPv2/GTC (hostapd's server only)
	Anonymous    string
	TLSPhone     string // EAP-TLS identity of the phone's device certificate
	TLSPC        string // EAP-TLS identity of the PC's device certificate
}

// DefaultEAPUsers are the lab's 802.1X credentials.
var DefaultEAPUsers = EAPUsers{
	MD5:          Login{"md5user", "md5pass"},
	PEAPMSCHAPv2: Login{"peapuser", "peappass"},
	PEAPGTC:      Login{"gtcuser", "gtcpass"},
	TTLSMSCHAPv2: Login{"ttlsuser", "ttlspass"},
	TTLSGTC:      Login{"ttlsgtc", "ttlsgtcpass"},
	FAST:         Login{"fastuser", "fastpass"},
	Anonymous:    "anonymous",
	TLSPhone:     "phone1",
	TLSPC:        "pc1",
}

// SIPUsers are the registrar's accounts: 1001..1005, password "pass" + user.
// The remote party registers as 1002.
var SIPUsers = []Login{
	{"1001", "pass1001"}, {"1002", "pass1002"}, {"1003", "pass1003"}, {"1004", "pass1004"}, {"1005", "pass1005"},
}

// HTTPUser is nginx's basic-auth account.
var HTTPUser = Login{"prov", "provpass"}

// RADIUSSecret is the shared secret between hostapd and FreeRADIUS.
const RADIUSSecret = "testing123"

// PBX is where Kamailio listens.
type PBX struct {
	Host    string // pbx.lab.test (also the SIP domain accepted)
	Addr    string
	UDPPort int
	TCPPort int
	TLSPort int
}

// Prov is where the provisioning servers listen. nginx, tftpd-hpa and vsftpd
// all serve Root.
type Prov struct {
	Host      string
	Addr      string
	Root      string // files served; tests may add files
	HTTPPort  int    // plain HTTP, no authentication
	HTTPSPort int    // HTTPS with PKI.Server and basic auth HTTPUser
	MTLSPort  int    // HTTPS requiring a client certificate signed by PKI.CA
	// Ports of HTTPS servers presenting the bad certificates (no auth).
	ExpiredPort, NotYetValidPort, WrongHostPort, RSA1024Port, RoguePort int
	TFTPPort                                                            int
	FTPPort                                                             int // anonymous, read-only
}

// DHCP describes what dnsmasq hands out. Options 66, 150, 43 and 160 are sent
// only to clients that ask for them.
type DHCP struct {
	Server    string
	First     string
	Last      string
	Option66  string // TFTP server name
	Option67  string // boot file name
	Option150 []string
	Option43  []byte // vendor specific: sub-option 1 = provisioning URL
	Option160 string // provisioning URL
}

// Remote is the baresip remote party.
type Remote struct {
	User Login  // SIP account it registers
	URI  string // what to dial to reach it through the PBX
	Addr string
	Port int
}
