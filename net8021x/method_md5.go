package net8021x

import "crypto/md5"

// md5Method is EAP-MD5-Challenge (RFC 3748 5.4): CHAP over EAP.
type md5Method struct{ cfg *Config }

var _ Method = (*md5Method)(nil)

func newMD5(cfg *Config) *md5Method { return &md5Method{cfg: cfg} }

func (m *md5Method) Type() uint8              { return typeMD5 }
func (m *md5Method) Name() string             { return "MD5" }
func (m *md5Method) Keys() (msk, emsk []byte) { return nil, nil }
func (m *md5Method) Close() error             { return nil }

func (m *md5Method) Process(id uint8, data []byte) (Step, error) {
	if len(data) < 1 {
		return Step{}, discardf("MD5 challenge without a value-size")
	}
	n := int(data[0])
	if n == 0 {
		return Step{}, discardf("MD5 challenge of zero length")
	}
	if 1+n > len(data) {
		return Step{}, discardf("MD5 value-size %d past the %d bytes received", n, len(data)-1)
	}
	return Step{Response: md5Response(id, m.cfg.Password, data[1:1+n]), State: MethodDone, Decision: DecisionCondSucc}, nil
}

// md5Response is value-size 16 and MD5(id || password || challenge) (RFC 1994 4.1).
func md5Response(id uint8, password string, challenge []byte) []byte {
	h := md5.New()
	h.Write([]byte{id})
	h.Write([]byte(password))
	h.Write(challenge)
	return h.Sum([]byte{16})
}
