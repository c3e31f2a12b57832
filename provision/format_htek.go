package provision

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ParseHtek reads an Htek provisioning file (cfg<model>.xml, cfg<MAC>.xml):
//
//	<hl_provision version="1">
//	  <config version="1">
//	    <P8626 para="802.1XMode">2</P8626>
//	  </config>
//	</hl_provision>
//
// Each element inside <config> is a setting named by its P-code (the para
// attribute is a comment); its text is the value. It checks the syntax only.
func ParseHtek(name string, data []byte) ([]Assignment, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var (
		out    []Assignment
		depth  int
		root   bool
		inConf bool
		cur    *Assignment
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
				if t.Name.Local != "hl_provision" {
					return nil, fmt.Errorf("%s:%d: root element <%s>, want <hl_provision>", name, line, clip(t.Name.Local))
				}
				root = true
			case depth == 2 && t.Name.Local == "config":
				inConf = true
			case depth == 3 && inConf:
				out = append(out, Assignment{Line: line, Name: t.Name.Local})
				cur = &out[len(out)-1]
			case depth > 3 && inConf:
				return nil, fmt.Errorf("%s:%d: element <%s> inside a setting", name, line, clip(t.Name.Local))
			}
		case xml.EndElement:
			if depth == 3 {
				cur = nil
			}
			if depth == 2 {
				inConf = false
			}
			depth--
		case xml.CharData:
			if cur != nil {
				cur.Value += string(t)
			}
		}
	}
	if !root {
		return nil, fmt.Errorf("%s: no <hl_provision> element", name)
	}
	for i := range out {
		out[i].Value = strings.TrimSpace(out[i].Value)
	}
	return out, nil
}
