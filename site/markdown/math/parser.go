package math

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// KindInlineMath is the ast.NodeKind of InlineMath.
var KindInlineMath = ast.NewNodeKind("InlineMath")

// KindDisplayMath is the ast.NodeKind of DisplayMath.
var KindDisplayMath = ast.NewNodeKind("DisplayMath")

// InlineMath is "$TeX$" in a paragraph, or "$$TeX$$" in a paragraph (which
// Zenn renders in display style).
type InlineMath struct {
	ast.BaseInline
	// TeX is where the formula is in the source (delimiters excluded).
	TeX text.Segment
	// Display is true for "$$TeX$$".
	Display bool

	out rendered
}

// Kind implements ast.Node.
func (n *InlineMath) Kind() ast.NodeKind { return KindInlineMath }

// Dump implements ast.Node.
func (n *InlineMath) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{
		"TeX":     string(n.TeX.Value(source)),
		"Display": map[bool]string{true: "true", false: "false"}[n.Display],
	}, nil)
}

// DisplayMath is a "$$ … $$" block, optionally numbered as "$$ … $$ (1)".
// Its Lines hold the TeX.
type DisplayMath struct {
	ast.BaseBlock
	// Label is the equation number given after the closing "$$", or nil.
	Label []byte
	// Closed is false when the block ended (end of a quote, list item or
	// the document) before its closing "$$".
	Closed bool
	// Start is the source offset of the opening "$$".
	Start int

	out rendered
}

// Kind implements ast.Node.
func (n *DisplayMath) Kind() ast.NodeKind { return KindDisplayMath }

// IsRaw implements ast.Node: the TeX is not Markdown.
func (n *DisplayMath) IsRaw() bool { return true }

// Dump implements ast.Node.
func (n *DisplayMath) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Label": string(n.Label)}, nil)
}

// rendered is what the transformer found for a formula.
type rendered struct {
	html string    // KaTeX's markup when it rendered
	err  *TeXError // why it did not
}

// tex returns the formula of a display block.
func (n *DisplayMath) tex(source []byte) string {
	var b bytes.Buffer
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(source))
	}
	// The line break before the closing "$$" is not part of the formula.
	return strings.TrimRight(b.String(), "\r\n")
}

// sourceOffset maps a byte offset in the block's TeX to the source.
func (n *DisplayMath) sourceOffset(off int) int {
	lines := n.Lines()
	if off < 0 || lines.Len() == 0 {
		return n.Start
	}
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		if l := seg.Len(); off < l || i == lines.Len()-1 {
			return seg.Start + min(off, l)
		} else {
			off -= l
		}
	}
	return n.Start
}

type inlineParser struct{}

// scannerKey holds the document's *scanner.
var scannerKey = parser.NewContextKey()

func (inlineParser) Trigger() []byte { return []byte{'$'} }

func (inlineParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	if prev := block.PrecendingCharacter(); prev == '\\' || (prev >= '0' && prev <= '9') {
		return nil
	}
	line, seg := block.PeekLine()
	if seg.Padding != 0 || len(line) == 0 || line[0] != '$' {
		return nil
	}
	sc, _ := pc.Get(scannerKey).(*scanner)
	if sc == nil {
		sc = &scanner{}
		pc.Set(scannerKey, sc)
	}
	m, ok := sc.scan(line, seg.Start)
	if !ok {
		return nil
	}
	n := &InlineMath{TeX: text.NewSegment(seg.Start+m.start, seg.Start+m.end), Display: m.display}
	block.Advance(m.next)
	return n
}

type blockParser struct{}

func (blockParser) Trigger() []byte { return []byte{'$'} }

// closingKey caches, per document, the last look-ahead for a closing "$$"
// (see hasCloser), so that many "$$" lines cost linear time.
var closingKey = parser.NewContextKey()

type lookahead struct {
	from, stop int  // the first unescaped '$' at or after from is at stop (-1: none)
	closer     bool // and it starts "$$"
}

// hasCloser reports whether display math opened just before offset from is
// closed: like Zenn's /\$\$([^$]+?)\$\$/ on the raw source, the first
// unescaped '$' after from must start "$$" (a lone '$' in between means the
// "$$" was not math). Escaped dollars (\$) may appear in between.
func hasCloser(src []byte, from int, pc parser.Context) bool {
	if la, ok := pc.Get(closingKey).(lookahead); ok && from >= la.from && (la.stop < 0 || from <= la.stop) {
		return la.closer
	}
	la := lookahead{from: from, stop: -1}
	for i := from; i < len(src); i++ {
		if src[i] == '$' && !escaped(src, i) {
			la.stop = i
			la.closer = i+1 < len(src) && src[i+1] == '$'
			break
		}
	}
	pc.Set(closingKey, la)
	return la.closer
}

// firstDollar returns the index of the first unescaped '$' in b, or -1.
func firstDollar(b []byte) int {
	for i, c := range b {
		if c == '$' && !escaped(b, i) {
			return i
		}
	}
	return -1
}

func (blockParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || !bytes.HasPrefix(line[pos:], []byte("$$")) {
		return nil, parser.NoChildren
	}
	start := seg.Start + pos - seg.Padding
	rest := line[pos+2:]
	restStart := start + 2
	if i := firstDollar(rest); i >= 0 {
		if i+1 >= len(rest) || rest[i+1] != '$' {
			return nil, parser.NoChildren // a lone '$': not math, as on Zenn
		}
		// "$$ TeX $$" or "$$ TeX $$ (1)" on one line. With anything else
		// after it, or with no TeX, it is not a block: the paragraph's
		// inline rules take it ("$$x$$ text" is display math in a paragraph).
		label, n := scanLabel(rest[i+2:])
		if !isBlank(rest[i+2+n:]) || isBlank(rest[:i]) {
			return nil, parser.NoChildren
		}
		node := &DisplayMath{Label: label, Closed: true, Start: start}
		node.Lines().Append(text.NewSegment(restStart, restStart+i))
		return node, parser.NoChildren
	}
	if !hasCloser(reader.Source(), restStart, pc) {
		return nil, parser.NoChildren // Zenn: an unclosed "$$" is text
	}
	node := &DisplayMath{Start: start}
	if !isBlank(rest) {
		node.Lines().Append(text.NewSegment(restStart, seg.Stop))
	}
	return node, parser.NoChildren
}

func (blockParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	n := node.(*DisplayMath)
	if n.Closed {
		return parser.Close
	}
	line, seg := reader.PeekLine()
	if line == nil {
		return parser.Close
	}
	// A line's segment may start with virtual spaces from a tab
	// (seg.Padding); line holds them but the source does not.
	off := seg.Start - seg.Padding
	i := closeIndex(line)
	if i < 0 {
		n.Lines().Append(text.NewSegment(seg.Start, seg.Stop))
		reader.AdvanceToEOL()
		return parser.Continue | parser.NoChildren
	}
	n.Closed = true
	if i > seg.Padding && !isBlank(line[:i]) {
		n.Lines().Append(text.NewSegment(seg.Start, off+i))
	}
	label, k := scanLabel(line[i+2:])
	n.Label = label
	if isBlank(line[i+2+k:]) {
		reader.AdvanceToEOL()
	} else {
		// Text after the closing "$$" starts a paragraph (Zenn drops it).
		reader.Advance(i + 2 + k)
	}
	return parser.Close
}

func (blockParser) Close(node ast.Node, reader text.Reader, pc parser.Context) {}

// CanInterruptParagraph is true: a "$$" line right after a line of text
// starts display math (on Zenn it would stay text, which is never what the
// author meant).
func (blockParser) CanInterruptParagraph() bool { return true }

func (blockParser) CanAcceptIndentedLine() bool { return false }
