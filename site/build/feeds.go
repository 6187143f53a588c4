package build

// Feeds, discovery and sharing: the files beside the pages that feed
// readers, crawlers and hosts look for.
//
//	feed.xml                  Atom feed of the site (the newest feedEntries)
//	topics/<slug>/feed.xml    Atom feed of each topic
//	sitemap.xml               every published page, with lastmod where known
//	robots.txt                allows everything, names the sitemap
//	.nojekyll                 empty: GitHub Pages serves the folder as is
//	articles/<slug>/og.png    sharing image (site/ogimage; cache in ogcache.go)
//
// Drafts never appear in a feed or the sitemap, even in a --drafts build:
// such a build is a preview, and a feed reader or crawler that saw one
// would keep the draft forever.
//
// Absolute URLs need base_url. Without it every URL here is root-relative
// (/articles/x/). RFC 4287 resolves those against the feed's own URL, and
// Feedly, Thunderbird, FreshRSS and Python's feedparser do, but others
// (Feedjira, gofeed, NetNewsWire before 6.2) keep them as written, and the
// sitemap protocol, robots.txt's Sitemap line and og:image require
// absolute URLs: so a build without base_url warns once.

import (
	"crypto/sha1"
	"encoding/xml"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/kiji-ssg/kiji/site/content"
	"github.com/kiji-ssg/kiji/site/render"
)

// feedEntries is how many articles a feed holds: the newest 20. A feed is
// fetched whole by every subscriber many times a day, and readers keep the
// entries they have already seen, so older entries only add bytes; 20
// is months of a personal blog, far more than a reader misses between two
// polls. The whole archive is on the site and in the sitemap.
const feedEntries = 20

// undatedTime stands for the date of an article without published_at.
// Nothing in such an article says when it was written: the build time
// would change the feed on every build, and a file's modification time
// changes on every checkout (CI clones anew). The Unix epoch is fixed,
// plainly means "unknown" to a reader, and sorts undated articles last, as
// the site's lists do. Such entries get no <published>; the sitemap gives
// them no <lastmod>.
var undatedTime = time.Unix(0, 0).UTC()

func articleOGPath(slug string) string { return articleDir(slug) + "og.png" }
func topicFeedPath(slug string) string { return topicDir(slug) + "feed.xml" }

// renderFeeds writes the Atom feeds, sitemap.xml, robots.txt, .nojekyll
// and the articles' OpenGraph images.
func (r *run) renderFeeds() error {
	if r.base.url == "" && !r.opts.Dev {
		r.probs.Warnf(filepath.ToSlash(r.opts.Config), 0, 0,
			"no base_url is set, so the feeds, sitemap.xml, robots.txt and og:image use root-relative URLs, which crawlers, social sites and some feed readers do not resolve; set base_url: https://your.host/ in kiji.yaml or pass --base-url")
	}
	idx := make(map[*content.Article]int, len(r.site.Articles))
	for i, a := range r.site.Articles {
		idx[a] = i
	}
	if err := r.writeFeed("feed.xml", r.cfg.Title, r.cfg.Description, "", r.site.Articles, idx); err != nil {
		return err
	}
	for _, t := range r.site.Topics {
		title := render.Translate(r.cfg.Language, "topicof", t.Name) + " | " + r.cfg.Title
		if err := r.writeFeed(topicFeedPath(t.Slug), title, "", topicDir(t.Slug), t.Articles, idx); err != nil {
			return err
		}
	}
	if err := r.writeSitemap(); err != nil {
		return err
	}
	if err := r.writeRobots(); err != nil {
		return err
	}
	if err := r.out.write(".nojekyll", nil); err != nil {
		return err
	}
	r.pages.addFile(".nojekyll")
	if !r.cfg.ogImages() {
		return nil
	}
	return r.writeOGImages()
}

// userFile reports whether the content folder ships rel itself (under
// static/); then kiji does not generate it.
func (r *run) userFile(rel string) bool {
	for _, f := range r.site.Files {
		if f == "static/"+rel {
			return true
		}
	}
	return false
}

// Atom (RFC 4287). encoding/xml escapes text and replaces characters XML
// cannot hold.

type atomFeed struct {
	XMLName   xml.Name      `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string        `xml:"xml:lang,attr,omitempty"`
	Title     atomText      `xml:"title"`
	Subtitle  *atomText     `xml:"subtitle,omitempty"`
	Links     []atomLink    `xml:"link"`
	ID        string        `xml:"id"`
	Updated   string        `xml:"updated"`
	Author    atomPerson    `xml:"author"`
	Generator atomGenerator `xml:"generator"`
	Entries   []atomEntry   `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomGenerator struct {
	Version string `xml:"version,attr"`
	Text    string `xml:",chardata"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	Title      atomText       `xml:"title"`
	Links      []atomLink     `xml:"link"`
	ID         string         `xml:"id"`
	Published  string         `xml:"published,omitempty"`
	Updated    string         `xml:"updated"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Categories []atomCategory `xml:"category"`
}

// writeFeed writes the Atom feed rel of the page at the URL path page,
// holding the newest published articles of as (newest first already).
func (r *run) writeFeed(rel, title, subtitle, page string, as []*content.Article, idx map[*content.Article]int) error {
	key, kept := r.b.cachedFeed(r, rel, title, subtitle, page, as, idx)
	if kept {
		r.pages.addFile(rel)
		r.report.Pages++
		return nil
	}
	author := r.cfg.Author
	if author == "" {
		// Atom requires an author for every entry; the site stands in.
		author = r.cfg.Title
	}
	f := atomFeed{
		Lang:  r.cfg.Language,
		Title: atomText{Type: "text", Text: title},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: r.base.abs(rel)},
			{Rel: "alternate", Type: "text/html", Href: r.base.abs(page)},
		},
		ID:        r.atomID(page),
		Updated:   undatedTime.Format(time.RFC3339),
		Author:    atomPerson{Name: author},
		Generator: atomGenerator{Version: Version, Text: "kiji"},
	}
	if subtitle != "" {
		f.Subtitle = &atomText{Type: "text", Text: subtitle}
	}
	newest := undatedTime
	for _, a := range as {
		if len(f.Entries) == feedEntries {
			break
		}
		if a.Draft() {
			continue
		}
		f.Entries = append(f.Entries, r.atomEntry(a, idx[a]))
		if a.Date.After(newest) {
			newest = a.Date
		}
	}
	// The feed changed when its newest entry did: never the build time, so
	// an unchanged site gives an unchanged feed.
	f.Updated = newest.Format(time.RFC3339)
	if err := r.writeXML(rel, f); err != nil {
		return err
	}
	r.b.stored(r, rel, key, nil)
	return nil
}

func (r *run) atomEntry(a *content.Article, i int) atomEntry {
	dir := articleDir(a.Slug)
	e := atomEntry{
		Title:   atomText{Type: "text", Text: a.Title},
		Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: r.base.abs(dir)}},
		ID:      r.atomID(dir),
		Updated: undatedTime.Format(time.RFC3339),
	}
	if !a.Date.IsZero() {
		e.Published = a.Date.Format(time.RFC3339)
		e.Updated = e.Published
	}
	sum := a.Description
	if sum == "" && i < len(r.articleResults) {
		sum = truncate(r.articleResults[i].summary, 300)
	}
	if sum != "" {
		e.Summary = &atomText{Type: "text", Text: sum}
	}
	for _, t := range a.Topics {
		if slug := content.TopicSlug(t); slug != "" {
			e.Categories = append(e.Categories, atomCategory{Term: slug, Label: t})
		}
	}
	return e
}

// atomID returns the permanent id of the page at the URL path p: its
// absolute URL when base_url is set. Without it there is no host to name,
// and an Atom id must be an absolute IRI, so it is a name-based UUID
// (RFC 9562 version 5) of the site's title and the path: stable from build
// to build, but it changes once base_url is set, so readers would see the
// entries again — set base_url before announcing the feed.
func (r *run) atomID(p string) string {
	if r.base.url != "" {
		return r.base.abs(p)
	}
	// The URL namespace of RFC 9562, appendix A.
	ns := []byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	h := sha1.New()
	h.Write(ns)
	h.Write([]byte("kiji:" + r.cfg.Title + ":" + r.base.rel(p)))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// writeXML writes v as an indented XML document and registers it.
func (r *run) writeXML(rel string, v any) error {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("writing %s: %w", rel, err)
	}
	b = append([]byte(xml.Header), append(b, '\n')...)
	if err := r.out.write(rel, b); err != nil {
		return err
	}
	r.pages.addFile(rel)
	r.report.Pages++
	return nil
}

// Sitemap (https://www.sitemaps.org/protocol.html).

type sitemapURLSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// writeSitemap lists every HTML page written so far (so a new kind of
// page joins by itself) except 404.html, draft articles, draft books with
// their chapters, and lists that hold only drafts. lastmod is the
// article's published_at (the book's date), and for a list the newest of
// its articles'.
func (r *run) writeSitemap() error {
	if r.userFile("sitemap.xml") {
		return nil
	}
	lastmod := map[string]time.Time{}
	newer := func(rel string, t time.Time) {
		if t.After(lastmod[rel]) {
			lastmod[rel] = t
		}
	}
	skip := map[string]bool{"404.html": true}
	var skipDirs []string // every page under these
	liveBooks := 0
	for _, b := range r.site.Books {
		if b.Draft() {
			skipDirs = append(skipDirs, bookDir(b.Slug))
			continue
		}
		liveBooks++
		if !b.Date.IsZero() {
			newer(outputFile(bookDir(b.Slug)), b.Date)
		}
	}
	if liveBooks == 0 {
		skip[outputFile("books/")] = true
	}
	for _, a := range r.site.Articles {
		rel := outputFile(articleDir(a.Slug))
		if a.Draft() {
			skip[rel] = true
			continue
		}
		if !a.Date.IsZero() {
			newer(rel, a.Date)
			newer(outputFile(""), a.Date)
			newer(outputFile("topics/"), a.Date)
		}
	}
	for _, t := range r.site.Topics {
		rel := outputFile(topicDir(t.Slug))
		live := false
		for _, b := range t.Books {
			live = live || !b.Draft()
		}
		for _, a := range t.Articles {
			if !a.Draft() {
				live = true
				if !a.Date.IsZero() {
					newer(rel, a.Date)
				}
			}
		}
		if !live {
			skip[rel] = true
		}
	}
	r.pages.mu.Lock()
	var rels []string
	for rel := range r.pages.pages {
		if !skip[rel] && strings.HasSuffix(rel, ".html") && !hasAnyPrefix(rel, skipDirs) {
			rels = append(rels, rel)
		}
	}
	r.pages.mu.Unlock()
	var set sitemapURLSet
	for _, rel := range rels {
		u := sitemapURL{Loc: r.base.abs(strings.TrimSuffix(rel, "index.html"))}
		if t, ok := lastmod[rel]; ok {
			u.LastMod = t.Format(time.RFC3339)
		}
		set.URLs = append(set.URLs, u)
	}
	// By URL: the home page first, each list before its pages.
	sort.Slice(set.URLs, func(i, j int) bool { return set.URLs[i].Loc < set.URLs[j].Loc })
	return r.writeXML("sitemap.xml", set)
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// writeRobots writes robots.txt unless the content folder has its own.
func (r *run) writeRobots() error {
	if r.userFile("robots.txt") {
		return nil
	}
	var b strings.Builder
	if r.base.path != "/" {
		fmt.Fprintf(&b, "# The site is served under %s, but crawlers read robots.txt only at the\n# root of the host: copy these lines there.\n", r.base.path)
	}
	fmt.Fprintf(&b, "User-agent: *\nAllow: /\n")
	if r.base.url != "" {
		// The Sitemap line must be an absolute URL; without base_url it
		// is left out (crawlers also find /sitemap.xml on their own).
		fmt.Fprintf(&b, "\nSitemap: %s\n", r.base.abs("sitemap.xml"))
	}
	if err := r.out.write("robots.txt", []byte(b.String())); err != nil {
		return err
	}
	r.pages.addFile("robots.txt")
	return nil
}

// writeOGImages writes every rendered article's sharing image, drawing
// (or reading from the cache) in parallel.
func (r *run) writeOGImages() error {
	written, err := forEach(r, r.site.Articles, func(_ int, a *content.Article) (bool, error) {
		err := r.writeOGImage(a)
		return err == nil, err
	})
	r.report.Images += written
	if err != nil {
		return err
	}
	return r.ctx.Err()
}

func (r *run) writeOGImage(a *content.Article) error {
	card := ogCard{Title: a.Title, Emoji: a.Emoji, Site: r.cfg.Title}
	rel := articleOGPath(a.Slug)
	if r.b.cached(r, rel, ogKey(card)) {
		r.pages.addFile(rel)
		return nil
	}
	b, err := ogImage(r.opts.CacheDir, card)
	if err != nil {
		return err
	}
	if err := r.out.write(rel, b); err != nil {
		return err
	}
	r.b.stored(r, rel, ogKey(card), nil)
	r.pages.addFile(rel)
	return nil
}
