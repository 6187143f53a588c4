package score

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// srcText is text taken from the source (a comment, maybe over several
// lines) that remembers where each of its bytes came from.
type srcText struct {
	s    string
	segs []srcSeg
}

type srcSeg struct{ at, off int } // byte at in s comes from source offset off

// offset maps a byte index of s to a source offset.
func (t srcText) offset(i int) int {
	if len(t.segs) == 0 {
		return 0
	}
	k := sort.Search(len(t.segs), func(k int) bool { return t.segs[k].at > i }) - 1
	if k < 0 {
		k = 0
	}
	return t.segs[k].off + (i - t.segs[k].at)
}

// a directive is one kiji comment: <!-- score: … --> or <!-- calc: … -->.
type directive struct {
	kind string  // "score" or "calc"
	body srcText // the text after "score:" / "calc:"
	at   int     // source offset of the comment
}

// parseComment recognises a kiji comment. ok is false for any other text.
// A comment that starts like a kiji comment but holds more than one comment
// is returned with err set.
func parseComment(t srcText) (d directive, ok bool, err error) {
	s := t.s
	lead := len(s) - len(strings.TrimLeft(s, " \t\r\n"))
	s = strings.TrimRight(s, " \t\r\n")
	rest := s[lead:]
	if !strings.HasPrefix(rest, "<!--") {
		return d, false, nil
	}
	i := lead + 4
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	var kind string
	switch {
	case strings.HasPrefix(s[i:], "score:"):
		kind = "score"
	case strings.HasPrefix(s[i:], "calc:"):
		kind = "calc"
	default:
		return d, false, nil
	}
	i += len(kind) + 1
	end := strings.Index(s[i:], "-->")
	d = directive{kind: kind, at: t.offset(lead)}
	if end < 0 || i+end+3 != len(s) {
		return d, true, fmt.Errorf("a %s comment must be alone in its HTML comment: put each <!-- %s: … --> on its own line, right before the table", kind, kind)
	}
	d.body = sub(t, i, i+end)
	return d, true, nil
}

// sub returns t.s[i:j] with its source mapping.
func sub(t srcText, i, j int) srcText {
	out := srcText{s: t.s[i:j]}
	for k, sg := range t.segs {
		end := len(t.s)
		if k+1 < len(t.segs) {
			end = t.segs[k+1].at
		}
		if end <= i || sg.at >= j {
			continue
		}
		from := max(sg.at, i)
		out.segs = append(out.segs, srcSeg{at: from - i, off: sg.off + from - sg.at})
	}
	return out
}

// trimmed returns t without its leading and trailing white space.
func trimmed(t srcText) srcText {
	i := len(t.s) - len(strings.TrimLeftFunc(t.s, unicode.IsSpace))
	j := len(strings.TrimRightFunc(t.s, unicode.IsSpace))
	if j < i {
		j = i
	}
	return sub(t, i, j)
}

// ---- score comments ----

// scale is what a score comment says about its table.
type scale struct {
	symbols  []symbol // longest first
	hasRange bool
	lo, hi   float64
	blank    *float64
	weight   string
	ignore   []string
	total    string
	best     string // "high" or "low"
	chart    string // "", "bar" or "radar"
	legend   string // the scale as written, for messages
	at       int    // source offset of the first score comment
	set      map[string]bool
	optAt    map[string]int // source offsets of the options
}

type symbol struct {
	text  string
	value float64
}

// problem is a message at a source offset.
type problem struct {
	off int
	msg string
}

// token is one item of a score comment.
type token struct {
	key, val  string
	eq        bool // key=val
	keyQuoted bool
	off       int // source offset
}

// tokens splits s at white space; "double quotes" group text with spaces.
func tokens(t srcText) ([]token, *problem) {
	s := t.s
	var out []token
	i := 0
	for {
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += size
		}
		if i >= len(s) {
			return out, nil
		}
		tk := token{off: t.offset(i)}
		var p *problem
		tk.key, tk.keyQuoted, p = tokenPart(t, &i)
		if p != nil {
			return nil, p
		}
		if i < len(s) && s[i] == '=' {
			tk.eq = true
			i++
			if i < len(s) {
				if r, _ := utf8.DecodeRuneInString(s[i:]); !unicode.IsSpace(r) {
					tk.val, _, p = tokenPart(t, &i)
					if p != nil {
						return nil, p
					}
				}
			}
		}
		if i < len(s) {
			if r, _ := utf8.DecodeRuneInString(s[i:]); !unicode.IsSpace(r) {
				return nil, &problem{t.offset(i), fmt.Sprintf("unexpected %q: separate the items of a score comment with spaces", r)}
			}
		}
		out = append(out, tk)
	}
}

// tokenPart reads the key or the value of a token at *i, "quoted" or up to
// white space, '=' or '"', and moves *i past it.
func tokenPart(t srcText, i *int) (string, bool, *problem) {
	s := t.s
	if s[*i] == '"' {
		j := strings.IndexByte(s[*i+1:], '"')
		if j < 0 {
			return "", true, &problem{t.offset(*i), "unclosed quote: close it with \""}
		}
		v := s[*i+1 : *i+1+j]
		*i += j + 2
		return v, true, nil
	}
	j := *i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if unicode.IsSpace(r) || r == '=' || r == '"' {
			break
		}
		j += size
	}
	v := s[*i:j]
	*i = j
	return v, false, nil
}

const scoreHelp = "a score comment lists SYMBOL=NUMBER ratings (◎=3 ○=2 △=1) or a range such as 1..5, and the options blank=N, weight=COLUMN, ignore=COLUMN,…, total=LABEL, best=high|low, chart=bar|radar"

// parseScale adds the items of a score comment to sc.
func parseScale(sc *scale, body srcText) []problem {
	var ps []problem
	if sc.set == nil {
		sc.set = map[string]bool{}
		sc.optAt = map[string]int{}
	}
	toks, p := tokens(body)
	if p != nil {
		return []problem{*p}
	}
	if len(toks) == 0 {
		return []problem{{body.offset(0), "empty score comment: " + scoreHelp}}
	}
	var legend []string
	for _, tk := range toks {
		item, msg := sc.item(tk)
		if msg != "" {
			ps = append(ps, problem{tk.off, msg})
		}
		if item != "" {
			legend = append(legend, item)
		}
	}
	sort.SliceStable(sc.symbols, func(i, j int) bool { return len(sc.symbols[i].text) > len(sc.symbols[j].text) })
	if len(legend) > 0 {
		if sc.legend != "" {
			sc.legend += " "
		}
		sc.legend += strings.Join(legend, " ")
	}
	return ps
}

// item reads one item of a score comment: a range (1-5), an option
// (chart=bar) or a symbol (◎=3). It returns the item's text for the legend
// (ranges and symbols), and the problem with it, if any.
func (sc *scale) item(tk token) (legend, problem string) {
	if !tk.eq {
		lo, hi, ok := parseRange(tk.key)
		if !ok || tk.keyQuoted {
			return "", fmt.Sprintf("%q is not SYMBOL=NUMBER: %s", tk.key, scoreHelp)
		}
		if sc.hasRange {
			return "", "the score comment gives two ranges: keep one"
		}
		sc.hasRange, sc.lo, sc.hi = true, lo, hi
		return tk.key, ""
	}
	if tk.key == "" {
		return "", "missing symbol before \"=\": " + scoreHelp
	}
	if tk.val == "" {
		return "", fmt.Sprintf("%s= has no value: %s", tk.key, scoreHelp)
	}
	if !tk.keyQuoted {
		if msg, known := sc.option(tk.key, tk.val); known {
			if _, seen := sc.optAt[tk.key]; !seen {
				sc.optAt[tk.key] = tk.off
			}
			return "", msg
		}
	}
	v, err := strconv.ParseFloat(tk.val, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return "", fmt.Sprintf("%s=%s: %q is not a number: %s", tk.key, tk.val, tk.val, scoreHelp)
	}
	for _, s := range sc.symbols {
		if s.text == tk.key {
			return "", fmt.Sprintf("the symbol %s is given twice: keep one", tk.key)
		}
	}
	sc.symbols = append(sc.symbols, symbol{tk.key, v})
	return tk.key + "=" + tk.val, ""
}

// option applies a reserved key. known is false for a rating symbol.
func (sc *scale) option(key, val string) (msg string, known bool) {
	switch key {
	case "blank", "weight", "ignore", "total", "best", "chart":
	default:
		return "", false
	}
	if sc.set[key] {
		return fmt.Sprintf("%s= is given twice: keep one", key), true
	}
	sc.set[key] = true
	switch key {
	case "blank":
		v, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return fmt.Sprintf("blank=%s: the value of an empty rating must be a number, e.g. blank=0", val), true
		}
		sc.blank = &v
	case "weight":
		sc.weight = val
	case "ignore":
		for _, c := range strings.Split(val, ",") {
			if c = strings.TrimSpace(c); c != "" {
				sc.ignore = append(sc.ignore, c)
			}
		}
	case "total":
		sc.total = val
	case "best":
		if val != "high" && val != "low" {
			return fmt.Sprintf("best=%s: write best=high (the highest total wins) or best=low", val), true
		}
		sc.best = val
	case "chart":
		if val != "bar" && val != "radar" && val != "none" {
			return fmt.Sprintf("chart=%s: write chart=bar (the totals) or chart=radar (the ratings)", val), true
		}
		if val == "none" {
			val = ""
		}
		sc.chart = val
	}
	return "", true
}

// parseRange reads MIN..MAX.
func parseRange(s string) (lo, hi float64, ok bool) {
	a, b, found := strings.Cut(s, "..")
	if !found {
		return 0, 0, false
	}
	lo, err1 := strconv.ParseFloat(a, 64)
	hi, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil || lo > hi || math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) {
		return 0, 0, false
	}
	return lo, hi, true
}

// rating reads a rating cell: a symbol of the scale (the longest that
// matches), or a number of the range, maybe followed by a note such as
// "(※2)". ok is false when the text does not start with a rating.
func (sc *scale) rating(text string) (v float64, ok bool) {
	text = strings.TrimSpace(text)
	for _, s := range sc.symbols {
		if rest, found := strings.CutPrefix(text, s.text); found && noteStart(rest) {
			return s.value, true
		}
	}
	if sc.hasRange {
		if n, found := numberAt(text, 0); found && !n.shape.percent && n.shape.decimals >= 0 && noteStart(n.shape.suffix) && n.value >= sc.lo && n.value <= sc.hi {
			return n.value, true
		}
	}
	return 0, false
}

// outOfRange reports whether text is a number outside the range.
func (sc *scale) outOfRange(text string) bool {
	if !sc.hasRange {
		return false
	}
	n, found := numberAt(strings.TrimSpace(text), 0)
	return found && noteStart(n.shape.suffix) && (n.value < sc.lo || n.value > sc.hi)
}

// noteStart reports whether rest can follow a rating: nothing, or a note
// that does not continue the symbol's word ("(※2)", " see 1").
func noteStart(rest string) bool {
	if rest == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != ','
}

// max value of the scale, for charts.
func (sc *scale) top() float64 {
	m := math.Inf(-1)
	for _, s := range sc.symbols {
		m = math.Max(m, s.value)
	}
	if sc.hasRange {
		m = math.Max(m, sc.hi)
	}
	if sc.blank != nil {
		m = math.Max(m, *sc.blank)
	}
	return m
}

func (sc *scale) bottom() float64 {
	m := math.Inf(1)
	for _, s := range sc.symbols {
		m = math.Min(m, s.value)
	}
	if sc.hasRange {
		m = math.Min(m, sc.lo)
	}
	if sc.blank != nil {
		m = math.Min(m, *sc.blank)
	}
	return m
}

// ---- calc comments ----

// statement is one statement of a calc comment.
type statement struct {
	kind   string // "let", "set" (a formula) or "format"
	name   string // constant name, or target column
	row    *rowRef
	expr   srcText // the expression, or the format pattern
	off    int     // source offset of the statement
	target int     // source offset of the target
}

// rowRef names a row: a 1-based number among the data rows, or a label.
type rowRef struct {
	n     int
	label string
	byNum bool
}

func (r rowRef) String() string {
	if r.byNum {
		return strconv.Itoa(r.n)
	}
	return strconv.Quote(r.label)
}

const calcHelp = "a calc comment holds statements separated by \";\": let NAME = EXPR, COLUMN = EXPR, COLUMN[ROW] = EXPR, format COLUMN = \"PATTERN\""

// splitStatements splits at ";" outside quotes and brackets.
func splitStatements(t srcText) []srcText {
	var out []srcText
	s := t.s
	depth := 0
	var quote byte
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
		case c == ';' && depth == 0:
			out = append(out, sub(t, start, i))
			start = i + 1
		}
	}
	out = append(out, sub(t, start, len(s)))
	return out
}

// parseCalc reads the statements of a calc comment.
func parseCalc(body srcText) ([]statement, []problem) {
	var sts []statement
	var ps []problem
	for _, part := range splitStatements(body) {
		part = trimmed(part)
		if part.s == "" {
			continue
		}
		st, p := parseStatement(part)
		if p != nil {
			ps = append(ps, *p)
			continue
		}
		sts = append(sts, st)
	}
	if len(sts) == 0 && len(ps) == 0 {
		ps = append(ps, problem{body.offset(0), "empty calc comment: " + calcHelp})
	}
	return sts, ps
}

func parseStatement(t srcText) (statement, *problem) {
	st := statement{off: t.offset(0)}
	c := &stmtCursor{t: t, s: t.s}
	st.kind = "set"
	if w := c.word(); (w == "let" || w == "format") && c.i+len(w) < len(c.s) && (c.s[c.i+len(w)] == ' ' || c.s[c.i+len(w)] == '\t') {
		st.kind = w
		c.i += len(w)
		c.skip()
	}
	st.target = t.offset(c.i)
	if p := c.target(&st); p != nil {
		return st, p
	}
	c.skip()
	if c.i < len(c.s) && c.s[c.i] == '[' {
		if st.kind == "let" {
			return st, &problem{t.offset(c.i), "a constant has no rows: write let NAME = EXPR"}
		}
		rr, p := c.rowRef()
		if p != nil {
			return st, p
		}
		st.row = rr
	}
	return st, c.expr(&st)
}

// stmtCursor reads a statement of a calc comment from s (t's text) at i.
type stmtCursor struct {
	t srcText
	s string
	i int
}

// word returns the name (letters, digits, _) at the cursor, without
// moving it.
func (c *stmtCursor) word() string {
	j := c.i
	for j < len(c.s) {
		r, size := utf8.DecodeRuneInString(c.s[j:])
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			break
		}
		j += size
	}
	return c.s[c.i:j]
}

// skip moves past white space.
func (c *stmtCursor) skip() {
	for c.i < len(c.s) && (c.s[c.i] == ' ' || c.s[c.i] == '\t' || c.s[c.i] == '\n' || c.s[c.i] == '\r') {
		c.i++
	}
}

// quoted reads a "quoted" text at the cursor; what names what is quoted,
// for the problem of an unclosed quote.
func (c *stmtCursor) quoted(what string) (string, *problem) {
	j := strings.IndexByte(c.s[c.i+1:], '"')
	if j < 0 {
		return "", &problem{c.t.offset(c.i), "unclosed quote in the " + what + ": close it with \""}
	}
	q := c.s[c.i+1 : c.i+1+j]
	c.i += j + 2
	return q, nil
}

// target reads the statement's target: a name or a "quoted header".
func (c *stmtCursor) target(st *statement) *problem {
	if c.i < len(c.s) && c.s[c.i] == '"' {
		name, p := c.quoted("target")
		if p != nil {
			return p
		}
		st.name = name
		if st.kind == "let" {
			return &problem{st.target, "a constant's name must be a plain name such as vcpu_price, without quotes"}
		}
	} else {
		st.name = c.word()
		c.i += len(st.name)
	}
	if st.name == "" {
		return &problem{c.t.offset(c.i), "missing name before \"=\": " + calcHelp}
	}
	return nil
}

// rowRef reads [ROW] at the cursor: a row number from 1 or a "row label".
func (c *stmtCursor) rowRef() (*rowRef, *problem) {
	c.i++
	c.skip()
	var rr rowRef
	if c.i < len(c.s) && c.s[c.i] == '"' {
		label, p := c.quoted("row label")
		if p != nil {
			return nil, p
		}
		rr.label = label
	} else {
		j := c.i
		for j < len(c.s) && isDigit(c.s[j]) {
			j++
		}
		n, err := strconv.Atoi(c.s[c.i:j])
		if err != nil || n < 1 {
			return nil, &problem{c.t.offset(c.i), "a row is a number from 1 (the first row under the header) or a \"row label\": write COLUMN[2] or COLUMN[\"label\"]"}
		}
		rr.n, rr.byNum = n, true
		c.i = j
	}
	c.skip()
	if c.i >= len(c.s) || c.s[c.i] != ']' {
		return nil, &problem{c.t.offset(c.i), "missing \"]\" after the row"}
	}
	c.i++
	c.skip()
	return &rr, nil
}

// expr reads "= EXPR" at the cursor; a format's EXPR is a number pattern,
// quoted or not.
func (c *stmtCursor) expr(st *statement) *problem {
	s, i := c.s, c.i
	if i >= len(s) || s[i] != '=' || (i+1 < len(s) && s[i+1] == '=') {
		hint := calcHelp
		if i < len(s) && s[i] != '=' {
			hint = "quote a column name that has spaces or symbols: \"Fargate vs EC2\" = …"
		}
		return &problem{c.t.offset(min(i, len(s))), fmt.Sprintf("expected \"=\" after %s: %s", st.name, hint)}
	}
	i++
	st.expr = trimmed(sub(c.t, i, len(s)))
	if st.expr.s == "" {
		return &problem{c.t.offset(i), fmt.Sprintf("nothing after %s =: write an expression", st.name)}
	}
	if st.kind == "format" {
		p := st.expr.s
		if len(p) >= 2 && p[0] == '"' && p[len(p)-1] == '"' {
			st.expr = sub(st.expr, 1, len(p)-1)
		}
		if _, ok := parsePattern(st.expr.s); !ok {
			return &problem{st.expr.offset(0), fmt.Sprintf("format %q has no digits: write the number as it should look, e.g. \"0.00\", \"+0 %%\", \"USD 0.00000\" or \"#,##0 円\"", st.expr.s)}
		}
	}
	return nil
}
