package build

import (
	"path/filepath"
	"time"

	"github.com/kiji-ssg/kiji/site/content"
	"github.com/kiji-ssg/kiji/site/gitdates"
)

// readDates reads the git dates of the content folder (one git log for the
// whole folder, see package gitdates), for the articles and books whose
// front matter has no date. Outside git, files are dated by their
// modification time. A shallow clone dates every old file by the clone:
// that is a warning, with what to do.
func (r *run) readDates() *gitdates.Table {
	if r.opts.NoGit {
		return gitdates.Empty()
	}
	t, err := gitdates.Read(r.ctx, r.opts.Source)
	src := filepath.ToSlash(r.opts.Source)
	if err != nil {
		r.probs.Warnf(src, 0, 0, "articles without published_at are dated by their files' modification times, because git could not be read (%v); check that `git log` works in the content folder", err)
		return gitdates.Empty()
	}
	if t.Shallow {
		r.probs.Warnf(src, 0, 0, "the git repository is a shallow clone, so articles without published_at older than the clone are dated by its oldest commit; fetch the whole history (git fetch --unshallow, or fetch-depth: 0 in actions/checkout)")
	}
	return t
}

// keepDates gives an article read again after an edit (by a Builder) the
// dates it was read with: its git history has not changed, and it changed
// now (mtime). Its front matter's date, when it has one, stays its own.
func keepDates(a, old *content.Article, mtime time.Time) {
	if a.PublishedAt == "" && old.PublishedAt == "" {
		a.Date, a.DateFrom = old.Date, old.DateFrom
	} else if a.PublishedAt != "" {
		a.DateFrom = content.DateFromFrontMatter
	}
	a.Updated = old.Updated
	if mtime.After(a.Updated) {
		a.Updated = mtime.UTC().Truncate(time.Second)
	}
	if a.Date.After(a.Updated) {
		a.Updated = a.Date
	}
}
