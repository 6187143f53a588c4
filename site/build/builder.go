package build

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kiji-ssg/kiji/site/content"
	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/feeds"
	"github.com/kiji-ssg/kiji/site/markdown"
	"github.com/kiji-ssg/kiji/site/render"
	"github.com/kiji-ssg/kiji/site/userfile"
	"github.com/kiji-ssg/kiji/site/zennlink"
)

// A Builder builds the same site again and again, as the dev server does
// after every save. Its builds write exactly what Build would write; they
// are faster because the Builder keeps in memory what one build learned
// for the next:
//
//   - the article cache (Build reads and writes it as state.gob on every
//     run; a Builder writes it in the background after a build);
//   - the content folder as last read: when the only content files that
//     changed are existing articles whose slug, date, draft state and
//     topics stay the same, only those files are read and parsed again;
//   - the list pages (home, topics, books) and sharing images it wrote,
//     by a hash of their inputs, so unchanged ones are not rendered again;
//   - the hash of every copied file (images), by size and modification time.
//
// Whatever the Builder cannot prove unchanged is done as Build does it.
// A Builder runs one build at a time; it is safe for concurrent use.
type Builder struct {
	opts Options
	src  string // absolute content folder

	mu    sync.Mutex    // held for a whole build
	shown func(*Report) // of the running build (BuildShown)

	// Content files changed since the content was last read (absolute
	// paths), or all: anything may have changed.
	pending map[string]bool
	all     bool

	// The content as last read, with what it was read with; siteGen
	// counts the times it was read in full.
	siteGen   int
	site      *content.Site
	siteOpts  content.Options // Now is not compared
	siteCfg   []byte
	siteProbs []diag.Problem

	// From the last successful build.
	feeds     *feedChoice // what each feed showed
	lastSums  *sumChoice  // the articles' summaries
	pagesSeen *pageChoice // its HTML pages, for the sitemap
	state     *state
	outs      map[string]*outEntry // list pages, feeds, images; by output path
	destKnown bool                 // the destination is as the last build left it
	files     map[string]fileState // what the last build left there

	// The link check of the last successful build.
	checked        map[string]*checkedPage
	checkedFiles   map[string]bool
	checkedKey     string
	checkedTargets map[string]bool // the files its links point to

	// Filled by the running build.
	nextFeeds   *feedChoice
	nextSums    *sumChoice
	listsSame   bool // the list pages are as the last build wrote them
	nextPages   *pageChoice
	nextOuts    map[string]*outEntry
	nextChecked map[string]*checkedPage
	nextMu      sync.Mutex
	summaryKeys map[*render.Summary][32]byte // lists are rendered one at a time

	// The summaries of the last build, by article: an article the
	// content kept (the same value) with the same reading time keeps its
	// summary, its card and its key.
	sums    map[*content.Article]*render.Summary
	sumsKey string // the global key they were made with
	reused  bool   // the content was not read again: no image changed
	mdOnly  bool   // the files changed are all Markdown in the content folder
	// The articles read again when the content was reused (by File).
	changedFiles map[string]bool
	linkPages    *pagesChoice // the pages links can name (zennlinks.go)

	hashMu sync.Mutex
	hashes map[string]fileHash // by path in the content fs

	saveMu    sync.Mutex
	saveTimer *time.Timer
	toSave    *run // the build whose cache is still to be written
	saveErr   error
}

// outEntry is an output file as a build wrote it.
type outEntry struct {
	Key     string // of everything the file was made from
	OutHash string
	Links   *cachedLinks // for a page
}

// fileHash is the hash of a source file as it was at size and mtime.
type fileHash struct {
	size  int64
	mtime int64
	hash  string
}

// NewBuilder returns a Builder for opts. Leave opts.Now zero for the build
// time to be each build's own.
func NewBuilder(opts Options) *Builder {
	b := &Builder{opts: opts, all: true, pending: map[string]bool{}, hashes: map[string]fileHash{}}
	src := withDefaults(opts).Source
	if abs, err := filepath.Abs(src); err == nil {
		src = abs
	}
	b.src = src
	return b
}

// Build builds the site, like the package's Build. changed names the
// files created, modified or removed since the previous call (paths as
// the file system watcher reports them); nil means anything may have
// changed, and is what the first build gets anyway. Content files not
// named in changed are taken to be as the previous build read them.
func (b *Builder) Build(ctx context.Context, changed []string) (*Report, error) {
	return b.BuildShown(ctx, changed, nil)
}

// BuildShown is Build for the dev server, which shows the pages before the
// search index is done: once every file but the index's is in place, it
// calls shown (when not nil) with a report of that moment (Changed: the
// files put in place by this call; the index's files are those of the
// last build), then finishes the index and the rest of the commit
// (removing stale files, the manifest) while the browser reloads. A save
// of Markdown alone is shown earlier still (changedFirst): shown is
// called first with the changed articles' pages, before anything else is
// done, and then again with the rest. It returns the
// whole build's report. A build that fails after shown puts back what
// shown reported (but its pages may have been loaded meanwhile). The first
// build into a missing folder puts everything in place at once and calls
// shown with nothing.
//
// The links are checked before the index is written: a link to one of
// the index's files other than search/meta.json is reported broken.
func (b *Builder) BuildShown(ctx context.Context, changed []string, shown func(*Report)) (*Report, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.shown = shown
	defer func() { b.shown = nil }()
	if changed == nil {
		b.all = true
	}
	b.mdOnly = len(changed) > 0
	for _, p := range changed {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		b.pending[p] = true
		b.forgetHash(p)
		b.mdOnly = b.mdOnly && strings.EqualFold(filepath.Ext(p), ".md") && strings.HasPrefix(p, b.src+string(filepath.Separator))
	}
	b.nextOuts = map[string]*outEntry{}
	b.nextFeeds, b.nextPages, b.nextSums, b.listsSame = nil, nil, nil, false
	b.nextChecked = nil
	b.reused = false
	rep, err := build(ctx, b.opts, b)
	if _, ok := diag.AsErrors(err); err != nil && !ok {
		// The build may have stopped half-way through putting files in
		// place: the next one checks the whole destination.
		b.destKnown = false
	}
	return rep, err
}

// Close writes the article cache to disk now, if a build left it to be
// written, and reports whether writing it failed. The Builder can still
// be used.
func (b *Builder) Close() error {
	b.saveMu.Lock()
	if b.saveTimer != nil {
		b.saveTimer.Stop()
	}
	b.saveMu.Unlock()
	return b.flush()
}

// keep takes over what a successful build learned.
func (b *Builder) keep(r *run) {
	if b == nil {
		// A one-off build keeps its cache on disk only.
		_ = r.saveState()
		return
	}
	b.state = r.newState
	b.outs = b.nextOuts
	b.feeds, b.pagesSeen, b.lastSums = b.nextFeeds, b.nextPages, b.nextSums
	r.newState.Outs = b.outs // for the cache on disk
	b.destKnown = true
	b.files = r.out.files
	b.checked, b.checkedFiles, b.checkedKey = b.nextChecked, r.pages.files, r.globalKey
	b.checkedTargets = r.linkTargets
	// The cache is written to disk once the saves pause, not in the way of
	// the next reload.
	b.saveMu.Lock()
	b.toSave = r
	if b.saveTimer == nil {
		b.saveTimer = time.AfterFunc(saveDelay, func() { b.flush() })
	} else {
		b.saveTimer.Reset(saveDelay)
	}
	b.saveMu.Unlock()
}

// saveDelay is how long after a build its cache is written to disk.
const saveDelay = 2 * time.Second

// flush writes the cache of the last build to disk, if not done yet.
func (b *Builder) flush() error {
	b.saveMu.Lock()
	defer b.saveMu.Unlock()
	if b.toSave != nil {
		b.saveErr = b.toSave.saveState()
		b.toSave = nil
	}
	return b.saveErr
}

// restoreState gives r the article cache of the previous build, from
// memory.
func (b *Builder) restoreState(r *run) bool {
	if b == nil || b.state == nil {
		return false
	}
	r.oldState = b.state
	r.newState = &state{Articles: make(map[string]*articleEntry, len(b.state.Articles))}
	return true
}

// knownFiles returns the destination's files as the previous build left
// them, or nil when they must be read from its manifest.
func (b *Builder) knownFiles() map[string]fileState {
	if b == nil || !b.destKnown {
		return nil
	}
	return b.files
}

// setupOutput lets r's output hash the files it copies through the
// Builder's memo.
func (b *Builder) setupOutput(r *run) {
	if b == nil {
		return
	}
	r.out.hashOf = b.hashSource
	r.out.knownDest = b.destKnown
}

// forgetHash drops the remembered hash of a changed file: a file rewritten
// with the same size and mtime (cp -p, rsync -a) is hashed again.
func (b *Builder) forgetHash(p string) {
	rel, err := filepath.Rel(b.src, p)
	if err != nil {
		return
	}
	b.hashMu.Lock()
	delete(b.hashes, filepath.ToSlash(rel))
	b.hashMu.Unlock()
}

// hashSource hashes a file of fsys, or returns the hash it had when its
// size and mtime were the same.
func (b *Builder) hashSource(fsys fs.FS, name string) (string, error) {
	key := name
	b.hashMu.Lock()
	h, ok := b.hashes[key]
	b.hashMu.Unlock()
	if ok && b.reused {
		// Only articles changed since the last build.
		return h.hash, nil
	}
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return "", err
	}
	if ok && h.size == fi.Size() && h.mtime == fi.ModTime().UnixNano() {
		return h.hash, nil
	}
	sum, err := hashFile(fsys, name)
	if err != nil {
		return "", err
	}
	b.hashMu.Lock()
	b.hashes[key] = fileHash{size: fi.Size(), mtime: fi.ModTime().UnixNano(), hash: sum}
	b.hashMu.Unlock()
	return sum, nil
}

// contentOptions are the options content.Load gets.
func (r *run) contentOptions() content.Options {
	text, image := r.cfg.Limits.bytes()
	return content.Options{
		Root:   filepath.ToSlash(r.opts.Source),
		Lang:   r.cfg.Language,
		Drafts: r.cfg.Drafts,
		Now:    r.opts.Now,
		// An author who names their Zenn account publishes there too:
		// slugs Zenn would reject are worth a warning.
		ZennSlugWarnings: r.cfg.ZennUser != "",
		ZennStrict:       r.cfg.ZennStrict,
		// A one-off build reads each article's text again when it
		// converts it, so the whole site's text is never in memory; a
		// Builder keeps the text it converts from build to build.
		LeaveBodies: r.b == nil,
		// Limits: a file over its limit, or a FIFO, is never read.
		MaxFileBytes:  text,
		MaxImageBytes: image,
		Ctx:           r.ctx,
	}
}

// loadedContent records the content r read in full, and its problems.
func (b *Builder) loadedContent(r *run, probs *diag.List) {
	if b == nil {
		return
	}
	b.site = r.site
	b.siteGen++
	b.siteOpts = r.contentOptions()
	b.siteCfg = r.cfgRaw
	b.siteProbs = probs.Sorted()
	b.pending = map[string]bool{}
	b.all = false
	r.probs.Add(b.siteProbs...)
}

// sameReading reports whether content read with options a reads as with
// b (Now aside).
func sameReading(a, b content.Options) bool {
	return a.Root == b.Root && a.Lang == b.Lang && a.Drafts == b.Drafts &&
		a.ZennStrict == b.ZennStrict && a.ZennSlugWarnings == b.ZennSlugWarnings
}

// errFullLoad says the content must be read in full.
var errFullLoad = errors.New("full load")

// reuseContent gives r the content of the previous build with the changed
// articles read again, when nothing else can have changed. It reports
// whether it did; if not, the caller reads the whole folder.
func (b *Builder) reuseContent(r *run) bool {
	if b == nil || b.all || b.site == nil || !bytes.Equal(b.siteCfg, r.cfgRaw) {
		return false
	}
	opts := r.contentOptions()
	if !sameReading(opts, b.siteOpts) {
		return false
	}
	old := b.site
	byPath, due := articlesByPath(old, opts.Now)
	if due {
		return false // a scheduled article's time has come: it changes lists
	}
	repl := map[*content.Article]*content.Article{}
	files := map[string]bool{}
	probs := &diag.List{}
	for p := range b.pending {
		a, err := b.reparse(p, byPath, opts, probs)
		if err != nil {
			return false
		}
		if a == nil {
			continue // a file the content folder ignores
		}
		repl[byPath[a.Path]] = a
		files[a.File] = true
	}
	s := *old
	s.Articles = replaceArticles(old.Articles, repl)
	s.Drafts = replaceArticles(old.Drafts, repl)
	s.Topics = make([]*content.Topic, len(old.Topics))
	for i, t := range old.Topics {
		nt := *t
		nt.Articles = replaceArticles(t.Articles, repl)
		s.Topics[i] = &nt
	}
	var ps []diag.Problem
	for _, p := range b.siteProbs {
		if !files[p.File] {
			ps = append(ps, p)
		}
	}
	ps = append(ps, probs.Sorted()...)
	diag.Sort(ps)

	r.site = &s
	b.site = &s
	b.reused, b.changedFiles = true, files
	b.siteProbs = ps
	b.pending = map[string]bool{}
	r.probs.Add(ps...)
	return true
}

// articlesByPath maps the site's articles and drafts by path, and reports
// whether a scheduled one is due at now.
func articlesByPath(s *content.Site, now time.Time) (byPath map[string]*content.Article, due bool) {
	byPath = map[string]*content.Article{}
	for _, as := range [][]*content.Article{s.Articles, s.Drafts} {
		for _, a := range as {
			byPath[a.Path] = a
			due = due || (a.Scheduled && !a.Date.After(now))
		}
	}
	return byPath, due
}

// reparse reads the changed file p again. It returns nil for a file the
// content folder ignores (an editor's backup or temporary file), and
// errFullLoad when the change can alter more than the article itself.
func (b *Builder) reparse(p string, byPath map[string]*content.Article, opts content.Options, probs *diag.List) (*content.Article, error) {
	rel, err := filepath.Rel(b.src, p)
	if err != nil {
		return nil, errFullLoad
	}
	rel = filepath.ToSlash(rel)
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return nil, nil // not content: the theme or kiji.yaml
	}
	dir, name := path.Split(rel)
	if dir != "articles/" {
		return nil, errFullLoad // images, books, static files, the folders themselves
	}
	if strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".md") {
		return nil, nil // content.Load skips these
	}
	old := byPath[rel]
	fi, err := os.Lstat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && old == nil {
			return nil, nil // created and gone again
		}
		return nil, errFullLoad // removed, or unreadable
	}
	if old == nil || !fi.Mode().IsRegular() {
		return nil, errFullLoad // a new article
	}
	src, err := userfile.ReadFile(userfile.DirFS(filepath.Dir(p)), filepath.Base(p), opts.MaxFileBytes)
	if err != nil {
		return nil, errFullLoad // the full load reports why
	}
	var l diag.List
	a := content.ParseArticle(rel, src, opts, &l)
	if a == nil {
		// Its front matter cannot be read (the author is typing): the
		// preview keeps the article as last read, with the problem.
		probs.Add(l.Sorted()...)
		return old, nil
	}
	keepDates(a, old, fi.ModTime())
	if a.Slug != old.Slug || a.Draft() != old.Draft() || !a.Date.Equal(old.Date) ||
		!slices.Equal(a.Topics, old.Topics) || (a.Draft() && !opts.Drafts) {
		return nil, errFullLoad // lists, order or topics change
	}
	probs.Add(l.Sorted()...)
	return a, nil
}

func replaceArticles(as []*content.Article, repl map[*content.Article]*content.Article) []*content.Article {
	out := make([]*content.Article, len(as))
	for i, a := range as {
		if n, ok := repl[a]; ok {
			a = n
		}
		out[i] = a
	}
	return out
}

// primeSummaryKeys hashes each summary once, before the lists that share
// them are rendered (in parallel) and keyed by cachedList.
func (b *Builder) primeSummaryKeys(r *run, sums []*render.Summary) {
	summaryKeys := r.summaryKeys
	var old map[*render.Summary][32]byte
	if b != nil {
		old = b.summaryKeys
		// Those of the last build's summaries still in use are kept.
		summaryKeys = make(map[*render.Summary][32]byte, len(sums))
		for _, s := range sums {
			if k, ok := b.summaryKeys[s]; ok {
				summaryKeys[s] = k
			}
		}
		b.summaryKeys = summaryKeys
	}
	for _, s := range sums {
		if _, ok := summaryKeys[s]; !ok {
			summaryKeys[s] = summaryKey(s)
		}
	}
	if b != nil {
		b.listsSame = b.sameSummaries(r, sums, old)
		b.nextSums = &sumChoice{gen: b.siteGen, key: r.globalKey, sums: sums}
	}
}

// sumChoice is the summaries of a build's articles, in order, from the
// content as read in full for the gen-th time, with the global key.
type sumChoice struct {
	gen  int
	key  string
	sums []*render.Summary
}

// sameSummaries reports whether every article's summary hashes as in the
// last build (old: the summaries' keys as the last build hashed them), the
// articles in the same order and the global key the same: the list pages
// are then all as it wrote them.
func (b *Builder) sameSummaries(r *run, sums []*render.Summary, old map[*render.Summary][32]byte) bool {
	p := b.lastSums
	if !b.reused || p == nil || p.gen != b.siteGen || p.key != r.globalKey || len(p.sums) != len(sums) || b.outs == nil {
		return false
	}
	for i, s := range sums {
		if s == p.sums[i] {
			continue
		}
		if k, ok := old[p.sums[i]]; !ok || k != b.summaryKeys[s] {
			return false
		}
	}
	return true
}

// listKept is cachedList for the list pages (renderLists): when their
// summaries are all the same (sameSummaries), each keeps the key it had.
func (b *Builder) listKept(r *run, rel, tmpl string, data *render.Page) (string, bool) {
	if b != nil && b.listsSame {
		if e, ok := b.outs[rel]; ok {
			return e.Key, b.cached(r, rel, e.Key)
		}
	}
	return b.cachedList(r, rel, tmpl, data)
}

// summaryKey hashes every field of a summary but its card (which is made
// from them): the part of a list page's key an article contributes.
func summaryKey(s *render.Summary) [32]byte {
	b := make([]byte, 0, 512)
	str := func(v string) {
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	str(s.URL)
	str(s.Title)
	str(s.Emoji)
	str(s.DateText)
	str(s.DateISO)
	b = binary.AppendVarint(b, int64(s.Minutes))
	str(s.ReadingTime)
	b = binary.AppendUvarint(b, uint64(len(s.Topics)))
	for _, t := range s.Topics {
		if t == nil {
			str("\x00nil")
			continue
		}
		str(t.URL)
		str(t.Name)
		b = binary.AppendVarint(b, int64(t.Count))
	}
	if s.Draft {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return sha256.Sum256(b)
}

// summaryOf returns the summary of r.site.Articles[i]: the last build's
// when the Builder kept the article as it was.
func (b *Builder) summaryOf(r *run, i int, next map[*content.Article]*render.Summary) *render.Summary {
	a, minutes := r.site.Articles[i], r.articleResults[i].minutes
	if b == nil {
		return r.summary(a, minutes)
	}
	s, ok := b.sums[a]
	if !ok || s.Minutes != minutes || b.sumsKey != r.globalKey {
		s = r.summary(a, minutes)
	}
	next[a] = s
	return s
}

// cachedList keeps a list page the previous build wrote from the same
// data. It returns the page's key for stored.
func (b *Builder) cachedList(r *run, rel, tmpl string, data *render.Page) (string, bool) {
	summaryKeys := r.summaryKeys
	if b != nil {
		summaryKeys = b.summaryKeys
	}
	h := sha256.New()
	io.WriteString(h, r.globalKey)
	io.WriteString(h, "\x00"+tmpl+"\x00")
	// The lists share their article summaries: each is encoded once.
	p := *data
	p.Articles = nil
	var months []*render.Summary // of an archive year's page
	if a := p.Archive; a != nil && a.Year != nil {
		y := *a.Year
		y.Months = make([]*render.ArchiveMonth, len(a.Year.Months))
		for i, m := range a.Year.Months {
			c := *m
			c.Articles = nil
			y.Months[i] = &c
			months = append(append(months, nil), m.Articles...) // nil: a new month
		}
		p.Archive = &render.ArchiveView{Years: a.Years, Year: &y}
	}
	if err := json.NewEncoder(h).Encode(&p); err != nil {
		return "", false
	}
	for _, list := range [][]*render.Summary{data.Articles, months} {
		io.WriteString(h, "\x00list")
		for _, s := range list {
			if s == nil {
				io.WriteString(h, "\x00month")
				continue
			}
			k, ok := summaryKeys[s] // read-only here: lists render in parallel
			if !ok {
				k = summaryKey(s)
			}
			h.Write(k[:])
		}
	}
	key := hex.EncodeToString(h.Sum(nil))
	return key, b.cached(r, rel, key)
}

// cachedFeed keeps a feed the previous build wrote from the same
// content. It returns the feed's key for stored.
func (b *Builder) cachedFeed(r *run, rel string, f feeds.Feed) (string, bool) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", r.globalKey, rel)
	if err := json.NewEncoder(h).Encode(&f); err != nil {
		return "", false
	}
	key := hex.EncodeToString(h.Sum(nil))
	return key, b.cached(r, rel, key)
}

// cachedSitemap keeps the sitemap the previous build wrote from the same
// URLs (sorted) and dates. It returns the sitemap's key for stored.
func (b *Builder) cachedSitemap(r *run, urls []feeds.URL) (string, bool) {
	h := sha256.New()
	buf := make([]byte, 0, 256)
	buf = append(append(append(buf, r.globalKey...), cacheVersion()...), "\x00sitemap\x00"...)
	for _, u := range urls {
		buf = append(buf, u.Loc...)
		buf = append(buf, 0)
		buf = u.LastMod.AppendFormat(buf, time.RFC3339Nano)
		buf = append(buf, 0)
		h.Write(buf)
		buf = buf[:0]
	}
	key := hex.EncodeToString(h.Sum(nil))
	return key, b.cached(r, "sitemap.xml", key)
}

// ogKey is the key of an article's sharing image.
func ogKey(c ogCard) string {
	return fmt.Sprintf("og\x00%s\x00%s\x00%s\x00%s", cacheVersion(), c.Title, c.Emoji, c.Site)
}

// cached keeps the output file rel when the previous build wrote it from
// the same key and the destination still holds it; a kept page's links
// are registered for the link check.
func (b *Builder) cached(r *run, rel, key string) bool {
	if key == "" {
		return false
	}
	outs, next, mu := r.oldState.Outs, r.newState.Outs, &r.stateMu
	if b != nil {
		next, mu = b.nextOuts, &b.nextMu
		if b.outs != nil {
			outs = b.outs
		} // else the Builder's first build: the cache read from disk
	}
	e, ok := outs[rel]
	if !ok || e.Key != key || !r.out.unchanged(rel, e.OutHash) {
		return false
	}
	if e.Links != nil {
		r.pages.addCached(rel, e.Links)
	}
	mu.Lock()
	next[rel] = e
	mu.Unlock()
	return true
}

// stored records an output file r wrote from key (with its links, for a
// page).
func (b *Builder) stored(r *run, rel, key string, pl *pageLinks) {
	if key == "" {
		return
	}
	next, mu := r.newState.Outs, &r.stateMu
	if b != nil {
		next, mu = b.nextOuts, &b.nextMu
	}
	r.out.mu.Lock()
	st, ok := r.out.files[rel]
	r.out.mu.Unlock()
	if !ok || st.Hash == "" {
		return
	}
	e := &outEntry{Key: key, OutHash: st.Hash}
	if pl != nil {
		// The links are copied for the cache file when it is written
		// (appendLinks), as an article's are: the link check holds pl.
		e.Links = &cachedLinks{memo: pl}
	}
	mu.Lock()
	next[rel] = e
	mu.Unlock()
}

// linkMemo lets checkLinks skip the pages whose links, and everything
// those links can point to, are as the last successful build checked
// them. A nil *linkMemo reuses nothing.
type linkMemo struct {
	valid bool // nothing a link can point to has changed
	grown bool // files were added (a broken link may work now)
	prev  map[string]*checkedPage
	next  map[string]*checkedPage
}

// checkedPage is a page as the link check saw it, with what it found.
type checkedPage struct {
	pl               *pageLinks
	source, template string
	links            []pageLink
	refs             []markdown.Ref
	ids              idSet
	probs            []diag.Problem
}

func (b *Builder) linkMemo(r *run) *linkMemo {
	if b == nil {
		return nil
	}
	m := &linkMemo{prev: b.checked, next: make(map[string]*checkedPage, len(r.pages.pages))}
	b.nextChecked = m.next
	if b.checked != nil && b.checkedKey == r.globalKey {
		m.valid, m.grown = keptWorld(b.checkedFiles, b.checked, b.checkedTargets, r.pages)
	}
	if m.valid {
		for t := range b.checkedTargets { // the pages reused point there still
			r.linkTargets[t] = true
		}
	}
	return m
}

// keptWorld reports whether every link the previous build checked still
// finds what it found: no file a link pointed to is gone, and every page
// kept its ids. grown reports files added since (the search index's
// change names with every build): they can mend a broken link, never
// break one.
func keptWorld(files map[string]bool, pages map[string]*checkedPage, targets map[string]bool, li *linkIndex) (valid, grown bool) {
	if targets == nil {
		return false, false
	}
	for f := range files {
		if !li.files[f] && targets[f] {
			return false, false
		}
	}
	for f := range li.files {
		if !files[f] {
			grown = true
			break
		}
	}
	for rel, pl := range li.pages {
		p, ok := pages[rel]
		if ok && p.pl != pl && !slices.Equal(p.ids, pl.load().ids) {
			return false, false
		}
	}
	return true, grown
}

// reuse returns the problems the last check found on rel, when its links
// are the same.
func (m *linkMemo) reuse(rel string, pl *pageLinks) ([]diag.Problem, bool) {
	if m == nil || !m.valid {
		return nil, false
	}
	p, ok := m.prev[rel]
	if !ok || (m.grown && len(p.probs) > 0) {
		return nil, false
	}
	if p.pl != pl && (p.source != pl.load().source || p.template != pl.template || !slices.Equal(p.links, pl.links) || !slices.Equal(p.refs, pl.refs)) {
		return nil, false
	}
	if p.pl != pl {
		q := *p
		q.pl = pl
		p = &q
	}
	m.next[rel] = p
	return p.probs, true
}

// store records what the check found on rel.
func (m *linkMemo) store(rel string, pl *pageLinks, ps []diag.Problem) {
	if m == nil {
		return
	}
	pl.load()
	m.next[rel] = &checkedPage{pl: pl, source: pl.source, template: pl.template, links: pl.links, refs: pl.refs, ids: pl.ids, probs: ps}
}

// showsFirst reports whether the run shows its pages before its search
// index is written (BuildShown): not the Builder's first build, which
// writes every page (the search index and the link check of all of them
// are better not run at once), nor into a missing folder.
func (b *Builder) showsFirst(r *run) bool {
	return b != nil && b.shown != nil && r.opts.Dev && r.search != nil && b.outs != nil && !r.out.fresh
}

// showFirst is the pipeline of a build that shows its pages first: the
// files are copied before the search index is started, the links are
// checked while it is written, and showPages waits for it.
func showFirst(steps []step) []step {
	out := make([]step, 0, len(steps))
	var search step
	for _, s := range steps {
		switch s.name {
		case "write search index":
			search = s
			search.run = (*run).startSearchAside
			continue
		case "finish search index":
			continue
		}
		out = append(out, s)
		if s.name == "copy files" {
			out = append(out, search)
		}
	}
	return out
}

// startSearchAside starts the search index with its files kept out of the
// link check's sight until showPages waits for it (the check reads them
// while they are written); search/meta.json, which every index writes,
// is known at once.
func (r *run) startSearchAside() error {
	r.pages.addFile("search/meta.json")
	r.pages.setAside(true)
	return r.startSearch()
}

// pagesChoice is the pages links can name (run.zlinks, read-only once
// made) and their key, as made from the content read in full for the
// gen-th time (Builder.siteGen).
type pagesChoice struct {
	gen    int
	zlinks *zennlink.Index
	key    string
}

// keptPages gives r the pages links can name as the last build made
// them, when the content was reused since (the articles kept their paths
// and slugs; the books and kiji.yaml did not change).
func (b *Builder) keptPages(r *run) bool {
	if b == nil || !b.reused || b.linkPages == nil || b.linkPages.gen != b.siteGen {
		return false
	}
	r.zlinks, r.pagesKey = b.linkPages.zlinks, b.linkPages.key
	return true
}

// keepPages keeps the pages links can name that r made, for keptPages.
func (b *Builder) keepPages(r *run) {
	if b != nil {
		b.linkPages = &pagesChoice{gen: b.siteGen, zlinks: r.zlinks, key: r.pagesKey}
	}
}

// changedFirst reports whether r, a dev build of the Builder whose caller
// is told what is shown (BuildShown) into a folder a build filled, shows
// the pages of the changed articles first (renderArticles), before the
// other articles are even looked at, then the lists, feeds, link check
// and search index: when nothing else can have changed. The files changed
// are Markdown files only, and the content was reused (they are existing
// articles that kept their slug, date, draft state and topics:
// reuseContent), so every stylesheet, image and script those pages need
// is in place already. What the rest of the build changes is shown after
// (showPages); a problem it finds, such as a broken link, reaches the
// overlay then.
func (b *Builder) changedFirst(r *run) bool {
	return b != nil && b.shown != nil && r.opts.Dev && b.outs != nil && !r.out.fresh && b.reused && b.mdOnly && len(b.changedFiles) > 0
}

// showChangedPages puts the pages staged so far (the changed articles')
// in place and tells the Builder's caller.
func (r *run) showChangedPages() error {
	if r.ctx.Err() != nil {
		return nil
	}
	var pages []string
	for _, rel := range r.out.stagedNames() {
		if strings.HasSuffix(rel, ".html") {
			pages = append(pages, rel)
		}
	}
	if len(pages) == 0 {
		return nil
	}
	if err := r.out.putEarly(pages); err != nil {
		return err
	}
	r.tellShown(pages)
	return nil
}

// tellShown tells the Builder's caller (BuildShown) that the files names
// are in place, with a report of the build so far.
func (r *run) tellShown(names []string) {
	r.fillReport(r.start)
	rep := *r.report
	rep.Changed, rep.Published = names, true
	rep.Written, rep.Unchanged = r.out.stats()
	r.b.shown(&rep)
}

// showPages puts every file but the search index's in place and tells
// the Builder's caller (BuildShown), then waits for the index.
func (r *run) showPages() error {
	if r.ctx.Err() == nil && !r.out.fresh {
		t0 := time.Now()
		names, err := r.out.commitFirst(func(rel string) bool {
			return !strings.HasPrefix(rel, "search/") || path.Ext(rel) == ".html"
		})
		r.report.Steps = append(r.report.Steps, StepTime{"show pages", time.Since(t0)})
		if err != nil {
			return err
		}
		r.tellShown(names)
	}
	return r.runSteps([]step{{"finish search index", func(r *run) error {
		err := r.waitSearch()
		r.pages.setAside(false)
		return err
	}}})
}

// feedChoice is what each feed (by output path) showed: its articles and
// books, newest first, from the content as read in full for the gen-th
// time (Builder.siteGen).
type feedChoice struct {
	gen int
	by  map[string][]feedItem
}

// feedItems returns what the feed rel showed in the last build, with the
// articles as they are now, when nothing can have changed their order:
// the content was not read again in full since (the changed articles kept
// their dates, drafts and topics, and no book changed: reuseContent).
func (b *Builder) feedItems(r *run, rel string) ([]*feedItem, bool) {
	if b == nil || !b.reused || b.feeds == nil || b.feeds.gen != b.siteGen {
		return nil, false
	}
	prev, ok := b.feeds.by[rel]
	if !ok {
		return nil, false
	}
	its := make([]*feedItem, len(prev))
	for i, it := range prev {
		if it.article != nil {
			if it.index >= len(r.site.Articles) || r.site.Articles[it.index].Path != it.article.Path {
				return nil, false
			}
			it.article = r.site.Articles[it.index]
		}
		its[i] = &it
	}
	return its, true
}

// storeFeedItems records what the feed rel shows, for the next build.
func (b *Builder) storeFeedItems(rel string, its []*feedItem) {
	if b == nil {
		return
	}
	if b.nextFeeds == nil {
		b.nextFeeds = &feedChoice{gen: b.siteGen, by: map[string][]feedItem{}}
	}
	c := make([]feedItem, len(its))
	for i, it := range its {
		c[i] = *it
	}
	b.nextFeeds.by[rel] = c
}

// pageChoice is the HTML pages of a build, by URL, from the content as
// read in full for the gen-th time.
type pageChoice struct {
	gen   int
	pages []sitemapPage
}

// samePages returns the HTML pages of the last build when this one's are
// the same (r.pages.mu is held): the content was not read again in full
// since, so the same pages were written.
func (b *Builder) samePages(r *run) ([]sitemapPage, bool) {
	if b == nil || !b.reused || b.pagesSeen == nil || b.pagesSeen.gen != b.siteGen {
		return nil, false
	}
	ps := b.pagesSeen.pages
	n := 0
	for rel := range r.pages.pages {
		if strings.HasSuffix(rel, ".html") {
			n++
		}
	}
	if n != len(ps) {
		return nil, false
	}
	for _, p := range ps {
		if r.pages.pages[p.rel] == nil {
			return nil, false
		}
	}
	b.nextPages = b.pagesSeen
	return ps, true
}

// storePages records the HTML pages of the build, for the next one.
func (b *Builder) storePages(ps []sitemapPage) {
	if b != nil {
		b.nextPages = &pageChoice{gen: b.siteGen, pages: ps}
	}
}
