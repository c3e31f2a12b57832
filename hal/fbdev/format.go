package fbdev

import (
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
)

// Bitfield is where one colour channel sits in a pixel, as the kernel's
// struct fb_bitfield says: Length bits starting at bit Offset.
type Bitfield struct {
	Offset, Length uint32
}

// Format is a framebuffer's geometry and pixel layout.
type Format struct {
	Width, Height int // visible resolution
	Stride        int // bytes per line (line_length)
	Offset        int // byte offset of the visible area (xoffset/yoffset panning)
	BitsPerPixel  int // 1, 16, 24 or 32

	// Red, Green and Blue place the channels of a truecolor pixel.
	Red, Green, Blue Bitfield
	// InverseMono is set for a 1 bpp framebuffer where a set bit is black
	// (FB_VISUAL_MONO01); otherwise a set bit is white.
	InverseMono bool
}

// XRGB8888 is the layout virtio-gpu gives: 32 bits, blue in the low byte.
func XRGB8888(w, h int) Format {
	return Format{Width: w, Height: h, Stride: w * 4, BitsPerPixel: 32,
		Red: Bitfield{16, 8}, Green: Bitfield{8, 8}, Blue: Bitfield{0, 8}}
}

// RGB565 is the usual 16 bpp layout of small colour TFTs.
func RGB565(w, h int) Format {
	return Format{Width: w, Height: h, Stride: w * 2, BitsPerPixel: 16,
		Red: Bitfield{11, 5}, Green: Bitfield{5, 6}, Blue: Bitfield{0, 5}}
}

// Mono is a 1 bpp layout, most significant bit leftmost, set bit white.
func Mono(w, h int) Format {
	return Format{Width: w, Height: h, Stride: (w + 7) / 8, BitsPerPixel: 1}
}

// Validate refuses geometry and layouts Draw cannot fill.
func (f Format) Validate() error {
	if f.Width <= 0 || f.Height <= 0 {
		return fmt.Errorf("framebuffer format: resolution %dx%d", f.Width, f.Height)
	}
	if f.Offset < 0 {
		return fmt.Errorf("framebuffer format: offset %d", f.Offset)
	}
	switch f.BitsPerPixel {
	case 1:
	case 16, 24, 32:
		for _, c := range []Bitfield{f.Red, f.Green, f.Blue} {
			if c.Length == 0 || c.Length > 8 || c.Offset+c.Length > uint32(f.BitsPerPixel) {
				return fmt.Errorf("framebuffer format: colour field offset %d length %d does not fit %d bpp",
					c.Offset, c.Length, f.BitsPerPixel)
			}
		}
	default:
		return fmt.Errorf("framebuffer format: %d bits per pixel not supported (1, 16, 24, 32)", f.BitsPerPixel)
	}
	if f.Stride < (f.Width*f.BitsPerPixel+7)/8 {
		return fmt.Errorf("framebuffer format: stride %d too short for %d pixels at %d bpp",
			f.Stride, f.Width, f.BitsPerPixel)
	}
	return nil
}

// Draw writes frame into mem in f's layout. Pixels outside the frame's
// bounds are drawn black; the part of the frame outside the panel is dropped.
// mem must be large enough for f (NewDisplay checks).
func (f Format) Draw(mem []byte, frame image.Image) {
	b := frame.Bounds()
	at := func(x, y int) color.Color {
		p := image.Pt(b.Min.X+x, b.Min.Y+y)
		if !p.In(b) {
			return color.Black
		}
		return frame.At(p.X, p.Y)
	}
	if f.BitsPerPixel == 1 {
		f.drawMono(mem, at)
		return
	}
	bytesPP := f.BitsPerPixel / 8
	var px [4]byte
	if g, ok := frame.(*image.Gray); ok {
		f.drawGray(mem, g)
		return
	}
	for y := 0; y < f.Height; y++ {
		line := mem[f.Offset+y*f.Stride:]
		for x := 0; x < f.Width; x++ {
			binary.LittleEndian.PutUint32(px[:], f.pixel(at(x, y)))
			copy(line[x*bytesPP:(x+1)*bytesPP], px[:bytesPP])
		}
	}
}

// drawGray is Draw for the grey frames the LCD renderer makes, through a
// table of the 256 pixel values, so a frame costs no allocation per pixel.
func (f Format) drawGray(mem []byte, g *image.Gray) {
	var lut [256][4]byte
	for v := range lut {
		binary.LittleEndian.PutUint32(lut[v][:], f.pixel(color.Gray{uint8(v)}))
	}
	black := lut[0]
	bytesPP := f.BitsPerPixel / 8
	b := g.Bounds()
	for y := 0; y < f.Height; y++ {
		line := mem[f.Offset+y*f.Stride:]
		for x := 0; x < f.Width; x++ {
			px := &black
			if p := image.Pt(b.Min.X+x, b.Min.Y+y); p.In(b) {
				px = &lut[g.Pix[g.PixOffset(p.X, p.Y)]]
			}
			copy(line[x*bytesPP:(x+1)*bytesPP], px[:bytesPP])
		}
	}
}

// pixel packs c into a truecolor pixel value.
func (f Format) pixel(c color.Color) uint32 {
	r, g, b, _ := c.RGBA() // 16-bit channels
	field := func(v uint32, bf Bitfield) uint32 {
		return (v >> (16 - bf.Length)) << bf.Offset
	}
	return field(r, f.Red) | field(g, f.Green) | field(b, f.Blue)
}

// drawMono thresholds each pixel at half luminance.
func (f Format) drawMono(mem []byte, at func(x, y int) color.Color) {
	for y := 0; y < f.Height; y++ {
		line := mem[f.Offset+y*f.Stride:]
		for x := 0; x < f.Width; x++ {
			white := color.GrayModel.Convert(at(x, y)).(color.Gray).Y >= 0x80
			bit := byte(0x80) >> (x % 8)
			if white != f.InverseMono {
				line[x/8] |= bit
			} else {
				line[x/8] &^= bit
			}
		}
	}
}
