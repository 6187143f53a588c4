package math

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// TestFootnotes: with Footnotes, display math opened in a footnote
// definition reads the lines after it up to its "$$" (as on Zenn, whose
// math block reads lazy lines); the text after the definition is a
// paragraph of the document.
func TestFootnotes(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // each display formula's TeX and whether it closed
	}{
		{"lazy lines", "x[^4]\n\n[^4]: $$\n\\begin{align*} a \\end{align*}\nb\n$$\n\nafter\n", []string{"\\begin{align*} a \\end{align*}\nb closed"}},
		{"indented lines", "x[^4]\n\n[^4]: $$\n    a\n    $$\n", []string{"a closed"}},
		{"through a blank line, as on Zenn", "x[^4]\n\n[^4]: $$\na\n\nb\n$$\n", []string{"a\n\nb closed"}},
	}
	md := goldmark.New(goldmark.WithExtensions(extension.Footnote, gojaExt(), Footnotes{}))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := []byte(tc.src)
			doc := md.Parser().Parse(text.NewReader(src))
			var got []string
			_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
				if m, ok := n.(*DisplayMath); ok && entering {
					state := "open"
					if m.Closed {
						state = "closed"
					}
					got = append(got, m.tex(src)+" "+state)
				}
				return ast.WalkContinue, nil
			})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("formulas (-want +got):\n%s", diff)
			}
		})
	}
}
