package ogimage

import (
	"image"
	"image/draw"
	"sync"
	"sync/atomic"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// maskBudget bounds the bytes of glyph masks kept per process: a site with
// thousands of distinct characters still draws every one, only the masks
// past the budget are rasterized anew each time. A 68 px CJK glyph takes
// about 3 kB, so the budget holds some 10,000 of them.
const maskBudget = 32 << 20

var maskBytes atomic.Int64

// glyphSet is one font at one size: each character's advance and, per
// sub-pixel position, its coverage mask, computed once and shared by every
// drawing. Safe for concurrent use.
type glyphSet struct {
	font  *sfnt.Font
	size  float64
	tools sync.Pool // of *glyphTools
	runes sync.Map  // rune → runeInfo
	masks sync.Map  // maskKey → *mask
}

// glyphTools are what measuring and rasterizing need and may not share.
type glyphTools struct {
	face font.Face
	buf  sfnt.Buffer
}

// runeInfo is what the layout needs of a character.
type runeInfo struct {
	ok     bool // the font has a glyph for it
	adv    fixed.Int26_6
	bounds fixed.Rectangle26_6 // of the glyph drawn at (0, 0)
}

// maskKey names a glyph drawn at a dot whose fractional part is fx, fy.
type maskKey struct {
	r      rune
	fx, fy fixed.Int26_6
}

// mask is a glyph's coverage drawn at a dot whose whole-pixel part is
// (0, 0), as runs of covered pixels.
type mask struct {
	spans []span
}

// span is a run of covered pixels in one row: x, y of its first pixel
// relative to the dot, cov their coverage (1 to 255).
type span struct {
	x, y int
	cov  []byte
}

func newGlyphSet(f *sfnt.Font, size float64) *glyphSet {
	g := &glyphSet{font: f, size: size}
	g.tools.New = func() any {
		face, _ := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone}) // errors only on a nil font or bad options
		return &glyphTools{face: face}
	}
	return g
}

// info returns what the layout needs of r.
func (g *glyphSet) info(r rune) runeInfo {
	if v, ok := g.runes.Load(r); ok {
		return v.(runeInfo)
	}
	t := g.tools.Get().(*glyphTools)
	defer g.tools.Put(t)
	var ri runeInfo
	if i, err := g.font.GlyphIndex(&t.buf, r); err == nil && i != 0 {
		ri.ok = true
		ri.adv, _ = t.face.GlyphAdvance(r)
		ri.bounds, _, _ = t.face.GlyphBounds(r)
	}
	g.runes.Store(r, ri)
	return ri
}

// mask returns the coverage of r drawn at a dot whose fractional part is
// fx, fy (each 0 to 63).
func (g *glyphSet) mask(r rune, fx, fy fixed.Int26_6) *mask {
	k := maskKey{r, fx, fy}
	if v, ok := g.masks.Load(k); ok {
		return v.(*mask)
	}
	t := g.tools.Get().(*glyphTools)
	m, n := rasterize(t.face, r, fixed.Point26_6{X: fx, Y: fy})
	g.tools.Put(t)
	if maskBytes.Add(int64(n)) <= maskBudget {
		g.masks.Store(k, m)
	}
	return m
}

// rasterize draws r at dot with face and returns its mask and roughly how
// many bytes it holds.
func rasterize(face font.Face, r rune, dot fixed.Point26_6) (*mask, int) {
	dr, src, sp, _, ok := face.Glyph(dot, r)
	m := &mask{}
	if !ok || dr.Empty() {
		return m, 0
	}
	a := image.NewAlpha(dr)
	draw.Draw(a, dr, src, sp, draw.Src) // src is the face's buffer, reused by its next Glyph
	for y := dr.Min.Y; y < dr.Max.Y; y++ {
		row := a.Pix[a.PixOffset(dr.Min.X, y):a.PixOffset(dr.Max.X, y)]
		for x := 0; x < len(row); {
			if row[x] == 0 {
				x++
				continue
			}
			end := x
			for end < len(row) && row[end] != 0 {
				end++
			}
			m.spans = append(m.spans, span{x: dr.Min.X + x, y: y, cov: row[x:end:end]})
			x = end
		}
	}
	return m, len(a.Pix) + 32*len(m.spans)
}
