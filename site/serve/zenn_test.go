package serve

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kiji-ssg/kiji/site/browsertest"
)

// zennFixture is site/build's Zenn repository fixture: links as Zenn
// authors write them, Zenn's platform rules broken, and true defects (a
// broken link, a bad anchor, an image in the wrong letter case, a control
// character in one article's YAML, a chapter link with a typo).
const zennFixture = "../build/testdata/zennfixture"

// fixtureProject copies the fixture into a project: root/content is the
// repository, root/kiji.yaml its kiji.yaml.
func fixtureProject(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	if err := os.CopyFS(filepath.Join(root, "content"), os.DirFS(zennFixture)); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(root, "content", "kiji.yaml"), filepath.Join(root, "kiji.yaml")); err != nil {
		t.Fatal(err)
	}
	return root
}

// fixturePages are the pages the fixture's build can render.
var fixturePages = []string{
	"articles/links-from-article/", "articles/sibling-article/", "articles/long-topic-article/",
	"articles/defect-broken-links/", "books/fixture-book-one/", "books/fixture-book-one/first/",
	"books/fixture-book-one/second/", "books/fixture-book-two/", "books/fixture-book-two/intro/",
	"books/fixture-book-two/usage/", "books/fixture-book-two/defect/", "", "topics/zenn/",
}

// TestNeverBlank: a first build with errors still serves every page it
// could render; the problems, each with file:line:col and the page it is
// on, reach the pages with the event stream's hello.
func TestNeverBlank(t *testing.T) {
	root := fixtureProject(t)
	s, err := New(Options{Build: buildOpts(root)})
	if err != nil {
		t.Fatal(err)
	}
	s.rebuild(context.Background(), Batch{All: true}, true)
	ts := httptest.NewServer(s)
	defer ts.Close()
	defer s.hub.close() // ends the event stream, which Close would wait for
	for _, p := range fixturePages {
		if resp, body := get(t, ts.URL+"/"+p); resp.StatusCode != 200 || !strings.Contains(body, "<main") {
			t.Errorf("GET /%s: %s, want the page", p, resp.Status)
		}
	}
	if resp, _ := get(t, ts.URL+"/articles/defect-front-matter/"); resp.StatusCode != 404 {
		t.Errorf("the article whose front matter cannot be read: %s, want 404", resp.Status)
	}
	c := dialSSE(t, ts.URL+"/")
	hello := c.next(t, 10*time.Second, "hello")
	if hello.Data["published"] != true {
		t.Errorf("hello %v: the pages are this build's", hello.Data)
	}
	probs, _ := hello.Data["problems"].([]any)
	var got []string
	for _, p := range probs {
		m := p.(map[string]any)
		file := strings.TrimPrefix(fmt.Sprint(m["file"]), root+"/")
		got = append(got, fmt.Sprintf("%v:%v:%v %v", file, m["line"], m["col"], m["page"]))
	}
	want := []string{
		"content/articles/defect-broken-links.md:10:32 /articles/defect-broken-links/",
		"content/articles/defect-broken-links.md:12:32 /articles/defect-broken-links/",
		"content/articles/defect-broken-links.md:16:1 /articles/defect-broken-links/",
		"content/articles/defect-broken-links.md:18:23 /articles/defect-broken-links/",
		"content/articles/defect-front-matter.md:2:15 <nil>",
		"content/books/fixture-book-two/3.defect.md:5:5 /books/fixture-book-two/defect/",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems sent to the pages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// startFixtureServer serves root on a free port; its first build may
// have errors.
func startFixtureServer(t *testing.T, root string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	built := make(chan BuildEvent, 100)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Build: buildOpts(root), Addr: "127.0.0.1:0", Quiet: 50 * time.Millisecond,
			OnListen: func(u string) { urls <- u },
			OnBuild: func(ev BuildEvent) {
				select {
				case built <- ev:
				default:
				}
			}})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("the server did not stop")
		}
	})
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not listen")
	}
	select {
	case <-built:
	case <-time.After(2 * time.Minute):
		t.Fatal("no first build")
	}
	return url
}

// TestBrowserZennFixture: kiji serve on a Zenn repository with true
// defects. In Chromium every page is shown; a panel at the bottom lists
// the build's problems with file:line:col, the page's own first; fixing
// a file updates the panel on the page without losing it.
func TestBrowserZennFixture(t *testing.T) {
	browsertest.Chromium(t) // skip (or fail in CI) before building
	root := fixtureProject(t)
	url := startFixtureServer(t, root)
	ctx := browser(t)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	if err := chromedp.Do(ctx, chromedp.Navigate(url+"articles/defect-broken-links/")); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	const overlay = `document.getElementById("kiji-overlay")`
	waitJS(t, ctx, "the panel lists the problems", overlay+` !== null && `+overlay+`.dataset.published === "true"`)
	text := eval[string](t, ctx, overlay+`.innerText`)
	for _, want := range []string{
		"6 problems (4 on this page)",
		"On this page:",
		"content/articles/defect-broken-links.md:10:32: the link ./sibling-artcle points to /articles/sibling-artcle/, which does not exist; did you mean ./sibling-article?",
		"content/articles/defect-broken-links.md:16:1: the image /images/chap_02_bp-function.png does not exist; did you mean /images/chap_02_bp-Function.png?",
		"Elsewhere:",
		"content/articles/defect-front-matter.md:2:15:",
		"content/books/fixture-book-two/3.defect.md:5:5:",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the panel lacks %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "defect-broken-links.md:16:1") > strings.Index(text, "defect-front-matter.md") {
		t.Errorf("this page's problems are not listed first:\n%s", text)
	}
	// The page itself is there and readable above the panel.
	if !eval[bool](t, ctx, `document.querySelector("h1") !== null && document.querySelector("h1").innerText.includes("True defects")`) {
		t.Error("the page with the problems is not shown")
	}
	if top := eval[float64](t, ctx, overlay+`.getBoundingClientRect().top`); top < 100 {
		t.Errorf("the panel covers the page (its top is at %vpx)", top)
	}

	// Another page: shown, with the problems elsewhere.
	if err := chromedp.Do(ctx, chromedp.Navigate(url+"books/fixture-book-one/first/")); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	waitJS(t, ctx, "the panel on a page without problems", overlay+` !== null && `+overlay+`.innerText.includes("In other files:")`)
	if !eval[bool](t, ctx, `document.body.innerText.includes("Chapter one")`) {
		t.Error("the chapter is not shown")
	}
	if href := eval[string](t, ctx, `document.querySelector('.article-body a[href*="second"]').getAttribute("href")`); href != "/books/fixture-book-one/second/" {
		t.Errorf("the chapter's ./second links %q, want /books/fixture-book-one/second/", href)
	}

	// Fix one defect: the panel drops it, without a reload of this page.
	eval[bool](t, ctx, `(window.__kijiMark = "before-fix", true)`)
	mustWrite(t, filepath.Join(root, "content/books/fixture-book-two/3.defect.md"), "---\ntitle: \"A chapter with a typo\"\n---\n\nSee [usage](./usage).\n")
	waitJS(t, ctx, "the fixed problem leaves the panel", overlay+` !== null && !`+overlay+`.innerText.includes("3.defect.md") && `+overlay+`.innerText.includes("5 problems")`)
	if mark := eval[string](t, ctx, `String(window.__kijiMark)`); mark != "before-fix" {
		t.Errorf("the page reloaded for a change to another page (mark %q)", mark)
	}
}
