package math

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// mathSite is a site of 25 articles with 1,000 distinct formulas in all,
// 800 inline and 200 display, of the kinds technical articles have (a
// symbol, a fraction, a sum, an aligned derivation, a matrix).
func mathSite() [][]byte {
	inline := []string{`x_{%d}`, `\alpha_{%d} + \beta^{%d}`, `\frac{%d}{%d+1}`, `e^{-%d t}`,
		`f(x) = x^{%d} + %d`, `\sqrt{%d}`, `p_{%d}(1-p_{%d})`, `\mathbf{v}_{%d} \cdot \mathbf{w}`}
	display := []string{
		`\sum_{i=1}^{%d} i^2 = \frac{n(n+1)(2n+1)}{6}`,
		`\int_0^{%d} e^{-x^2}\,dx \approx \frac{\sqrt{\pi}}{2}`,
		`\begin{aligned} f(x) &= (x+%d)^2 \\ &= x^2 + 2 \cdot %d x + %d^2 \end{aligned}`,
		`\begin{pmatrix} %d & 1 \\ 0 & \lambda \end{pmatrix}`,
		`\frac{\partial^2 u}{\partial t^2} = c_{%d}^2 \nabla^2 u`,
		`P(x) = \frac{1}{Z} \exp\left(-\frac{E_{%d}(x)}{k_B T}\right)`,
	}
	fill := func(tmpl string, i int) string {
		return strings.ReplaceAll(fmt.Sprintf(strings.ReplaceAll(tmpl, "%d", "%[1]d"), i), "%!", "")
	}
	var docs [][]byte
	for a := range 25 {
		var b strings.Builder
		fmt.Fprintf(&b, "# Article %d\n\n", a)
		for k := range 8 {
			i := a*8 + k
			fmt.Fprintf(&b, "$$\n%s\n$$\n\n", fill(display[i%len(display)], i))
			for j := range 4 {
				n := i*4 + j
				fmt.Fprintf(&b, "Text $%s$ and more text $%s$.\n\n", fill(inline[n%len(inline)], n), fill(inline[(n+3)%len(inline)], n+1000))
			}
		}
		docs = append(docs, []byte(b.String()))
	}
	return docs
}

// buildMathSite converts the articles as a build does: on GOMAXPROCS
// goroutines, with one extension.
func buildMathSite(b *testing.B, e *Extender, docs [][]byte) {
	md := newMD(e)
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				d := i
				i++
				next.Unlock()
				if d >= len(docs) {
					return
				}
				if c := convertCtx(b, context.Background(), e, docs[d]); len(c.problems) > 0 {
					b.Errorf("article %d: %q", d, c.problems)
				}
			}
		}()
	}
	wg.Wait()
	_ = md
}

// BenchmarkMath1000 is a cold build's math: 1,000 distinct formulas, with
// a new extension (no runtime, process or formula known) each time, as
// kiji runs them (in node when it is on the PATH):
//
//	go test ./site/markdown/math -run '^$' -bench Math1000
func BenchmarkMath1000(b *testing.B) {
	benchSite(b, func(c *config) { c.nodeIdle = 50 * time.Millisecond })
}

// BenchmarkGoja1000 is the same in goja only (kiji without node).
func BenchmarkGoja1000(b *testing.B) { benchSite(b, func(c *config) { c.node = "" }) }

func benchSite(b *testing.B, set func(*config)) {
	docs := mathSite()
	if _, err := katexProgram(); err != nil { // compiled once per process, not per build
		b.Fatal(err)
	}
	defer reportCPU(b)()
	for b.Loop() {
		buildMathSite(b, newExt(set), docs)
	}
	b.ReportMetric(1000, "formulas/op")
	// The node processes end once idle; then cpu-ns/op counts them.
	time.Sleep(500 * time.Millisecond)
}
