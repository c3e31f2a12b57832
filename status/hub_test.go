package status

import (
	"context"
	"testing"
	"time"
)

func TestHubWaitAndSnapshotsAreCopies(t *testing.T) {
	h := NewHub(Phone{Firmware: "x"})
	p0, seq := h.Snapshot()
	got := make(chan Phone)
	go func() {
		p, _, _ := h.Wait(context.Background(), seq)
		got <- p
	}()
	h.Update(func(p *Phone) { p.SetLine(Line{Index: 2, Label: "b"}) })
	h.Update(func(p *Phone) { p.SetLine(Line{Index: 1, Label: "a"}) })
	if p := <-got; len(p.Lines) == 0 {
		t.Fatal("Wait returned a snapshot without the update")
	}
	p, _ := h.Snapshot()
	if len(p.Lines) != 2 || p.Lines[0].Index != 1 || p.Lines[1].Index != 2 {
		t.Fatalf("lines not sorted by index: %+v", p.Lines)
	}
	p.Lines[0].Label = "changed by a reader"
	if q, _ := h.Snapshot(); q.Lines[0].Label != "a" {
		t.Fatal("a reader's change reached the hub")
	}
	if len(p0.Lines) != 0 {
		t.Fatal("an old snapshot changed")
	}
	h.Update(func(p *Phone) { p.SetLine(Line{Index: 1, Label: "a2"}) })
	if q, _ := h.Snapshot(); len(q.Lines) != 2 || q.Lines[0].Label != "a2" {
		t.Fatalf("SetLine did not replace line 1: %+v", q.Lines)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, cur := h.Snapshot()
	if _, _, err := h.Wait(ctx, cur); err == nil {
		t.Fatal("Wait without a change returned no error at the deadline")
	}
}
