// Package math is a goldmark extension for TeX math written as Zenn does:
// "$…$" inline, "$$…$$" display blocks, and numbered blocks "$$ … $$ (1)".
//
// Formulas are rendered when the site is built, to HTML and MathML, by KaTeX
// (katex.min.js, committed in katex/ and embedded) running in goja, a
// JavaScript engine written in Go. Readers need no script and no network:
// a page with math only needs the KaTeX stylesheet and fonts, which Assets
// returns so the theme can serve them from the site itself, on the pages for
// which diag.Doc.Needs("math") is true.
//
// A formula KaTeX cannot parse is a warning at its file:line:col with
// KaTeX's message; the page shows its TeX as code.
package math

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

type config struct {
	macros   map[string]string
	timeout  time.Duration
	runtimes int
	maxCache int
}

// An Option configures New.
type Option func(*config)

// WithMacros defines TeX macros for every formula, e.g.
// {"\\RR": "\\mathbb{R}"}.
func WithMacros(m map[string]string) Option {
	return func(c *config) {
		c.macros = make(map[string]string, len(m))
		for k, v := range m {
			c.macros[k] = v
		}
	}
}

// WithTimeout bounds the time one formula may take (default 10s). A formula
// that takes longer is a warning and is shown as code.
func WithTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithRuntimes sets how many JavaScript runtimes may render at once
// (default GOMAXPROCS). Each costs about 10 ms to start and a few MB.
func WithRuntimes(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.runtimes = n
		}
	}
}

// Extender adds math to a goldmark.Markdown. Create it with New; one
// Extender (with its runtimes and its cache) can serve every goroutine.
type Extender struct {
	eng *engine
}

// New returns the math extension.
func New(opts ...Option) *Extender {
	c := config{timeout: 10 * time.Second, runtimes: runtime.GOMAXPROCS(0), maxCache: 20000}
	for _, o := range opts {
		o(&c)
	}
	return &Extender{eng: newEngine(c)}
}

// Priorities of the parsers, transformer and renderer this extension adds.
const (
	blockPriority       = 150 // no other block parser starts on '$'
	inlinePriority      = 150 // no other inline parser starts on '$'
	transformerPriority = 500
	rendererPriority    = 500
)

// Extend implements goldmark.Extender.
func (e *Extender) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(
		parser.WithBlockParsers(util.Prioritized(blockParser{}, blockPriority)),
		parser.WithInlineParsers(util.Prioritized(inlineParser{}, inlinePriority)),
		parser.WithASTTransformers(util.Prioritized(&transformer{eng: e.eng}, transformerPriority)),
	)
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(&htmlRenderer{}, rendererPriority)))
}

// Render renders one formula to KaTeX's HTML+MathML, for other extensions
// (formula cells, for instance). display selects display style. The error,
// when there is one, is a *TeXError.
func (e *Extender) Render(tex string, display bool) (string, error) {
	r := e.eng.render(tex, display)
	if r.err != nil {
		return "", r.err
	}
	return r.html, nil
}

// transformer renders every formula of a document, reports the problems and
// records that the page needs the math stylesheet.
type transformer struct{ eng *engine }

type job struct {
	inline  *InlineMath
	block   *DisplayMath
	tex     string
	display bool
	res     result
}

func (t *transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var jobs []*job
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *InlineMath:
			jobs = append(jobs, &job{inline: n, tex: string(n.TeX.Value(src)), display: n.Display})
		case *DisplayMath:
			jobs = append(jobs, &job{block: n, tex: n.tex(src), display: true})
		}
		return ast.WalkContinue, nil
	})
	if len(jobs) == 0 {
		return
	}
	// Each distinct formula renders once, in parallel on as many workers as
	// the engine has runtimes.
	type formula struct {
		tex     string
		display bool
	}
	index := map[formula]int{}
	var uniq []formula
	for _, j := range jobs {
		f := formula{j.tex, j.display}
		if _, ok := index[f]; !ok {
			index[f] = len(uniq)
			uniq = append(uniq, f)
		}
	}
	results := make([]result, len(uniq))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(len(uniq), cap(t.eng.slots)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(uniq) {
					return
				}
				results[i] = t.eng.render(uniq[i].tex, uniq[i].display)
			}
		}()
	}
	wg.Wait()
	for _, j := range jobs {
		j.res = results[index[formula{j.tex, j.display}]]
	}

	d := diag.From(pc)
	need := false
	for _, j := range jobs {
		out := rendered{html: j.res.html, err: j.res.err}
		var start int
		var at func(int) int
		if j.inline != nil {
			j.inline.out = out
			start = j.inline.TeX.Start
			at = func(off int) int { return start + max(off, 0) }
		} else {
			j.block.out = out
			start = j.block.Start
			at = j.block.sourceOffset
			if !j.block.Closed {
				d.Warnf(start, "this display math ($$) is not closed before its quote, list item or the document ends; add a line with $$ where the formula ends")
			}
		}
		if j.res.err != nil {
			off := start
			if j.res.err.Offset >= 0 {
				off = at(j.res.err.Offset)
			}
			d.Warnf(off, "KaTeX cannot render this formula: %s; fix the TeX (the page shows it as code)", j.res.err.Msg)
			continue
		}
		need = true
		for _, cmd := range distinct(j.res.blocked) {
			d.Warnf(start, "%s is not allowed in a formula (it could add links or HTML to the page) and is shown in red; remove it", cmd)
		}
	}
	if need {
		d.Need("math")
	}
}

func distinct(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// htmlRenderer writes math nodes.
type htmlRenderer struct{}

func (r *htmlRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindInlineMath, r.renderInline)
	reg.Register(KindDisplayMath, r.renderDisplay)
}

func (r *htmlRenderer) renderInline(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*InlineMath)
	if n.out.html != "" {
		class := "math-inline"
		if n.Display {
			class = "math-display"
		}
		fmt.Fprintf(w, `<span class="%s">%s</span>`, class, n.out.html)
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString(`<code class="math-error"`)
	writeTitle(w, n.out)
	_, _ = w.WriteString(`>`)
	_, _ = w.Write(util.EscapeHTML(n.TeX.Value(source)))
	_, _ = w.WriteString(`</code>`)
	return ast.WalkSkipChildren, nil
}

func (r *htmlRenderer) renderDisplay(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*DisplayMath)
	if n.out.html != "" {
		if n.Label != nil {
			_, _ = w.WriteString(`<div class="math-display math-numbered">`)
		} else {
			_, _ = w.WriteString(`<div class="math-display">`)
		}
		_, _ = w.WriteString(n.out.html)
		if n.Label != nil {
			_, _ = w.WriteString(`<span class="math-eqno">(`)
			_, _ = w.Write(util.EscapeHTML(n.Label))
			_, _ = w.WriteString(`)</span>`)
		}
		_, _ = w.WriteString("</div>\n")
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString(`<pre class="math-error"`)
	writeTitle(w, n.out)
	_, _ = w.WriteString(`><code>`)
	_, _ = w.Write(util.EscapeHTML([]byte(n.tex(source))))
	_, _ = w.WriteString("</code></pre>\n")
	return ast.WalkSkipChildren, nil
}

func writeTitle(w util.BufWriter, out rendered) {
	if out.err == nil {
		return
	}
	_, _ = w.WriteString(` title="`)
	_, _ = w.Write(util.EscapeHTML([]byte("KaTeX: " + strings.TrimSpace(out.err.Msg))))
	_, _ = w.WriteString(`"`)
}
