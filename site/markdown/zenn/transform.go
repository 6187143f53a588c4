package zenn

import (
	"bytes"
	"sort"
	"strconv"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/kiji-ssg/kiji/site/diag"
)

// KindFigure is the node kind of Figure.
var KindFigure = ast.NewNodeKind("ZennFigure")

// Figure is an image followed by a *caption* line. Its children are the
// image (or the link around it) and a FigCaption.
type Figure struct{ ast.BaseBlock }

// Kind implements ast.Node.
func (n *Figure) Kind() ast.NodeKind { return KindFigure }

// Dump implements ast.Node.
func (n *Figure) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

// KindFigCaption is the node kind of FigCaption.
var KindFigCaption = ast.NewNodeKind("ZennFigCaption")

// FigCaption is the caption of a Figure; its children are inline.
type FigCaption struct{ ast.BaseBlock }

// Kind implements ast.Node.
func (n *FigCaption) Kind() ast.NodeKind { return KindFigCaption }

// Dump implements ast.Node.
func (n *FigCaption) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

type transformer struct{ e *Extender }

func (t *transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	d := diag.From(pc)
	var (
		paragraphs []*ast.Paragraph
		comments   []ast.Node
		footnotes  bool
	)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Paragraph:
			paragraphs = append(paragraphs, n)
		case *ast.Image:
			if _, ok := n.AttributeString("loading"); !ok {
				n.SetAttributeString("loading", []byte("lazy"))
			}
		case *ast.RawHTML:
			if n.Segments.Len() == 1 {
				if seg := n.Segments.At(0); isOneLineComment(seg.Value(src)) {
					comments = append(comments, n)
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.HTMLBlock:
			if htmlBlockIsComment(n, src) {
				comments = append(comments, n)
			}
			return ast.WalkSkipChildren, nil
		case *InlineFootnote, *east.FootnoteLink:
			footnotes = true
		}
		return ast.WalkContinue, nil
	})
	for _, c := range comments {
		if p := c.Parent(); p != nil {
			p.RemoveChild(p, c)
		}
	}
	for _, p := range paragraphs {
		if p.Parent() == nil {
			continue
		}
		if len(comments) > 0 && blankInline(p, src) {
			p.Parent().RemoveChild(p.Parent(), p)
			continue
		}
		for _, p := range figures(p, src) {
			if !t.e.cfg.noBareURLs && insideDetailsOnly(p) {
				t.bareURLs(p, src, d)
			}
		}
	}
	if footnotes {
		numberFootnotes(doc)
	}
}

// isOneLineComment reports whether b is one <!-- comment --> on one line.
func isOneLineComment(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) < 7 || !bytes.HasPrefix(b, []byte("<!--")) || !bytes.HasSuffix(b, []byte("-->")) {
		return false
	}
	inner := b[4 : len(b)-3]
	return !bytes.ContainsAny(b, "\r\n") && !bytes.Contains(inner, []byte("-->"))
}

func htmlBlockIsComment(n *ast.HTMLBlock, src []byte) bool {
	var b bytes.Buffer
	for i := 0; i < n.Lines().Len(); i++ {
		s := n.Lines().At(i)
		b.Write(s.Value(src))
	}
	if n.HasClosure() {
		b.Write(n.ClosureLine.Value(src))
	}
	return isOneLineComment(b.Bytes())
}

// blankInline reports whether n has nothing but blank text.
func blankInline(n ast.Node, src []byte) bool {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if !isBlankText(c, src) {
			return false
		}
	}
	return true
}

func isBlankText(n ast.Node, src []byte) bool {
	t, ok := n.(*ast.Text)
	return ok && len(bytes.TrimSpace(t.Value(src))) == 0
}

func endsLine(n ast.Node) bool {
	t, ok := n.(*ast.Text)
	return ok && (t.SoftLineBreak() || t.HardLineBreak())
}

// imageOnly reports whether n is an image, or a link around only an image.
func imageOnly(n ast.Node, src []byte) bool {
	switch n := n.(type) {
	case *ast.Image:
		return true
	case *ast.Link:
		img := 0
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if _, ok := c.(*ast.Image); ok {
				img++
			} else if !isBlankText(c, src) {
				return false
			}
		}
		return img == 1
	}
	return false
}

// figures turns each image on a line of its own followed by an *emphasis*
// (on the same line, ![a](u)*caption*, or alone on the next line) into a
// Figure with a caption, splitting the paragraph around it. It returns the
// paragraphs left (p itself when nothing changed).
func figures(p *ast.Paragraph, src []byte) []*ast.Paragraph {
	lines := paragraphLines(p, src)
	type piece struct {
		fig   *Figure
		nodes []ast.Node
	}
	var pieces []piece
	found := false
	for i := 0; i < len(lines); i++ {
		img, em, used := captioned(lines, i, src)
		if img == nil {
			if len(pieces) == 0 || pieces[len(pieces)-1].fig != nil {
				pieces = append(pieces, piece{})
			}
			last := &pieces[len(pieces)-1]
			last.nodes = append(last.nodes, lines[i]...)
			continue
		}
		found = true
		pieces = append(pieces, piece{fig: newFigure(p, img, em, lines[i:i+used], src)})
		i += used - 1
	}
	if !found {
		return []*ast.Paragraph{p}
	}
	parent := p.Parent()
	var out []*ast.Paragraph
	for _, pc := range pieces {
		if pc.fig != nil {
			parent.InsertBefore(parent, p, pc.fig)
			continue
		}
		if np := newParagraph(p, pc.nodes, src); np != nil {
			parent.InsertBefore(parent, p, np)
			out = append(out, np)
		}
	}
	parent.RemoveChild(parent, p)
	return out
}

// paragraphLines splits p's inline children into lines: each line ends
// with the text that carries its line break.
func paragraphLines(p *ast.Paragraph, src []byte) [][]ast.Node {
	var lines [][]ast.Node
	var cur []ast.Node
	for c := p.FirstChild(); c != nil; c = c.NextSibling() {
		cur = append(cur, c)
		if endsLine(c) {
			lines = append(lines, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		lines = append(lines, cur)
	}
	return lines
}

// content drops the blank texts of a line.
func content(line []ast.Node, src []byte) []ast.Node {
	var out []ast.Node
	for _, n := range line {
		if !isBlankText(n, src) {
			out = append(out, n)
		}
	}
	return out
}

// captioned reports whether lines[i] starts a captioned image: an image
// line ending in an *emphasis*, or an image line and an *emphasis* line.
// used is the number of lines taken.
func captioned(lines [][]ast.Node, i int, src []byte) (img ast.Node, em *ast.Emphasis, used int) {
	c := content(lines[i], src)
	if len(c) == 0 || !imageOnly(c[0], src) {
		return nil, nil, 0
	}
	switch {
	case len(c) == 2:
		if e, ok := c[1].(*ast.Emphasis); ok && e.Level == 1 {
			return c[0], e, 1
		}
	case len(c) == 1 && i+1 < len(lines):
		n := content(lines[i+1], src)
		if len(n) != 1 {
			break
		}
		if e, ok := n[0].(*ast.Emphasis); ok && e.Level == 1 {
			return c[0], e, 2
		}
	}
	return nil, nil, 0
}

// newFigure moves img and em's children into a Figure.
func newFigure(p *ast.Paragraph, img ast.Node, em *ast.Emphasis, lines [][]ast.Node, src []byte) *Figure {
	var nodes []ast.Node
	for _, l := range lines {
		nodes = append(nodes, l...)
	}
	f := &Figure{}
	f.SetLines(linesFor(p, nodes, src))
	p.RemoveChild(p, img)
	f.AppendChild(f, img)
	cap := &FigCaption{}
	for c := em.FirstChild(); c != nil; {
		next := c.NextSibling()
		em.RemoveChild(em, c)
		cap.AppendChild(cap, c)
		c = next
	}
	f.AppendChild(f, cap)
	return f
}

// newParagraph makes a paragraph of nodes (taken from p) without a line
// break at its end, or nil when they are blank.
func newParagraph(p *ast.Paragraph, nodes []ast.Node, src []byte) *ast.Paragraph {
	for len(nodes) > 0 && isBlankText(nodes[len(nodes)-1], src) {
		nodes = nodes[:len(nodes)-1]
	}
	if len(nodes) == 0 {
		return nil
	}
	if tx, ok := nodes[len(nodes)-1].(*ast.Text); ok {
		tx.SetSoftLineBreak(false)
		tx.SetHardLineBreak(false)
	}
	np := ast.NewParagraph()
	np.SetLines(linesFor(p, nodes, src))
	for _, c := range nodes {
		p.RemoveChild(p, c)
		np.AppendChild(np, c)
	}
	return np
}

// bareURL reports whether n is a URL written as plain text (linkify), not
// <https://…>, www.… or an e-mail address, and returns it.
func bareURL(n ast.Node, src []byte) (string, bool) {
	a, ok := n.(*ast.AutoLink)
	if !ok || a.AutoLinkType != ast.AutoLinkURL || a.Protocol != nil {
		return "", false
	}
	if p := a.Pos(); p >= 0 && p < len(src) && src[p] == '<' {
		return "", false
	}
	u := string(a.URL(src))
	return u, isHTTPURL(u)
}

// bareURLs turns each URL alone on its line of p into an embed (card,
// tweet, YouTube, GitHub), as Zenn does, splitting the paragraph around it.
func (t *transformer) bareURLs(p *ast.Paragraph, src []byte, d *diag.Doc) {
	var kids []ast.Node
	for c := p.FirstChild(); c != nil; c = c.NextSibling() {
		kids = append(kids, c)
	}
	found := false
	for i := range kids {
		if t.isAloneURL(kids, i, src) {
			found = true
			break
		}
	}
	if !found {
		return
	}
	var out []ast.Node
	var cur []ast.Node
	flush := func() {
		for len(cur) > 0 && isBlankText(cur[len(cur)-1], src) {
			cur = cur[:len(cur)-1]
		}
		if len(cur) == 0 {
			return
		}
		if tx, ok := cur[len(cur)-1].(*ast.Text); ok {
			tx.SetSoftLineBreak(false)
			tx.SetHardLineBreak(false)
		}
		np := ast.NewParagraph()
		np.SetLines(linesFor(p, cur, src))
		for _, c := range cur {
			np.AppendChild(np, c)
		}
		out = append(out, np)
		cur = nil
	}
	for i := 0; i < len(kids); i++ {
		if !t.isAloneURL(kids, i, src) {
			p.RemoveChild(p, kids[i])
			cur = append(cur, kids[i])
			continue
		}
		u, _ := bareURL(kids[i], src)
		p.RemoveChild(p, kids[i])
		flush()
		out = append(out, t.bareEmbed(u, kids[i].Pos(), d))
		if i+1 < len(kids) && isBlankText(kids[i+1], src) {
			p.RemoveChild(p, kids[i+1])
			i++
		}
	}
	flush()
	parent := p.Parent()
	for _, n := range out {
		parent.InsertBefore(parent, p, n)
	}
	parent.RemoveChild(parent, p)
}

// isAloneURL: kids[i] is a bare URL that starts a line and ends it.
func (t *transformer) isAloneURL(kids []ast.Node, i int, src []byte) bool {
	if _, ok := bareURL(kids[i], src); !ok {
		return false
	}
	if i > 0 && !endsLine(kids[i-1]) {
		return false
	}
	if i+1 < len(kids) {
		next := kids[i+1]
		if !isBlankText(next, src) {
			return false
		}
		if !endsLine(next) && i+2 < len(kids) {
			return false
		}
	}
	return true
}

// bareEmbed chooses what a bare URL becomes.
func (t *transformer) bareEmbed(u string, pos int, d *diag.Doc) *Embed {
	name := "card"
	switch {
	case tweetRE.MatchString(u):
		name = "tweet"
	case githubRE.MatchString(u):
		name = "github"
	default:
		if _, ok := youtubeID(u); ok {
			name = "youtube"
		}
	}
	n := &Embed{Name: name, Arg: u, Bare: true, doc: d, offset: max(pos, 0)}
	// Problems of a bare URL are not the author's: no warnings; an URL that
	// does not fit its kind stays a card.
	resolveEmbed(n, &t.e.cfg, &diag.Doc{}, 0)
	if n.Err != "" {
		n.Name, n.EmbedKind, n.Err, n.Src, n.URL = "card", "card", "", "", u
	}
	if n.EmbedKind == "tweet" {
		d.Need("tweet")
	}
	if n.IsCard() {
		t.e.cards.start(n.URL)
	}
	if pos >= 0 {
		n.SetPos(pos)
	}
	return n
}

// linesFor returns the lines of p that hold the text of nodes.
func linesFor(p *ast.Paragraph, nodes []ast.Node, src []byte) *text.Segments {
	lo, hi := -1, -1
	for _, n := range nodes {
		_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
			if tx, ok := c.(*ast.Text); ok && entering {
				if lo < 0 || tx.Segment.Start < lo {
					lo = tx.Segment.Start
				}
				if tx.Segment.Stop > hi {
					hi = tx.Segment.Stop
				}
			}
			return ast.WalkContinue, nil
		})
	}
	out := text.NewSegments()
	lines := p.Lines()
	for i := 0; i < lines.Len(); i++ {
		l := lines.At(i)
		if lo < 0 || (l.Stop >= lo && l.Start <= hi) {
			out.Append(l)
		}
	}
	return out
}

// numberFootnotes turns InlineFootnote nodes into goldmark footnotes and
// numbers all footnotes as markdown-it-footnote (Zenn) does: in the order of
// their first reference in reading order, where a note's text is read at
// the place its definition stands ([^a]: … between paragraphs), inline
// ^[…] notes and [^a] ones together. goldmark reads all definitions after
// the text, which numbers a note referenced from another note too late.
// It runs after goldmark's footnote transformer.
func numberFootnotes(doc *ast.Document) {
	list, byOld, refs, backlinks := collectFootnotes(doc)
	newIdx := map[int]int{}
	var created []*east.Footnote
	count := 0
	for _, r := range refs {
		switch n := r.node.(type) {
		case *east.FootnoteLink:
			if _, ok := newIdx[n.Index]; !ok && byOld[n.Index] != nil {
				count++
				newIdx[n.Index] = count
			}
		case *InlineFootnote:
			count++
			created = append(created, inlineToFootnote(n, count))
		}
	}
	for _, r := range refs {
		if l, ok := r.node.(*east.FootnoteLink); ok {
			if v, ok := newIdx[l.Index]; ok {
				l.Index = v
			}
		}
	}
	for _, b := range backlinks {
		if v, ok := newIdx[b.Index]; ok {
			b.Index = v
		}
	}
	if list == nil {
		list = east.NewFootnoteList()
		doc.AppendChild(doc, list)
	}
	var all []*east.Footnote
	for c := list.FirstChild(); c != nil; c = c.NextSibling() {
		if fn, ok := c.(*east.Footnote); ok {
			v, ok := newIdx[fn.Index]
			if !ok { // referenced by nothing that is read: last
				count++
				v = count
			}
			fn.Index = v
			all = append(all, fn)
		}
	}
	all = append(all, created...)
	// Sort the notes by number (ast's SortChildren is an insertion sort,
	// quadratic on long lists).
	sort.SliceStable(all, func(i, j int) bool { return all[i].Index < all[j].Index })
	list.RemoveChildren(list)
	for _, fn := range all {
		list.AppendChild(list, fn)
	}
	list.Count = count
}

// collectFootnotes finds the footnote list, the notes by goldmark's number,
// the references in reading order and the back links.
func collectFootnotes(doc *ast.Document) (list *east.FootnoteList, byOld map[int]*east.Footnote, refs []footnoteRef, backlinks []*east.FootnoteBacklink) {
	byOld = map[int]*east.Footnote{}
	// Where the walk reads: the first line of the innermost block with
	// lines (a note's paragraph sits where its definition was written).
	var at []int
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		lined := n.Type() == ast.TypeBlock && n.Lines().Len() > 0
		if !entering {
			if lined {
				at = at[:len(at)-1]
			}
			return ast.WalkContinue, nil
		}
		if lined {
			at = append(at, n.Lines().At(0).Start)
		}
		switch n := n.(type) {
		case *east.FootnoteList:
			list = n
		case *east.FootnoteLink, *InlineFootnote:
			off := 0
			if len(at) > 0 {
				off = at[len(at)-1]
			}
			refs = append(refs, footnoteRef{n, off})
		case *east.FootnoteBacklink:
			backlinks = append(backlinks, n)
		case *east.Footnote:
			byOld[n.Index] = n
		}
		return ast.WalkContinue, nil
	})
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].offset < refs[j].offset })
	return list, byOld, refs, backlinks
}

// footnoteRef is a footnote reference and where it is read.
type footnoteRef struct {
	node   ast.Node
	offset int
}

// inlineToFootnote replaces ^[text] by a reference to a new note #index
// holding text, and returns the note.
func inlineToFootnote(r *InlineFootnote, index int) *east.Footnote {
	fn := east.NewFootnote([]byte("^inline-" + strconv.Itoa(index)))
	fn.Index = index
	p := ast.NewParagraph()
	for c := r.FirstChild(); c != nil; {
		next := c.NextSibling()
		r.RemoveChild(r, c)
		p.AppendChild(p, c)
		c = next
	}
	back := east.NewFootnoteBacklink(index)
	back.RefCount = 1
	p.AppendChild(p, back)
	fn.AppendChild(fn, p)
	link := east.NewFootnoteLink(index)
	link.RefCount = 1
	if r.Pos() >= 0 {
		link.SetPos(r.Pos())
	}
	if parent := r.Parent(); parent != nil {
		parent.ReplaceChild(parent, r, link)
	}
	return fn
}
