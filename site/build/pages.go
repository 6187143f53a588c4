package build

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"

	"github.com/kiji-ssg/kiji/site/content"
	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/markdown"
	"github.com/kiji-ssg/kiji/site/markdown/diagram"
	"github.com/kiji-ssg/kiji/site/render"
	"github.com/kiji-ssg/kiji/site/search"
)

// extras are the client-side assets pages may need (math, mermaid…), set
// up by setupMarkdown.
type extras struct {
	styles  map[string][]string        // feature → stylesheet URLs
	scripts map[string][]template.HTML // feature → script tags
}

func (r *run) setupMarkdown() {
	r.extras = extras{styles: map[string][]string{}, scripts: map[string][]template.HTML{}}
	var exts []goldmark.Extender
	exts = append(exts, r.extensions()...)
	r.conv = markdown.New(markdown.Options{
		SoftBreaks:   r.cfg.Markdown.SoftBreaks,
		TrustHTML:    r.cfg.Markdown.TrustHTML,
		BasePath:     r.base.path,
		Image:        r.images.lookup,
		Extensions:   exts,
		TOCSkipKinds: []string{"ZennContainer"}, // as on Zenn: headings in :::message and :::details stay out
	})
}

func (r *run) siteData() *render.Site {
	return &render.Site{
		Title:       r.cfg.Title,
		Description: r.cfg.Description,
		Author:      r.cfg.Author,
		Lang:        r.cfg.Language,
		BaseURL:     r.base.url,
		BasePath:    r.base.path,
		Home:        r.base.rel(""),
		TopicsURL:   r.base.rel("topics/"),
		BooksURL:    r.base.rel("books/"),
		FeedURL:     r.base.rel("feed.xml"),
		ArchiveURL:  r.base.rel("archive/"),
		HasBooks:    len(r.site.Books) > 0,
		SearchURL:   r.searchURL(),
	}
}

func (r *run) summary(a *content.Article, minutes int) *render.Summary {
	s := &render.Summary{
		URL:      r.base.rel(articleDir(a.Slug)),
		Title:    a.Title,
		Emoji:    a.Emoji,
		DateText: a.DateText(),
		Minutes:  minutes,
		Draft:    a.Draft(),
	}
	if minutes > 0 {
		s.ReadingTime = r.words.readingTime(r, minutes)
	}
	s.DateISO = a.DateISO()
	for _, t := range a.Topics {
		url := r.words.topicURL(r, t)
		if url == "" {
			continue
		}
		s.Topics = append(s.Topics, &render.TopicLink{URL: url, Name: t})
	}
	return s
}

// summaryWords are the strings the summaries of ten thousand articles
// share, made once each: a topic's page URL, by name ("" for a name
// without a slug), and a reading time, by minutes. Summaries are made
// in parallel.
type summaryWords struct {
	mu      sync.Mutex
	topics  map[string]string
	minutes map[int]string
}

func (w *summaryWords) topicURL(r *run, name string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	url, ok := w.topics[name]
	if !ok {
		if slug := content.TopicSlug(name); slug != "" {
			url = r.base.rel(topicDir(slug))
		}
		if w.topics == nil {
			w.topics = map[string]string{}
		}
		w.topics[name] = url
	}
	return url
}

func (w *summaryWords) readingTime(r *run, minutes int) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, ok := w.minutes[minutes]
	if !ok {
		s = render.Translate(r.cfg.Language, "readingtime", minutes)
		if w.minutes == nil {
			w.minutes = map[int]string{}
		}
		w.minutes[minutes] = s
	}
	return s
}

// articleResult is what the lists need from a rendered article.
type articleResult struct {
	minutes int
	summary string
}

func (r *run) renderArticles() error {
	as := r.site.Articles
	results := make([]articleResult, len(as))
	render := func(_ int, i int) (bool, error) {
		res, err := r.renderArticle(i)
		results[i] = res
		return err == nil, err
	}
	first, rest := r.b.articlesFirst(r)
	_, err := forEach(r, first, render)
	if err == nil && len(first) > 0 {
		err = r.showChangedPages()
	}
	if err == nil {
		_, err = forEach(r, rest, render)
	}
	r.articleResults = results
	r.report.Articles = len(as)
	return err
}

// articlesFirst splits the articles (by index) into those rendered and
// shown first (changedFirst: the changed ones) and the rest.
func (b *Builder) articlesFirst(r *run) (first, rest []int) {
	as := r.site.Articles
	rest = make([]int, 0, len(as))
	show := b.changedFirst(r)
	for i, a := range as {
		if show && b.changedFiles[a.File] {
			first = append(first, i)
		} else {
			rest = append(rest, i)
		}
	}
	return first, rest
}

func (r *run) renderArticle(i int) (res articleResult, err error) {
	a := r.site.Articles[i]
	rel := outputFile(articleDir(a.Slug))
	key := r.articleKey(i)
	if e, ok := r.reuseDocPage(a.Path, rel, key, a.Draft()); ok {
		return articleResult{minutes: e.Minutes, summary: e.Summary}, nil
	}
	// Older article is "previous", newer is "next" (the list is newest first).
	var prev, next *render.Summary
	if i+1 < len(r.site.Articles) {
		prev = r.summary(r.site.Articles[i+1], 0)
	}
	if i > 0 {
		next = r.summary(r.site.Articles[i-1], 0)
	}
	probs := &diag.List{}
	defer func() {
		if p := recover(); p != nil {
			probs.Add(diag.Problem{File: a.File, Line: 1, Severity: diag.Error, Rule: "internal",
				Msg: fmt.Sprintf("kiji failed on this file (%v); please report it with the file attached", p)})
		}
		r.probs.Add(probs.Sorted()...)
	}()
	body, err := content.ReadBody(r.srcFS, a)
	if err != nil {
		probs.Errorf(a.File, 0, 0, "cannot read the article: %v", err)
		return res, nil
	}
	doc := &diag.Doc{File: a.File, Src: body, List: probs, Ctx: r.ctx}
	mr, used, err := r.convert(doc, articleFrom(a))
	if mr == nil {
		return res, err
	}
	res.minutes = mr.ReadingMinutes()
	res.summary = mr.Summary
	view := &render.ArticleView{Summary: *r.summary(a, res.minutes), Body: template.HTML(mr.HTML), Prev: prev, Next: next}
	if a.Type == "tech" || a.Type == "idea" {
		view.TypeLabel = render.Translate(r.cfg.Language, a.Type)
	}
	view.TOC = tocOf(mr)
	desc := a.Description
	if desc == "" {
		desc = truncate(mr.Summary, 120)
	}
	page := &render.Page{
		Site:        r.siteData(),
		Title:       a.Title,
		Description: desc,
		Canonical:   r.canonical(articleDir(a.Slug)),
		Image:       r.ogImageURL(a), // written by renderFeeds
		Article:     view,
	}
	r.addNeeds(page, doc)
	err = r.writeDocPage(docPage{rel: rel, file: a.File, path: a.Path, tmpl: "article", key: key,
		page: page, mr: mr, minutes: res.minutes, summary: res.summary, probs: probs, pages: r.pagesDep(used),
		index: r.searchDoc(articleDir(a.Slug), a.Title, a.Topics, a.Draft())})
	return res, err
}

// reuseDocPage reuses the page of an article or chapter (by its source
// path) that the last build wrote with the same key and that is still in
// the output as written: its links, problems and cache entry are kept.
func (r *run) reuseDocPage(path, rel, key string, draft bool) (*articleEntry, bool) {
	e, ok := r.oldState.Articles[path]
	if !ok || e.Key != key || e.Rel != rel || !r.samePages(e) || !r.searchKept(rel, draft) || !r.out.unchanged(rel, e.OutHash) {
		return nil, false
	}
	r.pages.addCached(rel, &e.Links)
	r.probs.Add(e.Problems...)
	r.storeEntry(path, e)
	r.keepInSearch(rel, draft)
	return e, true
}

// tocOf is the table of contents of a converted page.
func tocOf(mr *markdown.Result) []render.TOCEntry {
	var toc []render.TOCEntry
	for _, e := range mr.TOC {
		toc = append(toc, render.TOCEntry{Level: e.Level, Depth: e.Depth, ID: e.ID, Text: e.Text})
	}
	return toc
}

// docPage is a page made from one Markdown file: an article or a chapter.
type docPage struct {
	rel, file, path string // output path; the file as the user knows it and in the content fs
	tmpl, key       string // the template; the page's cache key
	page            *render.Page
	mr              *markdown.Result
	minutes         int
	summary         string
	probs           *diag.List
	pages           string      // articleEntry.Pages
	index           *search.Doc // the page for the search index; nil: not indexed
}

// writeDocPage renders d, indexes its links, writes it and records its
// cache entry.
func (r *run) writeDocPage(d docPage) error {
	buf := getBuf(len(d.mr.HTML) + 16<<10)
	defer putBuf(buf)
	if err := r.theme.Execute(buf, d.tmpl, d.page); err != nil {
		return err
	}
	pl := r.pages.addPage(d.rel, d.file, r.templateFile(d.tmpl), buf.Bytes(), d.mr)
	outHash, err := r.out.writeHash(d.rel, buf.Bytes())
	if err != nil {
		return err
	}
	if err := r.indexPage(d.index, d.mr.HTML); err != nil {
		return err
	}
	// The key and the hash in one string: what the build keeps of a page
	// is made in as few values as it can (see linkIndex.newPage).
	kh := d.key + outHash
	r.stateMu.Lock()
	if r.entrySlab.n == 0 {
		r.entrySlab.n = 128 // 40 KB chunks
	}
	e := &r.entrySlab.take(1)[0]
	r.stateMu.Unlock()
	*e = articleEntry{Key: kh[:len(d.key)], Rel: d.rel, OutHash: kh[len(d.key):],
		Minutes: d.minutes, Summary: d.summary, Problems: d.probs.Sorted(), Links: cachedLinks{memo: pl}, Pages: d.pages} // links filled in when saved
	r.storeEntry(d.path, e)
	return nil
}

// pageBufs holds page buffers for reuse: a page is rendered into one,
// scanned for links, written out, and the buffer goes back.
var pageBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// getBuf returns an empty buffer with room for n bytes.
func getBuf(n int) *bytes.Buffer {
	b := pageBufs.Get().(*bytes.Buffer)
	b.Reset()
	b.Grow(n)
	return b
}

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 1<<20 {
		pageBufs.Put(b)
	}
}

func (r *run) storeEntry(p string, e *articleEntry) {
	r.stateMu.Lock()
	r.newState.Articles[p] = e
	r.stateMu.Unlock()
}

func (r *run) addNeeds(p *render.Page, doc *diag.Doc) {
	for _, f := range []string{"math", "mermaid", "tweet", diagram.Feature, diagram.FeatureMarkdown} {
		if doc.Needs(f) {
			p.Styles = append(p.Styles, r.extras.styles[f]...)
			p.Scripts = append(p.Scripts, r.extras.scripts[f]...)
		}
	}
}

func (r *run) canonical(p string) string {
	if r.base.url == "" {
		return ""
	}
	return r.base.abs(p)
}

// truncate returns s with each run of white space made one space and
// the ends trimmed, cut to its first n runes followed by "…" when it is
// longer. Only the words up to the cut are looked at: a feed's summary
// is cut from an article's whole text (an invalid byte counts as a rune
// and becomes U+FFFD before the cut, as in []rune).
func truncate(s string, n int) string {
	var b strings.Builder
	runes := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		start := i
		for i < len(s) {
			if r, size = utf8.DecodeRuneInString(s[i:]); unicode.IsSpace(r) {
				break
			}
			i += size
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
			runes++
		}
		b.WriteString(s[start:i])
		if runes += utf8.RuneCountInString(s[start:i]); runes > n {
			return string([]rune(b.String())[:n]) + "…"
		}
	}
	return b.String()
}

// renderLists writes the home page, topic pages, the archive and the 404
// page (see lists.go).
func (r *run) renderLists() error {
	r.forgetHighlighted()
	site := r.siteData()
	sums, idx := r.summaries()
	if r.b == nil {
		// The summaries and their cards are the lists' alone: the steps
		// after them need the room more.
		defer func() { r.summaryKeys = nil }()
	}
	r.b.primeSummaryKeys(r, sums)
	jobs := r.listJobs(site, idx)
	// Which pages the last build left as they must be (a rebuild keeps
	// most): only the others are rendered, and only their cards.
	keys := make([]string, len(jobs))
	kept := make([]bool, len(jobs))
	if _, err := forEach(r, jobs, func(i int, j listPage) (bool, error) {
		keys[i], kept[i] = r.b.listKept(r, outputFile(j.path), j.tmpl, j.data)
		return false, nil
	}); err != nil {
		return err
	}
	if err := r.renderCards(site, jobs, kept); err != nil {
		return err
	}
	_, err := forEach(r, jobs, func(i int, j listPage) (bool, error) {
		if kept[i] {
			r.countPage()
			return false, nil
		}
		return false, r.renderPage(j.path, j.tmpl, j.data, keys[i])
	})
	return err
}

// renderCards renders, once each, the cards of the articles listed on the
// list pages to be rendered, when the theme has a "card" template.
func (r *run) renderCards(site *render.Site, jobs []listPage, kept []bool) error {
	if !r.theme.HasCard() {
		return nil
	}
	seen := map[*render.Summary]bool{}
	var todo []*render.Summary
	for i, j := range jobs {
		if kept[i] {
			continue
		}
		for _, s := range j.data.Articles {
			if !seen[s] && s.Card == "" {
				seen[s] = true
				todo = append(todo, s)
			}
		}
	}
	_, err := forEach(r, todo, func(_ int, s *render.Summary) (bool, error) {
		var err error
		s.Card, err = r.theme.Card(site, s)
		return false, err
	})
	return err
}

// listPage is one list page to render: its URL path, template and data.
type listPage struct {
	path, tmpl string
	data       *render.Page
}

func (r *run) countPage() {
	r.stateMu.Lock()
	r.report.Pages++
	r.stateMu.Unlock()
}

// page renders one list page at the URL path p. Pages may be rendered in
// parallel.
func (r *run) page(p, tmpl string, data *render.Page) error {
	key, kept := r.b.cachedList(r, outputFile(p), tmpl, data)
	if kept {
		r.countPage()
		return nil
	}
	return r.renderPage(p, tmpl, data, key)
}

// renderPage renders and writes a page that the cache did not keep; key is
// its cache key.
func (r *run) renderPage(p, tmpl string, data *render.Page, key string) error {
	rel := outputFile(p)
	buf := getBuf(32 << 10)
	defer putBuf(buf)
	if err := r.theme.Execute(buf, tmpl, data); err != nil {
		return err
	}
	pl := r.pages.addPage(rel, r.templateFile(tmpl), r.templateFile(tmpl), buf.Bytes(), nil)
	r.countPage()
	if err := r.out.write(rel, buf.Bytes()); err != nil {
		return err
	}
	r.b.stored(r, rel, key, pl)
	return nil
}

// copyFiles copies images and static files and writes the theme assets.
func (r *run) copyFiles() error {
	for _, a := range r.theme.Assets() {
		if err := r.out.write(a.Path, a.Data); err != nil {
			return err
		}
		r.pages.addFile(a.Path)
	}
	for _, f := range r.extraFiles {
		if err := r.out.write(f.rel, f.data); err != nil {
			return err
		}
		r.pages.addFile(f.rel)
	}
	for _, p := range r.site.Files {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		rel := p
		if strings.HasPrefix(p, "static/") {
			rel = strings.TrimPrefix(p, "static/")
		}
		if r.out.has(rel) {
			r.probs.Errorf(r.site.DisplayPath(p), 0, 0, "this file would overwrite the generated %s; rename it", rel)
			continue
		}
		if err := r.out.copyFrom(rel, r.srcFS, p); err != nil {
			return err
		}
		r.pages.addFile(rel)
		if strings.HasPrefix(p, "images/") {
			r.report.Images++
		}
	}
	r.report.Pages += len(r.site.Articles)
	return nil
}

var _ = fs.ErrNotExist

// templateFile names a theme template as the user would find it.
func (r *run) templateFile(name string) string {
	r.stateMu.Lock()
	defer r.stateMu.Unlock()
	f, ok := r.templateFiles[name]
	if !ok {
		f = "themes/" + r.cfg.Theme + "/templates/" + name + ".html"
		if r.templateFiles == nil {
			r.templateFiles = map[string]string{}
		}
		r.templateFiles[name] = f // every page names its template: one string each
	}
	return f
}

// ogImageURL is the sharing image of an article, or "" when images are off.
func (r *run) ogImageURL(a *content.Article) string {
	if !r.cfg.ogImages() {
		return ""
	}
	return r.base.abs(articleOGPath(a.Slug))
}
