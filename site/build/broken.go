package build

import (
	"strings"

	"github.com/kiji-ssg/kiji/site/content"
	"github.com/kiji-ssg/kiji/site/diag"
)

// What a build does with a problem that breaks a page for a reader (a
// missing image, a link or an anchor to nothing, front matter that does
// not parse, a score table that does not add up):
//
//   - by default it is an error: nothing is published, the previous
//     output stays, and the summary line names on_broken;
//   - with on_broken: warn (or --on-broken=warn) every error found in the
//     content folder becomes a warning and the site is published: a page
//     with a broken link or image is built as it is, an article whose
//     front matter cannot be read is left out. Problems of kiji.yaml and
//     of the theme stay errors, and so do zenn-cli's rules under
//     zenn_strict, which asks for zenn-cli's verdict;
//   - a dev build (kiji serve) publishes whatever it could render, with
//     the errors still errors, so that the preview never goes blank.

// applyOnBroken turns the content's errors into warnings under on_broken:
// warn.
func (r *run) applyOnBroken() {
	if r.cfg.OnBroken != OnBrokenWarn || r.opts.Dev {
		return
	}
	ps := r.probs.Sorted()
	for i, p := range ps {
		if r.publishable(p) {
			ps[i].Severity = diag.Warning
			ps[i].Msg += " (published anyway: on_broken: warn)"
		}
	}
	r.probs = &diag.List{}
	r.probs.Add(ps...)
}

// publishable reports whether on_broken: warn publishes despite p.
func (r *run) publishable(p diag.Problem) bool {
	return p.Severity == diag.Error && r.inContent(p.File) && !(r.cfg.ZennStrict && content.ZennRule(p.Rule))
}

// inContent reports whether a problem's file is in the content folder.
func (r *run) inContent(file string) bool {
	if r.site == nil {
		return false
	}
	rel := file
	if root := r.site.DisplayPath(""); root != "" {
		var ok bool
		if rel, ok = strings.CutPrefix(file, root+"/"); !ok {
			return false
		}
	}
	first, _, _ := strings.Cut(rel, "/")
	switch first {
	case "articles", "books", "images", "static":
		return true
	}
	return false
}

// countPublishable counts the errors on_broken: warn would publish.
func (r *run) countPublishable(ps []diag.Problem) int {
	if r.cfg.OnBroken == OnBrokenWarn {
		return 0
	}
	n := 0
	for _, p := range ps {
		if r.publishable(p) {
			n++
		}
	}
	return n
}

// pagesOfFiles maps the files of articles, chapters and books that have
// problems (probs) to their pages (see Report.PageOf).
func (r *run) pagesOfFiles(probs []diag.Problem) map[string]string {
	files := make(map[string]bool, len(probs))
	for _, p := range probs {
		files[p.File] = true
	}
	m := map[string]string{}
	if len(files) == 0 {
		return m
	}
	for _, a := range r.site.Articles {
		if files[a.File] {
			m[a.File] = articleDir(a.Slug)
		}
	}
	for _, b := range r.site.Books {
		if files[b.File] {
			m[b.File] = bookDir(b.Slug)
		}
		for _, ch := range b.Chapters {
			if files[ch.File] {
				m[ch.File] = chapterDir(ch)
			}
		}
	}
	return m
}
