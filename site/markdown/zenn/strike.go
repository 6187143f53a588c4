package zenn

import (
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Strikethrough is ~~text~~ as markdown-it reads it, in place of
// goldmark's extension.Strikethrough (GFM's), which also strikes through
// with one tilde: Japanese writes ranges with one ("0001~4500 … 4501~5000"),
// which Zenn shows as text. In markdown-it
//
//   - a run of one ~ is text;
//   - a longer run strikes through two tildes at a time (~~~~a~~~~ is two
//     nested strikes); an odd tilde left over stays as text, before the
//     strike for an opening run, after it for a closing one (~~~a~~ is
//     "~" then the strike);
//   - a run opens and closes by the flanking rules of * (no "rule of 3").
type Strikethrough struct{}

// Extend implements goldmark.Extender.
func (Strikethrough) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithInlineParsers(
		util.Prioritized(strikeParser{}, 500),
	))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		util.Prioritized(extension.NewStrikethroughHTMLRenderer(), 500),
	))
}

type strikeParser struct{}

func (strikeParser) Trigger() []byte { return []byte{'~'} }

func (strikeParser) Parse(_ ast.Node, block text.Reader, pc parser.Context) ast.Node {
	before := block.PrecendingCharacter()
	line, seg := block.PeekLine()
	d := parser.ScanDelimiter(line, before, 2, strikeDelims{})
	if d == nil {
		return nil // one ~ is text
	}
	n := d.OriginalLength
	d.OriginalLength = 0 // no rule of 3 (it reads OriginalLength only)
	d.Segment = seg.WithStop(seg.Start + n)
	block.Advance(n)
	pc.PushDelimiter(d)
	return d
}

func (strikeParser) CloseBlock(ast.Node, parser.Context) {}

// strikeDelims pairs runs of tildes two at a time: a run with one tilde
// left matches nothing, so that tilde stays as text.
type strikeDelims struct{}

func (strikeDelims) IsDelimiter(b byte) bool { return b == '~' }

func (strikeDelims) CanOpenCloser(opener, closer *parser.Delimiter) bool {
	return opener.Char == closer.Char && opener.Length >= 2 && closer.Length >= 2
}

func (strikeDelims) OnMatch(int) ast.Node { return extast.NewStrikethrough() }
