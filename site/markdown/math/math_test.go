package math

import (
	"strings"
	"sync"
	"testing"

	"github.com/kiji-ssg/kiji/site/markdown/golden"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// One extension for the whole test binary, as in a build: its runtimes and
// its cache are shared by every test.
var (
	testExt     *Extender
	testExtOnce sync.Once
)

// newExt is New with the defaults changed by set: tests set what no
// option offers (timeouts, runtimes, goja only).
func newExt(set func(*config)) *Extender {
	c := defaultConfig()
	set(&c)
	return newExtender(c)
}

// gojaExt is one extension that runs KaTeX in goja only.
var gojaExt = sync.OnceValue(func() *Extender { return newExt(func(c *config) { c.node = "" }) })

func ext() *Extender {
	testExtOnce.Do(func() { testExt = New() })
	return testExt
}

// newMD is the test setup: GFM plus this extension, with Zenn's hard line
// breaks as site/markdown uses.
func newMD(e *Extender) goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM, e),
		goldmark.WithRendererOptions(html.WithHardWraps()),
	)
}

// converted is one conversion: the HTML, the problems as file:line:col
// lines, and whether the page asked for the math assets.
type converted struct {
	html     string
	problems []string
	needs    bool
}

func convert(t testing.TB, md goldmark.Markdown, src []byte) converted {
	t.Helper()
	r := golden.Convert(t, md, "content/articles/test.md", src)
	return converted{html: r.HTML, problems: r.Problems, needs: r.Doc.Needs("math")}
}

// TestGolden converts testdata/*.txtar's input.md and compares the HTML
// (output.html), the problems (problems) and whether the page needs the math
// assets (needs). Refresh with: go test ./site/markdown/math -update
func TestGolden(t *testing.T) {
	engines := []struct {
		name string
		ext  func(t *testing.T) *Extender
	}{
		{"goja", func(*testing.T) *Extender { return gojaExt() }},
		{"node", func(t *testing.T) *Extender { requireNode(t); return ext() }},
	}
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			md := newMD(eng.ext(t))
			golden.Run(t, "testdata/*.txtar", func(t *testing.T, a *golden.Archive) []golden.Output {
				got := convert(t, md, a.Input(t))
				needs := []byte("no\n")
				if got.needs {
					needs = []byte("math\n")
				}
				return []golden.Output{{Name: "output.html", Data: []byte(got.html)}, {Name: "problems", Data: golden.Lines(got.problems)}, {Name: "needs", Data: needs}}
			})
		})
	}
}

// Windows line endings: the CR is not part of the TeX.
func TestCRLF(t *testing.T) {
	md := newMD(ext())
	tests := []struct {
		name, src, want string
	}{
		{"display", "$$\r\nx\r\n$$\r\n", `<annotation encoding="application/x-tex">x</annotation>`},
		{"numbered", "$$\r\nx\r\n$$ (1)\r\n", `<span class="math-eqno">(1)</span>`},
		{"inline", "a $y$\r\nb\r\n", `<annotation encoding="application/x-tex">y</annotation>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := convert(t, md, []byte(tt.src))
			if !strings.Contains(got.html, tt.want) || len(got.problems) > 0 {
				t.Errorf("got %s, problems %q; want it to contain %s", got.html, got.problems, tt.want)
			}
		})
	}
}
