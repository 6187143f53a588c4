// Package code renders fenced and indented code blocks: highlighted at build
// time with chroma as CSS classes (never inline styles), with Zenn's info
// string rules (```lang, ```lang:path/file, ```diff lang, ```lang diff,
// ```diff lang:file), a file name bar, diff add/remove/context marks and a
// copy button.
//
// Markup of one block:
//
//	<div class="code-block" data-lang="go">
//	  <div class="code-filename">main.go</div>              (only with lang:file)
//	  <pre class="chroma" tabindex="0" translate="no"><code>…</code></pre>
//	  <button type="button" class="copy-code" aria-label="コードをコピー" hidden>コピー</button>
//	</div>
//
// (written without the line breaks and indentation). In diff mode the <pre>
// also has the class "diff" and each line is
//
//	<span class="diff-line diff-add"><span class="diff-prefix">+</span>…highlighted code…</span>
//
// with diff-add, diff-remove or diff-context (no second class for a line with
// no recognised prefix). The tokens inside are chroma's <span class="k">…
// with its standard short class names; CSS returns the matching stylesheet
// (light and dark) and CopyScript the script that makes the buttons work.
//
// Blocks whose language is d2, score or mermaid belong to other extensions,
// which replace them in the AST before rendering; one that still reaches
// this renderer is shown as plain text. An unknown or missing language is
// plain text too; nothing here reports a problem or fails. A page with code
// blocks records Feature ("code") on its diag.Doc, so the theme can include
// CSS() and CopyScript only where they are used.
//
// Highlighting uses chroma's lexers, run by the subpackage fastchroma: the
// same tokens as chroma, token for token, about six times faster, with a
// 5 s match timeout instead of chroma's 250 ms (which made the result
// depend on the machine's load) and a work budget per block (a block that
// spends it is plain text). fastchroma is a private fork of chroma's and
// regexp2's hot loops; its doc lists what it relies on and what to do when
// either library is bumped. The tokens are written as chroma's HTML
// formatter would write them (writeTokens, TestWriteTokensMatchesChroma).
//
// Wiring:
//
//	md := goldmark.New(goldmark.WithExtensions(extension.GFM, code.New()))
//	// theme: <style>{{ code.CSS }}</style> and <script>{{ code.CopyScript }}</script>
//	// on pages where doc.Needs(code.Feature)
package code

import (
	"context"
	"html"
	"strings"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Extender is the goldmark extension for code blocks. Create it with New;
// it is safe to use from several goroutines and several goldmark instances
// (they then share its memo).
type Extender struct {
	copyButton bool
	memo       *memo
}

// An Option configures the Extender.
type Option func(*Extender)

// DefaultMemoEntries is the default size of one generation of the memo of
// highlighted blocks (see WithMemo).
const DefaultMemoEntries = 2048

// New returns the extension. Usage:
//
//	md := goldmark.New(goldmark.WithExtensions(extension.GFM, code.New()))
func New(opts ...Option) *Extender {
	e := &Extender{copyButton: true, memo: newMemo(DefaultMemoEntries)}
	for _, o := range opts {
		o(e)
	}
	return e
}

// ForgetHighlighted empties the memo of highlighted blocks (a build that
// is done with its Markdown: the process holds the extension as long as it
// lives, and a one-off build's last steps need the room). The extension
// works on as before, filling the memo again.
func (e *Extender) ForgetHighlighted() {
	if m := e.memo; m != nil {
		m.mu.Lock()
		m.cur, m.old, m.curBytes = map[memoKey][]byte{}, nil, 0
		m.mu.Unlock()
	}
}

// Feature is what a page with code blocks needs from the theme: the
// stylesheet (CSS) and the copy button script (CopyScript). The extension
// records it with diag.Doc.Need, so diag.Doc.Needs(code.Feature) tells the
// theme whether to include them.
const Feature = "code"

// Extend implements goldmark.Extender: it registers the renderer for
// *ast.FencedCodeBlock and *ast.CodeBlock ahead of goldmark's own, and a
// transformer that records Feature for documents that have code blocks.
func (e *Extender) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(needTransformer{}, 1<<20)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(&nodeRenderer{e: e}, 100)))
}

// needTransformer records Feature when the document has a code block left
// after the other extensions' transformers (it runs last: diagrams and
// score tables made from fenced blocks are no longer code blocks by then).
type needTransformer struct{}

// Transform implements parser.ASTTransformer.
func (needTransformer) Transform(doc *ast.Document, _ text.Reader, pc parser.Context) {
	found := false
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch {
		case !entering:
			return ast.WalkContinue, nil
		case n.Kind() == ast.KindFencedCodeBlock || n.Kind() == ast.KindCodeBlock:
			found = true
			return ast.WalkStop, nil
		case n.Type() == ast.TypeInline:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	if found {
		diag.From(pc).Need(Feature)
	}
}

type nodeRenderer struct{ e *Extender }

// RegisterFuncs implements renderer.NodeRenderer.
func (r *nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, r.renderFenced)
	reg.Register(ast.KindCodeBlock, r.renderIndented)
}

func (r *nodeRenderer) renderFenced(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	if err := ctxErr(w); err != nil {
		return ast.WalkStop, err
	}
	n := node.(*ast.FencedCodeBlock)
	var in info
	if n.Info != nil {
		in = parseInfo(infoText(n.Info.Segment.Value(source)))
	}
	r.write(w, in, codeText(n, source))
	return ast.WalkSkipChildren, nil
}

func (r *nodeRenderer) renderIndented(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	if err := ctxErr(w); err != nil {
		return ast.WalkStop, err
	}
	r.write(w, info{}, codeText(node, source))
	return ast.WalkSkipChildren, nil
}

// A writer with a Context (package markdown passes one) stops the
// rendering when its context is done: at the next code block, and inside
// a block's lexing within a thousand steps.
type contexter interface{ Context() context.Context }

func ctxErr(w util.BufWriter) error {
	if c, ok := w.(contexter); ok {
		return c.Context().Err()
	}
	return nil
}

func stopOf(w util.BufWriter) <-chan struct{} {
	if c, ok := w.(contexter); ok {
		return c.Context().Done()
	}
	return nil
}

// infoText applies the info string's backslash escapes and character
// references, as CommonMark asks (```js:a\_b.js names a_b.js).
func infoText(b []byte) string {
	b = util.UnescapePunctuations(b)
	b = util.ResolveNumericReferences(b)
	b = util.ResolveEntityNames(b)
	return string(b)
}

// codeText is the block's code with "\r\n" and lone "\r" line ends made "\n".
func codeText(n ast.Node, source []byte) string {
	var b strings.Builder
	lines := n.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		b.Write(seg.Value(source))
	}
	s := b.String()
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return s
}

func (r *nodeRenderer) write(w util.BufWriter, in info, text string) {
	_, _ = w.WriteString(`<div class="code-block"`)
	if langName(in.Lang) {
		_, _ = w.WriteString(` data-lang="`)
		_, _ = w.WriteString(html.EscapeString(in.Lang))
		_ = w.WriteByte('"')
	}
	_ = w.WriteByte('>')
	if in.File != "" {
		_, _ = w.WriteString(`<div class="code-filename">`)
		_, _ = w.WriteString(html.EscapeString(in.File))
		_, _ = w.WriteString(`</div>`)
	}
	if in.Diff {
		_, _ = w.WriteString(`<pre class="chroma diff" tabindex="0" translate="no"><code>`)
	} else {
		_, _ = w.WriteString(`<pre class="chroma" tabindex="0" translate="no"><code>`)
	}
	_, _ = w.Write(highlightMemoStop(stopOf(w), r.e.memo, lexerFor(in.Lang), text, in.Diff))
	_, _ = w.WriteString(`</code></pre>`)
	if r.e.copyButton {
		_, _ = w.WriteString(copyButton)
	}
	_, _ = w.WriteString("</div>\n")
}

// copyButton is hidden until CopyScript runs (without the script, or
// without a clipboard, there is no dead button).
const copyButton = `<button type="button" class="copy-code" aria-label="コードをコピー" hidden>コピー</button>`
