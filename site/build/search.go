package build

import (
	"github.com/kiji-ssg/kiji/site/render"
	"github.com/kiji-ssg/kiji/site/search"
)

// The search index (package search) is fed while pages are rendered:
// each published article and chapter is tokenised once, and its tokens
// are kept in its cache entry, so that a build that keeps a page also
// keeps its tokens. writeSearch merges them into the index files and
// writes the /search/ page. Drafts are never indexed.

// searchURL is the search page's URL ("" when search is off).
func (r *run) searchURL() string {
	if r.search == nil {
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

// indexPage tokenises a rendered page for the index and returns its
// tokens for the cache (nil when it is not indexed).
func (r *run) indexPage(d *search.Doc, body []byte) []byte {
	if d == nil {
		return nil
	}
	doc := *d
	doc.Body = body
	t := search.Tokens(doc, search.Options{Code: r.cfg.Search.Code == nil || *r.cfg.Search.Code})
	r.search.Add(t)
	return t
}

// searchKept reports whether a cache entry serves the index: it holds
// the page's tokens whenever the page is to be indexed.
func (r *run) searchKept(e *articleEntry, draft bool) bool {
	return r.search == nil || draft || len(e.Search) > 0
}

// addToSearch adds the tokens of a page kept from the cache.
func (r *run) addToSearch(tokens []byte) {
	if r.search != nil && len(tokens) > 0 {
		r.search.Add(tokens)
	}
}

// writeSearch writes the index files and the search page.
func (r *run) writeSearch() error {
	if r.search == nil {
		return nil
	}
	files, err := r.search.Files()
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := r.out.write(f.Path, f.Data); err != nil {
			return err
		}
		r.pages.addFile(f.Path)
	}
	if !r.theme.Has("search") {
		return nil
	}
	title := render.Translate(r.cfg.Language, "search")
	return r.page("search/", "search", &render.Page{Site: r.siteData(), Title: title, Description: title, Canonical: r.canonical("search/"), Heading: title})
}
