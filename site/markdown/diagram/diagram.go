// Package diagram draws diagrams at build time: a fenced code block whose
// language is d2,
//
//	```d2 title="コンテナオーケストレーション"
//	cp: コントロールプレーン
//	dp: データプレーン
//	cp -> dp: 管理
//	```
//
// is laid out with D2 (oss.terrastruct.com/d2, dagre layout, pure Go: no
// browser, no network) and written into the page as an inline SVG inside a
// <figure>. The SVG scales down to the column (viewBox kept, width 100%,
// max-width its natural width), follows the reader's colour scheme (D2's dark
// theme under prefers-color-scheme: dark), and is accessible (role="img",
// aria-label and <title> from the title attribute of the info string, or a
// generic label).
//
// Rendering is deterministic: the same source gives the same bytes. Every id,
// class and CSS rule a diagram has of its own is scoped by an id derived
// from the diagram's content hash, so several diagrams on a page do not clash (a
// diagram repeated on a page gets a numbered id). Layouts are cached by
// content hash in memory and, with WithCacheDir, on disk, so a rebuild does
// not lay a diagram out again.
//
// What every diagram has in common is not repeated in each: D2's theme
// (light and dark), font and Markdown stylesheets are written once, in the
// stylesheets of Assets, and its fonts (Source Sans Pro and Source Code
// Pro) are cut once into font files by character range, which a browser
// fetches only for the characters a diagram shows and then keeps for
// every page. A page with a diagram needs them: the transformer records
// diag.Doc.Need(Feature) (and FeatureMarkdown for Markdown labels), and
// the build links the stylesheets. A diagram keeps inline only what is
// its own (fill patterns; everything in sketch mode, whose fonts and
// patterns differ), and its SVG is written short (numbers without D2's
// trailing zeros, no stray spaces): the same drawing in about a sixth of
// the bytes.
//
// A D2 error is reported through diag at the article's file:line:col (D2's
// line and column mapped through the block), and the block is then shown as
// its source in a <pre>; the build fails on the error anyway.
//
// Diagram (D2) is kiji's build-time diagram; mermaid (site/markdown/mermaid)
// is the reader-time one. D2 is a Go library, so kiji draws D2 diagrams
// while it builds: the page carries a finished SVG that needs no script,
// shows in reader modes and with JavaScript turned off, and costs the
// reader no download beyond the page. Mermaid has no renderer outside a browser (mermaid.js
// lays out in the DOM), so ```mermaid blocks, which Zenn supports, are
// drawn by mermaid.js in the reader's browser. A new diagram is best
// written in D2.
package diagram

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/kiji-ssg/kiji/site/diag"
)

// Language is the info-string language that marks a D2 block.
const Language = "d2"

// DefaultLabel is the accessible name of a diagram that has no title.
const DefaultLabel = "図"

// KindDiagram is the node kind of a rendered diagram.
var KindDiagram = ast.NewNodeKind("Diagram")

// Diagram is the AST node that replaces a ```d2 fenced code block.
type Diagram struct {
	ast.BaseBlock

	// Title is the title="..." of the info string; empty when none was given.
	Title string
	// Source is the D2 source of the block.
	Source string
	// SVG is the rendered <svg> element; nil when the block failed, in
	// which case the source is rendered in a <pre>.
	SVG []byte
}

// Kind implements ast.Node.
func (n *Diagram) Kind() ast.NodeKind { return KindDiagram }

// IsRaw implements ast.Node: the node has no inline children.
func (n *Diagram) IsRaw() bool { return true }

// Dump implements ast.Node.
func (n *Diagram) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{
		"Title":  n.Title,
		"Failed": strconv.FormatBool(n.SVG == nil),
	}, nil)
}

// Extender is the goldmark extension. Create it with New and share it: its
// layout cache lives as long as it does, and it is safe for concurrent use
// by several conversions at once.
type Extender struct {
	e *engine
}

// New returns the extension with the given options.
func New(opts ...Option) *Extender {
	return &Extender{e: newEngine(opts...)}
}

// Extend implements goldmark.Extender. It only adds options.
func (x *Extender) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(
		util.Prioritized(&transformer{e: x.e}, 500),
	))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		util.Prioritized(nodeRenderer{}, 500),
	))
}

// Stats reports what the extension has done since it was created.
func (x *Extender) Stats() Stats { return x.e.statsSnapshot() }

// transformer replaces the d2 fenced code blocks of a document by Diagram
// nodes, laying them out (or fetching them from the cache) on the way.
type transformer struct {
	e *engine
}

func (t *transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	source := reader.Source()
	var blocks []*ast.FencedCodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if fc, ok := n.(*ast.FencedCodeBlock); ok {
			if fc.Info != nil && string(fc.Language(source)) == Language {
				blocks = append(blocks, fc)
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	if len(blocks) == 0 {
		return
	}
	d := diag.From(pc)
	seen := map[string]int{} // diagram id → uses on this page so far
	for _, fc := range blocks {
		if d.Context().Err() != nil {
			return // the build was stopped
		}
		node := t.convert(d, source, fc, seen)
		if parent := fc.Parent(); parent != nil {
			parent.ReplaceChild(parent, fc, node)
		}
	}
}

// convert lays out one block and returns the node that replaces it. It
// reports problems to d.
func (t *transformer) convert(d *diag.Doc, source []byte, fc *ast.FencedCodeBlock, seen map[string]int) *Diagram {
	node := &Diagram{}
	node.SetBlankPreviousLines(fc.HasBlankPreviousLines())
	node.SetLines(fc.Lines())

	lines := fc.Lines()
	var src bytes.Buffer
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		src.Write(seg.Value(source))
	}
	node.Source = src.String()

	fenceOffset := fc.Info.Segment.Start
	attrs, problems := parseInfo(fc.Info.Segment.Value(source))
	for _, p := range problems {
		if p.warn {
			d.Warnf(fenceOffset+p.offset, "%s", p.msg)
		} else {
			d.Errorf(fenceOffset+p.offset, "%s", p.msg)
		}
	}
	node.Title = attrs.title

	if strings.TrimSpace(node.Source) == "" {
		d.Warnf(fenceOffset, "empty d2 diagram: write the diagram's D2 source between the fences, or remove the block")
		return node
	}

	res, err := t.e.get(d.Context(), node.Source)
	if err != nil {
		if d.Context().Err() == nil {
			t.report(d, fc, source, fenceOffset, err)
		}
		return node
	}
	n := seen[res.id]
	seen[res.id] = n + 1
	node.SVG = res.svg(n, node.Title)
	d.Need(Feature)
	if hasMarkdown(res.body) {
		d.Need(FeatureMarkdown)
	}
	return node
}

// report turns a layout error into problems at the article's positions.
func (t *transformer) report(d *diag.Doc, fc *ast.FencedCodeBlock, source []byte, fenceOffset int, err error) {
	var ce compileErrors
	if errors.As(err, &ce) && len(ce) > 0 {
		const maxReported = 10
		for i, e := range ce {
			if i == maxReported {
				d.Errorf(fenceOffset, "d2 diagram: %d more D2 errors in this block: fix the ones above first", len(ce)-maxReported)
				break
			}
			d.Errorf(blockOffset(fc, source, e.line, e.col, fenceOffset),
				"d2 diagram: %s: fix the D2 source here (D2 syntax: https://d2lang.com/tour/intro)", e.msg)
		}
		return
	}
	d.Errorf(fenceOffset, "d2 diagram: %v", err)
}

// blockOffset maps a 0-based line and byte column of the block's D2 source
// to a byte offset of the article: the block's first content line plus line,
// and the column past the block's indentation. Positions outside the block
// fall back to fallback (the info string) or to the block's last line.
func blockOffset(fc *ast.FencedCodeBlock, source []byte, line, col, fallback int) int {
	lines := fc.Lines()
	if line < 0 || lines.Len() == 0 {
		return fallback
	}
	if line >= lines.Len() {
		seg := lines.At(lines.Len() - 1)
		return seg.Start
	}
	seg := lines.At(line)
	col -= seg.Padding
	if col < 0 {
		col = 0
	}
	off := seg.Start + col
	if off > seg.Stop {
		off = seg.Stop
	}
	// Do not point into the middle of a UTF-8 sequence.
	for off > seg.Start && off < len(source) && !utf8Start(source[off]) {
		off--
	}
	return off
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// nodeRenderer writes Diagram nodes.
type nodeRenderer struct{}

func (nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindDiagram, renderDiagram)
}

func renderDiagram(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	dn := n.(*Diagram)
	if dn.SVG == nil {
		if strings.TrimSpace(dn.Source) == "" {
			return ast.WalkSkipChildren, nil
		}
		_, _ = w.WriteString(`<pre class="diagram-error"><code class="language-d2">`)
		_, _ = w.WriteString(html.EscapeString(dn.Source))
		_, _ = w.WriteString("</code></pre>\n")
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString(`<figure class="diagram diagram-d2">`)
	_, _ = w.Write(dn.SVG)
	if dn.Title != "" {
		_, _ = w.WriteString("<figcaption>")
		_, _ = w.WriteString(htmlEscape(dn.Title))
		_, _ = w.WriteString("</figcaption>")
	}
	_, _ = w.WriteString("</figure>\n")
	return ast.WalkSkipChildren, nil
}

// infoAttrs are the attributes of a d2 info string.
type infoAttrs struct {
	title string
}

type infoProblem struct {
	offset int // byte offset in the info string
	warn   bool
	msg    string
}

// parseInfo parses `d2 key="value" key=value ...`. Known keys: title.
func parseInfo(info []byte) (infoAttrs, []infoProblem) {
	var a infoAttrs
	var ps []infoProblem
	s := string(info)
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return a, nil
	}
	for i < len(s) {
		i = skipBlanks(s, i)
		if i >= len(s) {
			break
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		key := s[start:i]
		if i >= len(s) || s[i] != '=' {
			ps = append(ps, infoProblem{offset: start, warn: true,
				msg: fmt.Sprintf("d2 info string: %q is not a key=\"value\" attribute and is ignored: write title=\"...\"", key)})
			continue
		}
		val, next, ok := infoValue(s, i+1)
		if !ok {
			ps = append(ps, infoProblem{offset: i + 1,
				msg: fmt.Sprintf("d2 info string: the value of %s has no closing %c: close the quote", key, s[i+1])})
			return a, ps
		}
		i = next
		switch key {
		case "title":
			a.title = strings.TrimSpace(val)
		default:
			ps = append(ps, infoProblem{offset: start, warn: true,
				msg: fmt.Sprintf("d2 info string: unknown attribute %q is ignored: the only attribute is title=\"...\"", key)})
		}
	}
	return a, ps
}

// skipBlanks returns the first index at or after i that is not a space or tab.
func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// infoValue reads the value of an attribute starting at i: quoted (with \"
// and \\ escapes) or bare up to the next blank. It returns the value, the
// index after it, and false when a quote is never closed.
func infoValue(s string, i int) (string, int, bool) {
	if i >= len(s) || (s[i] != '"' && s[i] != '\'') {
		vstart := i
		for i < len(s) && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		return s[vstart:i], i, true
	}
	q := s[i]
	i++
	var b strings.Builder
	for i < len(s) {
		c := s[i]
		if c == '\\' && i+1 < len(s) && (s[i+1] == q || s[i+1] == '\\') {
			b.WriteByte(s[i+1])
			i += 2
			continue
		}
		if c == q {
			return b.String(), i + 1, true
		}
		b.WriteByte(c)
		i++
	}
	return "", i, false
}
