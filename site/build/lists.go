package build

import (
	"strconv"
	"time"

	"github.com/kiji-ssg/kiji/site/content"
	"github.com/kiji-ssg/kiji/site/render"
)

// Lists. The home page, each topic's page and the books page hold
// paginate: (kiji.yaml, default 20) articles or books each; the rest follow
// at page/2/, page/3/…:
//
//	index.html, page/<n>/              the newest articles (books on the first page)
//	topics/<slug>/, …/page/<n>/        a topic's articles (its books on the first page)
//	books/, books/page/<n>/            the books
//	archive/                           every year and month, with counts
//	archive/<year>/                    a year's articles, by month
//
// Each page links the one before and after (rel=prev/next, in <head> and
// in a pager), is its own canonical URL and is in the sitemap, with the
// newest change of what it lists as lastmod. So the first page of a site
// of ten thousand articles weighs what one of twenty does.

// listInfo is what the sitemap needs of a list page.
type listInfo struct {
	updated time.Time // the newest change of what it lists
	live    bool      // it lists a published article or book
}

// listSpec is one list to split in pages.
type listSpec struct {
	base     string      // URL path of its first page
	tmpl     string      // template
	page     render.Page // what every page shows (Heading, Intro…)
	articles []*content.Article
	books    []*content.Book
	// pageBooks: the books are the items paginated (the books page);
	// else they are shown on the first page only.
	pageBooks bool
}

// pageCount is how many pages n items take at per a page (per 0: one).
func pageCount(n, per int) int {
	if per <= 0 || n <= per {
		return 1
	}
	return (n + per - 1) / per
}

// pagePath is the URL path of page i (1-based) of the list at base.
func pagePath(base string, i int) string {
	if i <= 1 {
		return base
	}
	return base + "page/" + strconv.Itoa(i) + "/"
}

// pager links page i of total; nil for a list of one page.
func (r *run) pager(base string, i, total int) *render.Pager {
	if total <= 1 {
		return nil
	}
	p := &render.Pager{Number: i, Total: total}
	if i > 1 {
		p.Prev = r.base.rel(pagePath(base, i-1))
	}
	if i < total {
		p.Next = r.base.rel(pagePath(base, i+1))
	}
	for n := 1; n <= total; n++ {
		near := n == 1 || n == total || n >= i-2 && n <= i+2
		switch {
		case near:
			p.Links = append(p.Links, render.PagerLink{Number: n, URL: r.base.rel(pagePath(base, n)), Current: n == i})
		case len(p.Links) > 0 && !p.Links[len(p.Links)-1].Gap:
			p.Links = append(p.Links, render.PagerLink{Gap: true})
		}
	}
	return p
}

// paged splits a list in its pages.
func (r *run) paged(s listSpec, idx map[*content.Article]*render.Summary) []listPage {
	per := r.cfg.perPage()
	n := len(s.articles)
	if s.pageBooks {
		n = len(s.books)
	}
	total := pageCount(n, per)
	if r.lists == nil {
		r.lists = map[string]listInfo{}
	}
	var out []listPage
	for i := 1; i <= total; i++ {
		lo, hi := 0, n
		if total > 1 {
			lo, hi = (i-1)*per, min(i*per, n)
		}
		as, bs := s.articles, s.books
		if s.pageBooks {
			as, bs = nil, bs[lo:hi]
		} else {
			as = as[lo:hi]
			if i > 1 {
				bs = nil
			}
		}
		p := s.page
		p.Articles, p.Books = nil, r.bookSummaries(bs)
		for _, a := range as {
			p.Articles = append(p.Articles, idx[a])
		}
		path := pagePath(s.base, i)
		p.Canonical, p.Pager = r.canonical(path), r.pager(s.base, i, total)
		if i > 1 {
			p.Title = pageTitle(r.cfg.Language, s.page.Heading, i, total)
			p.Intro = ""
		}
		info := infoOf(as, bs)
		info.live = info.live || path == "" // the home page, even of no article
		r.lists[outputFile(path)] = info
		out = append(out, listPage{path, s.tmpl, &p})
	}
	return out
}

func pageTitle(lang, heading string, i, total int) string {
	return heading + " (" + render.Translate(lang, "pageof", i, total) + ")"
}

// infoOf is the sitemap's view of a list of articles and books.
func infoOf(as []*content.Article, bs []*content.Book) listInfo {
	var l listInfo
	for _, a := range as {
		if !a.Draft() {
			l.live = true
			l.updated = content.Later(l.updated, a.Updated)
		}
	}
	for _, b := range bs {
		if !b.Draft() {
			l.live = true
			l.updated = content.Later(l.updated, b.Updated)
		}
	}
	return l
}

// summaries returns the list view of every article, in order and by
// article.
func (r *run) summaries() ([]*render.Summary, map[*content.Article]*render.Summary) {
	sums := make([]*render.Summary, len(r.site.Articles))
	idx := make(map[*content.Article]*render.Summary, len(r.site.Articles))
	for i, a := range r.site.Articles {
		sums[i] = r.b.summaryOf(r, i, idx)
		idx[a] = sums[i]
	}
	if r.b != nil {
		r.b.sums, r.b.sumsKey = idx, r.globalKey
	}
	return sums, idx
}

// listJobs returns the list pages: home, topics, all topics, archive and
// 404 (the home page first: it is the longest to key).
func (r *run) listJobs(site *render.Site, idx map[*content.Article]*render.Summary) []listPage {
	desc := cmpOr(r.cfg.Description, r.cfg.Title)
	latest := render.Translate(r.cfg.Language, "latest")
	jobs := r.paged(listSpec{base: "", tmpl: "list", articles: r.site.Articles, books: r.site.Books,
		page: render.Page{Site: site, Description: desc, Heading: latest, Intro: r.cfg.Description}}, idx)
	var topics []*render.TopicLink
	for _, t := range r.site.Topics {
		topics = append(topics, &render.TopicLink{URL: r.base.rel(topicDir(t.Slug)), Name: t.Name, Count: len(t.Articles) + len(t.Books)})
		heading := render.Translate(r.cfg.Language, "topicof", t.Name)
		jobs = append(jobs, r.paged(listSpec{base: topicDir(t.Slug), tmpl: "list", articles: t.Articles, books: t.Books,
			page: render.Page{Site: site, Title: heading, Description: heading, FeedURL: r.base.rel(topicFeedPath(t.Slug)), Heading: heading}}, idx)...)
	}
	r.report.Topics = len(topics)
	all := render.Translate(r.cfg.Language, "alltopics")
	r.lists[outputFile("topics/")] = infoOf(r.site.Articles, r.site.Books)
	jobs = append(jobs, listPage{"topics/", "topics", &render.Page{Site: site, Title: all, Description: all, Canonical: r.canonical("topics/"), Heading: all, Topics: topics}})
	jobs = append(jobs, r.archivePages(site, idx)...)
	return append(jobs, listPage{"404.html", "404", &render.Page{Site: site, Title: "404", Description: render.Translate(r.cfg.Language, "notfound")}})
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// bookPages are the pages of the books list.
func (r *run) bookPages(site *render.Site) []listPage {
	heading := render.Translate(r.cfg.Language, "books")
	return r.paged(listSpec{base: "books/", tmpl: "books", books: r.site.Books, pageBooks: true,
		page: render.Page{Site: site, Title: heading, Description: heading, Heading: heading}}, nil)
}

// archivePages are the archive's first page (years and months) and the
// pages of each year. Articles without a date are in no year.
func (r *run) archivePages(site *render.Site, idx map[*content.Article]*render.Summary) []listPage {
	lang := r.cfg.Language
	years, src := r.archiveYears(idx)
	per := archivePerPage(r.cfg.perPage())
	for _, y := range years {
		r.placeMonths(y, per)
	}
	title := render.Translate(lang, "archive")
	r.lists[outputFile("archive/")] = infoOf(r.site.Articles, nil)
	index := &render.Page{Site: site, Title: title, Description: title, Canonical: r.canonical("archive/"), Heading: title, Archive: &render.ArchiveView{Years: summaryYears(years)}}
	jobs := []listPage{{"archive/", "archive", index}}
	for _, y := range years {
		jobs = append(jobs, r.archiveYearPages(site, y, src, per)...)
	}
	return jobs
}

// monthArticles are the articles of each month of the archive.
type monthArticles map[*render.ArchiveMonth][]*content.Article

// archiveYears groups the dated articles by year and month, newest first.
func (r *run) archiveYears(idx map[*content.Article]*render.Summary) ([]*render.ArchiveYear, monthArticles) {
	var years []*render.ArchiveYear
	src := monthArticles{}
	for _, a := range r.site.Articles { // newest first
		text := a.DateText()
		y, errY := strconv.Atoi(text[:min(4, len(text))])
		m, errM := strconv.Atoi(text[min(5, len(text)):min(7, len(text))])
		if errY != nil || errM != nil {
			continue
		}
		if len(years) == 0 || years[len(years)-1].Year != y {
			years = append(years, &render.ArchiveYear{Year: y, URL: r.base.rel("archive/" + strconv.Itoa(y) + "/")})
		}
		ay := years[len(years)-1]
		ay.Count++
		if len(ay.Months) == 0 || ay.Months[len(ay.Months)-1].Month != m {
			name := render.Translate(r.cfg.Language, "month", y, time.Month(m).String(), m)
			ay.Months = append(ay.Months, &render.ArchiveMonth{Month: m, ID: "m" + text[:7], Name: name})
		}
		am := ay.Months[len(ay.Months)-1]
		am.Count++
		am.Articles = append(am.Articles, idx[a])
		src[am] = append(src[am], a)
	}
	return years, src
}

// archivePerPage is how many articles a year's page lists: its rows are
// one line each, so five times a list page's cards (0: one page).
func archivePerPage(perPage int) int {
	return 5 * perPage
}

// placeMonths points each month of y at the year's page its first article
// is on.
func (r *run) placeMonths(y *render.ArchiveYear, per int) {
	base := "archive/" + strconv.Itoa(y.Year) + "/"
	n := 0
	for _, m := range y.Months {
		page := 1
		if per > 0 {
			page = n/per + 1
		}
		m.URL = r.base.rel(pagePath(base, page)) + "#" + m.ID
		n += m.Count
	}
}

// archiveYearPages are the pages of one year: its articles by month, per
// a page; a month cut by a page break goes on under its name on the next.
func (r *run) archiveYearPages(site *render.Site, y *render.ArchiveYear, src monthArticles, per int) []listPage {
	base := "archive/" + strconv.Itoa(y.Year) + "/"
	heading := render.Translate(r.cfg.Language, "archiveyear", y.Year)
	total := pageCount(y.Count, per)
	var jobs []listPage
	for i := 1; i <= total; i++ {
		lo, hi := 0, y.Count
		if total > 1 {
			lo, hi = (i-1)*per, min(i*per, y.Count)
		}
		view, as := yearSlice(y, src, lo, hi)
		path := pagePath(base, i)
		p := &render.Page{Site: site, Title: heading, Description: heading, Canonical: r.canonical(path), Heading: heading, Archive: &render.ArchiveView{Year: view}, Pager: r.pager(base, i, total)}
		if i > 1 {
			p.Title = pageTitle(r.cfg.Language, heading, i, total)
		}
		r.lists[outputFile(path)] = infoOf(as, nil)
		jobs = append(jobs, listPage{path, "archive", p})
	}
	return jobs
}

// yearSlice is the part of y from its lo-th to its hi-th article, by month,
// and those articles.
func yearSlice(y *render.ArchiveYear, src monthArticles, lo, hi int) (*render.ArchiveYear, []*content.Article) {
	view := *y
	view.Months = nil
	var as []*content.Article
	n := 0
	for _, m := range y.Months {
		from, to := max(lo-n, 0), min(hi-n, m.Count)
		n += m.Count
		if from >= to {
			continue
		}
		cm := *m
		cm.Articles = m.Articles[from:to]
		as = append(as, src[m][from:to]...)
		view.Months = append(view.Months, &cm)
	}
	return &view, as
}

// summaryYears is the archive's first page: years and months without
// their articles.
func summaryYears(years []*render.ArchiveYear) []*render.ArchiveYear {
	out := make([]*render.ArchiveYear, len(years))
	for i, y := range years {
		c := *y
		c.Months = make([]*render.ArchiveMonth, len(y.Months))
		for j, m := range y.Months {
			cm := *m
			cm.Articles = nil
			c.Months[j] = &cm
		}
		out[i] = &c
	}
	return out
}
