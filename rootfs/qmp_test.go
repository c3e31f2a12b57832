package rootfs

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeQEMU answers QMP on a unix socket like QEMU: a greeting, an event
// between replies, and an error for an unknown command. It records the
// commands it got.
func fakeQEMU(t *testing.T) (string, chan map[string]any) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "qmp.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan map[string]any, 100)
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte(`{"QMP": {"version": {"qemu": {"major": 7}}, "capabilities": []}}` + "\n"))
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadBytes('\n')
			if err != nil {
				return
			}
			var req map[string]any
			json.Unmarshal(line, &req)
			got <- req
			c.Write([]byte(`{"event": "RESUME", "timestamp": {"seconds": 1}}` + "\n"))
			if req["execute"] == "bogus" {
				c.Write([]byte(`{"error": {"class": "CommandNotFound", "desc": "The command bogus has not been found"}}` + "\n"))
				continue
			}
			c.Write([]byte(`{"return": {}}` + "\n"))
		}
	}()
	return path, got
}

func TestQMP(t *testing.T) {
	path, got := fakeQEMU(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	q, err := DialQMP(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if r := <-got; r["execute"] != "qmp_capabilities" {
		t.Fatalf("first command %v", r)
	}
	if err := q.PressKeys(ctx, 0, "home", "ret"); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"home", "ret"} {
		r := <-got
		b, _ := json.Marshal(r)
		want := `{"arguments":{"events":[{"data":{"down":true,"key":{"data":"` + key + `","type":"qcode"}},"type":"key"},{"data":{"down":false,"key":{"data":"` + key + `","type":"qcode"}},"type":"key"}]},"execute":"input-send-event"}`
		if string(b) != want {
			t.Errorf("press %s sent\n%s\nwant\n%s", key, b, want)
		}
	}
	_, err = q.Do(ctx, "bogus", nil)
	if err == nil || !strings.Contains(err.Error(), "qmp bogus: CommandNotFound") {
		t.Fatalf("Do(bogus) = %v", err)
	}
}

func FuzzParseQMP(f *testing.F) {
	f.Add([]byte(`{"QMP": {"version": {}, "capabilities": []}}`))
	f.Add([]byte(`{"return": {}}`))
	f.Add([]byte(`{"event": "SHUTDOWN", "data": {"guest": true}}`))
	f.Add([]byte(`{"error": {"class": "GenericError", "desc": "x"}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		m, err := parseQMP(line)
		if err == nil && m.QMP == nil && m.Event == "" && m.Return == nil && m.Error == nil {
			t.Fatalf("accepted an empty message: %q", line)
		}
	})
}
