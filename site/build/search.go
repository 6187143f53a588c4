package build

import (
	"strings"

	"github.com/kiji-ssg/kiji/site/render"
	"github.com/kiji-ssg/kiji/site/search"
)

// The search index (package search) is fed while pages are rendered:
// each published article and chapter rendered is tokenised once, and its
// entries spilled to the index's cache (.kiji-cache/search/); a page kept
// from the last build keeps its entries there. The build cache holds only
// the ID of that cache (state.SearchID), never the tokens. writeSearch
// writes the index files whose entries changed and the /search/ page.
// Drafts are never indexed.

// openSearch starts the index, once the content and the last build's
// cache are read.
func (r *run) openSearch() {
	if !r.cfg.Search.on() {
		return
	}
	var urls []string
	for _, a := range r.site.Articles {
		if !a.Draft() {
			urls = append(urls, articleDir(a.Slug))
		}
	}
	for _, b := range r.site.Books {
		if !b.Draft() {
			for _, ch := range b.Chapters {
				urls = append(urls, chapterDir(ch))
			}
		}
	}
	r.search = search.NewIndex(search.Config{
		Options:  search.Options{Code: r.cfg.Search.Code == nil || *r.cfg.Search.Code},
		Pages:    len(urls),
		URLs:     urls,
		CacheDir: r.opts.CacheDir,
		PrevID:   r.oldState.SearchID,
	}, r.opts.Dev)
}

// searchURL is the search page's URL ("" when search is off).
func (r *run) searchURL() string {
	if !r.cfg.Search.on() {
		return ""
	}
	return r.base.rel("search/")
}

// searchDoc is what the index needs of a page about to be rendered; nil
// when it is not indexed.
func (r *run) searchDoc(dir, title string, topics []string, draft bool) *search.Doc {
	if r.search == nil || draft {
		return nil
	}
	return &search.Doc{URL: dir, Title: title, Topics: topics}
}

// indexPage tokenises a rendered page for the index.
func (r *run) indexPage(d *search.Doc, body []byte) error {
	if d == nil {
		return nil
	}
	doc := *d
	doc.Body = body
	return r.search.AddDoc(doc)
}

// searchKept reports whether the index's cache serves a page kept from
// the last build: it holds the page's entries whenever it is indexed.
func (r *run) searchKept(rel string, draft bool) bool {
	return r.search == nil || draft || r.search.Has(searchURLOf(rel))
}

// keepInSearch keeps the entries of a page kept from the cache.
func (r *run) keepInSearch(rel string, draft bool) {
	if r.search != nil && !draft {
		r.search.Keep(searchURLOf(rel))
	}
}

// searchURLOf is the index's URL of a page's output file
// ("articles/x/index.html" → "articles/x/").
func searchURLOf(rel string) string { return strings.TrimSuffix(rel, "index.html") }

// searchSink writes the index's files to the output.
type searchSink struct{ r *run }

func (s searchSink) Write(p string, data []byte) (string, error) {
	h, err := s.r.out.writeHash(p, data)
	if err == nil {
		s.r.pages.addFile(p)
	}
	return h, err
}

func (s searchSink) Release(p string) { s.r.out.release(p) }

func (s searchSink) Keep(p, hash string) bool {
	if !s.r.out.unchanged(p, hash) {
		return false
	}
	s.r.pages.addFile(p)
	return true
}

// startSearch writes the search page, and starts writing the index
// files in the background: it overlaps copying the files (waitSearch).
func (r *run) startSearch() error {
	if r.search == nil {
		return nil
	}
	done := make(chan error, 1)
	r.searchDone = done
	go func() { done <- r.writeSearch() }()
	if !r.theme.Has("search") {
		return nil
	}
	title := render.Translate(r.cfg.Language, "search")
	return r.page("search/", "search", &render.Page{Site: r.siteData(), Title: title, Description: title, Canonical: r.canonical("search/"), Heading: title})
}

// waitSearch waits for the index files to be written.
func (r *run) waitSearch() error {
	if r.searchDone == nil {
		return nil
	}
	err := <-r.searchDone
	r.searchDone = nil
	return err
}

// writeSearch writes the index files.
func (r *run) writeSearch() error {
	id, err := r.search.Write(searchSink{r})
	if err != nil {
		return err
	}
	r.stateMu.Lock()
	r.newState.SearchID = id
	r.stateMu.Unlock()
	return nil
}
