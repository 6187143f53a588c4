package search

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// DocsPerBlock is how many pages' URL, title and topics share one file.
const DocsPerBlock = 64

// A File is one file of the index, its path under the output root.
type File struct {
	Path string
	Data []byte
}

// Index collects the pages of a site; Add may be called from many
// goroutines.
type Index struct {
	mu    sync.Mutex
	pages [][]byte
}

// Add adds a page, as Tokens encoded it.
func (ix *Index) Add(tokens []byte) {
	ix.mu.Lock()
	ix.pages = append(ix.pages, tokens)
	ix.mu.Unlock()
}

// Len is the number of pages added.
func (ix *Index) Len() int {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return len(ix.pages)
}

// keyAcc gathers one key's postings over all pages, in page order.
type keyAcc struct {
	plist []byte // page delta, len<<3|fields (or count<<3|fields)
	pos   []byte // positions, page after page
	last  int    // last page, -1 before the first
	uni   bool
}

// Meta is search/meta.json.
type Meta struct {
	Version int    `json:"v"`
	Dir     string `json:"dir"`    // the folder of this index, under search/
	Shards  int    `json:"shards"` // key shards
	Pages   int    `json:"pages"`
	Block   int    `json:"block"` // pages per docs file
	Bases   [2]int `json:"bases"` // HeadingBase, BodyBase
}

// Files writes the index: meta.json, the key shards, pos.bin and the
// docs files, all under search/. Pages are numbered in URL order, so the
// same pages give the same bytes.
func (ix *Index) Files() ([]File, error) {
	ix.mu.Lock()
	pages := slices.Clone(ix.pages)
	ix.mu.Unlock()
	heads := make([]pageHead, 0, len(pages))
	type page struct {
		head pageHead
		rest []byte
	}
	ps := make([]page, 0, len(pages))
	for _, t := range pages {
		r := pageReader{b: t}
		h := r.head()
		if r.bad || h.URL == "" {
			continue
		}
		ps = append(ps, page{h, r.b})
	}
	slices.SortFunc(ps, func(a, b page) int { return strings.Compare(a.head.URL, b.head.URL) })
	ps = slices.CompactFunc(ps, func(a, b page) bool { return a.head.URL == b.head.URL })
	accs := map[string]*keyAcc{}
	for i, p := range ps {
		heads = append(heads, p.head)
		if err := mergePage(accs, i, p.rest); err != nil {
			return nil, fmt.Errorf("search index: page %s: %w", p.head.URL, err)
		}
	}
	return writeFiles(accs, heads)
}

// mergePage appends page i's postings to accs.
func mergePage(accs map[string]*keyAcc, i int, b []byte) error {
	r := pageReader{b: b}
	n := r.uvarint() // keys with positions
	for j := uint64(0); j < n && !r.bad; j++ {
		key := r.bytes()
		flags := r.byte()
		a := accs[string(key)]
		if a == nil {
			a = &keyAcc{last: -1, uni: flags&unigram != 0}
			accs[string(key)] = a
		}
		a.plist = binary.AppendUvarint(a.plist, uint64(i-a.last))
		a.last = i
		if flags&unigram != 0 {
			a.plist = binary.AppendUvarint(a.plist, r.uvarint()<<3|uint64(flags&7))
			continue
		}
		pos := r.bytes()
		a.plist = binary.AppendUvarint(a.plist, uint64(len(pos))<<3|uint64(flags&7))
		a.pos = append(a.pos, pos...)
	}
	n = r.uvarint() // characters
	for j := uint64(0); j < n && !r.bad; j++ {
		key := r.bytes()
		flags := r.byte()
		a := accs[string(key)]
		if a == nil {
			a = &keyAcc{last: -1, uni: true}
			accs[string(key)] = a
		}
		a.plist = binary.AppendUvarint(a.plist, uint64(i-a.last))
		a.last = i
		a.plist = binary.AppendUvarint(a.plist, r.uvarint()<<3|uint64(flags&7))
	}
	if r.bad {
		return fmt.Errorf("its cached tokens are damaged; delete .kiji-cache and build again")
	}
	return nil
}

// shardCount picks a power of two that keeps the key shards near 16 KB
// of postings each.
func shardCount(total int) int {
	n := 1
	for n < 4096 && total/n > 16<<10 {
		n *= 2
	}
	return n
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

// Shard is the shard of a key among n.
func Shard(key string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}

func writeFiles(accs map[string]*keyAcc, heads []pageHead) ([]File, error) {
	keys := make([]string, 0, len(accs))
	total := 0
	for k, a := range accs {
		keys = append(keys, k)
		total += len(a.plist)
	}
	n := shardCount(total)
	shardOf := make(map[string]int, len(keys))
	for _, k := range keys {
		shardOf[k] = Shard(ShardKey(k), n)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := shardOf[a] - shardOf[b]; c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	var pos bytes.Buffer
	shards := make([][]byte, n)
	for _, k := range keys {
		a := accs[k]
		off := -1
		if !a.uni {
			off = pos.Len()
			pos.Write(a.pos)
		}
		s := shardOf[k]
		b := shards[s]
		if b == nil {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ":["...)
		b = strconv.AppendInt(b, int64(off), 10)
		b = append(b, ',', '"')
		b = base64.RawStdEncoding.AppendEncode(b, a.plist)
		shards[s] = append(b, '"', ']')
	}
	var files []File
	for i, s := range shards {
		if s == nil {
			continue
		}
		files = append(files, File{"k/" + strconv.Itoa(i) + ".json", append(s, '}')})
	}
	files = append(files, File{"pos.bin", pos.Bytes()})
	files = append(files, docFiles(heads)...)
	return withMeta(files, n, len(heads)), nil
}

// docFiles writes the pages' URL, title and topics, DocsPerBlock pages a
// file (d/N.json).
func docFiles(heads []pageHead) []File {
	var files []File
	for i := 0; i < len(heads); i += DocsPerBlock {
		var block [][]any
		for _, h := range heads[i:min(i+DocsPerBlock, len(heads))] {
			topics := h.Topics
			if topics == nil {
				topics = []string{}
			}
			block = append(block, []any{h.URL, h.Title, topics})
		}
		files = append(files, File{fmt.Sprintf("d/%d.json", i/DocsPerBlock), jsonBytes(block)})
	}
	return files
}

// withMeta puts the files in a folder named by their hash, and adds
// meta.json, which names it.
func withMeta(files []File, shards, pages int) []File {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s %d\n", f.Path, len(f.Data))
		h.Write(f.Data)
	}
	dir := hex.EncodeToString(h.Sum(nil))[:12] + "/"
	for i := range files {
		files[i].Path = "search/" + dir + files[i].Path
	}
	m := Meta{Version: 1, Dir: dir, Shards: shards, Pages: pages, Block: DocsPerBlock, Bases: [2]int{HeadingBase, BodyBase}}
	return append(files, File{"search/meta.json", jsonBytes(m)})
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
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
