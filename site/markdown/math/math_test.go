package math

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite golden files")

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
	list := &diag.List{}
	doc := &diag.Doc{File: "content/articles/test.md", Src: src, List: list}
	pc := parser.NewContext()
	diag.Attach(pc, doc)
	var b bytes.Buffer
	if err := md.Convert(src, &b, parser.WithContext(pc)); err != nil {
		t.Fatalf("Convert: %v", err)
	}
	c := converted{html: b.String(), needs: doc.Needs("math")}
	for _, p := range list.Sorted() {
		c.problems = append(c.problems, p.Error())
	}
	return c
}

func section(ar *txtar.Archive, name string) ([]byte, bool) {
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

func setSection(ar *txtar.Archive, name string, data []byte) {
	for i, f := range ar.Files {
		if f.Name == name {
			ar.Files[i].Data = data
			return
		}
	}
	ar.Files = append(ar.Files, txtar.File{Name: name, Data: data})
}

func lines(s []string) []byte {
	if len(s) == 0 {
		return nil
	}
	return []byte(strings.Join(s, "\n") + "\n")
}

// TestGolden converts testdata/*.txtar's input.md and compares the HTML
// (output.html), the problems (problems) and whether the page needs the math
// assets (needs). Refresh with: go test ./site/markdown/math -update
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	engines := []struct {
		name string
		ext  func(t *testing.T) *Extender
	}{
		{"goja", func(*testing.T) *Extender { return gojaExt() }},
		{"node", func(t *testing.T) *Extender { requireNode(t); return ext() }},
	}
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) { testGolden(t, files, newMD(eng.ext(t)), *update && eng.name == "goja") })
	}
}

func testGolden(t *testing.T, files []string, md goldmark.Markdown, update bool) {
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			input, ok := section(ar, "input.md")
			if !ok {
				t.Fatalf("%s has no input.md", file)
			}
			got := convert(t, md, input)
			needs := []byte("no\n")
			if got.needs {
				needs = []byte("math\n")
			}
			if update {
				setSection(ar, "output.html", []byte(got.html))
				setSection(ar, "problems", lines(got.problems))
				setSection(ar, "needs", needs)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, ok := section(ar, "output.html")
			if !ok {
				t.Fatalf("%s has no output.html; run with -update", file)
			}
			if diff := cmp.Diff(string(want), got.html); diff != "" {
				t.Errorf("output.html (-want +got):\n%s", diff)
			}
			wantProblems, _ := section(ar, "problems")
			if diff := cmp.Diff(string(wantProblems), string(lines(got.problems))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			wantNeeds, _ := section(ar, "needs")
			if diff := cmp.Diff(string(wantNeeds), string(needs)); diff != "" {
				t.Errorf("needs (-want +got):\n%s", diff)
			}
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
