package ogimage

import (
	"hash/adler32"
	"image"
	"image/color"
	"image/draw"
	"sync"

	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// The canvas is a palette image held as PNG scanlines: each row is a
// filter byte (0, none) and one palette index per pixel, so it goes to the
// compressor as it is.
const stride = 1 + width

// The palette: cardLevels steps from the tint (0) to the card's white,
// then inkLevels steps from the white to each ink. A flat colour is exact;
// a blend is within 4/255 of the exact one (half a step of 224/32 for the
// title ink, less than the 7/255 of the 5-bit palette drawn before).
const (
	cardLevels = 32
	white      = cardLevels - 1
	inkLevels  = 32
	paletteLen = cardLevels + len(inks)*inkLevels
)

// The inks, by index into inks.
const (
	inkTitle = iota
	inkMuted
)

var (
	inks      = [...]color.RGBA{inkTitle: {0x1f, 0x29, 0x37, 0xff}, inkMuted: {0x5b, 0x67, 0x75, 0xff}}
	cardWhite = color.RGBA{0xff, 0xff, 0xff, 0xff}
	// backgrounds are soft tints; the title picks one, so cards differ
	// from article to article but never from build to build.
	backgrounds = [...]color.RGBA{
		{0xd6, 0xe8, 0xfd, 0xff}, // blue
		{0xd5, 0xf5, 0xe3, 0xff}, // green
		{0xfd, 0xef, 0xc8, 0xff}, // amber
		{0xfb, 0xe0, 0xee, 0xff}, // pink
		{0xe6, 0xe1, 0xfc, 0xff}, // violet
		{0xd3, 0xf1, 0xf6, 0xff}, // cyan
	}
)

// inkIndex is the palette index of ink k at level 1 to inkLevels.
func inkIndex(k, level int) byte { return byte(cardLevels + k*inkLevels + level - 1) }

// level maps a coverage (0 to 255) to the nearest of n+1 steps, 0 to n.
func level(cov, n int) int { return (cov*n + 127) / 255 }

// blend is a over b at coverage num/den, rounded.
func blend(a, b color.RGBA, num, den int) color.RGBA {
	mix := func(x, y uint8) uint8 { return uint8((int(x)*num + int(y)*(den-num) + den/2) / den) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// palettes holds the palette of each tint.
var palettes = sync.OnceValue(func() [len(backgrounds)]color.Palette {
	var ps [len(backgrounds)]color.Palette
	for i, bg := range backgrounds {
		p := make(color.Palette, 0, paletteLen)
		for l := range cardLevels {
			p = append(p, blend(cardWhite, bg, l, cardLevels-1))
		}
		for _, ink := range inks {
			for l := 1; l <= inkLevels; l++ {
				p = append(p, blend(ink, cardWhite, l, inkLevels))
			}
		}
		ps[i] = p
	}
	return ps
})

// inkable is where glyphs may draw: the card without its rounded corners,
// all of it white before the text. The layout keeps text far inside it.
var inkable = image.Rect(margin+radius, margin, width-margin-radius, height-margin)

// blank is the empty card (tint and white card) as scanlines, drawn once.
var blank = sync.OnceValue(func() []byte {
	cov := image.NewAlpha(image.Rect(0, 0, width, height))
	fillRoundRect(cov, margin, margin, width-margin, height-margin, radius)
	pix := make([]byte, height*stride)
	for y := range height {
		row := pix[y*stride+1 : (y+1)*stride]
		for x, c := range cov.Pix[y*cov.Stride : y*cov.Stride+width] {
			row[x] = byte(level(int(c), cardLevels-1))
		}
	}
	return pix
})

// fillRoundRect sets the coverage of the rectangle (x0,y0)-(x1,y1) with
// corners of radius rad: the straight parts as plain rectangles, each
// corner as a quarter disc rasterized (anti-aliased) in a rad×rad box.
func fillRoundRect(dst *image.Alpha, x0, y0, x1, y1, rad int) {
	draw.Draw(dst, image.Rect(x0+rad, y0, x1-rad, y1), image.Opaque, image.Point{}, draw.Src)
	draw.Draw(dst, image.Rect(x0, y0+rad, x0+rad, y1-rad), image.Opaque, image.Point{}, draw.Src)
	draw.Draw(dst, image.Rect(x1-rad, y0+rad, x1, y1-rad), image.Opaque, image.Point{}, draw.Src)
	r := float32(rad)
	// k places the control points of a cubic Bézier quarter circle.
	const k = 0.5523
	z := vector.NewRasterizer(rad, rad)
	for _, corner := range []struct {
		at     image.Point // top-left of the corner's box
		cx, cy float32     // the circle's centre in the box
	}{
		{image.Pt(x0, y0), r, r},
		{image.Pt(x1-rad, y0), 0, r},
		{image.Pt(x0, y1-rad), r, 0},
		{image.Pt(x1-rad, y1-rad), 0, 0},
	} {
		// From the centre out to the box's horizontal edge, round to its
		// vertical edge, back to the centre.
		ex, ey := r-corner.cx, r-corner.cy // the far corner of the box
		z.Reset(rad, rad)
		z.MoveTo(corner.cx, corner.cy)
		z.LineTo(ex, corner.cy)
		z.CubeTo(ex, corner.cy+(ey-corner.cy)*k, corner.cx+(ex-corner.cx)*k, ey, corner.cx, ey)
		z.ClosePath()
		z.DrawOp = draw.Src
		z.Draw(dst, image.Rectangle{Min: corner.at, Max: corner.at.Add(image.Pt(rad, rad))}, image.Opaque, image.Point{})
	}
}

// canvas is one card being drawn.
type canvas struct {
	pix   []byte // height scanlines of stride bytes
	bg    int
	inked [height]bool // rows a glyph drew on
	// lo, hi are the pixels of an inked row that glyphs drew between: the
	// rest of it is the blank card's row.
	lo, hi [height]int16
	// What the glyphs changed, for the Adler-32 of the rows: the sum of
	// the changes d of the bytes, and of d times their offset.
	sumD, sumDPos int64
}

var canvases = sync.Pool{New: func() any {
	return &canvas{pix: append([]byte(nil), blank()...)}
}}

// newCanvas returns a blank card; release gives it back.
func newCanvas() *canvas {
	return canvases.Get().(*canvas)
}

// release blanks the rows that glyphs drew on and gives the canvas back.
func (c *canvas) release() {
	b := blank()
	for y, inked := range c.inked {
		if inked {
			copy(c.pix[y*stride:(y+1)*stride], b[y*stride:])
		}
	}
	c.inked = [height]bool{}
	c.sumD, c.sumDPos = 0, 0
	canvases.Put(c)
}

// paint draws p's glyphs.
func (c *canvas) paint(p plan) {
	c.bg = p.bg
	for _, g := range p.glyphs {
		ix, iy := g.dot.X.Floor(), g.dot.Y.Floor()
		m := g.set.mask(g.r, g.dot.X-fixed.I(ix), g.dot.Y-fixed.I(iy))
		for _, s := range m.spans {
			c.span(ix+s.x, iy+s.y, s.cov, g.ink)
		}
	}
}

// span draws one run of a glyph's coverage in ink k at x, y. A pixel that
// already holds the same ink (glyphs that touch) gets both coverages, as
// painting one over the other would.
func (c *canvas) span(x, y int, cov []byte, k int) {
	if y < inkable.Min.Y || y >= inkable.Max.Y {
		return
	}
	if x < inkable.Min.X {
		cov = cov[min(len(cov), inkable.Min.X-x):]
		x = inkable.Min.X
	}
	if n := inkable.Max.X - x; len(cov) > n {
		cov = cov[:max(n, 0)]
	}
	if !c.inked[y] {
		c.lo[y], c.hi[y] = int16(x), int16(x)
	}
	c.inked[y] = true
	c.lo[y], c.hi[y] = min(c.lo[y], int16(x)), max(c.hi[y], int16(x+len(cov)))
	at := y*stride + 1 + x
	row := c.pix[at:]
	first := inkIndex(k, 1)
	var sumD, sumDPos int64
	for i, a := range cov {
		old := row[i]
		if old-first < inkLevels { // the same ink: add the coverages
			had := (int(old-first) + 1) * 255 / inkLevels
			a = byte(int(a) + had - int(a)*had/255)
		}
		if l := inkOver[a]; l > 0 {
			row[i] = first + l - 1
			d := int64(row[i]) - int64(old)
			sumD += d
			sumDPos += d * int64(at+i)
		}
	}
	c.sumD += sumD
	c.sumDPos += sumDPos
}

// adler32 returns the Adler-32 of the canvas's scanlines: that of the
// blank card changed by what the glyphs changed. Adler-32 is s1, 1 plus
// the sum of the bytes, and s2, the sum of s1 after each byte; a byte at
// offset i of n changed by d adds d to s1 and (n-i)·d to s2.
func (c *canvas) adler32() uint32 {
	const mod = 65521
	const n = height * stride
	b := blankAdler()
	s1 := (int64(b&0xffff) + c.sumD) % mod
	s2 := (int64(b>>16) + n*c.sumD - c.sumDPos) % mod
	return uint32((s1+mod)%mod) | uint32((s2+mod)%mod)<<16
}

var blankAdler = sync.OnceValue(func() uint32 { return adler32.Checksum(blank()) })

// inkOver maps a coverage to its ink level (0, none, to inkLevels).
var inkOver = func() (t [256]byte) {
	for a := range t {
		t[a] = byte(level(a, inkLevels))
	}
	return t
}()
