package search

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Config says how an index is made.
type Config struct {
	Options
	// Pages is how many pages the site indexes, about: it decides the
	// number of shards, so it must depend only on the content.
	Pages int
	// CacheDir is the folder where the index keeps what the next build
	// reuses ("" keeps nothing: the pages are held in memory).
	CacheDir string
	// PrevID is the ID that Write returned to the build whose cache is in
	// CacheDir; a cache with another ID is not trusted.
	PrevID string
}

// Index collects the pages of a site: AddDoc tokenises a page, Keep
// takes one the last build indexed from the cache; both may be called
// from many goroutines. Write writes the index.
//
// A page's entries are split by group (a group is a set of shards, with
// one positions file) and spilled to one file per group as pages come,
// so the index is never held whole in memory. The files of a group are
// written again only when one of its entries changed.
type Index struct {
	cfg            Config
	shards, groups int
	cache          string        // the folder of the cache ("" for none)
	cacheRead      chan struct{} // closed once old and oldHeads are read
	old            *cacheIndex
	oldHeads       map[string]int // URL → index in old.Heads
	samePages      bool           // the pages are the old ones (Write)

	mu    sync.Mutex
	heads map[string]pageHead // pages added
	kept  map[string]bool     // pages kept from the cache
	spill []*spill
	err   error

	// tokenizers free for a page: kept for the whole build (a sync.Pool
	// drops them at every collection, and they are big).
	freeMu sync.Mutex
	free   []*tokenizer
}

func (ix *Index) tokenizer() *tokenizer {
	ix.freeMu.Lock()
	defer ix.freeMu.Unlock()
	if n := len(ix.free); n > 0 {
		tz := ix.free[n-1]
		ix.free = ix.free[:n-1]
		return tz
	}
	return newTokenizer()
}

func (ix *Index) putTokenizer(tz *tokenizer) {
	ix.freeMu.Lock()
	ix.free = append(ix.free, tz)
	ix.freeMu.Unlock()
}

// pageHead is a page's URL, title and topics.
type pageHead struct {
	URL, Title string
	Topics     []string
}

// spill is a group's entries of the pages added, in the order they came:
// records of (URL, entries), in buf until it holds spillChunk bytes, then
// in a file of the folder dir, made at the first flush (without a cache
// folder, dir is "" and buf holds them all). A rebuild that adds a page
// or two makes no file: one per group would cost more than the rebuild.
type spill struct {
	dir string
	f   *os.File
	buf []byte
}

const spillChunk = 32 << 10

// shardsFor is the number of key shards for a site of n pages: a power
// of two that keeps a shard near 16 KB of postings (about 2 KB a page).
func shardsFor(pages int) int {
	n := 1
	for n < 4096 && n*8 < pages {
		n *= 2
	}
	return n
}

// ShardsPerGroup is how many key shards share a group (and its
// positions file).
const ShardsPerGroup = 8

// NewIndex starts an index. The cache the last build left in
// cfg.CacheDir is read; a missing or damaged one means every page must be
// added again (Has reports false).
func NewIndex(cfg Config, dev bool) *Index {
	ix := &Index{cfg: cfg, shards: shardsFor(cfg.Pages), heads: map[string]pageHead{}, kept: map[string]bool{}}
	ix.groups = max(1, ix.shards/ShardsPerGroup)
	if cfg.CacheDir != "" {
		name := "search"
		if dev {
			name = "search-dev"
		}
		ix.cache = filepath.Join(cfg.CacheDir, name)
		// Read while the build renders: a page added (AddDoc) does not
		// need it, and a serve rebuild renders the changed page first.
		read := make(chan struct{})
		ix.cacheRead = read
		go func() { ix.readCache(); close(read) }()
	}
	return ix
}

// waitCache waits for the cache NewIndex reads.
func (ix *Index) waitCache() {
	if ix.cacheRead != nil {
		<-ix.cacheRead
	}
}

// Has reports whether the cache holds the page at url: a page not added
// again (Keep) keeps its entries.
func (ix *Index) Has(url string) bool {
	ix.waitCache()
	_, ok := ix.oldHeads[url]
	return ok
}

// Keep keeps a page from the cache (Has must have said yes).
func (ix *Index) Keep(url string) {
	ix.mu.Lock()
	ix.kept[url] = true
	ix.mu.Unlock()
}

// AddDoc tokenises a page and adds it.
func (ix *Index) AddDoc(d Doc) error {
	tz := ix.tokenizer()
	defer ix.putTokenizer(tz)
	tz.reset(ix.groups)
	tz.read(d, ix.cfg.Options)
	tz.encode(ix.shards, ix.groups)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.heads[d.URL] = pageHead{d.URL, d.Title, slices.Clone(d.Topics)}
	if ix.spill == nil && ix.err == nil {
		ix.err = ix.openSpill()
	}
	for g, part := range tz.parts {
		if len(part) > 0 && ix.err == nil {
			ix.err = ix.spill[g].add(d.URL, part)
		}
	}
	return ix.err
}

func (ix *Index) openSpill() error {
	ix.spill = make([]*spill, ix.groups)
	if ix.cache != "" {
		if err := os.MkdirAll(ix.cache, 0o755); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	for g := range ix.spill {
		ix.spill[g] = &spill{dir: ix.cache}
	}
	return nil
}

func (s *spill) add(url string, part []byte) error {
	s.buf = binary.AppendUvarint(s.buf, uint64(len(url)))
	s.buf = append(s.buf, url...)
	s.buf = binary.AppendUvarint(s.buf, uint64(len(part)))
	s.buf = append(s.buf, part...)
	if s.dir != "" && len(s.buf) >= spillChunk {
		return s.flush()
	}
	return nil
}

// flush moves buf to the spill file, made if need be.
func (s *spill) flush() error {
	if s.f == nil {
		f, err := os.CreateTemp(s.dir, "spill-*.tmp")
		if err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		s.f = f
	}
	if _, err := s.f.Write(s.buf); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	s.buf = s.buf[:0]
	return nil
}

// contents returns what was spilled, read into buf (the file stays
// until Close or take).
func (s *spill) contents(buf []byte) ([]byte, error) {
	if s == nil {
		return buf[:0], nil
	}
	if s.f == nil {
		return s.buf, nil
	}
	if err := s.flush(); err != nil {
		return nil, err
	}
	return readInto(buf, s.f.Name())
}

// readInto reads a file into buf, grown as needed.
func readInto(buf []byte, name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	buf = slices.Grow(buf[:0], int(fi.Size()))[:fi.Size()]
	_, err = io.ReadFull(f, buf)
	return buf, err
}

// take moves the spill file to name (it holds a group's entries whole).
func (s *spill) take(name string) error {
	if s == nil || s.dir == "" {
		return errors.New("nothing spilled")
	}
	if err := s.flush(); err != nil {
		return err
	}
	s.f.Close()
	err := os.Rename(s.f.Name(), name)
	s.f = nil
	return err
}

// Close removes the files the index spilled, when Write is not called
// (a build that failed).
func (ix *Index) Close() {
	ix.waitCache()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, s := range ix.spill {
		if s != nil && s.f != nil {
			s.f.Close()
			os.Remove(s.f.Name())
		}
	}
	ix.spill = nil
}

// record is one page's entries in a group.
type record struct {
	url  []byte
	id   int32
	data []byte
}

// readRecords reads (URL, entries) records; ids are left for the caller.
func readRecords(b []byte, into []record) ([]record, error) {
	into, _, err := splitRecords(b, into, nil, goneSet{})
	return into, err
}

// groupRecords gathers group g's records into w.recs, in no set order:
// the spilled ones and, for the pages kept, the cached ones (gone holds
// the cached pages that are not kept). spilledOnly says that the spill
// file holds them all; w.unchanged, that the group is the old one.
func (ix *Index) groupRecords(g int, gone goneSet, w *groupWork) (spilledOnly bool, err error) {
	recs := w.recs[:0]
	w.replaced = w.replaced[:0]
	if ix.old != nil && len(ix.kept) > 0 && ix.old.Groups[g].File != "" {
		w.cached, err = readInto(w.cached, filepath.Join(ix.cache, ix.old.Groups[g].File))
		if err != nil {
			return false, fmt.Errorf("search index: the cache lost a file (%w); delete %s and build again", err, ix.cache)
		}
		if recs, w.replaced, err = splitRecords(w.cached, recs, w.replaced, gone); err != nil {
			return false, fmt.Errorf("search index: the cache file %s is damaged; delete %s and build again", ix.old.Groups[g].File, ix.cache)
		}
	}
	spilledOnly = len(recs) == 0
	w.spilled, err = ix.spillOf(g).contents(w.spilled)
	if err != nil {
		return false, fmt.Errorf("search index: %w", err)
	}
	kept := len(recs)
	if recs, err = readRecords(w.spilled, recs); err != nil {
		return false, fmt.Errorf("search index: spilled entries: %w", err)
	}
	w.unchanged = ix.samePages && kept > 0 && sameRecords(w.replaced, recs[kept:])
	w.recs = recs
	return spilledOnly, nil
}

// splitRecords reads the records of b: those of the pages in gone to
// replaced, the others to kept.
func splitRecords(b []byte, kept, replaced []record, gone goneSet) ([]record, []record, error) {
	r := pageReader{b: b}
	for len(r.b) > 0 {
		rc := record{url: r.bytes(), data: r.bytes()}
		if r.bad {
			return kept, replaced, errors.New("damaged records")
		}
		if gone.has(rc.url) {
			replaced = append(replaced, rc)
		} else {
			kept = append(kept, rc)
		}
	}
	return kept, replaced, nil
}

// inPageOrder sorts w.recs by page (ids: URL → page number) and reports
// whether every record was of a page of the index.
func (w *groupWork) inPageOrder(ids map[string]int32) bool {
	w.byPage = slices.Grow(w.byPage[:0], len(ids))[:len(ids)]
	clear(w.byPage)
	for _, rc := range w.recs {
		if id, ok := ids[string(rc.url)]; ok {
			rc.id = id
			w.byPage[id] = rc
		}
	}
	n := len(w.recs)
	recs := w.recs[:0]
	for _, rc := range w.byPage {
		if rc.url != nil {
			recs = append(recs, rc)
		}
	}
	w.recs = recs
	return n == len(recs)
}

// sameRecords reports whether the pages added again have the entries
// they had (as many records, each the same bytes).
func sameRecords(old, added []record) bool {
	if len(old) != len(added) {
		return false
	}
	byURL := make(map[string][]byte, len(added))
	for _, rc := range added {
		byURL[string(rc.url)] = rc.data
	}
	for _, rc := range old {
		d, ok := byURL[string(rc.url)]
		if !ok || !bytes.Equal(d, rc.data) {
			return false
		}
	}
	return true
}

func (ix *Index) spillOf(g int) *spill {
	if ix.spill == nil {
		return nil
	}
	return ix.spill[g]
}

// pages lists the pages of the index, added and kept, in URL order.
func (ix *Index) pages() []pageHead {
	out := make([]pageHead, 0, len(ix.heads)+len(ix.kept))
	for _, h := range ix.heads {
		out = append(out, h)
	}
	for u := range ix.kept {
		if _, ok := ix.heads[u]; !ok {
			out = append(out, ix.old.Heads[ix.oldHeads[u]])
		}
	}
	slices.SortFunc(out, func(a, b pageHead) int { return strings.Compare(a.URL, b.URL) })
	return out
}
