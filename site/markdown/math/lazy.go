package math

import (
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// quoteParser is goldmark's blockquote parser, except that a quote in
// which display math is open goes on through lines without ">" up to the
// closing "$$", as on Zenn:
//
//	> $$
//	\begin{aligned} …
//	$$
//	> more of the quote
//
// is one quote holding the formula (markdown-it's math block reads lazy
// lines; goldmark's quote would end at the first of them and leave the
// formula unclosed). A blank line still ends the quote.
type quoteParser struct{ parser.BlockParser }

// quotePriority puts quoteParser before goldmark's blockquote parser
// (800), which then never opens a quote.
const quotePriority = 799

func newQuoteParser() quoteParser { return quoteParser{parser.NewBlockquoteParser()} }

func (q quoteParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	st := q.BlockParser.Continue(node, reader, pc)
	if st != parser.Close || !openMath(node) {
		return st
	}
	if line, _ := reader.PeekLine(); util.IsBlank(line) {
		return st
	}
	return parser.Continue | parser.HasChildren
}

// listParser and itemParser are goldmark's list and list item parsers,
// except that a line less indented than an item's text goes on in display
// math open in the item, up to the closing "$$", as on Zenn: the three
// lines "- $$", "x" and "$$" are one item holding the formula.
//
// goldmark's parsers stay registered behind them. When an item ends
// because a new one starts, goldmark marks the line "an item, not a
// list" for its list parser, which clears the mark as it declines; with
// two list parsers the second would then open a list. So the item parser
// comes first, opens the new item, and then clears the mark by asking
// goldmark's list parser.
type listParser struct{ parser.BlockParser }

type itemParser struct {
	parser.BlockParser
	list parser.BlockParser // goldmark's list parser, to clear its mark
}

func newItemParser() itemParser {
	return itemParser{parser.NewListItemParser(), parser.NewListParser()}
}

func (p itemParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	node, st := p.BlockParser.Open(parent, reader, pc)
	if node != nil {
		// Clears the mark, as goldmark's list parser, asked before its
		// item parser, would have on this line. On the rest of the line
		// it finds no list, or one it returns and we drop; either way
		// it changes nothing else the item parser has not already set.
		p.list.Open(parent, reader, pc)
	}
	return node, st
}

// itemPriority and listPriority put them before goldmark's list (300) and
// item (400) parsers, the item parser first.
const (
	itemPriority = 298
	listPriority = 299
)

func (p listParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	if item, ok := node.LastChild().(*ast.ListItem); ok && lazyMath(item, reader) {
		return parser.Continue | parser.HasChildren
	}
	return p.BlockParser.Continue(node, reader, pc)
}

func (p itemParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	if item, ok := node.(*ast.ListItem); ok && lazyMath(item, reader) {
		return parser.Continue | parser.HasChildren
	}
	return p.BlockParser.Continue(node, reader, pc)
}

// lazyMath reports whether the next line is a lazy line of display math
// open in item: not blank and less indented than the item's text (which
// would end the item).
func lazyMath(item *ast.ListItem, reader text.Reader) bool {
	if !openMath(item) {
		return false
	}
	line, _ := reader.PeekLine()
	if util.IsBlank(line) {
		return false
	}
	indent, _ := util.IndentWidth(line, reader.LineOffset())
	return indent < item.Offset
}

// openMath reports whether the last block of container (or of its last
// block, and so on) is display math still waiting for its "$$".
func openMath(container ast.Node) bool {
	for n := container.LastChild(); n != nil; n = n.LastChild() {
		if m, ok := n.(*DisplayMath); ok {
			return !m.Closed
		}
	}
	return false
}

// Footnotes is for a converter that has goldmark's footnote extension:
// display math opened in a footnote definition reads the lines after it
// that are not indented as the definition's, up to its closing "$$", as
// on Zenn:
//
//	[^1]: $$
//	x
//	$$
//
// is one footnote holding the formula. Its footnote parser comes before
// the extension's (999), which then never opens a definition.
type Footnotes struct{}

// Extend implements goldmark.Extender.
func (Footnotes) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithBlockParsers(
		util.Prioritized(footnoteParser{extension.NewFootnoteBlockParser()}, 998),
	))
}

type footnoteParser struct{ parser.BlockParser }

func (p footnoteParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	if openMath(node) {
		line, _ := reader.PeekLine()
		if !util.IsBlank(line) {
			if pos, _ := util.IndentPosition(line, reader.LineOffset(), 4); pos < 0 {
				return parser.Continue | parser.HasChildren
			}
		}
	}
	return p.BlockParser.Continue(node, reader, pc)
}
