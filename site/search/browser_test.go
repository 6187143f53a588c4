package search_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/net/html"

	"github.com/kiji-ssg/kiji/site/build"
	"github.com/kiji-ssg/kiji/site/search"
)

// fixture is a site of Japanese and English articles, a book and a draft,
// written so that the hard cases occur: words only apart, the same word
// in titles and bodies, kana of both kinds, full-width letters.
var fixture = map[string]string{
	"content/articles/ops.md": art("コンテナの運用を始める", `["docker"]`, true,
		"本番でコンテナの運用を始めるときに見るべき指標をまとめました。\n\n## 監視の設計\n\nＡＷＳ の CloudWatch で Kubernetes のノードを監視します。ログは S3 に送ります。\n"),
	"content/articles/apart.md": art("運用ガイド", `["ops"]`, true,
		"コンテナは便利です。本番の運用では、監視が大切です。\n\nコントロールプレーンは管理しません。プレーンテキストで書きます。\n\n```go\nfunc main() { fmt.Println(\"kubectl\") }\n```\n"),
	"content/articles/kana.md": art("ひらがなとカタカナ", `["japanese"]`, true,
		"こんてなはひらがなで、コンテナはカタカナです。日本語の検索は難しい。\n結論です。\n\n- 東京都の天気\n- 京都の寺\n"),
	"content/articles/english.md": art("Deploying with Kubernetes", `["kubernetes", "aws"]`, true,
		"We deploy the container to the cluster. Kubectl applies the manifest.\n\n## Rolling back\n\nRoll back the deployment when the health check fails. The deployer waits.\n"),
	"content/articles/mixed.md": art("Goの並行処理", `["go"]`, true,
		"Goのgoroutineとチャネルで並行処理を書きます。context.WithTimeoutでタイムアウトを設定します。\n\n## まとめ\n\n並行処理は楽しい。Kubernetesのコンテナ運用にも役立ちます。\n"),
	"content/articles/draft.md": art("下書きの秘密", `["secret"]`, false,
		"この下書きには秘密の合言葉ふわふわもちもちがあります。Zyzzyva draftonly.\n"),
	"content/books/guide/config.yaml": "title: \"運用の本\"\nsummary: \"要約\"\ntopics: [\"ops\"]\npublished: true\nprice: 0\nchapters:\n  - intro\n",
	"content/books/guide/intro.md":    "---\ntitle: \"はじめに\"\n---\n\nこの本ではコンテナ運用の基本と監視を学びます。Observability first.\n",
	"kiji.yaml":                       "title: 検索テスト\nbase_url: https://example.com/blog/\n",
}

func art(title, topics string, published bool, body string) string {
	return fmt.Sprintf("---\ntitle: %q\nemoji: \"🔍\"\ntype: \"tech\"\ntopics: %s\npublished: %v\n---\n\n%s", title, topics, published, body)
}

// builtPage is a page of the built site as the truth sees it.
type builtPage struct {
	URL    string
	Blocks []search.Block
}

// buildFixture builds files into a site served under /blog/; it returns
// the server's URL and the published pages.
func buildFixture(t *testing.T, files map[string]string, titles map[string]string, topics map[string][]string) (string, []builtPage) {
	t.Helper()
	return buildFixtureServed(t, files, titles, topics, func(h http.Handler) http.Handler { return h })
}

// buildFixtureServed is buildFixture with the server's handler wrapped.
func buildFixtureServed(t *testing.T, files map[string]string, titles map[string]string, topics map[string][]string, wrap func(http.Handler) http.Handler) (string, []builtPage) {
	t.Helper()
	root := t.TempDir()
	for p, s := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755)
		if err := os.WriteFile(filepath.Join(root, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dest := filepath.Join(root, "public")
	if _, err := build.Build(context.Background(), build.Options{Root: root, Dest: dest, CacheDir: t.TempDir(), Offline: true}); err != nil {
		t.Fatal(err)
	}
	var pages []builtPage
	for url, title := range titles {
		body := articleBody(t, filepath.Join(dest, url, "index.html"))
		pages = append(pages, builtPage{"/blog/" + url, search.Text(search.Doc{URL: url, Title: title, Topics: topics[url], Body: body}, search.Options{Code: true})})
	}
	slices.SortFunc(pages, func(a, b builtPage) int { return strings.Compare(a.URL, b.URL) })
	mux := http.NewServeMux()
	mux.Handle("/blog/", wrap(http.StripPrefix("/blog", http.FileServer(http.Dir(dest)))))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL, pages
}

// articleBody is the inner HTML of a page's div.article-body.
func articleBody(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var found *html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for _, a := range n.Attr {
			if n.Type == html.ElementNode && n.Data == "div" && a.Key == "class" && a.Val == "article-body" && found == nil {
				found = n
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if found == nil {
		t.Fatalf("%s: no div.article-body", file)
	}
	var out bytes.Buffer
	for c := found.FirstChild; c != nil; c = c.NextSibling {
		html.Render(&out, c)
	}
	return out.Bytes()
}

var fixtureTitles = map[string]string{
	"articles/ops/": "コンテナの運用を始める", "articles/apart/": "運用ガイド", "articles/kana/": "ひらがなとカタカナ",
	"articles/english/": "Deploying with Kubernetes", "articles/mixed/": "Goの並行処理", "books/guide/intro/": "はじめに | 運用の本",
}

var fixtureTopics = map[string][]string{
	"articles/ops/": {"docker"}, "articles/apart/": {"ops"}, "articles/kana/": {"japanese"},
	"articles/english/": {"kubernetes", "aws"}, "articles/mixed/": {"go"}, "books/guide/intro/": {"ops"},
}

type hit struct {
	URL  string `json:"url"`
	Tier int    `json:"tier"`
}

// runQueries runs queries through the shipped script on the search page.
func runQueries(t *testing.T, ctx context.Context, qs []string) [][]hit {
	t.Helper()
	in, _ := json.Marshal(qs)
	js := fmt.Sprintf(`(async () => { const out = []; for (const q of %s) out.push(await kijiSearch.urls(q)); return out; })()`, in)
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[][]hit](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSearchInChromium builds a site with Japanese and English articles
// and runs a generated query set, and hand-picked hard cases, through
// the shipped index and script: each query must find exactly the pages
// whose text contains it, title matches first, never a draft.
func TestSearchInChromium(t *testing.T) {
	exe := chromiumPath(t)
	base, pages := buildFixture(t, fixture, fixtureTitles, fixtureTopics)
	var blocks [][]search.Block
	for _, p := range pages {
		blocks = append(blocks, p.Blocks)
	}
	qs := genQueries(blocks, 160, 1)
	for _, q := range []string{"コンテナの運用", "プレーンの管理", "運用", "コンテナ", "こんてな", "京都", "東京", "語", "aws", "ＡＷＳ", "Kube", "deploy", "roll back", "context.withtimeout", "goのgoroutine", "ふわふわ", "zyzzyva", "draftonly", "下書き", "い。結論", "しい。結論", "です。コ", "です。日"} {
		n := search.Normalize(q)
		cjk := false
		for _, r := range n {
			cjk = cjk || search.IsCJK(r)
		}
		qs = append(qs, query{q, cjk && !strings.ContainsAny(n, "abcdefghijklmnopqrstuvwxyz ")})
	}
	ctx := headless(t, exe)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/blog/search/"), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, q := range qs {
		texts = append(texts, q.Q)
	}
	got := runQueries(t, ctx, texts)
	for i, q := range qs {
		var want, titled []string
		for _, p := range pages {
			nq := query{search.Normalize(q.Q), q.CJK}
			if isPhrase(nq) && matches(p.Blocks, nq, true) {
				want = append(want, p.URL)
				if matches(p.Blocks, nq, true, search.Title) {
					titled = append(titled, p.URL)
				}
			}
		}
		if !isPhrase(query{search.Normalize(q.Q), q.CJK}) {
			continue // several words: checked below by hand
		}
		var urls []string
		for _, h := range got[i] {
			urls = append(urls, h.URL)
		}
		if diff := cmp.Diff(want, sorted(urls), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("query %q: pages (-want +got):\n%s", q.Q, diff)
		}
		if len(urls) >= len(titled) {
			if diff := cmp.Diff(titled, sorted(urls[:len(titled)]), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("query %q: title matches do not come first (-want +got):\n%s", q.Q, diff)
			}
		}
	}
	// Two terms must both match, each anywhere; a draft never shows.
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"コンテナ 監視", []string{"/blog/articles/apart/", "/blog/articles/ops/", "/blog/books/guide/intro/"}},
		{"deploy cluster", []string{"/blog/articles/english/"}},
		{"ふわふわ もちもち", nil},
	} {
		var urls []string
		for _, h := range runQueries(t, ctx, []string{tc.q})[0] {
			urls = append(urls, h.URL)
		}
		if diff := cmp.Diff(tc.want, sorted(urls), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("query %q (-want +got):\n%s", tc.q, diff)
		}
	}
	t.Logf("%d queries checked", len(qs))
}

// isPhrase reports whether a normalised query is one term (no space).
func isPhrase(q query) bool { return !strings.Contains(q.Q, " ") }

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// chromiumPath finds Chromium; without one the test is skipped, except
// under CI=true, where that is a failure.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("KIJI_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); name != "" && err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found: the browser test must run in CI; install the chromium package")
	}
	t.Skip("no Chromium found; install it (apt-get install chromium) or set KIJI_CHROMIUM")
	return ""
}

// headless starts a headless Chromium with a fresh profile.
func headless(t *testing.T, exe string, limit ...time.Duration) context.Context {
	t.Helper()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1000, 700))
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, append(limit, 3*time.Minute)[0])
	t.Cleanup(func() {
		cancelTime()
		cancel()
		cancelAlloc()
	})
	return ctx
}

// TestSearchBoxKeys drives the header box of an article page with the
// keyboard: / focuses it, typing lists results, arrows choose, Esc closes,
// Enter opens the chosen page; with scripts off it is a plain link.
func TestSearchBoxKeys(t *testing.T) {
	exe := chromiumPath(t)
	base, _ := buildFixture(t, fixture, fixtureTitles, fixtureTopics)
	ctx := headless(t, exe)
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	wait := func(js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v", js, err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/blog/articles/english/"), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
		t.Fatal(err)
	}
	wait(`!!document.querySelector("#kiji-search")`)
	if shift := layoutShift(t, ctx); shift > 0.001 {
		t.Errorf("the header moved when the Search link became the box: layout shift %.4f, want 0", shift)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("/")); err != nil {
		t.Fatal(err)
	}
	if got := eval(`document.activeElement.id`); got != "kiji-search" {
		t.Fatalf("after /, the focus is on %q, want the search box", got)
	}
	eval(`(() => { const i = document.activeElement; i.value = "運用"; i.dispatchEvent(new Event("input")); return ""; })()`)
	wait(`!document.querySelector("#kiji-search-list").hidden && document.querySelectorAll("#kiji-search-list [role=option] a").length > 1`)
	first := eval(`document.querySelector("#kiji-search-list [role=option] a").getAttribute("href")`)
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)); err != nil {
		t.Fatal(err)
	}
	if got := eval(`document.activeElement.getAttribute("aria-activedescendant") || ""`); got != "kiji-search-o0" {
		t.Errorf("after ArrowDown the active option is %q, want kiji-search-o0", got)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	if got := eval(`String(document.querySelector("#kiji-search-list").hidden)`); got != "true" {
		t.Errorf("after Esc the list is shown")
	}
	eval(`(() => { const i = document.activeElement; i.value = "運用 "; i.dispatchEvent(new Event("input")); return ""; })()`)
	wait(`!document.querySelector("#kiji-search-list").hidden && document.querySelectorAll("#kiji-search-list [role=option] a").length > 1`)
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	// Enter opens the page: the old document goes, so look until the new one answers.
	path := ""
	for start := time.Now(); time.Since(start) < 20*time.Second && path != first; time.Sleep(200 * time.Millisecond) {
		path, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	}
	if path != first {
		t.Errorf("after ArrowDown and Enter the page is %s, want %s", path, first)
	}
	// The title match comes first: 運用ガイド (apart), コンテナの運用… or 運用の本.
	if !slices.Contains([]string{"/blog/articles/apart/", "/blog/articles/ops/", "/blog/books/guide/intro/"}, first) {
		t.Errorf("the first result %s has no 運用 in its title", first)
	}
}

// TestSearchPageStaleIndex opens a shared /search/?q= link while the HTTP
// cache still holds meta.json of an index a newer build replaced (its
// folder is gone: 404): the page asks for meta.json afresh once and lists
// the results; meta.json is preloaded, so asked once before that. While the results and their snippets arrive nothing on the
// page moves (no layout shift).
func TestSearchPageStaleIndex(t *testing.T) {
	exe := chromiumPath(t)
	var stale atomic.Int32
	base, _ := buildFixtureServed(t, fixture, fixtureTitles, fixtureTopics, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/blog/search/meta.json" {
				h.ServeHTTP(w, r)
				return
			}
			if stale.Add(1) == 1 { // what the cache holds: files a newer build removed
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"v":1,"shards":1,"groups":1,"pages":6,"block":64,"bases":[1000,2000],"g":["0123456789ab"],"d":["0123456789ab"]}`)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	ctx := headless(t, exe)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/blog/search/?q="+url.QueryEscape("運用"))); err != nil {
		t.Fatal(err)
	}
	done := `document.querySelectorAll(".search-result").length > 0 && !!document.querySelector(".search-snippet mark")`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](done, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the search page listed no results with snippets: %v", err)
	}
	if n := stale.Load(); n != 2 { // the preload, used by the script, and once afresh
		t.Errorf("meta.json was asked %d times, want 2", n)
	}
	if shift := layoutShift(t, ctx); shift > 0.001 {
		t.Errorf("the search page moved while results arrived: layout shift %.4f, want 0", shift)
	}
}

// TestSearchPagePrefetchesPages opens a shared /search/?q= link for a
// phrase whose candidates' positions must be checked: the result pages its
// snippets are cut from are asked for while the positions are still on
// their way (held back here until a result page is asked for, or 5 s), not
// after them, so the snippets arrive one round trip sooner.
func TestSearchPagePrefetchesPages(t *testing.T) {
	exe := chromiumPath(t)
	pageAsked := make(chan struct{})
	var once sync.Once
	var early, positions atomic.Int32
	base, _ := buildFixtureServed(t, fixture, fixtureTitles, fixtureTopics, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case strings.HasPrefix(r.URL.Path, "/blog/articles/"):
				once.Do(func() { close(pageAsked) })
			case strings.HasSuffix(r.URL.Path, "/pos.bin"):
				positions.Add(1)
				select {
				case <-pageAsked:
					early.Add(1)
				case <-time.After(5 * time.Second):
				}
			}
			h.ServeHTTP(w, r)
		})
	})
	ctx := headless(t, exe)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/blog/search/?q="+url.QueryEscape("コンテナの運用"))); err != nil {
		t.Fatal(err)
	}
	done := `!!document.querySelector(".search-snippet mark")`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](done, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the search page showed no snippet: %v", err)
	}
	if positions.Load() == 0 {
		t.Fatal("no positions were read: the query does not exercise the check")
	}
	if early.Load() == 0 {
		t.Errorf("no result page was asked for while the %d position requests were pending; want the pages asked for as soon as the titles arrive", positions.Load())
	}
}

// layoutShift is the sum of the page's layout shifts so far.
func layoutShift(t *testing.T, ctx context.Context) float64 {
	t.Helper()
	shift, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`new Promise((done) => {
		new PerformanceObserver((l) => done(l.getEntries().reduce((s, e) => s + e.value, 0))).observe({type: "layout-shift", buffered: true});
		setTimeout(() => done(0), 1000); // no shift: no entry, no call
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	return shift
}

// TestRarePhraseOfCommonBigrams: a phrase whose cover bigrams are common
// but which is itself rare must not read the positions of every page
// that has those bigrams apart. Here 120 pages hold ロー, とオ and ート
// (the cover of ローとオート) more often than the one page with the phrase,
// so they rank first and fail the phrase check; the bigrams left out of
// the cover (ーと, オー) narrow them away after the first round.
func TestRarePhraseOfCommonBigrams(t *testing.T) {
	exe := chromiumPath(t)
	files := map[string]string{
		"content/articles/flow.md": art("自動化の話", `["ops"]`, true, "ワークフローとオートメーション。\n"),
		"kiji.yaml":                fixture["kiji.yaml"],
	}
	titles := map[string]string{"articles/flow/": "自動化の話"}
	decoy := strings.Repeat("スローな一日。ことオンラインで会う。チャートを見る。\n\n", 3)
	for i := range 120 {
		slug := fmt.Sprintf("decoy%03d", i)
		files["content/articles/"+slug+".md"] = art(fmt.Sprintf("記事 %d", i), `["misc"]`, true, decoy)
		titles["articles/"+slug+"/"] = fmt.Sprintf("記事 %d", i)
	}
	var positions atomic.Int32
	base, _ := buildFixtureServed(t, files, titles, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/pos.bin") {
				positions.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	})
	ctx := headless(t, exe)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/blog/search/"), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
		t.Fatal(err)
	}
	positions.Store(0)
	js := `(async () => { const r = await kijiSearch.first("ローとオート", 10); return r; })()`
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("ローとオート: %d results, want 1 (the page with the phrase)", n)
	}
	if got := positions.Load(); got > 8 {
		t.Errorf("ローとオート read positions in %d requests; want at most 8 (one round for the first candidates, one for what the left-out bigrams leave)", got)
	}
}

// TestStagedPhraseCheck: when most candidates fail the phrase check, the
// positions of the phrase's cheap bigrams are read first, and those of a
// bigram that fills every page only for the pages the cheap ones leave.
// Here 120 pages hold every bigram of ローとオート apart (the ones left out
// of the cover too, so none is narrowed away) and ート 300 times each; the
// one page with the phrase ranks last. Reading ート's positions in every
// page is 36 KB; read in stages, what the first round reads (12 pages)
// and a few bytes a page.
func TestStagedPhraseCheck(t *testing.T) {
	exe := chromiumPath(t)
	files := map[string]string{
		"content/articles/flow.md": art("自動化の話", `["ops"]`, true, "ワークフローとオートメーション。\n"),
		"kiji.yaml":                fixture["kiji.yaml"],
	}
	titles := map[string]string{"articles/flow/": "自動化の話"}
	decoy := strings.Repeat("スローな一日。ことオンラインで会う。データーと話す。オープンな場。\n\n", 3) + strings.Repeat("チャート。", 300) + "\n"
	for i := range 120 {
		slug := fmt.Sprintf("decoy%03d", i)
		files["content/articles/"+slug+".md"] = art(fmt.Sprintf("記事 %d", i), `["misc"]`, true, decoy)
		titles["articles/"+slug+"/"] = fmt.Sprintf("記事 %d", i)
	}
	var sent atomic.Int64
	base, _ := buildFixtureServed(t, files, titles, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/pos.bin") {
				w = &countingWriter{w, &sent}
			}
			h.ServeHTTP(w, r)
		})
	})
	ctx := headless(t, exe)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/blog/search/"), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
		t.Fatal(err)
	}
	sent.Store(0)
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`kijiSearch.first("ローとオート", 10)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("ローとオート: %d results, want 1 (the page with the phrase)", n)
	}
	if got := sent.Load(); got > 10000 {
		t.Errorf("ローとオート read %d bytes of positions; want at most 10000 (ート's positions read only for the first round's pages and the page with the phrase)", got)
	}
}
