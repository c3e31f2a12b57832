package malgo

import "testing"

func TestRing(t *testing.T) {
	r := newRing(3)
	for i := int16(1); i <= 3; i++ {
		if !r.push(i) {
			t.Fatalf("push %d refused", i)
		}
	}
	if r.push(4) {
		t.Fatal("push into a full ring accepted")
	}
	r.pushDropOldest(4) // drops 1
	for want := int16(2); want <= 4; want++ {
		if v, ok := r.pop(); !ok || v != want {
			t.Fatalf("pop = %d, %v; want %d", v, ok, want)
		}
	}
	if _, ok := r.pop(); ok {
		t.Fatal("pop from an empty ring")
	}
	// Wrapping around keeps the order.
	for i := int16(0); i < 10; i++ {
		r.push(i)
		if v, _ := r.pop(); v != i {
			t.Fatalf("wrapped pop = %d, want %d", v, i)
		}
	}
}
