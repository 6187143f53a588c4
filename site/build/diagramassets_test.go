package build

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	stylesheetLink = regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`)
	cssURL         = regexp.MustCompile(`url\(([^)"]+)\)`)
)

// TestDiagramStylesheets checks that a page with a D2 diagram links the
// diagrams' shared stylesheet (and the Markdown one when a diagram has
// Markdown labels), that a page without links neither, and that the
// stylesheet's font files are written beside it.
func TestDiagramStylesheets(t *testing.T) {
	root := testSite(t, map[string]string{
		"content/articles/plain.md": article("plain", true, "2025-01-01"),
		"content/articles/d2.md":    article("d2", true, "2025-01-02") + "\n```d2\na -> b: Fargate\n```\n",
		"content/articles/md.md":    article("md", true, "2025-01-03") + "\n```d2\na: |md\n  # 見出し\n|\na -> b\n```\n",
	})
	buildSite(t, Options{Root: root, BaseURL: "https://example.com/blog/"})
	dest := filepath.Join(root, "public")
	d2Links := func(rel string) []string {
		var out []string
		for _, m := range stylesheetLink.FindAllStringSubmatch(string(readOut(t, dest, rel)), -1) {
			if strings.Contains(m[1], "/d2") {
				out = append(out, path.Base(m[1]))
			}
		}
		return out
	}
	d2 := d2Links("articles/d2/index.html")
	if len(d2) != 1 || !regexp.MustCompile(`^d2\.[0-9a-f]{10}\.css$`).MatchString(d2[0]) {
		t.Fatalf("the page with a diagram links %q, want the fingerprinted d2.css", d2)
	}
	tests := []struct {
		page string
		want []string
	}{
		{"articles/plain/index.html", nil},
		{"index.html", nil},
		{"articles/d2/index.html", d2},
		{"articles/md/index.html", append(d2, "d2-md")},
	}
	for _, tt := range tests {
		got := d2Links(tt.page)
		if len(got) == 2 {
			got[1] = strings.SplitN(got[1], ".", 2)[0]
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: diagram stylesheets (-want +got):\n%s", tt.page, diff)
		}
	}
	css := string(readOut(t, dest, "assets/"+d2[0]))
	fonts := cssURL.FindAllStringSubmatch(css, -1)
	if len(fonts) < 7 {
		t.Fatalf("d2.css names %d font files, want one or more for each of D2's 7 faces", len(fonts))
	}
	for _, m := range fonts {
		data, err := os.ReadFile(filepath.Join(dest, "assets", m[1]))
		if err != nil || !strings.HasPrefix(string(data), "wOFF") {
			t.Errorf("d2.css names %s, which is not a WOFF font written beside it (%v)", m[1], err)
		}
	}
}
