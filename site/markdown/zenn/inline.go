package zenn

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// imageSizeParser parses Zenn's sized images, ![alt](url =250x),
// ![alt](url =x200), ![alt](url "title" =300x200): a space, then =, a width
// and/or a height. goldmark's link parser rejects the size, so this parser
// runs before it and handles only images that carry a size; all others are
// left to goldmark. The source is not modified, so offsets stay exact.
type imageSizeParser struct{}

func (p *imageSizeParser) Trigger() []byte { return []byte{'!'} }

// sizedImage is the result of scanning ![alt](dest "title" =WxH).
type sizedImage struct {
	labelStart, labelEnd int // alt text, in line indexes
	dest, title          []byte
	width, height        []byte
	end                  int // index after ')'
}

func isSpaceOrTab(c byte) bool { return c == ' ' || c == '\t' }

// Bracket matching is done once per line and remembered in the parser
// context: scanning to the end of the line at every "![" or "^[" would make
// a line of many brackets quadratic.
type lineBrackets struct {
	stop  int     // source offset of the end of the line described
	base  int     // source offset of match[0]
	match []int32 // for a '[' at base+i, the index of its ']' (relative to base), or -1
}

var bracketsKey = parser.NewContextKey()

// matchBrackets pairs the brackets of line, skipping backslash escapes and
// code spans, in one pass.
func matchBrackets(line []byte) []int32 {
	match := make([]int32, len(line))
	for i := range match {
		match[i] = -1
	}
	spans := codeSpans(line)
	var stack []int32
	for i := 0; i < len(line); {
		switch line[i] {
		case '\\':
			i += 2
		case '`':
			i = spans.skip(line, i)
		case '[':
			stack = append(stack, int32(i))
			i++
		case ']':
			if len(stack) > 0 {
				match[stack[len(stack)-1]] = int32(i)
				stack = stack[:len(stack)-1]
			}
			i++
		case '\n':
			return match
		default:
			i++
		}
	}
	return match
}

// backtickRun is a run of n backticks at start.
type backtickRun struct{ start, n int }

// backtickRuns are a line's backtick runs, for skipping code spans.
type backtickRuns struct {
	runs     []backtickRun
	at       map[int]int // run index by start
	nextSame []int       // for each run, the next run of the same length, or -1
}

// codeSpans finds the backtick runs of line and, for each, where the next
// run of the same length starts.
func codeSpans(line []byte) backtickRuns {
	r := backtickRuns{at: map[int]int{}}
	for i := 0; i < len(line); {
		if line[i] != '`' {
			i++
			continue
		}
		n := 0
		for i+n < len(line) && line[i+n] == '`' {
			n++
		}
		r.at[i] = len(r.runs)
		r.runs = append(r.runs, backtickRun{i, n})
		i += n
	}
	r.nextSame = make([]int, len(r.runs))
	last := map[int]int{}
	for k := len(r.runs) - 1; k >= 0; k-- {
		if j, ok := last[r.runs[k].n]; ok {
			r.nextSame[k] = j
		} else {
			r.nextSame[k] = -1
		}
		last[r.runs[k].n] = k
	}
	return r
}

// skip returns where the code span starting with the backtick at i ends
// (after its closing run), or the end of the opening run if it has none.
func (r backtickRuns) skip(line []byte, i int) int {
	k, ok := r.at[i]
	if !ok { // inside a run (after an escape): skip the rest of it
		for i < len(line) && line[i] == '`' {
			i++
		}
		return i
	}
	next := i + r.runs[k].n
	if j := r.nextSame[k]; j >= 0 && r.runs[j].start >= next {
		next = r.runs[j].start + r.runs[j].n
	}
	return next
}

// closingBracket returns the index in line of the ']' matching the '[' at
// line[i], or -1. line is the rest of the current line, starting at source
// offset base.
func closingBracket(pc parser.Context, line []byte, base, i int) int {
	stop := base + len(line)
	m, _ := pc.Get(bracketsKey).(*lineBrackets)
	if m == nil || m.stop != stop || base < m.base {
		m = &lineBrackets{stop: stop, base: base, match: matchBrackets(line)}
		pc.Set(bracketsKey, m)
	}
	j := base - m.base + i
	if j < 0 || j >= len(m.match) || m.match[j] < 0 {
		return -1
	}
	return int(m.match[j]) - (base - m.base)
}

// Limits on what a sized image may hold, so that a line of many "![a](…"
// stays linear.
const (
	maxImageDest  = 4096
	maxImageTitle = 4096
)

// scanSizedImage reads a sized image at the start of line, whose alt text
// ends at labelEnd (the index of its ']'); ok is false when the text is not
// one (including images without a size).
func scanSizedImage(line []byte, labelEnd int) (im sizedImage, ok bool) {
	if len(line) < 2 || line[0] != '!' || line[1] != '[' || labelEnd < 2 || labelEnd >= len(line) || line[labelEnd] != ']' {
		return im, false
	}
	im.labelStart, im.labelEnd = 2, labelEnd
	k := labelEnd + 1
	if k >= len(line) || line[k] != '(' {
		return im, false
	}
	k = skipSpaceOrTab(line, k+1)
	if im.dest, k, ok = scanImageDest(line, k); !ok {
		return im, false
	}
	ws := k
	k = skipSpaceOrTab(line, k)
	// optional title, after at least one space
	if k > ws && k < len(line) && (line[k] == '"' || line[k] == '\'' || line[k] == '(') {
		if im.title, k, ok = scanImageTitle(line, k); !ok {
			return im, false
		}
		k = skipSpaceOrTab(line, k)
	}
	if im.width, im.height, k, ok = scanImageSize(line, k); !ok {
		return im, false
	}
	k = skipSpaceOrTab(line, k)
	if k >= len(line) || line[k] != ')' {
		return im, false
	}
	im.end = k + 1
	return im, true
}

// skipSpaceOrTab returns the index of the first byte of line from k on that
// is not a space or a tab.
func skipSpaceOrTab(line []byte, k int) int {
	for k < len(line) && isSpaceOrTab(line[k]) {
		k++
	}
	return k
}

// scanImageDest reads an image's destination at line[k:], <bracketed> or
// bare (balanced parentheses), and returns it and where it ends.
func scanImageDest(line []byte, k int) (dest []byte, end int, ok bool) {
	if k < len(line) && line[k] == '<' {
		e := k + 1
		for e < len(line) && line[e] != '>' && line[e] != '<' && line[e] != '\n' && e-k <= maxImageDest {
			if line[e] == '\\' && e+1 < len(line) {
				e++
			}
			e++
		}
		if e >= len(line) || line[e] != '>' {
			return nil, k, false
		}
		dest, k = line[k+1:e], e+1
	} else {
		s, open := k, 0
		for k < len(line) && k-s <= maxImageDest {
			c := line[k]
			if c == '\\' && k+1 < len(line) && util.IsPunct(line[k+1]) {
				k += 2
				continue
			}
			if c == '(' {
				open++
			} else if c == ')' {
				if open == 0 {
					break
				}
				open--
			} else if c <= ' ' || c == 0x7f {
				break
			}
			k++
		}
		if k == s {
			return nil, k, false
		}
		dest = line[s:k]
	}
	return dest, k, len(dest) <= maxImageDest
}

// scanImageTitle reads an image's "title" ('title' or (title)) at line[k:]
// and returns it and where it ends.
func scanImageTitle(line []byte, k int) (title []byte, end int, ok bool) {
	closer := line[k]
	if closer == '(' {
		closer = ')'
	}
	e := k + 1
	for e < len(line) && line[e] != closer && e-k <= maxImageTitle {
		if line[e] == '\\' && e+1 < len(line) {
			e++
		}
		e++
	}
	if e >= len(line) || line[e] != closer {
		return nil, k, false
	}
	return line[k+1 : e], e + 1, true
}

// scanImageSize reads Zenn's size after a space at line[k:]: =W x H, W or H
// may be empty. It returns them and where they end.
func scanImageSize(line []byte, k int) (width, height []byte, end int, ok bool) {
	if k == 0 || k >= len(line) || line[k-1] != ' ' || line[k] != '=' {
		return nil, nil, k, false
	}
	k++
	if k >= len(line) || !(line[k] == 'x' || isDigit(line[k])) {
		return nil, nil, k, false
	}
	s := k
	for k < len(line) && (isDigit(line[k]) || line[k] == '%') {
		k++
	}
	width = line[s:k]
	if k >= len(line) || line[k] != 'x' {
		return nil, nil, k, false
	}
	k++
	s = k
	for k < len(line) && (isDigit(line[k]) || line[k] == '%') {
		k++
	}
	return width, line[s:k], k, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func (p *imageSizeParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if len(line) < 2 || line[1] != '[' {
		return nil
	}
	base := seg.Start - seg.Padding
	im, ok := scanSizedImage(line, closingBracket(pc, line, base, 1))
	if !ok {
		return nil
	}
	link := ast.NewLink()
	link.Destination = append([]byte(nil), im.dest...)
	if im.title != nil {
		link.Title = append([]byte(nil), im.title...)
	}
	img := ast.NewImage(link)
	if im.labelEnd > im.labelStart && base+im.labelStart >= 0 {
		appendAlt(img, line[im.labelStart:im.labelEnd], base+im.labelStart)
	}
	if len(im.width) > 0 {
		img.SetAttributeString("width", append([]byte(nil), im.width...))
	}
	if len(im.height) > 0 {
		img.SetAttributeString("height", append([]byte(nil), im.height...))
	}
	img.SetPos(max(base, 0))
	block.Advance(im.end)
	return img
}

// appendAlt gives img the alt text label (at source offset base) as
// children: the text as written, but a code span as its content without
// its backticks (goldmark's own images read their alt text the same way).
func appendAlt(img *ast.Image, label []byte, base int) {
	from := 0
	for i := 0; i < len(label); {
		switch label[i] {
		case '\\':
			i += 2
			continue
		case '`':
		default:
			i++
			continue
		}
		n := 0
		for i+n < len(label) && label[i+n] == '`' {
			n++
		}
		end := closingRun(label, i+n, n)
		if end < 0 {
			i += n
			continue
		}
		if i > from {
			img.AppendChild(img, ast.NewTextSegment(text.NewSegment(base+from, base+i)))
		}
		code := label[i+n : end]
		if len(code) > 1 && code[0] == ' ' && code[len(code)-1] == ' ' {
			code = code[1 : len(code)-1]
		}
		str := ast.NewString(append([]byte(nil), code...))
		str.SetRaw(true)
		img.AppendChild(img, str)
		i = end + n
		from = i
	}
	if from < len(label) {
		img.AppendChild(img, ast.NewTextSegment(text.NewSegment(base+from, base+len(label))))
	}
}

// closingRun returns the start of the next run of exactly n backticks in
// b from i, or -1.
func closingRun(b []byte, i, n int) int {
	for i < len(b) {
		if b[i] != '`' {
			i++
			continue
		}
		j := i
		for j < len(b) && b[j] == '`' {
			j++
		}
		if j-i == n {
			return i
		}
		i = j
	}
	return -1
}

// KindInlineFootnote is the node kind of InlineFootnote.
var KindInlineFootnote = ast.NewNodeKind("ZennInlineFootnote")

// InlineFootnote is ^[text] while parsing; the transformer turns it into a
// goldmark footnote reference and note, numbered with the [^a] ones.
type InlineFootnote struct{ ast.BaseInline }

// Kind implements ast.Node.
func (n *InlineFootnote) Kind() ast.NodeKind { return KindInlineFootnote }

// Dump implements ast.Node.
func (n *InlineFootnote) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

var kindFootnoteMarker = ast.NewNodeKind("ZennInlineFootnoteOpen")

// footnoteMarker stands for an open ^[ until its ] is found.
type footnoteMarker struct {
	ast.BaseInline
	seg text.Segment
}

func (n *footnoteMarker) Kind() ast.NodeKind         { return kindFootnoteMarker }
func (n *footnoteMarker) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

// replaceWithText puts the "^[" back as text.
func (n *footnoteMarker) replaceWithText() { ast.MergeOrReplaceTextSegment(n.Parent(), n, n.seg) }

type openFootnote struct {
	marker *footnoteMarker
	close  int      // source offset of the closing ]
	bottom ast.Node // last delimiter before ^[
}

var footnoteStackKey = parser.NewContextKey()

// inlineFootnoteParser parses ^[text]. On ^[ it finds the matching ] on the
// line (nested brackets, code spans and escapes skipped) and leaves a
// marker; the text in between is parsed as usual; on that ] it moves what
// follows the marker into an InlineFootnote.
type inlineFootnoteParser struct{}

func (p *inlineFootnoteParser) Trigger() []byte { return []byte{'^', ']'} }

func (p *inlineFootnoteParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if len(line) == 0 {
		return nil
	}
	base := seg.Start - seg.Padding
	stack, _ := pc.Get(footnoteStackKey).([]openFootnote)
	if line[0] == ']' {
		if len(stack) == 0 {
			return nil
		}
		top := stack[len(stack)-1]
		if top.close != base {
			return nil
		}
		pc.Set(footnoteStackKey, stack[:len(stack)-1])
		m := top.marker
		if m.Parent() != parent {
			if m.Parent() != nil {
				m.replaceWithText()
			}
			return nil
		}
		parser.ProcessDelimiters(top.bottom, pc)
		fn := &InlineFootnote{}
		for c := m.NextSibling(); c != nil; {
			next := c.NextSibling()
			parent.RemoveChild(parent, c)
			fn.AppendChild(fn, c)
			c = next
		}
		parent.RemoveChild(parent, m)
		fn.SetPos(m.seg.Start)
		block.Advance(1)
		return fn
	}
	if len(line) < 3 || line[1] != '[' {
		return nil
	}
	end := closingBracket(pc, line, base, 1)
	if end <= 2 {
		return nil
	}
	m := &footnoteMarker{seg: text.NewSegment(base, base+2)}
	var bottom ast.Node
	if d := pc.LastDelimiter(); d != nil {
		bottom = d
	}
	pc.Set(footnoteStackKey, append(stack, openFootnote{marker: m, close: base + end, bottom: bottom}))
	block.Advance(2)
	return m
}

// CloseBlock turns ^[ that never found their ] back into text.
func (p *inlineFootnoteParser) CloseBlock(parent ast.Node, block text.Reader, pc parser.Context) {
	stack, _ := pc.Get(footnoteStackKey).([]openFootnote)
	for i := len(stack) - 1; i >= 0; i-- {
		if m := stack[i].marker; m.Parent() != nil {
			m.replaceWithText()
		}
	}
	pc.Set(footnoteStackKey, nil)
}
