package ogimage

import (
	"hash/fnv"
	"math"
	"strings"
	"unicode"

	"golang.org/x/image/math/fixed"
)

// Layout, in pixels of the 1200×630 canvas.
const (
	width, height = 1200, 630
	margin        = 40  // around the white card
	radius        = 28  // of the card's corners
	padX          = 88  // between the card's edge and the text
	emojiSize     = 120 // of the emoji's box (a square)
	emojiFontSize = 106 // Noto Emoji's glyphs are ~1.03 em tall: ~110 px, within the box
	emojiTop      = 72  // top of the emoji's box
	siteSize      = 34
	siteBase      = 538 // baseline of the site name
	titleMax      = 3   // lines
	lineHeight    = 1.4
)

// titleSizes are tried in turn until the title fits in titleMax lines; at
// the last one it is cut with "…".
var titleSizes = []float64{68, 60, 52, 46}

// plan is a laid-out card: its tint and every glyph with its place.
type plan struct {
	bg     int // index into backgrounds
	glyphs []placed
}

// placed is one glyph to draw: r from set with its origin at dot, in ink.
type placed struct {
	set *glyphSet
	r   rune
	dot fixed.Point26_6
	ink int
}

// face is a size of the text with a fallback font: each character is
// drawn by the first set that has it, or left out.
type face struct {
	size float64
	sets [2]*glyphSet
}

// glyph returns the set that draws r and what it knows of r, or nil.
func (f face) glyph(r rune) (*glyphSet, runeInfo) {
	for _, g := range f.sets {
		if ri := g.info(r); ri.ok {
			return g, ri
		}
	}
	return nil, runeInfo{}
}

func (f face) width(s string) fixed.Int26_6 {
	var w fixed.Int26_6
	for _, r := range s {
		_, ri := f.glyph(r)
		w += ri.adv
	}
	return w
}

// layout places everything c shows.
func layout(fs *fontSet, c Card) plan {
	h := fnv.New32a()
	h.Write([]byte(c.Title))
	p := plan{bg: int(h.Sum32() % uint32(len(backgrounds)))}
	maxW := fixed.I(width - 2*padX)
	top := float64(margin + 48)
	if r, ok := emojiRune(fs, c.Emoji); ok {
		p.placeEmoji(fs.emojiFace(), r)
		top = emojiTop + emojiSize + 24
	}
	site := cleanTitle(c.Site)
	bottom := float64(siteBase - siteSize - 28)
	if site != "" {
		st := fs.face(siteSize)
		p.placeLine(st, fitLine(st, site, maxW, false), siteBase, inkMuted)
	} else {
		bottom = height - margin - 48
	}
	title := cleanTitle(c.Title)
	if title == "" {
		return p
	}
	t, lines := layoutTitle(fs, title, maxW, bottom-top)
	lh := t.size * lineHeight
	y0 := top + (bottom-top-lh*float64(len(lines)))/2
	for i, l := range lines {
		// The ideographic em box of Noto Sans CJK runs from 0.12 em below
		// the baseline to 0.88 em above it: put its middle on the line's.
		base := y0 + lh*float64(i) + lh/2 + 0.38*t.size
		p.placeLine(t, l, int(math.Round(base)), inkTitle)
	}
	return p
}

// placeLine centres s on the baseline y. Each glyph goes to the quarter
// pixel nearest its exact place, so that four masks of a glyph serve every
// position.
func (p *plan) placeLine(f face, s string, y int, ink int) {
	x := (fixed.I(width) - f.width(s)) / 2
	for _, r := range s {
		g, ri := f.glyph(r)
		if g == nil {
			continue
		}
		p.glyphs = append(p.glyphs, placed{set: g, r: r, dot: fixed.Point26_6{X: (x + 8) &^ 15, Y: fixed.I(y)}, ink: ink})
		x += ri.adv
	}
}

// placeEmoji centres r in the emoji box.
func (p *plan) placeEmoji(f face, r rune) {
	g, ri := f.glyph(r)
	b := ri.bounds
	cx, cy := fixed.I(width/2), fixed.I(emojiTop+emojiSize/2)
	dot := fixed.Point26_6{X: cx - (b.Min.X+b.Max.X)/2, Y: cy - (b.Min.Y+b.Max.Y)/2}
	p.glyphs = append(p.glyphs, placed{set: g, r: r, dot: dot, ink: inkTitle})
}

// emojiRune returns the one character to draw for an emoji, if a font has
// it: variation selectors and skin-tone modifiers are dropped; a sequence
// of several characters (ZWJ, flags, keycaps) is drawn by the character
// fs.sequences gives it, or not at all.
func emojiRune(fs *fontSet, emoji string) (rune, bool) {
	var rs []rune
	for _, r := range strings.TrimSpace(emoji) {
		if r == 0xFE0F || r == 0xFE0E || (r >= 0x1F3FB && r <= 0x1F3FF) {
			continue
		}
		rs = append(rs, r)
	}
	var r rune
	switch {
	case len(rs) == 1 && rs[0] < privateSequences:
		r = rs[0]
	case len(rs) > 1:
		r = fs.sequences[string(rs)]
	}
	if r == 0 {
		return 0, false
	}
	g, _ := fs.emojiFace().glyph(r)
	return r, g != nil
}

// privateSequences is where the private use planes (15 and 16) start: the
// emoji font draws sequences there (fonts/subset.sh), so a character there
// in the text is left out, not drawn as a flag.
const privateSequences = 0xF0000

// maxRunes bounds the text laid out: three lines of the card hold far
// fewer characters, and the bound keeps the work small on any input.
const maxRunes = 300

// cleanTitle collapses white space, drops control and format characters
// and keeps at most maxRunes characters.
func cleanTitle(s string) string {
	if rs := []rune(s); len(rs) > maxRunes {
		s = string(rs[:maxRunes])
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		if r >= privateSequences {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// fitLine returns s, or s cut and ended with "…" so that it fits in maxW;
// more says the text went on after s, so the "…" is needed anyway.
func fitLine(f face, s string, maxW fixed.Int26_6, more bool) string {
	if !more && f.width(s) <= maxW {
		return s
	}
	rs := []rune(s)
	w := f.width("…")
	n := 0
	for n < len(rs) {
		_, ri := f.glyph(rs[n])
		if w+ri.adv > maxW {
			break
		}
		w += ri.adv
		n++
	}
	return strings.TrimRight(string(rs[:n]), " ") + "…"
}
