package score

import (
	"html"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// KindValue is the kind of a Value node.
var KindValue = ast.NewNodeKind("ScoreValue")

// Value is a number kiji computed, shown in a table cell: a formula's
// result or a column's total, with its rank when it is a total.
type Value struct {
	ast.BaseInline
	Display string // the number as it is shown, e.g. "16 点"
	Rank    string // the rank of a total, e.g. "1位"; empty for other values
	Best    bool   // the best total of the table
}

// Kind implements ast.Node.
func (n *Value) Kind() ast.NodeKind { return KindValue }

// Dump implements ast.Node.
func (n *Value) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Display": n.Display, "Rank": n.Rank}, nil)
}

// KindChart is the kind of a Chart node.
var KindChart = ast.NewNodeKind("ScoreChart")

// Chart is the SVG chart of a score table, drawn at build time. It follows
// its table.
type Chart struct {
	ast.BaseBlock
	Form string // "bar" or "radar"
	SVG  string
}

// Kind implements ast.Node.
func (n *Chart) Kind() ast.NodeKind { return KindChart }

// Dump implements ast.Node.
func (n *Chart) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Form": n.Form}, nil)
}

type htmlRenderer struct{}

func (r *htmlRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindValue, r.value)
	reg.Register(KindChart, r.chart)
}

func (r *htmlRenderer) value(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*Value)
	if n.Best {
		_, _ = w.WriteString("<strong>")
	}
	_, _ = w.WriteString(html.EscapeString(n.Display))
	if n.Best {
		_, _ = w.WriteString("</strong>")
	}
	if n.Rank != "" {
		_, _ = w.WriteString(` <span class="score-rank">`)
		if n.Best {
			_, _ = w.WriteString(`<span aria-hidden="true">★</span>`)
		}
		_, _ = w.WriteString(html.EscapeString(n.Rank))
		_, _ = w.WriteString("</span>")
	}
	return ast.WalkContinue, nil
}

func (r *htmlRenderer) chart(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*Chart)
	_, _ = w.WriteString(`<figure class="score-chart score-chart-` + n.Form + `">`)
	_, _ = w.WriteString(n.SVG)
	_, _ = w.WriteString("</figure>\n")
	return ast.WalkSkipChildren, nil
}
