package lab

import (
	"bufio"
	"bytes"
	"net"
	"strings"
	"testing"
)

func TestParseMIB(t *testing.T) {
	in := "02:00:00:00:01:01\nflags=[AUTHORIZED]\ndot1xAuthAuthControlledPortStatus=1\ndot1xAuthSessionUserName=peapuser\nbad line\n=x\n"
	m := parseMIB(in)
	if m["dot1xAuthAuthControlledPortStatus"] != "1" || m["dot1xAuthSessionUserName"] != "peapuser" || m["flags"] != "[AUTHORIZED]" {
		t.Fatalf("parseMIB = %v", m)
	}
	if len(m) != 3 {
		t.Errorf("parseMIB kept junk: %v", m)
	}
}

func FuzzParseMIB(f *testing.F) {
	f.Add("02:00:00:00:01:01\nflags=[AUTHORIZED]\ndot1xAuthAuthControlledPortStatus=1\n")
	f.Add("a=b=c\n\n=\n")
	f.Fuzz(func(t *testing.T, s string) {
		for k, v := range parseMIB(s) {
			if k == "" || strings.Contains(k, "\n") || strings.Contains(v, "\n") {
				t.Fatalf("bad entry %q=%q", k, v)
			}
		}
	})
}

// A /proc/net/tcp excerpt: 10.99.0.10:5060 listening, 127.0.0.1:53 established.
const tcpTable = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0A00630A:13C4 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 0000000000000000 100 0 0 10 0
   1: 0100007F:0035 0100007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 1235 1 0000000000000000 100 0 0 10 0
`

func TestHasListener(t *testing.T) {
	tab := []byte(tcpTable)
	if !hasListener(tab, "tcp", net.ParseIP("10.99.0.10"), 5060) {
		t.Error("10.99.0.10:5060 LISTEN not found")
	}
	if hasListener(tab, "tcp", net.ParseIP("127.0.0.1"), 53) {
		t.Error("an established socket counted as listening")
	}
	if hasListener(tab, "tcp", net.ParseIP("10.99.0.10"), 5061) {
		t.Error("wrong port matched")
	}
	udp := []byte("  sl  local_address rem_address   st\n  12: 00000000:0043 00000000:0000 07 0\n")
	if !hasListener(udp, "udp", net.IPv4zero, 67) {
		t.Error("udp 0.0.0.0:67 not found")
	}
}

func FuzzParseSockTable(f *testing.F) {
	f.Add([]byte(tcpTable))
	f.Add([]byte("   0: ZZ:13C4 00000000:0000 0A\n   1: 0A00630A:FFFFF x 0A\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, e := range parseSockTable(b) {
			if e.port < 0 || e.port > 65535 || e.state < 0 || e.state > 255 || e.ip.To4() == nil {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}

func TestNetstring(t *testing.T) {
	msg := []byte(`{"event":true,"type":"CALL_ESTABLISHED"}`)
	r := bufio.NewReader(bytes.NewReader(append(netstring(msg), netstring([]byte("x"))...)))
	got, err := readNetstring(r)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("readNetstring = %q, %v", got, err)
	}
	if got, err := readNetstring(r); err != nil || string(got) != "x" {
		t.Fatalf("second frame = %q, %v", got, err)
	}
	for _, bad := range []string{"3:abc;", "-1:,", "99999999999:", "x:a,", "5:ab"} {
		if _, err := readNetstring(bufio.NewReader(strings.NewReader(bad))); err == nil {
			t.Errorf("readNetstring(%q) accepted", bad)
		}
	}
}

func FuzzReadNetstring(f *testing.F) {
	f.Add([]byte(`12:{"a":"bcde"},`))
	f.Add([]byte("0:,"))
	f.Add([]byte("5:ab"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := readNetstring(bufio.NewReader(bytes.NewReader(b)))
		if err != nil {
			return
		}
		// What was accepted is bounded and was followed by the ',' terminator.
		if len(got) > maxNetstring || !bytes.Contains(b, append(got, ',')) {
			t.Fatalf("accepted %q from %q", got, b)
		}
	})
}

func TestOwnerPid(t *testing.T) {
	if pid, ok := ownerPid("dpl4242xa1b2"); !ok || pid != 4242 {
		t.Errorf("ownerPid = %d, %v", pid, ok)
	}
	for _, bad := range []string{"dpl4242", "dplxa1b2", "dpl12xa1b2c", "abc4242xa1b2", "dpl4242xA1B2"} {
		if _, ok := ownerPid(bad); ok {
			t.Errorf("ownerPid(%q) accepted", bad)
		}
	}
	id := newID()
	if pid, ok := ownerPid(id); !ok || pid <= 0 {
		t.Errorf("newID %q not parsed", id)
	}
}

func TestGateRules(t *testing.T) {
	closed := gateRules(false)
	for _, want := range []string{"ether type 0x888e accept", "ether saddr @authorized fwd to \"up0\"", "policy drop", "jump group_out"} {
		if !strings.Contains(closed, want) {
			t.Errorf("802.1X gate rules lack %q:\n%s", want, closed)
		}
	}
	open := gateRules(true)
	if strings.Contains(open, "@authorized fwd") || !strings.Contains(open, "ether type 0x888e drop") {
		t.Errorf("open port rules:\n%s", open)
	}
}
