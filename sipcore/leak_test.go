package sipcore

import (
	"crypto/tls"
	"runtime"
	"testing"
	"time"
)

// TestNoGoroutineLeak: after Run returns, the engine's goroutines (lines,
// listeners, resync worker, TLS and TCP readers) are gone.
func TestNoGoroutineLeak(t *testing.T) {
	pki := newTestPKI(t)
	rt := newRegistrar(t, "tls", "MD5")
	rt.tlsConf = &tls.Config{Certificates: []tls.Certificate{pki.good}}
	rt.users["1003"] = "pass1003"
	rt.start()
	ru := newRegistrar(t, "udp", "MD5")
	ru.start()
	rc := newRegistrar(t, "tcp", "SHA-256")
	rc.start()
	before := runtime.NumGoroutine()

	h := startEngine(t, Config{Lines: []Line{lineOn(ru, 1, "1001", UDP), lineOn(rc, 2, "1002", TCP), lineOn(rt, 3, "1003", TLS)},
		TLS: TLSConfig{Roots: pki.roots}, Timing: fastTiming()})
	for range 3 {
		h.wait(kind(EventRegistered))
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	// Connection readers end when the peers see the close; poll, with a
	// guard, until the count is back.
	guard := timeoutGuard()
	for runtime.NumGoroutine() > before {
		select {
		case <-guard:
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		case <-time.After(20 * time.Millisecond):
		}
	}
}
