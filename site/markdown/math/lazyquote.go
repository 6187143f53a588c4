package math

import (
	"github.com/yuin/goldmark/ast"
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
