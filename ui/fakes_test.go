package ui

import (
	"context"
	"errors"
	"image"
	"sync"
	"time"

	"deskphone/hal"
)

// fakeDisplay records every frame shown and signals each on frames.
type fakeDisplay struct {
	info   hal.DisplayInfo
	mu     sync.Mutex
	shown  []*image.Gray
	frames chan *image.Gray
}

func newFakeDisplay(w, h int) *fakeDisplay {
	return &fakeDisplay{info: hal.DisplayInfo{Width: w, Height: h}, frames: make(chan *image.Gray, 100)}
}

func (d *fakeDisplay) Info() hal.DisplayInfo { return d.info }

func (d *fakeDisplay) Show(frame image.Image) error {
	g := image.NewGray(frame.Bounds())
	copy(g.Pix, frame.(*image.Gray).Pix) // the caller reuses its frame
	d.mu.Lock()
	d.shown = append(d.shown, g)
	d.mu.Unlock()
	d.frames <- g
	return nil
}

// fakeKeypad delivers the keys sent on its channel and counts the NextKey
// calls in flight, so a test can see none is left behind.
type fakeKeypad struct {
	keys     chan hal.Key
	mu       sync.Mutex
	inFlight int
}

func newFakeKeypad() *fakeKeypad { return &fakeKeypad{keys: make(chan hal.Key)} }

func (k *fakeKeypad) NextKey(ctx context.Context) (hal.Key, error) {
	k.mu.Lock()
	k.inFlight++
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.inFlight--
		k.mu.Unlock()
	}()
	select {
	case key, ok := <-k.keys:
		if !ok {
			return "", errors.New("keypad unplugged")
		}
		return key, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (k *fakeKeypad) busy() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.inFlight
}

// fakeSettings answers from a map; a name in fail answers an error.
type fakeSettings struct {
	values map[string]string
	fail   bool
}

func (s fakeSettings) Get(name string) (string, error) {
	if s.fail {
		return "", errors.New("store unavailable")
	}
	return s.values[name], nil
}

func (s fakeSettings) Apply(changes map[string]string) error {
	if s.fail {
		return errors.New("store unavailable")
	}
	for k, v := range changes {
		s.values[k] = v
	}
	return nil
}

// fakeClock is the UI's clock, moved by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeSecurityInfo answers from fixed values, as the firmware's
// certificate store would.
type fakeSecurityInfo struct {
	certs map[Cert]CertInfo
	tl    TrustListInfo
}

func (f *fakeSecurityInfo) Certificate(which Cert) CertInfo { return f.certs[which] }
func (f *fakeSecurityInfo) TrustList() TrustListInfo        { return f.tl }

// installedSecurity is a phone with its 802.1X CA, an LSC and a trust list.
func installedSecurity() *fakeSecurityInfo {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	return &fakeSecurityInfo{
		certs: map[Cert]CertInfo{
			CertDot1XCA: {Installed: true, Subject: "CN=Example Lab Root CA,O=Example", Issuer: "CN=Example Lab Root CA,O=Example",
				NotBefore: from, NotAfter: to},
			CertLSC: {Installed: true, Subject: "CN=SEP02005E100001", Issuer: "CN=CAPF-1234", NotBefore: from, NotAfter: to},
		},
		tl: TrustListInfo{CTL: true, ITL: true, Signer: "CN=CUCM-pub,O=Example", Updated: from.Add(24 * time.Hour), Result: 1},
	}
}
