package build

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestSubPathServedCrawl serves a build made for https://example.github.io/repo/
// under /repo/ with a plain static file server, as GitHub Pages does, and
// crawls it over HTTP from the home page: every page, asset, image and
// anchor a visitor can reach must load.
func TestSubPathServedCrawl(t *testing.T) {
	dest := buildSeed(t, "https://example.github.io/repo/")
	mux := http.NewServeMux()
	mux.Handle("/repo/", http.StripPrefix("/repo/", http.FileServer(http.Dir(dest))))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	type page struct{ ids map[string]bool }
	pages := map[string]*page{}
	type link struct{ from, to string }
	var frags []link
	queue := []string{"/repo/"}
	seen := map[string]bool{"/repo/": true}
	for len(queue) > 0 && len(seen) < 500 {
		p := queue[0]
		queue = queue[1:]
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", p, resp.Status)
			continue
		}
		if !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
			continue
		}
		doc, err := html.Parse(strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		pg := &page{ids: map[string]bool{}}
		pages[p] = pg
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				for _, a := range n.Attr {
					switch a.Key {
					case "id":
						pg.ids[a.Val] = true
					case "href", "src":
						u, err := url.Parse(a.Val)
						if err != nil || u.Host != "" && u.Host != "example.github.io" {
							continue
						}
						base, _ := url.Parse(p)
						abs := base.ResolveReference(u)
						if u.Host == "example.github.io" {
							abs.Scheme, abs.Host = "", ""
						}
						if !strings.HasPrefix(abs.Path, "/repo/") {
							t.Errorf("%s links outside /repo/: %s", p, a.Val)
							continue
						}
						if abs.Fragment != "" {
							frags = append(frags, link{p, abs.Path + "#" + abs.Fragment})
						}
						if !seen[abs.Path] {
							seen[abs.Path] = true
							queue = append(queue, abs.Path)
						}
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
	}
	if len(pages) < 5 {
		t.Fatalf("crawled only %d pages", len(pages))
	}
	for _, l := range frags {
		path, frag, _ := strings.Cut(l.to, "#")
		if pg, ok := pages[path]; ok {
			if dec, err := url.PathUnescape(frag); err == nil {
				frag = dec
			}
			if !pg.ids[frag] {
				t.Errorf("%s: anchor %s does not exist", l.from, l.to)
			}
		}
	}
	t.Logf("crawled %d URLs, %d pages, %d anchors", len(seen), len(pages), len(frags))
}
