package settings

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The slot file format is described in the package documentation.
const (
	slotHeader   = "deskphone-settings 1"
	maxSlotBytes = 1 << 20 // far above what the schema can hold
	maxNameLen   = 64
)

// slot is the content of one slot file.
type slot struct {
	gen  uint64
	vals map[string]string // canonical name -> value, only what differs from the default
}

// encodeSlot writes the slot file for gen and vals.
func encodeSlot(gen uint64, vals map[string]string) []byte {
	names := make([]string, 0, len(vals))
	for n := range vals {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\ngeneration %d\n", slotHeader, gen)
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(vals[n]))
		b.WriteByte('\n')
	}
	sum := sha256.Sum256(b.Bytes())
	fmt.Fprintf(&b, "sha256 %s\n", hex.EncodeToString(sum[:]))
	return b.Bytes()
}

// parseSlot reads a slot file. It accepts exactly what encodeSlot writes,
// and nothing whose checksum does not verify. It checks the names' syntax
// only: the schema is the Store's business.
func parseSlot(data []byte) (slot, error) {
	if len(data) > maxSlotBytes {
		return slot{}, fmt.Errorf("too large: %d bytes", len(data))
	}
	if len(data) == 0 {
		return slot{}, errors.New("empty")
	}
	if data[len(data)-1] != '\n' {
		return slot{}, errors.New("truncated: no final line break")
	}
	cut := bytes.LastIndexByte(data[:len(data)-1], '\n') + 1
	body, last := data[:cut], string(data[cut:len(data)-1])
	hexSum, ok := strings.CutPrefix(last, "sha256 ")
	if !ok {
		return slot{}, errors.New("truncated: no checksum line")
	}
	want, err := hex.DecodeString(hexSum)
	if err != nil || len(want) != sha256.Size || hex.EncodeToString(want) != hexSum {
		return slot{}, errors.New("malformed checksum line")
	}
	if got := sha256.Sum256(body); !bytes.Equal(got[:], want) {
		return slot{}, errors.New("checksum mismatch")
	}

	lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	if len(lines) < 2 || lines[0] != slotHeader {
		return slot{}, errors.New("not a settings slot of format 1")
	}
	genText, ok := strings.CutPrefix(lines[1], "generation ")
	gen, err := strconv.ParseUint(genText, 10, 64)
	if !ok || err != nil || gen == 0 || strconv.FormatUint(gen, 10) != genText {
		return slot{}, errors.New("malformed generation line")
	}
	s := slot{gen: gen, vals: make(map[string]string, len(lines)-2)}
	prev := ""
	for i, line := range lines[2:] {
		name, quoted, ok := strings.Cut(line, "=")
		if !ok || !validSlotName(name) {
			return slot{}, fmt.Errorf("line %d: malformed setting", i+3)
		}
		if name <= prev {
			return slot{}, fmt.Errorf("line %d: settings not sorted or repeated", i+3)
		}
		v, err := strconv.Unquote(quoted)
		if err != nil || strconv.Quote(v) != quoted {
			return slot{}, fmt.Errorf("line %d: malformed value of %s", i+3, name)
		}
		s.vals[name], prev = v, name
	}
	return s, nil
}

// validSlotName is the syntax of a canonical name: lower-case letters,
// digits, "_" and ".", starting with a letter or digit.
func validSlotName(n string) bool {
	if n == "" || len(n) > maxNameLen || n[0] == '.' || n[0] == '_' {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
