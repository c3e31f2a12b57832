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
	// Kept by pointer while the file is read, so the text pointers the
	// walker holds stay valid; the slice is built at the end.
	var ps []*Assignment
	err := walkXMLSettings(name, data, "hl_provision", "config", func(t xml.StartElement, line int) (*string, error) {
		a := &Assignment{Line: line, Name: t.Name.Local}
		ps = append(ps, a)
		return &a.Value, nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Assignment, len(ps))
	for i, a := range ps {
		out[i] = *a
	}
	return out, nil
}

// walkXMLSettings reads the settings XML both Htek and Snom use: a root
// element, sections below it, and in the one section that holds settings
// one element per setting whose text is its value. leaf is called for each
// setting element with its line and returns where its text goes; the text
// is trimmed at the end. Other sections are skipped; an element inside a
// setting is an error.
func walkXMLSettings(name string, data []byte, rootName, section string,
	leaf func(t xml.StartElement, line int) (*string, error)) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var (
		depth  int
		root   bool
		inSect bool
		cur    *string
		values []*string
	)
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1:
				if t.Name.Local != rootName {
					return fmt.Errorf("%s:%d: root element <%s>, want <%s>", name, line, clip(t.Name.Local), rootName)
				}
				root = true
			case depth == 2 && t.Name.Local == section:
				inSect = true
			case depth == 3 && inSect:
				if cur, err = leaf(t, line); err != nil {
					return err
				}
				values = append(values, cur)
			case depth > 3 && inSect:
				return fmt.Errorf("%s:%d: element <%s> inside a setting", name, line, clip(t.Name.Local))
			}
		case xml.EndElement:
			if depth == 3 {
				cur = nil
			}
			if depth == 2 {
				inSect = false
			}
			depth--
		case xml.CharData:
			if cur != nil {
				*cur += string(t)
			}
		}
	}
	if !root {
		return fmt.Errorf("%s: no <%s> element", name, rootName)
	}
	// Values sit on their own lines in hand-written files.
	for _, v := range values {
		*v = strings.TrimSpace(*v)
	}
	return nil
}
