package markdown

import (
	"bufio"
	"bytes"
	"context"
	"html"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/yuin/goldmark/ast"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/htmlsafe"
	"github.com/kiji-ssg/kiji/site/markdown/zenn"
)

// Every page's HTML leaves the converter through one policy (package
// htmlsafe): whatever an extension wrote — a D2 label's HTML, a link, a
// formula — reaches the page only if the policy allows it. What the policy
// takes out is reported as a warning at the block that wrote it, and the
// local links and images that no Markdown link or image wrote (HTML in a
// D2 label, trusted raw HTML) are recorded with their lines for the link
// check.

// policy is the HTML policy of a converter's pages.
func policy(o Options) *htmlsafe.Policy {
	if o.TrustHTML {
		return htmlsafe.Trusted()
	}
	return htmlsafe.Safe(zenn.IframeHosts...)
}

// block is a top-level block of a document: where its HTML begins and
// where its source begins (-1: unknown).
type block struct{ out, src int }

var renderBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes the document's HTML block by block into buf, noting where
// each top-level block begins.
func (c *Converter) render(ctx context.Context, buf *bytes.Buffer, src []byte, root ast.Node) ([]block, error) {
	w := &ctxWriter{Writer: bufio.NewWriter(buf), ctx: ctx}
	var blocks []block
	r := c.md.Renderer()
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		blocks = append(blocks, block{out: buf.Len() + w.Buffered(), src: blockStart(n)})
		if err := r.Render(w, src, n); err != nil {
			return nil, err
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	// A block without lines (a thematic break) starts where the next does.
	next := len(src)
	for i := len(blocks) - 1; i >= 0; i-- {
		if blocks[i].src < 0 {
			blocks[i].src = next
		}
		next = blocks[i].src
	}
	return blocks, nil
}

// blockStart is the source offset of a block's first line, or -1.
func blockStart(n ast.Node) int {
	for c := n; c != nil; c = c.FirstChild() {
		if c.Type() == ast.TypeBlock && c.Lines().Len() > 0 {
			return c.Lines().At(0).Start
		}
	}
	return -1
}

// htmlRef is a local link or image found in the page's HTML.
type htmlRef struct {
	dest  string
	image bool
	off   int
}

// finish runs the page's HTML through the policy and reports, at the
// article's lines, what the policy removed and the links and images the
// Markdown did not write itself.
func (c *Converter) finish(doc *diag.Doc, page []byte, blocks []block, res *Result) []byte {
	var refs []htmlRef
	ids := map[string]bool{}
	type removal struct {
		what string
		at   int // in the source
	}
	var removed []removal
	h := &htmlsafe.Hooks{
		Attr: func(name string, val []byte, off int) {
			if name == "id" {
				ids[string(val)] = true
			} else if len(val) > 0 && !isExternal(string(val)) {
				refs = append(refs, htmlRef{dest: string(val), image: name == "src", off: off})
			}
		},
		Removed: func(what string, off int) {
			r := removal{what, locate(doc, blocks, off, tagAt(page, off))}
			if len(removed) == 0 || removed[len(removed)-1] != r {
				removed = append(removed, r)
			}
		},
	}
	out := c.policy.Sanitize(make([]byte, 0, len(page)), page, h)
	for _, r := range removed {
		if c.opts.TrustHTML {
			doc.Warnf(r.at, "%s was removed from the page: even with markdown.trust_html, HTML that could run script never reaches a page; remove it from the source", r.what)
		} else {
			doc.Warnf(r.at, "%s was removed from the page: only the HTML that Markdown and kiji's extensions write reaches a page (raw HTML needs markdown.trust_html); remove it from the source", r.what)
		}
	}
	c.addRefs(doc, blocks, res, refs, ids)
	return out
}

// blockAt is the index of the block whose HTML holds offset off, or -1.
func blockAt(blocks []block, off int) int {
	return sort.Search(len(blocks), func(i int) bool { return blocks[i].out > off }) - 1
}

// addRefs records the HTML's local links and images that no Markdown ref
// (nor an id of the page, for #fragments) accounts for, at the line of the
// source that holds them, for the link check.
func (c *Converter) addRefs(doc *diag.Doc, blocks []block, res *Result, refs []htmlRef, ids map[string]bool) {
	if len(refs) == 0 {
		return
	}
	known := map[string]bool{}
	base := strings.TrimSuffix(c.opts.BasePath, "/")
	for _, list := range [][]Ref{res.Links, res.Images} {
		for _, r := range list {
			d := unescape(r.Dest)
			known[d] = true
			if strings.HasPrefix(d, "/") {
				known[base+d] = true
			}
			if j := strings.IndexByte(r.Dest, '#'); j >= 0 {
				known["#"+unescape(r.Dest[j+1:])] = true
			}
		}
	}
	for _, r := range refs {
		v := unescape(r.dest)
		frag := ""
		if j := strings.IndexByte(v, '#'); j >= 0 {
			frag = v[j+1:]
		}
		if known[v] || frag != "" && (known["#"+frag] || v[0] == '#' && ids[fragID(r.dest)]) {
			continue
		}
		known[v] = true
		line, col := doc.Pos(locate(doc, blocks, r.off, r.dest, html.EscapeString(r.dest)))
		ref := Ref{Dest: r.dest, Line: line, Col: col}
		if r.image {
			res.Images = append(res.Images, ref)
		} else {
			res.Links = append(res.Links, ref)
		}
	}
}

// fragID is the id a "#fragment" link points to, as the link check reads it.
func fragID(dest string) string {
	if f, err := url.PathUnescape(dest[1:]); err == nil {
		return f
	}
	return dest[1:]
}

// locate finds where the source wrote something of the HTML at offset
// off: the first of the texts found in the source of the block whose HTML
// holds off, else the block's first line. It returns a source offset.
func locate(doc *diag.Doc, blocks []block, off int, texts ...string) int {
	i := blockAt(blocks, off)
	if i < 0 {
		return 0
	}
	start, end := blocks[i].src, len(doc.Src)
	if i+1 < len(blocks) {
		end = max(blocks[i+1].src, start)
	}
	seg := doc.Src[start:end]
	for _, s := range texts {
		if j := bytes.Index(seg, []byte(s)); s != "" && j >= 0 {
			return start + j
		}
	}
	return start
}

// tagAt is the tag at page[off] (at most 200 bytes of it).
func tagAt(page []byte, off int) string {
	t := page[off:min(len(page), off+200)]
	if i := bytes.IndexByte(t, '>'); i >= 0 {
		t = t[:i+1]
	}
	return string(t)
}
