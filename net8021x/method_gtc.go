package net8021x

// gtcMethod is EAP-GTC (RFC 3748 5.6): the server shows a prompt, the peer
// answers with the password in the clear, so it only runs inside a tunnel.
type gtcMethod struct{ cfg *Config }

var _ Method = (*gtcMethod)(nil)

func newGTC(cfg *Config) *gtcMethod { return &gtcMethod{cfg: cfg} }

func (m *gtcMethod) Type() uint8              { return typeGTC }
func (m *gtcMethod) Name() string             { return "GTC" }
func (m *gtcMethod) Keys() (msk, emsk []byte) { return nil, nil }
func (m *gtcMethod) Close() error             { return nil }

func (m *gtcMethod) Process(id uint8, data []byte) (Step, error) {
	m.cfg.logger().Debug("802.1X GTC prompt", "prompt", printable(data))
	return Step{Response: []byte(m.cfg.Password), State: MethodDone, Decision: DecisionCondSucc}, nil
}
