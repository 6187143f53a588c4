package build

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kiji-ssg/kiji/site/content"
	"github.com/kiji-ssg/kiji/site/feeds"
	"github.com/kiji-ssg/kiji/site/render"
)

// The step "write feeds": the Atom feeds, sitemap.xml and robots.txt, in
// the formats of package feeds.
//
//	feed.xml                  the site: its newest articles and books
//	topics/<slug>/feed.xml    each topic: its newest articles and books
//	sitemap.xml               every published page written so far
//	robots.txt                unless the content folder ships static/robots.txt
//
// Drafts never appear in a feed or the sitemap, even in a --drafts build:
// such a build is a preview, and a feed reader or crawler that saw one
// would keep the draft forever. A build without base_url warns once: see
// package feeds for why absolute URLs matter.

func topicFeedPath(slug string) string { return topicDir(slug) + "feed.xml" }

// writeFeeds writes the feeds, the sitemap and robots.txt.
func (r *run) writeFeeds() error {
	if r.base.url == "" && !r.opts.Dev {
		r.probs.Warnf(filepath.ToSlash(r.opts.Config), 0, 0,
			"no base_url is set, so the feeds, sitemap.xml, robots.txt and og:image use root-relative URLs, which crawlers, social sites and some feed readers do not resolve; set base_url: https://your.host/ in kiji.yaml or pass --base-url")
	}
	var items map[any]*feedItem // made when a feed's newest items are looked for
	entries := func(rel string, as []*content.Article, bs []*content.Book) []feeds.Entry {
		its, ok := r.b.feedItems(r, rel) // a Builder's, when the order cannot have changed
		if !ok {
			if items == nil {
				items = r.feedItems()
			}
			its = newestItems(as, bs, items)
		}
		r.b.storeFeedItems(rel, its)
		return r.entriesOf(its)
	}
	if err := r.writeFeed("feed.xml", r.cfg.Title, r.cfg.Description, "", entries("feed.xml", r.site.Articles, r.site.Books)); err != nil {
		return err
	}
	for _, t := range r.site.Topics {
		title := render.Translate(r.cfg.Language, "topicof", t.Name) + " | " + r.cfg.Title
		rel := topicFeedPath(t.Slug)
		if err := r.writeFeed(rel, title, "", topicDir(t.Slug), entries(rel, t.Articles, t.Books)); err != nil {
			return err
		}
	}
	if err := r.writeSitemap(); err != nil {
		return err
	}
	return r.writeRobots()
}

// feedItem is a published article or book, as feeds order them: by
// News (an article's date, a book's newest change), then URL.
type feedItem struct {
	news    time.Time
	url     string
	article *content.Article
	index   int // of article in r.site.Articles
	book    *content.Book
}

// feedItems are the site's published articles and books.
func (r *run) feedItems() map[any]*feedItem {
	items := map[any]*feedItem{}
	for i, a := range r.site.Articles {
		if !a.Draft() {
			items[a] = &feedItem{news: a.Date, url: r.base.abs(articleDir(a.Slug)), article: a, index: i}
		}
	}
	for _, b := range r.site.Books {
		if !b.Draft() {
			items[b] = &feedItem{news: b.Updated, url: r.base.abs(bookDir(b.Slug)), book: b}
		}
	}
	return items
}

// newestItems returns the items of the published articles and books that
// a feed shows (at most feeds.Max), newest first, as feeds.Newest keeps
// them: a site's feed holds 20 of its thousands of articles.
func newestItems(as []*content.Article, bs []*content.Book, items map[any]*feedItem) []*feedItem {
	var its []*feedItem
	for _, a := range as {
		if it, ok := items[a]; ok {
			its = append(its, it)
		}
	}
	for _, b := range bs {
		if it, ok := items[b]; ok {
			its = append(its, it)
		}
	}
	slices.SortStableFunc(its, func(a, b *feedItem) int { // as feeds.Newest does
		if c := b.news.Compare(a.news); c != 0 {
			return c
		}
		return strings.Compare(a.url, b.url)
	})
	return its[:min(len(its), feeds.Max)]
}

// entriesOf returns the feed entries of items, as feeds.Newest keeps them.
func (r *run) entriesOf(its []*feedItem) []feeds.Entry {
	es := make([]feeds.Entry, 0, len(its))
	for _, it := range its {
		if it.book != nil {
			es = append(es, r.bookEntry(it.book))
			continue
		}
		e := r.articleEntry(it.article)
		if e.Summary == "" && it.index < len(r.articleResults) {
			e.Summary = truncate(r.articleResults[it.index].summary, 300)
		}
		es = append(es, e)
	}
	return feeds.Newest(es)
}

// writeFeed writes the Atom feed rel of the page at the URL path page.
func (r *run) writeFeed(rel, title, subtitle, page string, es []feeds.Entry) error {
	f := feeds.Feed{
		Lang: r.cfg.Language, Title: title, Subtitle: subtitle,
		Self: r.base.abs(rel), Page: r.base.abs(page), ID: r.atomID(page),
		Author: cmpOr(r.cfg.Author, r.cfg.Title), Version: Version, Entries: es,
	}
	key, kept := r.b.cachedFeed(r, rel, f)
	if kept {
		r.pages.addFile(rel)
		r.report.Pages++
		return nil
	}
	b, err := feeds.Atom(f)
	if err != nil {
		return fmt.Errorf("writing %s: %w", rel, err)
	}
	if err := r.writeFile(rel, b); err != nil {
		return err
	}
	r.b.stored(r, rel, key, nil)
	return nil
}

func (r *run) articleEntry(a *content.Article) feeds.Entry {
	dir := articleDir(a.Slug)
	// Without a description, entriesOf adds a summary.
	e := feeds.Entry{Title: a.Title, URL: r.base.abs(dir), ID: r.atomID(dir),
		Published: a.Date, Updated: a.Updated, News: a.Date, Summary: a.Description}
	e.Categories = categories(a.Topics)
	return e
}

// bookEntry is a book in the feeds: published with its first file, news
// again whenever one of its files changes (a new chapter).
func (r *run) bookEntry(b *content.Book) feeds.Entry {
	dir := bookDir(b.Slug)
	e := feeds.Entry{Title: b.Title, URL: r.base.abs(dir), ID: r.atomID(dir),
		Published: b.Date, Updated: b.Updated, News: b.Updated, Summary: truncate(b.Summary, 300)}
	e.Categories = categories(b.Topics)
	return e
}

func categories(topics []string) []feeds.Category {
	var cs []feeds.Category
	for _, t := range topics {
		if slug := content.TopicSlug(t); slug != "" {
			cs = append(cs, feeds.Category{Term: slug, Label: t})
		}
	}
	return cs
}

// atomID returns the permanent id of the page at the URL path p: its
// absolute URL when base_url is set, else feeds.ID.
func (r *run) atomID(p string) string {
	if r.base.url != "" {
		return r.base.abs(p)
	}
	return feeds.ID(r.cfg.Title, r.base.rel(p))
}

// writeFile writes a generated file and registers it as a page.
func (r *run) writeFile(rel string, b []byte) error {
	if err := r.out.write(rel, b); err != nil {
		return err
	}
	r.pages.addFile(rel)
	r.report.Pages++
	return nil
}

// writeSitemap lists every HTML page written so far (so a new kind of
// page joins by itself) except 404.html, draft articles, draft books with
// their chapters, and list pages that hold only drafts. lastmod is when the
// page's article, book or chapter last changed, and for a list page the
// newest of those it lists.
func (r *run) writeSitemap() error {
	if r.userFile("sitemap.xml") {
		return nil
	}
	lastmod, skip, skipDirs := r.sitemapDates()
	pages := r.sitemapPages()
	urls := make([]feeds.URL, 0, len(pages))
	for _, p := range pages {
		if !skip[p.rel] && !hasAnyPrefix(p.rel, skipDirs) {
			urls = append(urls, feeds.URL{Loc: p.loc, LastMod: lastmod[p.rel]})
		}
	}
	key, kept := r.b.cachedSitemap(r, urls)
	if kept {
		r.pages.addFile("sitemap.xml")
		r.report.Pages++
		return nil
	}
	b, err := feeds.Sitemap(urls)
	if err != nil {
		return fmt.Errorf("writing sitemap.xml: %w", err)
	}
	if err := r.writeFile("sitemap.xml", b); err != nil {
		return err
	}
	r.b.stored(r, "sitemap.xml", key, nil)
	return nil
}

// sitemapPage is an HTML page the sitemap may list, with its URL.
type sitemapPage struct{ rel, loc string }

// sitemapPages are the HTML pages written so far, by URL: a Builder's of
// the last build when they are the same.
func (r *run) sitemapPages() []sitemapPage {
	r.pages.mu.Lock()
	defer r.pages.mu.Unlock()
	if ps, ok := r.b.samePages(r); ok {
		return ps
	}
	var ps []sitemapPage
	for rel := range r.pages.pages {
		if strings.HasSuffix(rel, ".html") {
			ps = append(ps, sitemapPage{rel, r.base.abs(strings.TrimSuffix(rel, "index.html"))})
		}
	}
	slices.SortFunc(ps, func(a, b sitemapPage) int { return strings.Compare(a.loc, b.loc) })
	r.b.storePages(ps)
	return ps
}

// sitemapDates returns each page's lastmod, the pages to leave out and the
// folders all of whose pages are left out.
func (r *run) sitemapDates() (map[string]time.Time, map[string]bool, []string) {
	lastmod := make(map[string]time.Time, len(r.site.Articles)+len(r.lists))
	skip := map[string]bool{"404.html": true}
	var skipDirs []string
	for _, b := range r.site.Books {
		if b.Draft() {
			skipDirs = append(skipDirs, bookDir(b.Slug))
			continue
		}
		lastmod[outputFile(bookDir(b.Slug))] = b.Updated
		for _, ch := range b.Chapters {
			lastmod[outputFile(chapterDir(ch))] = ch.Updated
		}
	}
	for _, a := range r.site.Articles {
		rel := outputFile(articleDir(a.Slug))
		if a.Draft() {
			skip[rel] = true
			continue
		}
		lastmod[rel] = a.Updated
	}
	for rel, l := range r.lists {
		if !l.live {
			skip[rel] = true
		}
		lastmod[rel] = l.updated
	}
	return lastmod, skip, skipDirs
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
	sitemap := ""
	if r.base.url != "" {
		sitemap = r.base.abs("sitemap.xml")
	}
	if err := r.out.write("robots.txt", feeds.Robots(r.base.path, sitemap)); err != nil {
		return err
	}
	r.pages.addFile("robots.txt")
	return nil
}
