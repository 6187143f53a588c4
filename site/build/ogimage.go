package build

// OpenGraph images: every article gets articles/<slug>/og.png, a 1200×630
// card with its emoji, its title and the site's name, which og:image and
// the Twitter card point at.
//
// Fonts (both embedded, see ogfont/subset.sh and the LICENSE files there):
//
//   - Noto Sans CJK JP Bold, cut down to the characters of cp932 (JIS X 0208
//     levels 1 and 2 with the NEC and IBM extensions), Latin and
//     punctuation: ~2 MB. A character outside it falls back to the emoji
//     font, then is left out.
//   - Symbola, cut down to the emoji blocks (~1 MB): x/image cannot draw
//     colour emoji (CBDT/COLR/SVG glyphs), so the emoji is drawn as
//     Symbola's monochrome glyph. Emoji newer than Unicode 9.0, and
//     sequences (ZWJ, flags, keycaps), have no single glyph there and are
//     left out; a skin-tone modifier is dropped (it means nothing in one
//     colour).
//
// Drawing is deterministic (same inputs, same bytes with the same Go and
// x/image on the same CPU architecture: the rasterizer works in float32)
// and cached under CacheDir/og/ by a hash of everything that goes into the
// picture, so a rebuild reads the PNG instead of drawing it again.

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

//go:embed ogfont/NotoSansCJKjp-Bold.subset.otf
var ogTextFont []byte

//go:embed ogfont/Symbola.emoji.ttf
var ogEmojiFont []byte

const (
	ogWidth, ogHeight = 1200, 630
	// ogLayout is part of the cache key: change it whenever the drawing
	// code changes, so cached images are redrawn.
	ogLayout = "1"
)

// ogCard is what an OpenGraph image shows.
type ogCard struct {
	Title, Emoji, Site string
}

// ogFontSet holds the parsed fonts; sfnt.Font is safe for concurrent use,
// faces are not (each drawing makes its own).
type ogFontSet struct {
	text, emoji *sfnt.Font
	hash        string // of both font files, for the cache key
}

var loadOGFonts = sync.OnceValues(func() (*ogFontSet, error) {
	text, err := opentype.Parse(ogTextFont)
	if err != nil {
		return nil, fmt.Errorf("parsing the embedded Noto Sans CJK JP subset: %w", err)
	}
	emoji, err := opentype.Parse(ogEmojiFont)
	if err != nil {
		return nil, fmt.Errorf("parsing the embedded Symbola subset: %w", err)
	}
	h := sha256.New()
	h.Write(ogTextFont)
	h.Write(ogEmojiFont)
	return &ogFontSet{text: text, emoji: emoji, hash: hex.EncodeToString(h.Sum(nil))}, nil
})

// ogCacheKey names the cached PNG of c: everything that changes its pixels.
func ogCacheKey(fonts *ogFontSet, c ogCard) string {
	h := sha256.New()
	for _, s := range []string{"kiji-og", ogLayout, cacheVersion(), fonts.hash, c.Title, c.Emoji, c.Site} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ogImage returns the PNG of c, from the cache under cacheDir/og/ when it is
// there, else drawn and stored there. The cache is best effort: a cache
// folder that cannot be written only costs the drawing again next time.
func ogImage(cacheDir string, c ogCard) ([]byte, error) {
	fonts, err := loadOGFonts()
	if err != nil {
		return nil, err
	}
	key := ogCacheKey(fonts, c)
	dir := filepath.Join(cacheDir, "og")
	p := filepath.Join(dir, key+".og")
	if b, err := os.ReadFile(p); err == nil {
		if png, ok := decodeOGCache(b); ok {
			return png, nil
		}
	}
	b, err := encodeOGImage(drawOGImage(fonts, c))
	if err != nil {
		return nil, err
	}
	writeCacheFile(dir, p, encodeOGCache(b))
	return b, nil
}

// A cached image is one header line, with the image's SHA-256, and the
// PNG: a torn or damaged file (a flipped byte keeps the PNG's signature
// and trailer) fails the checksum and is drawn again.
const ogCacheMagic = "kiji-og-cache v1 "

func encodeOGCache(png []byte) []byte {
	sum := sha256.Sum256(png)
	return append([]byte(ogCacheMagic+hex.EncodeToString(sum[:])+"\n"), png...)
}

// decodeOGCache returns the PNG of a cache file, and whether it is whole.
func decodeOGCache(b []byte) ([]byte, bool) {
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 || !bytes.HasPrefix(b, []byte(ogCacheMagic)) {
		return nil, false
	}
	png := b[nl+1:]
	sum := sha256.Sum256(png)
	return png, string(b[len(ogCacheMagic):nl]) == hex.EncodeToString(sum[:]) && completePNG(png)
}

// completePNG reports whether b starts with the PNG signature and ends with
// an IEND chunk.
func completePNG(b []byte) bool {
	return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) &&
		bytes.HasSuffix(b, []byte("\x00\x00\x00\x00IEND\xaeB`\x82"))
}

// writeCacheFile writes b to p through a temporary file and a rename, so
// readers see the whole file or none. Errors are ignored: see ogImage.
func writeCacheFile(dir, p string, b []byte) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
	}
}

// encodeOGImage writes img as a PNG. The card is a few flat colours and
// their anti-aliased blends, so it goes out as a palette image: colours
// that agree in their top 5 bits per channel share one entry (the flat
// colours exactly; a blend is off by at most 7/255, not visible): ~100
// entries. Against RGB that is 2.5× smaller and 7× cheaper to compress
// (22 kB and ~2 ms of CPU instead of 55 kB and ~13 ms for a typical card);
// BestSpeed costs a quarter of the default level for ~8% more bytes. An
// image with more than 256 such colours (none that drawOGImage makes) is
// written as RGB.
func encodeOGImage(img *image.RGBA) ([]byte, error) {
	var out image.Image = img
	if p := toPaletted(img); p != nil {
		out = p
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, out); err != nil {
		return nil, fmt.Errorf("encoding the OpenGraph image: %w", err)
	}
	return buf.Bytes(), nil
}

// toPaletted maps img to at most 256 colours as encodeOGImage says, or
// returns nil.
func toPaletted(img *image.RGBA) *image.Paletted {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if img.Stride != 4*w {
		return nil // a sub-image: drawOGImage never makes one
	}
	var index [1 << 15]int16 // 5+5+5 bits of colour → palette index + 1
	pal := make(color.Palette, 0, 256)
	// The flat colours come first, so that they, not a blend that happens
	// to share their 5 bits, stand for their entries: the background (the
	// corner pixel), the card, the ink.
	bg := img.RGBAAt(b.Min.X, b.Min.Y)
	for _, c := range []color.RGBA{bg, ogCardFill, ogInk, ogMuted} {
		key := int(c.R>>3)<<10 | int(c.G>>3)<<5 | int(c.B>>3)
		if index[key] == 0 {
			pal = append(pal, c)
			index[key] = int16(len(pal))
		}
	}
	p := image.NewPaletted(b, nil)
	prev, idx := uint32(0), uint8(0)
	for i, j := 0, 0; j < w*h; i, j = i+4, j+1 {
		px := img.Pix[i : i+4 : i+4]
		// Most pixels repeat the one before: compare all four bytes at once.
		if v := uint32(px[0]) | uint32(px[1])<<8 | uint32(px[2])<<16 | uint32(px[3])<<24; v != prev || j == 0 {
			prev = v
			key := int(px[0]>>3)<<10 | int(px[1]>>3)<<5 | int(px[2]>>3)
			k := index[key]
			if k == 0 {
				if len(pal) == 256 {
					return nil
				}
				pal = append(pal, color.RGBA{px[0], px[1], px[2], 0xff})
				k = int16(len(pal))
				index[key] = k
			}
			idx = uint8(k - 1)
		}
		p.Pix[j] = idx
	}
	p.Palette = pal
	return p
}

// Layout, in pixels of the 1200×630 canvas.
const (
	ogMargin     = 40  // around the white card
	ogRadius     = 28  // of the card's corners
	ogPadX       = 88  // between the card's edge and the text
	ogEmojiSize  = 120 // emoji glyph size
	ogEmojiTop   = 72  // top of the emoji's box
	ogSiteSize   = 34
	ogSiteBase   = 538 // baseline of the site name
	ogTitleMax   = 3   // lines
	ogLineHeight = 1.4
)

// ogTitleSizes are tried in turn until the title fits in ogTitleMax lines;
// at the last one it is cut with "…".
var ogTitleSizes = []float64{68, 60, 52, 46}

var (
	ogInk      = color.RGBA{0x1f, 0x29, 0x37, 0xff}
	ogMuted    = color.RGBA{0x5b, 0x67, 0x75, 0xff}
	ogCardFill = color.RGBA{0xff, 0xff, 0xff, 0xff}
	// ogBackgrounds are soft tints; the title picks one, so cards differ
	// from article to article but never from build to build.
	ogBackgrounds = []color.RGBA{
		{0xd6, 0xe8, 0xfd, 0xff}, // blue
		{0xd5, 0xf5, 0xe3, 0xff}, // green
		{0xfd, 0xef, 0xc8, 0xff}, // amber
		{0xfb, 0xe0, 0xee, 0xff}, // pink
		{0xe6, 0xe1, 0xfc, 0xff}, // violet
		{0xd3, 0xf1, 0xf6, 0xff}, // cyan
	}
)

// ogText draws and measures text with the text font, falling back to the
// emoji font per character; a character neither has is left out.
type ogText struct {
	fonts     *ogFontSet
	buf       sfnt.Buffer
	text, emo font.Face
	size      float64
}

func newOGText(fonts *ogFontSet, size float64) *ogText {
	opts := &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone}
	text, _ := opentype.NewFace(fonts.text, opts) // errors only on a nil font or bad options
	emo, _ := opentype.NewFace(fonts.emoji, opts)
	return &ogText{fonts: fonts, text: text, emo: emo, size: size}
}

// face returns the face that has r, or nil.
func (t *ogText) face(r rune) font.Face {
	if i, err := t.fonts.text.GlyphIndex(&t.buf, r); err == nil && i != 0 {
		return t.text
	}
	if i, err := t.fonts.emoji.GlyphIndex(&t.buf, r); err == nil && i != 0 {
		return t.emo
	}
	return nil
}

func (t *ogText) width(s string) fixed.Int26_6 {
	var w fixed.Int26_6
	for _, r := range s {
		if f := t.face(r); f != nil {
			a, _ := f.GlyphAdvance(r)
			w += a
		}
	}
	return w
}

// draw draws s with its baseline starting at dot.
func (t *ogText) draw(dst draw.Image, dot fixed.Point26_6, s string, ink color.Color) {
	src := image.NewUniform(ink)
	for _, r := range s {
		f := t.face(r)
		if f == nil {
			continue
		}
		dr, mask, mp, adv, ok := f.Glyph(dot, r)
		if ok && !dr.Empty() {
			draw.DrawMask(dst, dr, src, image.Point{}, mask, mp, draw.Over)
		}
		dot.X += adv
	}
}

// drawOGImage draws the card. It never fails: text it cannot draw is left
// out.
func drawOGImage(fonts *ogFontSet, c ogCard) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, ogWidth, ogHeight))
	h := fnv.New32a()
	h.Write([]byte(c.Title))
	bg := ogBackgrounds[h.Sum32()%uint32(len(ogBackgrounds))]
	draw.Draw(img, img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	fillRoundRect(img, ogMargin, ogMargin, ogWidth-ogMargin, ogHeight-ogMargin, ogRadius, ogCardFill)

	maxW := fixed.I(ogWidth - 2*ogPadX)
	top := float64(ogMargin + 48)
	if r, ok := ogEmojiRune(fonts, c.Emoji); ok {
		drawOGEmoji(img, fonts, r)
		top = ogEmojiTop + ogEmojiSize + 24
	}

	site := cleanTitle(c.Site)
	bottom := float64(ogSiteBase - ogSiteSize - 28)
	if site != "" {
		st := newOGText(fonts, ogSiteSize)
		site = fitLine(st, site, maxW, false)
		x := (fixed.I(ogWidth) - st.width(site)) / 2
		st.draw(img, fixed.Point26_6{X: x, Y: fixed.I(ogSiteBase)}, site, ogMuted)
	} else {
		bottom = ogHeight - ogMargin - 48
	}

	title := cleanTitle(c.Title)
	if title == "" {
		return img
	}
	t, lines := layoutTitle(fonts, title, maxW, bottom-top)
	lh := t.size * ogLineHeight
	y0 := top + (bottom-top-lh*float64(len(lines)))/2
	for i, l := range lines {
		// The ideographic em box of Noto Sans CJK runs from 0.12 em below
		// the baseline to 0.88 em above it: put its middle on the line's.
		base := y0 + lh*float64(i) + lh/2 + 0.38*t.size
		x := (fixed.I(ogWidth) - t.width(l)) / 2
		t.draw(img, fixed.Point26_6{X: x, Y: fixed.Int26_6(base * 64)}, l, ogInk)
	}
	return img
}

// layoutTitle picks the largest size at which the title fits in ogTitleMax
// lines of at most maxW and in height; at the smallest size it cuts the
// title with "…". Lines are balanced: the narrowest width that still gives
// the same number of lines is used, so no line holds one lone character.
func layoutTitle(fonts *ogFontSet, title string, maxW fixed.Int26_6, height float64) (*ogText, []string) {
	var t *ogText
	for _, size := range ogTitleSizes {
		t = newOGText(fonts, size)
		lines := wrapTitle(t, title, maxW)
		n := len(lines)
		if n > ogTitleMax || float64(n)*size*ogLineHeight > height {
			continue
		}
		lo, hi := maxW/2, maxW // hi always gives n lines
		for hi-lo > fixed.I(4) {
			mid := (lo + hi) / 2
			if len(wrapTitle(t, title, mid)) == n {
				hi = mid
			} else {
				lo = mid
			}
		}
		return t, wrapTitle(t, title, hi)
	}
	n := ogTitleMax
	for n > 1 && float64(n)*t.size*ogLineHeight > height {
		n--
	}
	lines := wrapTitle(t, title, maxW)
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = fitLine(t, lines[n-1], maxW, true)
	}
	return t, lines
}

// ogEmojiRune returns the one character to draw for an emoji, if a font
// has it: variation selectors and skin-tone modifiers are dropped; a
// sequence of several characters (ZWJ, flags, keycaps) has no single glyph.
func ogEmojiRune(fonts *ogFontSet, emoji string) (rune, bool) {
	var rs []rune
	for _, r := range strings.TrimSpace(emoji) {
		if r == 0xFE0F || r == 0xFE0E || (r >= 0x1F3FB && r <= 0x1F3FF) {
			continue
		}
		rs = append(rs, r)
	}
	if len(rs) != 1 {
		return 0, false
	}
	var buf sfnt.Buffer
	for _, f := range []*sfnt.Font{fonts.emoji, fonts.text} {
		if i, err := f.GlyphIndex(&buf, rs[0]); err == nil && i != 0 {
			return rs[0], true
		}
	}
	return 0, false
}

// drawOGEmoji draws r centred in the emoji box, taking the first font that
// has it (Symbola's pictographs before Noto's few symbols).
func drawOGEmoji(dst draw.Image, fonts *ogFontSet, r rune) {
	opts := &opentype.FaceOptions{Size: ogEmojiSize, DPI: 72, Hinting: font.HintingNone}
	var buf sfnt.Buffer
	for _, f := range []*sfnt.Font{fonts.emoji, fonts.text} {
		if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
			continue
		}
		face, err := opentype.NewFace(f, opts)
		if err != nil {
			return
		}
		b, _, ok := face.GlyphBounds(r)
		if !ok {
			return
		}
		cx, cy := fixed.I(ogWidth/2), fixed.I(ogEmojiTop+ogEmojiSize/2)
		dot := fixed.Point26_6{X: cx - (b.Min.X+b.Max.X)/2, Y: cy - (b.Min.Y+b.Max.Y)/2}
		dr, mask, mp, _, ok := face.Glyph(dot, r)
		if ok && !dr.Empty() {
			draw.DrawMask(dst, dr, image.NewUniform(ogInk), image.Point{}, mask, mp, draw.Over)
		}
		return
	}
}

// ogMaxRunes bounds the text laid out: three lines of the card hold far
// fewer characters, and the bound keeps the work small on any input.
const ogMaxRunes = 300

// cleanTitle collapses white space, drops control and format characters
// and keeps at most ogMaxRunes characters.
func cleanTitle(s string) string {
	if rs := []rune(s); len(rs) > ogMaxRunes {
		s = string(rs[:ogMaxRunes])
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// fitLine returns s, or s cut and ended with "…" so that it fits in maxW;
// more says the text went on after s, so the "…" is needed anyway.
func fitLine(t *ogText, s string, maxW fixed.Int26_6, more bool) string {
	if !more && t.width(s) <= maxW {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && t.width(string(rs)+"…") > maxW {
		rs = rs[:len(rs)-1]
	}
	return strings.TrimRight(string(rs), " ") + "…"
}

// Line breaking (JIS X 4051 kinsoku, simplified): these may not start a line…
const ogNoStart = "、。，．,.：；:;？！?!）)］]｝}〕〉》」』】〙〗〟’”｠»ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻‐゠–〜～…‥・"

// …and these may not end one.
const ogNoEnd = "（(［[｛{〔〈《「『【〘〖〝‘“｟«"

// breakUnits splits s into pieces that stay on one line: a run of Latin
// letters, digits and ASCII punctuation is a word; each CJK character is a
// piece of its own, held to its neighbour by the kinsoku rules; a space
// ends the piece before it (and is dropped at a line's end).
func breakUnits(s string) []string {
	var units []string
	var cur strings.Builder
	prev := rune(-1)
	for _, r := range s {
		if prev >= 0 && canBreak(prev, r) {
			units = append(units, cur.String())
			cur.Reset()
		}
		cur.WriteRune(r)
		prev = r
	}
	if cur.Len() > 0 {
		units = append(units, cur.String())
	}
	return units
}

func canBreak(prev, r rune) bool {
	switch {
	case r == ' ':
		return false // the space stays with the piece before it
	case prev == ' ':
		return true
	case strings.ContainsRune(ogNoStart, r), strings.ContainsRune(ogNoEnd, prev):
		return false
	case isWordRune(prev) && isWordRune(r):
		return false
	}
	return true
}

// isWordRune reports whether r belongs to a word that is not broken: Latin,
// Greek, Cyrillic letters, digits and ASCII symbols.
func isWordRune(r rune) bool {
	return r < 0x2000 && r != ' '
}

// wrapTitle breaks s into lines no wider than maxW.
func wrapTitle(t *ogText, s string, maxW fixed.Int26_6) []string {
	var lines []string
	var line string
	flush := func() {
		if l := strings.TrimRight(line, " "); l != "" {
			lines = append(lines, l)
		}
		line = ""
	}
	for _, u := range breakUnits(s) {
		if line == "" {
			u = strings.TrimLeft(u, " ")
		}
		if t.width(strings.TrimRight(line+u, " ")) <= maxW {
			line += u
			continue
		}
		flush()
		u = strings.TrimLeft(u, " ")
		// A piece wider than a line (a long word or URL) is cut anywhere.
		for t.width(strings.TrimRight(u, " ")) > maxW {
			n := 1
			for n < utf8.RuneCountInString(u) && t.width(string([]rune(u)[:n+1])) <= maxW {
				n++
			}
			lines = append(lines, string([]rune(u)[:n]))
			u = string([]rune(u)[n:])
		}
		line = u
	}
	flush()
	return lines
}

// fillRoundRect fills the rectangle (x0,y0)-(x1,y1) with corners of radius
// rad: the straight parts as plain rectangles, each corner as a quarter
// disc rasterized (anti-aliased) in a rad×rad box of its own, which costs
// far less than rasterizing the whole card.
func fillRoundRect(dst draw.Image, x0, y0, x1, y1, rad int, c color.Color) {
	src := image.NewUniform(c)
	draw.Draw(dst, image.Rect(x0+rad, y0, x1-rad, y1), src, image.Point{}, draw.Over)
	draw.Draw(dst, image.Rect(x0, y0+rad, x0+rad, y1-rad), src, image.Point{}, draw.Over)
	draw.Draw(dst, image.Rect(x1-rad, y0+rad, x1, y1-rad), src, image.Point{}, draw.Over)
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
		z.DrawOp = draw.Over
		z.Draw(dst, image.Rectangle{Min: corner.at, Max: corner.at.Add(image.Pt(rad, rad))}, src, image.Point{})
	}
}
