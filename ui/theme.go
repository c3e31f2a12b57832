package ui

import (
	"image"

	"deskphone/hal"
	"deskphone/ui/lcd"
)

// Theme is the layout of one panel size: fonts, icons and the heights of
// the bars. Screens place everything from it, so one screen serves every
// panel.
type Theme struct {
	Size    image.Point
	Font    *lcd.Font
	Icons   *lcd.Icons
	Compact bool // a 64-line class panel: fewer words, no state text

	BarHeight  int // the top bar: status icons or title, and the clock
	SoftHeight int // the softkey row
	RowHeight  int // a list row or a line of text in the body
	Pad        int // margin from the panel's edges
	BigScale   int // how much the dialed number is enlarged
}

// ThemeFor picks the layout for a panel: the 7x13 font from 240 lines up,
// the 5x7 font on smaller panels.
func ThemeFor(info hal.DisplayInfo) *Theme {
	size := image.Pt(info.Width, info.Height)
	if info.Height >= 128 && info.Width >= 200 {
		return &Theme{Size: size, Font: lcd.Large, Icons: lcd.LargeIcons,
			BarHeight: 18, SoftHeight: 20, RowHeight: 18, Pad: 4, BigScale: 2}
	}
	return &Theme{Size: size, Font: lcd.Small, Icons: lcd.SmallIcons, Compact: true,
		BarHeight: 10, SoftHeight: 11, RowHeight: 10, Pad: 2, BigScale: 2}
}

// Body is the area between the top bar and the softkey row.
func (th *Theme) Body() image.Rectangle {
	return image.Rect(0, th.BarHeight, th.Size.X, th.Size.Y-th.SoftHeight)
}

// Baseline is where text sits in a row of height h starting at top: the
// glyphs' cell centred, a pixel lower when the row leaves an odd one.
func (th *Theme) Baseline(top, h int) int {
	return top + (h-th.Font.Height()+1)/2 + th.Font.Ascent - 1
}
