package build

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// crawl checks a built site the way a visitor would, independently of the
// build's own link check: every local href/src resolves to a file, every
// fragment to an id in the target page, and no page repeats an id.
func crawl(t *testing.T, dir, base string) (pages int) {
	t.Helper()
	pages, problems := crawlProblems(t, dir, base)
	for _, p := range problems {
		t.Error(p)
	}
	return pages
}

// crawlProblems is crawl, returning what it finds wrong ("page: broken
// link …", sorted) instead of failing the test.
func crawlProblems(t *testing.T, dir, base string) (pages int, problems []string) {
	t.Helper()
	type page struct {
		ids   map[string]bool
		links []string
	}
	all := map[string]*page{}
	files := map[string]bool{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		files[rel] = true
		if !strings.HasSuffix(rel, ".html") {
			return nil
		}
		f, _ := os.Open(p)
		defer f.Close()
		doc, err := html.Parse(f)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		pg := &page{ids: map[string]bool{}}
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				rel := ""
				for _, a := range n.Attr {
					if a.Key == "rel" {
						rel = a.Val
					}
				}
				for _, a := range n.Attr {
					switch a.Key {
					case "id":
						if pg.ids[a.Val] {
							problems = append(problems, fmt.Sprintf("%s: duplicate id %q", p, a.Val))
						}
						pg.ids[a.Val] = true
					case "href", "src":
						if n.Data == "link" && (rel == "canonical" || rel == "alternate") && strings.Contains(a.Val, "://") {
							continue
						}
						pg.links = append(pg.links, a.Val)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		all[rel] = pg
		return nil
	})
	for rel, pg := range all {
		for _, l := range pg.links {
			u, err := url.Parse(l)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: bad URL %q", rel, l))
				continue
			}
			if u.Scheme != "" || u.Host != "" {
				continue
			}
			target := rel
			if u.Path != "" {
				p := u.Path
				if strings.HasPrefix(p, "/") {
					if !strings.HasPrefix(p, base) {
						problems = append(problems, fmt.Sprintf("%s: link %q is outside the base path %s", rel, l, base))
						continue
					}
					p = strings.TrimPrefix(p, base)
				} else {
					p = strings.TrimPrefix(path.Join(path.Dir("/"+rel), p), "/")
					if strings.HasSuffix(u.Path, "/") {
						p += "/"
					}
				}
				if p == "" || strings.HasSuffix(p, "/") {
					p += "index.html"
				}
				if !files[p] {
					problems = append(problems, fmt.Sprintf("%s: broken link %q (no %s)", rel, l, p))
					continue
				}
				target = p
			}
			if u.Fragment != "" {
				tp, ok := all[target]
				if ok && !tp.ids[u.Fragment] {
					problems = append(problems, fmt.Sprintf("%s: broken anchor %q", rel, l))
				}
			}
		}
	}
	sort.Strings(problems)
	return len(all), problems
}

func buildSeed(t *testing.T, baseURL string) string {
	t.Helper()
	dest := filepath.Join(t.TempDir(), "public")
	rep, err := Build(context.Background(), Options{Root: "../..", Dest: dest, BaseURL: baseURL, CacheDir: t.TempDir(), Offline: true})
	if err != nil {
		t.Fatalf("building content/: %v", err)
	}
	if rep.Articles == 0 {
		t.Fatal("no articles built")
	}
	return dest
}

func TestSeedSiteLinksResolve(t *testing.T) {
	for _, tc := range []struct{ name, baseURL, base string }{
		{"root", "", "/"},
		{"sub-path", "https://example.github.io/repo/", "/repo/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dest := buildSeed(t, tc.baseURL)
			if n := crawl(t, dest, tc.base); n < 5 {
				t.Errorf("only %d pages", n)
			}
			// The seed's own table of contents: 13 links, each to a heading.
			b, err := os.ReadFile(filepath.Join(dest, "articles", "ecs-vs-eks", "index.html"))
			if err != nil {
				t.Fatal(err)
			}
			doc, _ := html.Parse(strings.NewReader(string(b)))
			ids := map[string]bool{}
			var contents []string
			var walk func(*html.Node, bool)
			walk = func(n *html.Node, inBody bool) {
				if n.Type == html.ElementNode {
					for _, a := range n.Attr {
						if a.Key == "id" {
							ids[a.Val] = true
						}
						if a.Key == "class" && a.Val == "article-body" {
							inBody = true
						}
						if inBody && n.Data == "a" && a.Key == "href" && strings.HasPrefix(a.Val, "#") && !hasClass(n, "anchor") && !hasClass(n, "footnote-ref") && !hasClass(n, "footnote-backref") {
							contents = append(contents, a.Val)
						}
					}
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c, inBody)
				}
			}
			walk(doc, false)
			if len(contents) != 13 {
				t.Fatalf("the seed's Contents list has %d in-page links, want 13: %q", len(contents), contents)
			}
			for _, c := range contents {
				frag, _ := url.PathUnescape(c[1:])
				if !ids[frag] {
					t.Errorf("Contents link %s reaches no heading", c)
				}
			}
		})
	}
}

func hasClass(n *html.Node, c string) bool {
	for _, a := range n.Attr {
		if a.Key == "class" {
			for _, f := range strings.Fields(a.Val) {
				if f == c {
					return true
				}
			}
		}
	}
	return false
}
