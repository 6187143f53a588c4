package math

import (
	"bytes"
	"unicode/utf8"
)

// The delimiter rules follow Zenn (zenn-markdown-html, utils/md-katex.ts,
// itself a fork of markdown-it-texmath), so an article renders as math where
// it does on Zenn:
//
//   - A '$' right after a backslash or an ASCII digit does not open math.
//   - Math does not start or end with white space: "$ x$" and "$x $" are text.
//   - A closing '$' followed by an ASCII digit does not close math, and the
//     whole candidate is then text: "$5 and $10" stays text.
//   - Inline math stays on one line.
//   - "$$…$$" inside a paragraph is display math; it is tried before "$…$".
//   - Zenn's guard for links whose URL holds a '$' ([$x](https://a/$y)) is
//     kept.
//
// One deliberate difference: a '$' preceded by an odd number of backslashes
// never closes math (Zenn closes "$a\$" at the escaped dollar), so \$ can be
// used inside a formula.

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

// scanInline matches inline math at the start of line, which begins with
// '$'. The caller checks the character before the '$' (backslash, digit).
func scanInline(line []byte) (inlineMatch, bool) {
	line = line[:lineEnd(line)]
	if len(line) < 3 || line[0] != '$' {
		return inlineMatch{}, false
	}
	if line[1] == '$' {
		if m, ok := scanDelimited(line, 2); ok {
			m.display = true
			return m, true
		}
	}
	return scanDelimited(line, 1)
}

// scanDelimited matches d dollars, TeX, d dollars, as Zenn's regular
// expressions /\$((?:\S)|(?:\S(?!GUARD).*?\S))\$/ (d = 1) and
// /\${2}((?:\S)|(?:\S(?!GUARD).*?\S))\${2}/ (d = 2) do, followed by the check
// that no digit comes after the closing delimiter.
func scanDelimited(line []byte, d int) (inlineMatch, bool) {
	s := line[d:]
	if len(s) == 0 {
		return inlineMatch{}, false
	}
	r0, n0 := utf8.DecodeRune(s)
	if jsSpace(r0) {
		return inlineMatch{}, false
	}
	closer := line[:d] // "$" or "$$"
	close := -1
	// One character of TeX: "$x$".
	if bytes.HasPrefix(s[n0:], closer) && !escaped(s, n0) {
		close = n0
	} else if !linkGuard(s[n0:], d) {
		// Two or more: the shortest run that ends in a non-space before an
		// unescaped closer.
		for i := n0 + 1; i+d <= len(s); i++ {
			if s[i] != '$' || !bytes.HasPrefix(s[i:], closer) || escaped(s, i) {
				continue
			}
			last, _ := utf8.DecodeLastRune(s[:i])
			if !jsSpace(last) {
				close = i
				break
			}
		}
	}
	if close < 0 {
		return inlineMatch{}, false
	}
	next := d + close + d
	if next < len(line) && isDigit(line[next]) {
		return inlineMatch{}, false // "$5 and $10"
	}
	return inlineMatch{start: d, end: d + close, next: next}, true
}

// linkGuard is Zenn's negative look-ahead that keeps
// "[$x](https://example.com/$y)" a link: for "$" the rest of the line must
// not hold "](http" followed by a '$' and then a ')'; for "$$" it must not
// hold "](http" at all. When it holds, only one-character TeX can match.
func linkGuard(rest []byte, d int) bool {
	i := bytes.Index(rest, []byte("](http"))
	if i < 0 {
		return false
	}
	if d == 2 {
		return true
	}
	rest = rest[i+len("](http"):]
	j := bytes.IndexByte(rest, '$')
	return j >= 0 && bytes.IndexByte(rest[j+1:], ')') >= 0
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
