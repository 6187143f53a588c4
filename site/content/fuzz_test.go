package content

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/kiji-ssg/kiji/site/diag"
)

var frontMatterSeeds = []string{
	"",
	"---\n---\n",
	"---\ntitle: \"ECS と EKS\"\nemoji: \"🐳\"\ntype: tech\ntopics: [aws, \"C++\"]\npublished: true\npublished_at: 2023-10-20 09:00\n---\n本文\n",
	"---\ntitle: a\n",
	"---\ntitle: [1\n---\n",
	"---\ntitle: \"a\x01\"\n---\n",
	"---\r\ntitle: a\r\n---\r\n",
	"---\n- a\n- b\n---\n",
	"---\n&a x: *a\n---\n",
	"---\na: &a [*a]\n---\n",
	"---\n? [a, b]\n: c\n---\n",
	"---\ntitle: a\ntitle: b\n---\n",
	"---\ntopics:\n  - a\n  -\n  - [x]\n---\n",
	"---\n!!binary x: y\n---\n",
	"---\nx: !!int abc\n---\n",
	"---\n\"\\u00\": 1\n---\n",
	"--- \n# only a comment\n---\n",
	"---\na: |\n  x\n b\n---\n",
	"---\n{a: 1, b: [}\n---\n",
	"\xef\xbb\xbf---\ntitle: bom\n---\n",
	"---\nx: &x \"T\"\ntitle: *x\n---\n",
	"---\na: &a [x,x,x]\nb: &b [*a,*a,*a]\nc: &c [*b,*b,*b]\ntitle: *c\n---\n",
	"---\na: &a {x: *a}\ntitle: [*a, *b]\n---\n",
}

// FuzzSplitFrontMatter: never panics, and the body keeps every line of
// the file (byte offsets map to the file's lines).
func FuzzSplitFrontMatter(f *testing.F) {
	for _, s := range frontMatterSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		yml, body, end, err := SplitFrontMatter(src)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("error %T is not a *SyntaxError", err)
			}
			return
		}
		if len(body) != len(src) {
			t.Fatalf("body has %d bytes, the file %d", len(body), len(src))
		}
		if strings.Count(string(body), "\n") != strings.Count(string(src), "\n") {
			t.Fatalf("body has another number of lines than the file")
		}
		if end > 0 && len(yml) > len(src) {
			t.Fatalf("yaml longer than the file")
		}
		if end == 0 && yml != nil {
			t.Fatalf("yaml without a front matter")
		}
	})
}

// FuzzParseFrontMatter: never panics or hangs; every position is inside
// the YAML's lines.
func FuzzParseFrontMatter(f *testing.F) {
	for _, s := range frontMatterSeeds {
		if yml, _, end, err := SplitFrontMatter([]byte(s)); err == nil && end > 0 {
			f.Add(yml)
		}
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, yml []byte) {
		done := make(chan struct{})
		var fm *FrontMatter
		var err error
		go func() {
			defer close(done)
			fm, err = ParseFrontMatter(yml, 2)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("ParseFrontMatter hangs on %q", yml)
		}
		// YAML also breaks lines at a lone CR (Load turns CRs into LFs first).
		lines := strings.Count(string(yml), "\n") + strings.Count(string(yml), "\r") + 1
		if err != nil {
			se, ok := err.(*SyntaxError)
			if !ok {
				t.Fatalf("error %T is not a *SyntaxError", err)
			}
			if se.Line < 1 || se.Msg == "" {
				t.Fatalf("syntax error without a line or message: %+v", se)
			}
			return
		}
		for _, fl := range fm.Fields {
			if fl.Line < 2 || fl.Line > lines+1 {
				t.Fatalf("field %q at line %d, outside the YAML's lines 2..%d", fl.Key, fl.Line, lines+1)
			}
			for _, it := range fl.Items {
				if it.Line < 2 || it.Line > lines+1 {
					t.Fatalf("item of %q at line %d, outside the YAML's lines", fl.Key, it.Line)
				}
			}
		}
	})
}

// FuzzTopicSlug: a topic slug is a safe URL segment.
func FuzzTopicSlug(f *testing.F) {
	for _, s := range []string{"", "Go", "C++", "C#", "..", "../etc", "a/b", "Next.js", " 日本語 ", "-", "_", "a--b", "\x00", "ǅ", "İ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slug := TopicSlug(s)
		if strings.Contains(slug, "/") || strings.Contains(slug, "..") || strings.Contains(slug, "\\") {
			t.Fatalf("TopicSlug(%q) = %q", s, slug)
		}
		if slug == "." || strings.HasPrefix(slug, "-") || strings.HasSuffix(slug, "-") {
			t.Fatalf("TopicSlug(%q) = %q", s, slug)
		}
		if !utf8.ValidString(slug) && utf8.ValidString(s) {
			t.Fatalf("TopicSlug(%q) = %q is not UTF-8", s, slug)
		}
		if TopicSlug(slug) != slug {
			t.Fatalf("TopicSlug is not idempotent: %q → %q → %q", s, slug, TopicSlug(slug))
		}
	})
}

// FuzzLoadBook: a book folder with any config and chapter never panics;
// chapter slugs are safe URL segments.
func FuzzLoadBook(f *testing.F) {
	f.Add(goodConfig, "intro", chapter("a"))
	f.Add("title: t\nchapters: [../x, \"a/b\", 1.c]\n", "1.c", "---\ntitle: x\nfree: 1\n---\n")
	f.Add("chapters:\n  - - a\n", "a", "")
	f.Add("price: .nan\n", "2.x", "---\n")
	f.Add("price: 1e400\nchapters: {}\n", "x.y.z", "no front matter")
	f.Fuzz(func(t *testing.T, config, name, chapterSrc string) {
		if !fsValid(name) {
			return
		}
		fsys := fstest.MapFS{
			"books/fuzz/config.yaml":     {Data: []byte(config)},
			"books/fuzz/" + name + ".md": {Data: []byte(chapterSrc)},
		}
		var l diag.List
		s := Load(fsys, Options{Drafts: true}, &l)
		for _, b := range append(s.Books, s.DraftBooks...) {
			for _, ch := range b.Chapters {
				if !ValidChapterSlug(ch.Slug) || strings.Contains(ch.Slug, "/") || strings.Contains(ch.Slug, "..") {
					t.Fatalf("chapter slug %q is not a safe segment", ch.Slug)
				}
			}
		}
		for _, p := range l.Sorted() {
			if p.Msg == "" {
				t.Fatalf("problem without a message: %+v", p)
			}
		}
	})
}

func fsValid(name string) bool {
	return name != "" && !strings.ContainsAny(name, "/\x00") && name != "." && name != ".." && utf8.ValidString(name)
}
