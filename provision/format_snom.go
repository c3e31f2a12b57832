package provision

import (
	"encoding/xml"
	"fmt"
	"strconv"
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
	// Settings are kept by pointer while the file is read: the slice of
	// them is built at the end, so the text pointers stay valid.
	var ps []*SnomSetting
	err := walkXMLSettings(name, data, "settings", "phone-settings", func(t xml.StartElement, line int) (*string, error) {
		s := &SnomSetting{Assignment: Assignment{Line: line, Name: t.Name.Local}}
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
		ps = append(ps, s)
		return &s.Value, nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]SnomSetting, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out, nil
}
