package score

import (
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/kiji-ssg/kiji/site/diag"
)

// Extender adds score tables, formula cells and charts to a goldmark
// converter that has the GFM table extension. The zero value uses Japanese
// labels.
type Extender struct {
	// TotalLabel labels the total row kiji adds when the author wrote
	// none (and total= does not name one). Default "合計".
	TotalLabel string
	// RankFormat writes a rank, e.g. "%d位" (the default) or "#%d".
	RankFormat string
	// BestLabel names the best column in the charts' text. Default "最高".
	BestLabel string
}

// Extension is the Extender with the default labels.
var Extension = &Extender{}

// Extend implements goldmark.Extender.
func (e *Extender) Extend(m goldmark.Markdown) {
	c := e.config()
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(&transformer{cfg: c}, -100)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(&htmlRenderer{}, 500)))
}

type config struct {
	total, rank, best string
}

func (e *Extender) config() config {
	c := config{total: e.TotalLabel, rank: e.RankFormat, best: e.BestLabel}
	if c.total == "" {
		c.total = "合計"
	}
	if c.rank == "" {
		c.rank = "%d位"
	}
	if c.best == "" {
		c.best = "最高"
	}
	return c
}

type transformer struct{ cfg config }

// marker is a kiji comment found in the document.
type marker struct {
	node     *ast.HTMLBlock
	dir      directive
	err      error
	attached bool
}

// Transform implements parser.ASTTransformer.
func (t *transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	d := diag.From(pc)
	src := reader.Source()
	defer func() {
		if r := recover(); r != nil {
			d.Errorf(0, "score: internal error (%v): please report this with the table that causes it", r)
		}
	}()
	items, markers := findTables(doc, src)
	if len(markers) == 0 {
		return
	}
	docConsts := newConsts()
	for _, it := range items {
		switch n := it.(type) {
		case *east.Table:
			if dirs := attachMarkers(n, markers, d); len(dirs) > 0 {
				t.table(n, dirs, docConsts, d, src)
			}
		case *ast.HTMLBlock:
			m := markers[n]
			if m.attached {
				continue
			}
			if !followedByTable(n, markers) {
				t.loose(m, docConsts, d)
			}
		}
	}
	for n := range markers {
		if p := n.Parent(); p != nil {
			p.RemoveChild(p, n)
		}
	}
}

// findTables lists the document's tables and kiji comments in order, and
// the comments by node.
func findTables(doc *ast.Document, src []byte) ([]ast.Node, map[ast.Node]*marker) {
	var items []ast.Node
	markers := map[ast.Node]*marker{}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *east.Table:
			items = append(items, n)
			return ast.WalkSkipChildren, nil
		case *ast.HTMLBlock:
			dir, ok, err := parseComment(blockText(n, src))
			if ok {
				markers[n] = &marker{node: n, dir: dir, err: err}
				items = append(items, n)
			}
		}
		return ast.WalkContinue, nil
	})
	return items, markers
}

// attachMarkers marks the comments right before table n as its own and
// returns their directives in order; a comment that could not be read is
// reported.
func attachMarkers(n *east.Table, markers map[ast.Node]*marker, d *diag.Doc) []directive {
	var dirs []directive
	for p := n.PreviousSibling(); p != nil; p = p.PreviousSibling() {
		m, ok := markers[p]
		if !ok {
			break
		}
		m.attached = true
		if m.err != nil {
			d.Errorf(m.dir.at, "%v", m.err)
			continue
		}
		dirs = append([]directive{m.dir}, dirs...)
	}
	return dirs
}

// followedByTable reports whether kiji comments and then a table follow n.
func followedByTable(n ast.Node, markers map[ast.Node]*marker) bool {
	for p := n.NextSibling(); p != nil; p = p.NextSibling() {
		if _, ok := p.(*east.Table); ok {
			return true
		}
		if _, ok := markers[p]; !ok {
			return false
		}
	}
	return false
}

// loose handles a kiji comment that is not right before a table: a calc
// comment of constants defines them for the tables after it.
func (t *transformer) loose(m *marker, docConsts *consts, d *diag.Doc) {
	if m.err != nil {
		d.Errorf(m.dir.at, "%v", m.err)
		return
	}
	if m.dir.kind == "score" {
		d.Errorf(m.dir.at, "this score comment is not right before a table: put <!-- score: … --> on the line just above the table's header row")
		return
	}
	sts, ps := parseCalc(m.dir.body)
	report(d, ps)
	for _, st := range sts {
		if st.kind != "let" {
			d.Errorf(st.off, "this formula is not right before a table: put the calc comment on the line just above the table's header row (only let NAME = EXPR may stand alone, for the tables after it)")
			continue
		}
		docConsts.define(st, nil, d)
	}
}

func report(d *diag.Doc, ps []problem) {
	for _, p := range ps {
		d.Errorf(p.off, "%s", p.msg)
	}
}

// blockText returns the text of an HTML block with its source mapping.
func blockText(n *ast.HTMLBlock, src []byte) srcText {
	var t srcText
	add := func(seg text.Segment) {
		t.segs = append(t.segs, srcSeg{at: len(t.s), off: seg.Start - seg.Padding})
		t.s += string(seg.Value(src))
	}
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		add(lines.At(i))
	}
	if n.HasClosure() {
		add(n.ClosureLine)
	}
	return t
}

// consts are named constants.
type consts struct {
	names []string
	vals  map[string]float64
	at    map[string]int
}

func newConsts() *consts { return &consts{vals: map[string]float64{}, at: map[string]int{}} }

func (c *consts) clone() *consts {
	n := newConsts()
	n.names = append(n.names, c.names...)
	for k, v := range c.vals {
		n.vals[k] = v
	}
	for k, v := range c.at {
		n.at[k] = v
	}
	return n
}

// define evaluates a let statement. reserved are names it must not take
// (the table's column names).
func (c *consts) define(st statement, reserved map[string]bool, d *diag.Doc) {
	if !isIdentifier(st.name) {
		d.Errorf(st.target, "%q cannot name a constant: use letters, digits and _ (not starting with a digit), e.g. vcpu_price", st.name)
		return
	}
	if _, dup := c.vals[st.name]; dup {
		line, _ := d.Pos(c.at[st.name])
		d.Errorf(st.target, "the constant %s is already defined (line %d): give this one another name", st.name, line)
		return
	}
	if reserved[st.name] {
		d.Errorf(st.target, "the constant %s has the name of a column: give it another name", st.name)
		return
	}
	p, err := compile(st.expr.s, c.names, nil)
	if err != nil {
		e := err.(*exprError)
		d.Errorf(st.expr.offset(e.at), "formula for the constant %s: %s", st.name, e.msg)
		return
	}
	env := map[string]any{}
	for _, n := range p.idents {
		env[n] = c.vals[n]
	}
	v, err := run(p, env)
	if err != nil {
		d.Errorf(st.expr.offset(0), "formula for the constant %s: %s", st.name, oneLine(errMsg(err)))
		return
	}
	c.names = append(c.names, st.name)
	c.vals[st.name] = v
	c.at[st.name] = st.target
}

// errMsg is the message of an error from a formula run, without expr's
// source snippet.
func errMsg(err error) string {
	if e := exprErr("", err); e != nil {
		return e.msg
	}
	return err.Error()
}
