package hal

import "testing"

func TestParseKeys(t *testing.T) {
	keys, err := ParseKeys(" menu DOWN OK 1 2 * # BACK hook_off ")
	if err != nil {
		t.Fatal(err)
	}
	want := []Key{KeyMenu, KeyDown, KeyOK, Key1, Key2, KeyStar, KeyPound, KeyBack, KeyHookOff}
	if len(keys) != len(want) {
		t.Fatalf("got %v, want %v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("key %d = %q, want %q", i, keys[i], want[i])
		}
	}
	for _, bad := range []string{"MENU FOO", "10", "SOFT5"} {
		if _, err := ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%q) succeeded", bad)
		}
	}
}

func TestAudioFormatValidate(t *testing.T) {
	for rate, ok := range map[int]bool{8000: true, 16000: true, 44100: false, 0: false} {
		if err := (AudioFormat{SampleRate: rate}).Validate(); (err == nil) != ok {
			t.Errorf("rate %d: err %v", rate, err)
		}
	}
}
