// Package nesting keeps goldmark out of the inputs on which its time grows
// with the square of their size, so that every article converts in
// seconds at most, and gives the same answer every time.
//
// Two shapes make goldmark quadratic (measured: a list nested 2,000 levels
// deep, 4 MB, took 32 s; 10,000 levels ran for more than 18 minutes):
//
//   - Deep nesting of lists, block quotes and footnote definitions: each
//     line costs as much as its depth. Check scans the source once, before
//     goldmark sees it, and refuses a line nested more than MaxDepth
//     levels (counting a list marker, a > and a [^note]: as one level each,
//     and two columns of indentation before the first of them as one), no
//     matter where the line is: no real article comes near 100 levels.
//   - Many link brackets ([) or code-span marks (`) in one inline context:
//     each can make the parser scan the rest of the paragraph. The cost of a
//     paragraph is counted as their number times its length in bytes, and
//     the sum over the article may not pass MaxInlineWork (about a second
//     of parsing): the Extender counts goldmark's own paragraphs before their
//     inline parsing (so code blocks, which are never inline-parsed, cost
//     nothing) and Check counts ATX headings. A table counts as one
//     paragraph (its rows are parsed apart, so this overestimates: a table
//     of thousands of rows of links could be refused, with advice to split
//     it). Over the budget, the worst paragraph is reported and the rest of
//     the article is not inline-parsed.
//
// Emphasis, ::: containers, math and plain text were measured linear.
//
// Wiring (package markdown does this):
//
//	if p := nesting.Check(src); p != nil { report p.Offset, p.Msg; do not convert }
//	goldmark.New(goldmark.WithExtensions(&nesting.Extender{}))
package nesting

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/kiji-ssg/kiji/site/diag"
)

// MaxDepth is the deepest nesting of lists, quotes and footnote
// definitions a line may have.
const MaxDepth = 100

// MaxInlineWork bounds the sum, over an article's paragraphs and headings,
// of the number of [ and ` runs times the length in bytes.
const MaxInlineWork = 1_000_000_000

// A Problem is why an article is not converted, at a byte offset of it.
type Problem struct {
	Offset int
	Msg    string
}

// Check scans src once and returns the first line nested deeper than
// MaxDepth, or the worst heading when the headings' inline work passes
// MaxInlineWork; nil when the source is fine.
func Check(src []byte) *Problem {
	var work inlineWork
	for off := 0; off < len(src); {
		end := bytes.IndexByte(src[off:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += off
		}
		line := src[off:end]
		if d := lineDepth(line); d > MaxDepth {
			return &Problem{Offset: off, Msg: fmt.Sprintf("this line nests lists, quotes or footnotes %d levels deep (two columns of indentation count as a level), past kiji's limit of %d: the Markdown parser's time grows with the square of the depth, so kiji does not convert this article; flatten the nesting", d, MaxDepth)}
		}
		if isHeading(line) {
			work.add(off, line)
		}
		off = end + 1
	}
	if work.total > MaxInlineWork {
		return work.problem()
	}
	return nil
}

// lineDepth is how many levels of lists, quotes and footnote definitions
// a line opens or continues: its leading indentation (two columns a level,
// a tab to the next multiple of four) and then each marker.
func lineDepth(line []byte) int {
	cols, i := 0, 0
	for ; i < len(line) && (line[i] == ' ' || line[i] == '\t'); i++ {
		if line[i] == '\t' {
			cols += 4 - cols%4
		} else {
			cols++
		}
	}
	if i == len(line) || !strings.ContainsRune(">-+*0123456789[", rune(line[i])) {
		return 0 // most lines: no marker
	}
	markers := 0
	var tb *breakTail // made when a bullet needs it
	for i < len(line) {
		n := marker(line, i, &tb)
		if n == 0 {
			break
		}
		markers++
		for i += n; i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'); i++ {
		}
	}
	if markers == 0 {
		return 0 // continues what earlier lines opened: they were counted
	}
	return cols/2 + markers
}

// marker returns the length of the container marker at line[i] (0: none):
// >, a bullet (-, + or * and a space), an ordered marker (1-9 digits, . or
// ) and a space) or a footnote definition ([^label]:). A bullet that starts
// a thematic break (* * *) is none.
func marker(line []byte, i int, tb **breakTail) int {
	c := line[i]
	spaceAfter := func(j int) bool {
		return j >= len(line) || line[j] == ' ' || line[j] == '\t' || line[j] == '\r'
	}
	switch {
	case c == '>':
		return 1
	case c == '-' || c == '+' || c == '*':
		if !spaceAfter(i + 1) {
			return 0
		}
		if *tb == nil {
			*tb = newBreakTail(line)
		}
		if !(*tb).at(i) {
			return 1
		}
	case c >= '0' && c <= '9':
		j := i
		for j < len(line) && j-i < 10 && line[j] >= '0' && line[j] <= '9' {
			j++
		}
		if j-i <= 9 && j < len(line) && (line[j] == '.' || line[j] == ')') && spaceAfter(j+1) {
			return j + 1 - i
		}
	case c == '[' && i+1 < len(line) && line[i+1] == '^':
		for j := i + 2; j < len(line) && j-i < 1000; j++ {
			switch line[j] {
			case ']':
				if j+1 < len(line) && line[j+1] == ':' && j > i+2 {
					return j + 2 - i
				}
				return 0
			case ' ', '\t', '[':
				return 0
			}
		}
	}
	return 0
}

// breakTail tells in O(1) whether a line's rest from i is a thematic break
// (three or more of the same -, * or _, with only spaces between).
type breakTail struct {
	start int  // where the tail of spaces and ch begins
	ch    byte // its character; 0: the line does not end in a break
	count []int
}

func newBreakTail(line []byte) *breakTail {
	end := len(line)
	for end > 0 && (line[end-1] == ' ' || line[end-1] == '\t' || line[end-1] == '\r') {
		end--
	}
	if end == 0 || (line[end-1] != '-' && line[end-1] != '*' && line[end-1] != '_') {
		return &breakTail{start: len(line) + 1}
	}
	t := &breakTail{ch: line[end-1], start: end}
	for t.start > 0 && (line[t.start-1] == t.ch || line[t.start-1] == ' ' || line[t.start-1] == '\t') {
		t.start--
	}
	n := 0
	t.count = make([]int, len(line)-t.start+1)
	for j := len(line) - 1; j >= t.start; j-- {
		if line[j] == t.ch {
			n++
		}
		t.count[j-t.start] = n
	}
	return t
}

func (t *breakTail) at(i int) bool {
	return t.ch != 0 && i >= t.start && t.count[i-t.start] >= 3
}

func isHeading(line []byte) bool {
	i := 0
	for i < len(line) && i < 3 && line[i] == ' ' {
		i++
	}
	j := i
	for j < len(line) && line[j] == '#' {
		j++
	}
	return j > i && j-i <= 6 && (j == len(line) || line[j] == ' ' || line[j] == '\t')
}

// inlineWork sums the inline cost of paragraphs and remembers the worst.
type inlineWork struct {
	total, worst, worstAt int
	worstMarks, worstLen  int
}

// add counts one inline context, starting at offset off, of these bytes.
func (w *inlineWork) add(off int, b []byte) {
	w.addCounted(off, marks(b), len(b))
}

func (w *inlineWork) addCounted(off, marks, length int) {
	cost := marks * length
	w.total = min(w.total+cost, 1<<62)
	if cost > w.worst {
		w.worst, w.worstAt, w.worstMarks, w.worstLen = cost, off, marks, length
	}
}

func (w *inlineWork) problem() *Problem {
	return &Problem{Offset: w.worstAt, Msg: fmt.Sprintf("this paragraph has %d link brackets ([) and code marks (`) in %d bytes: the Markdown parser's time grows with their number times the paragraph's length, and this article's paragraphs together pass kiji's bound (%d); split the paragraph (or table) into smaller ones", w.worstMarks, w.worstLen, MaxInlineWork)}
}

// marks counts [ and runs of ` in b.
func marks(b []byte) int {
	n := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '[':
			n++
		case '`':
			n++
			for i+1 < len(b) && b[i+1] == '`' {
				i++
			}
		}
	}
	return n
}

// Extender counts the inline work of goldmark's paragraphs as they close,
// before their inline parsing; past MaxInlineWork it reports the worst
// paragraph to the document's diag list and empties every paragraph that
// closes later, so that no more inline parsing happens.
type Extender struct{}

// Extend implements goldmark.Extender.
func (e *Extender) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithParagraphTransformers(util.Prioritized(paragraphs{}, 50)))
}

type paragraphs struct{}

var workKey = parser.NewContextKey()

type docWork struct {
	inlineWork
	over bool
}

func (paragraphs) Transform(n *ast.Paragraph, reader text.Reader, pc parser.Context) {
	w, _ := pc.Get(workKey).(*docWork)
	if w == nil {
		w = &docWork{}
		pc.Set(workKey, w)
	}
	lines := n.Lines()
	if w.over || lines.Len() == 0 {
		n.SetLines(text.NewSegments())
		return
	}
	src := reader.Source()
	m, length := 0, 0
	for i := range lines.Len() {
		seg := lines.At(i)
		m += marks(seg.Value(src))
		length += seg.Len()
	}
	w.addCounted(lines.At(0).Start, m, length)
	if w.total > MaxInlineWork {
		w.over = true
		p := w.problem()
		diag.From(pc).Errorf(p.Offset, "%s", p.Msg)
		n.SetLines(text.NewSegments())
	}
}
