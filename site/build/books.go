package build

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"path"

	"github.com/kiji-ssg/kiji/site/content"
	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/render"
)

// Books are written as
//
//	books/                       all books (books.html)
//	books/<slug>/                the book: cover, summary, chapters (book.html)
//	books/<slug>/cover.<ext>     its cover image, copied as is
//	books/<slug>/<chapter>/      each chapter (chapter.html), with links to
//	                             the previous and next chapters and the book

func bookDir(slug string) string { return "books/" + slug + "/" }

func chapterDir(ch *content.Chapter) string { return bookDir(ch.Book.Slug) + ch.Slug + "/" }

// coverFile is the output path of a book's cover ("" without one).
func coverFile(b *content.Book) string {
	if b.Cover == "" {
		return ""
	}
	return bookDir(b.Slug) + path.Base(b.Cover)
}

// bookSummary is a book as the lists show it.
func (r *run) bookSummary(b *content.Book) *render.BookSummary {
	s := &render.BookSummary{
		URL:      r.base.rel(bookDir(b.Slug)),
		Title:    b.Title,
		Chapters: len(b.Chapters),
		Summary:  b.Summary,
		Draft:    b.Draft(),

		DateText: b.DateText(),
		DateISO:  b.DateISO(),
	}
	if c := coverFile(b); c != "" {
		s.Cover = r.base.rel(c)
		s.CoverWidth, s.CoverHeight = b.CoverWidth, b.CoverHeight
	}
	for _, t := range b.Topics {
		slug := content.TopicSlug(t)
		if slug == "" {
			continue
		}
		s.Topics = append(s.Topics, &render.TopicLink{URL: r.base.rel(topicDir(slug)), Name: t})
	}
	return s
}

// bookSummaries returns the lists' view of books (nil for none).
func (r *run) bookSummaries(bs []*content.Book) []*render.BookSummary {
	var out []*render.BookSummary
	for _, b := range bs {
		out = append(out, r.bookSummary(b))
	}
	return out
}

func (r *run) chapterLink(ch *content.Chapter) *render.ChapterLink {
	return &render.ChapterLink{URL: r.base.rel(chapterDir(ch)), Number: ch.Number, Title: ch.Title}
}

// coverImage is the sharing image of a book's pages: its cover, when the
// site has a base URL (og:image must be absolute).
func (r *run) coverImage(b *content.Book) string {
	if c := coverFile(b); c != "" && r.base.url != "" {
		return r.base.abs(c)
	}
	return ""
}

// renderBooks writes each book's page, its cover and its chapters' pages,
// and the page listing all books.
func (r *run) renderBooks() error {
	books := r.site.Books
	r.report.Books = len(books)
	if len(books) == 0 {
		return nil
	}
	var chapters []*content.Chapter
	for _, b := range books {
		chapters = append(chapters, b.Chapters...)
	}
	if err := r.renderChapters(chapters); err != nil {
		return err
	}
	site := r.siteData()
	for _, b := range books {
		if err := r.copyCover(b); err != nil {
			return err
		}
		view := &render.BookView{BookSummary: *r.bookSummary(b)}
		for _, ch := range b.Chapters {
			view.Contents = append(view.Contents, r.chapterLink(ch))
		}
		desc := b.Summary
		if desc == "" {
			desc = b.Title
		}
		page := &render.Page{
			Site:        site,
			Title:       b.Title,
			Description: truncate(desc, 120),
			Canonical:   r.canonical(bookDir(b.Slug)),
			Image:       r.coverImage(b),
			Book:        view,
		}
		if err := r.page(bookDir(b.Slug), "book", page); err != nil {
			return err
		}
	}
	for _, j := range r.bookPages(site) {
		if err := r.page(j.path, j.tmpl, j.data); err != nil {
			return err
		}
	}
	return nil
}

// copyCover copies a book's cover image next to the book's page.
func (r *run) copyCover(b *content.Book) error {
	rel := coverFile(b)
	if rel == "" {
		return nil
	}
	if err := r.out.copyFrom(rel, r.srcFS, b.Cover); err != nil {
		return err
	}
	r.pages.addFile(rel)
	r.report.Images++
	return nil
}

// renderChapters converts and writes chapters in parallel, as articles are.
func (r *run) renderChapters(chs []*content.Chapter) error {
	written, err := forEach(r, chs, func(_ int, ch *content.Chapter) (bool, error) {
		return r.renderChapter(ch)
	})
	r.report.Pages += written
	return err
}

// renderChapter converts one chapter and writes its page; ok reports
// whether a page was written. Like an article, a chapter whose cache entry
// still matches is not converted again.
func (r *run) renderChapter(ch *content.Chapter) (ok bool, err error) {
	b := ch.Book
	book := r.bookSummary(b)
	prev, next := r.chapterNeighbours(ch)
	rel := outputFile(chapterDir(ch))
	key := r.chapterKey(ch, book, prev, next)
	if _, ok := r.reuseDocPage(ch.Path, rel, key, b.Draft()); ok {
		return true, nil
	}
	probs := &diag.List{}
	defer func() {
		if p := recover(); p != nil {
			probs.Add(diag.Problem{File: ch.File, Line: 1, Severity: diag.Error, Rule: "internal",
				Msg: fmt.Sprintf("kiji failed on this file (%v); please report it with the file attached", p)})
			ok, err = false, nil
		}
		r.probs.Add(probs.Sorted()...)
	}()
	doc := &diag.Doc{File: ch.File, Src: ch.Body, List: probs, Ctx: r.ctx}
	mr, used, err := r.convert(doc, chapterFrom(ch))
	if mr == nil {
		return false, err
	}
	view := &render.ChapterView{
		Book:    book,
		Number:  ch.Number,
		Title:   ch.Title,
		Body:    template.HTML(mr.HTML),
		Minutes: mr.ReadingMinutes(),
		Draft:   b.Draft(),
		Prev:    prev,
		Next:    next,
	}
	view.TOC = tocOf(mr)
	desc := truncate(mr.Summary, 120)
	if desc == "" {
		desc = ch.Title
	}
	title := ch.Title
	if b.Title != "" {
		title += " | " + b.Title
	}
	page := &render.Page{
		Site:        r.siteData(),
		Title:       title,
		Description: desc,
		Canonical:   r.canonical(chapterDir(ch)),
		Image:       r.coverImage(b),
		Chapter:     view,
	}
	r.addNeeds(page, doc)
	if err := r.writeDocPage(docPage{rel: rel, file: ch.File, path: ch.Path, tmpl: "chapter", key: key,
		page: page, mr: mr, minutes: view.Minutes, summary: mr.Summary, probs: probs, pages: r.pagesDep(used),
		index: r.searchDoc(chapterDir(ch), title, b.Topics, b.Draft())}); err != nil {
		return false, err
	}
	return true, nil
}

// chapterNeighbours links the chapters before and after ch in its book.
func (r *run) chapterNeighbours(ch *content.Chapter) (prev, next *render.ChapterLink) {
	b := ch.Book
	if i := ch.Number - 1; i >= 0 && i < len(b.Chapters) && b.Chapters[i] == ch {
		if i > 0 {
			prev = r.chapterLink(b.Chapters[i-1])
		}
		if i+1 < len(b.Chapters) {
			next = r.chapterLink(b.Chapters[i+1])
		}
	}
	return prev, next
}

// chapterKey is the cache key of one chapter page: the chapter's bytes,
// its place in the book and what the page shows of the book and of its
// neighbours.
func (r *run) chapterKey(ch *content.Chapter, book *render.BookSummary, prev, next *render.ChapterLink) string {
	h := sha256.New()
	io.WriteString(h, r.globalKey)
	io.WriteString(h, ch.Path)
	h.Write(ch.Hash[:])
	fmt.Fprintf(h, "\x00%s\x00%d\x00%s\x00%s\x00%s\x00%v", ch.Slug, ch.Number, book.URL, book.Title, book.Cover, book.Draft)
	for _, l := range []*render.ChapterLink{prev, next} {
		if l == nil {
			io.WriteString(h, "\x00none")
			continue
		}
		fmt.Fprintf(h, "\x00%s\x00%s", l.URL, l.Title)
	}
	return hex.EncodeToString(h.Sum(nil))
}
