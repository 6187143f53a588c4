package content

import (
	"crypto/sha256"
	"errors"
	"image"
	_ "image/gif"  // cover.gif
	_ "image/jpeg" // cover.jpg
	_ "image/png"  // cover.png
	"io/fs"
	"math"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "golang.org/x/image/webp" // cover.webp

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/userfile"
)

// Book is a Zenn book: a folder books/<slug>/ with a config.yaml (or
// config.yml) and one Markdown file per chapter.
//
//	title: "Go の本"                # required, at most 70 characters
//	summary: "…"                   # required
//	topics: ["go"]                 # up to 5, Zenn's topic rules
//	published: true                # false: left out unless --drafts
//	price: 0                       # required by Zenn: 0, or 200–5000 in steps of 100
//	chapters:                      # optional: the chapter files, in order,
//	  - intro                      #   without .md
//	  - setup
//
// Without chapters, the chapters are the files named n.slug.md, in the
// order of n. A cover image cover.{png,jpg,jpeg,webp,gif} beside the config
// is shown on the book's page (Zenn: at most 1 MB, 1:1.4 recommended).
// Chapters carry a front matter with title (required) and free.
type Book struct {
	Slug   string
	Dir    string // path in the content fs, e.g. books/my-book
	Config string // path of the config file in the content fs
	File   string // config file as the user knows it
	Front  *FrontMatter

	Title     string
	Summary   string
	Topics    []string
	Published bool
	Price     int
	// Date is when the first of the book's files was published, Updated
	// when the last of them changed (see dates.go).
	Date, Updated time.Time

	// Cover is the cover image's path in the content fs ("" without one),
	// with its size in bytes and pixels (0 when it cannot be decoded).
	Cover                   string
	CoverSize               int64
	CoverWidth, CoverHeight int

	// Chapters are the chapters of the book, in reading order.
	Chapters []*Chapter
}

// Draft reports whether the book would be left out without --drafts.
func (b *Book) Draft() bool { return !b.Published }

// Chapter is one chapter of a book.
type Chapter struct {
	Book   *Book
	Path   string // path in the content fs, e.g. books/my-book/1.intro.md
	File   string // path as the user knows it
	Slug   string // URL segment: the file name without .md (and without n.)
	Number int    // 1-based position in the book
	Title  string
	Free   bool
	Front  *FrontMatter
	// Body is the whole file with the front matter blanked, so that byte
	// offsets map to the file's lines. Hash is the SHA-256 of the file.
	Body []byte
	Hash [32]byte
	// Updated is when the chapter's file last changed (see dates.go).
	Updated time.Time
}

var (
	// Zenn allows n.slug as a chapter slug too (its regexp leaves the dot
	// unescaped; kiji requires a real dot so a slug never holds a /).
	chapterSlugRE  = regexp.MustCompile(`^(?:[0-9a-z_-]{1,50}|[0-9]+\.[0-9a-z_-]{1,50})$`)
	coverExts      = []string{"png", "jpg", "jpeg", "webp", "gif"}
	maxCoverSize   = int64(1024 * 1024)
	bookConfigName = []string{"config.yaml", "config.yml"}
)

// ValidChapterSlug reports whether s may name a chapter (and its folder).
func ValidChapterSlug(s string) bool { return chapterSlugRE.MatchString(s) }

func (s *Site) loadBooks(fsys fs.FS, l *diag.List) {
	entries, err := fs.ReadDir(fsys, "books")
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			l.Errorf(s.DisplayPath("books"), 0, 0, "cannot read the books folder: %v", err)
		}
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || strings.HasPrefix(name, ".") || s.opts.stopped() {
			continue // .keep and other files
		}
		var bl diag.List
		b := s.loadBook(fsys, "books/"+name, &bl)
		s.addProblems(l, &bl, b != nil && s.isUnpublished(b.Front) && !s.opts.Drafts)
		if b == nil {
			continue
		}
		if b.Draft() && !s.opts.Drafts {
			s.DraftBooks = append(s.DraftBooks, b)
			continue
		}
		s.Books = append(s.Books, b)
	}
	sortBooks(s.Books)
	sortBooks(s.DraftBooks)
}

// addProblems moves the problems of one article or book to l. Those of a
// draft left out of the build become warnings: the build does not publish
// the draft, so it must not fail because of it (real repositories hold
// drafts just created by zenn new:article, with an empty title). Building
// with drafts reports them as they are.
func (s *Site) addProblems(l, from *diag.List, draft bool) {
	l.Add(s.draftProblems(from, draft)...)
}

// draftProblems returns the problems of from, errors turned into warnings
// for a draft.
func (s *Site) draftProblems(from *diag.List, draft bool) []diag.Problem {
	ps := from.Sorted()
	if draft {
		for i := range ps {
			if ps[i].Severity == diag.Error {
				ps[i].Severity = diag.Warning
				ps[i].Msg += s.msg(s.opts.Lang, "draft-suffix")
			}
		}
	}
	return ps
}

// isUnpublished reports whether a front matter says published: false or,
// unless ZennStrict (zenn-cli's error), has no published field: a draft
// for sure. A published field that is not a boolean is an error to fix,
// not a draft.
func (s *Site) isUnpublished(fm *FrontMatter) bool {
	f, ok := fm.Get("published")
	v, isBool := f.Value.(bool)
	return !ok && !s.opts.ZennStrict || isBool && !v
}

func sortBooks(bs []*Book) {
	sort.SliceStable(bs, func(i, j int) bool { return bs[i].Slug < bs[j].Slug })
}

// loadBook reads one book folder; nil when there is no book to build.
func (s *Site) loadBook(fsys fs.FS, dir string, l *diag.List) *Book {
	slug := path.Base(dir)
	b := &Book{Slug: slug, Dir: dir}
	var src []byte
	for _, name := range bookConfigName {
		p := dir + "/" + name
		data, err := userfile.ReadFile(fsys, p, s.opts.textLimit())
		if err == nil {
			b.Config, src = p, data
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			s.readError(l, p, err, false)
			return nil
		}
	}
	if b.Config == "" {
		l.Add(diag.Problem{File: s.DisplayPath(dir), Severity: diag.Warning, Rule: "book-no-config", Msg: s.msg(s.opts.Lang, "book-no-config")})
		return nil
	}
	b.File = s.DisplayPath(b.Config)
	fm, err := ParseFrontMatter(normalize(src), 1)
	if err != nil {
		se, ok := err.(*SyntaxError)
		if !ok {
			se = &SyntaxError{Line: 1, Col: 1, Msg: err.Error()}
		}
		l.Add(diag.Problem{File: b.File, Line: se.Line, Col: se.Col, Severity: diag.Error, Rule: "config", Msg: configMsg(se.Msg)})
		return nil
	}
	b.Front = fm
	s.warnDropped(b.File, fm, l)
	c := s.checker(b.File, fm, l)
	whole := Field{} // the whole file: no line

	if !c.slug(whole, slug) {
		return nil
	}
	b.Title = c.title(fm)
	if f, ok := fm.Get("summary"); !ok {
		c.errAt(c.top, "book-summary")
	} else if v, ok := f.Value.(string); !ok || v == "" {
		c.errAt(f, "book-summary")
	} else {
		b.Summary = strings.TrimSpace(v)
	}
	b.Topics = c.topics(fm)
	b.Published = c.published(fm)
	b.Price = c.price(fm)
	s.loadCover(fsys, b, c, l)
	b.Chapters = s.loadChapters(fsys, b, c, l)
	s.dateBook(fsys, b)
	return b
}

// configMsg turns a front-matter syntax message into one about config.yaml.
func configMsg(msg string) string {
	msg = strings.ReplaceAll(msg, " between the --- lines", "")
	return strings.ReplaceAll(msg, "front matter", "config.yaml")
}

// price checks price with Zenn's rules (book-price-*) and returns it.
func (c *fileChecker) price(fm *FrontMatter) int {
	f, ok := fm.Get("price")
	if !ok {
		c.platform(c.top, "book-price-type")
		return 0
	}
	var p float64
	switch v := f.Value.(type) {
	case uint64:
		p = float64(v)
	case int64:
		p = float64(v)
	case int:
		p = float64(v)
	case float64:
		p = v
	default:
		c.platform(f, "book-price-type")
		return 0
	}
	if math.IsNaN(p) || math.IsInf(p, 0) {
		c.platform(f, "book-price-type")
		return 0
	}
	if p != 0 && (p < 200 || p > 5000) {
		c.platform(f, "book-price-range")
	}
	if math.Mod(p, 100) != 0 {
		c.platform(f, "book-price-fraction")
	}
	if p < 0 || p > 1e9 {
		return 0
	}
	return int(p)
}

// loadCover finds the cover image and checks its size and shape.
func (s *Site) loadCover(fsys fs.FS, b *Book, c *fileChecker, l *diag.List) {
	for _, ext := range coverExts {
		p := b.Dir + "/cover." + ext
		info, err := fs.Stat(fsys, p)
		if err != nil || info.IsDir() {
			continue
		}
		if err := userfile.Check(fsys, p, info, s.opts.imageLimit()); err != nil {
			s.readError(l, p, err, true)
			return
		}
		b.Cover, b.CoverSize = p, info.Size()
		break
	}
	if b.Cover == "" {
		c.warnAt(Field{}, "missing-book-cover", b.Slug)
		return
	}
	cc := s.checker(s.DisplayPath(b.Cover), nil, l)
	if b.CoverSize > maxCoverSize {
		cc.platform(Field{}, "book-cover-size", b.CoverSize/1024)
	}
	f, err := fsys.Open(b.Cover)
	if err != nil {
		cc.warnAt(Field{}, "book-cover-unreadable")
		return
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		cc.warnAt(Field{}, "book-cover-unreadable")
		return
	}
	b.CoverWidth, b.CoverHeight = cfg.Width, cfg.Height
	ratio := math.Round(float64(cfg.Height)/float64(cfg.Width)*10) / 10
	if ratio != 1.4 {
		cc.warnAt(Field{}, "book-cover-aspect-ratio", strconv.FormatFloat(ratio, 'f', -1, 64))
	}
}

// loadChapters finds, orders and reads a book's chapters: those listed in
// chapters of the config, or else the files named n.slug.md.
func (s *Site) loadChapters(fsys fs.FS, b *Book, c *fileChecker, l *diag.List) []*Chapter {
	entries, err := fs.ReadDir(fsys, b.Dir)
	if err != nil {
		l.Errorf(s.DisplayPath(b.Dir), 0, 0, "cannot read the book folder: %v", err)
		return nil
	}
	var stems []string // chapter files, without .md
	exists := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".md") {
			continue
		}
		stem := strings.TrimSuffix(name, ".md")
		stems = append(stems, stem)
		exists[stem] = true
	}
	if f, ok := b.Front.Get("chapters"); ok {
		list, isList := f.Value.([]any)
		if !isList {
			c.errAt(f, "book-chapter-slugs")
		} else if len(list) > 0 {
			return s.listedChapters(fsys, b, c, f, list, stems, exists, l)
		}
	}
	return s.numberedChapters(fsys, b, s.sortNumbered(b, stems, l), l)
}

// numberedStem is a chapter file n.slug.md without its .md.
type numberedStem struct {
	n    int
	stem string
	slug string
}

// sortNumbered returns the n.slug chapter files of a book whose config
// lists no chapters, in the order of n (then of the name); a file not so
// named is a warning.
func (s *Site) sortNumbered(b *Book, stems []string, l *diag.List) []numberedStem {
	var ns []numberedStem
	for _, stem := range stems {
		num, slug, ok := strings.Cut(stem, ".")
		if !ok || num == "" || strings.Contains(slug, ".") || strings.Trim(num, "0123456789") != "" {
			hint := TopicSlug(stem)
			if hint == "" {
				hint = "chapter"
			}
			l.Add(diag.Problem{File: s.DisplayPath(b.Dir + "/" + stem + ".md"), Severity: diag.Warning, Rule: "chapter-unnumbered", Msg: s.msg(s.opts.Lang, "chapter-unnumbered", hint)})
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			n = math.MaxInt
		}
		ns = append(ns, numberedStem{n, stem, slug})
	}
	sort.SliceStable(ns, func(i, j int) bool {
		if ns[i].n != ns[j].n {
			return ns[i].n < ns[j].n
		}
		return ns[i].stem < ns[j].stem
	})
	return ns
}

// numberedChapters reads the chapters ns in order, reporting bad and
// repeated slugs, and numbers them.
func (s *Site) numberedChapters(fsys fs.FS, b *Book, ns []numberedStem, l *diag.List) []*Chapter {
	var chapters []*Chapter
	bySlug := map[string]*Chapter{}
	for _, x := range ns {
		p := b.Dir + "/" + x.stem + ".md"
		if !slugRE.MatchString(x.slug) {
			l.Add(diag.Problem{File: s.DisplayPath(p), Line: 1, Severity: diag.Error, Rule: "chapter-item-slug", Msg: s.msg(s.opts.Lang, "chapter-item-slug", x.slug)})
			continue
		}
		ch := s.parseChapter(fsys, b, p, x.slug, l)
		if ch == nil {
			continue
		}
		if other, dup := bySlug[x.slug]; dup {
			l.Add(diag.Problem{File: ch.File, Line: 1, Severity: diag.Error, Rule: "chapter-slug-conflict", Msg: s.msg(s.opts.Lang, "chapter-slug-conflict", x.slug, other.File)})
			continue
		}
		bySlug[x.slug] = ch
		chapters = append(chapters, ch)
	}
	number(chapters)
	return chapters
}

// listedChapters reads the chapters named in the config's chapters list.
func (s *Site) listedChapters(fsys fs.FS, b *Book, c *fileChecker, f Field, list []any, stems []string, exists map[string]bool, l *diag.List) []*Chapter {
	var chapters []*Chapter
	used := map[string]bool{}
	for i, v := range list {
		at := f.item(i)
		slug, ok := v.(string)
		if !ok {
			c.errAt(at, "book-chapter-slugs")
			continue
		}
		if strings.HasSuffix(slug, ".md") {
			c.errAt(at, "book-chapters-format")
			used[strings.TrimSuffix(slug, ".md")] = true
			continue
		}
		if !ValidChapterSlug(slug) {
			c.errAt(at, "chapter-item-slug", slug)
			continue
		}
		// zenn-cli ignores an entry listed twice or without a file (and
		// zenn.dev publishes such books): the book is built without it.
		if used[slug] {
			c.warnAt(at, "chapter-duplicate", slug)
			continue
		}
		used[slug] = true
		p := b.Dir + "/" + slug + ".md"
		if !exists[slug] {
			c.warnAt(at, "chapter-missing", slug, s.DisplayPath(p))
			continue
		}
		if ch := s.parseChapter(fsys, b, p, slug, l); ch != nil {
			chapters = append(chapters, ch)
		}
	}
	for _, stem := range stems {
		if !used[stem] {
			l.Add(diag.Problem{File: s.DisplayPath(b.Dir + "/" + stem + ".md"), Severity: diag.Warning, Rule: "chapter-unlisted", Msg: s.msg(s.opts.Lang, "chapter-unlisted", stem)})
		}
	}
	number(chapters)
	return chapters
}

func number(chs []*Chapter) {
	for i, ch := range chs {
		ch.Number = i + 1
	}
}

// parseChapter reads one chapter file; nil when it cannot be read at all.
func (s *Site) parseChapter(fsys fs.FS, b *Book, p, slug string, l *diag.List) *Chapter {
	ch := &Chapter{Book: b, Path: p, File: s.DisplayPath(p), Slug: slug}
	src, err := userfile.ReadFile(fsys, p, s.opts.textLimit())
	if err != nil {
		s.readError(l, p, err, false)
		return nil
	}
	ch.Hash = sha256.Sum256(src)
	src = normalize(src)
	yml, body, end, err := SplitFrontMatter(src)
	if err != nil {
		se := err.(*SyntaxError)
		l.Add(diag.Problem{File: ch.File, Line: se.Line, Col: se.Col, Severity: diag.Error, Rule: "front-matter", Msg: se.Msg})
		return nil
	}
	ch.Body = body
	fm := &FrontMatter{}
	if end > 0 {
		fm, err = ParseFrontMatter(yml, 2)
		if err != nil {
			se, ok := err.(*SyntaxError)
			if !ok {
				se = &SyntaxError{Line: 2, Col: 1, Msg: err.Error()}
			}
			l.Add(diag.Problem{File: ch.File, Line: se.Line, Col: se.Col, Severity: diag.Error, Rule: "front-matter", Msg: se.Msg})
			return nil
		}
		fm.End = end
	}
	ch.Front = fm
	s.warnDropped(ch.File, fm, l)
	c := s.checker(ch.File, fm, l)
	ch.Title = c.title(fm)
	if f, ok := fm.Get("free"); ok {
		if v, ok := f.Value.(bool); ok {
			ch.Free = v
		} else {
			c.platform(f, "chapter-free-type")
		}
	}
	return ch
}
