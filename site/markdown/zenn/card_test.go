package zenn

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
	"golang.org/x/text/encoding/japanese"
)

// site is a test web server that counts requests per path. Its URL is
// http://cards.example (a name linkify recognises); its client dials the
// test server whatever the host.
type site struct {
	*httptest.Server
	URL   string
	mu    sync.Mutex
	count map[string]int
}

func (s *site) Client() *http.Client {
	addr := s.Listener.Addr().String()
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}}
}

func (s *site) hits(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count[p]
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{count: map[string]int{}}
	mux := http.NewServeMux()
	page := func(head string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, "<!doctype html><html><head>%s</head><body><p>body</p></body></html>", head)
		}
	}
	mux.HandleFunc("/og", page(`<meta charset="utf-8"><title>Fallback title</title>
<meta property="og:title" content="  OpenGraph   Title ">
<meta property="og:description" content="A description.">
<meta property="og:site_name" content="Example Site">
<meta property="og:image" content="/img/card.png">`))
	mux.HandleFunc("/title", page(`<title>Only a
  title</title><meta name="description" content="Meta description">`))
	mux.HandleFunc("/xss", page(`<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>
<meta property="og:image" content="javascript:alert(1)">
<meta property="og:description" content='"><img src=x onerror=alert(1)>'>`))
	mux.HandleFunc("/sjis", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		body, _ := japanese.ShiftJIS.NewEncoder().String(`<html><head><meta charset="Shift_JIS"><title>日本語のタイトル</title></head><body></body></html>`)
		_, _ = w.Write([]byte(body))
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = w.Write([]byte("%PDF-1.4"))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><head><!-- "))
		chunk := []byte(strings.Repeat("x", 64<<10))
		for i := 0; i < 64; i++ { // 4 MiB of comment before the title
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		_, _ = w.Write([]byte(" --><title>Too far</title></head></html>"))
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/og", http.StatusFound)
	})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.count[r.URL.Path]++
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	s.URL = "http://cards.example"
	return s
}

// renderedCard is what a card shows.
type renderedCard struct {
	Plain                   bool
	Href, Title, Desc, Site string
	Image                   string
	Count                   int
}

func readCards(t *testing.T, s string) []renderedCard {
	t.Helper()
	var out []renderedCard
	var walk func(n *html.Node, c *renderedCard)
	walk = func(n *html.Node, c *renderedCard) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "a" && hasClass(n, "link-card"):
				out = append(out, renderedCard{Plain: hasClass(n, "link-card-plain")})
				c = &out[len(out)-1]
				c.Href, _ = attr(n, "href")
			case c != nil && hasClass(n, "link-card-title"):
				c.Title = textOf(n)
			case c != nil && hasClass(n, "link-card-desc"):
				c.Desc = textOf(n)
			case c != nil && hasClass(n, "link-card-site"):
				c.Site = textOf(n)
			case c != nil && n.Data == "img":
				c.Image, _ = attr(n, "src")
			}
		}
		for k := n.FirstChild; k != nil; k = k.NextSibling {
			walk(k, c)
		}
	}
	walk(parseHTML(t, s), nil)
	return out
}

func TestCardFetch(t *testing.T) {
	s := newSite(t)
	host := strings.TrimPrefix(s.URL, "http://")
	cases := []struct {
		name, path string
		want       renderedCard
		problems   int
	}{
		{"opengraph", "/og", renderedCard{Title: "OpenGraph Title", Desc: "A description.", Site: "Example Site", Image: s.URL + "/img/card.png"}, 0},
		{"title and meta description", "/title", renderedCard{Title: "Only a title", Desc: "Meta description", Site: host}, 0},
		{"escaped and no script image", "/xss", renderedCard{Title: "<script>alert(1)</script>", Desc: `"><img src=x onerror=alert(1)>`, Site: host}, 0},
		{"shift_jis", "/sjis", renderedCard{Title: "日本語のタイトル", Site: host}, 0},
		{"redirect", "/redirect", renderedCard{Title: "OpenGraph Title", Desc: "A description.", Site: "Example Site", Image: s.URL + "/img/card.png"}, 0},
		{"404 is a plain card and a warning", "/gone", renderedCard{Plain: true, Title: host + "/gone", Site: host}, 1},
		{"503 is a plain card", "/down", renderedCard{Plain: true, Title: host + "/down", Site: host}, 0},
		{"not html", "/pdf", renderedCard{Plain: true, Title: host + "/pdf", Site: host}, 0},
		{"size limit", "/big", renderedCard{Plain: true, Title: host + "/big", Site: host}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			z := New(WithHTTPClient(s.Client()), WithFetchTimeout(5*time.Second))
			res := convertWith(t, newMD(z), "@[card]("+s.URL+c.path+")\n")
			cards := readCards(t, res.html)
			c.want.Href = s.URL + c.path
			if diff := cmp.Diff([]renderedCard{c.want}, cards); diff != "" {
				t.Errorf("card (-want +got):\n%s\n%s", diff, res.html)
			}
			if len(res.problems) != c.problems {
				t.Errorf("problems: %q, want %d", res.problems, c.problems)
			}
			if strings.Contains(res.html, "<script") || strings.Contains(res.html, "javascript:") {
				t.Errorf("unescaped page data:\n%s", res.html)
			}
		})
	}
}

func TestCardOnceAndConcurrent(t *testing.T) {
	s := newSite(t)
	z := New(WithHTTPClient(s.Client()))
	md := newMD(z)
	doc := fmt.Sprintf("@[card](%[1]s/og)\n\n%[1]s/og\n\n@[card](%[1]s/title)\n", s.URL)
	var wg sync.WaitGroup
	outs := make([]string, 6)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i] = convertWith(t, md, doc).html
		}()
	}
	wg.Wait()
	for i := range outs {
		if outs[i] != outs[0] {
			t.Errorf("output %d differs:\n%s", i, cmp.Diff(outs[0], outs[i]))
		}
	}
	if n := len(readCards(t, outs[0])); n != 3 {
		t.Errorf("%d cards, want 3", n)
	}
	if h := s.hits("/og"); h != 1 {
		t.Errorf("/og fetched %d times, want 1", h)
	}
	if h := s.hits("/title"); h != 1 {
		t.Errorf("/title fetched %d times, want 1", h)
	}
	if got, want := z.CardStats(), (CardStats{Fetched: 2}); got != want {
		t.Errorf("stats %+v, want %+v", got, want)
	}
}

func TestCardCache(t *testing.T) {
	s := newSite(t)
	dir := filepath.Join(t.TempDir(), "cards")
	doc := fmt.Sprintf("@[card](%[1]s/og)\n\n@[card](%[1]s/gone)\n\n@[card](%[1]s/down)\n", s.URL)

	first := convertWith(t, newMD(New(WithHTTPClient(s.Client()), WithCardCacheDir(dir))), doc)
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) != 2 { // /og and /gone; /down is transient
		t.Errorf("%d cache files, want 2: %v", len(files), files)
	}

	// Offline with the cache: the same page, no request.
	z := New(WithHTTPClient(s.Client()), WithCardCacheDir(dir), WithOffline(true))
	second := convertWith(t, newMD(z), doc)
	if diff := cmp.Diff(first.html, second.html); diff != "" {
		t.Errorf("cached build differs (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(first.problems, second.problems); diff != "" {
		t.Errorf("cached problems differ (-first +second):\n%s", diff)
	}
	if got, want := z.CardStats(), (CardStats{FromCache: 2, Plain: 1}); got != want {
		t.Errorf("stats %+v, want %+v", got, want)
	}
	for _, p := range []string{"/og", "/gone", "/down"} {
		if h := s.hits(p); h != 1 {
			t.Errorf("%s fetched %d times, want 1", p, h)
		}
	}

	// Online with the cache: only the transient failure is fetched again.
	convertWith(t, newMD(New(WithHTTPClient(s.Client()), WithCardCacheDir(dir))), doc)
	if h := s.hits("/down"); h != 2 {
		t.Errorf("/down fetched %d times, want 2", h)
	}
	if h := s.hits("/og"); h != 1 {
		t.Errorf("/og fetched %d times, want 1", h)
	}

	// A damaged cache file is ignored, not an error.
	for _, f := range files {
		if err := os.WriteFile(f, []byte("{not json"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := convertWith(t, newMD(New(WithCardCacheDir(dir), WithOffline(true))), doc)
	for _, c := range readCards(t, res.html) {
		if !c.Plain {
			t.Errorf("damaged cache gave a rich card: %+v", c)
		}
	}
}

func TestCardOffline(t *testing.T) {
	s := newSite(t)
	z := New(WithHTTPClient(s.Client()), WithOffline(true))
	res := convertWith(t, newMD(z), "@[card]("+s.URL+"/og)\n\n"+s.URL+"/title\n")
	if n := s.hits("/og") + s.hits("/title"); n != 0 {
		t.Errorf("offline build made %d requests", n)
	}
	for _, c := range readCards(t, res.html) {
		if !c.Plain {
			t.Errorf("offline card is not plain: %+v", c)
		}
	}
}

func TestCardTimeout(t *testing.T) {
	s := newSite(t)
	z := New(WithHTTPClient(s.Client()), WithFetchTimeout(200*time.Millisecond))
	start := time.Now()
	res := convertWith(t, newMD(z), "@[card]("+s.URL+"/slow)\n")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("conversion took %v with a 200ms fetch timeout", d)
	}
	cards := readCards(t, res.html)
	if len(cards) != 1 || !cards[0].Plain {
		t.Errorf("want one plain card, got %+v", cards)
	}
	if got := z.CardStats(); got.Failed != 1 {
		t.Errorf("stats %+v, want one failure", got)
	}
}

func TestPrefetch(t *testing.T) {
	s := newSite(t)
	z := New(WithHTTPClient(s.Client()))
	z.Prefetch(s.URL+"/og", "javascript:alert(1)", "")
	res := convertWith(t, newMD(z), "@[card]("+s.URL+"/og)\n")
	if h := s.hits("/og"); h != 1 {
		t.Errorf("/og fetched %d times, want 1", h)
	}
	if c := readCards(t, res.html); len(c) != 1 || c[0].Title != "OpenGraph Title" {
		t.Errorf("cards %+v", c)
	}
}

func TestPlainTitle(t *testing.T) {
	cases := []struct{ url, title, site string }{
		{"https://example.com/a/b/", "example.com/a/b", "example.com"},
		{"https://example.com/%E6%97%A5%E6%9C%AC?q=1", "example.com/日本?q=1", "example.com"},
		{"https://github.com/o/r/blob/main/src/x.go#L1-L2", "src/x.go#L1-L2", "github.com/o/r"},
		{"https://gist.github.com/u/0123abcd", "u/0123abcd", "gist.github.com"},
	}
	for _, c := range cases {
		title, site := plainTitle(c.url)
		if title != c.title || site != c.site {
			t.Errorf("plainTitle(%q) = %q, %q; want %q, %q", c.url, title, site, c.title, c.site)
		}
	}
}
