package build

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/markdown/golden"
)

// zennNow is the build time of the Zenn repository tests.
var zennNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// buildZennRepo builds a Zenn repository folder as `kiji build --source
// DIR` does (no kiji.yaml), with a deadline: a build must never hang.
func buildZennRepo(t *testing.T, source string) (*Report, string, error) {
	t.Helper()
	return buildZennRepoWith(t, source, nil)
}

// buildZennRepoWith is buildZennRepo with options changed by set.
func buildZennRepoWith(t *testing.T, source string, set func(*Options)) (*Report, string, error) {
	t.Helper()
	tmp := t.TempDir()
	dest := filepath.Join(tmp, "public")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	done := make(chan struct{})
	var rep *Report
	var err error
	go func() {
		defer close(done)
		opts := Options{
			Root:     tmp,
			Source:   source,
			Dest:     dest,
			CacheDir: filepath.Join(tmp, "cache"),
			BaseURL:  "https://example.com/",
			Offline:  true,
			Now:      zennNow,
			Workers:  4,
			// The fixtures are in kiji's repository, whose history
			// (shallow in a CI clone) is not theirs.
			NoGit: true,
		}
		if set != nil {
			set(&opts)
		}
		rep, err = Build(ctx, opts)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Minute):
		t.Fatalf("building %s hangs", source)
	}
	if rep == nil {
		t.Fatalf("building %s returned no report (err %v)", source, err)
	}
	return rep, dest, err
}

// zennExpect is a problem zenn-cli (or, where zenn-cli is silent, kiji's
// link check) gives for one of the tricky files of testdata/zennrepo,
// as a build with --zenn-strict reports it.
type zennExpect struct {
	file string // relative to the repository
	line int
	sev  diag.Severity
	rule string
	why  string
}

var zennRepoExpected = []zennExpect{
	{"articles/control-char-01.md", 2, diag.Error, "front-matter-control", "YAML forbids the control character (zenn-cli: gray-matter fails; zenn.dev publishes the article without it: a warning without --zenn-strict)"},
	{"articles/too-many-topics.md", 5, diag.Error, "too-many-topics", "zenn-cli: critical too-many-topics"},
	{"articles/topic-symbols-01.md", 5, diag.Warning, "invalid-topic-letters", "zenn-cli: warning invalid-topic-letters (C++, a space, Next.js)"},
	{"articles/published-at-wrong.md", 7, diag.Error, "published-at-parse", "zenn-cli: critical published-at-parse"},
	{"articles/uses-tags-instead.md", 5, diag.Warning, "use-tags", "zenn-cli: warning use-tags"},
	{"articles/uses-tags-instead.md", 1, diag.Warning, "missing-topics", "zenn-cli: warning missing-topics"},
	{"articles/draft-article-01.md", 2, diag.Warning, "missing-title", "an unpublished draft does not fail the build"},
	{"articles/missing-image-01.md", 11, diag.Error, "broken-link", "zenn-cli: critical body error (the image file does not exist)"},
	{"articles/relative-image-1.md", 11, diag.Error, "broken-link", "zenn-cli: critical body error (a relative image path)"},
	{"articles/broken-anchors-01.md", 11, diag.Error, "broken-link", "zenn-cli says nothing; kiji's link check finds the missing heading"},
	{"books/broken-book-0001/config.yml", 5, diag.Error, "book-price-fraction", "zenn-cli: critical book-price-fraction (250)"},
	{"books/broken-book-0001/config.yml", 8, diag.Warning, "chapter-missing", "a listed chapter without a file, at its line in config.yml (zenn-cli ignores the entry)"},
	{"books/broken-book-0001/config.yml", 9, diag.Error, "book-chapters-format", "zenn-cli: critical book-chapters-format (intro.md)"},
	{"books/broken-book-0001/config.yml", 0, diag.Warning, "missing-book-cover", "zenn-cli: warning missing-book-cover"},
	{"books/broken-book-0001/intro.md", 3, diag.Error, "chapter-free-type", "zenn-cli: critical chapter-free-type (free: \"true\")"},
	{"books/broken-book-0001/unlisted.md", 0, diag.Warning, "chapter-unlisted", "a chapter file not in chapters: Zenn ignores it"},
}

// zennRepoClean are the files of testdata/zennrepo that must build without
// any problem: valid files, and tricky ones Zenn renders without a word.
var zennRepoClean = []string{
	"articles/valid-article-01.md",
	"articles/unclosed-fence-01.md",
	"articles/footnote-no-colon.md",
	"articles/published-at-date.md",
	"articles/crlf-bom-article.md",
	"books/valid-book-0001/",
}

// TestZennRepository builds a Zenn repository folder unmodified (README,
// package.json, .keep files and all) holding the mistakes real repositories
// contain. Every mistake is reported at its file and line, with the
// severity zenn-cli gives it; the valid files have no problem; and once
// the files with errors are removed, the rest builds.
func TestZennRepository(t *testing.T) {
	const src = "testdata/zennrepo"
	rep, _, err := buildZennRepo(t, src)
	if err == nil {
		t.Fatal("the build succeeded; the fixture has errors")
	}
	if _, ok := diag.AsErrors(err); !ok {
		t.Fatalf("the build failed for another reason than the content: %v", err)
	}
	var lines []string
	for _, p := range rep.Problems {
		lines = append(lines, p.Error())
		if p.Rule == "internal" {
			t.Errorf("kiji crashed on a file: %s", p.Error())
		}
	}
	golden.File(t, filepath.Join("testdata", "zennrepo.problems"), strings.Join(lines, "\n")+"\n")

	strict, _, err := buildZennRepoWith(t, src, func(o *Options) { o.ZennStrict = true })
	if err == nil {
		t.Fatal("the strict build succeeded; the fixture has errors")
	}
	for _, e := range zennRepoExpected {
		found := false
		for _, p := range strict.Problems {
			if p.File == src+"/"+e.file && p.Line == e.line && p.Severity == e.sev && p.Rule == e.rule {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s %s at %s:%d (%s)", e.sev, e.rule, e.file, e.line, e.why)
		}
	}
	for _, p := range rep.Problems {
		for _, f := range zennRepoClean {
			if strings.HasPrefix(p.File, src+"/"+f) {
				t.Errorf("a valid file has a problem: %s", p.Error())
			}
		}
	}

	// Without the files that have errors, the same repository builds.
	dir := copyTree(t, src)
	removed := map[string]bool{}
	for _, p := range rep.Problems {
		if p.Severity != diag.Error {
			continue
		}
		rel := strings.TrimPrefix(p.File, src+"/")
		if strings.HasPrefix(rel, "books/") { // a broken book goes whole
			rel = strings.Join(strings.SplitN(rel, "/", 3)[:2], "/")
		}
		if !removed[rel] {
			removed[rel] = true
			if err := os.RemoveAll(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
				t.Fatal(err)
			}
		}
	}
	rep2, dest, err := buildZennRepo(t, dir)
	if err != nil {
		t.Fatalf("without the files with errors (%v) the build still fails: %v", keys(removed), err)
	}
	if rep2.Errors != 0 {
		t.Errorf("%d errors", rep2.Errors)
	}
	for _, a := range []string{"valid-article-01", "unclosed-fence-01", "footnote-no-colon", "published-at-date", "crlf-bom-article", "topic-symbols-01", "uses-tags-instead"} {
		readOut(t, dest, "articles/"+a+"/index.html")
	}
	if _, err := os.Stat(filepath.Join(dest, "articles", "draft-article-01")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the draft was built (%v)", err)
	}
	// The unclosed fence runs to the end of the file, as on Zenn.
	if b := readOut(t, dest, "articles/unclosed-fence-01/index.html"); !strings.Contains(string(b), "never closed") || strings.Contains(string(b), `id="見出しに見えるがコードの中"`) {
		t.Errorf("the unclosed code block does not run to the end of the file")
	}
	checkBook(t, dest, "valid-book-0001", []string{"introduction", "setup", "conclusion"}, "cover.png")
	crawl(t, dest, "/")
}

// TestZennValidRepository builds a small valid Zenn repository with a
// book: no problem at all, every link and anchor resolves (articles link
// to chapters and their headings, chapters to articles), and the book's
// pages link their chapters in order.
func TestZennValidRepository(t *testing.T) {
	rep, dest, err := buildZennRepo(t, "testdata/zennvalid")
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	for _, p := range rep.Problems {
		t.Errorf("problem: %s", p.Error())
	}
	if rep.Books != 1 || rep.Articles != 2 {
		t.Errorf("built %d books and %d articles, want 1 and 2", rep.Books, rep.Articles)
	}
	// 1.intro.md, 2.install.md, 10.summary.md: in the order of n, and the
	// URL is the slug without n.
	checkBook(t, dest, "go-book-sample", []string{"intro", "install", "summary"}, "cover.png")
	if n := crawl(t, dest, "/"); n < 10 {
		t.Errorf("only %d pages", n)
	}
	// The book is on the home page, the topic page and /books/.
	for _, p := range []string{"index.html", "topics/go/index.html", "books/index.html"} {
		if !contains(links(t, readOut(t, dest, p)), "/books/go-book-sample/") {
			t.Errorf("%s does not link the book", p)
		}
	}
	// The topic zenn has no book: its page does not link it.
	if contains(links(t, readOut(t, dest, "topics/zenn/index.html")), "/books/go-book-sample/") {
		t.Errorf("topics/zenn links the book, which is not about zenn")
	}
	// A chapter's headings have ids that articles link to.
	if !strings.Contains(string(readOut(t, dest, "books/go-book-sample/install/index.html")), `id="インストール手順"`) {
		t.Errorf("the chapter's heading has no id")
	}
}

// checkBook checks a built book: its page lists the chapters in order and
// shows the cover; each chapter links the book and its neighbours.
func checkBook(t *testing.T, dest, slug string, chapters []string, cover string) {
	t.Helper()
	base := "/books/" + slug + "/"
	bookPage := readOut(t, dest, "books/"+slug+"/index.html")
	var want []string
	for _, c := range chapters {
		want = append(want, base+c+"/")
	}
	var got []string
	for _, l := range links(t, bookPage) {
		if strings.HasPrefix(l, base) && l != base && !strings.HasSuffix(l, cover) && !contains(got, l) {
			got = append(got, l)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("chapters on the page of %s (-want +got):\n%s", slug, diff)
	}
	if cover != "" {
		readOut(t, dest, "books/"+slug+"/"+cover)
		if !strings.Contains(string(bookPage), `src="`+base+cover+`"`) {
			t.Errorf("the page of %s does not show its cover", slug)
		}
	}
	for i, c := range chapters {
		page := readOut(t, dest, "books/"+slug+"/"+c+"/index.html")
		rels := relLinks(t, page)
		var prev, next string
		if i > 0 {
			prev = base + chapters[i-1] + "/"
		}
		if i+1 < len(chapters) {
			next = base + chapters[i+1] + "/"
		}
		if rels["prev"] != prev || rels["next"] != next {
			t.Errorf("chapter %s: prev %q next %q, want %q and %q", c, rels["prev"], rels["next"], prev, next)
		}
		if !contains(links(t, page), base) {
			t.Errorf("chapter %s does not link back to its book", c)
		}
	}
}

// links returns the href of every <a> in a page.
func links(t *testing.T, page []byte) []string {
	t.Helper()
	var out []string
	walkHTML(t, page, func(n *html.Node) {
		if n.Data == "a" {
			if v := attr(n, "href"); v != "" {
				out = append(out, v)
			}
		}
	})
	return out
}

// relLinks returns the href of each <a rel=…> in a page, by rel.
func relLinks(t *testing.T, page []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	walkHTML(t, page, func(n *html.Node) {
		if n.Data == "a" && attr(n, "rel") != "" {
			out[attr(n, "rel")] = attr(n, "href")
		}
	})
	return out
}

func walkHTML(t *testing.T, page []byte, f func(*html.Node)) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(string(page)))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			f(n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// copyTree copies a fixture folder into a temporary folder.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), path.Base(src))
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestBookRebuild: a rebuild with nothing changed writes nothing; a
// chapter's new text rewrites only its page; a new chapter title also
// rewrites its neighbours (their prev/next links) and the book's page.
func TestBookRebuild(t *testing.T) {
	src := copyTree(t, "testdata/zennvalid")
	tmp := t.TempDir()
	opts := Options{Root: tmp, Source: src, Dest: filepath.Join(tmp, "public"), CacheDir: filepath.Join(tmp, "cache"),
		BaseURL: "https://example.com/", Offline: true, Now: zennNow}
	build := func() *Report {
		t.Helper()
		rep, err := Build(context.Background(), opts)
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		return rep
	}
	page := func(rel string) string { return string(readOut(t, opts.Dest, rel)) }
	build()
	if rep := build(); rep.Written != 0 {
		t.Errorf("a rebuild with nothing changed wrote %d files", rep.Written)
	}
	install := filepath.Join(src, "books", "go-book-sample", "2.install.md")
	b, _ := os.ReadFile(install)
	fi, _ := os.Stat(install)
	os.WriteFile(install, []byte(strings.Replace(string(b), "へ。", "へ戻る。", 1)), 0o644)
	// Saved a minute later: the book is updated then, in the feeds and
	// the sitemap (see content/dates.go).
	os.Chtimes(install, fi.ModTime().Add(time.Minute), fi.ModTime().Add(time.Minute))
	before := page("books/go-book-sample/intro/index.html")
	rep := build()
	if !strings.Contains(page("books/go-book-sample/install/index.html"), "へ戻る。") {
		t.Errorf("a chapter's new text is not on its page")
	}
	if diff := cmp.Diff([]string{"books/go-book-sample/install/index.html", "feed.xml", "sitemap.xml", "topics/go/feed.xml"}, withoutSearch(rep.Changed)); diff != "" {
		t.Errorf("a chapter's new text: files written (-want +got):\n%s", diff)
	}
	b, _ = os.ReadFile(install)
	os.WriteFile(install, []byte(strings.Replace(string(b), "title: \"インストール\"", "title: \"導入\"", 1)), 0o644)
	build()
	for _, rel := range []string{"books/go-book-sample/intro/index.html", "books/go-book-sample/summary/index.html", "books/go-book-sample/index.html"} {
		if !strings.Contains(page(rel), "導入") {
			t.Errorf("%s does not show the new title of chapter 2", rel)
		}
	}
	if page("books/go-book-sample/intro/index.html") == before {
		t.Errorf("chapter 1 kept the old title of its next chapter")
	}
}
