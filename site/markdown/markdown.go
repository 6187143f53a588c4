// Package markdown is kiji's one goldmark setup: CommonMark with GFM
// (tables, task lists), strikethrough as Zenn reads it (zenn.Strikethrough:
// ~~a~~, one ~ is text), bare URLs linked by Zenn's rules (zenn.Linkify),
// footnotes, the CJK extension, and kiji's own extensions, each in its own subpackage:
//
//	headingid  heading ids, anchors, table of contents
//	code       code blocks highlighted with chroma, lang:file, diff
//	diagram    ```d2 blocks drawn as SVG at build time
//	score      score tables and formula cells computed at build time
//	zenn       Zenn's :::message, :::details, @[embeds], link cards, image sizes
//	math       $…$ and $$…$$
//	mermaid    ```mermaid blocks
//	nesting    refuses input that would make goldmark quadratic (deep lists)
//
// As on Zenn, a newline inside a paragraph is a line break (Options.SoftBreaks
// switches to CommonMark soft breaks), and raw HTML is shown as text except
// <br> (Options.TrustHTML lets a trusted site pass HTML through).
//
// Every page's HTML, whichever extension wrote it, leaves Convert through
// one policy of package htmlsafe: htmlsafe.Safe (only the elements,
// attributes and URLs kiji's extensions write, iframes only from the
// embeds' hosts) or, with TrustHTML, htmlsafe.Trusted (any HTML but no
// script). What it removes is reported as a warning at its block.
//
// Convert reports problems (a missing image, a D2 error…) to the document's
// diag list with the file's line numbers, and returns what the page needs:
// HTML, table of contents, links and images for the link check, reading time.
// A root-relative image path with a doubled slash (/images/a//b.png) is
// written with one, with a warning: zenn-cli finds the file with path.join
// and shows it.
package markdown

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/htmlsafe"
	"github.com/kiji-ssg/kiji/site/markdown/headingid"
	"github.com/kiji-ssg/kiji/site/markdown/nesting"
	"github.com/kiji-ssg/kiji/site/markdown/zenn"
)

// Options configure the converter. The zero value is Zenn's behaviour.
type Options struct {
	// SoftBreaks renders a newline inside a paragraph as a space
	// (CommonMark) instead of a line break (Zenn).
	SoftBreaks bool
	// TrustHTML passes raw HTML through (script URLs are still removed).
	TrustHTML bool
	// BasePath is the path the site is served under, e.g. "/repo/". Root-
	// relative links and images written in Markdown get it prepended.
	BasePath string
	// Image reports whether a local image (a path like "images/a.png",
	// relative to the content root) exists and, when it can be decoded, its
	// size, which is written into the <img>. Whether every link and image
	// resolves is checked on the output by the build.
	Image func(p string) (w, h int, exists bool)
	// Extensions are extra goldmark extensions (kiji's own are added by
	// the build with the options they need).
	Extensions []goldmark.Extender
	// TOCSkipKinds: node kinds whose headings stay out of the TOC.
	TOCSkipKinds []string
}

// Converter turns Markdown into HTML. It is safe for concurrent use.
type Converter struct {
	md     goldmark.Markdown
	opts   Options
	policy *htmlsafe.Policy
}

// New returns a converter.
func New(opts Options) *Converter {
	if opts.BasePath == "" {
		opts.BasePath = "/"
	}
	exts := []goldmark.Extender{
		extension.Table, zenn.Strikethrough{}, extension.TaskList,
		zenn.Linkify{},
		extension.NewFootnote(extension.WithFootnoteBacklinkHTML("↩︎")),
		extension.NewCJK(extension.WithEastAsianLineBreaks(), extension.WithEscapedSpace()),
		&headingid.Extender{SkipKinds: opts.TOCSkipKinds, NoText: []ast.NodeKind{zenn.KindInlineFootnote}, HTMLText: !opts.TrustHTML},
		&core{opts: opts},
		&nesting.Extender{},
	}
	exts = append(exts, opts.Extensions...)
	var rOpts []renderer.Option
	if !opts.SoftBreaks {
		rOpts = append(rOpts, html.WithHardWraps())
	}
	md := goldmark.New(
		goldmark.WithExtensions(exts...),
		goldmark.WithRendererOptions(rOpts...),
	)
	return &Converter{md: md, opts: opts, policy: policy(opts)}
}

// Result is a converted document.
type Result struct {
	HTML []byte
	TOC  []headingid.Entry
	// IDs are the heading and footnote ids the page defines.
	IDs []string
	// Links and Images are the local references, for the link check.
	Links  []Ref
	Images []Ref
	// Summary is the first paragraph as plain text (for descriptions).
	Summary string
	// CJKChars and Words measure the text for the reading time.
	CJKChars, Words int
}

// Ref is a local link or image as written, with its line.
type Ref struct {
	Dest string // as written, e.g. "/images/a.png", "#intro", "/articles/x#y"
	Line int
	Col  int
	// Written is the destination as the author wrote it, when a LinkFunc
	// changed it into Dest ("./other" → "/articles/other/") or escapes
	// were resolved ("a\(1\).png" → "a(1).png"); "" otherwise.
	Written string
	// Label says that the page defines a link reference whose label is
	// the destination as written: [text](GOY) beside [GOY]: https://…,
	// most likely meant as [text][GOY].
	Label bool
}

// A LinkFunc rewrites the destination of a link (or, with image, of an
// image) as the author wrote it: it returns the destination to use and
// true, or false to keep it. A root-relative result gets the base path
// like any link written that way.
type LinkFunc func(dest string, image bool) (string, bool)

// A ConvertOption configures one conversion.
type ConvertOption func(pc parser.Context)

// WithLinks makes the conversion pass every link and image destination
// through f before anything else reads it: the build resolves links the
// way the page's author meant them (see package zennlink).
func WithLinks(f LinkFunc) ConvertOption {
	return func(pc parser.Context) { pc.Set(linksKey, f) }
}

var linksKey = parser.NewContextKey()

// ReadingMinutes is the reading time: about 500 Japanese characters or 200
// English words a minute, counted separately so a mixed article is timed
// right; rounded to the nearest minute, at least one.
func (r *Result) ReadingMinutes() int {
	m := (r.CJKChars*60/500 + r.Words*60/200 + 30) / 60
	if m < 1 {
		m = 1
	}
	return m
}

var resultKey = parser.NewContextKey()

// Convert converts doc.Src. Problems go to doc.List. When doc.Ctx is done
// (the build was stopped), the extensions stop their long work and Convert
// returns the context's error. A source nested so
// deeply that parsing it would take minutes (see package nesting) is not
// converted: the problem is reported at its line and the result is empty.
func (c *Converter) Convert(doc *diag.Doc, opts ...ConvertOption) (res *Result, err error) {
	res = &Result{}
	if p := nesting.Check(doc.Src); p != nil {
		doc.Errorf(p.Offset, "%s", p.Msg)
		return res, nil
	}
	pc := parser.NewContext()
	diag.Attach(pc, doc)
	pc.Set(resultKey, res)
	for _, o := range opts {
		o(pc)
	}
	root := c.md.Parser().Parse(text.NewReader(doc.Src), parser.WithContext(pc))
	buf := renderBufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 {
			renderBufs.Put(buf)
		}
	}()
	buf.Reset()
	buf.Grow(len(doc.Src) * 2)
	blocks, err := c.render(doc.Context(), buf, doc.Src, root)
	if err != nil {
		return nil, err
	}
	if err := doc.Context().Err(); err != nil {
		return nil, err // the build was stopped: what was made is partial
	}
	res.HTML = c.finish(doc, buf.Bytes(), blocks, res)
	h := headingid.From(pc)
	res.TOC = h.TOC
	res.IDs = append(res.IDs, h.IDs...)
	res.IDs = append(res.IDs, h.Aliases...)
	return res, nil
}

// ctxWriter is what goldmark renders into: it carries the document's
// context, so that renderers doing long work (code highlighting) stop when
// the build does.
type ctxWriter struct {
	*bufio.Writer
	ctx context.Context
}

func (w *ctxWriter) Context() context.Context { return w.ctx }

// core is kiji's own transformer and renderers: raw HTML, links, images.
type core struct{ opts Options }

func (c *core) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(&refs{opts: c.opts}, 10)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		util.Prioritized(&rawHTML{trust: c.opts.TrustHTML}, 50),
		util.Prioritized(taskBox{}, 50),
	))
}

// refs collects local links and images, checks images, adds sizes and
// lazy loading, prefixes the base path and measures the text.
type refs struct{ opts Options }

func (t *refs) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	d := diag.From(pc)
	res, _ := pc.Get(resultKey).(*Result)
	if res == nil {
		res = &Result{}
	}
	links, _ := pc.Get(linksKey).(LinkFunc)
	pos := positions{src: src, seen: map[ast.Node]int{}}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			countText(res, n.Value(src))
		case *ast.Paragraph:
			if res.Summary == "" && n.Parent() == doc {
				res.Summary = headingid.PlainText(n, src)
			}
		case *ast.Link:
			raw, esc := unescapeDest(&n.Destination)
			off := pos.offsetOf(n)
			written := cmp.Or(resolve(links, n, false), raw)
			before := len(res.Links)
			n.Destination = escapeDest(t.local(res, &res.Links, d, off, n.Destination, written), esc)
			if len(res.Links) > before {
				ref := &res.Links[before]
				_, ref.Label = pc.Reference(util.ToLinkReference([]byte(cmp.Or(ref.Written, ref.Dest))))
			}
		case *ast.Image:
			raw, esc := unescapeDest(&n.Destination)
			off := pos.offsetOf(n)
			written := cmp.Or(resolve(links, n, true), raw)
			if clean, ok := joinSlashes(string(n.Destination)); ok {
				d.Warnf(off, "the image path %s has a doubled slash; kiji reads it as %s, as zenn-cli does (a web server may not); write it that way", n.Destination, clean)
				written = cmp.Or(written, string(n.Destination))
				n.Destination = []byte(clean)
			}
			t.size(n)
			n.Destination = escapeDest(t.local(res, &res.Images, d, off, n.Destination, written), esc)
			if _, ok := n.AttributeString("loading"); !ok {
				n.SetAttributeString("loading", []byte("lazy"))
			}
			n.SetAttributeString("decoding", []byte("async"))
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			for i := 0; i < n.Lines().Len(); i++ {
				s := n.Lines().At(i)
				countText(res, s.Value(src))
			}
		}
		return ast.WalkContinue, nil
	})
	_ = src
}

// unescapeDest resolves the backslash escapes and character references of
// a link's or image's destination (goldmark leaves them for its renderer:
// [a](x\(1\).png) is x(1).png), so that the link check, the links
// function and the sizes see the destination the page will hold. It
// returns the destination as written and true when that changed it ("",
// false when not).
func unescapeDest(dest *[]byte) (string, bool) {
	if !bytes.ContainsAny(*dest, `\&`) {
		return "", false
	}
	raw := string(*dest)
	plain := util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(*dest)))
	if string(plain) == raw {
		return "", false
	}
	*dest = plain
	return raw, true
}

// escapeDest writes a destination that unescapeDest resolved so that
// goldmark's renderer, which resolves escapes and references again, gives
// it back as it is.
func escapeDest(dest []byte, esc bool) []byte {
	if !esc {
		return dest
	}
	s := strings.ReplaceAll(string(dest), `\`, `\\`)
	return []byte(strings.ReplaceAll(s, "&", "&amp;"))
}

// resolve passes a link's or image's destination through links, and
// returns the destination as written when links changed it ("" if not).
func resolve(links LinkFunc, n ast.Node, image bool) string {
	if links == nil {
		return ""
	}
	var dest *[]byte
	switch n := n.(type) {
	case *ast.Link:
		dest = &n.Destination
	case *ast.Image:
		dest = &n.Destination
	default:
		return ""
	}
	written := string(*dest)
	d, ok := links(written, image)
	if !ok || d == written {
		return ""
	}
	*dest = []byte(d)
	return written
}

// local records a local reference (with the destination as the author
// wrote it, when resolve changed it) and returns the destination with the
// base path prefixed.
func (t *refs) local(res *Result, list *[]Ref, d *diag.Doc, off int, dest []byte, written string) []byte {
	s := string(dest)
	if s == "" || isExternal(s) {
		return dest
	}
	line, col := 0, 0
	if off >= 0 {
		line, col = d.Pos(off)
	}
	*list = append(*list, Ref{Dest: s, Line: line, Col: col, Written: written})
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") && t.opts.BasePath != "/" {
		return []byte(strings.TrimSuffix(t.opts.BasePath, "/") + s)
	}
	return dest
}

// size gives a local image the width and height of its file, so the page
// does not jump while images load. Sizes written by the author win.
func (t *refs) size(n *ast.Image) {
	if t.opts.Image == nil {
		return
	}
	if _, ok := n.AttributeString("width"); ok {
		return
	}
	if _, ok := n.AttributeString("height"); ok {
		return
	}
	p, _, _ := strings.Cut(string(n.Destination), "?")
	p, _, _ = strings.Cut(p, "#")
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return
	}
	rel := path.Clean(strings.TrimPrefix(unescape(p), "/"))
	if w, h, ok := t.opts.Image(rel); ok && w > 0 && h > 0 {
		n.SetAttributeString("width", []byte(strconv.Itoa(w)))
		n.SetAttributeString("height", []byte(strconv.Itoa(h)))
	}
}

// isExternal reports whether a destination leaves the site (or is not a
// link at all): a scheme, a protocol-relative URL. What only looks like a
// scheme ("(https://x)", a typo) is a relative link, as for a browser.
func isExternal(s string) bool {
	if strings.HasPrefix(s, "//") {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ':':
			return i > 0
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return false
}

func countText(res *Result, b []byte) {
	inWord := false
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf { // ASCII: most text, so the fast path
			i++
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
				if !inWord {
					res.Words++
					inWord = true
				}
			} else {
				inWord = false
			}
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		i += n
		switch {
		case isCJK(r):
			res.CJKChars++
			inWord = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !inWord {
				res.Words++
				inWord = true
			}
		default:
			inWord = false
		}
	}
}

// isCJK reports whether r is a Japanese, Chinese or Korean character (kana,
// kanji, hangul, full-width forms), counted by character for reading time.
func isCJK(r rune) bool {
	switch {
	case r >= 0x3040 && r <= 0x30FF, // hiragana, katakana
		r >= 0x3400 && r <= 0x4DBF, r >= 0x4E00 && r <= 0x9FFF, r >= 0xF900 && r <= 0xFAFF, r >= 0x20000 && r <= 0x3134F, // kanji
		r >= 0x3005 && r <= 0x3007, r == 0x303B, // 々 〆 〇 〻
		r >= 0x31F0 && r <= 0x31FF,                                                         // katakana extensions
		r >= 0xAC00 && r <= 0xD7AF, r >= 0x1100 && r <= 0x11FF, r >= 0x3130 && r <= 0x318F, // hangul
		r >= 0xFF00 && r <= 0xFFEF: // full-width forms
		return true
	}
	return false
}

// positions finds where inline nodes start in the source. It remembers
// the links and images found, so that a run of them without text
// (![](a)![](b)…), met in document order, costs no more than its length.
type positions struct {
	src  []byte
	seen map[ast.Node]int
}

// offsetOf finds a byte offset for an inline node: the "[" or "![" before
// its first text segment; for a link or image with no text (![](…)), the
// first "[" or "![" after the inline before it; else where it starts at
// the latest.
func (p positions) offsetOf(n ast.Node) int {
	if off, ok := p.seen[n]; ok {
		return off
	}
	for c := n.FirstChild(); c != nil; c = c.FirstChild() {
		if t, ok := c.(*ast.Text); ok {
			// Point at the "[" or "![" before the text.
			off := t.Segment.Start - 1
			if _, isImg := n.(*ast.Image); isImg {
				off--
			}
			return max(off, 0)
		}
	}
	from := min(max(p.startBefore(n), 0), len(p.src))
	var mark []byte
	switch n.Kind() {
	case ast.KindImage:
		mark = []byte("![")
	case ast.KindLink:
		mark = []byte("[")
	default:
		return from
	}
	off := from
	if j := bytes.Index(p.src[from:], mark); j >= 0 {
		off += j
	}
	p.seen[n] = off
	return off
}

// startBefore is a source offset at or before where an inline node
// starts: the end of the inline before it, else where its parent starts.
func (p positions) startBefore(n ast.Node) int {
	if prev := n.PreviousSibling(); prev != nil {
		return p.endOf(prev)
	}
	for b := n.Parent(); b != nil; b = b.Parent() {
		if b.Type() != ast.TypeBlock {
			return p.offsetOf(b)
		}
		if b.Lines().Len() > 0 {
			return b.Lines().At(0).Start
		}
	}
	return 0
}

// endOf is a source offset after an inline node's start and at or before
// its end: the end of its last text, else just after its start.
func (p positions) endOf(n ast.Node) int {
	if t, ok := n.(*ast.Text); ok {
		return t.Segment.Stop
	}
	if c := n.LastChild(); c != nil {
		return p.endOf(c)
	}
	return p.offsetOf(n) + 1
}

// joinSlashes turns the runs of slashes in a root-relative path (before
// any ? or #) into one, and says whether it changed it. zenn-cli finds an
// image file with path.join, so /images/a//b.png shows /images/a/b.png in
// its preview; a browser asks the server for the doubled slash.
func joinSlashes(dest string) (string, bool) {
	if !strings.HasPrefix(dest, "/") || strings.HasPrefix(dest, "//") {
		return dest, false
	}
	end := strings.IndexAny(dest, "?#")
	if end < 0 {
		end = len(dest)
	}
	p := dest[:end]
	if !strings.Contains(p, "//") {
		return dest, false
	}
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	return p + dest[end:], true
}

func unescape(p string) string {
	if u, err := url.PathUnescape(p); err == nil {
		return u
	}
	return p
}

// taskBox renders a task list's checkbox with an accessible name (goldmark's
// has none, which fails accessibility checks).
type taskBox struct{}

func (taskBox) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(east.KindTaskCheckBox, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if n.(*east.TaskCheckBox).IsChecked {
			_, _ = w.WriteString(`<input type="checkbox" checked disabled aria-label="完了"> `)
		} else {
			_, _ = w.WriteString(`<input type="checkbox" disabled aria-label="未完了"> `)
		}
		return ast.WalkContinue, nil
	})
}
