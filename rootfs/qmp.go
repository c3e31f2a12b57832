package rootfs

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net"
	"os"
	"path/filepath"
	"time"
)

// QMP is a client of QEMU's machine protocol: one command at a time, the
// asynchronous events skipped.
type QMP struct {
	conn net.Conn
	r    *bufio.Reader
}

// DialQMP connects to QEMU's QMP socket, retrying until ctx is done (QEMU
// creates it a moment after it starts), and leaves capabilities
// negotiation mode.
func DialQMP(ctx context.Context, path string) (*QMP, error) {
	var d net.Dialer
	for {
		c, err := d.DialContext(ctx, "unix", path)
		if err == nil {
			q := &QMP{conn: c, r: bufio.NewReader(c)}
			if _, err := q.readReply(); err != nil { // the greeting
				c.Close()
				return nil, fmt.Errorf("qmp %s: greeting: %w", path, err)
			}
			if _, err := q.Do(ctx, "qmp_capabilities", nil); err != nil {
				c.Close()
				return nil, err
			}
			return q, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("qmp %s: %w", path, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Close closes the connection.
func (q *QMP) Close() error { return q.conn.Close() }

// qmpMessage is one line from QEMU: a greeting, an event, or a reply.
type qmpMessage struct {
	QMP    json.RawMessage `json:"QMP"`
	Event  string          `json:"event"`
	Return json.RawMessage `json:"return"`
	Error  *struct {
		Class string `json:"class"`
		Desc  string `json:"desc"`
	} `json:"error"`
}

// parseQMP parses one line QEMU sent.
func parseQMP(line []byte) (qmpMessage, error) {
	var m qmpMessage
	if err := json.Unmarshal(line, &m); err != nil {
		return m, fmt.Errorf("qmp: bad message: %w", err)
	}
	if m.QMP == nil && m.Event == "" && m.Return == nil && m.Error == nil {
		return m, errors.New("qmp: message is neither greeting, event nor reply")
	}
	return m, nil
}

func (q *QMP) readReply() (qmpMessage, error) {
	for {
		line, err := q.r.ReadBytes('\n')
		if err != nil {
			return qmpMessage{}, err
		}
		m, err := parseQMP(line)
		if err != nil {
			return m, err
		}
		if m.Event == "" {
			return m, nil
		}
	}
}

// Do runs one command and returns its result.
func (q *QMP) Do(ctx context.Context, command string, args any) (json.RawMessage, error) {
	if dl, ok := ctx.Deadline(); ok {
		q.conn.SetDeadline(dl)
	} else {
		q.conn.SetDeadline(time.Time{})
	}
	req := map[string]any{"execute": command}
	if args != nil {
		req["arguments"] = args
	}
	b, _ := json.Marshal(req)
	if _, err := q.conn.Write(append(b, '\n')); err != nil {
		return nil, fmt.Errorf("qmp %s: %w", command, err)
	}
	m, err := q.readReply()
	if err != nil {
		return nil, fmt.Errorf("qmp %s: %w", command, err)
	}
	if m.Error != nil {
		return nil, fmt.Errorf("qmp %s: %s: %s", command, m.Error.Class, m.Error.Desc)
	}
	return m.Return, nil
}

// Screendump is what the guest shows on the panel, as QEMU renders it.
func (q *QMP) Screendump(ctx context.Context) (image.Image, error) {
	dir, err := os.MkdirTemp("", "screendump")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "screen.png")
	if _, err := q.Do(ctx, "screendump", map[string]any{"filename": file, "format": "png"}); err != nil {
		return nil, err
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("screendump: %w", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("screendump: %w", err)
	}
	return img, nil
}

// PressKeys presses and releases each key in turn through the virtio
// keyboard (QEMU's qcode names: "home", "down", "ret", "2", "f1", ...),
// pausing between keys as a finger would.
func (q *QMP) PressKeys(ctx context.Context, pause time.Duration, qcodes ...string) error {
	for _, k := range qcodes {
		ev := func(down bool) map[string]any {
			return map[string]any{"type": "key", "data": map[string]any{"down": down,
				"key": map[string]any{"type": "qcode", "data": k}}}
		}
		if _, err := q.Do(ctx, "input-send-event", map[string]any{"events": []any{ev(true), ev(false)}}); err != nil {
			return fmt.Errorf("press %s: %w", k, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
	return nil
}
