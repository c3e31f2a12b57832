package voicevlan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"time"
)

// EtherTypeLLDP is the Ethernet type of LLDP frames.
const EtherTypeLLDP = 0x88cc

// NearestBridge is the LLDP destination address switches send to.
var NearestBridge = net.HardwareAddr{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}

// LLDP TLV types (IEEE 802.1AB-2016 table 8-1).
const (
	tlvEnd        = 0
	tlvChassisID  = 1
	tlvPortID     = 2
	tlvTTL        = 3
	tlvSystemName = 5
	tlvOrg        = 127
)

// medOUI is TIA's organizationally unique identifier for LLDP-MED.
var medOUI = [3]byte{0x00, 0x12, 0xbb}

// LLDP-MED TLV subtypes (ANSI/TIA-1057 table 5).
const (
	medCapabilities = 1
	medPolicy       = 2
)

// AppVoice is the Network Policy application type of voice.
const AppVoice = 1

// ErrNotLLDP says a frame is not LLDP at all (another Ethernet type).
var ErrNotLLDP = errors.New("not an LLDP frame")

// LLDPDU is what the phone reads from one LLDP frame.
type LLDPDU struct {
	Source     net.HardwareAddr // the sender's MAC, from the Ethernet header
	ChassisID  []byte           // with its subtype in ChassisSub
	ChassisSub byte
	PortID     []byte
	PortSub    byte
	// TTL is how long the information is valid; 0 means the sender is
	// shutting down and its information must be dropped now.
	TTL        time.Duration
	SystemName string
	// MED is set when the LLDPDU carries LLDP-MED capabilities.
	MED      *MEDCapabilities
	Policies []NetworkPolicy
}

// MEDCapabilities is the LLDP-MED Capabilities TLV.
type MEDCapabilities struct {
	Capabilities uint16
	DeviceType   byte // 1-3 endpoint classes, 4 network connectivity
}

// NetworkPolicy is one LLDP-MED Network Policy TLV.
type NetworkPolicy struct {
	App      byte // AppVoice, ...
	Unknown  bool // the sender has no policy for this application
	Tagged   bool
	VLAN     uint16 // 0: priority-tagged only (with Tagged)
	Priority uint8  // 802.1p, 0-7
	DSCP     uint8  // 0-63
}

// Voice returns the voice application's policy, if the LLDPDU has one.
func (d *LLDPDU) Voice() (NetworkPolicy, bool) {
	for _, p := range d.Policies {
		if p.App == AppVoice {
			return p, true
		}
	}
	return NetworkPolicy{}, false
}

// ParseFrame reads an LLDP frame: the Ethernet header (untagged), then the
// LLDPDU. Bytes after the End TLV are Ethernet padding and ignored.
func ParseFrame(f []byte) (*LLDPDU, error) {
	if len(f) < 14 {
		return nil, fmt.Errorf("parse LLDP: frame of %d bytes is shorter than an Ethernet header", len(f))
	}
	if t := binary.BigEndian.Uint16(f[12:14]); t != EtherTypeLLDP {
		return nil, fmt.Errorf("parse LLDP: Ethernet type %#04x: %w", t, ErrNotLLDP)
	}
	d, err := Parse(f[14:])
	if err != nil {
		return nil, err
	}
	d.Source = append(net.HardwareAddr(nil), f[6:12]...)
	return d, nil
}

// Parse reads an LLDPDU: Chassis ID, Port ID and TTL first and in that
// order, as 802.1AB requires, then any TLVs up to End or the end of data.
func Parse(b []byte) (*LLDPDU, error) {
	d := &LLDPDU{}
	for i := 0; len(b) > 0; i++ {
		if len(b) < 2 {
			return nil, fmt.Errorf("parse LLDP: TLV %d: header cut short (%d byte)", i, len(b))
		}
		h := binary.BigEndian.Uint16(b)
		typ, n := int(h>>9), int(h&0x1ff)
		if len(b)-2 < n {
			return nil, fmt.Errorf("parse LLDP: TLV %d (type %d): length %d past the frame's end (%d left)", i, typ, n, len(b)-2)
		}
		v := b[2 : 2+n]
		b = b[2+n:]
		if want := [...]int{tlvChassisID, tlvPortID, tlvTTL}; i < len(want) && typ != want[i] {
			return nil, fmt.Errorf("parse LLDP: TLV %d is type %d, want type %d (chassis ID, port ID, TTL come first)", i, typ, want[i])
		}
		if err := d.tlv(typ, v); err != nil {
			return nil, fmt.Errorf("parse LLDP: TLV %d: %w", i, err)
		}
		if typ == tlvEnd {
			return d, nil
		}
	}
	if d.ChassisID == nil || d.PortID == nil {
		return nil, errors.New("parse LLDP: no chassis ID, port ID and TTL")
	}
	if d.TTL < 0 {
		return nil, errors.New("parse LLDP: no TTL")
	}
	return d, nil
}

// tlv reads one TLV's value into d.
func (d *LLDPDU) tlv(typ int, v []byte) error {
	switch typ {
	case tlvEnd:
		if len(v) != 0 {
			return fmt.Errorf("end TLV of length %d, want 0", len(v))
		}
		if d.PortID == nil || d.TTL < 0 {
			return errors.New("end TLV before the TTL")
		}
	case tlvChassisID, tlvPortID:
		if len(v) < 2 || len(v) > 256 {
			return fmt.Errorf("ID TLV type %d of length %d, want 2 to 256", typ, len(v))
		}
		if typ == tlvChassisID {
			d.ChassisSub, d.ChassisID = v[0], append([]byte(nil), v[1:]...)
			d.TTL = -1 // not seen yet
		} else {
			d.PortSub, d.PortID = v[0], append([]byte(nil), v[1:]...)
		}
	case tlvTTL:
		if len(v) < 2 {
			return fmt.Errorf("TTL TLV of length %d, want 2", len(v))
		}
		d.TTL = time.Duration(binary.BigEndian.Uint16(v)) * time.Second
	case tlvSystemName:
		d.SystemName = string(v)
	case tlvOrg:
		return d.org(v)
	}
	return nil
}

// org reads an organizationally specific TLV; only LLDP-MED's are used.
func (d *LLDPDU) org(v []byte) error {
	if len(v) < 4 {
		return fmt.Errorf("organizational TLV of length %d, want at least 4", len(v))
	}
	if [3]byte(v[0:3]) != medOUI {
		return nil
	}
	sub, v := v[3], v[4:]
	switch sub {
	case medCapabilities:
		if len(v) != 3 {
			return fmt.Errorf("LLDP-MED capabilities of %d bytes, want 3", len(v))
		}
		d.MED = &MEDCapabilities{Capabilities: binary.BigEndian.Uint16(v), DeviceType: v[2]}
	case medPolicy:
		if len(v) != 4 {
			return fmt.Errorf("LLDP-MED network policy of %d bytes, want 4", len(v))
		}
		// app(8) | U(1) T(1) X(1) VLAN(12) priority(3) DSCP(6)
		w := uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
		d.Policies = append(d.Policies, NetworkPolicy{
			App:      v[0],
			Unknown:  w&(1<<23) != 0,
			Tagged:   w&(1<<22) != 0,
			VLAN:     uint16(w >> 9 & 0xfff),
			Priority: uint8(w >> 6 & 7),
			DSCP:     uint8(w & 0x3f),
		})
	}
	return nil
}
