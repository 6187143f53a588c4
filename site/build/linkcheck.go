package build

import (
	"bytes"
	"html"
	"net/url"
	"path"
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
	aside map[string]bool       // files added while set aside (setAside)

	// strs interns links: the theme's links (navigation, assets, topics,
	// neighbours) repeat on every page, and ten thousand pages would
	// otherwise hold ten thousand copies of each.
	strMu sync.Mutex
	strs  map[pageLink]pageLink

	slabMu sync.Mutex
	slabs  struct { // newPage
		pages slab[pageLinks]
		strs  slab[string]
		links slab[pageLink]
		refs  slab[markdown.Ref]
	}
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

	// A page kept from the cache has its fields filled from from when
	// first used: call load before reading them.
	from   *cachedLinks
	loaded sync.Once
}

// load fills the fields of a page kept from the cache, once; it returns
// pl.
func (pl *pageLinks) load() *pageLinks {
	if pl.from != nil {
		pl.loaded.Do(func() { pl.fill(pl.from) })
	}
	return pl
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
	li := &linkIndex{pages: map[string]*pageLinks{}, files: map[string]bool{}}
	// Chunks of 32 to 64 KB: each a span of its own.
	li.slabs.pages.n, li.slabs.strs.n, li.slabs.links.n, li.slabs.refs.n = 256, 2048, 2048, 1024
	return li
}

func (li *linkIndex) addFile(rel string) {
	li.mu.Lock()
	if li.aside != nil {
		li.aside[rel] = true
	} else {
		li.files[rel] = true
	}
	li.mu.Unlock()
}

// setAside(true) keeps the files added from now on out of files, which
// the link check reads meanwhile; setAside(false) adds them.
func (li *linkIndex) setAside(on bool) {
	li.mu.Lock()
	defer li.mu.Unlock()
	if on {
		li.aside = map[string]bool{}
		return
	}
	for f := range li.aside {
		li.files[f] = true
	}
	li.aside = nil
}

// addPage scans a page's HTML for ids and local links.
func (li *linkIndex) addPage(rel, source, template string, page []byte, mr *markdown.Result) *pageLinks {
	ids := map[string]bool{}
	scanAttr(page, "id", func(v string) { ids[v] = true })
	scanAttr(page, "name", func(v string) { ids[v] = true })
	var links []pageLink
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
				links = append(links, li.intern(l))
			}
		})
	}
	var refs []markdown.Ref
	if mr != nil {
		refs = append(append(refs, mr.Links...), mr.Images...)
	}
	pl := li.newPage(newIDSet(ids), links, refs)
	pl.source, pl.template = source, template
	li.mu.Lock()
	li.pages[rel] = pl
	li.files[rel] = true
	li.mu.Unlock()
	return pl
}

// newPage returns a page with copies of ids, links and refs, its strings
// packed (packStrings) and the rest carved from the index's slabs: what a
// page keeps lives as long as the build, and made while pages are
// rendered, among their garbage, a page's few values would each keep a
// span of the heap in use (tens of megabytes of sparse spans at 10,000
// articles). Slices are carved without spare room: an append copies.
func (li *linkIndex) newPage(ids idSet, links []pageLink, refs []markdown.Ref) *pageLinks {
	ss := make([]string, 0, len(ids)+2*len(refs))
	ss = append(ss, ids...)
	for _, r := range refs {
		ss = append(ss, r.Dest, r.Written)
	}
	packStrings(ss)
	li.slabMu.Lock()
	defer li.slabMu.Unlock()
	pl := &li.slabs.pages.take(1)[0]
	pl.ids = idSet(li.slabs.strs.take(len(ids)))
	copy(pl.ids, ss)
	pl.links = li.slabs.links.take(len(links))
	copy(pl.links, links)
	pl.refs = li.slabs.refs.take(len(refs))
	for i, r := range refs {
		r.Dest, r.Written = ss[len(ids)+2*i], ss[len(ids)+2*i+1]
		pl.refs[i] = r
	}
	return pl
}

// slab hands out slices of chunks of n values (n > 0).
type slab[T any] struct {
	n    int
	free []T
}

// take returns a slice of k zero values without spare room; nil for none.
func (s *slab[T]) take(k int) []T {
	if k == 0 {
		return nil
	}
	if k > s.n/8 {
		return make([]T, k) // a large one is a chunk of its own
	}
	if len(s.free) < k {
		s.free = make([]T, s.n)
	}
	v := s.free[:k:k]
	s.free = s.free[k:]
	return v
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

// isLocal reports whether a URL points into the site: it has no scheme
// (what only looks like one, as in "(https://x)", makes a relative URL
// for a browser too) and is not protocol-relative.
func isLocal(u string) bool {
	if u == "" || strings.HasPrefix(u, "//") {
		return false
	}
	for i := 0; i < len(u); i++ {
		switch c := u[i]; {
		case c == ':':
			return i == 0
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
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
	r.linkTargets = map[string]bool{}
	memo := r.b.linkMemo(r)
	delta := r.linkDelta() // linkdelta.go
	for _, rel := range rels {
		pl := li.pages[rel]
		if ps, ok := memo.reuse(rel, pl); ok {
			r.probs.Add(ps...)
			r.linkProblems(rel, ps)
			continue
		}
		if delta.unchanged(rel, pl) {
			continue
		}
		pl.load()
		if pageChecked != nil {
			pageChecked(rel)
		}
		var ps []diag.Problem
		seen := map[string]bool{}
		for _, l := range pl.links {
			if seen[l.val()] {
				continue
			}
			seen[l.val()] = true
			ref := pl.refOf(l.val(), r.base.path)
			if msg := r.checkLink(rel, pl, l, ref); msg != "" {
				file, line, col := pl.source, 0, 0
				if ref != nil {
					line, col = ref.Line, ref.Col
				} else if pl.template != "" {
					file = pl.template // the theme made this link
				}
				ps = append(ps, diag.Problem{File: file, Line: line, Col: col, Severity: diag.Error, Rule: "broken-link", Msg: msg})
			}
		}
		r.probs.Add(ps...)
		r.linkProblems(rel, ps)
		memo.store(rel, pl, ps)
	}
	if r.b == nil { // a Builder's memo reuses pages without their targets
		r.newState.CheckedKey = r.checkedKey(r.out.fileNames())
		r.newState.Targets = r.linkTargets
	}
	return nil
}

// checkLink returns what is wrong with one link of the page rel, or "".
// ref is where the Markdown wrote it (nil for a link of the theme).
func (r *run) checkLink(rel string, pl *pageLinks, l pageLink, ref *markdown.Ref) string {
	raw := l.val()
	u, err := url.Parse(raw)
	if dec, derr := url.PathUnescape(raw); derr == nil {
		raw = dec // messages show the link as the author wrote it
	}
	shown := raw
	if ref != nil {
		shown = ref.Dest // without the base path
		if ref.Written != "" {
			shown = ref.Written
		}
		if dec, derr := url.PathUnescape(shown); derr == nil {
			shown = dec
		}
	}
	if err != nil {
		if u := urlInside(shown); u != "" {
			return "the link " + shown + " is not a valid URL; did you mean " + u + "?"
		}
		return "the link " + shown + " is not a valid URL; fix its spelling"
	}
	target := rel
	if u.Path != "" {
		p, msg := r.linkPath(rel, u.Path, shown)
		if msg != "" {
			return msg
		}
		target = outputFile(p)
		r.addTarget(target)
		if !r.pages.files[target] {
			if ref != nil && ref.Label {
				return "the link " + shown + " points to " + "/" + strings.TrimSuffix(target, "index.html") + ", which does not exist; this page defines [" + shown + "]: to link to what it names, write [text][" + shown + "] instead of [text](" + shown + ")"
			}
			return r.missingTarget(pl, l, raw, shown, p, target)
		}
	}
	if u.Fragment == "" || l.attr() == "src" {
		return ""
	}
	return r.checkAnchor(rel, target, u.Fragment, shown)
}

// linkPath turns a link's path into an output path (relative to the
// base path), or says why it cannot be one.
func (r *run) linkPath(rel, p, shown string) (string, string) {
	if strings.HasPrefix(p, "/") {
		if !strings.HasPrefix(p, r.base.path) {
			return "", "the link " + shown + " points outside the site (its base path is " + r.base.path + "); write it from the site root, e.g. /articles/slug/"
		}
		return strings.TrimPrefix(p, r.base.path), ""
	}
	q := path.Join(path.Dir("/"+rel), p)
	if strings.HasSuffix(p, "/") {
		q += "/"
	}
	q = strings.TrimPrefix(q, "/")
	if strings.HasPrefix(q, "../") || q == ".." {
		return "", "the link " + shown + " leaves the site"
	}
	return q, ""
}

// missingTarget says that a link's page or file does not exist, and what
// the author may have meant.
func (r *run) missingTarget(pl *pageLinks, l pageLink, raw, shown, p, target string) string {
	what := "page"
	if l.attr() == "src" {
		what = "file"
	}
	dest := "/" + strings.TrimSuffix(target, "index.html")
	head := "the " + kind(l.attr()) + " " + shown + " points to " + dest + ", which does not exist"
	if dest == strings.TrimPrefix(shown, strings.TrimSuffix(r.base.path, "/")) {
		head = "the " + kind(l.attr()) + " " + shown + " does not exist"
	}
	if why := r.draftTarget(target); why != "" {
		return head + "; " + why
	}
	if u := urlInside(shown); u != "" {
		return head + "; did you mean " + u + "?"
	}
	if u := unquoted(shown); u != "" {
		return head + "; the quotes are part of the link as written: did you mean " + u + "?"
	}
	if u := bareHost(shown); u != "" {
		return head + "; a link to another site needs its scheme: did you mean " + u + "?"
	}
	if s, note := r.suggestTarget(pl, l, raw, shown, target); s != "" {
		return head + "; did you mean " + s + "?" + note
	}
	hint := "fix the link or add the " + what
	if l.attr() == "src" && !strings.HasPrefix(raw, "/") {
		hint = "write image paths from the content root, e.g. /images/…"
	} else if strings.HasPrefix(p, "images/") {
		hint = "add the file " + r.site.DisplayPath(p) + " or fix the path"
	}
	return head + "; " + hint
}

// suggestTarget offers the existing page or file the author most likely
// meant, written as they would write it, with a note; "" when none is
// near.
func (r *run) suggestTarget(pl *pageLinks, l pageLink, raw, shown, target string) (string, string) {
	if l.attr() == "src" && !strings.HasPrefix(raw, "/") {
		// An image path relative to the Markdown file, as on GitHub: the
		// file exists, written from the content root.
		src := strings.TrimPrefix(pl.source, r.site.DisplayPath("")+"/")
		p, _, _ := strings.Cut(raw, "?")
		if f := path.Join(path.Dir(src), p); r.pages.files[f] {
			return "/" + f, " Image paths are written from the content root, as on Zenn."
		}
	}
	f, diffs := r.pages.nearestFile(target)
	if f == "" {
		return "", ""
	}
	note := ""
	if caseOnly(diffs) {
		note = " Letter case matters on a web server, though not on the disks of macOS and Windows."
	}
	if s, ok := rewrite(shown, diffs); ok {
		return s, note
	}
	return pageURL("/", f), note
}

// draftTarget explains a link to an article or book left out of this
// build as a draft; "" when the target is not one.
func (r *run) draftTarget(target string) string {
	segs := strings.Split(target, "/")
	if len(segs) != 3 || segs[2] != "index.html" {
		return ""
	}
	switch segs[0] {
	case "articles":
		for _, a := range r.site.Drafts {
			if a.Slug == segs[1] {
				return "the article " + a.File + " is a draft (published: false, or published_at in the future), so it is not built; publish it or remove the link"
			}
		}
	case "books":
		for _, b := range r.site.DraftBooks {
			if b.Slug == segs[1] {
				return "the book " + b.File + " is a draft (published: false), so it is not built; publish it or remove the link"
			}
		}
	}
	return ""
}

// checkAnchor checks a link's fragment against the ids of its page.
func (r *run) checkAnchor(rel, target, frag, shown string) string {
	tp, ok := r.pages.pages[target]
	if !ok {
		return "" // a fragment on a non-HTML file is not ours to check
	}
	// A text fragment (#:~:text=…, #id:~:text=…) is a directive to the
	// browser, not part of the id: only what precedes ":~:" names one.
	frag, _, directive := strings.Cut(frag, ":~:")
	if directive && frag == "" {
		return ""
	}
	tp.load()
	if tp.ids.has(frag) {
		return ""
	}
	where := "this page"
	if target != rel {
		where = "/" + strings.TrimSuffix(target, "index.html")
	}
	msg := "the link " + shown + " points to #" + frag + ", but " + where + " has no heading with that id; "
	if id := nearestID(tp.ids, frag); id != "" {
		return msg + "did you mean #" + id + "?"
	}
	return msg + "link to an existing heading (ids: lower-case, spaces as -, punctuation dropped)"
}

func kind(attr string) string {
	if attr == "src" {
		return "image"
	}
	return "link"
}

// refOf finds where the Markdown wrote a link: the ref whose destination
// becomes val once the base path is added (nil for a link of the theme).
func (pl *pageLinks) refOf(val, base string) *markdown.Ref {
	norm := func(s string) string {
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
		return s
	}
	v := norm(val)
	for i := range pl.refs {
		d := norm(pl.refs[i].Dest)
		if d == v || (strings.HasPrefix(d, "/") && strings.TrimSuffix(base, "/")+d == v) {
			return &pl.refs[i]
		}
	}
	// A fragment rewritten by the heading-id extension, or a template link.
	if i := strings.IndexByte(v, '#'); i >= 0 {
		frag := v[i+1:]
		for j := range pl.refs {
			if k := strings.IndexByte(pl.refs[j].Dest, '#'); k >= 0 && norm(pl.refs[j].Dest[k+1:]) == frag {
				return &pl.refs[j]
			}
		}
	}
	return nil
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

// packStrings makes the strings of ss substrings of one string (one
// allocation: see newPage).
func packStrings(ss []string) {
	n := 0
	for _, s := range ss {
		n += len(s)
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range ss {
		b.WriteString(s)
	}
	all := b.String()
	for i, s := range ss {
		ss[i], all = all[:len(s)], all[len(s):]
	}
}

func (s idSet) has(id string) bool {
	i := sort.SearchStrings(s, id)
	return i < len(s) && s[i] == id
}
