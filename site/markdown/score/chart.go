package score

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// Charts are inline SVG drawn in currentColor, so they follow the page's
// text colour in light and dark themes; a theme can set
// --kiji-score-bar, --kiji-score-best and --kiji-score-1 … --kiji-score-6.
// The best column is marked by a star and its rank in text, not by colour.
// Each chart has role="img", an aria-label and <title>/<desc> listing every
// value.

const (
	chartW   = 640
	fontSize = 14
)

// f writes a coordinate.
func f(x float64) string {
	return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64)
}

// textWidth estimates the width of s in pixels at fontSize.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r >= 0x1100 && (r <= 0x115f || r >= 0x2e80 && r <= 0xa4cf || r >= 0xac00 && r <= 0xd7a3 ||
			r >= 0xf900 && r <= 0xfaff || r >= 0xfe30 && r <= 0xfe4f || r >= 0xff00 && r <= 0xff60 ||
			r >= 0xffe0 && r <= 0xffe6 || r >= 0x1f300):
			w += 1
		case r >= 0x2000:
			w += 0.9
		case r == ' ':
			w += 0.3
		default:
			w += 0.58
		}
	}
	return w * fontSize
}

// clip shortens s to about w pixels.
func clip(s string, w float64) string {
	if textWidth(s) <= w {
		return s
	}
	rs := []rune(s)
	for len(rs) > 1 && textWidth(string(rs)+"…") > w {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

func esc(s string) string { return html.EscapeString(s) }

func svgOpen(b *strings.Builder, h float64, label, title, desc string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %s" width="%d" height="%s" role="img" aria-label="%s" style="max-width:100%%;height:auto" font-size="%d" fill="currentColor">`,
		chartW, f(h), chartW, f(h), esc(label), fontSize)
	fmt.Fprintf(b, "<title>%s</title><desc>%s</desc>", esc(title), esc(desc))
}

// barChart draws the totals as horizontal bars.
func (e *tableEval) barChart(totals []float64, rank []int, title string, texts []string) string {
	cols := e.scoredColumns()
	// the text alternative
	var list, best []string
	for _, c := range cols {
		list = append(list, e.names[c]+" "+texts[c])
		if rank[c] == 1 {
			best = append(best, e.names[c])
		}
	}
	desc := strings.Join(list, ", ") + " (" + e.cfg.best + ": " + strings.Join(best, ", ") + ")"
	lo, hi := e.barScale(cols, totals)
	labelW := 0.0
	for _, c := range cols {
		labelW = math.Max(labelW, textWidth(e.names[c]))
	}
	labelW = math.Min(labelW, 220)
	valueW := 0.0
	for _, c := range cols {
		valueW = math.Max(valueW, textWidth(texts[c]+" ★"+fmt.Sprintf(e.cfg.rank, rank[c])))
	}
	valueW = math.Min(valueW, 200) + 8
	const top, rowH, barH = 34.0, 30.0, 20.0
	x0 := 8 + labelW + 10
	span := chartW - 8 - valueW - x0
	X := func(v float64) float64 { return x0 + span*(v-lo)/(hi-lo) }
	h := top + rowH*float64(len(cols)) + 10

	var b strings.Builder
	svgOpen(&b, h, title+": "+desc, title, desc)
	fmt.Fprintf(&b, `<text x="8" y="20" font-weight="bold">%s</text>`, esc(title))
	z := X(0)
	for i, c := range cols {
		y := top + rowH*float64(i)
		x1, x2 := math.Min(z, X(totals[c])), math.Max(z, X(totals[c]))
		e.drawBar(&b, c, rank[c] == 1, texts[c]+" ", rank[c], [4]float64{x1, x2, y, barH}, 8+labelW, labelW)
	}
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor"/>`, f(z), f(top-4), f(z), f(h-6))
	b.WriteString("</svg>")
	return b.String()
}

// scoredColumns are the indexes of the score columns.
func (e *tableEval) scoredColumns() []int {
	var cols []int
	for c := range e.names {
		if e.scored[c] {
			cols = append(cols, c)
		}
	}
	return cols
}

// barScale is the bar chart's scale: from 0 (or the lowest total) to the
// highest possible total (or the highest total).
func (e *tableEval) barScale(cols []int, totals []float64) (lo, hi float64) {
	lo, hi = 0.0, math.Inf(-1)
	for _, c := range cols {
		lo = math.Min(lo, totals[c])
		hi = math.Max(hi, totals[c])
	}
	if top := e.sc.top(); top > 0 && e.sc.bottom() >= 0 {
		wsum, ok := 0.0, true
		for ri := range e.data {
			w := 1.0
			if e.weight >= 0 {
				v, err := e.value(ri, e.weight)
				if err != nil || v < 0 {
					ok = false
				}
				w = v
			}
			wsum += w
		}
		if ok && top*wsum >= hi {
			hi = top * wsum
		}
	}
	if hi <= lo {
		hi = lo + 1
	}
	return lo, hi
}

// drawBar draws column c's bar (box: x1, x2, y, height), its name right
// aligned at labelX and its total (text, then the rank) after it.
func (e *tableEval) drawBar(b *strings.Builder, c int, isBest bool, text string, rank int, box [4]float64, labelX, labelW float64) {
	x1, x2, y, barH := box[0], box[1], box[2], box[3]
	fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="end">%s</text>`, f(labelX), f(y+barH/2+5), esc(clip(e.names[c], labelW)))
	if isBest {
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" style="fill:var(--kiji-score-best,currentColor)"/>`, f(x1), f(y), f(x2-x1), f(barH))
	} else {
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" style="fill:var(--kiji-score-bar,currentColor)" fill-opacity="0.4"/>`, f(x1), f(y), f(x2-x1), f(barH))
	}
	label := text + fmt.Sprintf(e.cfg.rank, rank)
	weight := ""
	if isBest {
		label = text + "★" + fmt.Sprintf(e.cfg.rank, rank)
		weight = ` font-weight="bold"`
	}
	fmt.Fprintf(b, `<text x="%s" y="%s"%s>%s</text>`, f(x2+6), f(y+barH/2+5), weight, esc(label))
}

var (
	dashes  = []string{"", "7 4", "2 3", "10 3 2 3", "4 2", "1 5"}
	markers = []string{"circle", "square", "triangle", "diamond", "cross", "bar"}
)

// drawMarker draws a series' marker at x, y.
func drawMarker(b *strings.Builder, kind int, x, y float64, style string) {
	switch markers[kind%len(markers)] {
	case "circle":
		fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="4" style="%s"/>`, f(x), f(y), style)
	case "square":
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="8" height="8" style="%s"/>`, f(x-4), f(y-4), style)
	case "triangle":
		fmt.Fprintf(b, `<path d="M%s %sL%s %sL%s %sZ" style="%s"/>`, f(x), f(y-5), f(x+5), f(y+4), f(x-5), f(y+4), style)
	case "diamond":
		fmt.Fprintf(b, `<path d="M%s %sL%s %sL%s %sL%s %sZ" style="%s"/>`, f(x), f(y-5), f(x+5), f(y), f(x), f(y+5), f(x-5), f(y), style)
	case "cross":
		fmt.Fprintf(b, `<path d="M%s %sL%s %sM%s %sL%s %s" stroke-width="2" style="%s;stroke:var(--kiji-score-%d,currentColor)"/>`, f(x-4), f(y-4), f(x+4), f(y+4), f(x-4), f(y+4), f(x+4), f(y-4), style, kind%len(markers)+1)
	default:
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="3" height="10" style="%s"/>`, f(x-1.5), f(y-5), style)
	}
}

// radarChart draws the ratings of each column over the criteria (rows).
func (e *tableEval) radarChart() string {
	cols := e.scoredColumns()
	vals, desc := e.radarValues(cols)
	title := e.names[0]
	if title == "" {
		title = "radar"
	}
	g := newRadar(len(e.data), math.Min(0, e.sc.bottom()), e.sc.top(), len(cols))
	var b strings.Builder
	svgOpen(&b, g.h, title+": "+desc, title, desc)
	fmt.Fprintf(&b, `<text x="8" y="20" font-weight="bold">%s</text>`, esc(title))
	g.drawGrid(&b)
	for i, r := range e.data {
		label := r.label
		if label == "" {
			label = strconv.Itoa(r.n)
		}
		g.drawCriterion(&b, i, label)
	}
	// one outline per column, told apart by dashes and markers as well as colour
	for i, c := range cols {
		g.drawOutline(&b, i, vals[i], e.names[c])
	}
	b.WriteString("</svg>")
	return b.String()
}

// radarValues returns each score column's ratings (by row) and the text
// alternative of the chart.
func (e *tableEval) radarValues(cols []int) ([][]float64, string) {
	vals := make([][]float64, len(cols))
	var parts []string
	for i, c := range cols {
		var items []string
		for ri, r := range e.data {
			v, _ := e.value(ri, c)
			vals[i] = append(vals[i], v)
			items = append(items, r.label+" "+plain(v))
		}
		parts = append(parts, e.names[c]+": "+strings.Join(items, ", "))
	}
	return vals, strings.Join(parts, "; ")
}

// radar is the geometry of a radar chart: n spokes around (cx, cy) of
// radius R, from lo at the centre to hi at the rim, and a legend below.
type radar struct {
	n            int
	lo, hi       float64
	cx, cy, R    float64
	legendTop, h float64
	levels       []float64 // the values of the rings
}

func newRadar(n int, lo, hi float64, columns int) *radar {
	if hi <= lo {
		hi = lo + 1
	}
	const R = 120.0
	const top = 34.0
	g := &radar{n: n, lo: lo, hi: hi, R: R, cx: float64(chartW) / 2, cy: top + R + 28}
	g.legendTop = g.cy + R + 34
	g.h = g.legendTop + 22*float64(columns) + 6
	if hi-lo <= 10 && hi == math.Trunc(hi) && lo == math.Trunc(lo) {
		for v := lo + 1; v <= hi; v++ {
			g.levels = append(g.levels, v)
		}
	} else {
		for k := 1; k <= 4; k++ {
			g.levels = append(g.levels, lo+(hi-lo)*float64(k)/4)
		}
	}
	return g
}

// pt is the point of value v on spoke i.
func (g *radar) pt(i int, v float64) (float64, float64) {
	a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(g.n)
	r := g.R * (v - g.lo) / (g.hi - g.lo)
	return g.cx + r*math.Cos(a), g.cy + r*math.Sin(a)
}

// path is the closed outline through value vals(i) on each spoke i.
func (g *radar) path(vals func(i int) float64) string {
	var d strings.Builder
	for i := 0; i < g.n; i++ {
		x, y := g.pt(i, vals(i))
		if i == 0 {
			d.WriteString("M")
		} else {
			d.WriteString("L")
		}
		d.WriteString(f(x) + " " + f(y))
	}
	return d.String()
}

// drawGrid draws the rings, the spokes and the ring values.
func (g *radar) drawGrid(b *strings.Builder) {
	b.WriteString(`<g fill="none" stroke="currentColor" stroke-opacity="0.3">`)
	for _, lv := range g.levels {
		fmt.Fprintf(b, `<path d="%sZ"/>`, g.path(func(int) float64 { return lv }))
	}
	for i := 0; i < g.n; i++ {
		x, y := g.pt(i, g.hi)
		fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`, f(g.cx), f(g.cy), f(x), f(y))
	}
	b.WriteString(`</g>`)
	for _, lv := range g.levels {
		x, y := g.pt(0, lv)
		fmt.Fprintf(b, `<text x="%s" y="%s" font-size="10" fill-opacity="0.7">%s</text>`, f(x+3), f(y-2), plain(lv))
	}
}

// drawCriterion writes the label of spoke i beyond its end.
func (g *radar) drawCriterion(b *strings.Builder, i int, label string) {
	a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(g.n)
	x, y := g.cx+(g.R+10)*math.Cos(a), g.cy+(g.R+10)*math.Sin(a)
	anchor := "middle"
	if math.Cos(a) > 0.3 {
		anchor = "start"
	} else if math.Cos(a) < -0.3 {
		anchor = "end"
	}
	dy := 5.0
	if math.Sin(a) > 0.3 {
		dy = 14
	} else if math.Sin(a) < -0.3 {
		dy = -2
	}
	fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="%s">%s</text>`, f(x), f(y+dy), anchor, esc(clip(label, 150)))
}

// drawOutline draws the i-th column's outline through vals with its
// markers, and its line of the legend.
func (g *radar) drawOutline(b *strings.Builder, i int, vals []float64, name string) {
	color := fmt.Sprintf("var(--kiji-score-%d,currentColor)", i%6+1)
	dash := ""
	if s := dashes[i%len(dashes)]; s != "" {
		dash = ` stroke-dasharray="` + s + `"`
	}
	fmt.Fprintf(b, `<path d="%sZ" fill="none" stroke-width="2"%s style="stroke:%s"/>`, g.path(func(k int) float64 { return vals[k] }), dash, color)
	for k := 0; k < g.n; k++ {
		x, y := g.pt(k, vals[k])
		drawMarker(b, i, x, y, "fill:"+color)
	}
	ly := g.legendTop + 22*float64(i)
	fmt.Fprintf(b, `<path d="M8 %sH48" fill="none" stroke-width="2"%s style="stroke:%s"/>`, f(ly), dash, color)
	drawMarker(b, i, 28, ly, "fill:"+color)
	fmt.Fprintf(b, `<text x="56" y="%s">%s</text>`, f(ly+5), esc(name))
}
