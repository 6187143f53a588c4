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
	// URLs are the pages the build means to index, when it knows them
	// (cheapest in URL order). A page's entries are spilled under its
	// number among them, which is its number in the index when the pages
	// added and kept are these: a spill file that holds a group whole then
	// becomes the cache's as it is. Pages not listed are numbered after
	// them.
	URLs []string
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

	mu     sync.Mutex
	told   []string            // cfg.URLs in order: page i spills as number i
	extra  []string            // pages not told: len(told)+i
	extraN map[string]int32    // URL → spill number, of extra
	heads  map[string]pageHead // pages added
	kept   map[string]bool     // pages kept from the cache
	spill  []*spill
	err    error

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
// records of (spill number, entries), in buf until it holds spillChunk bytes, then
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
	ix.told = inOrder(cfg.URLs)
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
	slot := ix.slot(d.URL)
	for g, part := range tz.parts {
		if len(part) > 0 && ix.err == nil {
			ix.err = ix.spill[g].add(slot, part)
		}
	}
	return ix.err
}

// slot returns the spill number of the page at url (ix.mu held).
func (ix *Index) slot(url string) int32 {
	if i, ok := slices.BinarySearch(ix.told, url); ok {
		return int32(i)
	}
	n, ok := ix.extraN[url]
	if !ok {
		n = int32(len(ix.told) + len(ix.extra))
		ix.extra = append(ix.extra, url)
		if ix.extraN == nil {
			ix.extraN = map[string]int32{}
		}
		ix.extraN[url] = n
	}
	return n
}

// slotURL returns the URL of the page whose spill number is n.
func (ix *Index) slotURL(n uint64) (string, bool) {
	if n < uint64(len(ix.told)) {
		return ix.told[n], true
	}
	if n -= uint64(len(ix.told)); n < uint64(len(ix.extra)) {
		return ix.extra[n], true
	}
	return "", false
}

// inOrder returns urls in order, without repeats: urls itself when it
// is (a build lists its pages in order, and this is cheaper than a map).
func inOrder(urls []string) []string {
	for i := 1; i < len(urls); i++ {
		if urls[i-1] >= urls[i] {
			return slices.Compact(slices.Sorted(slices.Values(urls)))
		}
	}
	return urls
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

func (s *spill) add(slot int32, part []byte) error {
	s.buf = binary.AppendUvarint(s.buf, uint64(slot))
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

// record is one page's entries in a group: id is the page's number in
// the index being written (for a cached page not kept, its number in the
// cache).
type record struct {
	id   int32
	data []byte
}

// pageNumbers turn the numbers records carry into the pages' numbers in
// the index being written (-1: a page not in it).
type pageNumbers struct {
	cached []int32 // by number in the cache's Heads: -1 for a page not kept
	spill  []int32 // by spill number
	same   bool    // every spill number is the page's number in the index
	pages  int     // the pages of the index
}

// numbers maps records' numbers to the index's (ids: URL → page number).
func (ix *Index) numbers(ids map[string]int32) pageNumbers {
	slots := len(ix.told) + len(ix.extra)
	n := pageNumbers{spill: make([]int32, slots), same: slots == len(ids), pages: len(ids)}
	for i := range slots {
		u, _ := ix.slotURL(uint64(i))
		id, ok := ids[u]
		if !ok {
			id = -1
		}
		n.spill[i] = id
		n.same = n.same && id == int32(i)
	}
	if ix.old != nil {
		n.cached = make([]int32, len(ix.old.Heads))
		for i, h := range ix.old.Heads {
			n.cached[i] = -1
			if ix.kept[h.URL] {
				n.cached[i] = ids[h.URL]
			}
		}
	}
	return n
}

// readRecords reads records, numbered for the index by nums.
func readRecords(b []byte, into []record, nums []int32) ([]record, error) {
	into, _, err := splitRecords(b, into, nil, nums)
	return into, err
}

// groupRecords gathers group g's records into w.recs, in no set order:
// the spilled ones and, for the pages kept, the cached ones. spilledOnly
// says that the spill file holds them all; w.unchanged, that the group is
// the old one.
func (ix *Index) groupRecords(g int, nums *pageNumbers, w *groupWork) (spilledOnly bool, err error) {
	recs := w.recs[:0]
	w.replaced = w.replaced[:0]
	if ix.old != nil && len(ix.kept) > 0 && ix.old.Groups[g].File != "" {
		w.cached, err = readInto(w.cached, filepath.Join(ix.cache, ix.old.Groups[g].File))
		if err != nil {
			return false, fmt.Errorf("search index: the cache lost a file (%w); delete %s and build again", err, ix.cache)
		}
		if recs, w.replaced, err = splitRecords(w.cached, recs, w.replaced, nums.cached); err != nil {
			return false, fmt.Errorf("search index: the cache file %s is damaged; delete %s and build again", ix.old.Groups[g].File, ix.cache)
		}
	}
	spilledOnly = len(recs) == 0
	w.spilled, err = ix.spillOf(g).contents(w.spilled)
	if err != nil {
		return false, fmt.Errorf("search index: %w", err)
	}
	kept := len(recs)
	if recs, err = readRecords(w.spilled, recs, nums.spill); err != nil {
		return false, fmt.Errorf("search index: spilled entries: %w", err)
	}
	w.unchanged = ix.samePages && kept > 0 && sameRecords(w.replaced, recs[kept:])
	w.recs = recs
	return spilledOnly, nil
}

// splitRecords reads the records of b, whose numbers nums maps to the
// index's: a page of the index goes to kept, numbered for it, another to
// replaced, with the number it carries.
func splitRecords(b []byte, kept, replaced []record, nums []int32) ([]record, []record, error) {
	r := pageReader{b: b}
	for len(r.b) > 0 {
		n := r.uvarint()
		rc := record{data: r.bytes()}
		if r.bad || n >= uint64(len(nums)) {
			return kept, replaced, errors.New("damaged records")
		}
		if id := nums[n]; id >= 0 {
			rc.id = id
			kept = append(kept, rc)
		} else {
			rc.id = int32(n)
			replaced = append(replaced, rc)
		}
	}
	return kept, replaced, nil
}

// inPageOrder sorts w.recs by page (of pages) and reports whether no
// two were of one page.
func (w *groupWork) inPageOrder(pages int) bool {
	w.byPage = slices.Grow(w.byPage[:0], pages)[:pages]
	clear(w.byPage)
	for _, rc := range w.recs {
		w.byPage[rc.id] = rc
	}
	n := len(w.recs)
	recs := w.recs[:0]
	for _, rc := range w.byPage {
		if rc.data != nil {
			recs = append(recs, rc)
		}
	}
	w.recs = recs
	return n == len(recs)
}

// sameRecords reports whether the pages added again have the entries
// they had (as many records, each the same bytes). It is asked only when
// the pages are the old ones, so a page has one number in both.
func sameRecords(old, added []record) bool {
	if len(old) != len(added) {
		return false
	}
	byID := make(map[int32][]byte, len(added))
	for _, rc := range added {
		byID[rc.id] = rc.data
	}
	for _, rc := range old {
		d, ok := byID[rc.id]
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
