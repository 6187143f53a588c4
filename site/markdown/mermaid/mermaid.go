// Package mermaid is a goldmark extension for ```mermaid code blocks.
//
// No Mermaid renderer runs in Go, so diagrams are drawn in the reader's
// browser by mermaid.js. A block becomes
//
//	<div class="mermaid-diagram"><pre class="mermaid">SOURCE</pre></div>
//
// with the source HTML-escaped: without scripts the reader still sees the
// diagram's source; with them, mermaid.js replaces the <pre>'s content with
// an SVG. A page with a diagram gets diag.Doc.Need("mermaid"); the theme then
// includes ScriptTag (mermaid from jsDelivr, pinned, with Subresource
// Integrity).
//
// Mermaid is kiji's reader-time diagram; diagram (site/markdown/diagram, D2)
// is the build-time one. Zenn supports ```mermaid, so kiji must show such
// blocks, but mermaid.js lays a diagram out in a browser's DOM and no Go
// renderer exists: drawing at build time would mean running a headless
// browser in every build. The cost falls on the reader instead: a 5.5 MB
// script (1.6 MB gzipped) on pages with a diagram, and only the diagram's
// source where scripts do not run (reader modes, JavaScript turned off).
// D2 diagrams are drawn while building, into plain SVG; prefer D2 for new
// diagrams.
package mermaid

import (
	"bytes"
	"strings"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The mermaid build the theme loads: the npm package mermaid@Version, file
// PackageFile. Integrity is the SHA-384 of that exact file, computed from the
// package tarball:
//
//	npm pack mermaid@12.3.0
//	tar xzf mermaid-12.3.0.tgz package/dist/mermaid.min.js
//	openssl dgst -sha384 -binary package/dist/mermaid.min.js | base64 -w0
//
// jsDelivr serves npm files byte for byte, so URL matches it. The file is
// 5.5 MB (1.6 MB gzipped) and is loaded only on pages with a diagram.
const (
	Version     = "12.3.0"
	PackageFile = "dist/mermaid.min.js"
	// FileName is the name to serve the file under when the site serves it.
	FileName  = "mermaid.min.js"
	Integrity = "sha384-HHW54r639fK42Ip0coGF3mz8oSiGn0eEoWNTLs75X7H63pLSDBa0Tqs0RwGmLlXE"
	URL       = "https://cdn.jsdelivr.net/npm/mermaid@" + Version + "/" + PackageFile
)

// InitScript starts mermaid once the page is parsed: the dark theme when
// the reader's system prefers a dark colour scheme, the strict security
// level (no HTML or click handlers from diagram sources), and only the
// <pre class="mermaid"> elements this package writes.
const InitScript = `document.addEventListener("DOMContentLoaded",function(){` +
	`if(!window.mermaid)return;` +
	`var d=window.matchMedia&&window.matchMedia("(prefers-color-scheme: dark)").matches;` +
	`mermaid.initialize({startOnLoad:false,securityLevel:"strict",theme:d?"dark":"default"});` +
	`mermaid.run({querySelector:"pre.mermaid"});});`

// ScriptTag is what the theme puts in the <head> (or at the end of <body>)
// of pages that need mermaid: the pinned script from jsDelivr, checked with
// Subresource Integrity, then InitScript.
const ScriptTag = `<script defer src="` + URL + `" integrity="` + Integrity + `" crossorigin="anonymous"></script>` + "\n" +
	`<script>` + InitScript + `</script>`

// CSS is the layout for diagrams, for the theme's stylesheet: wide diagrams
// scroll, and once mermaid has drawn one (it sets data-processed) the <pre>
// loses the look of a code block.
const CSS = `.mermaid-diagram{overflow-x:auto;margin:1em 0}
.mermaid-diagram pre.mermaid[data-processed]{background:none;border:0;padding:0;text-align:center;white-space:normal}
`

// KindDiagram is the ast.NodeKind of Diagram.
var KindDiagram = ast.NewNodeKind("MermaidDiagram")

// Diagram is a ```mermaid block; its Lines hold the source.
type Diagram struct {
	ast.BaseBlock
}

// Kind implements ast.Node.
func (n *Diagram) Kind() ast.NodeKind { return KindDiagram }

// IsRaw implements ast.Node: the source is not Markdown.
func (n *Diagram) IsRaw() bool { return true }

// Dump implements ast.Node.
func (n *Diagram) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// Extender adds mermaid diagrams to a goldmark.Markdown.
type Extender struct{}

// New returns the mermaid extension.
func New() *Extender { return &Extender{} }

// TransformerPriority is the priority of the transformer that turns
// ```mermaid blocks into Diagram nodes. goldmark runs transformers in
// increasing order, so this runs before transformers of code blocks with a
// larger number, and the code renderer never sees these blocks.
const TransformerPriority = 100

// Extend implements goldmark.Extender.
func (e *Extender) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(transformer{}, TransformerPriority)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(htmlRenderer{}, 500)))
}

// isMermaid reports whether a fenced block's info string names mermaid:
// "mermaid", in any case, optionally with Zenn's ":file name".
func isMermaid(info []byte) bool {
	lang, _, _ := bytes.Cut(bytes.TrimSpace(info), []byte(" "))
	lang, _, _ = bytes.Cut(lang, []byte(":"))
	return strings.EqualFold(string(lang), "mermaid")
}

type transformer struct{}

func (transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var blocks []*ast.FencedCodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if fc, ok := n.(*ast.FencedCodeBlock); ok {
			if fc.Info != nil && isMermaid(fc.Info.Segment.Value(src)) {
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
	need := false
	for _, fc := range blocks {
		n := &Diagram{}
		n.SetLines(fc.Lines())
		n.SetBlankPreviousLines(fc.HasBlankPreviousLines())
		n.SetPos(fc.Pos())
		fc.Parent().ReplaceChild(fc.Parent(), fc, n)
		if blank(n, src) {
			d.Warnf(fc.Info.Segment.Start, "empty mermaid diagram: write the diagram between the fences, or remove the block")
			continue
		}
		need = true
	}
	if need {
		d.Need("mermaid")
	}
}

func blank(n *Diagram, src []byte) bool {
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		if len(bytes.TrimSpace(seg.Value(src))) > 0 {
			return false
		}
	}
	return true
}

type htmlRenderer struct{}

func (htmlRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindDiagram, renderDiagram)
}

func renderDiagram(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString(`<div class="mermaid-diagram"><pre class="mermaid">`)
	lines := node.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		_, _ = w.Write(util.EscapeHTML(seg.Value(source)))
	}
	_, _ = w.WriteString("</pre></div>\n")
	return ast.WalkSkipChildren, nil
}
