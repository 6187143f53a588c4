// Package headingid gives every heading a stable id, builds the table of
// contents and makes in-page links reach their headings.
//
// Ids are GitHub-compatible slugs that keep Japanese: letters are
// lower-cased, each space becomes "-", punctuation and symbols (full-width
// （）：！ too) are dropped, and a repeated id gets "-1", "-2"… An id is never
// empty: a heading without letters gets "section".
//
// Zenn builds its ids differently (it keeps punctuation: "付録：aws-…"), so
// articles written for Zenn link to those. A link "#X" whose X (percent-
// encoded or not) is a heading's Zenn-style id is rewritten to that heading's
// id, so both styles reach the same heading.
//
// Deep links copied from zenn.dev ("/articles/slug#1.-見出し") land too,
// without JavaScript: where Zenn's id for an h1–h4 (markdown-it-anchor's:
// the text lower-cased, white space runs as "-", punctuation kept,
// duplicates numbered -1, -2…; HTML is text on Zenn and counts, except
// <br> and comments, a bare URL counts, math and an inline footnote do
// not, and the lines of a setext heading join with nothing between)
// differs from kiji's, the heading holds an
// empty <span class="zenn-id" id="ZENN-ID"> first. A browser matches the
// fragment as written and then percent-decoded, so both Zenn's encoded
// form and the plain one reach it. Such an alias is left out when it would
// repeat any other id of the document.
//
// The table of contents lists h1–h3 as Zenn's does (an article written
// with only "#" sections gets one); Entry.Depth is each entry's depth
// below the shallowest level listed.
//
// Every heading gets a hover anchor link ("#") to itself.
package headingid

import (
	"bufio"
	"bytes"
	stdhtml "html"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Slug returns the GitHub-style id for a heading text (without the
// duplicate suffix).
func Slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_':
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			b.WriteRune(r)
		case unicode.IsSpace(r):
			b.WriteByte('-')
		}
	}
	return b.String()
}

// ZennSlug returns the id Zenn (markdown-it-anchor) gives a heading text,
// decoded: lower-cased, whitespace runs turned into "-", punctuation kept.
func ZennSlug(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.TrimSpace(s))), "-")
}

// Entry is one line of the table of contents.
type Entry struct {
	Level int
	// Depth is Level less the shallowest level in the table of contents.
	Depth int
	ID    string
	Text  string
}

// Headings are the ids given in one document and its table of contents.
type Headings struct {
	TOC []Entry
	// IDs are all heading ids in document order.
	IDs []string
	// Aliases are the Zenn-style ids held by empty spans in headings.
	Aliases []string
}

var key = parser.NewContextKey()

// From returns the headings found while parsing the document of pc.
func From(pc parser.Context) *Headings {
	if h, ok := pc.Get(key).(*Headings); ok {
		return h
	}
	return &Headings{}
}

// Extender assigns ids, collects the TOC and renders anchored headings.
type Extender struct {
	// TOCMin and TOCMax bound the levels in the table of contents
	// (default 1 and 3, as on Zenn).
	TOCMin, TOCMax int
	// SkipKinds names node kinds whose headings stay out of the TOC (e.g.
	// "Details": Zenn leaves headings inside :::details out).
	SkipKinds []string
	// NoText names inline node kinds whose content is no part of a
	// heading's text, id or TOC entry (Zenn's ^[inline footnote]).
	NoText []ast.NodeKind
	// HTMLText lists a heading's raw HTML in the TOC as the text it is
	// shown as (HTML not trusted, as on Zenn); kiji's id leaves it out.
	HTMLText bool
}

// Extend adds the transformer and the heading renderer.
func (e *Extender) Extend(m goldmark.Markdown) {
	min, max := e.TOCMin, e.TOCMax
	if min == 0 {
		min = 1
	}
	if max == 0 {
		max = 3
	}
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(&transformer{min: min, max: max, skip: e.SkipKinds, noText: e.NoText, htmlText: e.HTMLText}, 50)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(&headingRenderer{}, 100)))
}

type transformer struct {
	min, max int
	skip     []string
	noText   []ast.NodeKind
	htmlText bool
}

// zennIDAttr holds a heading's Zenn-style alias id (an attribute no
// renderer writes out: only the heading renderer reads it).
var zennIDAttr = []byte("kiji-zenn-id")

func (t *transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	h := &Headings{}
	pc.Set(key, h)
	used := map[string]bool{}
	zenn := map[string]string{} // Zenn id → kiji id
	var aliases []*ast.Heading
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		hd, ok := n.(*ast.Heading)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		txt := strings.TrimSpace(textOf{lineBreak: " ", skip: t.noText}.of(hd, src))
		id := unique(Slug(txt), used, "section")
		used[id] = true
		hd.SetAttributeString("id", []byte(id))
		h.IDs = append(h.IDs, id)
		if z := ZennSlug(textOf{rawHTML: true, skip: t.noText}.of(hd, src)); z != "" && hd.Level <= 4 {
			zid := unique(z, zenn, "")
			zenn[zid] = id
			if zid != id {
				hd.SetAttribute(zennIDAttr, []byte(zid))
				aliases = append(aliases, hd)
			}
		}
		if hd.Level >= t.min && hd.Level <= t.max && txt != "" && !t.skipped(hd) {
			if t.htmlText {
				txt = strings.TrimSpace(textOf{rawHTML: true, lineBreak: " ", skip: t.noText}.of(hd, src))
			}
			h.TOC = append(h.TOC, Entry{Level: hd.Level, ID: id, Text: txt})
		}
		return ast.WalkSkipChildren, nil
	})
	h.Aliases = keepAliases(aliases, used)
	setDepths(h.TOC)
	rewriteLinks(doc, used, zenn)
}

// unique returns base, or base-1, base-2… when taken; empty gives empty.
func unique[V any](base string, taken map[string]V, empty string) string {
	if base == "" {
		base = empty
	}
	id := base
	for i := 1; ; i++ {
		if _, ok := taken[id]; !ok {
			return id
		}
		id = base + "-" + strconv.Itoa(i)
	}
}

// keepAliases drops the aliases that would repeat a heading id or a
// footnote's id ("fn:1", "fnref:1"), and returns those kept.
func keepAliases(aliases []*ast.Heading, used map[string]bool) []string {
	var kept []string
	seen := map[string]bool{}
	for _, hd := range aliases {
		v, _ := hd.Attribute(zennIDAttr)
		zid := string(v.([]byte))
		if used[zid] || seen[zid] || strings.HasPrefix(zid, "fn:") || strings.HasPrefix(zid, "fnref") {
			hd.SetAttribute(zennIDAttr, []byte(nil))
			continue
		}
		seen[zid] = true
		kept = append(kept, zid)
	}
	return kept
}

// setDepths sets each entry's depth below the shallowest level listed.
func setDepths(toc []Entry) {
	min := 0
	for _, e := range toc {
		if min == 0 || e.Level < min {
			min = e.Level
		}
	}
	for i := range toc {
		toc[i].Depth = toc[i].Level - min
	}
}

// rewriteLinks makes in-page links written with Zenn-style (or percent-
// encoded) ids point at the heading's id.
func rewriteLinks(doc *ast.Document, used map[string]bool, zenn map[string]string) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		l, ok := n.(*ast.Link)
		if !ok || len(l.Destination) == 0 || l.Destination[0] != '#' {
			return ast.WalkContinue, nil
		}
		frag := string(l.Destination[1:])
		if dec, err := url.PathUnescape(frag); err == nil {
			frag = dec
		}
		if used[frag] {
			l.Destination = []byte("#" + frag)
		} else if id, ok := zenn[strings.ToLower(frag)]; ok {
			l.Destination = []byte("#" + id)
		} else if id := Slug(frag); used[id] {
			l.Destination = []byte("#" + id)
		}
		return ast.WalkContinue, nil
	})
}

func (t *transformer) skipped(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		k := p.Kind().String()
		for _, s := range t.skip {
			if k == s {
				return true
			}
		}
	}
	return false
}

// PlainText returns the text of a node's inline content as a reader sees
// it (backslash escapes and entities decoded): text, code spans, link text
// and bare URLs, without markup, images or raw HTML; a line break is a
// space.
func PlainText(n ast.Node, src []byte) string {
	return strings.TrimSpace(textOf{lineBreak: " "}.of(n, src))
}

// Zenn turns these raw HTML into a line break or removes them; the rest
// shows as text.
var (
	htmlBreak   = regexp.MustCompile(`^<br ?/?>$`)
	htmlComment = regexp.MustCompile(`^<!--[\s\S]*?-->$`)
)

// textOf reads the text of inline content. With rawHTML, HTML counts as
// the text it shows as (Zenn's way), <br> as a line break, a comment as
// nothing: Zenn's id is made of its text tokens so, with lineBreak "".
type textOf struct {
	rawHTML   bool
	lineBreak string
	skip      []ast.NodeKind // nodes whose content is not the heading's text
}

func (o textOf) of(n ast.Node, src []byte) string {
	var b bytes.Buffer
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				writeText(&b, c, src)
				if c.SoftLineBreak() || c.HardLineBreak() {
					b.WriteString(o.lineBreak)
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.CodeSpan:
				for t := c.FirstChild(); t != nil; t = t.NextSibling() {
					if tx, ok := t.(*ast.Text); ok {
						b.Write(tx.Value(src))
					} else if s, ok := t.(*ast.String); ok {
						b.Write(s.Value)
					}
				}
			case *ast.AutoLink:
				b.Write(c.Label(src))
			case *ast.RawHTML:
				o.writeHTML(&b, c.Segments.Value(src))
			case *ast.Image:
			default:
				if !slices.Contains(o.skip, c.Kind()) {
					walk(c)
				}
			}
		}
	}
	walk(n)
	return b.String()
}

func (o textOf) writeHTML(b *bytes.Buffer, raw []byte) {
	switch {
	case !o.rawHTML || htmlComment.Match(raw):
	case htmlBreak.Match(raw):
		b.WriteString(o.lineBreak)
	default:
		b.Write(raw)
	}
}

// writeText writes a text node as it reads: goldmark keeps escapes and
// entities in the source and decodes them while writing HTML.
func writeText(b *bytes.Buffer, t *ast.Text, src []byte) {
	v := t.Value(src)
	if t.IsRaw() || bytes.IndexAny(v, `\&`) < 0 {
		b.Write(v)
		return
	}
	var h bytes.Buffer
	w := bufio.NewWriter(&h)
	html.DefaultWriter.Write(w, v)
	_ = w.Flush()
	b.WriteString(stdhtml.UnescapeString(h.String()))
}

type headingRenderer struct{}

func (r *headingRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHeading, r.render)
}

func (r *headingRenderer) render(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Heading)
	if entering {
		_, _ = w.WriteString("<h")
		_ = w.WriteByte("0123456"[n.Level])
		if n.Attributes() != nil {
			html.RenderAttributes(w, node, html.HeadingAttributeFilter)
		}
		_ = w.WriteByte('>')
		if z, ok := n.Attribute(zennIDAttr); ok && len(z.([]byte)) > 0 {
			// Zenn's id for this heading, for deep links copied from zenn.dev.
			_, _ = w.WriteString(`<span class="zenn-id" id="`)
			_, _ = w.Write(util.EscapeHTML(z.([]byte)))
			_, _ = w.WriteString(`"></span>`)
		}
		return ast.WalkContinue, nil
	}
	if id, ok := n.AttributeString("id"); ok {
		_, _ = w.WriteString(`<a class="anchor" href="#`)
		_, _ = w.Write(util.EscapeHTML(util.URLEscape(id.([]byte), false)))
		_, _ = w.WriteString(`" aria-label="この見出しへのリンク">#</a>`)
	}
	_, _ = w.WriteString("</h")
	_ = w.WriteByte("0123456"[n.Level])
	_, _ = w.WriteString(">\n")
	return ast.WalkContinue, nil
}
