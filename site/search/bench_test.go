package search_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"

	"github.com/kiji-ssg/kiji/site/search"
)

// TestSearchBenchmark measures kiji's search and Pagefind's side by side
// on one built site (KIJI_SEARCHBENCH_SITE, with Pagefind's index in its
// pagefind/ folder): recall and precision on a generated query set, the
// bytes a first screen of results downloads (gzip, as a static host
// serves it) and the time it takes, in Chromium. scripts/searchbench.sh
// builds the site, runs Pagefind 1.6.0 and then this.
func TestSearchBenchmark(t *testing.T) {
	site := os.Getenv("KIJI_SEARCHBENCH_SITE")
	if site == "" {
		t.Skip("a benchmark: run scripts/searchbench.sh")
	}
	exe := chromiumPath(t)
	pages := readSite(t, site)
	var blocks [][]search.Block
	for _, p := range pages {
		blocks = append(blocks, p.Blocks)
	}
	qs := genQueries(blocks, 120, 1)
	kijiOnly := os.Getenv("KIJI_SEARCHBENCH_KIJI_ONLY") != "" // Pagefind still indexing
	var pfURL map[string]string
	if !kijiOnly {
		pfURL = pagefindURLs(t, filepath.Join(site, "pagefind"))
	}
	host := &countingHost{dir: site}
	srv := httptest.NewServer(host)
	defer srv.Close()
	ctx := headless(t, exe, 100*time.Minute)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/search/"), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, q := range qs {
		texts = append(texts, q.Q)
	}
	kiji := runQueries(t, ctx, texts)
	pf := make([][]string, len(texts))
	if !kijiOnly {
		pf = pagefindQueries(t, ctx, texts, pfURL)
	}
	rows := map[string]*score{}
	for i, q := range qs {
		lang := "en"
		if q.CJK {
			lang = "ja"
		}
		var truth []string
		for _, p := range pages {
			if matches(p.Blocks, q, false) {
				truth = append(truth, p.URL)
			}
		}
		var ku []string
		for _, h := range kiji[i] {
			ku = append(ku, h.URL)
		}
		add(rows, "kiji "+lang, truth, ku)
		if q.CJK && !slices.Equal(sortedCopy(truth), sortedCopy(ku)) {
			fmt.Printf("kiji differs on %q: truth %d pages, kiji %d\n", q.Q, len(truth), len(ku))
		}
		add(rows, "pagefind "+lang, truth, pf[i])
	}
	kb, kt := firstScreens(t, ctx, srv.URL, texts, "kiji", host)
	pb, pt := []float64{0}, []float64{0}
	if !kijiOnly {
		pb, pt = firstScreens(t, ctx, srv.URL, texts, "pagefind", host)
	}
	fmt.Printf("pages %d, queries %d (%d ja, %d en)\n", len(pages), len(qs), count(qs, true), count(qs, false))
	for _, k := range []string{"kiji ja", "pagefind ja", "kiji en", "pagefind en"} {
		s := rows[k]
		fmt.Printf("%-12s recall %.1f %%  precision %.1f %%  (queries with every page found: %d/%d)\n", k, s.recall(), s.precision(), s.full, s.n)
	}
	fmt.Printf("first screen (10 results, gzip): kiji median %s max %s, %s median %s max %s\n", kbytes(median(kb)), kbytes(slices.Max(kb)), "pagefind", kbytes(median(pb)), kbytes(slices.Max(pb)))
	if i := slices.Index(kb, slices.Max(kb)); i >= 0 {
		fmt.Printf("largest first screen: kiji %q, %s\n", texts[i], kbytes(kb[i]))
	}
	fmt.Printf("first screen time: kiji median %.0f ms max %.0f ms, pagefind median %.0f ms max %.0f ms\n", median(kt), slices.Max(kt), median(pt), slices.Max(pt))
	fmt.Printf("index: kiji %s in %d files, pagefind %s in %d files\n", kbytes(dirSize(filepath.Join(site, "search"))), files(filepath.Join(site, "search")), kbytes(dirSize(filepath.Join(site, "pagefind"))), files(filepath.Join(site, "pagefind")))
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// score sums recall and precision over queries (averaged per query; a
// query with no true page counts as recall 1).
type score struct {
	n, full       int
	recall_, prec float64
}

func add(rows map[string]*score, k string, truth, got []string) {
	s := rows[k]
	if s == nil {
		s = &score{}
		rows[k] = s
	}
	tset := map[string]bool{}
	for _, u := range truth {
		tset[u] = true
	}
	hit := 0
	gset := map[string]bool{}
	for _, u := range got {
		if !gset[u] {
			gset[u] = true
			if tset[u] {
				hit++
			}
		}
	}
	s.n++
	r, p := 1.0, 1.0
	if len(tset) > 0 {
		r = float64(hit) / float64(len(tset))
	}
	if len(gset) > 0 {
		p = float64(hit) / float64(len(gset))
	}
	if hit == len(tset) && hit == len(gset) {
		s.full++
	}
	s.recall_ += r
	s.prec += p
}

func (s *score) recall() float64    { return 100 * s.recall_ / float64(s.n) }
func (s *score) precision() float64 { return 100 * s.prec / float64(s.n) }

func count(qs []query, cjk bool) int {
	n := 0
	for _, q := range qs {
		if q.CJK == cjk {
			n++
		}
	}
	return n
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	sort.Float64s(v)
	return v[len(v)/2]
}

func kbytes(n float64) string { return fmt.Sprintf("%.1f KB", n/1000) }

func dirSize(dir string) float64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return float64(n)
}

func files(dir string) int {
	n := 0
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// readSite reads the articles and chapters of a built site: their text
// as the index reads it, from the page (title, topics, body).
func readSite(t *testing.T, site string) []builtPage {
	t.Helper()
	var out []builtPage
	for _, glob := range []string{"articles/*/index.html", "books/*/*/index.html"} {
		ms, _ := filepath.Glob(filepath.Join(site, glob))
		for _, m := range ms {
			b, err := os.ReadFile(m)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(`class="draft-label"`)) {
				continue
			}
			rel, _ := filepath.Rel(site, filepath.Dir(m))
			title, topics := titleTopics(b)
			d := search.Doc{URL: filepath.ToSlash(rel) + "/", Title: title, Topics: topics, Body: articleBody(t, m)}
			out = append(out, builtPage{"/" + d.URL, search.Text(d, search.Options{Code: true})})
		}
	}
	return out
}

// titleTopics reads h1#article-title and the topic chips of a page.
func titleTopics(b []byte) (string, []string) {
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		return "", nil
	}
	var title string
	var topics []string
	var walk func(n *html.Node, inTopics bool)
	walk = func(n *html.Node, inTopics bool) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "id" && a.Val == "article-title" {
					title = text(n)
				}
				if a.Key == "class" && a.Val == "topics" {
					inTopics = true
				}
			}
			if inTopics && n.Data == "a" {
				topics = append(topics, strings.TrimPrefix(text(n), "#"))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inTopics)
		}
	}
	walk(doc, false)
	return title, topics
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// pagefindURLs maps Pagefind's page ids to URLs, read from its fragments.
func pagefindURLs(t *testing.T, dir string) map[string]string {
	t.Helper()
	ms, _ := filepath.Glob(filepath.Join(dir, "fragment", "*.pf_fragment"))
	if len(ms) == 0 {
		t.Fatalf("no Pagefind fragments in %s: run Pagefind on the site first", dir)
	}
	out := map[string]string{}
	for _, m := range ms {
		f, err := os.Open(m)
		if err != nil {
			t.Fatal(err)
		}
		z, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(z)
		f.Close()
		var frag struct{ URL string }
		if i := bytes.IndexByte(b, '{'); i >= 0 {
			json.Unmarshal(b[i:], &frag)
		}
		out[strings.TrimSuffix(filepath.Base(m), ".pf_fragment")] = strings.TrimSuffix(frag.URL, "index.html")
	}
	return out
}

// pagefindQueries runs the queries through Pagefind's own script.
func pagefindQueries(t *testing.T, ctx context.Context, qs []string, urls map[string]string) [][]string {
	t.Helper()
	in, _ := json.Marshal(qs)
	js := fmt.Sprintf(`(async () => { const pf = await import("/pagefind/pagefind.js"); const out = []; for (const q of %s) { const r = await pf.search(q); out.push(r.results.map((x) => x.id)); } return out; })()`, in)
	ids, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]string, len(ids))
	for i, l := range ids {
		for _, id := range l {
			out[i] = append(out[i], urls[id])
		}
	}
	return out
}

// firstScreens loads the search page afresh (no cache) for each query and
// measures what showing its first ten results downloads (index data, not
// scripts) and how long it takes.
func firstScreens(t *testing.T, ctx context.Context, base string, qs []string, engine string, host *countingHost) (sizes, ms []float64) {
	t.Helper()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}
	run := `(async (q) => { const t0 = performance.now(); await kijiSearch.first(q, 10); return performance.now() - t0; })`
	// Pagefind: its script and wasm are loaded first, not timed, not counted.
	if engine == "pagefind" {
		run = `(async (q) => { const pf = await import("/pagefind/pagefind.js"); await pf.options({}); const t0 = performance.now(); const r = await pf.search(q); await Promise.all(r.results.slice(0, 10).map((x) => x.data())); return performance.now() - t0; })`
	}
	for _, q := range qs {
		in, _ := json.Marshal(q)
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/search/"), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
			t.Fatal(err)
		}
		host.bytes.Store(0)
		v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](fmt.Sprintf(`%s(%s)`, run, in), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, float64(host.bytes.Load()))
		ms = append(ms, v)
	}
	return sizes, ms
}

// countingHost serves a folder as a static host does: text
// gzip-compressed, byte ranges for the rest; it counts the body bytes it
// sends of the search indexes' data (search/, pagefind/; not scripts).
type countingHost struct {
	dir   string
	bytes atomic.Int64
}

func (h *countingHost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fs := http.FileServer(http.Dir(h.dir))
	p := r.URL.Path
	if (strings.HasPrefix(p, "/search/") || strings.HasPrefix(p, "/pagefind/")) && !strings.HasSuffix(p, ".js") && !strings.Contains(p, "wasm") && !strings.HasSuffix(p, "/") {
		w = &countingWriter{w, &h.bytes}
	}
	ext := filepath.Ext(p)
	text := ext == ".json" || ext == ".js" || ext == ".css" || ext == ".html" || strings.HasSuffix(p, "/")
	if !text || r.Header.Get("Range") != "" || !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		fs.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	fs.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.Header().Set("Content-Encoding", "gzip")
	w.WriteHeader(rec.Code)
	z, _ := gzip.NewWriterLevel(w, 6)
	z.Write(rec.Body.Bytes())
	z.Close()
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	c.n.Add(int64(len(b)))
	return c.ResponseWriter.Write(b)
}
