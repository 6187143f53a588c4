// Package math is a goldmark extension for TeX math written as Zenn does:
// "$…$" inline, "$$…$$" display blocks, and numbered blocks "$$ … $$ (1)".
//
// Formulas are rendered when the site is built, to HTML and MathML, by KaTeX
// (katex.min.js, committed in katex/ and embedded) running in goja, a
// JavaScript engine written in Go, or, four times faster, in node when it
// is on the PATH, with the same output byte for byte (node.go). Each
// distinct formula is rendered once per process, on as many runtimes (or
// node processes) as GOMAXPROCS. Readers need no script and no network:
// a page with math only needs the KaTeX stylesheet and fonts, which Assets
// returns so the theme can serve them from the site itself, on the pages for
// which diag.Doc.Needs("math") is true.
//
// Display math opened in a quote, a list item or (with Footnotes) a
// footnote definition reads the lines after it that lack the quote's ">"
// or the indentation, up to its closing "$$", as Zenn's does (lazy.go).
//
// A formula KaTeX cannot parse is a warning at its file:line:col with
// KaTeX's message; the page shows its TeX as code. So is a formula that
// runs out of time: see budget.go for the time one formula, one article and
// one build may take, and how a formula that ran out of time is remembered.
// When the document's context (diag.Doc.Ctx) is done, KaTeX is interrupted
// at once and nothing is reported or remembered.
package math

import (
	"context"
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
	timeout      time.Duration // one formula (DefaultTimeout)
	runtimes     int           // JavaScript runtimes (or node processes) at once
	maxCache     int           // formulas kept in memory
	cacheDir     string
	articleLost  time.Duration
	articleTotal time.Duration
	node         string        // the node program, "" to run KaTeX in goja only
	nodeIdle     time.Duration // a node process idle this long is stopped
}

// An Option configures New.
type Option func(*config)

// WithCacheDir keeps the formulas that ran out of time in dir, so that
// later builds do not spend that time again (see memo.go).
func WithCacheDir(dir string) Option { return func(c *config) { c.cacheDir = dir } }

// Extender adds math to a goldmark.Markdown. Create it with New; one
// Extender (with its runtimes and its cache) can serve every goroutine.
type Extender struct {
	eng *engine
	cfg config
}

// New returns the math extension. It runs KaTeX in node when node is on
// the PATH (see node.go), in goja otherwise.
func New(opts ...Option) *Extender {
	c := defaultConfig()
	for _, o := range opts {
		o(&c)
	}
	return newExtender(c)
}

func defaultConfig() config {
	return config{timeout: DefaultTimeout, runtimes: runtime.GOMAXPROCS(0), maxCache: 20000,
		articleLost: DefaultArticleLost, articleTotal: DefaultArticleTotal,
		node: findNode(), nodeIdle: DefaultNodeIdle}
}

func newExtender(c config) *Extender { return &Extender{eng: newEngine(c), cfg: c} }

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
		parser.WithBlockParsers(
			util.Prioritized(blockParser{}, blockPriority),
			util.Prioritized(newQuoteParser(), quotePriority),
			util.Prioritized(newItemParser(), itemPriority),
			util.Prioritized(listParser{parser.NewListParser()}, listPriority),
		),
		parser.WithInlineParsers(util.Prioritized(inlineParser{}, inlinePriority)),
		parser.WithASTTransformers(util.Prioritized(&transformer{eng: e.eng, cfg: e.cfg}, transformerPriority)),
	)
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(&htmlRenderer{}, rendererPriority)))
}

// Render renders one formula to KaTeX's HTML+MathML, for other extensions
// (formula cells, for instance). display selects display style. The error,
// when there is one, is a *TeXError.
func (e *Extender) Render(tex string, display bool) (string, error) {
	r, _ := e.eng.render(context.Background(), tex, display, limit{d: e.eng.timeout})
	if r.err != nil {
		return "", r.err
	}
	return r.html, nil
}

// transformer renders every formula of a document, reports the problems and
// records that the page needs the math stylesheet.
type transformer struct {
	eng *engine
	cfg config
}

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
	d := diag.From(pc)
	if !t.renderAll(d.Context(), jobs) {
		return // the build stops: nothing to report
	}
	need := false
	for _, j := range jobs {
		need = report(d, j) || need
	}
	if need {
		d.Need("math")
	}
}

// formula is one distinct formula of a document.
type formula struct {
	tex     string
	display bool
}

// renderAll renders each distinct formula of jobs once, in parallel on as
// many workers as the engine has runtimes, within the article's budget. It
// returns false when ctx was done before the end.
func (t *transformer) renderAll(ctx context.Context, jobs []*job) bool {
	index := map[formula]int{}
	var uniq []formula
	for _, j := range jobs {
		f := formula{j.tex, j.display}
		if _, ok := index[f]; !ok {
			index[f] = len(uniq)
			uniq = append(uniq, f)
		}
	}
	actx, cancel := context.WithCancelCause(ctx) // done when the article's time is spent
	defer cancel(nil)
	budget := &articleBudget{eng: t.eng, build: buildBudgetOf(ctx), lostLimit: t.cfg.articleLost, totalLimit: t.cfg.articleTotal, cancel: cancel}
	results := make([]result, len(uniq))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(len(uniq), cap(t.eng.goja.slots)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(uniq) {
					return
				}
				results[i] = budget.render(actx, uniq[i].tex, uniq[i].display)
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return false
	}
	for _, j := range jobs {
		j.res = results[index[formula{j.tex, j.display}]]
	}
	return true
}

// report gives a job's node its output and reports its problems; it
// returns whether the formula was rendered.
func report(d *diag.Doc, j *job) bool {
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
		if j.res.skipped {
			d.Warnf(off, "%s", j.res.err.Msg)
		} else {
			d.Warnf(off, "KaTeX cannot render this formula: %s; fix the TeX (the page shows it as code)", j.res.err.Msg)
		}
		return false
	}
	for _, cmd := range distinct(j.res.blocked) {
		d.Warnf(start, "%s is not allowed in a formula (it could add links or HTML to the page) and is shown in red; remove it", cmd)
	}
	return true
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
