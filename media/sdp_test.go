package media

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// A baresip-style SRTP offer (RTP/SAVP, one AES_CM_128_HMAC_SHA1_80 line),
// with two extra crypto lines to check that every a=crypto is read.
const peerOffer = "v=0\r\n" +
	"o=- 123 456 IN IP4 127.0.0.1\r\n" +
	"s=-\r\n" +
	"c=IN IP4 127.0.0.1\r\n" +
	"t=0 0\r\n" +
	"m=audio 40000 RTP/SAVP 9 8 0 96\r\n" +
	"a=rtpmap:9 G722/8000\r\n" +
	"a=rtpmap:8 PCMA/8000\r\n" +
	"a=rtpmap:0 PCMU/8000\r\n" +
	"a=rtpmap:96 telephone-event/8000\r\n" +
	"a=fmtp:96 0-15\r\n" +
	"a=crypto:1 AEAD_AES_256_GCM inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\r\n" +
	"a=crypto:2 F8_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n" +
	"a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n" +
	"a=sendrecv\r\n" +
	"a=ptime:20\r\n"

var (
	localA = Local{Addr: netip.MustParseAddrPort("127.0.0.1:30000"), SessionID: 1, SessionVer: 1}
	localB = Local{Addr: netip.MustParseAddrPort("127.0.0.1:30002"), SessionID: 2, SessionVer: 1}
)

func TestAnswerPeerOffer(t *testing.T) {
	cfg := MediaConfig{Codecs: []string{"PCMU", "PCMA", "G722"}, SRTP: SRTPRequired}
	ans, n, err := AnswerOffer(cfg, localB, []byte(peerOffer))
	if err != nil {
		t.Fatal(err)
	}
	if n.Codec.Name != "PCMU" || n.Codec.Type != 0 {
		t.Errorf("codec %+v, want PCMU/0 (our order)", n.Codec)
	}
	if !n.DTMF || n.DTMFType != 96 {
		t.Errorf("dtmf %v/%d, want the offer's 96", n.DTMF, n.DTMFType)
	}
	if !n.SRTP || n.RemoteCrypto.Tag != 3 || n.LocalCrypto.Suite != AES_CM_128_HMAC_SHA1_80 {
		t.Errorf("crypto remote %v local %v, want tag 3 AES_CM_128_HMAC_SHA1_80", n.RemoteCrypto, n.LocalCrypto)
	}
	if n.Remote != netip.MustParseAddrPort("127.0.0.1:40000") || n.Direction != SendRecv || n.PTime != 20 {
		t.Errorf("remote %v dir %v ptime %d", n.Remote, n.Direction, n.PTime)
	}
	s := string(ans)
	for _, want := range []string{"m=audio 30002 RTP/SAVP 0 8 9 96", "a=rtpmap:9 G722/8000", "a=rtpmap:96 telephone-event/8000",
		"a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:", "a=ptime:20", "a=sendrecv", "c=IN IP4 127.0.0.1"} {
		if !strings.Contains(s, want) {
			t.Errorf("answer lacks %q:\n%s", want, s)
		}
	}
	if strings.Count(s, "a=crypto:") != 1 {
		t.Errorf("answer must carry exactly one crypto line:\n%s", s)
	}
}

func TestOfferAnswerRoundTrip(t *testing.T) {
	for _, policy := range []SRTPPolicy{SRTPOff, SRTPOptional, SRTPRequired} {
		cfgA := MediaConfig{Codecs: []string{"G722", "PCMA"}, SRTP: policy}
		cfgB := MediaConfig{Codecs: []string{"PCMA", "G722", "PCMU"}, SRTP: policy}
		off, err := BuildOffer(cfgA, localA)
		if err != nil {
			t.Fatal(err)
		}
		proto := map[SRTPPolicy]string{SRTPOff: "RTP/AVP", SRTPOptional: "RTP/AVP", SRTPRequired: "RTP/SAVP"}[policy]
		if !strings.Contains(string(off.SDP), "m=audio 30000 "+proto+" 9 8 101") {
			t.Fatalf("policy %d: offer m-line:\n%s", policy, off.SDP)
		}
		ans, nb, err := AnswerOffer(cfgB, localB, off.SDP)
		if err != nil {
			t.Fatalf("policy %d: %v", policy, err)
		}
		na, err := off.ApplyAnswer(ans, localA)
		if err != nil {
			t.Fatalf("policy %d: apply: %v", policy, err)
		}
		// B answers in its order (PCMA first); A sends what the answer lists first.
		if nb.Codec.Name != "PCMA" || na.Codec.Name != "PCMA" {
			t.Errorf("policy %d: codecs A %s B %s", policy, na.Codec.Name, nb.Codec.Name)
		}
		if na.Remote != localB.Addr || nb.Remote != localA.Addr {
			t.Errorf("policy %d: remotes %v %v", policy, na.Remote, nb.Remote)
		}
		wantSRTP := policy != SRTPOff
		if na.SRTP != wantSRTP || nb.SRTP != wantSRTP {
			t.Fatalf("policy %d: srtp A %v B %v", policy, na.SRTP, nb.SRTP)
		}
		if wantSRTP {
			if !bytes.Equal(na.LocalCrypto.Key, nb.RemoteCrypto.Key) || !bytes.Equal(nb.LocalCrypto.Key, na.RemoteCrypto.Key) {
				t.Errorf("policy %d: keys do not cross", policy)
			}
			if na.LocalCrypto.Suite != AES_CM_128_HMAC_SHA1_80 {
				t.Errorf("policy %d: suite %s", policy, na.LocalCrypto.Suite)
			}
		}
	}
}

func TestHoldDirections(t *testing.T) {
	cfg := MediaConfig{}
	for _, c := range []struct{ offerer, answerer, wantA, wantB Direction }{
		{SendOnly, SendRecv, SendOnly, RecvOnly},
		{Inactive, SendRecv, Inactive, Inactive},
		{RecvOnly, SendRecv, RecvOnly, SendOnly},
		{SendRecv, SendOnly, RecvOnly, SendOnly}, // the answerer holds
		{SendRecv, SendRecv, SendRecv, SendRecv},
	} {
		la, lb := localA, localB
		la.Direction, lb.Direction = c.offerer, c.answerer
		off, err := BuildOffer(cfg, la)
		if err != nil {
			t.Fatal(err)
		}
		ans, nb, err := AnswerOffer(cfg, lb, off.SDP)
		if err != nil {
			t.Fatal(err)
		}
		na, err := off.ApplyAnswer(ans, la)
		if err != nil {
			t.Fatal(err)
		}
		if na.Direction != c.wantA || nb.Direction != c.wantB {
			t.Errorf("%s/%s: got A %s B %s, want %s %s", c.offerer, c.answerer, na.Direction, nb.Direction, c.wantA, c.wantB)
		}
		if !strings.Contains(string(ans), "a="+string(c.wantB)) {
			t.Errorf("answer lacks a=%s:\n%s", c.wantB, ans)
		}
	}
	// RFC 2543 hold: c=0.0.0.0 means the peer will not receive.
	old := strings.Replace(strings.Replace(peerOffer, "c=IN IP4 127.0.0.1", "c=IN IP4 0.0.0.0", 1), "RTP/SAVP", "RTP/AVP", 1)
	_, n, err := AnswerOffer(MediaConfig{SRTP: SRTPOptional}, localB, []byte(old))
	if err != nil || n.Direction != RecvOnly {
		t.Fatalf("c=0.0.0.0 hold: dir %s err %v", n.Direction, err)
	}
}

func TestAnswerRefusals(t *testing.T) {
	plain := strings.NewReplacer("RTP/SAVP", "RTP/AVP").Replace(peerOffer)
	var noCrypto []string
	for _, l := range strings.Split(plain, "\r\n") {
		if !strings.HasPrefix(l, "a=crypto") {
			noCrypto = append(noCrypto, l)
		}
	}
	plainNoCrypto := strings.Join(noCrypto, "\r\n")
	savpNoCrypto := strings.Replace(plainNoCrypto, "RTP/AVP", "RTP/SAVP", 1)
	cases := []struct {
		name  string
		cfg   MediaConfig
		offer string
		want  string
	}{
		{"srtp required, offer without crypto", MediaConfig{SRTP: SRTPRequired}, plainNoCrypto, "SRTP required"},
		{"savp offered, srtp off", MediaConfig{SRTP: SRTPOff}, peerOffer, "SRTP disabled"},
		{"savp without crypto", MediaConfig{SRTP: SRTPOptional}, savpNoCrypto, "RTP/SAVP without"},
		{"no common codec", MediaConfig{Codecs: []string{"G722"}, SRTP: SRTPRequired}, strings.Replace(peerOffer, "9 8 0 96", "8 0 96", 1), "no common codec"},
		{"only unusable suites", MediaConfig{SRTP: SRTPRequired, Suites: []Suite{AES_CM_128_HMAC_SHA1_32}}, peerOffer, "no offered crypto"},
	}
	for _, c := range cases {
		_, _, err := AnswerOffer(c.cfg, localB, []byte(c.offer))
		if !errors.Is(err, ErrNotAcceptable) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want ErrNotAcceptable mentioning %q", c.name, err, c.want)
		}
	}
	// Plain offer, SRTP optional: plain answer.
	_, n, err := AnswerOffer(MediaConfig{SRTP: SRTPOptional}, localB, []byte(plainNoCrypto))
	if err != nil || n.SRTP {
		t.Fatalf("optional + plain offer: srtp %v err %v", n.SRTP, err)
	}
	if _, _, err := AnswerOffer(MediaConfig{}, localB, []byte("garbage")); err == nil || errors.Is(err, ErrNotAcceptable) {
		t.Fatalf("garbage: %v (want a parse error)", err)
	}
}

func TestApplyAnswerRejectsUnofferedCrypto(t *testing.T) {
	off, err := BuildOffer(MediaConfig{SRTP: SRTPRequired, Suites: []Suite{AES_CM_128_HMAC_SHA1_80}}, localA)
	if err != nil {
		t.Fatal(err)
	}
	// An answer naming tag 1 with another suite.
	ans := strings.Replace(peerOffer, "a=crypto:1 AEAD_AES_256_GCM", "a=crypto:9 AEAD_AES_256_GCM", 1)
	ans = strings.Replace(ans, "a=crypto:2 F8_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n", "", 1)
	ans = strings.Replace(ans, "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n", "", 1)
	if _, err := off.ApplyAnswer([]byte(ans), localA); !errors.Is(err, ErrNotAcceptable) {
		t.Fatalf("err %v", err)
	}
}

func FuzzAnswerOffer(f *testing.F) {
	f.Add([]byte(peerOffer))
	f.Add([]byte(strings.Replace(peerOffer, "RTP/SAVP", "RTP/AVP", 1)))
	off, _ := BuildOffer(MediaConfig{SRTP: SRTPOptional}, localA)
	f.Add(off.SDP)
	cfgs := []MediaConfig{{SRTP: SRTPRequired}, {SRTP: SRTPOptional}, {SRTP: SRTPOff}}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, cfg := range cfgs {
			ans, n, err := AnswerOffer(cfg, localB, b)
			if err != nil {
				continue
			}
			if cfg.SRTP == SRTPRequired && !n.SRTP {
				t.Fatal("SRTP required but negotiated plain RTP")
			}
			// Our own answer must be acceptable to an offerer speaking our codecs.
			if _, err := parseSDP(ans); err != nil {
				t.Fatalf("our answer does not parse: %v", err)
			}
		}
		if off != nil {
			_, _ = off.ApplyAnswer(b, localA)
		}
	})
}

func TestRemoteRTCPAddress(t *testing.T) {
	cfg := MediaConfig{Codecs: []string{"PCMU"}, SRTP: SRTPOptional}
	for _, c := range []struct{ attr, want string }{
		{"", "127.0.0.1:40001"},                              // RFC 3550: the next port
		{"a=rtcp:40011\r\n", "127.0.0.1:40011"},              // RFC 3605, port only
		{"a=rtcp:5000 IN IP4 10.0.0.7\r\n", "10.0.0.7:5000"}, // and address
		{"a=rtcp:banana\r\n", "127.0.0.1:40001"},             // malformed: ignored
		{"a=rtcp:0\r\n", "127.0.0.1:40001"},
		{"a=rtcp:5000 IN IP9 10.0.0.7\r\n", "127.0.0.1:40001"},
	} {
		_, n, err := AnswerOffer(cfg, localB, []byte(peerOffer+c.attr))
		if err != nil {
			t.Fatalf("%q: %v", c.attr, err)
		}
		if n.RemoteRTCP != netip.MustParseAddrPort(c.want) {
			t.Errorf("%q: RTCP to %v, want %s", c.attr, n.RemoteRTCP, c.want)
		}
	}
}
