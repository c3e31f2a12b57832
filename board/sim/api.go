package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"strconv"
	"time"

	"deskphone/hal"
	"deskphone/status"
)

// maxKeysBody bounds a POST /api/keys body.
const maxKeysBody = 4096

// Handler serves the page and the API:
//
//	GET  /                  the phone: live LCD and keypad
//	GET  /api/screen.png    the LCD frame; ?after=N waits (up to 5 s) for a frame newer than N
//	POST /api/keys          body "MENU DOWN OK 1 2 BACK": presses the keys, answers once the phone read them
//	GET  /api/status        the phone's state as JSON
//	GET  /api/events        server-sent events: the number of each new frame
//	POST /api/link          ?port=lan|pc&up=0|1 plugs or unplugs a simulated cable
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /", pageHandler())
	mux.HandleFunc("GET /api/screen.png", s.handleScreen)
	mux.HandleFunc("POST /api/keys", s.handleKeys)
	mux.HandleFunc("GET /api/status", s.handleStatus)
	mux.HandleFunc("GET /api/events", s.handleEvents)
	mux.HandleFunc("POST /api/link", s.handleLink)
	// Another site in the person's browser must not press keys on the phone.
	return http.NewCrossOriginProtection().Handler(securityHeaders(mux))
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

func (s *Sim) handleScreen(w http.ResponseWriter, r *http.Request) {
	frame, seq := s.Display.Frame()
	if a := r.URL.Query().Get("after"); a != "" {
		after, err := strconv.ParseUint(a, 10, 64)
		if err != nil {
			http.Error(w, fmt.Sprintf("after=%q: not a frame number", a), http.StatusBadRequest)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		frame, seq, _ = s.Display.WaitFrame(ctx, after)
		cancel()
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, frame); err != nil {
		http.Error(w, "encode screen: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame", strconv.FormatUint(seq, 10))
	w.Write(buf.Bytes())
}

// keysReply tells the client which frame was showing when the phone read the
// last key: GET /api/screen.png?after=<frame> returns the frame that follows.
type keysReply struct {
	Pressed []hal.Key `json:"pressed"`
	Frame   uint64    `json:"frame"`
}

func (s *Sim) handleKeys(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxKeysBody))
	if err != nil {
		http.Error(w, "read keys: "+err.Error(), http.StatusBadRequest)
		return
	}
	keys, err := hal.ParseKeys(string(body))
	if err != nil {
		// Nothing is pressed when one name is wrong.
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	n := s.Keypad.Press(keys...)
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.Keypad.WaitTaken(ctx, n); err != nil {
		http.Error(w, "the phone did not read the keys", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, keysReply{Pressed: keys, Frame: s.seqAtTake.Load()})
}

func (s *Sim) handleStatus(w http.ResponseWriter, r *http.Request) {
	var p status.Phone
	if s.cfg.Status != nil {
		p, _ = s.cfg.Status.Snapshot()
	}
	writeJSON(w, p)
}

func (s *Sim) handleEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	seq := s.Display.Seq()
	fmt.Fprintf(w, "data: %d\n\n", seq)
	flusher.Flush()
	for {
		var err error
		seq, err = s.Display.Wait(r.Context(), seq)
		if err != nil {
			return
		}
		if _, err := fmt.Fprintf(w, "data: %d\n\n", seq); err != nil {
			return
		}
		flusher.Flush()
	}
}

func (s *Sim) handleLink(w http.ResponseWriter, r *http.Request) {
	if s.cfg.RealPorts {
		http.Error(w, "the ports are real interfaces: their links follow the kernel", http.StatusConflict)
		return
	}
	q := r.URL.Query()
	var p interface{ SetLink(bool) }
	switch q.Get("port") {
	case "lan":
		p = s.LAN
	case "pc":
		p = s.PC
	default:
		http.Error(w, fmt.Sprintf("port=%q: want lan or pc", q.Get("port")), http.StatusBadRequest)
		return
	}
	up, err := strconv.ParseBool(q.Get("up"))
	if err != nil {
		http.Error(w, fmt.Sprintf("up=%q: want 0 or 1", q.Get("up")), http.StatusBadRequest)
		return
	}
	p.SetLink(up)
	w.WriteHeader(http.StatusNoContent)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
