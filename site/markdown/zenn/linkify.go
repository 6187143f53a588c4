package zenn

import (
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Bare URLs are linked by linkify-it's rules as Zenn configures them
// (markdown-it's linkify with fuzzy links and fuzzy e-mail off):
//
//   - only http://, https:// and ftp:// URLs, whose scheme does not follow
//     an ASCII letter, digit or + (so "参考：https://…", "詳細はhttps://…"
//     and "Docs.https://…" are linked), and mailto: addresses; never www.…
//     or a bare name@host ("CDK@1.98.0" stays text);
//   - the host is letters and digits of any script (localhost too), with a
//     port; the path takes what linkify-it takes: balanced ( ) [ ] { } and
//     quotes, and trailing . , ; ! ? * are left out.
//
// One deliberate difference: linkify-it runs a URL on through any Japanese
// that follows it ("https://example.com/pathを参照" becomes one link). In
// kiji, Japanese is part of a URL only where it plainly belongs to it:
//
//   - Japanese (any non-ASCII) punctuation ends a URL: 。、「」（）！ …
//     (except the middle dot ・, which names use);
//   - a run of non-ASCII letters ends the URL when it follows an ASCII
//     letter or digit ("…/pathを参照", "…/%E6%97%A5を参照") or begins with
//     hiragana ("…/を参照", "…/から"), which is how Japanese sentences go on;
//   - otherwise it belongs to the URL: "…/wiki/日本語", "…/sqlflow-クラウド/",
//     "…#見出し", "https://日本語.jp/".

// linkifyParser links bare URLs (see above). It runs before goldmark's
// link parser; a URL it finds inside a link's text is turned back into
// text by the transformer.
type linkifyParser struct{}

// markdown-it links at the ":" of "scheme://", taking the scheme from the
// text before it; so does this parser (goldmark calls inline parsers only at
// punctuation, spaces and line starts, never at a letter).
func (p *linkifyParser) Trigger() []byte { return []byte{':'} }

func (p *linkifyParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	_, seg := block.PeekLine()
	src := block.Source()
	t, ok := parent.LastChild().(*ast.Text)
	if !ok || t.Segment.Stop != seg.Start || t.SoftLineBreak() || t.HardLineBreak() || t.IsRaw() {
		return nil
	}
	start := seg.Start - schemeBefore(src[t.Segment.Start:seg.Start])
	if start == seg.Start {
		return nil
	}
	prev := '\n'
	if start > 0 {
		prev, _ = utf8.DecodeLastRune(src[:start])
	}
	n := matchLinkAt(src[start:seg.Stop], prev)
	if n <= seg.Start-start {
		return nil
	}
	if t.Segment.Start == start {
		parent.RemoveChild(parent, t)
	} else {
		t.Segment = t.Segment.WithStop(start)
	}
	block.Advance(n - (seg.Start - start))
	a := ast.NewAutoLink(ast.AutoLinkURL, ast.NewTextSegment(text.NewSegment(start, start+n)))
	a.SetPos(start)
	return a
}

// schemeBefore returns the length of the scheme name (http, https, ftp or
// mailto, any case) that text ends with, or 0.
func schemeBefore(text []byte) int {
	for _, name := range []string{"https", "http", "ftp", "mailto"} {
		if n := len(name); len(text) >= n && equalFoldASCII(text[len(text)-n:], name) {
			return n
		}
	}
	return 0
}

// matchLinkAt returns the length of the bare URL at the start of s, or 0.
// prev is the character before s ('\n' at the start of a line).
func matchLinkAt(s []byte, prev rune) int {
	scheme := schemeAt(s)
	if scheme == 0 {
		return 0
	}
	if s[scheme-1] == ':' && scheme == len("mailto:") {
		// linkify-it's schema search: after a space, punctuation or a
		// separator, not after "_".
		if !(prev == '\n' || isZPCc(prev) || isSeparator(prev)) || prev == '_' {
			return 0
		}
		return matchMailto(s, scheme)
	}
	// Not after an ASCII letter, digit or "+". markdown-it's inline rule
	// (SCHEME_RE) takes a scheme after anything but [a-z0-9.+-];
	// its core rule (linkify-it's schema search) also after punctuation,
	// so "Docs.https://…" and "a-https://…" are links too.
	if prev < utf8.RuneSelf && (isASCIIAlnum(byte(prev)) || prev == '+') {
		return 0
	}
	end := matchHTTP(s, scheme)
	if end == 0 {
		return 0
	}
	if cut := japaneseCut(s[:end], scheme+2); cut < end {
		end = matchHTTP(s[:cut], scheme)
	}
	for end > scheme && s[end-1] == '*' { // markdown-it: no '*' at the end
		end--
	}
	if end <= scheme+2 {
		return 0
	}
	return end
}

// schemeAt returns the length of "http:", "https:", "ftp:" (each followed
// by "//") or "mailto:" at the start of s, any case, or 0.
func schemeAt(s []byte) int {
	for _, p := range []string{"http:", "https:", "ftp:", "mailto:"} {
		if len(s) < len(p) || !equalFoldASCII(s[:len(p)], p) {
			continue
		}
		if p != "mailto:" && (len(s) < len(p)+2 || s[len(p)] != '/' || s[len(p)+1] != '/') {
			return 0
		}
		return len(p)
	}
	return 0
}

func equalFoldASCII(b []byte, s string) bool {
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

func isASCIIAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// runeAt decodes the rune at s[i]; past the end it is endRune, which every
// test below treats as linkify-it treats the end of the text ($).
func runeAt(s []byte, i int) (rune, int) {
	if i >= len(s) {
		return endRune, 0
	}
	if s[i] < utf8.RuneSelf {
		return rune(s[i]), 1
	}
	return utf8.DecodeRune(s[i:])
}

const endRune = -1

// isZCc: white space or a control character (uc.micro's Z and Cc), or the
// end of the text.
func isZCc(r rune) bool {
	return r == endRune || r == utf8.RuneError || unicode.IsControl(r) || unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp)
}

// isZPCc adds punctuation (P).
func isZPCc(r rune) bool { return isZCc(r) || unicode.IsPunct(r) }

// isSeparator: linkify-it's text separators, never part of a link.
func isSeparator(r rune) bool { return r == '<' || r == '>' || r == '｜' }

// isPseudoLetter: anything but punctuation, spaces, controls and
// separators (letters, digits and symbols of any script).
func isPseudoLetter(r rune) bool { return r != endRune && !isZPCc(r) && !isSeparator(r) }

// matchHTTP matches "//" host [:port] [path] after the scheme (linkify-it's
// http validator) and returns the end of the match, or 0.
func matchHTTP(s []byte, scheme int) int {
	i := scheme + 2
	i = skipAuth(s, i)
	h := matchHost(s, i)
	if h == 0 {
		return 0
	}
	i = h
	if r, _ := runeAt(s, i); r == ':' {
		if p := matchPort(s, i+1); p > 0 {
			i = p
		}
	}
	if !hostTerminated(s, i) {
		return 0
	}
	return matchPath(s, i)
}

// skipAuth skips "user:pass@" (at most 50 characters, none of @/[]() or
// space).
func skipAuth(s []byte, i int) int {
	for j, n := i, 0; n <= 50; n++ {
		r, w := runeAt(s, j)
		if r == '@' && n > 0 {
			return j + 1
		}
		if isZCc(r) || r == '/' || r == '[' || r == ']' || r == '(' || r == ')' || r == '@' {
			return i
		}
		j += w
	}
	return i
}

// matchHost matches labels of pseudo-letters joined by "-" inside a label
// and "." between labels; it returns the end, or 0.
func matchHost(s []byte, i int) int {
	end := 0
	for {
		j, n := i, 0
		for {
			r, w := runeAt(s, j)
			if isPseudoLetter(r) || (r == '-' && n > 0) {
				j += w
				n++
				continue
			}
			break
		}
		for j > i && s[j-1] == '-' { // a label does not end with "-"
			j--
			n--
		}
		if n == 0 || n > 63 {
			return end
		}
		end = j
		if r, _ := runeAt(s, j); r != '.' {
			return end
		}
		if r, _ := runeAt(s, j+1); !isPseudoLetter(r) {
			return end
		}
		i = j + 1
	}
}

// matchPort matches a port number 0–65535 at s[i:], returning its end.
func matchPort(s []byte, i int) int {
	j, v := i, 0
	for j < len(s) && j-i < 5 && '0' <= s[j] && s[j] <= '9' {
		v = v*10 + int(s[j]-'0')
		j++
	}
	if j == i || v > 65535 || (j-i == 5 && s[i] == '0') {
		return 0
	}
	return j
}

// hostTerminated is linkify-it's host terminator: the host ends at the end
// of the text, a separator, punctuation or space, but not before "-", "_",
// ":digit", ".-" or a "." that goes on.
func hostTerminated(s []byte, i int) bool {
	r, w := runeAt(s, i)
	if !(r == endRune || isSeparator(r) || isZPCc(r)) {
		return false
	}
	next, _ := runeAt(s, i+w)
	switch r {
	case '-', '_':
		return false
	case ':':
		return !('0' <= next && next <= '9')
	case '.':
		return next != '-' && (next == endRune || isZPCc(next))
	}
	return true
}

// matchPath matches linkify-it's path at s[i:] and returns its end.
func matchPath(s []byte, i int) int {
	r, _ := runeAt(s, i)
	if r != '/' && r != '?' && r != '#' {
		return i
	}
	j := i + 1
	for {
		n := pathStep(s, j)
		if n == 0 {
			break
		}
		j += n
	}
	if j == i+1 && r != '/' {
		return i
	}
	return j
}

// pathStep matches one of linkify-it's path alternatives at s[j:] and
// returns its length, or 0.
func pathStep(s []byte, j int) int {
	r, w := runeAt(s, j)
	if isZCc(r) || isSeparator(r) {
		return 0
	}
	next, _ := runeAt(s, j+w)
	switch r {
	case '[', '(', '{':
		return closedBy(s, j, map[rune]rune{'[': ']', '(': ')', '{': '}'}[r], true)
	case '"':
		return closedBy(s, j, '"', false)
	case '\'':
		if n := closedBy(s, j, '\'', false); n > 0 {
			return n
		}
		if isPseudoLetter(next) || next == '-' {
			return 1
		}
		return 0
	case '.':
		k := j
		for k < len(s) && s[k] == '.' {
			k++
		}
		if k-j >= 2 {
			if k < len(s) && (isASCIIAlnum(s[k]) || s[k] == '%' || s[k] == '/' || s[k] == '&') {
				return k - j + 1
			}
			return 0
		}
		if isZCc(next) {
			return 0
		}
		return 1
	case '-':
		k := j
		for k < len(s) && s[k] == '-' {
			k++
		}
		return k - j
	case ',', ';':
		if isZCc(next) {
			return 0
		}
		return 1
	case '!', '?':
		k := j
		for k < len(s) && rune(s[k]) == r {
			k++
		}
		after, _ := runeAt(s, k)
		if r == '?' && k-j > 1 || isZCc(after) {
			return 0
		}
		return k - j
	case ')', ']', '}':
		return 0
	}
	return w
}

// closedBy matches open … close with no space inside (empty allowed only
// for brackets), returning its length or 0.
func closedBy(s []byte, j int, close rune, emptyOK bool) int {
	k := j + 1
	for {
		r, w := runeAt(s, k)
		if isZCc(r) {
			return 0
		}
		if r == close {
			if k == j+1 && !emptyOK {
				return 0
			}
			return k + w - j
		}
		k += w
	}
}

// matchMailto matches mailto:name@host.
func matchMailto(s []byte, i int) int {
	j := i
	for j < len(s) && j-i < 64 && isEmailNameByte(s[j], j == i) {
		j++
	}
	if j == i || j >= len(s) || s[j] != '@' {
		return 0
	}
	h := matchHost(s, j+1)
	if h == 0 || !hostTerminated(s, h) {
		return 0
	}
	return h
}

func isEmailNameByte(c byte, first bool) bool {
	if isASCIIAlnum(c) {
		return true
	}
	switch c {
	case '-', ';', ':', '&', '=', '+', '$', ',', '.', '_':
		return true
	case '"':
		return !first
	}
	return false
}

// japaneseCut returns where kiji ends a URL that linkify-it would run on
// into the Japanese text after it (see the package's rules above): the
// offset in s of the first non-ASCII punctuation, or of the first run of
// non-ASCII letters that follows an ASCII letter or digit or starts with
// hiragana; len(s) when there is none. from skips the scheme.
func japaneseCut(s []byte, from int) int {
	prev := rune('/')
	for i := from; i < len(s); {
		r, w := runeAt(s, i)
		if r >= utf8.RuneSelf {
			if unicode.IsPunct(r) && r != '・' && r != '･' {
				return i
			}
			if prev < utf8.RuneSelf && (isASCIIAlnum(byte(prev)) || isHiragana(r)) {
				return i
			}
		}
		prev = r
		i += w
	}
	return len(s)
}

func isHiragana(r rune) bool { return r >= 0x3041 && r <= 0x309F }

// Linkify is the goldmark extension that links bare URLs by Zenn's rules
// (use it instead of goldmark's extension.Linkify).
type Linkify struct{}

// Extend implements goldmark.Extender.
func (Linkify) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(
		// Before goldmark's link parser (200).
		parser.WithInlineParsers(util.Prioritized(&linkifyParser{}, 102)),
		parser.WithASTTransformers(util.Prioritized(unwrapLinks{}, 1)),
	)
}

// unwrapLinks turns a bare URL found inside a link's text or an image's
// alt text back into text: a link cannot hold a link.
type unwrapLinks struct{}

func (unwrapLinks) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var inner []*ast.AutoLink
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.(type) {
		case *ast.Link, *ast.Image:
			_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
				if a, ok := c.(*ast.AutoLink); ok && entering && c != n {
					inner = append(inner, a)
				}
				return ast.WalkContinue, nil
			})
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, a := range inner {
		p, start := a.Parent(), a.Pos()
		if p == nil || start < 0 || start+len(a.Label(src)) > len(src) {
			continue
		}
		ast.MergeOrReplaceTextSegment(p, a, text.NewSegment(start, start+len(a.Label(src))))
	}
}
