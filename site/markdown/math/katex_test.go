package math

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/google/go-cmp/cmp"
)

// The committed katex.min.js is the version the package says it is.
func TestKaTeXVersion(t *testing.T) {
	rt, err := newRuntime()
	if err != nil {
		t.Fatal(err)
	}
	vm := rt.(*jsRuntime).vm
	v := vm.Get("katex").ToObject(vm).Get("version").String()
	if v != KaTeXVersion {
		t.Errorf("katex.min.js is version %q, KaTeXVersion says %q", v, KaTeXVersion)
	}
}

func TestRender(t *testing.T) {
	e := ext()
	tests := []struct {
		name, tex string
		display   bool
		contains  []string
		errMsg    string // non-empty: want a *TeXError with this message
		errOffset int
	}{
		{name: "inline", tex: `E = mc^2`, contains: []string{`<span class="katex">`, `<math xmlns="http://www.w3.org/1998/Math/MathML">`, `<annotation encoding="application/x-tex">E = mc^2</annotation>`}},
		{name: "display", tex: `\frac{1}{3}`, display: true, contains: []string{`<span class="katex-display">`, `display="block"`, `class="mfrac"`}},
		{name: "escapes HTML", tex: `a<b`, contains: []string{`a&lt;b</annotation>`}},
		{name: "unicode text", tex: `\text{速度}`, contains: []string{`<mtext>速度</mtext>`}},
		{name: "parse error with position", tex: `\frac{1}{`, errMsg: `Unexpected end of input in a macro argument, expected '}'`, errOffset: 9},
		{name: "position after multibyte text", tex: `\text{速} \foo`, errMsg: `Undefined control sequence: \foo`, errOffset: len(`\text{速} `)},
		{name: "infinite macro", tex: `\def\a{\a}\a`, errMsg: "Too many expansions: infinite loop or need to increase maxExpand setting", errOffset: -1},
		{name: "too deep", tex: strings.Repeat("{", 5000) + "x" + strings.Repeat("}", 5000), errMsg: "the formula is nested too deeply to render; reduce the nesting of braces or environments", errOffset: -1},
		{name: "invalid UTF-8", tex: "x\xff", errMsg: "the formula is not valid UTF-8", errOffset: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			html, err := e.Render(tt.tex, tt.display)
			if tt.errMsg != "" {
				var te *TeXError
				if !errors.As(err, &te) {
					t.Fatalf("Render(%q) error = %v, want a *TeXError", tt.tex, err)
				}
				if diff := cmp.Diff(&TeXError{Offset: tt.errOffset, Msg: tt.errMsg}, te); diff != "" {
					t.Errorf("Render(%q) error (-want +got):\n%s", tt.tex, diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Render(%q): %v", tt.tex, err)
			}
			for _, c := range tt.contains {
				if !strings.Contains(html, c) {
					t.Errorf("Render(%q) does not contain %q:\n%s", tt.tex, c, html)
				}
			}
		})
	}
	// The engine still works after the errors above.
	if _, err := e.Render(`y`, false); err != nil {
		t.Errorf("after errors: %v", err)
	}
}

// \gdef writes into the macros object; every formula gets a fresh one, so a
// definition never leaks into another formula (or another page).
func TestGdefDoesNotLeak(t *testing.T) {
	e := newExt(func(c *config) { c.runtimes = 1 })
	if _, err := e.Render(`\gdef\leak{42}\leak`, false); err != nil {
		t.Fatal(err)
	}
	_, err := e.Render(`\leak`, false)
	var te *TeXError
	if !errors.As(err, &te) || !strings.Contains(te.Msg, `Undefined control sequence: \leak`) {
		t.Errorf(`\leak after \gdef in another formula: err = %v, want undefined`, err)
	}
}

func TestTimeout(t *testing.T) {
	e := newExt(func(c *config) { c.timeout, c.runtimes, c.node = time.Millisecond, 1, "" })
	big := strings.Repeat(`\frac{a}{b}+`, 400) + "x"
	_, err := e.Render(big, false)
	var te *TeXError
	if !errors.As(err, &te) || !strings.Contains(te.Msg, "rendering took longer than 1ms") {
		t.Fatalf("err = %v, want a timeout", err)
	}
	// A timeout is remembered with its time (TestTimeoutRemembered).
	// The interrupted runtime was dropped (its slot is free again); a new
	// one serves the next call.
	if n := len(e.eng.goja.slots); n != 0 {
		t.Errorf("%d runtimes live after a timeout, want 0", n)
	}
	e.eng.timeout = 10 * time.Second
	if _, err := e.Render(`x`, false); err != nil {
		t.Errorf("after a timeout: %v", err)
	}
}

// Concurrent rendering gives the same bytes as sequential rendering.
func TestConcurrentRender(t *testing.T) {
	formulas := []string{`x`, `\sum_{i=1}^n i`, `\begin{pmatrix}a&b\\c&d\end{pmatrix}`, `\frac{1}{`, `\sqrt[3]{2}`, `e^{i\pi}+1=0`}
	seq := newExt(gojaOnly(DefaultTimeout))
	want := map[string]string{}
	for _, f := range formulas {
		h, err := seq.Render(f, true)
		want[f] = fmt.Sprint(h, err)
	}
	par := newExt(func(c *config) { c.runtimes = 4 })
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := formulas[i%len(formulas)]
			h, err := par.Render(f, true)
			if got := fmt.Sprint(h, err); got != want[f] {
				mu.Lock()
				bad = append(bad, f)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Errorf("concurrent results differ for %q", bad)
	}
	if n := len(par.eng.goja.slots); n > 4 {
		t.Errorf("%d runtimes live, want at most 4", n)
	}
	if par.eng.node != nil && len(par.eng.node.slots) > 4 {
		t.Errorf("%d node processes live, want at most 4", len(par.eng.node.slots))
	}
}

// Converting the same document with two independent extensions gives the
// same bytes.
func TestDeterministic(t *testing.T) {
	src := []byte("a $x^2$ b $$y$$ c $\\frac{1}{$\n\n$$\n\\int f\n$$ (1)\n")
	a := convert(t, newMD(New()), src)
	b := convert(t, newMD(New()), src)
	if diff := cmp.Diff(a, b, cmp.AllowUnexported(converted{})); diff != "" {
		t.Errorf("two conversions differ (-first +second):\n%s", diff)
	}
}

func TestAssets(t *testing.T) {
	as := Assets()
	if len(as) == 0 || as[0].Name != StylesheetName {
		t.Fatalf("Assets()[0] is not %s", StylesheetName)
	}
	css := string(as[0].Data)
	if !bytes.Equal(as[0].Data, CSS()) {
		t.Errorf("Assets()[0] differs from CSS()")
	}
	if strings.Contains(css, ".woff)") || strings.Contains(css, ".ttf)") {
		t.Errorf("the stylesheet still names woff or ttf fonts")
	}
	for _, c := range []string{".katex{", ".math-display{", ".math-eqno{"} {
		if !strings.Contains(css, c) {
			t.Errorf("the stylesheet has no %s rule", c)
		}
	}
	files := map[string][]byte{}
	for _, a := range as[1:] {
		files[a.Name] = a.Data
		if !bytes.HasPrefix(a.Data, []byte("wOF2")) {
			t.Errorf("%s is not a woff2 file", a.Name)
		}
	}
	refs := regexp.MustCompile(`url\(([^)]+)\)`).FindAllStringSubmatch(css, -1)
	if len(refs) == 0 {
		t.Fatal("the stylesheet names no fonts")
	}
	named := map[string]bool{}
	for _, m := range refs {
		named[m[1]] = true
		if _, ok := files[m[1]]; !ok {
			t.Errorf("the stylesheet names %s, which Assets does not have", m[1])
		}
	}
	for n := range files {
		if !named[n] {
			t.Errorf("Assets has %s, which the stylesheet does not use", n)
		}
	}
}

// reportCPU adds the process CPU time per operation (cpu-ns/op) to a
// benchmark: on a busy machine ns/op measures the wait as well as the work.
// Use it as defer reportCPU(b)().
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if end := cpuTime(); end > 0 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

// Benchmarks. The per-formula cost bypasses the cache:
//
//	go test ./site/markdown/math -run '^$' -bench . -benchtime 2s
func BenchmarkRenderFormula(b *testing.B) {
	formulas := map[string]string{
		"short":    `E = mc^2`,
		"integral": `\int_0^1 x^2 \, dx = \frac{1}{3}`,
		"sum":      `\sum_{i=1}^n i = \frac{n(n+1)}{2}`,
		"matrix":   `\begin{pmatrix}a&b\\c&d\end{pmatrix}`,
		"aligned":  `\begin{aligned} f(x) &= (x+1)^2 \\ &= x^2 + 2x + 1 \end{aligned}`,
	}
	e := newExt(func(c *config) { c.runtimes = 1 })
	if _, err := e.Render("x", false); err != nil { // start the runtime
		b.Fatal(err)
	}
	for name, f := range formulas {
		b.Run(name, func(b *testing.B) {
			defer reportCPU(b)()
			for b.Loop() {
				if r, _ := e.eng.renderNow(context.Background(), f, true, limit{d: DefaultTimeout}); r.err != nil {
					b.Fatal(r.err)
				}
			}
		})
	}
}

// BenchmarkRenderCached is a formula already rendered (a rebuild).
func BenchmarkRenderCached(b *testing.B) {
	e := New()
	if _, err := e.Render(`\int_0^1 x^2 \, dx`, true); err != nil {
		b.Fatal(err)
	}
	defer reportCPU(b)()
	for b.Loop() {
		_, _ = e.Render(`\int_0^1 x^2 \, dx`, true)
	}
}

// BenchmarkStartupCompile is compiling katex.min.js (once per process).
func BenchmarkStartupCompile(b *testing.B) {
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := goja.Compile("katex.min.js", katexJS, true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartupRuntime is starting one runtime from the compiled program
// (once per runtime in the pool).
func BenchmarkStartupRuntime(b *testing.B) {
	if _, err := katexProgram(); err != nil {
		b.Fatal(err)
	}
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := newRuntime(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTokenAsRow: an mi or mo that holds an element is written as mrow,
// with its attributes and its end tag; one that holds text, and the tags
// that only start alike (mover), are left as they are.
func TestTokenAsRow(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"text only", `<mi>x</mi><mo stretchy="false">(</mo>`, `<mi>x</mi><mo stretchy="false">(</mo>`},
		{"nested", `<mo><mover><mo><mo>=</mo></mo><mi>a</mi></mover></mo>`, `<mrow><mover><mrow><mo>=</mo></mrow><mi>a</mi></mover></mrow>`},
		{"mi with attributes", `<mi mathvariant="normal"><munder><mi>b</mi><mi>a</mi></munder></mi>`, `<mrow mathvariant="normal"><munder><mi>b</mi><mi>a</mi></munder></mrow>`},
		{"empty", `<mo></mo>`, `<mo></mo>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tokenAsRow(tc.in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
