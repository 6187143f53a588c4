package build

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/markdown"
	"github.com/kiji-ssg/kiji/site/render"
)

// The build cache lets a rebuild skip what did not change. It lives in
// Options.CacheDir as state.gob, and what changed since it was written in
// state.delta (state_delta.go), written only after a successful build:
//
//	kiji-state v6\n  <payload (state_codec.go)>\n<checksum of all before it, hex>
//
// (the checksum is checksum.go's).
//
// An article is rendered again unless its cache entry's key — the hash of
// kiji's version, kiji.yaml, the theme, the set of images, the article's
// own bytes and its neighbours' titles — matches and the output folder
// still holds the page the entry describes. A damaged, truncated or
// foreign cache file fails its checksum and is ignored: the build is then
// a full one, never a wrong one.

const stateHeader = "kiji-state v6\n"

// stateTrailer is the size of the newline and hex checksum ending the file.
const stateTrailer = 1 + 2*sumSize

type state struct {
	Articles map[string]*articleEntry // by content path
	// Outs are the list pages, feeds and sharing images by output path,
	// with the key of what each was made from.
	Outs map[string]*outEntry
	// SearchID names the search index's cache (package search) that goes
	// with this state; the pages' tokens are kept there, not here.
	SearchID string
	// Checked holds the problems the link check found, by page (pages
	// without any are left out), and CheckedKey what it checked them
	// against (see linkdelta.go).
	Checked    map[string][]diag.Problem
	CheckedKey string
	// Targets are the output files the links checked point to.
	Targets map[string]bool

	base *stateBase // the file it was read from (state_delta.go); nil: none
}

// articleEntry is what a rebuild needs from an article it does not render.
type articleEntry struct {
	Key      string
	Rel      string
	OutHash  string
	Minutes  int
	Summary  string
	Problems []diag.Problem
	Links    cachedLinks
	// Pages is the pages key (run.pagesKey) of the build that rendered
	// the page, when its links were resolved against the site's pages;
	// "" when they were not.
	Pages string
}

// cachedLinks is pageLinks in a form the cache file holds. Read from the
// file, only raw is set: the fields are decoded when the page's links are
// first used (most pages a rebuild keeps are never looked at).
type cachedLinks struct {
	Source, Template string
	IDs              []string
	Attrs, Vals      []string
	Refs             []markdown.Ref

	memo *pageLinks // made once from the fields (not written to the file)
	raw  []byte     // the fields as encoded in the file (state_codec.go)
}

func (pl *pageLinks) cached() cachedLinks {
	pl.load()
	if pl.from != nil && pl.from.raw != nil {
		return cachedLinks{raw: pl.from.raw}
	}
	c := cachedLinks{Source: pl.source, Template: pl.template, Refs: pl.refs, IDs: pl.ids}
	for _, l := range pl.links {
		c.Attrs = append(c.Attrs, l.attr())
		c.Vals = append(c.Vals, l.val())
	}
	return c
}

// fill sets pl's fields from c (decoding c.raw first, if set).
func (pl *pageLinks) fill(c *cachedLinks) {
	if c.raw != nil {
		r := &stateReader{journalReader: newReader(c.raw)}
		d := r.links()
		if r.err != nil {
			// Cannot happen: the file's checksum was verified. A page
			// with no ids and links is checked as such.
			d = cachedLinks{}
		}
		c = &d
	}
	ids := idSet(c.IDs)
	if !sort.StringsAreSorted(ids) {
		ids = append(idSet(nil), ids...)
		sort.Strings(ids)
	}
	pl.source, pl.template, pl.refs, pl.ids = c.Source, c.Template, c.Refs, ids
	for i := range c.Attrs {
		if c.Attrs[i] != "" && i < len(c.Vals) {
			pl.links = append(pl.links, newPageLink(c.Attrs[i], c.Vals[i]))
		}
	}
}

func (r *run) statePath() string {
	if r.opts.Dev {
		// A dev build's pages differ from a real build's (drafts, no
		// feeds' warning…): its cache is kept apart, so that serve and
		// build sharing a cache folder do not undo each other's.
		return filepath.Join(r.opts.CacheDir, "state-dev.gob")
	}
	return filepath.Join(r.opts.CacheDir, "state.gob")
}

// loadState reads the cache; any problem gives an empty one.
func (r *run) loadState() {
	r.summaryKeys = map[*render.Summary][32]byte{}
	if r.stateLoaded != nil {
		r.oldState = <-r.stateLoaded
	} else {
		r.oldState = readState(r.statePath())
	}
	// Sized as the last build's: most entries are kept.
	r.newState = &state{Articles: make(map[string]*articleEntry, len(r.oldState.Articles)), Outs: make(map[string]*outEntry, len(r.oldState.Outs))}
}

// startLoadingState reads the cache in the background while the content
// is read; loadState waits for it.
func (r *run) startLoadingState() {
	ch := make(chan *state, 1)
	r.stateLoaded = ch
	p := r.statePath()
	go func() { ch <- readState(p) }()
}

func readState(p string) *state {
	empty := &state{Articles: map[string]*articleEntry{}, Outs: map[string]*outEntry{}}
	b, err := readCacheFile(p)
	if err != nil {
		return empty
	}
	s, err := decodeState(b)
	if err != nil {
		return empty
	}
	readDelta(deltaPath(p), s)
	return s
}

func decodeState(b []byte) (*state, error) {
	if !bytes.HasPrefix(b, []byte(stateHeader)) || len(b) < len(stateHeader)+stateTrailer {
		return nil, errors.New("not a kiji cache file")
	}
	body, trailer := b[:len(b)-stateTrailer], b[len(b)-stateTrailer:]
	if trailer[0] != '\n' || hex.EncodeToString(appendSum(nil, body)) != string(trailer[1:]) {
		return nil, errors.New("the cache file is damaged")
	}
	s, err := decodePayload(body[len(stateHeader):]) // state_codec.go
	if err != nil {
		return nil, err
	}
	s.base = &stateBase{sum: string(trailer[1:]), size: len(b), articles: s.Articles, outs: s.Outs, targets: s.Targets}
	return s, nil
}

// saveState writes the cache atomically: what changed since the
// state.gob the build read, when that is little (state_delta.go), else
// the whole.
func (r *run) saveState() error {
	if err := os.MkdirAll(r.opts.CacheDir, 0o755); err != nil {
		return err
	}
	if done, err := r.saveDelta(); done || err != nil {
		return err
	}
	if err := r.removeDelta(); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(r.opts.CacheDir, "state-*.tmp")
	if err != nil {
		return err
	}
	err = r.writeState(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), r.statePath())
}

// writeState streams the cache: the header, the payload (state_codec.go:
// the number of articles, each article's path and entry, the list pages'
// entries, the link check's results, the search index's cache ID), then
// a newline and the checksum of all that (checksum.go). Entries are
// encoded one at a time, so no copy of the whole cache is ever held in memory; pages
// rendered by this build keep only a pointer to their links, encoded from
// the page (appendPageLinks).
func (r *run) writeState(f *os.File) error {
	h := newSum()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<16)
	_, err := io.WriteString(bw, stateHeader)
	if err != nil {
		return err
	}
	paths := make([]string, 0, len(r.newState.Articles))
	for p := range r.newState.Articles {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	buf := binary.AppendUvarint(make([]byte, 0, 64<<10), uint64(len(paths)))
	for _, p := range paths {
		buf = appendEntry(appendString(buf, p), r.newState.Articles[p])
		if buf, err = flushFull(bw, buf); err != nil {
			return err
		}
	}
	outs := make([]string, 0, len(r.newState.Outs))
	for p := range r.newState.Outs {
		outs = append(outs, p)
	}
	sort.Strings(outs)
	buf = binary.AppendUvarint(buf, uint64(len(outs)))
	for _, p := range outs {
		buf = appendOut(appendString(buf, p), r.newState.Outs[p])
		if buf, err = flushFull(bw, buf); err != nil {
			return err
		}
	}
	buf = appendChecked(buf, r.newState)
	buf = appendString(buf, r.newState.SearchID)
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err = io.WriteString(f, "\n"+hex.EncodeToString(h.Sum(nil)))
	return err
}

// flushFull writes buf to w once it holds more than 32 KiB, and returns
// it emptied; else it returns it as it is. (Appending the whole state to
// one buffer would copy its megabytes again at each doubling.)
func flushFull(w io.Writer, buf []byte) ([]byte, error) {
	if len(buf) <= 32<<10 {
		return buf, nil
	}
	_, err := w.Write(buf)
	return buf[:0], err
}

// globalKey hashes everything every page depends on.
func (r *run) computeGlobalKey() {
	h := sha256.New()
	fmt.Fprintf(h, "kiji %s\n", cacheVersion())
	h.Write(r.cfgRaw)
	fmt.Fprintf(h, "\nbase %s %s drafts %v dev %v offline %v books %v\n", r.base.url, r.base.path, r.cfg.Drafts, r.opts.Dev, r.opts.Offline, len(r.site.Books) > 0)
	io.WriteString(h, r.theme.Hash())
	paths := make([]string, 0, len(r.site.Images))
	for p := range r.site.Images {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		fmt.Fprintf(h, "%s %d\n", p, r.site.Images[p].Size)
	}
	for _, p := range r.site.Files {
		fmt.Fprintf(h, "file %s\n", p)
	}
	r.globalKey = hex.EncodeToString(h.Sum(nil))
}

// articleKey is the cache key of the page of r.site.Articles[i]: its
// file, and what the page shows of its neighbours (slug, title, emoji;
// the base URL is in the global key). It is computed for every article
// of every build, so it is made of the articles' fields directly, not of
// the summaries a page that is rendered shows.
func (r *run) articleKey(i int) string {
	as := r.site.Articles
	a := as[i]
	b := make([]byte, 0, 256)
	b = append(b, r.globalKey...)
	b = append(b, a.Path...)
	b = append(b, a.Hash[:]...)
	b = binary.LittleEndian.AppendUint64(b, uint64(a.Date.UnixNano())) // from git or the file: not in its bytes
	for _, j := range []int{i + 1, i - 1} {                            // older, newer
		if j < 0 || j >= len(as) {
			b = append(b, "\x00none"...)
			continue
		}
		n := as[j]
		b = append(append(append(append(append(append(b, 0), n.Slug...), 0), n.Title...), 0), n.Emoji...)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// addCached records a page the build did not render again.
func (li *linkIndex) addCached(rel string, c *cachedLinks) {
	pl := c.memo
	if pl == nil {
		// A page's links are read once, when first used: the same value
		// serves every build that keeps the page (a Builder's).
		pl = &pageLinks{from: c}
		c.memo = pl
	}
	li.mu.Lock()
	li.pages[rel] = pl
	li.files[rel] = true
	li.mu.Unlock()
}
