package search

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// DocsPerBlock is how many pages' URL, title and topics share one file.
const DocsPerBlock = 16

// A File is one file of the index, its path under the output root.
type File struct {
	Path string
	Data []byte
}

// Meta is search/meta.json.
type Meta struct {
	Version int      `json:"v"`
	Shards  int      `json:"shards"` // key shards
	Groups  int      `json:"groups"` // shard n is in group n % groups
	Pages   int      `json:"pages"`
	Block   int      `json:"block"` // pages per docs file
	Bases   [2]int   `json:"bases"` // HeadingBase, BodyBase
	G       []string `json:"g"`     // each group's folder, under search/g/ ("": empty)
	D       []string `json:"d"`     // each docs file's name, under search/d/
}

// A Sink receives the index's files: Write writes one and returns its
// hash (hex SHA-256); Keep keeps a file the output already holds with
// that hash, and reports whether it could; Release undoes a Keep (a
// group is kept whole or written whole: when one of its files is gone
// from the output, the others are released and the group written). All
// are called from several goroutines; the data passed to Write is valid
// during the call only.
type Sink interface {
	Write(path string, data []byte) (hash string, err error)
	Keep(path, hash string) bool
	Release(path string)
}

// Write writes the index: for each group whose entries changed, its key
// shards and positions file; the docs files; meta.json. Pages are
// numbered in URL order, so the same pages give the same bytes. It
// returns the ID of the cache it leaves, for the next build's Config.
func (ix *Index) Write(out Sink) (string, error) {
	ix.waitCache()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.err != nil {
		return "", ix.err
	}
	heads := ix.pages()
	ix.samePages = ix.old != nil && slices.EqualFunc(heads, ix.old.Heads, func(a, b pageHead) bool { return a.URL == b.URL })
	ids := make(map[string]int32, len(heads))
	for i, h := range heads {
		ids[h.URL] = int32(i)
	}
	nums := ix.numbers(ids)
	gone := ix.gone()
	rows := ix.planRows(gone, len(heads))
	groups := make([]cachedGroup, ix.groups)
	errs := make([]error, ix.groups)
	var wg sync.WaitGroup
	work := make(chan int)
	for range min(ix.groups, max(1, runtime.GOMAXPROCS(0))) {
		wg.Go(func() {
			w := &groupWork{keys: groupKeys{tab: newKeyTable()}} // this worker's, group after group
			for g := range work {
				groups[g], errs[g] = ix.writeGroup(g, &nums, rows, out, w)
			}
		})
	}
	for g := range groups {
		work <- g
	}
	close(work)
	wg.Wait()
	err := errors.Join(errs...)
	if err == nil {
		err = writeDocs(out, groups, heads, ix.shards)
	}
	if err != nil {
		rows.drop()
		return "", err
	}
	return ix.saveCache(groups, heads, rows)
}

// writeGroup writes group g's files unless the output holds them as the
// last build wrote them from the same entries.
func (ix *Index) writeGroup(g int, nums *pageNumbers, rows *rowPlan, out Sink, w *groupWork) (cachedGroup, error) {
	// A group in which the pages added again have the rows they had is
	// the old one: its cache file is not even read.
	if rows.fast && rows.sameRows(g, ix, w) && keepAll(out, ix.old.Groups[g].Out) {
		return ix.old.Groups[g], nil
	}
	spilledOnly, err := ix.groupRecords(g, nums, w)
	if err != nil || len(w.recs) == 0 {
		return cachedGroup{}, err
	}
	// A group whose pages are the old ones, with the same entries, is
	// the old one: no need to order or hash it all to know (unless its
	// rows are written).
	if w.unchanged && rows.table == nil && keepAll(out, ix.old.Groups[g].Out) {
		return ix.old.Groups[g], nil
	}
	// The spill file becomes the cache file when it holds the group's
	// records, numbered as the index numbers the pages.
	spilledOnly = w.inPageOrder(nums.pages) && spilledOnly && nums.same
	recs := w.recs
	if len(recs) == 0 {
		return cachedGroup{}, nil
	}
	if err := rows.writeColumn(g, recs, w); err != nil {
		return cachedGroup{}, fmt.Errorf("search index: %w", err)
	}
	if w.unchanged && keepAll(out, ix.old.Groups[g].Out) {
		return ix.old.Groups[g], nil
	}
	key := groupKey(ix.shards, ix.groups, recs)
	if ix.old != nil && ix.old.Groups[g].Key == key && keepAll(out, ix.old.Groups[g].Out) {
		return ix.old.Groups[g], nil
	}
	files, err := w.groupFiles(g, ix.shards)
	if err != nil {
		return cachedGroup{}, err
	}
	cg := cachedGroup{Key: key}
	for _, f := range files {
		p := "search/g/" + key[:12] + "/" + f.Path
		h, err := out.Write(p, f.Data)
		if err != nil {
			return cachedGroup{}, err
		}
		cg.Out = append(cg.Out, outFile{p, h})
	}
	cg.File, err = ix.writeCache(g, key, recs, spilledOnly)
	return cg, err
}

// gone returns the URLs of the cache's pages that are not kept: added
// again, or no longer in the index.
func (ix *Index) gone() []string {
	var gone []string
	if ix.old == nil {
		return gone
	}
	for _, h := range ix.old.Heads {
		if !ix.kept[h.URL] {
			gone = append(gone, h.URL)
		}
	}
	return gone
}

// keepAll keeps a group's files in the output, all of them or none.
func keepAll(out Sink, files []outFile) bool {
	for i, f := range files {
		if !out.Keep(f.Path, f.Hash) {
			for _, k := range files[:i] {
				out.Release(k.Path)
			}
			return false
		}
	}
	return true
}

// groupKey hashes what a group's files are made from.
func groupKey(shards, groups int, recs []record) string {
	h := sha256.New()
	var b []byte
	b = binary.AppendUvarint(b, uint64(shards))
	b = binary.AppendUvarint(b, uint64(groups))
	for _, rc := range recs {
		b = binary.AppendUvarint(b, uint64(rc.id))
		b = binary.AppendUvarint(b, uint64(len(rc.data)))
		h.Write(b)
		h.Write(rc.data)
		b = b[:0]
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// posting is one key's entry in one page: its data, at data[off:off+n]
// of the group's records, is its positions (as varint deltas), or the
// count of a character.
type posting struct {
	page, key int32
	off, n    uint32
}

// groupKeys are the distinct keys of a group, each with its shard and
// whether it is a character on its own.
type groupKeys struct {
	tab   keyTable
	shard []int32
	uni   []bool
}

func (gk *groupKeys) id(key []byte, flags byte, shards int) int32 {
	id := gk.tab.id(key)
	if int(id) == len(gk.shard) {
		gk.shard = append(gk.shard, int32(shardOf(key, shards)))
		gk.uni = append(gk.uni, flags&unigram != 0)
	}
	return id
}

func (gk *groupKeys) reset() {
	gk.tab.reset()
	gk.shard, gk.uni = gk.shard[:0], gk.uni[:0]
}

// groupFiles makes a group's files: its key shards (N.json) and its
// positions (pos.bin). Records come in page order; the postings are
// grouped by key keeping it (a counting sort), and the keys sorted by
// shard, then key.
func (w *groupWork) groupFiles(g int, shards int) ([]File, error) {
	if err := w.readPostings(g, w.recs, shards); err != nil {
		return nil, err
	}
	gk := &w.keys
	nkeys := gk.tab.len()
	w.start = slices.Grow(w.start[:0], nkeys+1)[:nkeys+1]
	clear(w.start)
	for _, p := range w.ps {
		w.start[p.key+1]++
	}
	for i := 1; i < len(w.start); i++ {
		w.start[i] += w.start[i-1]
	}
	w.byKey = slices.Grow(w.byKey[:0], len(w.ps))[:len(w.ps)]
	w.next = append(w.next[:0], w.start[:nkeys]...)
	for i, p := range w.ps {
		w.byKey[w.next[p.key]] = int32(i)
		w.next[p.key]++
	}
	w.order = w.order[:0]
	for i := range nkeys {
		w.order = append(w.order, int32(i))
	}
	slices.SortFunc(w.order, func(a, b int32) int {
		return cmp.Or(cmp.Compare(gk.shard[a], gk.shard[b]), bytes.Compare(gk.tab.key(a), gk.tab.key(b)))
	})
	return w.encodeGroup(), nil
}

// groupWork is what making a group's files needs, kept for the next one.
type groupWork struct {
	cached, spilled           []byte // the files the records are read from
	recs, byPage, replaced    []record
	unchanged                 bool // the group's pages and entries are the old ones
	data                      []byte
	ps                        []posting
	keys                      groupKeys
	start, next, byKey, order []int32
	json, pos, plist          []byte // the files made
	column                    []byte // of the rows file (rows.go)
	files                     []File
}

// readPostings reads the records' entries: their data, copied into one
// buffer (w.data), and a posting for each (w.ps).
func (w *groupWork) readPostings(g int, recs []record, shards int) error {
	size := 0
	for _, rc := range recs {
		size += len(rc.data)
	}
	data := slices.Grow(w.data[:0], size)
	ps := w.ps[:0]
	gk := &w.keys
	gk.reset()
	for _, rc := range recs {
		r := pageReader{b: rc.data}
		for len(r.b) > 0 && !r.bad {
			key := r.bytes()
			flags := r.byte()
			var d []byte
			if flags&unigram != 0 {
				start := r.b
				r.uvarint()
				d = start[:len(start)-len(r.b)]
			} else {
				d = r.bytes()
			}
			ps = append(ps, posting{page: rc.id, key: gk.id(key, flags, shards), off: uint32(len(data)), n: uint32(len(d))<<3 | uint32(flags&7)})
			data = append(data, d...)
		}
		if r.bad {
			return fmt.Errorf("search index: group %d: page %d: damaged entries", g, rc.id)
		}
	}
	w.data, w.ps = data, ps
	return nil
}

// encodeGroup writes the postings of the keys, in order, as key shards
// and positions (in w's buffers: written before w makes another group).
func (w *groupWork) encodeGroup() []File {
	gk := &w.keys
	w.files, w.json, w.pos = w.files[:0], w.json[:0], w.pos[:0]
	from := 0
	for i, k := range w.order {
		off := -1
		if !gk.uni[k] {
			off = len(w.pos)
		}
		plist := w.plist[:0]
		last := int32(-1)
		for _, pi := range w.byKey[w.start[k]:w.start[k+1]] {
			p := w.ps[pi]
			d := w.data[p.off : p.off+p.n>>3]
			plist = binary.AppendUvarint(plist, uint64(p.page-last))
			last = p.page
			if gk.uni[k] {
				v, _ := binary.Uvarint(d)
				plist = binary.AppendUvarint(plist, v<<3|uint64(p.n&7))
				continue
			}
			plist = binary.AppendUvarint(plist, uint64(len(d))<<3|uint64(p.n&7))
			w.pos = append(w.pos, d...)
		}
		w.plist = plist
		b := w.json
		if len(b) == from {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		b = appendJSONString(b, gk.tab.key(k))
		b = append(b, ":["...)
		b = strconv.AppendInt(b, int64(off), 10)
		b = append(b, ',', '"')
		b = base64.RawStdEncoding.AppendEncode(b, plist)
		b = append(b, '"', ']')
		if i+1 == len(w.order) || gk.shard[w.order[i+1]] != gk.shard[k] {
			b = append(b, '}')
			w.files = append(w.files, File{strconv.Itoa(int(gk.shard[k])) + ".json", b[from:]})
			from = len(b)
		}
		w.json = b
	}
	return append(w.files, File{"pos.bin", w.pos})
}

// ShardKey is what decides a key's shard: the key itself for CJK, the
// first two runes of a word.
func ShardKey(key string) string {
	r, n := utf8.DecodeRuneInString(key)
	if IsCJK(r) {
		return key
	}
	if n < len(key) {
		_, m := utf8.DecodeRuneInString(key[n:])
		return key[:n+m]
	}
	return key
}

// shardOf is Shard(ShardKey(key), n) for a key in bytes.
func shardOf(key []byte, n int) int {
	r, k := decodeRune(key)
	if !IsCJK(r) && k < len(key) {
		_, m := decodeRune(key[k:])
		key = key[:k+m]
	}
	h := uint32(2166136261)
	for _, c := range key {
		h ^= uint32(c)
		h *= 16777619
	}
	return int(h % uint32(n))
}

// Shard is the shard of a key among n.
func Shard(key string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}

// writeDocs writes the pages' URL, title and topics, DocsPerBlock pages
// a file (d/HASH.json), and meta.json, which names them and the groups.
func writeDocs(out Sink, groups []cachedGroup, heads []pageHead, shards int) error {
	m := Meta{Version: 2, Shards: shards, Groups: len(groups), Pages: len(heads), Block: DocsPerBlock,
		Bases: [2]int{HeadingBase, BodyBase}, G: make([]string, len(groups)), D: []string{}}
	for i, g := range groups {
		if g.Key != "" {
			m.G[i] = g.Key[:12]
		}
	}
	for i := 0; i < len(heads); i += DocsPerBlock {
		var block [][]any
		for _, h := range heads[i:min(i+DocsPerBlock, len(heads))] {
			topics := h.Topics
			if topics == nil {
				topics = []string{}
			}
			block = append(block, []any{h.URL, h.Title, topics})
		}
		b := jsonBytes(block)
		sum := sha256.Sum256(b)
		name := hex.EncodeToString(sum[:])[:12]
		if _, err := out.Write("search/d/"+name+".json", b); err != nil {
			return err
		}
		m.D = append(m.D, name)
	}
	_, err := out.Write("search/meta.json", jsonBytes(m))
	return err
}

// appendJSONString appends s as a JSON string.
func appendJSONString[S ~string | ~[]byte](b []byte, s S) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func jsonBytes(v any) []byte {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(v) // maps of strings and numbers always encode
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
