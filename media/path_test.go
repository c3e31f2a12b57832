package media

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"deskphone/hal"
)

// fakeAudio is an in-test hal.Audio: microphones play a sine, writes are
// recorded and signalled.
type fakeAudio struct {
	mu      sync.Mutex
	opens   []hal.Endpoint
	streams []*fakeStream
	written chan hal.Endpoint
}

type fakeStream struct {
	a      *fakeAudio
	ep     hal.Endpoint
	rate   int
	n      int
	mu     sync.Mutex
	closed bool
	out    []int16
}

func (a *fakeAudio) Open(ep hal.Endpoint, f hal.AudioFormat) (hal.AudioStream, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s := &fakeStream{a: a, ep: ep, rate: f.SampleRate}
	a.opens = append(a.opens, ep)
	a.streams = append(a.streams, s)
	return s, nil
}

func (s *fakeStream) Read(p []int16) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, errors.New("closed")
	}
	src := sine(s.rate, s.n+len(p), 1000, 0.5)
	copy(p, src[s.n:])
	s.n += len(p)
	return len(p), nil
}

func (s *fakeStream) Write(p []int16) (int, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return 0, errors.New("closed")
	}
	s.out = append(s.out, p...)
	s.mu.Unlock()
	s.a.written <- s.ep
	return len(p), nil
}

func (s *fakeStream) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return nil
}

type fakeSink struct {
	mu     sync.Mutex
	frames [][]byte
	skips  int
	ts     uint32
	events []sentEvent
}

func (f *fakeSink) SendFrame(p []byte) error {
	f.mu.Lock()
	f.frames = append(f.frames, append([]byte(nil), p...))
	f.ts += 160
	f.mu.Unlock()
	return nil
}
func (f *fakeSink) SkipFrame() { f.mu.Lock(); f.skips++; f.ts += 160; f.mu.Unlock() }

func (f *fakeSink) Timestamp() uint32 { f.mu.Lock(); defer f.mu.Unlock(); return f.ts }

func (f *fakeSink) SendEvent(pt uint8, ts uint32, marker bool, payload []byte) error {
	f.mu.Lock()
	f.events = append(f.events, sentEvent{pt, ts, marker, append([]byte(nil), payload...)})
	f.mu.Unlock()
	return nil
}

type sentEvent struct {
	pt      uint8
	ts      uint32
	marker  bool
	payload []byte
}

// fakeSource plays a fixed payload every tick.
type fakeSource struct{ payload []byte }

func (f fakeSource) Pop(time.Time) Playout {
	return Playout{Kind: PlayFrame, Frame: Frame{Payload: f.payload}}
}

func TestAudioPathSwitchesEndpoints(t *testing.T) {
	audio := &fakeAudio{written: make(chan hal.Endpoint, 1)}
	codec, _ := NewCodec("PCMA", 8)
	remote, _ := codec.Encode(nil, sine(8000, 160, 500, 0.25))
	sink := &fakeSink{}
	ticks := make(chan time.Time)
	p, err := NewAudioPath(AudioPathConfig{Audio: audio, Enabled: []hal.Endpoint{hal.Handset, hal.Speaker},
		Endpoint: hal.Handset, Codec: codec, Send: sink, Receive: fakeSource{remote}, Ticks: ticks})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	now := time.Unix(0, 0)
	tick := func() hal.Endpoint {
		now = now.Add(20 * time.Millisecond)
		ticks <- now
		return <-audio.written
	}
	for range 5 {
		if ep := tick(); ep != hal.Handset {
			t.Fatalf("wrote to %s", ep)
		}
	}
	if err := p.SetEndpoint(hal.Headset); err == nil {
		t.Fatal("disabled headset accepted")
	}
	if err := p.SetEndpoint(hal.Speaker); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if ep := tick(); ep != hal.Speaker {
			t.Fatalf("wrote to %s after the switch", ep)
		}
	}
	p.SetMute(true)
	tick()
	p.SetDirection(SendOnly) // held by us: still send, play nothing
	p.SetMute(false)
	tick()
	p.SetDirection(RecvOnly)
	tick()
	p.PlayTone(&SecureTone)
	tick()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	audio.mu.Lock()
	defer audio.mu.Unlock()
	if len(audio.opens) != 2 || audio.opens[0] != hal.Handset || audio.opens[1] != hal.Speaker {
		t.Fatalf("opens %v, want handset then speaker", audio.opens)
	}
	for _, s := range audio.streams {
		if !s.closed {
			t.Errorf("%s stream left open", s.ep)
		}
	}
	// Sent: 12 frames (10 live, 1 muted, 1 while we hold); receive-only for the last two ticks: skips.
	if len(sink.frames) != 12 || sink.skips != 2 {
		t.Fatalf("sent %d frames, %d skips", len(sink.frames), sink.skips)
	}
	mic := sine(8000, 160*5, 1000, 0.5)
	var dec []int16
	for _, f := range sink.frames[:5] {
		dec, _ = codec.Decode(dec, f)
	}
	if snr := snrAt(mic, dec, 0, 0); snr < 35 {
		t.Errorf("microphone audio through the path: SNR %.1f dB", snr)
	}
	muted, _ := codec.Decode(nil, sink.frames[10])
	if energy(muted) > 160*64 {
		t.Errorf("muted frame carries audio (energy %g)", energy(muted))
	}
	// The speaker got the remote audio: decoded frames after the concealer's delay.
	sp := audio.streams[1].out
	if len(sp) != 9*160 {
		t.Fatalf("speaker got %d samples", len(sp))
	}
	want, _ := codec.Decode(nil, remote)
	// Every tick carried the same frame; the concealer delays by d samples,
	// so each output frame is that frame rotated by d.
	d := NewConcealer(8000, 160).Delay()
	rotated := append(append([]int16(nil), want[160-d:]...), want[:160-d]...)
	if s := snrAt(rotated, sp[160:320], 0, 0); s < 30 {
		t.Errorf("speaker audio SNR %.1f dB", s)
	}
	if e := energy(sp[6*160 : 7*160]); e != 0 { // the held tick (SendOnly) plays silence
		t.Errorf("held tick played audio")
	}
	if goertzel(sp[8*160:], 8000, 1400) < 100*goertzel(sp[8*160:], 8000, 500) {
		t.Errorf("secure tone not played")
	}
}

func TestAudioPathRefusesDisabledStart(t *testing.T) {
	codec, _ := NewCodec("G722", 9)
	_, err := NewAudioPath(AudioPathConfig{Audio: &fakeAudio{}, Enabled: []hal.Endpoint{hal.Handset}, Endpoint: hal.Headset, Codec: codec})
	if err == nil {
		t.Fatal("disabled endpoint accepted")
	}
}

func TestAudioPathSendsDigits(t *testing.T) {
	audio := &fakeAudio{written: make(chan hal.Endpoint, 1)}
	codec, _ := NewCodec("PCMU", 0)
	sink := &fakeSink{}
	ticks := make(chan time.Time)
	p, err := NewAudioPath(AudioPathConfig{Audio: audio, Enabled: []hal.Endpoint{hal.Handset}, Endpoint: hal.Handset,
		Codec: codec, Send: sink, DTMFType: 101, Ticks: ticks})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SendDigit('x'); err == nil {
		t.Fatal("x accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	tick := func() { ticks <- time.Unix(0, 0); <-audio.written }
	tick() // one audio frame
	p.SendDigit('5')
	p.SendDigit('#')
	for range 14 {
		tick()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Each digit: 5 update ticks + 1 tick of three end packets = 6 ticks; then 2 audio frames.
	if len(sink.events) != 16 || len(sink.frames) != 1+2 {
		t.Fatalf("%d events, %d frames", len(sink.events), len(sink.frames))
	}
	var r DTMFReceiver
	var got []rune
	for i, e := range sink.events {
		wantTS := uint32(160) + uint32(i/8)*6*160
		if e.pt != 101 || e.ts != wantTS || e.marker != (i%8 == 0) {
			t.Fatalf("event %d: %+v, want ts %d", i, e, wantTS)
		}
		if d, ok, _ := r.Receive(e.ts, e.payload); ok {
			got = append(got, d)
		}
	}
	if string(got) != "5#" {
		t.Fatalf("digits %q", string(got))
	}
}

// quietSource plays its frames in turn and records what the path says of
// each frame played.
type quietSource struct {
	frames [][]byte
	n      int
	hints  []bool
}

func (q *quietSource) Pop(time.Time) Playout {
	f := q.frames[q.n%len(q.frames)]
	q.n++
	return Playout{Kind: PlayFrame, Frame: Frame{Payload: f}}
}

func (q *quietSource) SetQuiet(quiet bool) { q.hints = append(q.hints, quiet) }

func TestAudioPathReportsQuiet(t *testing.T) {
	// Speech at -12 dBFS, then a pause: the jitter buffer hears of the pause
	// once the concealer's delay line has played out the speech.
	codec, _ := NewCodec("PCMU", 0)
	loud, _ := codec.Encode(nil, sine(8000, 160, 700, 0.25))
	hush, _ := codec.Encode(nil, make([]int16, 160))
	src := &quietSource{frames: [][]byte{loud, loud, loud, hush, hush, hush}}
	audio := &fakeAudio{written: make(chan hal.Endpoint, 1)}
	ticks := make(chan time.Time)
	p, err := NewAudioPath(AudioPathConfig{Audio: audio, Enabled: []hal.Endpoint{hal.Handset},
		Endpoint: hal.Handset, Codec: codec, Receive: src, Ticks: ticks})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	for i := range 6 {
		ticks <- time.Unix(0, int64(i)*int64(20*time.Millisecond))
		<-audio.written
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []bool{false, false, false, false, true, true}
	if !slices.Equal(src.hints, want) {
		t.Errorf("quiet hints %v, want %v", src.hints, want)
	}
}
