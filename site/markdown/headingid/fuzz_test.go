package headingid

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
)

// FuzzSlug: Slug never yields a path separator or "..", and the ids the
// extension gives headings are never empty and never repeat.
func FuzzSlug(f *testing.F) {
	for _, s := range []string{"", "はじめに", "付録：AWS の比較", "../../etc/passwd", "a/b", "...", "!!!", "C++ と C#", "  ", "\t", "é", "Ǆ", "İstanbul", "section", "section-1", "#", "`code`", "[link](x)", "a\u0301"} {
		f.Add(s)
	}
	md := goldmark.New(goldmark.WithExtensions(extension.GFM, &Extender{}))
	f.Fuzz(func(t *testing.T, s string) {
		slug := Slug(s)
		if strings.Contains(slug, "/") || strings.Contains(slug, "..") || strings.Contains(slug, "\\") {
			t.Fatalf("Slug(%q) = %q", s, slug)
		}
		// The heading text three times (duplicates), plus a heading that
		// is already what a duplicate would become.
		line := strings.ReplaceAll(s, "\n", " ")
		src := "# " + line + "\n\n## " + line + "\n\n### " + line + "\n\n# " + slug + "-1\n\nText\n---\n"
		pc := parser.NewContext()
		var buf bytes.Buffer
		if err := md.Convert([]byte(src), &buf, parser.WithContext(pc)); err != nil {
			t.Fatalf("Convert: %v", err)
		}
		h := From(pc)
		seen := map[string]bool{}
		for _, id := range h.IDs {
			if id == "" {
				t.Fatalf("empty id for %q", s)
			}
			if strings.Contains(id, "/") || strings.Contains(id, "..") {
				t.Fatalf("id %q for %q", id, s)
			}
			if seen[id] {
				t.Fatalf("id %q given twice for %q (ids %q)", id, s, h.IDs)
			}
			seen[id] = true
		}
		for _, id := range h.Aliases {
			if id == "" || seen[id] {
				t.Fatalf("alias %q empty or repeated for %q (ids %q, aliases %q)", id, s, h.IDs, h.Aliases)
			}
			seen[id] = true
		}
		if bytes.Contains(buf.Bytes(), []byte(`id=""`)) {
			t.Fatalf("empty id attribute in %s", buf.Bytes())
		}
	})
}
