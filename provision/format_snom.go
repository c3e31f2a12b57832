package provision

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// SnomSetting is one setting of a Snom file, with its permission flag.
type SnomSetting struct {
	Assignment
	Perm string // as written: "!", "R", "RW", "&", "$", " " or ""
}

// Snom permission flags, as this phone reads them:
//
//	"!"              the value is a default: a value the user changed
//	                 survives reprovisioning (see PermRecords)
//	"R", "&", " "    read-only: provisioned, and the user may not change it
//	"RW", "$", ""    writable: provisioned, overwriting a user's change
//
// (" " and "" differ: Snom's old single-character flags.)
func snomPermKind(p string) (string, bool) {
	switch p {
	case "!":
		return PermKeepUser, true
	case "R", "&", " ":
		return PermReadOnly, true
	case "RW", "$", "":
		return PermWritable, true
	}
	return "", false
}

// ParseSnom reads a Snom settings file:
//
//	<settings>
//	  <phone-settings>
//	    <user_name idx="1" perm="">1001</user_name>
//	  </phone-settings>
//	</settings>
//
// A setting with an idx attribute is the name followed by the index
// (user_name idx="1" is user_name1). Other sections (functionKeys, tbook,
// ...) are skipped. It checks the syntax and the perm flags only.
func ParseSnom(name string, data []byte) ([]SnomSetting, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var (
		out   []SnomSetting
		depth int
		root  bool
		inPS  bool
		cur   *SnomSetting
	)
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1:
				if t.Name.Local != "settings" {
					return nil, fmt.Errorf("%s:%d: root element <%s>, want <settings>", name, line, clip(t.Name.Local))
				}
				root = true
			case depth == 2 && t.Name.Local == "phone-settings":
				inPS = true
			case depth == 3 && inPS:
				s := SnomSetting{Assignment: Assignment{Line: line, Name: t.Name.Local}}
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "perm":
						if _, ok := snomPermKind(a.Value); !ok {
							return nil, fmt.Errorf("%s:%d: %s: unknown perm %q", name, line, clip(s.Name), clip(a.Value))
						}
						s.Perm = a.Value
					case "idx":
						n, err := strconv.Atoi(a.Value)
						if err != nil || n < 0 || n > 999 {
							return nil, fmt.Errorf("%s:%d: %s: bad idx %q", name, line, clip(s.Name), clip(a.Value))
						}
						s.Name += strconv.Itoa(n)
					}
				}
				out = append(out, s)
				cur = &out[len(out)-1]
			case depth > 3 && inPS:
				return nil, fmt.Errorf("%s:%d: element <%s> inside a setting", name, line, clip(t.Name.Local))
			}
		case xml.EndElement:
			if depth == 3 {
				cur = nil
			}
			if depth == 2 {
				inPS = false
			}
			depth--
		case xml.CharData:
			if cur != nil {
				cur.Value += string(t)
			}
		}
	}
	if !root {
		return nil, fmt.Errorf("%s: no <settings> element", name)
	}
	for i := range out {
		// Values sit on their own lines in hand-written files.
		out[i].Value = strings.TrimSpace(out[i].Value)
	}
	return out, nil
}
