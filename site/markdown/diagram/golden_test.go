package diagram

import (
	"testing"

	"github.com/kiji-ssg/kiji/site/markdown/golden"
)

// TestGolden converts the input.md of every testdata/*.txtar and compares
// the HTML with output.html and the problems with problems. Refresh with
// go test ./site/markdown/diagram -update.
func TestGolden(t *testing.T) {
	x := New()
	golden.Run(t, "testdata/*.txtar", func(t *testing.T, a *golden.Archive) []golden.Output {
		html, ps := convert(t, x, "input.md", string(a.Input(t)))
		return []golden.Output{{Name: "output.html", Data: []byte(html)}, {Name: "problems", Data: golden.Lines(ps)}}
	})
}
