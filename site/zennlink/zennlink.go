// Package zennlink reads the links authors write in Zenn articles and
// chapters the way zenn.dev reads them, and says which page of the site
// each one means.
//
// On zenn.dev an article lives at /USER/articles/SLUG and a chapter at
// /USER/books/BOOK/viewer/CHAPTER, without a trailing slash, so in an
// article `./other`, `other` and `../articles/other` are the article
// other, and in a chapter `./two` and `two` are the chapter two of the
// same book, `../` is the book and `../../OTHER/viewer/one` a chapter of
// another book. kiji's pages end in a slash (/articles/SLUG/), where the
// same relative links would point one level too deep: Resolve gives the
// page they meant, and the build writes its URL.
//
// Links written for GitHub, to the Markdown file itself (`./other.md`,
// `../articles/other.md`, `./2.two.md` in a book), mean the page made from
// that file. With the author's Zenn user name (kiji.yaml's zenn_user),
// absolute links to https://zenn.dev/USER/articles/SLUG, /books/BOOK and
// /books/BOOK/viewer/CHAPTER mean this site's page when the repository
// has it (other links to zenn.dev stay as they are).
//
// A path from the site root in the shape of a user's page on zenn.dev
// (/USER/articles/SLUG, /USER/books/BOOK, /USER/books/BOOK/viewer/CHAPTER,
// /USER/scraps/ID), as authors write links on zenn.dev, is that page of
// zenn.dev (OnZennDev) unless it is the author's (zenn_user) and the
// repository has it: kiji's site has no such path.
//
// Anything else (a URL with a scheme, another path from the site root, a
// fragment alone, a link to a file beside the page) is left as written.
// A relative link that reads as a Zenn page the repository does not have
// still resolves, to where that page would be: the build's link check
// then reports it, with the nearest page that exists.
package zennlink

import (
	"net/url"
	"path"
	"strings"
)

// Kind is the kind of page a link means.
type Kind int

// The kinds of pages.
const (
	Home    Kind = iota + 1 // the site's home page (the author's page on zenn.dev)
	Article                 // an article: Slug
	Book                    // a book: Book
	Chapter                 // a chapter: Book and Slug
	// OnZennDev is a page of zenn.dev the site does not have, written
	// from zenn.dev's root as authors write them there
	// (/USER/articles/SLUG, /USER/books/BOOK[/viewer/CHAPTER],
	// /USER/scraps/ID): Path, to be linked at https://zenn.dev.
	OnZennDev
)

// Target is the page a link means, with what followed its path.
type Target struct {
	Kind Kind
	Slug string // the article's or the chapter's slug
	Book string // the book's slug (Book, Chapter)
	// Path is the page's path on zenn.dev, as written (OnZennDev).
	Path string
	// Suffix is the link's query and fragment as written ("#intro",
	// "?x=1#y"), to be kept on the page's URL.
	Suffix string
	// Known reports whether the repository has the page.
	Known bool
}

// From is the document a link is written in.
type From struct {
	// Path is the Markdown file in the content folder, e.g.
	// articles/x.md or books/b/1.intro.md.
	Path string
	// Slug is the article's or chapter's slug (its URL segment).
	Slug string
	// Book is the chapter's book; "" for an article.
	Book string
}

// Index is the pages of a repository. Add them, then Resolve links; an
// Index with all its pages added is safe for concurrent use.
type Index struct {
	user         string            // the author's Zenn user name, lower-cased; "" for none
	articles     map[string]bool   // by slug
	articleFiles map[string]string // file name without .md → slug
	books        map[string]*book
}

type book struct {
	chapters map[string]bool   // by slug
	files    map[string]string // file name without .md → slug
}

// NewIndex returns an empty index. user is the author's name on zenn.dev
// ("" when links to zenn.dev are to stay as written).
func NewIndex(user string) *Index {
	return &Index{
		user:         strings.ToLower(strings.TrimSpace(user)),
		articles:     map[string]bool{},
		articleFiles: map[string]string{},
		books:        map[string]*book{},
	}
}

// AddArticle records an article: its file in the content folder and its
// slug.
func (ix *Index) AddArticle(file, slug string) {
	ix.articles[slug] = true
	ix.articleFiles[stem(file)] = slug
}

// AddBook records a book.
func (ix *Index) AddBook(slug string) { ix.book(slug) }

// AddChapter records a chapter of book: its file and its slug.
func (ix *Index) AddChapter(bookSlug, file, slug string) {
	b := ix.book(bookSlug)
	b.chapters[slug] = true
	b.files[stem(file)] = slug
}

func (ix *Index) book(slug string) *book {
	b, ok := ix.books[slug]
	if !ok {
		b = &book{chapters: map[string]bool{}, files: map[string]string{}}
		ix.books[slug] = b
	}
	return b
}

func stem(file string) string { return strings.TrimSuffix(path.Base(file), ".md") }

// Resolve reads dest, a link written in the document from, and returns
// the page it means. ok is false for a link to be left as written.
func (ix *Index) Resolve(from From, dest string) (t Target, ok bool) {
	if dest == "" || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "?") {
		return Target{}, false
	}
	p, suffix := splitSuffix(dest)
	if abs, isAbs := ix.zennPath(p); isAbs {
		t, ok = ix.page(abs)
		if ok && t.Known {
			t.Suffix = suffix
			return t, true
		}
	}
	if t, ok := zennDevPage(p); ok { // not this repository's: a link to zenn.dev
		t.Suffix = suffix
		return t, true
	}
	if p == "" || strings.HasPrefix(p, "/") || hasScheme(p) {
		return Target{}, false
	}
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	if strings.HasSuffix(p, ".md") {
		t, ok = ix.file(path.Join(path.Dir(from.Path), p))
	} else {
		t, ok = ix.page(path.Join(zennDir(from), p))
	}
	if !ok {
		return Target{}, false
	}
	t.Suffix = suffix
	return t, true
}

// OnZenn reports whether dest is a link to the author's own pages on
// zenn.dev, whether or not the repository has the page (Resolve resolves
// it when it has).
func (ix *Index) OnZenn(dest string) bool {
	p, _ := splitSuffix(dest)
	_, ok := ix.zennPath(p)
	return ok
}

// zennDevPage reads p, a path from the site's root, as a page of a user
// of zenn.dev: on zenn.dev, where authors wrote it, that is what it
// means, and kiji's site has no such path (its own pages are
// /articles/…, /books/…, /topics/…).
func zennDevPage(p string) (Target, bool) {
	rest, ok := strings.CutPrefix(p, "/")
	if !ok {
		return Target{}, false
	}
	segs := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	if len(segs) < 3 || !zennUserName(segs[0]) || kijiRoots[segs[0]] {
		return Target{}, false
	}
	for _, s := range segs[1:] {
		if !pageSegment(s) {
			return Target{}, false
		}
	}
	switch {
	case len(segs) == 3 && (segs[1] == "articles" || segs[1] == "books" || segs[1] == "scraps"),
		len(segs) == 5 && segs[1] == "books" && segs[3] == "viewer":
		return Target{Kind: OnZennDev, Path: p}, true
	}
	return Target{}, false
}

// kijiRoots are the folders at the root of kiji's site that a path of
// zenn.dev's shape could start with.
var kijiRoots = map[string]bool{"articles": true, "books": true, "topics": true, "images": true, "static": true}

// zennUserName reports whether s can be a user name on zenn.dev.
func zennUserName(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return s != ""
}

// zennRoot stands for /USER on zenn.dev: no link can name it.
const zennRoot = "/\x00"

// zennDir is the folder of from's URL on zenn.dev, under zennRoot.
func zennDir(from From) string {
	if from.Book != "" {
		return zennRoot + "/books/" + from.Book + "/viewer"
	}
	return zennRoot + "/articles"
}

// zennPath turns an absolute link to the author's pages on zenn.dev
// (https://zenn.dev/USER/…, or /USER/… as written on zenn.dev itself) into
// a path under zennRoot.
func (ix *Index) zennPath(p string) (string, bool) {
	if ix.user == "" {
		return "", false
	}
	rest := p
	for _, pre := range []string{"https://zenn.dev/", "http://zenn.dev/", "https://www.zenn.dev/", "//zenn.dev/", "/"} {
		if len(rest) >= len(pre) && strings.EqualFold(rest[:len(pre)], pre) {
			rest = rest[len(pre):]
			user, tail, _ := strings.Cut(rest, "/")
			if !strings.EqualFold(user, ix.user) {
				return "", false
			}
			if u, err := url.PathUnescape(tail); err == nil {
				tail = u
			}
			return path.Join(zennRoot, tail), true
		}
	}
	return "", false
}

// page resolves a cleaned path under zennRoot as zenn.dev lays pages out.
func (ix *Index) page(p string) (Target, bool) {
	rest, ok := strings.CutPrefix(p, zennRoot)
	if !ok || (rest != "" && rest[0] != '/') {
		return Target{}, false
	}
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	switch {
	case rest == "" || rest == "/":
		return Target{Kind: Home, Known: true}, true
	case len(segs) == 2 && segs[0] == "articles" && pageSegment(segs[1]):
		return ix.article(segs[1], false), true
	case len(segs) == 2 && segs[0] == "books" && pageSegment(segs[1]):
		_, known := ix.books[segs[1]]
		return Target{Kind: Book, Book: segs[1], Known: known}, true
	case len(segs) == 4 && segs[0] == "books" && segs[2] == "viewer" && pageSegment(segs[1]) && (pageSegment(segs[3]) || numbered(segs[3])):
		return ix.chapter(segs[1], segs[3]), true
	}
	return Target{}, false
}

// file resolves a cleaned path to a Markdown file of the content folder.
func (ix *Index) file(p string) (Target, bool) {
	segs := strings.Split(strings.TrimSuffix(p, ".md"), "/")
	switch {
	case len(segs) == 2 && segs[0] == "articles" && fileSegment(segs[1]):
		return ix.article(segs[1], true), true
	case len(segs) == 3 && segs[0] == "books" && pageSegment(segs[1]) && fileSegment(segs[2]):
		return ix.chapter(segs[1], segs[2]), true
	}
	return Target{}, false
}

// article is the article named by a slug (as on zenn.dev) or by its file
// name (byFile: a link to the Markdown file); each is tried after the
// other, as a slug set in the front matter differs from the file name.
func (ix *Index) article(name string, byFile bool) Target {
	if slug, ok := ix.articleFiles[name]; ok && byFile {
		return Target{Kind: Article, Slug: slug, Known: true}
	}
	if ix.articles[name] {
		return Target{Kind: Article, Slug: name, Known: true}
	}
	if slug, ok := ix.articleFiles[name]; ok {
		return Target{Kind: Article, Slug: slug, Known: true}
	}
	return Target{Kind: Article, Slug: name}
}

// chapter is the chapter of bookSlug named by a slug or a file name
// (n.slug); an unknown one keeps the name, without its number.
func (ix *Index) chapter(bookSlug, name string) Target {
	t := Target{Kind: Chapter, Book: bookSlug, Slug: name}
	if b, ok := ix.books[bookSlug]; ok {
		if b.chapters[name] {
			t.Known = true
			return t
		}
		if slug, ok := b.files[name]; ok {
			t.Slug, t.Known = slug, true
			return t
		}
	}
	if numbered(name) {
		_, t.Slug, _ = strings.Cut(name, ".")
	}
	return t
}

// pageSegment reports whether s can name a page on zenn.dev: a path
// segment without a dot (a dot means a file: og.png, data.csv).
func pageSegment(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, ".\x00")
}

// fileSegment reports whether s can name a Markdown file (without .md).
func fileSegment(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsRune(s, 0)
}

// numbered reports whether s is a numbered chapter file name (2.intro).
func numbered(s string) bool {
	n, rest, ok := strings.Cut(s, ".")
	return ok && n != "" && strings.Trim(n, "0123456789") == "" && pageSegment(rest)
}

// splitSuffix separates a link's path from its query and fragment.
func splitSuffix(dest string) (p, suffix string) {
	if i := strings.IndexAny(dest, "?#"); i >= 0 {
		return dest[:i], dest[i:]
	}
	return dest, ""
}

// hasScheme reports whether a link starts with a URL scheme (https:,
// mailto:) or is protocol-relative.
func hasScheme(s string) bool {
	if strings.HasPrefix(s, "//") {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ':':
			return i > 0
		case c == '/' || c == '?' || c == '#':
			return false
		}
	}
	return false
}
