package sipcore

import (
	"bytes"
	"strings"

	"deskphone/media"
)

// Re-INVITEs keep our SRTP master key. RFC 4568 lets an offer or answer in
// an established session reuse the key in use, and peers such as baresip
// 1.0 keep decrypting with the first key they learnt: a fresh key from
// media.BuildOffer or AnswerOffer would make every packet after a hold
// fail authentication there. keepKey puts the key in use back into the
// SDP, in each a=crypto line of the same suite (the tag stays the
// line's), and Negotiated follows.

// keepKey rewrites sdp so the a=crypto lines of key's suite carry key.
func keepKey(sdp []byte, key media.Crypto) []byte {
	if len(key.Key) == 0 {
		return sdp
	}
	lines := strings.SplitAfter(string(sdp), "\n")
	for i, l := range lines {
		body, ok := strings.CutPrefix(strings.TrimRight(l, "\r\n"), "a=crypto:")
		if !ok {
			continue
		}
		c, err := media.ParseCrypto(body)
		if err != nil || c.Suite != key.Suite {
			continue
		}
		k := key
		k.Tag = c.Tag
		lines[i] = "a=crypto:" + k.Value() + l[len(strings.TrimRight(l, "\r\n")):]
	}
	return []byte(strings.Join(lines, ""))
}

// keptKey fixes n after keepKey: when the suite chosen is the one whose
// key we kept, our key is the kept one (under the negotiated tag).
func keptKey(n media.Negotiated, key media.Crypto) media.Negotiated {
	if n.SRTP && len(key.Key) > 0 && n.LocalCrypto.Suite == key.Suite {
		tag := n.LocalCrypto.Tag
		n.LocalCrypto = key
		n.LocalCrypto.Tag = tag
	}
	return n
}

// sameKey reports whether a and b are the same key of the same suite
// (tags aside).
func sameKey(a, b media.Crypto) bool {
	return a.Suite == b.Suite && bytes.Equal(a.Key, b.Key) && bytes.Equal(a.Salt, b.Salt) && a.MKI == b.MKI && a.MKILen == b.MKILen
}

// sdpDirection is the direction an SDP body states for its first audio
// stream (a media-level attribute over a session-level one), sendrecv
// when it states none: what the peer answered to our hold.
func sdpDirection(body []byte) media.Direction {
	const session, audio, other = 0, 1, 2
	dir, audioDir, section := media.SendRecv, media.Direction(""), session
	for _, l := range strings.Split(string(body), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "m=") {
			if section == audio {
				break // the first audio stream is done
			}
			section = other
			if strings.HasPrefix(l, "m=audio ") {
				section = audio
			}
			continue
		}
		a, ok := strings.CutPrefix(l, "a=")
		if !ok {
			continue
		}
		switch d := media.Direction(a); d {
		case media.SendRecv, media.SendOnly, media.RecvOnly, media.Inactive:
			switch section {
			case session:
				dir = d
			case audio:
				audioDir = d
			}
		}
	}
	if audioDir != "" {
		return audioDir
	}
	return dir
}
