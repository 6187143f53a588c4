package build

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"html"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/feeds"
)

// The test decodes with its own structs, not the writer's, so a field the
// writer drops or misnames shows up as a difference.

type testFeed struct {
	XMLName xml.Name     `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string       `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Title   string       `xml:"title"`
	ID      string       `xml:"id"`
	Updated string       `xml:"updated"`
	Links   []testLink   `xml:"link"`
	Authors []string     `xml:"author>name"`
	Entries []testEntry  `xml:"entry"`
	Other   []testAnyTag `xml:",any"`
}

type testLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

type testEntry struct {
	Title     string     `xml:"title"`
	ID        string     `xml:"id"`
	Published string     `xml:"published"`
	Updated   string     `xml:"updated"`
	Summary   string     `xml:"summary"`
	Links     []testLink `xml:"link"`
	Cats      []testCat  `xml:"category"`
}

type testCat struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr"`
}

type testAnyTag struct {
	XMLName xml.Name
}

type testURLSet struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"url"`
}

// article returns an article file; date "" leaves published_at out.
func article(title string, published bool, date string, topics ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: %q\nemoji: \"🐳\"\ntype: \"tech\"\ntopics: [", title)
	for i, t := range topics {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", t)
	}
	fmt.Fprintf(&b, "]\npublished: %v\n", published)
	if date != "" {
		fmt.Fprintf(&b, "published_at: %s\n", date)
	}
	b.WriteString("---\n\n最初の段落です。\n\n## 見出し\n\n本文。\n")
	return b.String()
}

// testSite writes files (path → content) under a new folder and returns it.
func testSite(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		// Outside git, a file's time dates an article without
		// published_at: fixed, so the output is too.
		if err := os.Chtimes(full, testFileTime, testFileTime); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// testFileTime is the modification time of testSite's files.
var testFileTime = time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)

var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// buildSite builds root into root/<dest> and fails on any error.
func buildSite(t *testing.T, opts Options) *Report {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = testNow
	}
	if opts.Workers == 0 {
		opts.Workers = 2
	}
	rep, err := Build(context.Background(), opts)
	if err != nil {
		var ps []string
		if rep != nil {
			for _, p := range rep.Problems {
				ps = append(ps, p.Error())
			}
		}
		t.Fatalf("Build: %v\n%s", err, strings.Join(ps, "\n"))
	}
	return rep
}

func readOut(t *testing.T, dest, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("the build did not write %s: %v", rel, err)
	}
	return b
}

func parseFeed(t *testing.T, b []byte) testFeed {
	t.Helper()
	var f testFeed
	if err := xml.Unmarshal(b, &f); err != nil {
		t.Fatalf("the feed is not Atom XML: %v\n%s", err, b)
	}
	return f
}

func parseSitemap(t *testing.T, b []byte) testURLSet {
	t.Helper()
	var s testURLSet
	if err := xml.Unmarshal(b, &s); err != nil {
		t.Fatalf("the sitemap is not sitemap XML: %v\n%s", err, b)
	}
	return s
}

// blogFiles is a site with dated, undated, draft and scheduled articles.
func blogFiles() map[string]string {
	return map[string]string{
		"kiji.yaml":                   "title: \"テストブログ\"\nauthor: \"Taro\"\ndescription: \"a test\"\n",
		"content/articles/older.md":   article("古い記事", true, "2024-01-02", "go"),
		"content/articles/newer.md":   article("新しい記事 & <tags>", true, "2024-03-04 09:30", "go", "web"),
		"content/articles/undated.md": article("日付のない記事", true, "", "web"),
		"content/articles/draft.md":   article("下書き", false, "", "go", "secret"),
		"content/articles/later.md":   article("予約投稿", true, "2030-01-01", "go"),
	}
}

// withBooks adds a published and a draft book to files.
func withBooks(files map[string]string) map[string]string {
	for slug, published := range map[string]bool{"gobook": true, "draftbook": false} {
		files["content/books/"+slug+"/config.yaml"] = fmt.Sprintf("title: \"本 %s\"\nsummary: \"要約\"\ntopics: [\"%s\"]\npublished: %v\nprice: 0\nchapters:\n  - intro\n", slug, slug, published)
		files["content/books/"+slug+"/intro.md"] = "---\ntitle: \"はじめに\"\n---\n\n本文。\n"
	}
	return files
}

func entryTitles(f testFeed) []string {
	var ts []string
	for _, e := range f.Entries {
		ts = append(ts, e.Title)
	}
	return ts
}

func TestFeedsWithBaseURL(t *testing.T) {
	root := testSite(t, withBooks(blogFiles()))
	dest := filepath.Join(root, "public")
	// Drafts: true is a preview build: the drafts get pages, never feed
	// entries or sitemap URLs.
	rep := buildSite(t, Options{Root: root, BaseURL: "https://example.com/", Drafts: true})
	for _, rel := range []string{"articles/draft/index.html", "books/draftbook/intro/index.html", "topics/draftbook/index.html"} {
		if _, err := os.Stat(filepath.Join(dest, filepath.FromSlash(rel))); err != nil {
			t.Fatalf("the --drafts build should render the draft page %s: %v", rel, err)
		}
	}

	f := parseFeed(t, readOut(t, dest, "feed.xml"))
	// The undated article is dated by its file; the book by its files
	// (the same time: then by URL).
	if diff := cmp.Diff([]string{"新しい記事 & <tags>", "古い記事", "日付のない記事", "本 gobook"}, entryTitles(f)); diff != "" {
		t.Errorf("site feed entries, newest first, books too, no drafts (-want +got):\n%s", diff)
	}
	if f.Title != "テストブログ" || f.ID != "https://example.com/" || f.Lang != "ja" {
		t.Errorf("feed title %q, id %q, lang %q", f.Title, f.ID, f.Lang)
	}
	if diff := cmp.Diff([]string{"Taro"}, f.Authors); diff != "" {
		t.Errorf("feed author (-want +got):\n%s", diff)
	}
	if f.Updated != "2024-03-04T09:30:00+09:00" {
		t.Errorf("feed updated = %q, want the newest entry's date", f.Updated)
	}
	wantLinks := []testLink{
		{Rel: "self", Type: "application/atom+xml", Href: "https://example.com/feed.xml"},
		{Rel: "alternate", Type: "text/html", Href: "https://example.com/"},
	}
	if diff := cmp.Diff(wantLinks, f.Links); diff != "" {
		t.Errorf("feed links (-want +got):\n%s", diff)
	}
	newer := f.Entries[0]
	want := testEntry{
		Title:     "新しい記事 & <tags>",
		ID:        "https://example.com/articles/newer/",
		Published: "2024-03-04T09:30:00+09:00",
		Updated:   "2024-03-04T09:30:00+09:00",
		Summary:   "最初の段落です。",
		Links:     []testLink{{Rel: "alternate", Type: "text/html", Href: "https://example.com/articles/newer/"}},
		Cats:      []testCat{{Term: "go", Label: "go"}, {Term: "web", Label: "web"}},
	}
	if diff := cmp.Diff(want, newer); diff != "" {
		t.Errorf("newest entry (-want +got):\n%s", diff)
	}
	undated := f.Entries[2]
	if undated.Published != "2023-12-01T00:00:00Z" || undated.Updated != "2023-12-01T00:00:00Z" {
		t.Errorf("undated entry: published %q updated %q; want its file's time", undated.Published, undated.Updated)
	}
	for _, e := range f.Entries {
		if e.ID == "" || e.Title == "" || e.Updated == "" || len(e.Links) == 0 {
			t.Errorf("entry %q lacks a required element: %+v", e.Title, e)
		}
	}

	// Topic feeds: only that topic's published articles. "secret" exists
	// only through the draft: its page and feed exist, the feed is empty.
	for _, tc := range []struct {
		topic string
		want  []string
	}{
		{"go", []string{"新しい記事 & <tags>", "古い記事"}},
		{"web", []string{"新しい記事 & <tags>", "日付のない記事"}},
		{"gobook", []string{"本 gobook"}},
		{"secret", nil},
	} {
		tf := parseFeed(t, readOut(t, dest, "topics/"+tc.topic+"/feed.xml"))
		if diff := cmp.Diff(tc.want, entryTitles(tf)); diff != "" {
			t.Errorf("topics/%s/feed.xml entries (-want +got):\n%s", tc.topic, diff)
		}
		if tf.ID != "https://example.com/topics/"+tc.topic+"/" {
			t.Errorf("topics/%s/feed.xml id = %q", tc.topic, tf.ID)
		}
		page := readOut(t, dest, "topics/"+tc.topic+"/index.html")
		link := `<link rel="alternate" type="application/atom+xml" title="「` + tc.topic + `」の記事 | テストブログ" href="/topics/` + tc.topic + `/feed.xml">`
		if !bytes.Contains(page, []byte(link)) {
			t.Errorf("topics/%s/index.html lacks %s", tc.topic, link)
		}
	}

	sm := parseSitemap(t, readOut(t, dest, "sitemap.xml"))
	var got []string
	for _, u := range sm.URLs {
		got = append(got, u.Loc+" "+u.LastMod)
	}
	wantURLs := []string{
		"https://example.com/ 2024-03-04T09:30:00+09:00",
		"https://example.com/archive/ 2024-03-04T09:30:00+09:00",
		"https://example.com/archive/2023/ 2023-12-01T00:00:00Z",
		"https://example.com/archive/2024/ 2024-03-04T09:30:00+09:00",
		"https://example.com/articles/newer/ 2024-03-04T09:30:00+09:00",
		"https://example.com/articles/older/ 2024-01-02T00:00:00+09:00",
		"https://example.com/articles/undated/ 2023-12-01T00:00:00Z",
		"https://example.com/books/ 2023-12-01T00:00:00Z",
		"https://example.com/books/gobook/ 2023-12-01T00:00:00Z",
		"https://example.com/books/gobook/intro/ 2023-12-01T00:00:00Z",
		"https://example.com/topics/ 2024-03-04T09:30:00+09:00",
		"https://example.com/topics/go/ 2024-03-04T09:30:00+09:00",
		"https://example.com/topics/gobook/ 2023-12-01T00:00:00Z",
		"https://example.com/topics/web/ 2024-03-04T09:30:00+09:00",
	}
	if diff := cmp.Diff(wantURLs, got); diff != "" {
		t.Errorf("sitemap URLs and lastmod (-want +got):\n%s", diff)
	}

	robots := string(readOut(t, dest, "robots.txt"))
	if !strings.Contains(robots, "\nSitemap: https://example.com/sitemap.xml\n") || !strings.HasPrefix(robots, "User-agent: *\n") {
		t.Errorf("robots.txt does not name the sitemap:\n%s", robots)
	}
	if b := readOut(t, dest, ".nojekyll"); len(b) != 0 {
		t.Errorf(".nojekyll should be empty, has %d bytes", len(b))
	}

	// Every rendered article has its sharing image, and the page points at it.
	for _, slug := range []string{"newer", "older", "undated", "draft", "later"} {
		b := readOut(t, dest, "articles/"+slug+"/og.png")
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("articles/%s/og.png: %v", slug, err)
		}
		if cfg.Width != 1200 || cfg.Height != 630 {
			t.Errorf("articles/%s/og.png is %d×%d, want 1200×630", slug, cfg.Width, cfg.Height)
		}
		page := readOut(t, dest, "articles/"+slug+"/index.html")
		meta := `<meta property="og:image" content="https://example.com/articles/` + slug + `/og.png">`
		if !bytes.Contains(page, []byte(meta)) {
			t.Errorf("articles/%s/index.html lacks %s", slug, meta)
		}
	}
	if !strings.Contains(html.UnescapeString(string(readOut(t, dest, "articles/newer/index.html"))), `<meta property="article:published_time" content="2024-03-04T09:30:00+09:00">`) {
		t.Errorf("articles/newer/index.html lacks article:published_time")
	}

	for _, p := range rep.Problems {
		if p.Severity == diag.Warning && strings.Contains(p.Msg, "base_url") {
			t.Errorf("a build with a base URL warned: %s", p.Error())
		}
	}
	if rep.Images != 5 {
		t.Errorf("report counts %d images, want the 5 sharing images", rep.Images)
	}
}

func TestFeedsSubPath(t *testing.T) {
	tests := []struct {
		name, base, prefix, robotsSitemap string
		subPathNote                       bool
	}{
		{"absolute with a path", "https://user.github.io/repo/", "https://user.github.io/repo/", "Sitemap: https://user.github.io/repo/sitemap.xml", true},
		{"path only", "/repo/", "/repo/", "", true},
		{"none", "", "/", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := testSite(t, blogFiles())
			dest := filepath.Join(root, "public")
			rep := buildSite(t, Options{Root: root, BaseURL: tt.base})
			sm := parseSitemap(t, readOut(t, dest, "sitemap.xml"))
			// Home, archive and its two years, 3 articles, topics, go, web.
			if len(sm.URLs) != 10 {
				t.Errorf("sitemap has %d URLs, want 10", len(sm.URLs))
			}
			for _, u := range sm.URLs {
				if !strings.HasPrefix(u.Loc, tt.prefix) {
					t.Errorf("sitemap URL %q is not under %q", u.Loc, tt.prefix)
				}
			}
			if sm.URLs[0].Loc != tt.prefix {
				t.Errorf("first sitemap URL = %q, want the home page %q", sm.URLs[0].Loc, tt.prefix)
			}
			robots := string(readOut(t, dest, "robots.txt"))
			if tt.robotsSitemap == "" {
				if strings.Contains(robots, "Sitemap:") {
					t.Errorf("robots.txt has a Sitemap line without an absolute base URL:\n%s", robots)
				}
			} else if !strings.Contains(robots, tt.robotsSitemap+"\n") {
				t.Errorf("robots.txt lacks %q:\n%s", tt.robotsSitemap, robots)
			}
			if hasComment := strings.HasPrefix(robots, "#"); hasComment != tt.subPathNote {
				t.Errorf("robots.txt sub-path note present = %v for base %q:\n%s", hasComment, tt.base, robots)
			}
			f := parseFeed(t, readOut(t, dest, "feed.xml"))
			for _, e := range f.Entries {
				if !strings.HasPrefix(e.Links[0].Href, tt.prefix+"articles/") {
					t.Errorf("entry link %q is not under %q", e.Links[0].Href, tt.prefix)
				}
			}
			// Atom ids are absolute IRIs: the URL when there is one, else a
			// name-based UUID.
			uuidRE := regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
			absolute := strings.HasPrefix(tt.base, "https://")
			for _, id := range append([]string{f.ID}, f.Entries[0].ID, f.Entries[1].ID) {
				if absolute && !strings.HasPrefix(id, tt.prefix) || !absolute && !uuidRE.MatchString(id) {
					t.Errorf("Atom id %q for base %q", id, tt.base)
				}
			}
			if !absolute && f.Entries[0].ID == f.Entries[1].ID {
				t.Errorf("two entries share the id %q", f.Entries[0].ID)
			}
			warned := false
			for _, p := range rep.Problems {
				warned = warned || p.Severity == diag.Warning && strings.Contains(p.Msg, "base_url")
			}
			if warned != !absolute {
				t.Errorf("base_url warning = %v, want %v", warned, !absolute)
			}
			page := string(readOut(t, dest, "articles/newer/index.html"))
			if !strings.Contains(page, `<meta property="og:image" content="`+tt.prefix+`articles/newer/og.png">`) {
				t.Errorf("og:image is not under %q", tt.prefix)
			}
		})
	}
}

// TestFeedsDeterministic builds the same site twice with separate caches
// (so the images are drawn twice) and once more reusing a cache.
func TestFeedsDeterministic(t *testing.T) {
	files := blogFiles()
	root := testSite(t, files)
	build := func(dest, cache string) string {
		out := filepath.Join(root, dest)
		buildSite(t, Options{Root: root, Dest: out, CacheDir: filepath.Join(root, cache), BaseURL: "https://example.com/"})
		return out
	}
	a := build("a", "cache-a")
	b := build("b", "cache-b")
	c := build("c", "cache-a")
	for _, rel := range []string{"feed.xml", "topics/go/feed.xml", "topics/web/feed.xml", "sitemap.xml", "robots.txt", ".nojekyll",
		"articles/newer/og.png", "articles/older/og.png", "articles/undated/og.png"} {
		x := readOut(t, a, rel)
		if !bytes.Equal(x, readOut(t, b, rel)) {
			t.Errorf("%s differs between two builds", rel)
		}
		if !bytes.Equal(x, readOut(t, c, rel)) {
			t.Errorf("%s differs between a fresh build and one from the cache", rel)
		}
	}
}

func TestFeedEntryLimit(t *testing.T) {
	files := map[string]string{}
	for i := 1; i <= feeds.Max+5; i++ {
		files[fmt.Sprintf("content/articles/a%02d.md", i)] = article(fmt.Sprintf("記事 %02d", i), true, fmt.Sprintf("2024-01-%02d", i), "go")
	}
	root := testSite(t, files)
	buildSite(t, Options{Root: root})
	dest := filepath.Join(root, "public")
	var want []string
	for i := feeds.Max + 5; i > 5; i-- {
		want = append(want, fmt.Sprintf("記事 %02d", i))
	}
	for _, rel := range []string{"feed.xml", "topics/go/feed.xml"} {
		if diff := cmp.Diff(want, entryTitles(parseFeed(t, readOut(t, dest, rel)))); diff != "" {
			t.Errorf("%s holds the newest %d (-want +got):\n%s", rel, feeds.Max, diff)
		}
	}
	// Home and its page 2, the archive and its year, topics, go and its page 2.
	if n := len(parseSitemap(t, readOut(t, dest, "sitemap.xml")).URLs); n != feeds.Max+5+7 {
		t.Errorf("the sitemap lists %d URLs, want every article and list page (%d)", n, feeds.Max+5+7)
	}
}

// A content folder that ships its own robots.txt or sitemap.xml keeps it.
func TestUserRobotsAndSitemap(t *testing.T) {
	files := blogFiles()
	files["content/static/robots.txt"] = "User-agent: *\nDisallow: /private/\n"
	files["content/static/sitemap.xml"] = "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"></urlset>\n"
	root := testSite(t, files)
	buildSite(t, Options{Root: root, BaseURL: "https://example.com/"})
	dest := filepath.Join(root, "public")
	for rel, want := range map[string]string{"robots.txt": files["content/static/robots.txt"], "sitemap.xml": files["content/static/sitemap.xml"]} {
		if got := string(readOut(t, dest, rel)); got != want {
			t.Errorf("%s = %q, want the content folder's %q", rel, got, want)
		}
	}
}
