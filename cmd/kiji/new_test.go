package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/content"
	"github.com/kiji-ssg/kiji/site/diag"
)

// runKiji runs the command line without changing directory.
func runKiji(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), getenv: func(string) string { return "" }}, args)
	return code, out.String(), errb.String()
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// loadContent reads a content folder as a build does.
func loadContent(t *testing.T, dir string, drafts bool) (*content.Site, []diag.Problem) {
	t.Helper()
	var l diag.List
	s := content.Load(os.DirFS(dir), content.Options{Drafts: drafts}, &l)
	return s, l.Sorted()
}

func TestNewArticle(t *testing.T) {
	src := filepath.Join(t.TempDir(), "content")
	code, out, errOut := runKiji("new", "article", "my-first-article", "--source", src, "--title", `Go の "入門"`, "--type", "idea")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	p := filepath.Join(src, "articles", "my-first-article.md")
	if out != "created "+p+"\n" {
		t.Errorf("stdout = %q, want the path created", out)
	}
	body := readFile(t, p)
	m := regexp.MustCompile(`emoji: "(.+)"`).FindStringSubmatch(body)
	if m == nil || !contains(newEmojis, m[1]) {
		t.Fatalf("no emoji from the list in:\n%s", body)
	}
	want := "---\ntitle: \"Go の \\\"入門\\\"\"\nemoji: \"" + m[1] + "\"\ntype: \"idea\" # tech: 技術記事 / idea: アイデア\ntopics: []\npublished: false\n---\n"
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
	}
	// kiji reads it back: a draft, left out unless --drafts.
	s, probs := loadContent(t, src, false)
	if len(s.Articles) != 0 || len(s.Drafts) != 1 {
		t.Fatalf("articles %d, drafts %d; want a draft", len(s.Articles), len(s.Drafts))
	}
	a := s.Drafts[0]
	if a.Title != `Go の "入門"` || a.Type != "idea" || a.Emoji != m[1] || a.Published {
		t.Errorf("read back: title %q type %q emoji %q published %v", a.Title, a.Type, a.Emoji, a.Published)
	}
	for _, p := range probs {
		if p.Severity == diag.Error {
			t.Errorf("a new article has an error: %s", p.Error())
		}
	}
}

func TestNewArticleRandomSlugAndFlagsFirst(t *testing.T) {
	src := filepath.Join(t.TempDir(), "content")
	slugRE := regexp.MustCompile(`^created .*/articles/([0-9a-z]{14})\.md\n$`)
	seen := map[string]bool{}
	for i := 0; i < 3; i++ {
		code, out, errOut := runKiji("new", "--source", src, "--published", "article")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		m := slugRE.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("stdout %q does not name a new file with a 14-character slug", out)
		}
		if seen[m[1]] {
			t.Errorf("slug %s given twice", m[1])
		}
		seen[m[1]] = true
		if body := readFile(t, filepath.Join(src, "articles", m[1]+".md")); !strings.Contains(body, "\npublished: true\n") || !strings.Contains(body, "title: \"\"\n") {
			t.Errorf("--published or the empty title is not written:\n%s", body)
		}
	}
}

func TestNewBook(t *testing.T) {
	src := filepath.Join(t.TempDir(), "content")
	code, out, errOut := runKiji("new", "book", "my-first-book", "--title", "本", "--summary", "説明", "--source", src)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	dir := filepath.Join(src, "books", "my-first-book")
	wantOut := "created " + filepath.Join(dir, "config.yaml") + "\ncreated " + filepath.Join(dir, "example1.md") + "\ncreated " + filepath.Join(dir, "example2.md") + "\n"
	if out != wantOut {
		t.Errorf("stdout (-want +got):\n%s", cmp.Diff(wantOut, out))
	}
	wantConfig := "title: \"本\"\nsummary: \"説明\"\ntopics: []\npublished: false\nprice: 0 # 有料の場合200〜5000\n# 本に含めるチャプターを順番に並べましょう\nchapters:\n  - example1\n  - example2\n"
	if diff := cmp.Diff(wantConfig, readFile(t, filepath.Join(dir, "config.yaml"))); diff != "" {
		t.Errorf("config.yaml (-want +got):\n%s", diff)
	}
	if got := readFile(t, filepath.Join(dir, "example2.md")); got != "---\ntitle: \"\"\n---\n" {
		t.Errorf("example2.md = %q", got)
	}
	// kiji reads it back with --drafts: a book with the two chapters.
	s, probs := loadContent(t, src, true)
	if len(s.Books) != 1 || len(s.Books[0].Chapters) != 2 || s.Books[0].Chapters[1].Slug != "example2" || s.Books[0].Title != "本" {
		t.Fatalf("book not read back: %+v", s.Books)
	}
	var rules []string
	for _, p := range probs {
		rules = append(rules, p.Severity.String()+" "+p.Rule)
	}
	// What zenn-cli's preview shows for a new book: the chapters have no
	// title yet, no topics, no cover.
	want := []string{"warning missing-book-cover", "warning missing-topics", "error missing-title", "error missing-title"}
	if diff := cmp.Diff(want, rules); diff != "" {
		t.Errorf("problems of a new book (-want +got):\n%s", diff)
	}
}

func TestNewRefusesToOverwrite(t *testing.T) {
	src := filepath.Join(t.TempDir(), "content")
	if code, _, errOut := runKiji("new", "article", "kept-article-0001", "--source", src); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	p := filepath.Join(src, "articles", "kept-article-0001.md")
	os.WriteFile(p, []byte("my text"), 0o644)
	code, out, errOut := runKiji("new", "article", "kept-article-0001", "--source", src)
	if code != 1 || out != "" || !strings.Contains(errOut, "already exists") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and 'already exists'", code, out, errOut)
	}
	if readFile(t, p) != "my text" {
		t.Errorf("the file was overwritten")
	}

	// A book whose config.yml exists: nothing is written.
	dir := filepath.Join(src, "books", "kept-book-00001")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "config.yml"), []byte("title: x\n"), 0o644)
	code, _, errOut = runKiji("new", "book", "kept-book-00001", "--source", src)
	if code != 1 || !strings.Contains(errOut, "config.yml already exists") {
		t.Errorf("exit %d, stderr %q; want exit 1 naming config.yml", code, errOut)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the refused run left %d files in the book folder, want only config.yml", len(entries))
	}
}

func TestNewUsage(t *testing.T) {
	src := filepath.Join(t.TempDir(), "content")
	for _, tc := range []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no kind", []string{"new"}, 2, "kiji new article"},
		{"unknown kind", []string{"new", "page"}, 2, `not "page"`},
		{"bad slug", []string{"new", "article", "Bad Slug"}, 2, `"Bad Slug" is not allowed`},
		{"slug with a path", []string{"new", "article", "../x"}, 2, "is not allowed"},
		{"too many", []string{"new", "article", "a", "b"}, 2, "at most one slug"},
		{"bad type", []string{"new", "article", "--type", "blog"}, 2, "tech or idea"},
		{"unknown flag", []string{"new", "article", "--nope"}, 2, "nope"},
		{"help", []string{"new", "--help"}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runKiji(append(tc.args, "--source", src)...)
			if code != tc.code || !strings.Contains(errOut, tc.err) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.code, tc.err)
			}
			if tc.code == 0 && !strings.Contains(out, "Usage: kiji new article|book") {
				t.Errorf("help = %q", out)
			}
		})
	}
	if _, err := os.Stat(src); !os.IsNotExist(err) {
		t.Errorf("a refused command created %s", src)
	}
}

func TestNewShortSlugNote(t *testing.T) {
	src := filepath.Join(t.TempDir(), "content")
	code, _, errOut := runKiji("new", "article", "short", "--source", src)
	if code != 0 || !strings.Contains(errOut, "Zenn would reject it") {
		t.Errorf("exit %d, stderr %q; want a note about Zenn's 12 characters", code, errOut)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
