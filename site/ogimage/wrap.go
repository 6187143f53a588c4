package ogimage

import (
	"strings"

	"golang.org/x/image/math/fixed"
)

// layoutTitle picks the largest size at which the title fits in titleMax
// lines of at most maxW and in height; at the smallest size it cuts the
// title with "…". Lines are balanced: the narrowest width that still gives
// the same number of lines is used, so no line holds one lone character.
func layoutTitle(fs *fontSet, title string, maxW fixed.Int26_6, height float64) (face, []string) {
	var f face
	var us []unit
	for _, size := range titleSizes {
		f = fs.face(size)
		us = measureUnits(f, title)
		lines := wrapUnits(f, us, maxW)
		n := len(lines)
		if n > titleMax || float64(n)*size*lineHeight > height {
			continue
		}
		lo, hi := maxW/2, maxW // hi always gives n lines
		for hi-lo > fixed.I(4) {
			mid := (lo + hi) / 2
			if len(wrapUnits(f, us, mid)) == n {
				hi = mid
			} else {
				lo = mid
			}
		}
		return f, wrapUnits(f, us, hi)
	}
	n := titleMax
	for n > 1 && float64(n)*f.size*lineHeight > height {
		n--
	}
	lines := wrapUnits(f, us, maxW)
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = fitLine(f, lines[n-1], maxW, true)
	}
	return f, lines
}

// Line breaking (JIS X 4051 kinsoku, simplified): these may not start a line…
const noStart = "、。，．,.：；:;？！?!）)］]｝}〕〉》」』】〙〗〟’”｠»ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻‐゠–〜～…‥・"

// …and these may not end one.
const noEnd = "（(［[｛{〔〈《「『【〘〖〝‘“｟«"

// breakUnits splits s into pieces that stay on one line: a run of Latin
// letters, digits and ASCII punctuation is a word; each CJK character is a
// piece of its own, held to its neighbour by the kinsoku rules; a space
// ends the piece before it (and is dropped at a line's end).
func breakUnits(s string) []string {
	var units []string
	start := 0
	prev := rune(-1)
	for i, r := range s {
		if prev >= 0 && canBreak(prev, r) {
			units = append(units, s[start:i])
			start = i
		}
		prev = r
	}
	if start < len(s) {
		units = append(units, s[start:])
	}
	return units
}

func canBreak(prev, r rune) bool {
	switch {
	case r == ' ':
		return false // the space stays with the piece before it
	case prev == ' ':
		return true
	case strings.ContainsRune(noStart, r), strings.ContainsRune(noEnd, prev):
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

// unit is a piece of breakUnits with its width, and its width without the
// spaces that end it (which a line's end drops).
type unit struct {
	s     string
	w, wt fixed.Int26_6
}

// measureUnits breaks s into units and measures them with f. Spaces that
// start s are dropped.
func measureUnits(f face, s string) []unit {
	pieces := breakUnits(strings.TrimLeft(s, " "))
	us := make([]unit, len(pieces))
	for i, p := range pieces {
		us[i] = unit{s: p, w: f.width(p), wt: f.width(strings.TrimRight(p, " "))}
	}
	return us
}

// wrapUnits fills lines no wider than maxW with us in turn; a unit wider
// than a line (a long word or URL) is cut anywhere.
func wrapUnits(f face, us []unit, maxW fixed.Int26_6) []string {
	var lines []string
	var line strings.Builder
	var lw fixed.Int26_6 // of line, with its ending spaces
	for _, u := range us {
		if lw+u.wt <= maxW {
			line.WriteString(u.s)
			lw += u.w
			continue
		}
		if l := strings.TrimRight(line.String(), " "); l != "" {
			lines = append(lines, l)
		}
		line.Reset()
		rest := u.s
		if u.wt > maxW {
			var cut []string
			cut, rest = cutWord(f, rest, maxW)
			lines = append(lines, cut...)
		}
		line.WriteString(rest)
		lw = f.width(rest)
	}
	if l := strings.TrimRight(line.String(), " "); l != "" {
		lines = append(lines, l)
	}
	return lines
}

// cutWord cuts lines of at most maxW (and at least one character) off s
// until what is left fits in maxW, and returns the lines and what is left.
func cutWord(f face, s string, maxW fixed.Int26_6) (lines []string, rest string) {
	rs := []rune(s)
	for f.width(strings.TrimRight(string(rs), " ")) > maxW {
		_, ri := f.glyph(rs[0])
		w, n := ri.adv, 1
		for n < len(rs) {
			_, ri := f.glyph(rs[n])
			if w+ri.adv > maxW {
				break
			}
			w += ri.adv
			n++
		}
		lines = append(lines, string(rs[:n]))
		rs = rs[n:]
	}
	return lines, string(rs)
}
