package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"deskphone/status"
)

// PhoneAPI is the simulator board's HTTP API of a phone running inside a
// namespace (`firmware run -board sim -http ADDR`), reached from there.
type PhoneAPI struct {
	URL    string // "http://ADDR/"
	Client *http.Client
}

// NewPhoneAPI reaches the API at addr ("127.0.0.1:8080") inside ns.
func NewPhoneAPI(ns, addr string) *PhoneAPI {
	return &PhoneAPI{URL: "http://" + addr + "/", Client: &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			return DialContext(ctx, ns, network, a)
		}}}}
}

// Status is GET /api/status.
func (p *PhoneAPI) Status(ctx context.Context) (status.Phone, error) {
	var st status.Phone
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"api/status", nil)
	if err != nil {
		return st, err
	}
	resp, err := p.Client.Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return st, fmt.Errorf("phone status: %w", err)
	}
	return st, nil
}

// Press is POST /api/keys: keys named as the API names them, separated by
// spaces; it returns once the phone has read them.
func (p *PhoneAPI) Press(ctx context.Context, keys string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+"api/keys", strings.NewReader(keys))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain")
	resp, err := p.Client.Do(req)
	if err != nil {
		return fmt.Errorf("press %q: %w", keys, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("press %q: %s", keys, resp.Status)
	}
	return nil
}
