package media

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// ErrNotAcceptable means the peer's SDP cannot be honoured (no common codec,
// no acceptable crypto, SRTP required but not offered): SIP 488.
var ErrNotAcceptable = errors.New("media not acceptable")

// Direction is an SDP media direction; sendonly/inactive put a call on hold.
type Direction string

const (
	SendRecv Direction = "sendrecv"
	SendOnly Direction = "sendonly"
	RecvOnly Direction = "recvonly"
	Inactive Direction = "inactive"
)

func (d Direction) sends() bool    { return d == SendRecv || d == SendOnly }
func (d Direction) receives() bool { return d == SendRecv || d == RecvOnly }

func directionOf(send, recv bool) Direction {
	switch {
	case send && recv:
		return SendRecv
	case send:
		return SendOnly
	case recv:
		return RecvOnly
	}
	return Inactive
}

// SRTPPolicy says whether media must, may or must not be encrypted.
type SRTPPolicy int

const (
	SRTPOff      SRTPPolicy = iota // RTP/AVP, no a=crypto
	SRTPOptional                   // offer RTP/AVP with a=crypto (best effort), accept either
	SRTPRequired                   // offer RTP/SAVP, refuse plain RTP (488)
)

// MediaConfig is the phone's media policy for one line.
type MediaConfig struct {
	Codecs   []string // names in preference order: "PCMU", "PCMA", "G722"
	DTMFType uint8    // telephone-event payload type we offer, 0 = 101
	SRTP     SRTPPolicy
	Suites   []Suite // SRTP suite preference, nil = DefaultSuites
	PTime    int     // ms, 0 = 20
}

// Local is this side's media address and session identity.
type Local struct {
	Addr       netip.AddrPort // where we receive RTP
	Direction  Direction      // what we want (SendRecv, or SendOnly to hold)
	SessionID  uint64
	SessionVer uint64
}

// Negotiated is the outcome of offer/answer: what to send and expect.
type Negotiated struct {
	Codec        CodecInfo // first common codec: what we send
	DTMFType     uint8     // peer's telephone-event type, valid if DTMF
	DTMF         bool
	Remote       netip.AddrPort
	RemoteRTCP   netip.AddrPort // the peer's a=rtcp (RFC 3605), else Remote's port + 1
	Direction    Direction      // our direction
	SRTP         bool
	LocalCrypto  Crypto // protects what we send
	RemoteCrypto Crypto // unprotects what we receive
	PTime        int
}

// CodecInfo describes a static-payload audio codec as it appears in SDP.
type CodecInfo struct {
	Name      string
	Type      uint8
	SDPClock  int // clock in a=rtpmap (8000 for G.722 by RFC 3551's mistake)
	AudioRate int // PCM sample rate
}

var knownCodecs = map[string]CodecInfo{
	"PCMU": {"PCMU", 0, 8000, 8000},
	"PCMA": {"PCMA", 8, 8000, 8000},
	"G722": {"G722", 9, 8000, 16000},
}

func codecByName(n string) (CodecInfo, bool) {
	c, ok := knownCodecs[strings.ToUpper(n)]
	return c, ok
}

func (cfg MediaConfig) codecs() []CodecInfo {
	names := cfg.Codecs
	if len(names) == 0 {
		names = []string{"PCMU", "PCMA", "G722"}
	}
	var out []CodecInfo
	for _, n := range names {
		if c, ok := codecByName(n); ok {
			out = append(out, c)
		}
	}
	return out
}

func (cfg MediaConfig) dtmfType() uint8 {
	if cfg.DTMFType == 0 {
		return 101
	}
	return cfg.DTMFType
}

func (cfg MediaConfig) ptime() int {
	if cfg.PTime == 0 {
		return 20
	}
	return cfg.PTime
}

// Offer is an SDP offer we sent, kept to apply the answer.
type Offer struct {
	cfg    MediaConfig
	crypto []Crypto // what we offered, by tag
	SDP    []byte
}

// BuildOffer makes an audio offer for local under cfg.
func BuildOffer(cfg MediaConfig, local Local) (*Offer, error) {
	cs := cfg.codecs()
	if len(cs) == 0 {
		return nil, fmt.Errorf("build offer: no known codec in %v", cfg.Codecs)
	}
	o := &Offer{cfg: cfg}
	if cfg.SRTP != SRTPOff {
		prefs := cfg.Suites
		if len(prefs) == 0 {
			prefs = DefaultSuites
		}
		for i, s := range prefs {
			c, err := NewCrypto(i+1, s)
			if err != nil {
				return nil, fmt.Errorf("build offer: %w", err)
			}
			o.crypto = append(o.crypto, c)
		}
	}
	sd := newSession(local)
	md := mediaSection(local, cfg.SRTP == SRTPRequired, cs, cfg.dtmfType(), true, cfg.ptime(), o.crypto)
	sd.MediaDescriptions = append(sd.MediaDescriptions, md)
	b, err := sd.Marshal()
	if err != nil {
		return nil, fmt.Errorf("build offer: %w", err)
	}
	o.SDP = b
	return o, nil
}

func newSession(local Local) *sdp.SessionDescription {
	at := "IP4"
	if local.Addr.Addr().Is6() {
		at = "IP6"
	}
	addr := local.Addr.Addr().String()
	return &sdp.SessionDescription{
		Origin: sdp.Origin{Username: "-", SessionID: local.SessionID, SessionVersion: local.SessionVer,
			NetworkType: "IN", AddressType: at, UnicastAddress: addr},
		SessionName:           "-",
		ConnectionInformation: &sdp.ConnectionInformation{NetworkType: "IN", AddressType: at, Address: &sdp.Address{Address: addr}},
		TimeDescriptions:      []sdp.TimeDescription{{}},
	}
}

func mediaSection(local Local, savp bool, cs []CodecInfo, dtmf uint8, withDTMF bool, ptime int, crypto []Crypto) *sdp.MediaDescription {
	proto := []string{"RTP", "AVP"}
	if savp {
		proto = []string{"RTP", "SAVP"}
	}
	md := &sdp.MediaDescription{MediaName: sdp.MediaName{Media: "audio", Port: sdp.RangedPort{Value: int(local.Addr.Port())}, Protos: proto}}
	for _, c := range cs {
		md.MediaName.Formats = append(md.MediaName.Formats, strconv.Itoa(int(c.Type)))
		md.Attributes = append(md.Attributes, sdp.NewAttribute("rtpmap", fmt.Sprintf("%d %s/%d", c.Type, c.Name, c.SDPClock)))
	}
	if withDTMF {
		md.MediaName.Formats = append(md.MediaName.Formats, strconv.Itoa(int(dtmf)))
		md.Attributes = append(md.Attributes,
			sdp.NewAttribute("rtpmap", fmt.Sprintf("%d telephone-event/8000", dtmf)),
			sdp.NewAttribute("fmtp", fmt.Sprintf("%d 0-16", dtmf)))
	}
	md.Attributes = append(md.Attributes, sdp.NewAttribute("ptime", strconv.Itoa(ptime)))
	for _, c := range crypto {
		md.Attributes = append(md.Attributes, sdp.NewAttribute("crypto", c.Value()))
	}
	dir := local.Direction
	if dir == "" {
		dir = SendRecv
	}
	md.Attributes = append(md.Attributes, sdp.NewPropertyAttribute(string(dir)))
	return md
}

// remoteAudio is what we read from a peer's audio m-line.
type remoteAudio struct {
	index    int
	codecs   []CodecInfo // in the peer's order, with the peer's payload types
	dtmf     int         // -1 if none
	savp     bool
	crypto   []Crypto
	badCrypt []error
	dir      Direction
	addr     netip.AddrPort
	rtcp     netip.AddrPort
	ptime    int
}

// parseRTCPAttr reads an a=rtcp value (RFC 3605): "port" or "port IN IP4
// addr". Without an address the result has only the port.
func parseRTCPAttr(v string) (netip.AddrPort, error) {
	f := strings.Fields(v)
	if len(f) != 1 && len(f) != 4 {
		return netip.AddrPort{}, fmt.Errorf("a=rtcp %q: want port [IN IP4|IP6 address]", clip(v))
	}
	port, err := strconv.ParseUint(f[0], 10, 16)
	if err != nil || port == 0 {
		return netip.AddrPort{}, fmt.Errorf("a=rtcp %q: bad port", clip(v))
	}
	if len(f) == 1 {
		return netip.AddrPortFrom(netip.Addr{}, uint16(port)), nil
	}
	ip, err := netip.ParseAddr(f[3])
	if err != nil || f[1] != "IN" || (f[2] != "IP4" && f[2] != "IP6") {
		return netip.AddrPort{}, fmt.Errorf("a=rtcp %q: bad address", clip(v))
	}
	return netip.AddrPortFrom(ip, uint16(port)), nil
}

func parseSDP(b []byte) (*sdp.SessionDescription, error) {
	var sd sdp.SessionDescription
	if err := sd.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("parse SDP: %w", err)
	}
	return &sd, nil
}

// audioOf finds the first usable audio m-line.
func audioOf(sd *sdp.SessionDescription) (*remoteAudio, error) {
	for i, md := range sd.MediaDescriptions {
		if md.MediaName.Media != "audio" || md.MediaName.Port.Value == 0 {
			continue
		}
		proto := strings.Join(md.MediaName.Protos, "/")
		if proto != "RTP/AVP" && proto != "RTP/SAVP" {
			continue
		}
		ra := &remoteAudio{index: i, dtmf: -1, savp: proto == "RTP/SAVP", dir: SendRecv, ptime: 20}
		maps := map[int]string{}
		for _, a := range sd.Attributes {
			switch a.Key {
			case "sendrecv", "sendonly", "recvonly", "inactive":
				ra.dir = Direction(a.Key)
			}
		}
		for _, a := range md.Attributes {
			switch a.Key {
			case "rtpmap":
				pt, enc, ok := strings.Cut(a.Value, " ")
				if n, err := strconv.Atoi(pt); ok && err == nil {
					maps[n] = enc
				}
			case "crypto":
				c, err := ParseCrypto(a.Value)
				if err != nil {
					ra.badCrypt = append(ra.badCrypt, err)
					continue
				}
				ra.crypto = append(ra.crypto, c)
			case "sendrecv", "sendonly", "recvonly", "inactive":
				ra.dir = Direction(a.Key)
			case "ptime":
				if n, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil && n > 0 && n <= 200 {
					ra.ptime = n
				}
			case "rtcp":
				// A malformed a=rtcp is ignored: RTCP falls back to port + 1
				// rather than the call failing over it.
				ra.rtcp, _ = parseRTCPAttr(a.Value)
			}
		}
		for _, f := range md.MediaName.Formats {
			pt, err := strconv.Atoi(f)
			if err != nil || pt < 0 || pt > 127 {
				continue
			}
			enc, mapped := maps[pt]
			name, clock, _ := strings.Cut(enc, "/")
			clock, _, _ = strings.Cut(clock, "/")
			switch {
			case mapped && strings.EqualFold(name, "telephone-event") && clock == "8000":
				if ra.dtmf < 0 {
					ra.dtmf = pt
				}
			case mapped:
				if c, ok := codecByName(name); ok && clock == strconv.Itoa(c.SDPClock) {
					c.Type = uint8(pt)
					ra.codecs = append(ra.codecs, c)
				}
			default: // static payload type without rtpmap
				for _, c := range knownCodecs {
					if int(c.Type) == pt {
						ra.codecs = append(ra.codecs, c)
					}
				}
			}
		}
		ci := md.ConnectionInformation
		if ci == nil {
			ci = sd.ConnectionInformation
		}
		if ci == nil || ci.Address == nil {
			return nil, fmt.Errorf("%w: audio m-line %d has no connection address", ErrNotAcceptable, i)
		}
		ip, err := netip.ParseAddr(ci.Address.Address)
		if err != nil {
			return nil, fmt.Errorf("%w: audio connection address %q: %v", ErrNotAcceptable, clip(ci.Address.Address), err)
		}
		if ip.IsUnspecified() { // RFC 2543 hold: c=0.0.0.0
			ra.dir = directionOf(ra.dir.sends(), false)
		}
		if md.MediaName.Port.Value < 1 || md.MediaName.Port.Value > 65535 {
			return nil, fmt.Errorf("%w: audio port %d out of range", ErrNotAcceptable, md.MediaName.Port.Value)
		}
		ra.addr = netip.AddrPortFrom(ip, uint16(md.MediaName.Port.Value))
		switch {
		case ra.rtcp.Port() != 0 && !ra.rtcp.Addr().IsValid():
			ra.rtcp = netip.AddrPortFrom(ip, ra.rtcp.Port())
		case ra.rtcp.Port() == 0 && ra.addr.Port() < 65535:
			ra.rtcp = netip.AddrPortFrom(ip, ra.addr.Port()+1)
		}
		return ra, nil
	}
	return nil, fmt.Errorf("%w: no RTP/AVP or RTP/SAVP audio stream", ErrNotAcceptable)
}

// AnswerOffer answers a peer's offer: codecs in our order, our crypto choice,
// directions mirrored. An error wrapping ErrNotAcceptable maps to SIP 488.
func AnswerOffer(cfg MediaConfig, local Local, offer []byte) ([]byte, Negotiated, error) {
	sd, err := parseSDP(offer)
	if err != nil {
		return nil, Negotiated{}, fmt.Errorf("answer offer: %w", err)
	}
	ra, err := audioOf(sd)
	if err != nil {
		return nil, Negotiated{}, fmt.Errorf("answer offer: %w", err)
	}
	var common []CodecInfo
	for _, ours := range cfg.codecs() {
		for _, theirs := range ra.codecs {
			if theirs.Name == ours.Name {
				common = append(common, theirs)
				break
			}
		}
	}
	if len(common) == 0 {
		return nil, Negotiated{}, fmt.Errorf("answer offer: %w: no common codec", ErrNotAcceptable)
	}
	n := Negotiated{Codec: common[0], Remote: ra.addr, RemoteRTCP: ra.rtcp, PTime: ra.ptime}
	if ra.dtmf >= 0 {
		n.DTMF, n.DTMFType = true, uint8(ra.dtmf)
	}
	want := local.Direction
	if want == "" {
		want = SendRecv
	}
	n.Direction = directionOf(want.sends() && ra.dir.receives(), want.receives() && ra.dir.sends())

	var answerCrypto []Crypto
	switch {
	case cfg.SRTP == SRTPOff && ra.savp:
		return nil, Negotiated{}, fmt.Errorf("answer offer: %w: RTP/SAVP offered, SRTP disabled", ErrNotAcceptable)
	case cfg.SRTP != SRTPOff && len(ra.crypto) > 0:
		remote, ours, err := ChooseCrypto(ra.crypto, cfg.Suites)
		if err != nil {
			return nil, Negotiated{}, fmt.Errorf("answer offer: %w", err)
		}
		n.SRTP, n.RemoteCrypto, n.LocalCrypto = true, remote, ours
		answerCrypto = []Crypto{ours}
	case ra.savp:
		return nil, Negotiated{}, fmt.Errorf("answer offer: %w: RTP/SAVP without a usable a=crypto (%d malformed)", ErrNotAcceptable, len(ra.badCrypt))
	case cfg.SRTP == SRTPRequired:
		return nil, Negotiated{}, fmt.Errorf("answer offer: %w: SRTP required, offer has no a=crypto", ErrNotAcceptable)
	}

	ans := newSession(local)
	l := local
	l.Direction = n.Direction
	// Keep the offer's m-line count (RFC 3264): other streams are refused with port 0.
	for i, md := range sd.MediaDescriptions {
		if i == ra.index {
			ans.MediaDescriptions = append(ans.MediaDescriptions,
				mediaSection(l, ra.savp, common, n.DTMFType, n.DTMF, cfg.ptime(), answerCrypto))
			continue
		}
		ans.MediaDescriptions = append(ans.MediaDescriptions, &sdp.MediaDescription{MediaName: sdp.MediaName{
			Media: md.MediaName.Media, Port: sdp.RangedPort{Value: 0}, Protos: md.MediaName.Protos, Formats: md.MediaName.Formats}})
	}
	b, err := ans.Marshal()
	if err != nil {
		return nil, Negotiated{}, fmt.Errorf("answer offer: %w", err)
	}
	return b, n, nil
}

// ApplyAnswer reads the peer's answer to o.
func (o *Offer) ApplyAnswer(answer []byte, local Local) (Negotiated, error) {
	sd, err := parseSDP(answer)
	if err != nil {
		return Negotiated{}, fmt.Errorf("apply answer: %w", err)
	}
	ra, err := audioOf(sd)
	if err != nil {
		return Negotiated{}, fmt.Errorf("apply answer: %w", err)
	}
	var codec *CodecInfo
	for _, theirs := range ra.codecs {
		for _, ours := range o.cfg.codecs() {
			if theirs.Name == ours.Name {
				codec = &theirs
				break
			}
		}
		if codec != nil {
			break
		}
	}
	if codec == nil {
		return Negotiated{}, fmt.Errorf("apply answer: %w: answer has none of our codecs", ErrNotAcceptable)
	}
	n := Negotiated{Codec: *codec, Remote: ra.addr, RemoteRTCP: ra.rtcp, PTime: ra.ptime}
	if ra.dtmf >= 0 {
		n.DTMF, n.DTMFType = true, uint8(ra.dtmf)
	}
	want := local.Direction
	if want == "" {
		want = SendRecv
	}
	n.Direction = directionOf(want.sends() && ra.dir.receives(), want.receives() && ra.dir.sends())
	switch {
	case len(ra.crypto) > 0 && o.cfg.SRTP != SRTPOff:
		if len(ra.crypto) != 1 {
			return Negotiated{}, fmt.Errorf("apply answer: %w: answer has %d a=crypto lines, want 1", ErrNotAcceptable, len(ra.crypto))
		}
		rc := ra.crypto[0]
		var mine *Crypto
		for i := range o.crypto {
			if o.crypto[i].Tag == rc.Tag {
				mine = &o.crypto[i]
			}
		}
		if mine == nil || mine.Suite != rc.Suite {
			return Negotiated{}, fmt.Errorf("apply answer: %w: answer crypto tag %d/%s was not offered", ErrNotAcceptable, rc.Tag, rc.Suite)
		}
		n.SRTP, n.LocalCrypto, n.RemoteCrypto = true, *mine, rc
	case ra.savp || o.cfg.SRTP == SRTPRequired:
		return Negotiated{}, fmt.Errorf("apply answer: %w: SRTP required, answer has no usable a=crypto", ErrNotAcceptable)
	}
	return n, nil
}
