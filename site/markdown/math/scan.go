package math

import (
	"bytes"
	"unicode/utf8"
)

// The delimiter rules follow Zenn (zenn-markdown-html, utils/md-katex.ts,
// a fork of goessner's markdown-it-mdKatex), so an article renders as math
// where it does on Zenn:
//
//   - A '$' right after a backslash or an ASCII digit does not open math.
//   - Math does not start or end with white space: "$ x$" and "$x $" are text.
//   - A closing '$' followed by an ASCII digit does not close math, and the
//     whole candidate is then text: "$5 and $10" stays text.
//   - Inline math stays on one line.
//   - "$$…$$" inside a paragraph is display math; it is tried before "$…$".
//   - Zenn's guard for links: "$" whose TeX would hold "](http" before the
//     next '$' only closes after one character ([$x](https://a/$y) stays a
//     link), and "$$" none on a line with "](http" after it. A link after
//     the closing '$' is no guard: "$ab$ [l](https://…) $c$ (x)" is math.
//   - A display block starts with "$$" at the start of a line and ends at
//     the next "$$", which may be followed by an equation number "(1)"; a
//     lone '$' before that "$$" means the block was not math.
//
// Deliberate differences: a '$' preceded by an odd number of backslashes
// never closes math (Zenn closes "$a\$" at the escaped dollar), so \$ can be
// used inside a formula, inline or display, and the link guard looks as far
// as the next unescaped '$'; a "$$" line may follow a line of
// text without a blank line between (Zenn leaves it as text); text after the
// closing "$$" of a block becomes a paragraph (Zenn drops it).

// jsSpace reports whether r is white space for a JavaScript regular
// expression (\s), which is what Zenn's rules use.
func jsSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// lineEnd returns where "." of a JavaScript regular expression stops
// matching: at \n, \r, U+2028 or U+2029.
func lineEnd(b []byte) int {
	for i := 0; i < len(b); {
		c := b[i]
		if c == '\n' || c == '\r' {
			return i
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == 0x2028 || r == 0x2029 {
			return i
		}
		i += n
	}
	return len(b)
}

// escaped reports whether b[i] is preceded by an odd number of backslashes.
func escaped(b []byte, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// inlineMatch is a match of inline math at the start of a line.
type inlineMatch struct {
	start, end int  // the TeX source: line[start:end]
	next       int  // bytes consumed, delimiters included
	display    bool // $$…$$
}

// scanner matches inline math and remembers, for the line it last looked
// at, where its closers and Zenn's link guard are, so that a line full of
// '$' costs linear time instead of the quadratic time Zenn's regular
// expressions take. Openers are tried from left to right on a line.
type scanner struct {
	ok   bool
	line lineInfo
	// For "$" (index 1) and "$$" (index 2): a search for a closer from
	// source offset from[d] found the first one at found[d] (-1: none). A
	// search on the same line from a point in [from, found] has the same
	// answer.
	memo        [3]bool
	from, found [3]int
}

// lineInfo is what scanner knows about a line; all offsets are source
// offsets.
type lineInfo struct {
	start, end int
	// stop is where "." of a JavaScript regular expression stops (a CR,
	// U+2028, U+2029 or the end): math does not go past it.
	stop int
	// guard2 is the last offset where Zenn's link guard for "$$" starts to
	// hold (-1: nowhere); see guarded.
	guard2 int
}

func analyze(line []byte, base int) lineInfo {
	stop := lineEnd(line)
	li := lineInfo{start: base, end: base + len(line), stop: base + stop, guard2: -1}
	// "$$": "](http" anywhere in the rest of the line.
	if i := bytes.LastIndex(line[:stop], []byte("](http")); i >= 0 {
		li.guard2 = base + i
	}
	return li
}

// scan matches inline math at the start of line; base is the source offset
// of line[0].
func (s *scanner) scan(line []byte, base int) (inlineMatch, bool) {
	if !s.ok || s.line.end != base+len(line) || base < s.line.start || base > s.line.stop {
		*s = scanner{ok: true, line: analyze(line, base)}
	}
	line = line[:s.line.stop-base]
	if len(line) < 3 || line[0] != '$' {
		return inlineMatch{}, false
	}
	if line[1] == '$' {
		if m, ok := s.delimited(line, base, 2); ok {
			m.display = true
			return m, true
		}
	}
	return s.delimited(line, base, 1)
}

// delimited matches d dollars, TeX, d dollars, as Zenn's regular
// expressions /\$((?:\S)|(?:\S(?!GUARD).*?\S))\$/ (d = 1) and
// /\${2}((?:\S)|(?:\S(?!GUARD).*?\S))\${2}/ (d = 2) do, followed by the check
// that no digit comes after the closing delimiter.
func (s *scanner) delimited(line []byte, base, d int) (inlineMatch, bool) {
	if len(line) <= d {
		return inlineMatch{}, false
	}
	r0, n0 := utf8.DecodeRune(line[d:])
	if jsSpace(r0) {
		return inlineMatch{}, false
	}
	p := d + n0 // where the closer of one-character TeX would be
	end := -1
	if s.guarded(line, base, p, d) {
		// Only one character of TeX may match: "$x$".
		if isCloser(line, p, d) {
			end = p
		}
	} else {
		// The shortest TeX that ends in a non-space before an unescaped
		// closer (for one character, the closer right after it).
		end = s.next(line, base, p, d)
	}
	if end < 0 {
		return inlineMatch{}, false
	}
	next := end + d
	if next < len(line) && isDigit(line[next]) {
		return inlineMatch{}, false // "$5 and $10"
	}
	return inlineMatch{start: d, end: end, next: next}, true
}

// guarded is Zenn's negative look-ahead that keeps
// "[$x](https://example.com/$y)" a link: from line[p] on, for "$" there is
// "](http" before the next unescaped '$' (/(?![^$]*\]\(http)/), for "$$"
// anywhere on the line (/(?!.*\]\(http)/). When it holds, only
// one-character TeX can match. The "$" search ends at the next '$', so the
// searches of a line's openers cover it about once.
func (s *scanner) guarded(line []byte, base, p, d int) bool {
	if d == 2 {
		return s.line.guard2 >= 0 && base+p <= s.line.guard2
	}
	end := p
	for end < len(line) && (line[end] != '$' || escaped(line, end)) {
		end++
	}
	return bytes.Contains(line[p:end], []byte("](http"))
}

// isCloser reports whether d dollars at line[i] can close math: they are not
// escaped and come after a character that is not white space. It does not
// depend on where the math opened, which is what makes the memo valid.
func isCloser(line []byte, i, d int) bool {
	if i <= 0 || i+d > len(line) || line[i] != '$' || (d == 2 && line[i+1] != '$') || escaped(line, i) {
		return false
	}
	last, _ := utf8.DecodeLastRune(line[:i])
	return !jsSpace(last)
}

// next returns the index in line of the first closer of d dollars at or
// after p, or -1. base is the source offset of line[0].
func (s *scanner) next(line []byte, base, p, d int) int {
	if s.memo[d] && base+p >= s.from[d] {
		if s.found[d] < 0 {
			return -1
		}
		if base+p <= s.found[d] {
			return s.found[d] - base
		}
	}
	found := -1
	for i := p; i+d <= len(line); i++ {
		if isCloser(line, i, d) {
			found = i
			break
		}
	}
	s.memo[d], s.from[d], s.found[d] = true, base+p, -1
	if found >= 0 {
		s.found[d] = base + found
	}
	return found
}

// closeIndex returns the index of the first unescaped "$$" in b, or -1.
func closeIndex(b []byte) int {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '$' && b[i+1] == '$' && !escaped(b, i) {
			return i
		}
	}
	return -1
}

// scanLabel reads Zenn's equation number after a closing "$$": optional
// spaces or tabs, then "(label)" where label has no ')' and no white space.
// It returns the label (nil when there is none) and how many bytes it took.
func scanLabel(b []byte) (label []byte, n int) {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	if i >= len(b) || b[i] != '(' {
		return nil, 0
	}
	j := i + 1
	for j < len(b) {
		r, size := utf8.DecodeRune(b[j:])
		if r == ')' || jsSpace(r) {
			break
		}
		j += size
	}
	if j == i+1 || j >= len(b) || b[j] != ')' {
		return nil, 0
	}
	return b[i+1 : j], j + 1
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}
