// Package ogimage draws an article's OpenGraph image: the 1200×630 card
// that og:image and the Twitter card point at, with the article's emoji,
// its title and the site's name on a white card over a soft tint.
//
//	png, err := ogimage.PNG(ogimage.Card{Title: t, Emoji: e, Site: s})
//
// PNG is safe for concurrent use and deterministic: the same Card gives the
// same bytes with the same kiji on the same CPU architecture (the
// rasterizer works in float32). Version names everything besides the Card
// that goes into the picture (the layout and both fonts): a cache of drawn
// images keys on both (site/build keeps one under .kiji-cache/og/).
//
// # What is drawn
//
// The tint is picked by a hash of the title, so cards differ from article
// to article but never from build to build. The title is set at the
// largest of 68, 60, 52 and 46 px at which it fits in three lines, the
// lines balanced (no lone character on the last) and broken by the kinsoku
// rules (JIS X 4051, simplified); at 46 px it is cut with "…". Characters
// neither font has are left out; text never fails to draw.
//
// # Fonts
//
// Both are embedded (see fonts/subset.sh and the LICENSE files there):
//
//   - Noto Sans CJK JP Bold, cut down to the characters of cp932 (JIS X
//     0208 levels 1 and 2 with the NEC and IBM extensions), Latin and
//     punctuation: ~2 MB. A character outside it falls back to the emoji
//     font, then is left out.
//   - Noto Emoji Bold, Google's monochrome emoji font (~0.8 MB): every
//     emoji up to Unicode 16.0, as Zenn's picker offers them. x/image
//     cannot draw colour emoji (CBDT/COLR/SVG glyphs), so the emoji is
//     drawn in the title's ink, in the weight of the title's strokes.
//     A skin-tone modifier is dropped (it means nothing in one colour) and
//     so is a variation selector. kiji applies no GSUB, so a sequence
//     (keycap, flag, ZWJ) is looked up whole in
//     fonts/NotoEmoji-Bold.sequences.txt, made with the font by
//     fonts/subset.sh: the 721 sequences that HarfBuzz shapes to one glyph
//     with this font, each with the character that draws it (its own, or
//     one of plane 15's private use that subset.sh put in the cmap). A
//     sequence not there is left out.
//
// # How it stays cheap
//
// A build draws one card per article, so a card must cost well under a
// millisecond: about 0.4 ms of CPU (BenchmarkSiteCards draws cards like a
// site's in turn, BenchmarkOGImage one card again and again). The steps:
//
//   - layout.go and wrap.go lay the card out into a plan: each glyph and
//     its place. A glyph goes to the quarter pixel nearest its exact place
//     and every baseline to a whole pixel, as Skia and Chrome place text,
//     so that a few masks of a glyph serve every card.
//   - glyphs.go rasterizes each glyph once per process, size and quarter
//     pixel, and keeps its coverage and advance (up to maskBudget bytes).
//   - canvas.go paints on a palette image held as PNG scanlines: the card
//     and its tint are drawn once, and a glyph's coverage becomes one of
//     32 steps between the card's white and the ink, within 4/255 of the
//     exact blend (TestPNGMatchesReference).
//   - png.go, deflate.go, huffman.go and runs.go write the PNG. A row
//     glyphs drew on is mostly the row above it or runs of one colour:
//     deflate.go finds those matches with word compares and codes them
//     with one Huffman code made per process from a few sample cards;
//     the runs of blank rows between them are the same in every card
//     and are deflated once per process.
//
// A process keeps a few megabytes of masks and runs for a typical site,
// at most about 40 MB.
package ogimage

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
)

//go:embed fonts/NotoSansCJKjp-Bold.subset.otf
var textFont []byte

//go:embed fonts/NotoEmoji-Bold.ttf
var emojiFont []byte

//go:embed fonts/NotoEmoji-Bold.sequences.txt
var emojiSequences string

// sequencesFile names emojiSequences in errors.
const sequencesFile = "site/ogimage/fonts/NotoEmoji-Bold.sequences.txt"

// layoutVersion is part of Version: change it whenever the drawing code
// changes what a card looks like or its bytes, so cached images are redrawn.
const layoutVersion = "4"

// Card is what an OpenGraph image shows.
type Card struct {
	Title, Emoji, Site string
}

// PNG draws c and returns it as a PNG. It fails only if the embedded fonts
// cannot be read; text it cannot draw is left out.
func PNG(c Card) ([]byte, error) {
	fs, err := loadFonts()
	if err != nil {
		return nil, err
	}
	cv := newCanvas()
	defer cv.release()
	cv.paint(layout(fs, c))
	return cv.encode(fs.code()), nil
}

// Version names the layout and the fonts: two kijis that draw the same
// Card differently have different Versions.
func Version() (string, error) {
	fs, err := loadFonts()
	if err != nil {
		return "", err
	}
	return layoutVersion + " " + fs.hash, nil
}

// fontSet holds the parsed fonts and their glyph caches at every size the
// card uses.
type fontSet struct {
	text, emoji *sfnt.Font
	hash        string          // of both font files and the sequences
	sequences   map[string]rune // an emoji sequence, without modifiers → the emoji font's character for it
	sets        map[setKey]*glyphSet
	code        func() *huffman // the Huffman code of the cards' rows (huffman.go)
}

// setKey names one font at one size.
type setKey struct {
	emoji bool
	size  float64
}

var loadFonts = sync.OnceValues(func() (*fontSet, error) {
	text, err := opentype.Parse(textFont)
	if err != nil {
		return nil, fmt.Errorf("parsing the embedded Noto Sans CJK JP subset: %w", err)
	}
	emoji, err := opentype.Parse(emojiFont)
	if err != nil {
		return nil, fmt.Errorf("parsing the embedded Noto Emoji font: %w", err)
	}
	seqs, err := parseSequences(emojiSequences)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write(textFont)
	h.Write(emojiFont)
	h.Write([]byte(emojiSequences))
	fs := &fontSet{text: text, emoji: emoji, hash: hex.EncodeToString(h.Sum(nil)), sequences: seqs, sets: map[setKey]*glyphSet{}}
	for _, size := range append([]float64{siteSize, emojiFontSize}, titleSizes...) {
		fs.sets[setKey{false, size}] = newGlyphSet(text, size)
		fs.sets[setKey{true, size}] = newGlyphSet(emoji, size)
	}
	fs.code = sync.OnceValue(fs.makeCode)
	return fs, nil
})

// parseSequences reads the lines of NotoEmoji-Bold.sequences.txt: a
// character, then the sequence it draws, in hex.
func parseSequences(s string) (map[string]rune, error) {
	seqs := map[string]rune{}
	for i, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		rs := make([]rune, len(f))
		for j, x := range f {
			n, err := strconv.ParseUint(x, 16, 32)
			if err != nil || n > unicode.MaxRune {
				return nil, fmt.Errorf("%s:%d: %q is not a character in hex: run fonts/subset.sh again", sequencesFile, i+1, x)
			}
			rs[j] = rune(n)
		}
		if len(rs) < 3 {
			return nil, fmt.Errorf("%s:%d: want a character and a sequence of at least two: run fonts/subset.sh again", sequencesFile, i+1)
		}
		seqs[string(rs[1:])] = rs[0]
	}
	return seqs, nil
}

// face is the text font at size, with the emoji font as its fallback.
func (fs *fontSet) face(size float64) face {
	return face{size: size, sets: [2]*glyphSet{fs.sets[setKey{false, size}], fs.sets[setKey{true, size}]}}
}

// emojiFace is the emoji font at the emoji's size, with the text font as
// its fallback.
func (fs *fontSet) emojiFace() face {
	return face{size: emojiFontSize, sets: [2]*glyphSet{fs.sets[setKey{true, emojiFontSize}], fs.sets[setKey{false, emojiFontSize}]}}
}
