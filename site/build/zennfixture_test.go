package build

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/markdown/golden"
)

// testdata/zennfixture is a Zenn repository as authors write them: every
// way they link their pages, the platform rules zenn.dev no longer
// enforces, and the true defects of real repositories (see its README).
const zennFixture = "testdata/zennfixture"

// zennFixtureDefects are its files with true defects. Without them only
// Zenn's platform rules are broken.
var zennFixtureDefects = []string{
	"articles/defect-broken-links.md",
	"articles/defect-front-matter.md",
	"books/fixture-book-two/3.defect.md",
}

// buildFixture builds a copy of the fixture folder src (its kiji.yaml
// included) for https://example.com/repo/, with options changed by set.
func buildFixture(t *testing.T, src string, set func(*Options)) (*Report, string, error) {
	t.Helper()
	return buildZennRepoWith(t, src, func(o *Options) {
		o.Config = filepath.Join(src, "kiji.yaml")
		o.BaseURL = "https://example.com/repo/"
		if set != nil {
			set(o)
		}
	})
}

// fixtureWithoutDefects copies the fixture without its true defects.
func fixtureWithoutDefects(t *testing.T) string {
	t.Helper()
	dir := copyTree(t, zennFixture)
	for _, f := range zennFixtureDefects {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// problemKeys formats problems as "file:line severity rule", the file
// relative to root.
func problemKeys(ps []diag.Problem, root string) []string {
	var out []string
	for _, p := range ps {
		out = append(out, strings.TrimPrefix(p.File, root+"/")+":"+itoa(p.Line)+" "+p.Severity.String()+" "+p.Rule)
	}
	sort.Strings(out)
	return out
}

func itoa(n int) string {
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		n /= 10
		if n == 0 {
			return s
		}
	}
}

// TestZennFixtureDefects: by default the fixture does not build: each
// true defect is an error at its file:line, with what the author most
// likely meant; Zenn's platform rules are only warnings; the summary
// line names on_broken. The problems are kept in a golden file.
func TestZennFixtureDefects(t *testing.T) {
	rep, _, err := buildFixture(t, zennFixture, nil)
	if _, ok := diag.AsErrors(err); !ok {
		t.Fatalf("the build with true defects: err = %v, want content errors", err)
	}
	type defect struct {
		file string
		line int
		msg  string // part of the message
	}
	want := []defect{
		{"articles/defect-broken-links.md", 10, "the link ./sibling-artcle points to /articles/sibling-artcle/, which does not exist; did you mean ./sibling-article?"},
		{"articles/defect-broken-links.md", 12, "did you mean #section-two?"},
		{"articles/defect-broken-links.md", 16, "the image /images/chap_02_bp-function.png does not exist; did you mean /images/chap_02_bp-Function.png? Letter case matters"},
		{"articles/defect-broken-links.md", 18, "the link (https://example.com) is not a valid URL; did you mean https://example.com?"},
		{"articles/defect-front-matter.md", 2, "front matter is not valid YAML"},
		{"books/fixture-book-two/3.defect.md", 5, "did you mean ./usage?"},
	}
	var got []defect
	for _, p := range rep.Problems {
		if p.Severity != diag.Error {
			continue
		}
		d := defect{strings.TrimPrefix(p.File, zennFixture+"/"), p.Line, p.Msg}
		for _, w := range want {
			if w.file == d.file && w.line == d.line && strings.Contains(d.msg, w.msg) {
				d.msg = w.msg
			}
		}
		got = append(got, d)
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(defect{})); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if rep.Publishable != len(want) || !strings.Contains(rep.Summary(), "on_broken: warn") {
		t.Errorf("publishable %d, summary %q: want %d and a line naming on_broken", rep.Publishable, rep.Summary(), len(want))
	}
	var lines []string
	for _, p := range rep.Problems {
		lines = append(lines, p.Error())
	}
	golden.File(t, filepath.Join("testdata", "zennfixture.problems"), strings.Join(lines, "\n")+"\n")
}

// TestZennFixtureLinks: without its true defects the fixture builds with
// warnings only (Zenn's platform rules), and every link means what its
// author meant, written as kiji's URL, under the base path or at the root.
func TestZennFixtureLinks(t *testing.T) {
	src := fixtureWithoutDefects(t)
	for _, tc := range []struct{ name, baseURL, base string }{
		{"sub-path", "https://example.com/repo/", "/repo/"},
		{"root", "", "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, dest, err := buildFixture(t, src, func(o *Options) { o.BaseURL = tc.baseURL })
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			wantWarnings := []string{
				"articles/long-topic-article.md:5 warning topic-length",
				"articles/sibling-article.md:5 warning too-many-topics",
				"books/fixture-book-one/config.yaml:0 warning missing-book-cover",
				"books/fixture-book-one/config.yaml:1 warning book-price-type",
				"books/fixture-book-one/config.yaml:8 warning chapter-duplicate",
				"books/fixture-book-one/config.yaml:9 warning chapter-missing",
				"books/fixture-book-two/config.yaml:0 warning missing-book-cover",
			}
			got := problemKeys(rep.Problems, src)
			if tc.baseURL == "" {
				got = slicesDelete(got, "kiji.yaml:0 warning ") // no base_url
			}
			if diff := cmp.Diff(wantWarnings, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			b := tc.base
			want := []string{
				b + "articles/sibling-article/", b + "articles/sibling-article/",
				b + "articles/sibling-article/#section-two", b + "articles/sibling-article/#section-two",
				b + "articles/sibling-article/", b + "articles/sibling-article/#section-two",
				b + "articles/sibling-article/#section-two", b + "books/fixture-book-one/",
				b + "books/fixture-book-one/second/",
				"https://zenn.dev/fixtureuser/articles/written-in-the-browser",
				"https://zenn.dev/someoneelse/articles/sibling-article",
				b + "books/fixture-book-one/", b + "books/fixture-book-one/first/#chapter-one",
				b + "books/fixture-book-two/usage/", b + "books/fixture-book-two/usage/",
			}
			if diff := cmp.Diff(want, bodyLinks(t, dest, "articles/links-from-article/index.html")); diff != "" {
				t.Errorf("links of the article (-want +got):\n%s", diff)
			}
			want = []string{
				b + "books/fixture-book-one/second/", b + "books/fixture-book-one/second/#chapter-two",
				b + "books/fixture-book-one/second/", b + "books/fixture-book-one/",
				b + "books/fixture-book-two/usage/#usage-heading", b + "books/fixture-book-two/intro/",
				b + "articles/sibling-article/#section-two", b + "articles/sibling-article/",
			}
			if diff := cmp.Diff(want, bodyLinks(t, dest, "books/fixture-book-one/first/index.html")); diff != "" {
				t.Errorf("links of the chapter (-want +got):\n%s", diff)
			}
			// The book is built without the duplicate and the missing entry.
			checkBookAt(t, dest, b, "fixture-book-one", []string{"first", "second"})
			if _, problems := crawlProblems(t, dest, b); len(problems) > 0 {
				t.Errorf("the crawl finds broken links:\n%s", strings.Join(problems, "\n"))
			}
		})
	}
}

func slicesDelete(list []string, prefix string) []string {
	var out []string
	for _, s := range list {
		if !strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// bodyLinks returns the href of every link in a page's article body.
func bodyLinks(t *testing.T, dest, rel string) []string {
	t.Helper()
	var out []string
	var walk func(n *html.Node, in bool)
	walk = func(n *html.Node, in bool) {
		if n.Type == html.ElementNode {
			if strings.Contains(" "+attr(n, "class")+" ", " article-body ") {
				in = true
			}
			if in && n.Data == "a" && !strings.HasPrefix(attr(n, "href"), "#") {
				out = append(out, attr(n, "href"))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	doc, err := html.Parse(strings.NewReader(string(readOut(t, dest, rel))))
	if err != nil {
		t.Fatal(err)
	}
	walk(doc, false)
	return out
}

// checkBookAt checks that a book's page lists exactly these chapters.
func checkBookAt(t *testing.T, dest, base, slug string, chapters []string) {
	t.Helper()
	prefix := base + "books/" + slug + "/"
	var got []string
	for _, l := range links(t, readOut(t, dest, "books/"+slug+"/index.html")) {
		if strings.HasPrefix(l, prefix) && l != prefix && !contains(got, l) {
			got = append(got, l)
		}
	}
	var want []string
	for _, c := range chapters {
		want = append(want, prefix+c+"/")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("chapters of %s (-want +got):\n%s", slug, diff)
	}
}

// TestZennFixtureOnBrokenWarn: with on_broken: warn the fixture is
// published whole: each true defect is a warning, the article whose
// front matter cannot be read is left out, the others are built as they
// are; a crawl of the output finds exactly the broken links the content
// has, and nothing else.
func TestZennFixtureOnBrokenWarn(t *testing.T) {
	rep, dest, err := buildFixture(t, zennFixture, func(o *Options) { o.OnBroken = OnBrokenWarn })
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if rep.Errors != 0 || !rep.Published {
		t.Fatalf("%d errors, published %v", rep.Errors, rep.Published)
	}
	n := 0
	for _, p := range rep.Problems {
		if strings.HasSuffix(p.Msg, "(published anyway: on_broken: warn)") {
			n++
		}
	}
	if n != 6 {
		t.Errorf("%d problems published anyway, want the 6 true defects", n)
	}
	readOut(t, dest, "articles/defect-broken-links/index.html")
	if _, err := os.Stat(filepath.Join(dest, "articles", "defect-front-matter")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the article whose front matter cannot be read was built (%v)", err)
	}
	_, problems := crawlProblems(t, dest, "/repo/")
	want := []string{
		`articles/defect-broken-links/index.html: bad URL "(https://example.com)"`,
		`articles/defect-broken-links/index.html: broken anchor "/repo/articles/sibling-article/#section-tow"`,
		`articles/defect-broken-links/index.html: broken link "/repo/articles/sibling-artcle/" (no articles/sibling-artcle/index.html)`,
		`articles/defect-broken-links/index.html: broken link "/repo/images/chap_02_bp-function.png" (no images/chap_02_bp-function.png)`,
		`books/fixture-book-two/defect/index.html: broken link "/repo/books/fixture-book-two/usgae/" (no books/fixture-book-two/usgae/index.html)`,
	}
	if diff := cmp.Diff(want, problems); diff != "" {
		t.Errorf("broken links found by the crawl (-want +got):\n%s", diff)
	}
}

// TestZennFixtureStrict: --zenn-strict reports the fixture (without its
// true defects) as zenn-cli does: its blocking rules are errors, its
// warnings warnings; the chapter entries zenn-cli ignores stay warnings.
// zenn_strict in kiji.yaml does the same.
func TestZennFixtureStrict(t *testing.T) {
	src := fixtureWithoutDefects(t)
	want := []string{
		"articles/long-topic-article.md:5 error topic-length",
		"articles/sibling-article.md:5 error too-many-topics",
		"books/fixture-book-one/config.yaml:0 warning missing-book-cover",
		"books/fixture-book-one/config.yaml:1 error book-price-type",
		"books/fixture-book-one/config.yaml:8 warning chapter-duplicate",
		"books/fixture-book-one/config.yaml:9 warning chapter-missing",
		"books/fixture-book-two/config.yaml:0 warning missing-book-cover",
	}
	rep, _, err := buildFixture(t, src, func(o *Options) { o.ZennStrict = true })
	if _, ok := diag.AsErrors(err); !ok {
		t.Fatalf("err = %v, want content errors", err)
	}
	if diff := cmp.Diff(want, problemKeys(rep.Problems, src)); diff != "" {
		t.Errorf("--zenn-strict (-want +got):\n%s", diff)
	}
	for _, p := range rep.Problems {
		if p.Rule == "too-many-topics" && p.Msg != "topicsは最大5つまで指定できます" {
			t.Errorf("not zenn-cli's message: %q", p.Msg)
		}
	}
	// zenn_strict in kiji.yaml; on_broken: warn does not lift what the
	// author asked zenn-cli's verdict on.
	cfg := filepath.Join(src, "kiji.yaml")
	if err := os.WriteFile(cfg, []byte("zenn_user: fixtureuser\nzenn_strict: true\non_broken: warn\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, _, _ = buildFixture(t, src, nil)
	if diff := cmp.Diff(want, problemKeys(rep.Problems, src)); diff != "" {
		t.Errorf("zenn_strict: true (-want +got):\n%s", diff)
	}
}

// TestZennLinksFollowPages: a page whose links depend on the site's pages
// is rendered again when they change: an article added later turns a
// link to zenn.dev into a link to the site, and a rebuild with nothing
// changed writes nothing.
func TestZennLinksFollowPages(t *testing.T) {
	src := fixtureWithoutDefects(t)
	tmp := t.TempDir()
	opts := Options{Root: tmp, Source: src, Config: filepath.Join(src, "kiji.yaml"), Dest: filepath.Join(tmp, "public"),
		CacheDir: filepath.Join(tmp, "cache"), BaseURL: "https://example.com/", Offline: true, Now: zennNow}
	build := func() *Report {
		t.Helper()
		rep, err := Build(context.Background(), opts)
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		return rep
	}
	build()
	if rep := build(); rep.Written != 0 {
		t.Errorf("a rebuild with nothing changed wrote %d files", rep.Written)
	}
	const page = "articles/links-from-article/index.html"
	if !contains(bodyLinks(t, opts.Dest, page), "https://zenn.dev/fixtureuser/articles/written-in-the-browser") {
		t.Fatal("the link to an article only on zenn.dev is not kept")
	}
	writeFile(t, filepath.Join(src, "articles", "written-in-the-browser.md"),
		"---\ntitle: \"Now in the repository\"\nemoji: \"📦\"\ntype: \"tech\"\ntopics: [\"zenn\"]\npublished: true\n---\n\nHello.\n")
	build()
	if !contains(bodyLinks(t, opts.Dest, page), "/articles/written-in-the-browser/") {
		t.Errorf("after the article was added, the page still links zenn.dev: %v", bodyLinks(t, opts.Dest, page))
	}
}
