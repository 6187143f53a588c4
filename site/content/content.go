// Package content reads a kiji (Zenn-layout) content folder into the page
// model: articles with their front matter, topics, books and images.
//
// A content folder looks like a Zenn repository:
//
//	articles/<slug>.md        one article per file; the file name is the slug
//	books/<slug>/config.yaml  a book (see book.go), its chapters beside it
//	images/**                 images, served at /images/...
//
// Every article starts with a YAML front matter between --- lines:
//
//	---
//	title: "ECS と EKS"          # required, at most 70 characters
//	emoji: "🐳"                  # one emoji
//	type: "tech"                 # tech or idea
//	topics: ["aws", "study"]     # up to 5
//	published: true              # false: a draft, left out unless --drafts
//	published_at: 2023-10-20 09:00   # optional, YYYY-MM-DD[ hh:mm]; default: git (dates.go)
//	description: "…"             # optional, for feeds and sharing
//	slug: "ecs-vs-eks"           # optional; default: the file name
//	---
//
// Unknown fields are kept (Article.Front) for templates. Zenn's validation
// rules apply with zenn-cli's severities: blocking ones are errors, the
// others warnings, except Zenn's platform rules (limits of zenn.dev such
// as the number of topics or a book's price, see fileChecker.platform),
// which are warnings unless Options.ZennStrict. The front matter is parsed as YAML 1.2, so `yes` stays a
// string and dates stay as written.
//
// Load never stops at the first bad file: it reports every problem it finds
// to a diag.List and returns what it could read.
package content

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/gitdates"
	"github.com/kiji-ssg/kiji/site/userfile"
)

// Options control how a folder is read.
type Options struct {
	// Root is the folder name as the user gave it (e.g. "content"); it
	// prefixes the paths in problems so they can be clicked in a terminal.
	Root string
	// Lang chooses the language of validation messages ("ja" or "en").
	Lang string
	// Drafts keeps unpublished and scheduled articles.
	Drafts bool
	// Now is the build time, for scheduled articles. Zero means time.Now().
	Now time.Time
	// Location is the zone of published_at values. Nil means Asia/Tokyo,
	// Zenn's zone.
	Location *time.Location
	// ZennSlugWarnings warns about slugs Zenn would reject (12–50 chars).
	ZennSlugWarnings bool
	// ZennStrict reports Zenn's platform rules (see fileChecker.platform)
	// and slugs as zenn-cli does: as errors where zenn-cli blocks. Without
	// it they are warnings, and kiji builds the page.
	ZennStrict bool
	// LeaveBodies keeps only what a build needs in memory: Article.Body is
	// nil and ReadBody reads the file again when it is converted, and
	// Article.Front is dropped once validated (its fields are in the
	// Article). A large site then never holds every article's text at once.
	LeaveBodies bool
	// MaxFileBytes bounds one article, chapter or config.yaml (0:
	// userfile.TextLimit) and MaxImageBytes one image or static file (0:
	// userfile.ImageLimit). A file over its limit, or one that is not a
	// regular file (a FIFO, a device), is an error naming it, and is
	// never read.
	MaxFileBytes, MaxImageBytes int64
	// Dates are the git dates of the content folder's files, for the
	// articles and books whose front matter has no date (see dates.go).
	// Nil: every such file is dated by its modification time.
	Dates *gitdates.Table
	// Ctx stops the reading between two files when it is done (the build
	// was stopped); what was read is returned. Nil: never done.
	Ctx context.Context
	// Known, when not nil, is asked about each article file before it is
	// read: when it answers true, the file is unchanged since an earlier
	// Load with the same options (and Now before any scheduled article
	// came due) read it as the Prior returned, and is not read again.
	Known func(p string) (Prior, bool)
	// Read, when not nil, is told of each article file read and parsed,
	// as Known is to give it back (called in parallel).
	Read func(p string, pr Prior)
}

// Prior is an article file as Load read it: its article (nil when it
// could not be parsed; no Body nor Front) and the problems reported on it.
type Prior struct {
	Article  *Article
	Problems []diag.Problem
}

func (o Options) stopped() bool { return o.Ctx != nil && o.Ctx.Err() != nil }

func (o Options) textLimit() int64 {
	if o.MaxFileBytes > 0 {
		return o.MaxFileBytes
	}
	return userfile.TextLimit
}

func (o Options) imageLimit() int64 {
	if o.MaxImageBytes > 0 {
		return o.MaxImageBytes
	}
	return userfile.ImageLimit
}

// Site is everything in a content folder.
type Site struct {
	opts Options

	// Articles are the articles to publish, newest first.
	Articles []*Article
	// Drafts are articles left out of this build (unpublished, scheduled).
	Drafts []*Article
	// Books are the books to publish, by slug.
	Books []*Book
	// DraftBooks are books left out of this build (published: false).
	DraftBooks []*Book
	// Topics maps a topic's URL slug to its display name and pages.
	Topics []*Topic
	// Images are the files under images/, by path relative to the content
	// root (e.g. "images/ecs/a.png").
	Images map[string]*Image
	// Files are other static files under images/ and static/.
	Files []string
}

// Article is one Markdown article.
type Article struct {
	Path  string // path in the content fs, e.g. articles/ecs-vs-eks.md
	File  string // path as the user knows it, e.g. content/articles/ecs-vs-eks.md
	Slug  string
	Front *FrontMatter

	Title       string
	Emoji       string
	Type        string
	Topics      []string // as written
	Published   bool
	Scheduled   bool      // published_at is in the future
	PublishedAt string    // as written
	Date        time.Time // published (see dates.go); zero: unknown
	Updated     time.Time // last changed; never before Date
	DateFrom    string    // where Date came from: DateFromFrontMatter, DateFromGit or DateFromFile
	Description string

	// Body is the whole file with the front matter blanked, so that byte
	// offsets map to the file's lines. Hash is the SHA-256 of the file.
	Body []byte
	Hash [32]byte

	limit int64 // the size limit it was read with, for ReadBody
}

// Draft reports whether the article would be left out without --drafts.
func (a *Article) Draft() bool { return !a.Published || a.Scheduled }

// Topic is a topic and the articles that carry it.
type Topic struct {
	Slug     string // URL segment
	Name     string // as written in the first article that uses it
	Articles []*Article
	Books    []*Book
}

// Image is a file under images/.
type Image struct {
	Path string // e.g. images/ecs/a.png
	Size int64
}

// Load reads the content folder fsys. Problems go to l.
func Load(fsys fs.FS, opts Options, l *diag.List) *Site {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Location == nil {
		opts.Location = tokyo()
	}
	if opts.Lang == "" {
		opts.Lang = "ja"
	}
	s := &Site{opts: opts, Images: map[string]*Image{}}
	s.loadArticles(fsys, l)
	s.loadImages(fsys, l)
	s.loadBooks(fsys, l)
	s.sortArticles()
	s.collectTopics()
	return s
}

// DisplayPath returns p as the user knows it (prefixed with the root).
func (s *Site) DisplayPath(p string) string { return displayPath(s.opts.Root, p) }

func displayPath(root, p string) string {
	if root == "" || root == "." {
		return p
	}
	return path.Join(strings.TrimSuffix(root, "/"), p)
}

func (s *Site) loadArticles(fsys fs.FS, l *diag.List) {
	entries, err := fs.ReadDir(fsys, "articles")
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			l.Errorf(s.DisplayPath("articles"), 0, 0, "cannot read the articles folder: %v", err)
		}
		return
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".md") || strings.HasPrefix(name, ".") {
			continue
		}
		names = append(names, name)
	}
	// Read and parse in parallel; keep the folder's order for the rest.
	bySlug := map[string]*Article{}
	for _, a := range s.parseArticles(fsys, names, l) {
		s.addArticle(a, bySlug, l)
	}
}

// parseArticles reads and parses the articles named in parallel; the
// result keeps their order, nil for an article that could not be read.
func (s *Site) parseArticles(fsys fs.FS, names []string, l *diag.List) []*Article {
	parsed := make([]*Article, len(names))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !s.opts.stopped() {
				i := int(next.Add(1)) - 1
				if i >= len(names) {
					return
				}
				parsed[i] = s.readArticle(fsys, "articles/"+names[i], l)
			}
		}()
	}
	wg.Wait()
	return parsed
}

// readArticle reads and parses the article file p, or takes it as an
// earlier Load read it when Options.Known says it is unchanged since.
func (s *Site) readArticle(fsys fs.FS, p string, l *diag.List) *Article {
	if s.opts.Known != nil {
		if pr, ok := s.opts.Known(p); ok {
			l.Add(pr.Problems...)
			if pr.Article != nil {
				a := *pr.Article
				a.limit = s.opts.textLimit()
				return &a
			}
			return nil
		}
	}
	src, err := userfile.ReadFile(fsys, p, s.opts.textLimit())
	if err != nil {
		s.readError(l, p, err, false)
		return nil
	}
	var al diag.List
	a := s.parseArticle(p, src, &al)
	if a != nil {
		s.dateArticle(fsys, a)
	}
	ps := s.draftProblems(&al, a != nil && (a.Scheduled || s.isUnpublished(a.Front)) && !s.opts.Drafts)
	l.Add(ps...)
	if a != nil && s.opts.LeaveBodies {
		a.Front = nil // validated; its fields are in the Article
	}
	if s.opts.Read != nil {
		var keep *Article
		if a != nil {
			c := *a
			c.Body, c.Front = nil, nil
			keep = &c
		}
		s.opts.Read(p, Prior{Article: keep, Problems: ps})
	}
	return a
}

// addArticle adds a parsed article to the site's articles or drafts,
// unless its slug is invalid (already reported) or taken.
func (s *Site) addArticle(a *Article, bySlug map[string]*Article, l *diag.List) {
	if a == nil || a.Slug == "" {
		return // not read, or an invalid slug, already reported
	}
	// Slugs that differ only in case name one folder on macOS and Windows.
	key := strings.ToLower(a.Slug)
	if other, dup := bySlug[key]; dup {
		l.Add(diag.Problem{File: a.File, Line: 1, Severity: diag.Error, Rule: "slug-conflict", Msg: s.msg(s.opts.Lang, "slug-conflict", a.Slug, other.File)})
		return
	}
	bySlug[key] = a
	if a.Draft() && !s.opts.Drafts {
		s.Drafts = append(s.Drafts, a)
		return
	}
	s.Articles = append(s.Articles, a)
}

// ParseArticle reads one article file (exported for tests and the dev
// server). p is the path in the content fs.
func (s *Site) parseArticle(p string, src []byte, l *diag.List) *Article {
	a := &Article{Path: p, File: s.DisplayPath(p), Slug: strings.TrimSuffix(path.Base(p), ".md"), Hash: sha256.Sum256(src), limit: s.opts.textLimit()}
	src = normalize(src)
	// A build that reads bodies again when it converts them (LeaveBodies)
	// needs no copy now.
	yml, body, end, err := splitFrontMatter(src, !s.opts.LeaveBodies)
	if err != nil {
		se := err.(*SyntaxError)
		l.Add(diag.Problem{File: a.File, Line: se.Line, Col: se.Col, Severity: diag.Error, Rule: "front-matter", Msg: se.Msg})
		return nil
	}
	a.Body = body
	if end == 0 { // zenn.dev does not publish it: left out, not a failed site
		sev := diag.Warning
		if s.opts.ZennStrict {
			sev = diag.Error
		}
		l.Add(diag.Problem{File: a.File, Line: 1, Col: 1, Severity: sev, Rule: "front-matter-missing", Msg: s.msg(s.opts.Lang, "front-matter-missing")})
		return nil
	}
	fm, err := ParseFrontMatter(yml, 2)
	if err != nil {
		se, ok := err.(*SyntaxError)
		if !ok {
			se = &SyntaxError{Line: 2, Col: 1, Msg: err.Error()}
		}
		l.Add(diag.Problem{File: a.File, Line: se.Line, Col: se.Col, Severity: diag.Error, Rule: "front-matter", Msg: se.Msg})
		return nil
	}
	fm.End = end
	a.Front = fm
	s.warnDropped(a.File, fm, l)
	s.validate(a, l)
	return a
}

// ParseArticle reads one article from its bytes, for the dev server and
// tests. It applies the same rules as Load.
func ParseArticle(p string, src []byte, opts Options, l *diag.List) *Article {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Location == nil {
		opts.Location = tokyo()
	}
	s := &Site{opts: opts}
	return s.parseArticle(p, src, l)
}

// normalize strips a UTF-8 byte order mark and turns CRLF into LF (lines
// keep their numbers).
func normalize(src []byte) []byte {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(src, '\r') >= 0 {
		src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
		src = bytes.ReplaceAll(src, []byte("\r"), []byte("\n"))
	}
	return src
}

func (s *Site) sortArticles() {
	sortArticles(s.Articles)
	sortArticles(s.Drafts)
}

// sortArticles orders newest first; undated articles come after dated ones,
// by slug, so the order never depends on the file system.
func sortArticles(as []*Article) {
	sort.SliceStable(as, func(i, j int) bool {
		a, b := as[i], as[j]
		if !a.Date.Equal(b.Date) {
			return a.Date.After(b.Date)
		}
		return a.Slug < b.Slug
	})
}

func (s *Site) collectTopics() {
	by := map[string]*Topic{}
	add := func(name string) *Topic {
		slug := TopicSlug(name)
		t, ok := by[slug]
		if !ok {
			t = &Topic{Slug: slug, Name: name}
			by[slug] = t
		}
		return t
	}
	for _, a := range s.Articles {
		seen := map[string]bool{}
		for _, name := range a.Topics {
			t := add(name)
			if !seen[t.Slug] {
				seen[t.Slug] = true
				t.Articles = append(t.Articles, a)
			}
		}
	}
	for _, b := range s.Books {
		seen := map[string]bool{}
		for _, name := range b.Topics {
			t := add(name)
			if !seen[t.Slug] {
				seen[t.Slug] = true
				t.Books = append(t.Books, b)
			}
		}
	}
	for _, t := range by {
		if t.Slug == "" {
			continue
		}
		s.Topics = append(s.Topics, t)
	}
	sort.Slice(s.Topics, func(i, j int) bool {
		a, b := s.Topics[i], s.Topics[j]
		if na, nb := len(a.Articles)+len(a.Books), len(b.Articles)+len(b.Books); na != nb {
			return na > nb
		}
		return a.Slug < b.Slug
	})
}

// TopicSlug turns a topic as written into a URL segment: lower-cased,
// C++ → cpp and C# → csharp (Zenn's advice), other symbols and spaces → -.
// Letters of any script are kept.
func TopicSlug(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.ReplaceAll(n, "++", "pp")
	n = strings.ReplaceAll(n, "#", "sharp")
	var b strings.Builder
	dash := false
	for _, r := range n {
		switch {
		case r == '_' || r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.Trim(b.String(), "-")
}

func (s *Site) loadImages(fsys fs.FS, l *diag.List) {
	for _, dir := range []string{"images", "static"} {
		err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
			if s.opts.stopped() {
				return fs.SkipAll
			}
			if err != nil {
				if p == dir && errors.Is(err, fs.ErrNotExist) {
					return fs.SkipDir
				}
				l.Errorf(s.DisplayPath(p), 0, 0, "cannot read: %v", err)
				return nil
			}
			if d.IsDir() {
				if strings.HasPrefix(d.Name(), ".") && p != dir {
					return fs.SkipDir
				}
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") || d.Type()&fs.ModeSymlink != 0 {
				return nil
			}
			info, err := d.Info()
			if err == nil {
				err = userfile.Check(fsys, p, info, s.opts.imageLimit())
			}
			if err != nil {
				s.readError(l, p, err, true)
				return nil
			}
			if dir == "images" {
				s.Images[p] = &Image{Path: p, Size: info.Size()}
			}
			s.Files = append(s.Files, p)
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			l.Errorf(s.DisplayPath(dir), 0, 0, "cannot read: %v", err)
		}
	}
	sort.Strings(s.Files)
}

// readError reports a file that cannot be read, saying why and what to do;
// image picks the limit a file over its size is told about.
func (s *Site) readError(l *diag.List, p string, err error, image bool) {
	why, ok := userfile.Reason(err)
	if !ok {
		l.Errorf(s.DisplayPath(p), 0, 0, "cannot read the file: %v", err)
		return
	}
	var tl *userfile.TooLargeError
	switch {
	case !errors.As(err, &tl):
	case image:
		why += ": make it smaller, or raise limits.image_mb in kiji.yaml"
	default:
		why += ": split it, or raise limits.markdown_mb in kiji.yaml"
	}
	l.Add(diag.Problem{File: s.DisplayPath(p), Severity: diag.Error, Rule: "unreadable-file", Msg: "this file " + why})
}

// ReadBody returns an article's body as Load would have kept it (the whole
// file, front matter blanked), reading the file again. It fails if the
// file changed since it was loaded.
func ReadBody(fsys fs.FS, a *Article) ([]byte, error) {
	if a.Body != nil {
		return a.Body, nil
	}
	src, err := userfile.ReadFile(fsys, a.Path, a.limit)
	if err != nil {
		return nil, err
	}
	if sha256.Sum256(src) != a.Hash {
		return nil, fmt.Errorf("%s changed while the site was being built; build again", a.File)
	}
	_, body, _, err := SplitFrontMatter(normalize(src))
	return body, err
}

// tokyo is Zenn's zone; a fixed offset keeps builds independent of the
// machine's zone database. (One for all: each date shown asks for it.)
func tokyo() *time.Location { return jst }

var jst = time.FixedZone("JST", 9*60*60)
