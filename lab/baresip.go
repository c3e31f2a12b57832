package lab

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// UA is a headless baresip user agent run by the lab: it registers to the
// PBX, answers automatically, requires SRTP (SDES) and sends an audio file.
// It is driven through its ctrl_tcp module.
type UA struct {
	*Process
	User     Login
	Addr     string // its SIP address (UDP/TCP port Port, TLS Port+1)
	Port     int
	CtrlPort int // ctrl_tcp on Addr
	Dir      string

	token atomic.Int64
}

// UAOptions configure a baresip.
type UAOptions struct {
	Name      string // unique within the lab: the log and config directory name
	NS        string
	Addr      string // must be configured in NS
	Port      int    // SIP port (default 5060)
	User      Login
	Transport string // "udp" (default), "tcp" or "tls"
	MediaEnc  string // default "srtp-mand"; "none" for plain RTP
	Audio     string // WAV to send (default the lab's AudioFile)
	// Codecs is baresip's audio_codecs (default "PCMU,PCMA"); G.722 must be
	// written "G722/16000/1" (a bare G722 offers everything) and wants a
	// 16 kHz Audio file.
	Codecs string
	// AnswerMode is baresip's answermode: "auto" (default) or "manual"
	// (a call rings until answered or cancelled).
	AnswerMode string
}

var (
	reRegistered = regexp.MustCompile(`\{0/[A-Z]+/v4\} 200 OK`)
	reRegResult  = regexp.MustCompile(`\{0/[A-Z]+/v4\} 200 OK|reg: [^\n]*: [3-6][0-9][0-9] |register failed`)
)

// StartUA starts a baresip in a namespace and waits until it registered.
func (l *Lab) StartUA(ctx context.Context, o UAOptions) (*UA, error) {
	if o.Port == 0 {
		o.Port = 5060
	}
	if o.Transport == "" {
		o.Transport = "udp"
	}
	if o.MediaEnc == "" {
		o.MediaEnc = "srtp-mand"
	}
	if o.Audio == "" {
		o.Audio = l.AudioFile
	}
	if o.Codecs == "" {
		o.Codecs = "PCMU,PCMA"
	}
	if o.AnswerMode == "" {
		o.AnswerMode = "auto"
	}
	ua := &UA{User: o.User, Addr: o.Addr, Port: o.Port, CtrlPort: 4444, Dir: filepath.Join(l.Dir, "baresip-"+o.Name)}
	if err := os.MkdirAll(ua.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("start baresip %s: %w", o.Name, err)
	}
	conf := fmt.Sprintf(`# deskphone lab baresip (written by the lab)
poll_method		epoll
sip_listen		%[1]s:%[2]d
sip_cafile		%[3]s
net_interface		%[1]s
call_local_timeout	120
call_max_calls		4
audio_player		aubridge,null
audio_source		aufile,%[4]s
audio_alert		aubridge,null
audio_level		no
audio_buffer		20-160
rtp_ports		20000-20999
rtcp_mux		no
jitter_buffer_delay	5-10
rtp_stats		yes
snd_path		%[5]s
module_path		/usr/lib/baresip/modules
module			g711.so
module			g722.so
module			aufile.so
module			aubridge.so
module			srtp.so
module			sndfile.so
module_tmp		uuid.so
module_tmp		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		%[1]s:%[6]d
`, o.Addr, o.Port, l.PKI.CA.Cert, o.Audio, ua.Dir, ua.CtrlPort)
	pbxPort := l.PBX.UDPPort
	if o.Transport == "tls" {
		pbxPort = l.PBX.TLSPort
	}
	enc := ""
	if o.MediaEnc != "none" {
		enc = ";mediaenc=" + o.MediaEnc
	}
	acct := fmt.Sprintf("<sip:%s@%s;transport=%s>;auth_user=%s;auth_pass=%s;answermode=%s;outbound=\"sip:%s:%d;transport=%s\";regint=300;audio_codecs=%s%s\n",
		o.User.User, l.PBX.Host, o.Transport, o.User.User, o.User.Password, o.AnswerMode, l.PBX.Addr, pbxPort, o.Transport, o.Codecs, enc)
	for name, body := range map[string]string{"config": conf, "accounts": acct, "contacts": ""} {
		if err := os.WriteFile(filepath.Join(ua.Dir, name), []byte(body), 0o600); err != nil {
			return nil, fmt.Errorf("start baresip %s: %w", o.Name, err)
		}
	}
	p, err := l.spawn("baresip-"+o.Name, o.NS, "baresip", "-f", ua.Dir)
	if err != nil {
		return nil, err
	}
	p.grace = 300 * time.Millisecond // it lingers seconds on SIGTERM; de-registering is not needed
	ua.Process = p
	if err := p.WaitOutput(ctx, reRegResult); err != nil {
		return ua, fmt.Errorf("baresip %s register: %w", o.Name, err)
	}
	if !reRegistered.Match(p.output()) {
		return ua, fmt.Errorf("baresip %s register refused: %s", o.Name, tail(p.output(), 3))
	}
	return ua, nil
}

// ctrl opens the UA's ctrl_tcp connection (inside its namespace).
func (ua *UA) ctrl(ctx context.Context) (net.Conn, error) {
	return DialContext(ctx, ua.NS, "tcp", net.JoinHostPort(ua.Addr, strconv.Itoa(ua.CtrlPort)))
}

// Command sends a baresip command (e.g. "dial", "sip:1002@pbx.lab.test";
// "hangup") and returns its response text.
func (ua *UA) Command(ctx context.Context, cmd, params string) (string, error) {
	c, err := ua.ctrl(ctx)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	tok := strconv.FormatInt(ua.token.Add(1), 10)
	req, _ := json.Marshal(map[string]string{"command": cmd, "params": params, "token": tok})
	if _, err := c.Write(netstring(req)); err != nil {
		return "", fmt.Errorf("baresip %s: %w", cmd, err)
	}
	r := bufio.NewReader(c)
	for {
		msg, err := readNetstring(r)
		if err != nil {
			return "", fmt.Errorf("baresip %s: %w", cmd, err)
		}
		var m struct {
			Response bool   `json:"response"`
			OK       bool   `json:"ok"`
			Data     string `json:"data"`
			Token    string `json:"token"`
		}
		if json.Unmarshal(msg, &m) != nil || !m.Response {
			continue
		}
		if !m.OK {
			return m.Data, fmt.Errorf("baresip %s %s: %s", cmd, params, strings.TrimSpace(m.Data))
		}
		return m.Data, nil
	}
}

// Event is one baresip event from ctrl_tcp (type e.g. CALL_ESTABLISHED,
// CALL_MENC, CALL_CLOSED, REGISTER_OK).
type Event struct {
	Type  string `json:"type"`
	Class string `json:"class"`
	Param string `json:"param"`
	Peer  string `json:"peeruri"`
	Raw   string `json:"-"`
}

// Events streams the UA's events to fn until fn returns true (done), the
// context ends or the connection fails.
func (ua *UA) Events(ctx context.Context, fn func(Event) bool) error {
	c, err := ua.Ctrl(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Events(ctx, fn)
}

// Ctrl is one ctrl_tcp connection for both commands and events: baresip
// keeps a single control connection, and a new one (Command, Events)
// drops the last, so a test that sends commands while it follows events
// uses one Ctrl.
type Ctrl struct {
	c     net.Conn
	r     *bufio.Reader
	token *atomic.Int64
}

// Ctrl opens the UA's control connection; Close it when done.
func (ua *UA) Ctrl(ctx context.Context) (*Ctrl, error) {
	c, err := ua.ctrl(ctx)
	if err != nil {
		return nil, err
	}
	return &Ctrl{c: c, r: bufio.NewReader(c), token: &ua.token}, nil
}

// Send sends a command without waiting for its response (it arrives on
// the event stream, where Events skips it).
func (c *Ctrl) Send(cmd, params string) error {
	tok := strconv.FormatInt(c.token.Add(1), 10)
	req, _ := json.Marshal(map[string]string{"command": cmd, "params": params, "token": tok})
	if _, err := c.c.Write(netstring(req)); err != nil {
		return fmt.Errorf("baresip %s: %w", cmd, err)
	}
	return nil
}

// Events streams events to fn until it returns true, ctx ends or the
// connection fails. One goroutine at a time reads.
func (c *Ctrl) Events(ctx context.Context, fn func(Event) bool) error {
	stop := context.AfterFunc(ctx, func() { _ = c.c.SetReadDeadline(time.Now()) })
	defer stop()
	for {
		msg, err := readNetstring(c.r)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("baresip events: %w", err)
		}
		var e Event
		if json.Unmarshal(msg, &e) != nil || e.Type == "" {
			continue
		}
		e.Raw = string(msg)
		if fn(e) {
			return nil
		}
	}
}

// Close closes the connection.
func (c *Ctrl) Close() error { return c.c.Close() }

// netstring frames b as "len:b,".
func netstring(b []byte) []byte {
	return append(append([]byte(strconv.Itoa(len(b))+":"), b...), ',')
}

// maxNetstring bounds one ctrl_tcp message.
const maxNetstring = 1 << 20

// readNetstring reads one "len:data," frame.
func readNetstring(r *bufio.Reader) ([]byte, error) {
	head, err := r.ReadString(':')
	if err != nil {
		return nil, err
	}
	head = strings.TrimSpace(head[:len(head)-1])
	n, err := strconv.Atoi(head)
	if err != nil || n < 0 || n > maxNetstring {
		return nil, fmt.Errorf("bad netstring length %q", head)
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	if buf[n] != ',' {
		return nil, errors.New("netstring not terminated by ','")
	}
	return buf[:n], nil
}

// Recordings lists the WAV files baresip's sndfile module wrote: one
// "-enc" (sent) and one "-dec" (received) per call.
func (ua *UA) Recordings() ([]string, error) {
	return filepath.Glob(filepath.Join(ua.Dir, "dump-*.wav"))
}

func (l *Lab) startRemote(ctx context.Context) ([]*Process, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ua, err := l.StartUA(ctx, UAOptions{Name: "remote", NS: l.ServicesNS, Addr: l.Remote.Addr, Port: l.Remote.Port, User: l.Remote.User})
	l.RemoteUA = ua
	if ua == nil {
		return nil, err
	}
	return []*Process{ua.Process}, err
}
