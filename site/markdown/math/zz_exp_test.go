package math

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
)

func TestExp(t *testing.T) {
	src, _ := os.ReadFile("katex/katex.min.js")
	prg := goja.MustCompile("katex.min.js", string(src), true)
	vm := goja.New()
	vm.SetMaxCallStackSize(2000)
	if _, err := vm.RunProgram(prg); err != nil {
		t.Fatal(err)
	}
	fn, err := vm.RunString(`(function(tex, display){ var o={displayMode:display,output:"htmlAndMathml",throwOnError:true,strict:"ignore",macros:{}};
	try { return {html: katex.renderToString(tex, o)}; } catch (e) { if (e instanceof katex.ParseError) return {err: String(e.rawMessage||e.message), pos: typeof e.position==="number"?e.position:-1}; throw e; } })`)
	if err != nil {
		t.Fatal(err)
	}
	call, _ := goja.AssertFunction(fn)
	for _, n := range []int{50, 100, 200, 400, 800} {
		f := strings.Repeat(`\frac{a}{b}+`, n) + "x"
		s := time.Now()
		_, err := call(goja.Undefined(), vm.ToValue(f), vm.ToValue(false))
		t.Logf("n=%d len=%d %v %v", n, len(f), time.Since(s), err)
	}
	for _, d := range []int{50, 100, 200, 400} {
		f := strings.Repeat("{", d) + "x" + strings.Repeat("}", d)
		_, err := call(goja.Undefined(), vm.ToValue(f), vm.ToValue(false))
		t.Logf("depth=%d %v", d, err)
	}
	for _, f := range []string{`\href{javascript:alert(1)}{x}`, `\url{http://x}`, `\htmlClass{a}{b}`, `\gdef\foo{42}\foo`, `\foo`, `\def\a{\a}\a`,
		strings.Repeat("{", 3000) + "x" + strings.Repeat("}", 3000),
		strings.Repeat(`\frac{a}{b}+`, 2000) + "x",
		strings.Repeat(`x^`, 500) + "x",
		`日本語 x`, `\text{日本語}`, `a<b & c>d "q"`, "\\begin{pmatrix}1\\\\\n2\\end{pmatrix}", `\\`, `x \\ y`, `\verb|x|`, `\text{$x$}`} {
		s := time.Now()
		v, err := call(goja.Undefined(), vm.ToValue(f), vm.ToValue(false))
		el := time.Since(s)
		name := f
		if len(name) > 40 {
			name = name[:40]
		}
		if err != nil {
			t.Logf("%q: GO ERR %T %.200v (%v)", name, err, err, el)
			continue
		}
		o := v.ToObject(vm)
		if h := o.Get("html"); h != nil {
			hs := h.String()
			if len(hs) > 300 {
				hs = hs[:300]
			}
			t.Logf("%q OK %v: %s", name, el, hs)
		} else {
			t.Logf("%q ERR %v: %v at %v", name, el, o.Get("err"), o.Get("pos"))
		}
	}
}
