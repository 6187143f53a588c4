package math

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// requireNode skips a test without node, except in CI, which has it.
func requireNode(t testing.TB) {
	t.Helper()
	if findNode() != "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("node is not on the PATH (CI installs it; KIJI_KATEX=goja must not be set)")
	}
	t.Skip("node is not on the PATH")
}

// nodeExt runs KaTeX in node (falling back to goja) with one process.
func nodeExt(t testing.TB, set func(*config)) *Extender {
	requireNode(t)
	return newExt(func(c *config) {
		c.runtimes, c.nodeIdle = 1, time.Second
		set(c)
	})
}

// outcomeOf is what a formula renders to, for comparing engines.
func outcomeOf(r result) string {
	if r.err != nil {
		return "error: " + r.err.Error() + " blocked: " + strings.Join(r.blocked, ",")
	}
	return r.html + " blocked: " + strings.Join(r.blocked, ",")
}

// Formulas nested deeper than node's stack allows fall back to goja; so do
// formulas nested deeper than goja's, which then says so. For that node's
// stack must overflow first: at the depth node gives up, goja renders.
func TestNodeStackShallower(t *testing.T) {
	n := nodeExt(t, func(*config) {})
	g := gojaExt()
	for _, c := range [][2]string{{"{", "}"}, {`\sqrt{`, "}"}, {`\left(`, `\right)`}, {`x^{`, "}"}, {`\begin{matrix}`, `\end{matrix}`}} {
		tex := func(d int) string { return strings.Repeat(c[0], d) + "x" + strings.Repeat(c[1], d) }
		nodeDecides := func(d int) bool {
			_, out := n.eng.runOn(context.Background(), n.eng.node, tex(d), false, limit{d: time.Minute})
			return out != undecided
		}
		lo, hi := 1, 2000 // node decides at lo, not at hi
		if !nodeDecides(lo) || nodeDecides(hi) {
			t.Fatalf("%s: node decides at depth 1: %v, at %d: %v", c[0], nodeDecides(lo), hi, nodeDecides(hi))
		}
		for hi-lo > 1 {
			if m := (lo + hi) / 2; nodeDecides(m) {
				lo = m
			} else {
				hi = m
			}
		}
		r, _ := g.eng.renderNow(context.Background(), tex(hi), false, limit{d: time.Minute})
		if r.err != nil {
			t.Errorf("%s: node gives up at depth %d, where goja does too (%v): the engines may disagree", c[0], hi, r.err)
		}
		// And the engine with node gives goja's answer there.
		got, _ := n.eng.renderNow(context.Background(), tex(hi), false, limit{d: time.Minute})
		if diff := cmp.Diff(outcomeOf(r), outcomeOf(got)); diff != "" {
			t.Errorf("%s at depth %d: node's engine (-goja +node):\n%s", c[0], hi, diff)
		}
	}
}

// The formulas of TestRender (parse errors, blocked commands, too deep,
// infinite macros) give the same result in node as in goja.
func TestNodeMatchesGoja(t *testing.T) {
	n := nodeExt(t, func(*config) {})
	formulas := []string{`E = mc^2`, `\frac{1}{3}`, `a<b`, `\text{速度}`, `\frac{1}{`, `\text{速} \foo`,
		`\def\a{\a}\a`, strings.Repeat("{", 5000) + "x" + strings.Repeat("}", 5000), `\href{https://x}{y}\url{z}`,
		`\gdef\leak{42}\leak`, `\leak`, `\begin{aligned}a&=b\\c&=d\end{aligned}`, `\htmlClass{x}{y}`, "😀^{𝔸}", `\char"1F600`}
	for _, f := range formulas {
		for _, display := range []bool{false, true} {
			want, _ := gojaExt().eng.renderNow(context.Background(), f, display, limit{d: time.Minute})
			got, _ := n.eng.renderNow(context.Background(), f, display, limit{d: time.Minute})
			if diff := cmp.Diff(outcomeOf(want), outcomeOf(got)); diff != "" {
				t.Errorf("%.40q display=%v (-goja +node):\n%s", f, display, diff)
			}
		}
	}
	if n.eng.nodeOff.Load() {
		t.Error("node was turned off")
	}
}

// FuzzNodeMatchesGoja: any formula renders to the same bytes in node as in
// goja.
func FuzzNodeMatchesGoja(f *testing.F) {
	for _, s := range []string{`x^2`, `\frac{a}{b}`, `\begin{pmatrix}1&2\\3&4\end{pmatrix}`, `\sqrt[3]{x}\,\mathrm{d}x`,
		`\color{red}{x}`, `\rule{1em}{0.5ex}\kern{0.3em}\hspace{2.5pt}`, `\Big(\frac{0.1}{3}\Big)`, `\text{あ}\mathbb{R}`, `\def\f#1{#1^2}\f{y}`} {
		f.Add(s, false)
	}
	n := nodeExt(f, func(*config) {})
	f.Fuzz(func(t *testing.T, tex string, display bool) {
		if len(tex) > 512 {
			return
		}
		lim := limit{d: 5 * time.Second}
		want, wout := gojaExt().eng.renderNow(context.Background(), tex, display, lim)
		got, gout := n.eng.renderNow(context.Background(), tex, display, lim)
		if wout == timedOut || gout == timedOut {
			return
		}
		if diff := cmp.Diff(outcomeOf(want), outcomeOf(got)); diff != "" {
			t.Errorf("%q display=%v (-goja +node):\n%s", tex, display, diff)
		}
	})
}

// A formula that runs out of time in node is a timeout as in goja; the
// process is killed and the next formula gets a new one.
func TestNodeTimeout(t *testing.T) {
	e := nodeExt(t, func(c *config) { c.timeout = 50 * time.Millisecond })
	huge := strings.Repeat(`\frac{a}{b}+`, 20000) + "x"
	_, err := e.Render(huge, false)
	if err == nil || !strings.Contains(err.Error(), "rendering took longer than 50ms") {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if n := len(e.eng.node.slots); n != 0 {
		t.Errorf("%d node processes live after a timeout, want 0", n)
	}
	if n := len(e.eng.goja.slots); n != 0 {
		t.Errorf("goja ran (%d runtimes) for a formula node ran out of time on", n)
	}
	e.eng.timeout = time.Minute
	if _, err := e.Render(`x`, false); err != nil {
		t.Errorf("after a timeout: %v", err)
	}
}

// A done context kills node at once, and nothing is remembered.
func TestNodeCancel(t *testing.T) {
	e := nodeExt(t, func(c *config) { c.timeout = time.Minute })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	r, out := e.eng.render(ctx, strings.Repeat(`\frac{a}{b}+`, 200000)+"x", false, limit{d: time.Minute})
	if !r.cancelled || out != 0 && time.Since(start) > 20*time.Second {
		t.Errorf("after cancel: %+v in %v, want cancelled at once", r, time.Since(start))
	}
	if n := len(e.eng.cache); n != 0 {
		t.Errorf("%d results remembered after a cancel", n)
	}
}

// An idle node process ends; the next formula starts another.
func TestNodeIdleStops(t *testing.T) {
	e := nodeExt(t, func(c *config) { c.nodeIdle = 50 * time.Millisecond })
	if _, err := e.Render(`x`, false); err != nil {
		t.Fatal(err)
	}
	p := (<-e.eng.node.idle).(*nodeProc)
	e.eng.node.idle <- p
	deadline := time.Now().Add(10 * time.Second)
	for p.cmd.ProcessState == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if p.cmd.ProcessState == nil {
		t.Fatal("the idle node process is still running")
	}
	if _, err := e.Render(`y`, false); err != nil {
		t.Errorf("after the process ended: %v", err)
	}
	if e.eng.nodeOff.Load() || len(e.eng.goja.slots) != 0 {
		t.Errorf("goja rendered after node's idle end (node off: %v)", e.eng.nodeOff.Load())
	}
}

// Without a working node, goja renders.
func TestNodeMissing(t *testing.T) {
	e := newExt(func(c *config) { c.node = "/nonexistent/node" })
	html, err := e.Render(`x^2`, false)
	if err != nil || !strings.Contains(html, `<span class="katex">`) {
		t.Fatalf("Render = %.60q, %v", html, err)
	}
	if !e.eng.nodeOff.Load() {
		t.Error("node is still tried after it failed to start")
	}
}
