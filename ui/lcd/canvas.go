// Package lcd draws a deskphone's LCD frames: a black-and-white canvas, 1-bit
// bitmap fonts and icons. Every pixel it writes is pure black or pure white,
// so a mono panel's driver can threshold a frame without losing anything.
package lcd

import "image"

// Ink is the colour of a pixel: the panel shows nothing else.
type Ink bool

const (
	White Ink = false
	Black Ink = true
)

// Gray levels of the two inks in a frame.
const (
	blackLevel = 0x00
	whiteLevel = 0xff
)

// Inverse is the other ink.
func (i Ink) Inverse() Ink { return !i }

func (i Ink) level() uint8 {
	if i == Black {
		return blackLevel
	}
	return whiteLevel
}

// Canvas is one frame being drawn. Drawing outside the frame is clipped.
type Canvas struct {
	Img *image.Gray
}

// NewCanvas makes a white frame of w x h pixels.
func NewCanvas(w, h int) *Canvas {
	c := &Canvas{Img: image.NewGray(image.Rect(0, 0, w, h))}
	c.Clear()
	return c
}

// Bounds is the frame's rectangle.
func (c *Canvas) Bounds() image.Rectangle { return c.Img.Rect }

// Clear paints the whole frame white.
func (c *Canvas) Clear() {
	for i := range c.Img.Pix {
		c.Img.Pix[i] = whiteLevel
	}
}

// Set paints one pixel.
func (c *Canvas) Set(x, y int, ink Ink) {
	if !(image.Point{x, y}).In(c.Img.Rect) {
		return
	}
	c.Img.Pix[c.Img.PixOffset(x, y)] = ink.level()
}

// At reports one pixel's ink (white outside the frame).
func (c *Canvas) At(x, y int) Ink {
	if !(image.Point{x, y}).In(c.Img.Rect) {
		return White
	}
	return c.Img.Pix[c.Img.PixOffset(x, y)] == blackLevel
}

// Fill paints a rectangle.
func (c *Canvas) Fill(r image.Rectangle, ink Ink) {
	r = r.Intersect(c.Img.Rect)
	v := ink.level()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := c.Img.Pix[c.Img.PixOffset(r.Min.X, y):c.Img.PixOffset(r.Max.X, y)]
		for i := range row {
			row[i] = v
		}
	}
}

// HLine draws a horizontal line from x0 to x1 inclusive.
func (c *Canvas) HLine(x0, x1, y int, ink Ink) {
	c.Fill(image.Rect(min(x0, x1), y, max(x0, x1)+1, y+1), ink)
}

// VLine draws a vertical line from y0 to y1 inclusive.
func (c *Canvas) VLine(x, y0, y1 int, ink Ink) {
	c.Fill(image.Rect(x, min(y0, y1), x+1, max(y0, y1)+1), ink)
}

// Frame draws the outline of r, inside r.
func (c *Canvas) Frame(r image.Rectangle, ink Ink) {
	if r.Empty() {
		return
	}
	c.HLine(r.Min.X, r.Max.X-1, r.Min.Y, ink)
	c.HLine(r.Min.X, r.Max.X-1, r.Max.Y-1, ink)
	c.VLine(r.Min.X, r.Min.Y, r.Max.Y-1, ink)
	c.VLine(r.Max.X-1, r.Min.Y, r.Max.Y-1, ink)
}

// Bitmap draws the set pixels of b with its top-left corner at (x, y), each
// scaled to a scale x scale block. Unset pixels are left as they are.
func (c *Canvas) Bitmap(x, y int, b *Bitmap, scale int, ink Ink) {
	if scale < 1 {
		scale = 1
	}
	for by := 0; by < b.H; by++ {
		for bx := 0; bx < b.W; bx++ {
			if !b.At(bx, by) {
				continue
			}
			if scale == 1 {
				c.Set(x+bx, y+by, ink)
				continue
			}
			c.Fill(image.Rect(x+bx*scale, y+by*scale, x+(bx+1)*scale, y+(by+1)*scale), ink)
		}
	}
}
