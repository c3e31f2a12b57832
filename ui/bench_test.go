package ui

import (
	"testing"

	"deskphone/hal"
	"deskphone/provision/settings"
	"deskphone/status"
)

// BenchmarkKeyToFrame is a keypress to the frame it leads to, on the menu
// (a highlight moving) at both panel sizes.
func BenchmarkKeyToFrame(b *testing.B) {
	for _, size := range sizes {
		b.Run(sizeName(size), func(b *testing.B) {
			u, _ := newUI(size.X, size.Y, phone())
			u.HandleKey(hal.KeyMenu)
			b.ReportAllocs()
			for b.Loop() {
				u.HandleKey(hal.KeyDown)
				if err := u.redraw(); err != nil {
					b.Fatal(err)
				}
				<-u.display.(*fakeDisplay).frames
			}
		})
	}
}

// BenchmarkRenderIdle is one idle frame from a snapshot.
func BenchmarkRenderIdle(b *testing.B) {
	info := hal.DisplayInfo{Width: 320, Height: 240}
	st := State{Phone: phone(), PhoneName: "Reception", Now: fixedNow}
	for b.Loop() {
		Render(info, idleScreen{}, st)
	}
}

// BenchmarkFormKeyToFrame is a keypress on the 802.1X form to its frame,
// its rows read from a real settings store.
func BenchmarkFormKeyToFrame(b *testing.B) {
	for _, size := range sizes {
		b.Run(sizeName(size), func(b *testing.B) {
			store, err := settings.Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			u := New(newFakeDisplay(size.X, size.Y), newFakeKeypad(), status.NewHub(phone()), store, now)
			ks, _ := hal.ParseKeys(toDot1X)
			for _, k := range ks {
				u.HandleKey(k)
			}
			if _, ok := u.Screen().(*Form); !ok {
				b.Fatalf("the keys opened %T", u.Screen())
			}
			b.ReportAllocs()
			for b.Loop() {
				u.HandleKey(hal.KeyDown)
				if err := u.redraw(); err != nil {
					b.Fatal(err)
				}
				<-u.display.(*fakeDisplay).frames
			}
		})
	}
}
