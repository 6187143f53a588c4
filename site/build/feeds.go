package build

// Hosting and sharing files beside the pages: .nojekyll (GitHub Pages
// serves the folder as is) and articles/<slug>/og.png, the sharing image
// (package ogimage; its cache in ogcache.go). The feeds, sitemap.xml and robots.txt are written by
// the step before (feedstep.go, with package feeds).

import (
	"github.com/kiji-ssg/kiji/site/content"
)

func articleOGPath(slug string) string { return articleDir(slug) + "og.png" }

// renderFeeds writes .nojekyll and the articles' OpenGraph images.
func (r *run) renderFeeds() error {
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
