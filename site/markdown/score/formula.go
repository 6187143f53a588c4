package score

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	exprast "github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// Formulas are expr-lang expressions restricted to arithmetic on numbers:
// the only names are the table's columns (the same row), named constants
// and row, the only functions are listed in funcNames, and there are no
// loops, ranges, closures, maps, member access or variables, so the cost of
// an evaluation is bounded by the size of the expression (maxNodes). All
// numbers are float64; "/" and "%" go through functions that report a
// division by zero instead of producing Inf.

const (
	maxNodes      = 300
	maxFormulaLen = 2000
)

var (
	errDivZero = errors.New("division by zero")
	// errReported means the problem has already been reported (at a cell
	// the formula uses); the caller only stops.
	errReported = errors.New("already reported")
)

// refError is a reference to a cell, column or row that does not exist.
type refError struct{ msg string }

func (e *refError) Error() string { return e.msg }

// tableFuncs are what a formula can ask of its table.
type tableFuncs interface {
	col(name string) (float64, error)
	cell(name string, row rowRef) (float64, error)
	column(name string, from, to int) ([]float64, error)
}

// program is a compiled formula.
type program struct {
	src    string
	prog   *vm.Program
	idents []string // names the formula uses, sorted
}

// funcNames are the functions a formula can call.
var funcNames = []string{"abs", "avg", "cell", "ceil", "col", "column", "floor", "max", "min", "round", "sqrt", "sum"}

var isFunc = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range funcNames {
		m[n] = true
	}
	return m
}()

// guard rejects what a formula must not do, collects the names it uses and
// makes arithmetic safe. It runs on the parsed expression before type
// checking.
type guard struct {
	err    *file.Error
	idents map[string]bool
}

func (g *guard) fail(n exprast.Node, format string, args ...any) {
	if g.err == nil {
		g.err = &file.Error{Location: n.Location(), Message: fmt.Sprintf(format, args...)}
	}
}

var allowedOps = map[string]bool{
	"+": true, "-": true, "*": true, "/": true, "%": true, "**": true, "^": true,
	"==": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true,
	"and": true, "or": true, "&&": true, "||": true, "not": true, "!": true,
}

func (g *guard) Visit(node *exprast.Node) {
	switch n := (*node).(type) {
	case *exprast.IntegerNode:
		exprast.Patch(node, &exprast.FloatNode{Value: float64(n.Value)})
	case *exprast.FloatNode, *exprast.StringNode, *exprast.BoolNode:
	case *exprast.IdentifierNode:
		if strings.HasPrefix(n.Value, "$") {
			g.fail(n, "%s is not available in a formula: use column names, constants and row", n.Value)
			return
		}
		g.idents[n.Value] = true
	case *exprast.UnaryNode:
		if !allowedOps[n.Operator] {
			g.fail(n, "the operator %s is not available in a formula", n.Operator)
		}
	case *exprast.BinaryNode:
		if !allowedOps[n.Operator] {
			g.fail(n, "the operator %s is not available in a formula: use + - * / %% ** and comparisons", n.Operator)
			return
		}
		switch n.Operator {
		case "/":
			exprast.Patch(node, &exprast.CallNode{Callee: &exprast.IdentifierNode{Value: "$div"}, Arguments: []exprast.Node{n.Left, n.Right}})
		case "%":
			exprast.Patch(node, &exprast.CallNode{Callee: &exprast.IdentifierNode{Value: "$mod"}, Arguments: []exprast.Node{n.Left, n.Right}})
		}
	case *exprast.ConditionalNode:
	case *exprast.CallNode:
		id, ok := n.Callee.(*exprast.IdentifierNode)
		if !ok {
			g.fail(n, "only the functions %s can be called", strings.Join(funcNames, ", "))
			return
		}
		if id.Value == "$div" || id.Value == "$mod" {
			return
		}
		delete(g.idents, id.Value)
		if !isFunc[id.Value] {
			g.fail(n, "unknown function %s: the functions are %s", id.Value, strings.Join(funcNames, ", "))
		}
	case *exprast.BuiltinNode:
		g.fail(n, "unknown function %s: the functions are %s", n.Name, strings.Join(funcNames, ", "))
	default:
		g.fail(*node, "this is not available in a formula: use numbers, column names, constants, operators and the functions %s", strings.Join(funcNames, ", "))
	}
}

// exprError is a problem in a formula at a byte index of its text.
type exprError struct {
	at  int
	msg string
}

func (e *exprError) Error() string { return e.msg }

// compile checks and compiles src. names are the variables it may use; t
// gives the table functions (nil: only arithmetic, for constants).
func compile(src string, names []string, t func() tableFuncs) (p *program, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, &exprError{0, fmt.Sprintf("the formula cannot be compiled (%v)", r)}
		}
	}()
	if len(src) > maxFormulaLen {
		return nil, &exprError{0, fmt.Sprintf("the formula is longer than %d bytes: split it with constants", maxFormulaLen)}
	}
	env := map[string]any{}
	for _, n := range names {
		env[n] = 0.0
	}
	g := &guard{idents: map[string]bool{}}
	opts := []expr.Option{
		expr.Env(env),
		expr.DisableAllBuiltins(),
		expr.AsFloat64(),
		expr.MaxNodes(maxNodes),
		expr.Patch(g),
	}
	opts = append(opts, mathFuncs()...)
	opts = append(opts, tableFuncOptions(t)...)
	prog, cerr := expr.Compile(src, opts...)
	if g.err != nil {
		return nil, exprErr(src, g.err)
	}
	if cerr != nil {
		return nil, exprErr(src, cerr)
	}
	p = &program{src: src, prog: prog}
	for n := range g.idents {
		p.idents = append(p.idents, n)
	}
	sort.Strings(p.idents)
	return p, nil
}

// exprErr turns an expr error into a message and a byte index in src.
func exprErr(src string, err error) *exprError {
	var fe *file.Error
	msg, at := "", 0
	if errors.As(err, &fe) {
		msg = fe.Message
		// From counts runes
		for k := 0; k < fe.From && at < len(src); k++ {
			_, size := utf8.DecodeRuneInString(src[at:])
			at += size
		}
	}
	if msg == "" {
		msg = oneLine(err.Error())
	}
	msg = strings.ReplaceAll(msg, "$div", "/")
	msg = strings.ReplaceAll(msg, "$mod", "%")
	if strings.HasPrefix(msg, "expected float64") || strings.Contains(msg, "cannot use") && strings.Contains(msg, "float64") {
		msg += " (a formula must give a number)"
	}
	return &exprError{at, oneLine(msg)}
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

// run evaluates p with the values of its names.
func run(p *program, env map[string]any) (v float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = 0, fmt.Errorf("the formula failed (%v)", r)
		}
	}()
	out, err := expr.Run(p.prog, env)
	if err != nil {
		return 0, err
	}
	f, ok := out.(float64)
	if !ok {
		return 0, fmt.Errorf("the formula gives %T, not a number", out)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("the result is not a finite number (too large, or the square root of a negative number?)")
	}
	return f, nil
}

func num(a any) float64 {
	switch v := a.(type) {
	case float64:
		return v
	case int:
		return float64(v)
	}
	return math.NaN()
}

func nums(args []any) []float64 {
	var out []float64
	for _, a := range args {
		switch v := a.(type) {
		case []float64:
			out = append(out, v...)
		default:
			out = append(out, num(v))
		}
	}
	return out
}

func mathFuncs() []expr.Option {
	return append(scalarFuncs(), listFuncs()...)
}

// scalarFuncs are the functions of one or two numbers, and the division
// and remainder operators (which report a division by zero).
func scalarFuncs() []expr.Option {
	f1 := new(func(float64) float64)
	f2 := new(func(float64, float64) float64)
	return []expr.Option{
		expr.Function("$div", func(a ...any) (any, error) {
			x, y := num(a[0]), num(a[1])
			if y == 0 {
				return nil, errDivZero
			}
			return x / y, nil
		}, f2),
		expr.Function("$mod", func(a ...any) (any, error) {
			x, y := num(a[0]), num(a[1])
			if y == 0 {
				return nil, errDivZero
			}
			return math.Mod(x, y), nil
		}, f2),
		expr.Function("abs", func(a ...any) (any, error) { return math.Abs(num(a[0])), nil }, f1),
		expr.Function("floor", func(a ...any) (any, error) { return math.Floor(num(a[0])), nil }, f1),
		expr.Function("ceil", func(a ...any) (any, error) { return math.Ceil(num(a[0])), nil }, f1),
		expr.Function("sqrt", func(a ...any) (any, error) {
			x := num(a[0])
			if x < 0 {
				return nil, fmt.Errorf("sqrt of a negative number (%s)", plain(x))
			}
			return math.Sqrt(x), nil
		}, f1),
		expr.Function("round", func(a ...any) (any, error) {
			d := 0.0
			if len(a) > 1 {
				d = num(a[1])
			}
			if d != math.Trunc(d) || d < 0 || d > maxDecimals {
				return nil, fmt.Errorf("round: the digits must be a whole number from 0 to %d", maxDecimals)
			}
			p := math.Pow(10, d)
			return math.Round(num(a[0])*p) / p, nil
		}, f1, f2),
	}
}

// listFuncs are the functions of a list of numbers (or of an array).
func listFuncs() []expr.Option {
	fv := new(func(...float64) float64)
	fa := new(func([]float64) float64)
	return []expr.Option{
		expr.Function("min", extremum("min", math.Min), fv, fa),
		expr.Function("max", extremum("max", math.Max), fv, fa),
		expr.Function("sum", func(a ...any) (any, error) {
			s := 0.0
			for _, x := range nums(a) {
				s += x
			}
			return s, nil
		}, fv, fa),
		expr.Function("avg", func(a ...any) (any, error) {
			xs := nums(a)
			if len(xs) == 0 {
				return nil, errors.New("avg of nothing")
			}
			s := 0.0
			for _, x := range xs {
				s += x
			}
			return s / float64(len(xs)), nil
		}, fv, fa),
	}
}

// extremum is min or max (name), choosing with pick.
func extremum(name string, pick func(a, b float64) float64) func(a ...any) (any, error) {
	return func(a ...any) (any, error) {
		xs := nums(a)
		if len(xs) == 0 {
			return nil, errors.New(name + " of nothing")
		}
		m := xs[0]
		for _, x := range xs[1:] {
			m = pick(m, x)
		}
		return m, nil
	}
}

// tableFuncOptions declares col, cell and column. t returns the table the
// formula runs on; without one (a constant) they fail.
func tableFuncOptions(t func() tableFuncs) []expr.Option {
	noTable := errors.New("a constant cannot read the table: use the cell in the formula instead")
	get := func() (tableFuncs, error) {
		if t == nil {
			return nil, noTable
		}
		tf := t()
		if tf == nil {
			return nil, noTable
		}
		return tf, nil
	}
	str := func(a any) string { s, _ := a.(string); return s }
	return []expr.Option{
		expr.Function("col", func(a ...any) (any, error) {
			tf, err := get()
			if err != nil {
				return nil, err
			}
			return tf.col(str(a[0]))
		}, new(func(string) float64)),
		expr.Function("cell", func(a ...any) (any, error) {
			tf, err := get()
			if err != nil {
				return nil, err
			}
			var rr rowRef
			switch v := a[1].(type) {
			case string:
				rr.label = v
			default:
				x := num(v)
				if x != math.Trunc(x) || x < 1 || x > 1e9 {
					return nil, &refError{fmt.Sprintf("cell(%q, %s): a row is a whole number from 1", str(a[0]), plain(x))}
				}
				rr.n, rr.byNum = int(x), true
			}
			return tf.cell(str(a[0]), rr)
		}, new(func(string, float64) float64), new(func(string, string) float64)),
		expr.Function("column", func(a ...any) (any, error) {
			tf, err := get()
			if err != nil {
				return nil, err
			}
			from, to := 1, -1
			if len(a) == 3 {
				f, l := num(a[1]), num(a[2])
				if f != math.Trunc(f) || l != math.Trunc(l) || f < 1 || l < f || l > 1e9 {
					return nil, &refError{fmt.Sprintf("column(%q, %s, %s): give the first and the last row, from 1", str(a[0]), plain(f), plain(l))}
				}
				from, to = int(f), int(l)
			}
			return tf.column(str(a[0]), from, to)
		}, new(func(string) []float64), new(func(string, float64, float64) []float64)),
	}
}

// isIdentifier reports whether s can be used as a name in a formula.
func isIdentifier(s string) bool {
	if s == "" || s == "row" || strings.HasPrefix(s, "$") {
		return false
	}
	tree, err := parser.Parse(s)
	if err != nil {
		return false
	}
	id, ok := tree.Node.(*exprast.IdentifierNode)
	return ok && id.Value == s
}
