package htmlsafe_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/kiji-ssg/kiji/site/htmlsafe"
	"github.com/kiji-ssg/kiji/site/markdown/zenn"
)

// TestKijiOutputPasses: everything kiji's Markdown extensions write (the
// expected outputs of their golden tests: code, diagrams, math, mermaid,
// score tables and charts, Zenn's blocks, embeds and cards) and the seed
// article's page pass the safe policy byte for byte, with nothing removed.
func TestKijiOutputPasses(t *testing.T) {
	files, _ := filepath.Glob("../markdown/*/testdata/*.txtar")
	more, _ := filepath.Glob("../markdown/*/testdata/*/*.txtar")
	files = append(files, more...)
	if len(files) < 40 {
		t.Fatalf("found only %d golden files", len(files))
	}
	p := htmlsafe.Safe(zenn.IframeHosts...)
	check := func(t *testing.T, page []byte) {
		var removed []string
		got := p.Sanitize(nil, page, &htmlsafe.Hooks{Removed: func(what string, _ int) { removed = append(removed, what) }})
		if diff := cmp.Diff(string(page), string(got)); diff != "" {
			t.Errorf("changed (-want +got):\n%s", diff)
		}
		if len(removed) > 0 {
			t.Errorf("removed %s", strings.Join(removed, ", "))
		}
	}
	for _, f := range files {
		ar, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range ar.Files {
			if s.Name == "output.html" {
				t.Run(strings.TrimPrefix(f, "../markdown/"), func(t *testing.T) { check(t, s.Data) })
			}
		}
	}
	t.Run("seed", func(t *testing.T) { check(t, seedHTML(t)) })
}
