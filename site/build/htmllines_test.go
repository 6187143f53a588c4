package build

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiji-ssg/kiji/site/diag"
)

// TestBrokenLinkInHTMLLine: a broken image that no Markdown image wrote —
// one inside a D2 Markdown label, a raw <img> in trusted HTML — is
// reported at the article's line, not against the theme's template.
func TestBrokenLinkInHTMLLine(t *testing.T) {
	for _, tc := range []struct {
		name  string
		trust bool
		body  string
		line  int // in the body; the front matter adds its own lines
		col   int // of the URL
	}{
		{"d2 markdown label", false, "Text.\n\n```d2\na: |md\n  # 図\n  ![壊れた](/images/missing.png)\n|\n```\n", 6, 10},
		{"raw img, trusted", true, "Text.\n\n<div>\n  <img src=\"/images/nope.png\" alt=\"x\">\n</div>\n", 4, 13},
		{"inline raw img, trusted", true, "Line one\nline two <img src=\"/images/inline.png\">\n", 2, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			front := builderArticle("Lines", `"go"`, "")
			writeFile(t, filepath.Join(root, "content/articles/x.md"), front+tc.body)
			writeFile(t, filepath.Join(root, "kiji.yaml"), "title: Lines\nbase_url: https://example.com/\nmarkdown:\n  trust_html: "+map[bool]string{true: "true", false: "false"}[tc.trust]+"\n")
			_, err := Build(context.Background(), Options{Root: root, Offline: true})
			errs, ok := diag.AsErrors(err)
			if !ok {
				t.Fatalf("build: %v, want the broken image reported", err)
			}
			var got []string
			found := false
			wantLine := strings.Count(front, "\n") + tc.line
			for _, p := range errs.Problems {
				got = append(got, p.Error())
				if p.Rule == "broken-link" && strings.HasSuffix(filepath.ToSlash(p.File), "articles/x.md") && p.Line == wantLine && p.Col == tc.col {
					found = true
				}
			}
			if !found {
				t.Errorf("want the broken image at articles/x.md:%d:%d; got\n%s", wantLine, tc.col, strings.Join(got, "\n"))
			}
		})
	}
}
