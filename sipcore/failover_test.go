package sipcore

import (
	"testing"
	"time"

	"deskphone/status"
)

// TestBackoff: failed rounds wait RetryMin, doubling up to RetryMax; a
// success resets the count.
func TestBackoff(t *testing.T) {
	r := newRegistrar(t, "udp", "MD5")
	r.setStatus(503)
	r.grant = 1
	r.start()
	h := startEngine(t, Config{Lines: []Line{lineOn(r, 1, "1001", UDP)}, Timing: fastTiming()})
	var waits []time.Duration
	for range 4 {
		ev := h.wait(kind(EventRegisterFailed))
		if ev.Cause != CauseRejected || ev.Reason != "503 Test Status" {
			t.Fatalf("failure %+v", ev)
		}
		waits = append(waits, ev.RetryIn)
	}
	want := []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("retry waits %v, want %v", waits, want)
		}
	}
	r.setStatus(0)
	h.wait(kind(EventRegistered))
	r.setStatus(503)
	// The next refresh fails: the count starts again at RetryMin.
	if ev := h.wait(kind(EventRegisterFailed)); ev.RetryIn != 50*time.Millisecond {
		t.Fatalf("after a success, first wait %v", ev.RetryIn)
	}
}

// TestFailoverFailback: the primary stops, the line registers with the
// backup at once; the primary comes back, the OPTIONS probe sees it, the
// line registers there again and removes its binding on the backup.
func TestFailoverFailback(t *testing.T) {
	for _, tp := range []Transport{TCP, UDP} {
		t.Run(string(tp), func(t *testing.T) {
			t.Parallel()
			primary := newRegistrar(t, string(tp), "MD5")
			backup := newRegistrar(t, string(tp), "SHA-256")
			primary.grant, backup.grant = 2, 2
			primary.start()
			backup.start()
			line := lineOn(primary, 1, "1001", tp)
			bh, bp := backup.hostPort()
			line.BackupRegistrar = bh + ":" + itoa(bp)
			timing := fastTiming()
			timing.RequestTimeout = 300 * time.Millisecond
			h := startEngine(t, Config{Lines: []Line{line}, Timing: timing})
			ph, pp := primary.hostPort()
			pAddr := ph + ":" + itoa(pp)

			if ev := h.wait(kind(EventRegistered)); ev.Registrar != pAddr {
				t.Fatalf("registered at %s, want the primary %s", ev.Registrar, pAddr)
			}
			primary.stop()
			ev := h.wait(kind(EventRegisterFailed))
			if ev.Registrar != pAddr || ev.RetryIn != 0 {
				t.Fatalf("primary failure %+v, want an immediate failover", ev)
			}
			if ev := h.wait(kind(EventRegistered)); ev.Registrar != line.BackupRegistrar {
				t.Fatalf("registered at %s, want the backup", ev.Registrar)
			}
			p, _ := h.hub.Snapshot()
			if p.Lines[0].State != status.LineRegistered || p.Lines[0].Registrar != line.BackupRegistrar {
				t.Fatalf("status %+v", p.Lines[0])
			}
			primary.start()
			if ev := h.wait(kind(EventRegistered)); ev.Registrar != pAddr {
				t.Fatalf("registered at %s, want fail-back to the primary", ev.Registrar)
			}
			if ev := h.wait(kind(EventUnregistered)); ev.Registrar != line.BackupRegistrar || ev.Cause != "" {
				t.Fatalf("unregister %+v, want the backup binding removed", ev)
			}
			rec := backup.next(func(rec regRecord) bool { return authorized(rec) && rec.Expires == 0 })
			if rec.User != "1001" {
				t.Fatalf("backup saw %+v", rec)
			}
			primary.next(func(rec regRecord) bool { return rec.Method == "OPTIONS" })
		})
	}
}

// TestSuspendResume: suspended lines stop without unregistering (the
// network is gone) and register again on Resume.
func TestSuspendResume(t *testing.T) {
	r := newRegistrar(t, "udp", "MD5")
	r.start()
	h := startEngine(t, Config{Lines: []Line{lineOn(r, 1, "1001", UDP)}, Timing: fastTiming()})
	h.wait(kind(EventRegistered))
	h.e.Suspend("802.1X: port unauthorized")
	ev := h.wait(kind(EventUnregistered))
	if ev.Reason != "802.1X: port unauthorized" || ev.Cause != CauseSuspended {
		t.Fatalf("suspend event %+v", ev)
	}
	p, _ := h.hub.Snapshot()
	if l := p.Lines[0]; l.State != status.LineUnregistered || l.Reason != "802.1X: port unauthorized" {
		t.Fatalf("status %+v", l)
	}
	for len(r.events) > 0 {
		if rec := <-r.events; rec.Expires == 0 {
			t.Fatalf("suspended line unregistered: %+v", rec)
		}
	}
	h.e.Resume()
	h.wait(kind(EventRegistered))
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	r.next(func(rec regRecord) bool { return authorized(rec) && rec.Expires == 0 })
}

// TestReconfigure: a changed line re-registers (old binding removed), an
// added line registers, an unchanged line is not touched, a disabled line
// is published as disabled, and a bad config is refused whole.
func TestReconfigure(t *testing.T) {
	r := newRegistrar(t, "udp", "MD5")
	r.start()
	l1, l2 := lineOn(r, 1, "1001", UDP), lineOn(r, 2, "1002", UDP)
	cfg := Config{Listen: "127.0.0.1:0", Lines: []Line{l1}, Timing: fastTiming()}
	h := startEngine(t, cfg)
	h.wait(kind(EventRegistered))
	r.next(authorized)

	cfg.Lines = []Line{l1, l2}
	if err := h.e.Reconfigure(cfg); err != nil {
		t.Fatal(err)
	}
	if ev := h.wait(kind(EventRegistered)); ev.Line != 2 {
		t.Fatalf("registered %+v, want line 2", ev)
	}
	if rec := r.next(authorized); rec.User != "1002" {
		t.Fatalf("registrar saw %+v, want only line 2 registering", rec)
	}

	l1b := l1
	l1b.Expiry = 120 * time.Second
	cfg.Lines = []Line{l1b, l2}
	cfg.Lines[1].Enabled = false
	if err := h.e.Reconfigure(cfg); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for !(seen["1001/0"] && seen["1002/0"] && seen["1001/120"]) {
		rec := r.next(authorized)
		seen[rec.User+"/"+itoa(rec.Expires)] = true
	}
	bad := cfg
	bad.Lines = []Line{{Index: 1, Enabled: true, User: "1001", Registrar: "127.0.0.1", Transport: UDP, Security: Encrypted}}
	if err := h.e.Reconfigure(bad); err == nil {
		t.Fatal("encrypted over UDP accepted")
	}
	for {
		p, _ := h.hub.Snapshot()
		if len(p.Lines) == 2 && p.Lines[1].State == status.LineDisabled && p.Lines[0].State == status.LineRegistered {
			break
		}
		h.wait(func(Event) bool { return true })
	}
}
