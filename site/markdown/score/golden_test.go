package score

import (
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/kiji-ssg/kiji/site/markdown/golden"
)

// convert renders src with GFM and the score extension, and returns the
// HTML and the problems as file:line:col: message lines.
func convert(t testing.TB, src []byte) (string, string) {
	t.Helper()
	return convertWith(t, newMarkdown(), src)
}

func newMarkdown() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(extension.GFM, Extension))
}

// convertWith converts with a given converter.
func convertWith(t testing.TB, md goldmark.Markdown, src []byte) (string, string) {
	t.Helper()
	r := golden.Convert(t, md, "input.md", src)
	return r.HTML, string(r.ProblemLines())
}

// TestGolden converts the input.md of each testdata/*.txtar and compares
// the HTML with output.html and the problems with problems.
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata/*.txtar", func(t *testing.T, a *golden.Archive) []golden.Output {
		html, problems := convert(t, a.Input(t))
		// the same input must give the same bytes
		html2, problems2 := convert(t, a.Input(t))
		if html != html2 || problems != problems2 {
			t.Errorf("output is not deterministic")
		}
		return []golden.Output{{Name: "output.html", Data: []byte(html)}, {Name: "problems", Data: []byte(problems)}}
	})
}
