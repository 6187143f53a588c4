package build

import (
	"bytes"
	"html"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/markdown"
)

// linkIndex records, for every output page, the ids it defines and the
// local links it makes, so that checkLinks can verify each one once all
// pages exist.
type linkIndex struct {
	mu    sync.Mutex
	pages map[string]*pageLinks // output path → page
	files map[string]bool       // every output file

	// strs interns links: the theme's links (navigation, assets, topics,
	// neighbours) repeat on every page, and ten thousand pages would
	// otherwise hold ten thousand copies of each.
	strMu sync.Mutex
	strs  map[pageLink]pageLink
}

func (li *linkIndex) intern(l pageLink) pageLink {
	li.strMu.Lock()
	defer li.strMu.Unlock()
	if li.strs == nil {
		li.strs = map[pageLink]pageLink{}
	}
	if v, ok := li.strs[l]; ok {
		return v
	}
	li.strs[l] = l
	return l
}

type pageLinks struct {
	source   string // file the page comes from (article or template)
	template string // template that rendered it
	ids      idSet
	links    []pageLink
	refs     []markdown.Ref // as written in Markdown, for line numbers
}

// pageLink is one local link of a page, in one (interned) string: "h" for
// an href or "s" for a src, then the unescaped attribute value.
type pageLink string

func newPageLink(attr, val string) pageLink { return pageLink(attr[:1] + val) }

// attr is the attribute, href or src.
func (l pageLink) attr() string {
	if l[0] == 's' {
		return "src"
	}
	return "href"
}

// val is the attribute's unescaped value.
func (l pageLink) val() string { return string(l[1:]) }

func newLinkIndex() *linkIndex {
	return &linkIndex{pages: map[string]*pageLinks{}, files: map[string]bool{}}
}

func (li *linkIndex) addFile(rel string) {
	li.mu.Lock()
	li.files[rel] = true
	li.mu.Unlock()
}

// addPage scans a page's HTML for ids and local links.
func (li *linkIndex) addPage(rel, source, template string, page []byte, mr *markdown.Result) *pageLinks {
	pl := &pageLinks{source: source, template: template}
	ids := map[string]bool{}
	scanAttr(page, "id", func(v string) { ids[v] = true })
	scanAttr(page, "name", func(v string) { ids[v] = true })
	pl.ids = newIDSet(ids)
	seen := map[pageLink]bool{}
	for _, a := range []string{"href", "src"} {
		scanAttr(page, a, func(v string) {
			if !isLocal(v) {
				return
			}
			// A link to an id of this very page (the TOC, heading
			// anchors, footnotes) is checked now and not kept: a large
			// site would otherwise hold thousands of them.
			if a == "href" && len(v) > 1 && v[0] == '#' {
				if frag, err := url.PathUnescape(v[1:]); err == nil && ids[frag] {
					return
				}
			}
			l := newPageLink(a, v)
			if !seen[l] {
				seen[l] = true
				pl.links = append(pl.links, li.intern(l))
			}
		})
	}
	pl.links = slices.Clip(append([]pageLink(nil), pl.links...)) // no spare room kept per page
	if mr != nil {
		pl.refs = append(append(pl.refs, mr.Links...), mr.Images...)
	}
	li.mu.Lock()
	li.pages[rel] = pl
	li.files[rel] = true
	li.mu.Unlock()
	return pl
}

// scanAttr calls f with the unescaped value of every ` name="…"` attribute.
func scanAttr(b []byte, name string, f func(string)) {
	pat := []byte(" " + name + `="`)
	for {
		i := bytes.Index(b, pat)
		if i < 0 {
			return
		}
		b = b[i+len(pat):]
		j := bytes.IndexByte(b, '"')
		if j < 0 {
			return
		}
		f(html.UnescapeString(string(b[:j])))
		b = b[j+1:]
	}
}

// isLocal reports whether a URL points into the site.
func isLocal(u string) bool {
	if u == "" || strings.HasPrefix(u, "//") {
		return false
	}
	for i := 0; i < len(u); i++ {
		switch u[i] {
		case ':':
			return false
		case '/', '?', '#':
			return true
		}
	}
	return true
}

// checkLinks verifies every local link, anchor and image of the output.
func (r *run) checkLinks() error {
	li := r.pages
	rels := make([]string, 0, len(li.pages))
	for rel := range li.pages {
		rels = append(rels, rel)
	}
	sort.Strings(rels)
	memo := r.b.linkMemo(r)
	for _, rel := range rels {
		pl := li.pages[rel]
		if ps, ok := memo.reuse(rel, pl); ok {
			r.probs.Add(ps...)
			continue
		}
		var ps []diag.Problem
		seen := map[string]bool{}
		for _, l := range pl.links {
			if seen[l.val()] {
				continue
			}
			seen[l.val()] = true
			if msg := r.checkLink(rel, l); msg != "" {
				file := pl.source
				line, col := pl.lineOf(l.val(), r.base.path)
				if line == 0 && pl.template != "" {
					file = pl.template // the theme made this link
				}
				ps = append(ps, diag.Problem{File: file, Line: line, Col: col, Severity: diag.Error, Rule: "broken-link", Msg: msg})
			}
		}
		r.probs.Add(ps...)
		memo.store(rel, pl, ps)
	}
	return nil
}

// checkLink returns what is wrong with one link, or "".
func (r *run) checkLink(rel string, l pageLink) string {
	li := r.pages
	raw := l.val()
	u, err := url.Parse(raw)
	if dec, derr := url.PathUnescape(raw); derr == nil {
		raw = dec // messages show the link as the author wrote it
	}
	if err != nil {
		return "the link " + raw + " is not a valid URL; fix its spelling"
	}
	target := rel
	if u.Path != "" {
		p := u.Path
		if strings.HasPrefix(p, "/") {
			if !strings.HasPrefix(p, r.base.path) {
				return "the link " + raw + " points outside the site (its base path is " + r.base.path + "); write it from the site root, e.g. /articles/slug/"
			}
			p = strings.TrimPrefix(p, r.base.path)
		} else {
			p = path.Join(path.Dir("/"+rel), p)
			if strings.HasSuffix(u.Path, "/") {
				p += "/"
			}
			p = strings.TrimPrefix(p, "/")
			if strings.HasPrefix(p, "../") || p == ".." {
				return "the link " + raw + " leaves the site"
			}
		}
		target = outputFile(p)
		if !li.files[target] {
			what := "page"
			if l.attr() == "src" {
				what = "file"
			}
			hint := "fix the link or add the " + what
			if l.attr() == "src" && !strings.HasPrefix(raw, "/") {
				hint = "write image paths from the content root, e.g. /images/…"
			} else if strings.HasPrefix(p, "images/") {
				hint = "add the file content/" + p + " or fix the path"
			}
			dest := "/" + strings.TrimSuffix(target, "index.html")
			if dest == strings.TrimPrefix(raw, strings.TrimSuffix(r.base.path, "/")) {
				return "the " + kind(l.attr()) + " " + raw + " does not exist; " + hint
			}
			return "the " + kind(l.attr()) + " " + raw + " points to " + dest + ", which does not exist; " + hint
		}
	}
	if u.Fragment == "" || l.attr() == "src" {
		return ""
	}
	tp, ok := li.pages[target]
	if !ok {
		return "" // a fragment on a non-HTML file is not ours to check
	}
	frag := u.Fragment
	if !tp.ids.has(frag) {
		where := "this page"
		if target != rel {
			where = "/" + strings.TrimSuffix(target, "index.html")
		}
		return "the link " + raw + " points to #" + frag + ", but " + where + " has no heading with that id; link to an existing heading (ids: lower-case, spaces as -, punctuation dropped)"
	}
	return ""
}

func kind(attr string) string {
	if attr == "src" {
		return "image"
	}
	return "link"
}

// lineOf finds where the Markdown wrote a link: the ref whose destination
// becomes val once the base path is added.
func (pl *pageLinks) lineOf(val, base string) (int, int) {
	norm := func(s string) string {
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
		return s
	}
	v := norm(val)
	for _, ref := range pl.refs {
		d := norm(ref.Dest)
		if d == v || (strings.HasPrefix(d, "/") && strings.TrimSuffix(base, "/")+d == v) {
			return ref.Line, ref.Col
		}
	}
	// A fragment rewritten by the heading-id extension, or a template link.
	if i := strings.IndexByte(v, '#'); i >= 0 {
		frag := v[i+1:]
		for _, ref := range pl.refs {
			if j := strings.IndexByte(ref.Dest, '#'); j >= 0 && norm(ref.Dest[j+1:]) == frag {
				return ref.Line, ref.Col
			}
		}
	}
	return 0, 0
}

// idSet is a page's ids, sorted: a tenth of a map's memory, which matters
// when the link check holds every page of a large site.
type idSet []string

func newIDSet(m map[string]bool) idSet {
	s := make(idSet, 0, len(m))
	for id := range m {
		s = append(s, id)
	}
	sort.Strings(s)
	return s
}

func (s idSet) has(id string) bool {
	i := sort.SearchStrings(s, id)
	return i < len(s) && s[i] == id
}
