package build

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/kiji-ssg/kiji/site/content"
	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/markdown"
	"github.com/kiji-ssg/kiji/site/zennlink"
)

// Links between pages are written as on zenn.dev (see package zennlink):
// before an article or a chapter is converted, each of its links is read
// in Zenn's layout and, when it names a page of the site, replaced by
// that page's URL here (root-relative; the Markdown converter adds the
// base path). The link check then checks the page the link now points
// to, and names the link as the author wrote it.

// indexPages fills r.zlinks with the pages this build makes, and
// r.pagesKey with their hash: the output of a page whose links were
// resolved depends on it.
func (r *run) indexPages() {
	if r.b.keptPages(r) {
		return
	}
	defer r.b.keepPages(r)
	ix := zennlink.NewIndex(r.cfg.ZennUser)
	h := sha256.New()
	fmt.Fprintf(h, "zenn_user %q\n", r.cfg.ZennUser)
	buf := make([]byte, 0, 256)
	for _, a := range r.site.Articles {
		ix.AddArticle(a.Path, a.Slug)
		// fmt.Fprintf(h, "a %q %q\n", a.Path, a.Slug), without fmt: ten
		// thousand articles at every build
		buf = append(strconv.AppendQuote(append(buf[:0], "a "...), a.Path), ' ')
		h.Write(append(strconv.AppendQuote(buf, a.Slug), '\n'))
	}
	for _, b := range r.site.Books {
		ix.AddBook(b.Slug)
		fmt.Fprintf(h, "b %q\n", b.Slug)
		for _, ch := range b.Chapters {
			ix.AddChapter(b.Slug, ch.Path, ch.Slug)
			fmt.Fprintf(h, "c %q %q\n", ch.Path, ch.Slug)
		}
	}
	r.zlinks = ix
	r.pagesKey = hex.EncodeToString(h.Sum(nil))
}

// convert converts a document written at from, its links resolved; used
// reports whether they depended on the site's pages. A Markdown error is a
// problem of the file (mr is nil, err too); a stopped build gives the
// context's error, and nothing is to be written.
func (r *run) convert(doc *diag.Doc, from zennlink.From) (*markdown.Result, *bool, error) {
	links, used := r.linksOf(from)
	r.converted.Add(1)
	mr, err := r.conv.Convert(doc, links)
	if err != nil && r.ctx.Err() == nil {
		doc.ErrorAtLine(1, 0, "cannot convert the Markdown: %v", err)
		return nil, used, nil
	}
	return mr, used, err
}

// linksOf returns the link resolver of one document and a flag it sets
// when a link's URL came from the site's pages (the page then depends on
// them, see articleEntry.Pages).
func (r *run) linksOf(from zennlink.From) (markdown.ConvertOption, *bool) {
	used := new(bool)
	f := func(dest string, image bool) (string, bool) {
		if image {
			return "", false // images are written from the content root (/images/…), as on Zenn
		}
		t, ok := r.zlinks.Resolve(from, dest)
		if !ok {
			if r.zlinks.OnZenn(dest) {
				*used = true // a page of zenn.dev the site may have one day
			}
			return "", false
		}
		*used = true
		if t.Kind == zennlink.OnZennDev {
			return "https://zenn.dev" + t.Path + t.Suffix, true
		}
		return "/" + escapePath(targetPath(t)) + t.Suffix, true
	}
	return markdown.WithLinks(f), used
}

func articleFrom(a *content.Article) zennlink.From {
	return zennlink.From{Path: a.Path, Slug: a.Slug}
}

func chapterFrom(ch *content.Chapter) zennlink.From {
	return zennlink.From{Path: ch.Path, Slug: ch.Slug, Book: ch.Book.Slug}
}

// targetPath is the output folder of a page a link means.
func targetPath(t zennlink.Target) string {
	switch t.Kind {
	case zennlink.Article:
		return articleDir(t.Slug)
	case zennlink.Book:
		return bookDir(t.Book)
	case zennlink.Chapter:
		return bookDir(t.Book) + t.Slug + "/"
	}
	return ""
}

// samePages reports whether a cached page was made with the pages of
// this build, as far as its links depend on them.
func (r *run) samePages(e *articleEntry) bool { return e.Pages == "" || e.Pages == r.pagesKey }

// pagesDep is what an entry records of the pages it depends on: the
// build's pages key when its links used them, else "".
func (r *run) pagesDep(used *bool) string {
	if used != nil && *used {
		return r.pagesKey
	}
	return ""
}
