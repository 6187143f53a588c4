package content

import (
	"io/fs"
	"time"

	"github.com/kiji-ssg/kiji/site/gitdates"
)

// Dates. An article's Date is its published_at when it has one; else it is
// when the file was first committed to git, or, outside git, the file's
// modification time (see package gitdates; Options.Dates). Updated is when
// it last changed: the newest of the last commit that touched the file, its
// modification time when it has uncommitted changes, and Date. An article
// is never dated 1970: with no date known at all (a file system without
// modification times) Date stays zero, and lists put it last.
//
// A book is published when the first of its files (config.yaml and
// chapters) was, and updated when the last of them changed: a new chapter
// updates the book.

// Date sources, for Article.DateFrom.
const (
	DateFromFrontMatter = "published_at"
	DateFromGit         = "git"
	DateFromFile        = "file"
)

// DateText is how a page shows an article's date: published_at as
// written, else the date in Zenn's zone (Asia/Tokyo) as YYYY-MM-DD; ""
// when unknown.
func (a *Article) DateText() string {
	if a.PublishedAt != "" || a.Date.IsZero() {
		return a.PublishedAt
	}
	return a.Date.In(tokyo()).Format("2006-01-02")
}

// DateISO is the article's date for a datetime attribute, in the zone
// DateText shows it in (the zone published_at was read in, else Asia/Tokyo);
// "" when unknown.
func (a *Article) DateISO() string {
	if a.Date.IsZero() {
		return ""
	}
	d := a.Date
	if a.PublishedAt == "" {
		d = d.In(tokyo())
	}
	return d.Format("2006-01-02T15:04:05-07:00")
}

// DateText is the day the book was published (its first file), in
// Asia/Tokyo; "" when unknown.
func (b *Book) DateText() string {
	if b.Date.IsZero() {
		return ""
	}
	return b.Date.In(tokyo()).Format("2006-01-02")
}

// DateISO is DateText's moment for a datetime attribute.
func (b *Book) DateISO() string {
	if b.Date.IsZero() {
		return ""
	}
	return b.Date.In(tokyo()).Format("2006-01-02T15:04:05-07:00")
}

func (s *Site) dates() *gitdates.Table {
	if s.opts.Dates != nil {
		return s.opts.Dates
	}
	return gitdates.Empty()
}

// dateArticle fills in a's dates from the file when its front matter has
// none.
func (s *Site) dateArticle(fsys fs.FS, a *Article) {
	d := s.dates().Of(fsys, a.Path)
	if a.Date.IsZero() {
		a.Date, a.DateFrom = d.Published, d.From
	} else {
		a.DateFrom = DateFromFrontMatter
	}
	a.Updated = Later(a.Date, d.Updated)
}

// dateBook dates a book by its files.
func (s *Site) dateBook(fsys fs.FS, b *Book) {
	paths := []string{b.Config}
	for _, ch := range b.Chapters {
		paths = append(paths, ch.Path)
	}
	for i, p := range paths {
		d := s.dates().Of(fsys, p)
		if i > 0 {
			b.Chapters[i-1].Updated = d.Updated
		}
		if !d.Published.IsZero() && (b.Date.IsZero() || d.Published.Before(b.Date)) {
			b.Date = d.Published
		}
		b.Updated = Later(b.Updated, d.Updated)
	}
	b.Updated = Later(b.Date, b.Updated)
}

// Later returns the later of a and b.
func Later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
