package provision

import (
	"reflect"
	"testing"
)

// opt builds one DHCP option.
func opt(code byte, v []byte) []byte { return append([]byte{code, byte(len(v))}, v...) }

func TestDiscoverServers(t *testing.T) {
	var b []byte
	b = append(b, 0, 0) // pads
	b = append(b, opt(66, []byte("10.77.0.1"))...)
	b = append(b, opt(150, []byte{10, 77, 0, 1, 10, 77, 0, 2, 0, 0, 0, 0})...)
	b = append(b, opt(43, append(opt(1, []byte("https://prov.example/p/")), opt(2, []byte("tftp.example"))...))...)
	b = append(b, opt(160, []byte("https://10.77.0.1:8443/\x00"))...)
	b = append(b, 255, 66, 1, 'x') // after the end: ignored
	got, err := DiscoverServers(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"https://10.77.0.1:8443/", // 160
		"https://prov.example/p/", // 43.1
		"tftp://tftp.example/",    // 43.2
		"tftp://10.77.0.1/",       // 66 (and 150's first address, listed once)
		"tftp://10.77.0.2/",       // 150
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestDiscoverEdgeCases(t *testing.T) {
	for _, c := range []struct {
		name string
		b    []byte
		want []string
		bad  bool
	}{
		{"66 holding a URL", opt(66, []byte("http://prov.example:8080/cfg")), []string{"http://prov.example:8080/cfg"}, false},
		{"43 as a bare URL", opt(43, []byte("ftp://10.0.0.9/")), []string{"ftp://10.0.0.9/"}, false},
		{"split option concatenated (RFC 3396)", append(opt(160, []byte("https://a.ex")), opt(160, []byte("ample/"))...), []string{"https://a.example/"}, false},
		{"unknown scheme dropped", opt(160, []byte("gopher://x/")), nil, false},
		{"control characters dropped", opt(66, []byte("a\nb")), nil, false},
		{"truncated option", []byte{66, 10, 'a'}, nil, true},
		{"no length", []byte{66}, nil, true},
		{"nothing", nil, nil, false},
	} {
		got, err := DiscoverServers(c.b)
		if (err != nil) != c.bad || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %q, %v; want %q (error %v)", c.name, got, err, c.want, c.bad)
		}
	}
}

func FuzzDiscoverServers(f *testing.F) {
	f.Add(append(opt(160, []byte("https://10.77.0.1:8443/")), opt(150, []byte{10, 0, 0, 1})...))
	f.Add(opt(43, append(opt(1, []byte("https://p/")), opt(2, []byte("h"))...)))
	f.Add([]byte{66, 3, 'a', 'b', 'c', 255})
	f.Fuzz(func(t *testing.T, b []byte) {
		urls, err := DiscoverServers(b)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, u := range urls {
			if seen[u] {
				t.Fatalf("%q listed twice", u)
			}
			seen[u] = true
			if _, ok := serverURL([]byte(u)); !ok {
				t.Fatalf("listed %q, which is not a server URL", u)
			}
		}
	})
}
