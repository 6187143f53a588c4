package score

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/kiji-ssg/kiji/site/diag"
)

// totalLabels are the labels that make the last row of a score table the
// author's total row (compared without case).
var totalLabels = []string{"合計", "総合得点", "総合", "総計", "合計点", "得点", "計", "total", "sum", "score"}

// cell is a table cell and its evaluation.
type cell struct {
	node *east.TableCell
	text string // plain text, trimmed
	off  int    // source offset for problems

	formula *formula
	format  *shape
	state   int // idle, busy, done, failed
	val     float64
}

const (
	idle = iota
	busy
	done
	failed
)

// formula is a compiled statement that computes a cell.
type formula struct {
	st   statement
	prog *program
}

// row is a row under the header.
type row struct {
	node  *east.TableRow
	cells []*cell
	label string
	blank bool // every cell is empty: a visual separator
	n     int  // 1-based number among the data rows; 0 for others
}

// tableEval evaluates one table.
type tableEval struct {
	d      *diag.Doc
	src    []byte
	cfg    config
	table  *east.Table
	names  []string // header texts
	rows   []*row   // every row under the header
	data   []*row   // rows that hold data (not separators, not the score total)
	total  *row     // the author's total row of a score table
	sc     *scale
	consts *consts
	scored []bool // score columns
	weight int    // weight column, -1 if none
	stack  []*cell
	where  map[*cell][2]int // cell → data row index, column
	refs   map[refKey]bool  // reference problems already reported
}

type refKey struct {
	f   *formula
	msg string
}

func (t *transformer) table(tb *east.Table, dirs []directive, docConsts *consts, d *diag.Doc, src []byte) {
	e := &tableEval{d: d, src: src, cfg: t.cfg, table: tb, consts: docConsts.clone(), weight: -1, where: map[*cell][2]int{}, refs: map[refKey]bool{}}
	e.read()
	var stmts []statement
	for _, dir := range dirs {
		switch dir.kind {
		case "score":
			if e.sc == nil {
				e.sc = &scale{at: dir.at}
			}
			report(d, parseScale(e.sc, dir.body))
		case "calc":
			sts, ps := parseCalc(dir.body)
			report(d, ps)
			stmts = append(stmts, sts...)
		}
	}
	if e.sc != nil {
		if !e.setupScore() {
			e.sc = nil
		}
	}
	e.number()
	e.formulas(stmts)
	e.computeFormulas()
	if e.sc != nil {
		e.score()
	}
}

// read collects the header and the rows.
func (e *tableEval) read() {
	for c := e.table.FirstChild(); c != nil; c = c.NextSibling() {
		switch r := c.(type) {
		case *east.TableHeader:
			for x := r.FirstChild(); x != nil; x = x.NextSibling() {
				if tc, ok := x.(*east.TableCell); ok {
					e.names = append(e.names, plainText(tc, e.src))
				}
			}
		case *east.TableRow:
			rw := &row{node: r, blank: true}
			for x := r.FirstChild(); x != nil; x = x.NextSibling() {
				tc, ok := x.(*east.TableCell)
				if !ok {
					continue
				}
				cl := &cell{node: tc, text: plainText(tc, e.src), off: cellOffset(tc, r, e.table)}
				if cl.text != "" || tc.HasChildren() {
					rw.blank = false
				}
				rw.cells = append(rw.cells, cl)
			}
			for len(rw.cells) < len(e.names) {
				rw.cells = append(rw.cells, &cell{off: cellOffset(nil, r, e.table)})
			}
			if len(rw.cells) > 0 {
				rw.label = rw.cells[0].text
			}
			e.rows = append(e.rows, rw)
		}
	}
}

// number finds the data rows and numbers them.
func (e *tableEval) number() {
	if e.sc != nil {
		// the last non-blank row is the author's total row if it says so
		for i := len(e.rows) - 1; i >= 0; i-- {
			if e.rows[i].blank {
				continue
			}
			if e.isTotalLabel(e.rows[i].label) {
				e.total = e.rows[i]
			}
			break
		}
	}
	for _, r := range e.rows {
		if r.blank || r == e.total {
			continue
		}
		e.data = append(e.data, r)
		r.n = len(e.data)
		for c, cl := range r.cells {
			e.where[cl] = [2]int{r.n - 1, c}
		}
	}
}

func (e *tableEval) isTotalLabel(s string) bool {
	s = strings.TrimSpace(s)
	if e.sc.total != "" {
		return s == e.sc.total
	}
	for _, l := range totalLabels {
		if strings.EqualFold(s, l) {
			return true
		}
	}
	return false
}

// setupScore finds the score columns. It reports false when the table
// cannot be scored.
func (e *tableEval) setupScore() bool {
	sc := e.sc
	ok := true
	if len(sc.symbols) == 0 && !sc.hasRange {
		e.d.Errorf(sc.at, "score comment without a scale: %s", scoreHelp)
		ok = false
	}
	if sc.weight != "" {
		c, err := e.findColumn(sc.weight)
		if err != nil {
			e.d.Errorf(sc.optAt["weight"], "weight=%s: %v", sc.weight, err)
			ok = false
		}
		e.weight = c
	}
	ignored := map[int]bool{0: true}
	if e.weight >= 0 {
		ignored[e.weight] = true
	}
	for _, name := range sc.ignore {
		c, err := e.findColumn(name)
		if err != nil {
			e.d.Errorf(sc.optAt["ignore"], "ignore=%s: %v", name, err)
			ok = false
			continue
		}
		if c == 0 {
			e.d.Errorf(sc.optAt["ignore"], "ignore=%s: the first column holds the row labels and is never scored", name)
		}
		ignored[c] = true
	}
	e.scored = make([]bool, len(e.names))
	n := 0
	for c := range e.names {
		if !ignored[c] {
			e.scored[c] = true
			n++
		}
	}
	if n == 0 && ok {
		e.d.Errorf(sc.at, "the score table has no column to score: the first column holds the row labels, the others are scored (unless named by weight= or ignore=)")
		ok = false
	}
	return ok
}

// findColumn finds a column by its header text.
func (e *tableEval) findColumn(name string) (int, error) {
	found := -1
	for c, n := range e.names {
		if n == name {
			if found >= 0 {
				return -1, &refError{fmt.Sprintf("two columns are named %q: rename one", name)}
			}
			found = c
		}
	}
	if found < 0 {
		return -1, &refError{fmt.Sprintf("no column named %q; the columns are %s", name, quoteList(e.names))}
	}
	return found, nil
}

// findRow finds a data row.
func (e *tableEval) findRow(rr rowRef) (int, error) {
	if rr.byNum {
		if rr.n < 1 || rr.n > len(e.data) {
			return -1, &refError{fmt.Sprintf("no row %d: the table has %s under its header", rr.n, rowsCount(len(e.data)))}
		}
		return rr.n - 1, nil
	}
	found := -1
	for i, r := range e.data {
		if r.label == rr.label {
			if found >= 0 {
				return -1, &refError{fmt.Sprintf("two rows are labelled %q: use the row number instead", rr.label)}
			}
			found = i
		}
	}
	if found < 0 {
		return -1, &refError{fmt.Sprintf("no row labelled %q (the label is the text of the row's first cell)", rr.label)}
	}
	return found, nil
}

func rowsCount(n int) string {
	if n == 1 {
		return "1 data row"
	}
	return fmt.Sprintf("%d data rows", n)
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// formulas compiles the calc statements and attaches them to cells.
func (e *tableEval) formulas(stmts []statement) {
	if len(stmts) == 0 {
		return
	}
	idents := map[string]bool{}
	var colNames []string
	for _, n := range e.names {
		if isIdentifier(n) && !idents[n] {
			idents[n] = true
			colNames = append(colNames, n)
		}
	}
	// constants first, in order
	for _, st := range stmts {
		if st.kind == "let" {
			e.consts.define(st, idents, e.d)
		}
	}
	names := append(append([]string{"row"}, e.consts.names...), colNames...)
	placed := formulaPlaces{cols: map[int]bool{}, cells: map[[2]int]bool{}}
	var formats []statement
	for _, st := range stmts {
		switch st.kind {
		case "let":
			continue
		case "format":
			formats = append(formats, st)
			continue
		}
		e.placeFormula(st, names, placed)
	}
	for _, st := range formats {
		e.applyFormat(st)
	}
}

// formulaPlaces are the columns and the cells ({column, row}) that already
// have a formula.
type formulaPlaces struct {
	cols  map[int]bool
	cells map[[2]int]bool
}

// placeFormula compiles a formula statement and puts it on its column's
// data cells (a cell's own formula wins) or on its one cell.
func (e *tableEval) placeFormula(st statement, names []string, placed formulaPlaces) {
	c, err := e.findColumn(st.name)
	if err != nil {
		e.d.Errorf(st.target, "formula for %q: %v", st.name, err)
		return
	}
	p, err := compile(st.expr.s, names, func() tableFuncs { return e })
	if err != nil {
		ee := err.(*exprError)
		e.d.Errorf(st.expr.offset(ee.at), "formula for %s: %s", describe(e.names[c], st.row), ee.msg)
		return
	}
	f := &formula{st: st, prog: p}
	if st.row == nil {
		if placed.cols[c] {
			e.d.Errorf(st.target, "a second formula for the column %q: keep one", e.names[c])
			return
		}
		placed.cols[c] = true
		for _, r := range e.data {
			if r.cells[c].formula == nil || r.cells[c].formula.st.row == nil {
				r.cells[c].formula = f
			}
		}
		return
	}
	ri, err := e.findRow(*st.row)
	if err != nil {
		e.d.Errorf(st.target, "formula for %s: %v", describe(e.names[c], st.row), err)
		return
	}
	if placed.cells[[2]int{c, ri}] {
		e.d.Errorf(st.target, "a second formula for %s: keep one", describe(e.names[c], st.row))
		return
	}
	placed.cells[[2]int{c, ri}] = true
	e.data[ri].cells[c].formula = f
}

// applyFormat sets a format statement's number shape on the computed cells
// of its column (a cell's own format wins) or on its one cell.
func (e *tableEval) applyFormat(st statement) {
	c, err := e.findColumn(st.name)
	if err != nil {
		e.d.Errorf(st.target, "format for %q: %v", st.name, err)
		return
	}
	sh, _ := parsePattern(st.expr.s)
	targets := e.data
	if st.row != nil {
		ri, err := e.findRow(*st.row)
		if err != nil {
			e.d.Errorf(st.target, "format for %s: %v", describe(e.names[c], st.row), err)
			return
		}
		targets = e.data[ri : ri+1]
	}
	any := false
	for _, r := range targets {
		if r.cells[c].formula != nil {
			any = true
			if r.cells[c].format == nil || st.row != nil {
				s := sh
				r.cells[c].format = &s
			}
		}
	}
	if !any {
		e.d.Errorf(st.target, "format for %s, which no formula computes: a format applies to computed cells only", describe(e.names[c], st.row))
	}
}

func describe(col string, rr *rowRef) string {
	if rr == nil {
		return fmt.Sprintf("the column %q", col)
	}
	return fmt.Sprintf("the cell %q[%s]", col, rr)
}

// where names a cell in messages: column "X", row 2 (label).
func (e *tableEval) at(ri, c int) string {
	r := e.data[ri]
	name := ""
	if c < len(e.names) {
		name = e.names[c]
	}
	if r.label != "" && c != 0 {
		return fmt.Sprintf("column %q, row %d (%s)", name, r.n, r.label)
	}
	return fmt.Sprintf("column %q, row %d", name, r.n)
}

// value returns the number in data row ri, column c: computed by its
// formula, read from the scale in a score column, or read as a number.
func (e *tableEval) value(ri, c int) (float64, error) {
	if ri < 0 || ri >= len(e.data) || c < 0 || c >= len(e.data[ri].cells) {
		return 0, &refError{"no such cell"}
	}
	cl := e.data[ri].cells[c]
	switch cl.state {
	case done:
		return cl.val, nil
	case failed:
		return 0, errReported
	case busy:
		e.cycle(cl)
		return 0, errReported
	}
	cl.state = busy
	v, err := e.compute(ri, c, cl)
	if err != nil {
		cl.state = failed
		return 0, errReported
	}
	cl.state, cl.val = done, v
	return v, nil
}

// cycle reports a formula that needs its own result.
func (e *tableEval) cycle(cl *cell) {
	start := -1
	for i, s := range e.stack {
		if s == cl {
			start = i
		}
	}
	if start < 0 {
		start = len(e.stack)
	}
	var path []string
	for _, s := range e.stack[start:] {
		w := e.where[s]
		path = append(path, fmt.Sprintf("%s[%d]", e.names[w[1]], w[0]+1))
	}
	if len(path) == 0 {
		w := e.where[cl]
		path = append(path, fmt.Sprintf("%s[%d]", e.names[w[1]], w[0]+1))
	}
	path = append(path, path[0])
	w := e.where[cl]
	off := cl.off
	if cl.formula != nil {
		off = cl.formula.st.expr.offset(0)
	}
	e.d.Errorf(off, "formula for %s: it depends on its own result (%s): break the cycle", e.at(w[0], w[1]), strings.Join(path, " → "))
}

// compute finds the value of a cell that has not been computed yet. Any
// problem is reported before it returns an error.
func (e *tableEval) compute(ri, c int, cl *cell) (float64, error) {
	if cl.formula != nil {
		return e.evalFormula(ri, c, cl)
	}
	if e.sc != nil && c < len(e.scored) && e.scored[c] {
		return e.rating(ri, c, cl)
	}
	if cl.text == "" {
		what := "a formula uses it"
		if c == e.weight && e.sc != nil {
			what = "it is the row's weight"
		}
		e.d.Errorf(cl.off, "%s: the cell is empty but %s: write a number", e.at(ri, c), what)
		return 0, errReported
	}
	n, ok := parseNumber(cl.text)
	if !ok {
		what := "a formula uses it"
		if c == e.weight && e.sc != nil {
			what = "it is the row's weight"
		}
		e.d.Errorf(cl.off, "%s: %q is not a number but %s: write a number such as 12.5 or USD 0.0856", e.at(ri, c), cl.text, what)
		return 0, errReported
	}
	return n.value, nil
}

// rating reads a rating cell of a score table.
func (e *tableEval) rating(ri, c int, cl *cell) (float64, error) {
	sc := e.sc
	if cl.text == "" {
		if sc.blank != nil {
			return *sc.blank, nil
		}
		e.d.Errorf(cl.off, "score table: %s: empty rating: write a rating (%s), or give empty cells a value with blank=0 in the score comment", e.at(ri, c), sc.legend)
		return 0, errReported
	}
	if v, ok := sc.rating(cl.text); ok {
		return v, nil
	}
	if sc.outOfRange(cl.text) {
		e.d.Errorf(cl.off, "score table: %s: the rating %q is outside the scale %s: fix the cell or the scale", e.at(ri, c), cl.text, sc.legend)
		return 0, errReported
	}
	sym := cl.text
	if f := strings.Fields(sym); len(f) > 0 {
		sym = f[0]
	}
	e.d.Errorf(cl.off, "score table: %s: unknown rating %q: the scale is %s; fix the cell or add %s=N to the score comment", e.at(ri, c), cl.text, sc.legend, sym)
	return 0, errReported
}

// evalFormula runs a cell's formula.
func (e *tableEval) evalFormula(ri, c int, cl *cell) (float64, error) {
	f := cl.formula
	e.stack = append(e.stack, cl)
	defer func() { e.stack = e.stack[:len(e.stack)-1] }()
	env := map[string]any{}
	for _, id := range f.prog.idents {
		if v, ok := e.consts.vals[id]; ok {
			env[id] = v
			continue
		}
		if id == "row" {
			env[id] = float64(ri + 1)
			continue
		}
		col, err := e.findColumn(id)
		if err != nil {
			env[id] = math.NaN()
			continue
		}
		v, err := e.value(ri, col)
		if err != nil {
			return 0, errReported
		}
		env[id] = v
	}
	v, err := run(f.prog, env)
	if err == nil {
		return v, nil
	}
	if errors.Is(err, errReported) {
		return 0, errReported
	}
	msg := errMsg(err)
	if errors.Is(err, errDivZero) {
		msg = "division by zero"
	}
	var re *refError
	if errors.As(err, &re) {
		// a missing row or column is the same for every row: say it once
		key := refKey{f, re.msg}
		if e.refs[key] {
			return 0, errReported
		}
		e.refs[key] = true
		where := describe(e.names[c], f.st.row)
		e.d.Errorf(f.st.expr.offset(0), "formula for %s: %s (formula: %s)", where, re.msg, f.prog.src)
		return 0, errReported
	}
	e.d.Errorf(f.st.expr.offset(0), "formula for %s: %s (formula: %s)", e.at(ri, c), msg, f.prog.src)
	return 0, errReported
}

// tableFuncs for formulas.

func (e *tableEval) col(name string) (float64, error) {
	if len(e.stack) == 0 {
		return 0, &refError{"col() has no current row"}
	}
	w := e.where[e.stack[len(e.stack)-1]]
	c, err := e.findColumn(name)
	if err != nil {
		return 0, err
	}
	return e.value(w[0], c)
}

func (e *tableEval) cell(name string, rr rowRef) (float64, error) {
	c, err := e.findColumn(name)
	if err != nil {
		return 0, err
	}
	ri, err := e.findRow(rr)
	if err != nil {
		return 0, err
	}
	return e.value(ri, c)
}

func (e *tableEval) column(name string, from, to int) ([]float64, error) {
	c, err := e.findColumn(name)
	if err != nil {
		return nil, err
	}
	if to < 0 {
		to = len(e.data)
	}
	if from > len(e.data) || to > len(e.data) {
		return nil, &refError{fmt.Sprintf("column(%q, %d, %d): the table has %s under its header", name, from, to, rowsCount(len(e.data)))}
	}
	out := make([]float64, 0, to-from+1)
	for ri := from - 1; ri < to; ri++ {
		v, err := e.value(ri, c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// computeFormulas computes every formula cell, checks the numbers the
// author wrote there and fills the empty ones.
func (e *tableEval) computeFormulas() {
	for ri, r := range e.data {
		for c, cl := range r.cells {
			if cl.formula == nil || cl.node == nil {
				continue
			}
			cl.node.SetAttributeString("class", []byte("score-calc"))
			v, err := e.value(ri, c)
			if err != nil {
				continue
			}
			if cl.text == "" {
				setValue(cl.node, &Value{Display: format(v, e.shapeFor(ri, c))})
				continue
			}
			n, ok := parseNumber(cl.text)
			if !ok {
				e.d.Errorf(cl.off, "%s: the cell says %q, but a formula computes it (%s): write the number or leave the cell empty", e.at(ri, c), cl.text, cl.formula.prog.src)
				continue
			}
			want, got := format(n.value, n.shape), format(v, n.shape)
			if want != got {
				e.d.Errorf(cl.off, "%s: the table says %s but the formula gives %s (%s = %s): correct the cell or the formula", e.at(ri, c), want, got, plain(v), cl.formula.prog.src)
				setValue(cl.node, &Value{Display: got})
			}
		}
	}
}

// shapeFor chooses how to write a computed value in an empty cell: its
// format, or the look of the column's first written computed cell.
func (e *tableEval) shapeFor(ri, c int) shape {
	if f := e.data[ri].cells[c].format; f != nil {
		return *f
	}
	for _, r := range e.data {
		cl := r.cells[c]
		if cl.formula == nil || cl.text == "" {
			continue
		}
		if n, ok := parseNumber(cl.text); ok {
			return noNote(n.shape)
		}
	}
	return general
}

// noNote drops a note such as "（c6g.large）" from a copied shape.
func noNote(sh shape) shape {
	if i := strings.IndexAny(sh.suffix, "(（[※*"); i >= 0 {
		sh.suffix = strings.TrimRight(sh.suffix[:i], " ")
	}
	return sh
}

// setValue replaces what a cell shows.
func setValue(tc *east.TableCell, v ast.Node) {
	tc.RemoveChildren(tc)
	tc.AppendChild(tc, v)
}

// score computes the totals, checks or writes the total row, ranks the
// columns and adds the chart.
func (e *tableEval) score() {
	if len(e.data) == 0 {
		e.d.Errorf(e.sc.at, "the score table has no rated rows: add rows under the header")
		return
	}
	t := e.columnTotals()
	t.rank = e.ranks(t)
	tr := e.totalRow()
	texts := e.writeTotals(tr, t)
	// the separators are not needed around a total row in HTML
	for _, r := range e.rows {
		if r.blank {
			e.table.RemoveChild(e.table, r.node)
		}
	}
	e.addChart(t, tr.label, texts)
}

// totals are a score table's column totals.
type totals struct {
	sum      []float64 // by column
	ok       []bool    // the column's total could be computed
	rank     []int     // 1 for the best computed total
	weighted bool      // a weight column multiplied the ratings
}

// columnTotals adds up the (weighted) ratings of each score column.
func (e *tableEval) columnTotals() totals {
	t := totals{sum: make([]float64, len(e.names)), ok: make([]bool, len(e.names))}
	for c := range e.names {
		if !e.scored[c] {
			continue
		}
		t.ok[c] = true
		for ri := range e.data {
			v, err := e.value(ri, c)
			if err != nil {
				t.ok[c] = false
				continue
			}
			w := 1.0
			if e.weight >= 0 {
				wv, err := e.value(ri, e.weight)
				if err != nil {
					t.ok[c] = false
					continue
				}
				w = wv
				t.weighted = true
			}
			t.sum[c] += v * w
		}
	}
	return t
}

// ranks ranks the columns whose totals could be computed.
func (e *tableEval) ranks(t totals) []int {
	rank := make([]int, len(e.names))
	for c := range e.names {
		if !t.ok[c] {
			continue
		}
		rank[c] = 1
		for o := range e.names {
			if t.ok[o] && e.better(t.sum[o], t.sum[c]) {
				rank[c]++
			}
		}
	}
	return rank
}

// totalRow returns the total row: the author's, or a new one appended to
// the table with the total label in its first cell.
func (e *tableEval) totalRow() *row {
	tr := e.total
	if tr == nil {
		tr = &row{node: east.NewTableRow(e.table.Alignments)}
		for c := range e.names {
			tc := east.NewTableCell()
			if c < len(e.table.Alignments) {
				tc.Alignment = e.table.Alignments[c]
			}
			tr.node.AppendChild(tr.node, tc)
			cl := &cell{node: tc}
			if c == 0 {
				label := e.sc.total
				if label == "" {
					label = e.cfg.total
				}
				tc.AppendChild(tc, &Value{Display: label})
				tr.label = label
			}
			tr.cells = append(tr.cells, cl)
		}
		e.table.AppendChild(e.table, tr.node)
	}
	tr.node.SetAttributeString("class", []byte("score-total"))
	return tr
}

// writtenShape is the number shape of the first total the author wrote, to
// write the other totals alike; nil if none.
func (e *tableEval) writtenShape(tr *row) *shape {
	for c, cl := range tr.cells {
		if e.scored[c] && cl.text != "" {
			if n, ok := parseNumber(cl.text); ok {
				s := noNote(n.shape)
				return &s
			}
		}
	}
	return nil
}

// writeTotals checks the totals the author wrote and writes each column's
// total, with its rank, into the total row. It returns the totals as
// written, by column.
func (e *tableEval) writeTotals(tr *row, t totals) []string {
	written := e.writtenShape(tr)
	texts := make([]string, len(e.names))
	for c, cl := range tr.cells {
		if c >= len(e.scored) || !e.scored[c] || cl.node == nil {
			continue
		}
		sh := general
		if written != nil {
			sh = *written
		}
		if cl.text != "" {
			sh = e.checkTotal(c, cl, t, sh)
		}
		v := &Value{Display: "?"}
		if t.ok[c] {
			v.Display = format(t.sum[c], sh)
			texts[c] = v.Display
			v.Rank = fmt.Sprintf(e.cfg.rank, t.rank[c])
			v.Best = t.rank[c] == 1
			if v.Best {
				cl.node.SetAttributeString("class", []byte("score-best"))
			}
		}
		setValue(cl.node, v)
	}
	return texts
}

// checkTotal reports a total the author wrote in column c that is not a
// number or not the sum; it returns the shape to write the total in (the
// author's, when it is a number).
func (e *tableEval) checkTotal(c int, cl *cell, t totals, sh shape) shape {
	n, ok := parseNumber(cl.text)
	if !ok {
		e.d.Errorf(cl.off, "score table: column %q: the total row says %q, which is not a number: write the total or leave the cell empty", e.names[c], cl.text)
		return sh
	}
	if t.ok[c] {
		adds := "the ratings add up to"
		if t.weighted {
			adds = "the weighted ratings add up to"
		}
		want, got := format(n.value, n.shape), format(t.sum[c], n.shape)
		if want != got {
			e.d.Errorf(cl.off, "score table: column %q: the total row says %s but %s %s: correct the total row or the ratings", e.names[c], want, adds, got)
		}
	}
	return n.shape
}

// addChart draws the chart the scale asks for after the table, unless a
// total could not be computed.
func (e *tableEval) addChart(t totals, label string, texts []string) {
	sc := e.sc
	if sc.chart == "" {
		return
	}
	for c := range e.names {
		if e.scored[c] && !t.ok[c] {
			return // the problems are reported; no chart of wrong numbers
		}
	}
	var svg string
	switch sc.chart {
	case "bar":
		svg = e.barChart(t.sum, t.rank, label, texts)
	case "radar":
		if len(e.data) < 3 {
			e.d.Errorf(sc.optAt["chart"], "chart=radar needs at least 3 rated rows (it has %d): use chart=bar", len(e.data))
			return
		}
		svg = e.radarChart()
	}
	ch := &Chart{SVG: svg, Form: sc.chart}
	if p := e.table.Parent(); p != nil {
		p.InsertAfter(p, e.table, ch)
	}
}

// better reports whether total a beats total b.
func (e *tableEval) better(a, b float64) bool {
	if e.sc.best == "low" {
		return a < b
	}
	return a > b
}

// plainText is the text of a node's inline content.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.AutoLink:
			b.Write(c.Label(src))
		case *Value:
			b.WriteString(c.Display)
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// cellOffset finds where a cell starts in the source, for problems.
func cellOffset(tc *east.TableCell, r *east.TableRow, tb *east.Table) int {
	if tc != nil {
		if l := tc.Lines(); l.Len() > 0 {
			if seg := l.At(0); seg.Len() > 0 {
				return seg.Start
			}
		}
		if p := tc.Pos(); p >= 0 {
			return p
		}
	}
	if r != nil && r.Pos() >= 0 {
		return r.Pos()
	}
	if tb.Pos() >= 0 {
		return tb.Pos()
	}
	return 0
}
