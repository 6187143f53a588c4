package diagram

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/image/font/sfnt"
	"oss.terrastruct.com/d2/d2renderers/d2fonts"
	fontlib "oss.terrastruct.com/d2/lib/font"
)

// A diagram's text is set in D2's fonts, Source Sans Pro and Source Code
// Pro. D2 embeds in every diagram a subset of each face it uses, cut to the
// characters of that diagram; here the faces are cut once per kiji, by the
// same cutter (so every glyph and its metrics are those of D2's subsets),
// into one file per face and character range, which the browser downloads
// only when a diagram shows a character of the range and then caches for
// every page of the site.

// face is one of D2's font faces and the family name D2 gives it after the
// diagram's hash: "<hash>-font-<suffix>".
type face struct {
	family d2fonts.FontFamily
	style  d2fonts.FontStyle
	suffix string
}

var faces = []face{
	{d2fonts.SourceSansPro, d2fonts.FONT_STYLE_REGULAR, "regular"},
	{d2fonts.SourceSansPro, d2fonts.FONT_STYLE_SEMIBOLD, "semibold"},
	{d2fonts.SourceSansPro, d2fonts.FONT_STYLE_BOLD, "bold"},
	{d2fonts.SourceSansPro, d2fonts.FONT_STYLE_ITALIC, "italic"},
	{d2fonts.SourceCodePro, d2fonts.FONT_STYLE_REGULAR, "mono"},
	{d2fonts.SourceCodePro, d2fonts.FONT_STYLE_BOLD, "mono-bold"},
	{d2fonts.SourceCodePro, d2fonts.FONT_STYLE_ITALIC, "mono-italic"},
}

// fontRange is a part of a face's characters with a file of its own.
type fontRange struct {
	name string
	in   func(r rune) bool
}

// fontRanges split each face in two: the characters of Latin text
// (ASCII, Latin-1, typographic punctuation, arrows), which nearly every
// diagram with Latin text needs, and the rest of the face (Latin Extended,
// Greek, Cyrillic, symbols), rarely needed. Characters the face does not
// have (Japanese, for one) are in no range: the browser sets them in its
// own fonts without downloading anything, as it did with D2's subsets.
var fontRanges = []fontRange{
	{"latin", isLatin},
	{"ext", func(r rune) bool { return !isLatin(r) }},
}

func isLatin(r rune) bool {
	switch {
	case r <= 0xFF, r >= 0x2000 && r <= 0x206F, r >= 0x2190 && r <= 0x21FF:
		return true
	}
	return strings.ContainsRune("\u0131\u0152\u0153\u02C6\u02DA\u02DC\u20AC\u2122\u2212\uFEFF\uFFFD", r)
}

// fontFile is one woff file of a face: its name (with a fingerprint of
// its bytes), its bytes and the CSS unicode-range of its characters.
type fontFile struct {
	face   face
	name   string
	data   []byte
	ranges string
}

// cutFonts cuts every face into its range files. A range of a face that
// has no character gets no file.
func cutFonts() ([]fontFile, error) {
	var out []fontFile
	for _, f := range faces {
		ttf := d2fonts.FontFaces.Get(f.family.Font(0, f.style))
		chars, err := fontChars(ttf)
		if err != nil {
			return nil, fmt.Errorf("reading D2's font %s %s: %w", f.family, f.style, err)
		}
		for _, fr := range fontRanges {
			var set []rune
			for _, r := range chars {
				if fr.in(r) {
					set = append(set, r)
				}
			}
			if len(set) == 0 {
				continue
			}
			woff, err := fontlib.Sfnt2Woff(fontlib.UTF8CutFont(append([]byte(nil), ttf...), string(set)))
			if err != nil {
				return nil, fmt.Errorf("cutting D2's font %s %s: %w", f.family, f.style, err)
			}
			sum := sha256.Sum256(woff)
			name := "d2-" + f.suffix + "-" + fr.name + "." + hex.EncodeToString(sum[:])[:10] + ".woff"
			out = append(out, fontFile{face: f, name: name, data: woff, ranges: unicodeRange(set, chars)})
		}
	}
	return out, nil
}

// fontChars lists the characters of the Basic Multilingual Plane that ttf
// has a glyph for, in order. D2's cutter reads only the font's BMP cmap
// (format 4), so its subsets never hold other characters either.
func fontChars(ttf []byte) ([]rune, error) {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, err
	}
	var b sfnt.Buffer
	var out []rune
	for r := rune(1); r <= 0xFFFF; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		if g, err := f.GlyphIndex(&b, r); err == nil && g != 0 {
			out = append(out, r)
		}
	}
	return out, nil
}

// unicodeRange writes sorted characters, some of the face's characters
// all, as a CSS unicode-range value, runs of consecutive characters as one
// range: "U+20-7E,U+A0-FF,U+2013". Below U+2000 (Latin, Greek, Cyrillic),
// two runs less than mergeGap apart make one range when the face has no
// character between them, to keep the stylesheet short: a character of
// the gap only has the browser fetch the file in vain and set the
// character in its own fonts. Above, where Japanese text finds its
// punctuation and symbols, ranges are exact.
func unicodeRange(set, all []rune) string {
	const mergeGap = 64
	index := make(map[rune]int, len(all))
	for i, r := range all {
		index[r] = i
	}
	next := func(a, b rune) bool {
		return b == a+1 || b < 0x2000 && b-a <= mergeGap && index[b] == index[a]+1
	}
	var b strings.Builder
	for i := 0; i < len(set); {
		j := i
		for j+1 < len(set) && next(set[j], set[j+1]) {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if j == i {
			fmt.Fprintf(&b, "U+%X", set[i])
		} else {
			fmt.Fprintf(&b, "U+%X-%X", set[i], set[j])
		}
		i = j + 1
	}
	return b.String()
}
