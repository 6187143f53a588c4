// Package search writes the site's search index: what the theme's search
// box and /search/ page read, in the reader's browser, with no server and
// no third-party request.
//
// # What is indexed
//
// Every published article and chapter (never a draft): its title, its
// topics, its headings and the text of its body (code blocks too, unless
// search: {code: false} in kiji.yaml). Formulas, SVG, scripts and
// whatever is aria-hidden are left out.
//
// # How text matches
//
// Text and queries are normalised alike (see Normalize: NFKC, lower
// case, white space folded; hiragana and katakana kept apart). Then:
//
//   - Japanese, Chinese and Korean are indexed by character: each CJK
//     character starts one overlapping bigram ("日本語" → 日本 本語 語$),
//     stored with its position. A query of two or more CJK characters
//     finds exactly the pages whose normalised text contains it: the
//     bigrams must sit at consecutive positions, so a page that holds
//     "コンテナ" and "運用" apart does not match "コンテナの運用". A
//     one-character query looks the character up on its own.
//   - Latin words and numbers are indexed as words; the last word of a
//     query matches as a prefix ("kube" finds "kubernetes"), and the
//     words of one term must follow each other ("main.go" is the word
//     "main" then a word starting with "go"). A word matches from its
//     start only: "netes" does not find "kubernetes".
//   - Terms separated by spaces must all match (AND), each anywhere.
//
// Ranking: a page with a match in its title comes first, then one with
// a match in a heading or a topic, then the body; within each, more
// matches first, then an earlier one.
//
// # The files (under search/ in the output)
//
//	search/index.html          the search page (theme template "search")
//	search/meta.json           the current index: the shard and group
//	                           counts, each group's folder and each docs
//	                           file's name
//	search/g/HASH/N.json       key shard N: for each key (a bigram, a
//	                           character or a word) its offset in the
//	                           group's pos.bin and its pages, as base64
//	                           varints: page delta, then positions length
//	                           (or count) << 3 | fields
//	search/g/HASH/pos.bin      the positions of the group's keys in every
//	                           page, varint deltas; read with HTTP Range
//	                           requests, only for the pages being checked
//	search/d/HASH.json         URL, title and topics of 16 pages
//
// A key goes to the shard FNV-1a(shard key) mod shards, where the shard
// key is the key itself for CJK and the first two letters of a word (so
// a prefix of two letters or more reads one shard); shard N is in group
// N mod groups (ShardsPerGroup shards a group). The number of shards
// follows the number of pages (a shard holds about 16 KB of postings). A
// query reads meta.json, the shards of its keys, the byte ranges of the
// pos.bin files it must check, and the docs files of the results it
// shows. Every name but meta.json's is a hash of the content, so a
// browser never mixes two builds' files.
//
// # Cost
//
// A page is tokenised when it is rendered (in parallel, from its HTML,
// in one pass: its blocks' text normalised into one buffer, its keys
// numbered by a hash table, both reused from page to page, so that a
// page allocates nothing), and its entries are spilled, group by group, to files in
// the build's cache folder (search/): the index is never whole in memory.
// Writing the index reads one group at a time, groups its postings by key
// with a counting sort and writes the group's files; the spilled file
// becomes the group's cache file. The next build renders only the pages
// that changed: the others keep their entries in the cache, and a group
// none of whose entries changed is not written again (an edit that keeps
// the number of words of the text changes only the groups of the keys it
// touches). A digest of each page's entries in each group (rows.go) tells
// which groups a page or two added again changed, so the others are not
// even read. See scripts/searchbench.sh for figures.
package search

import (
	"encoding/binary"
	"slices"
	"unicode/utf8"
)

// Options say what the index holds.
type Options struct {
	// Code indexes the text of code blocks (<pre>).
	Code bool
}

// Doc is one page to index.
type Doc struct {
	URL    string // the page's path under the site root: "articles/x/"
	Title  string
	Topics []string
	Body   []byte // the body as rendered HTML
}

// Position bases: a position below HeadingBase is in the title, one below
// BodyBase in a topic or heading, the rest in the body.
const (
	HeadingBase = 256
	BodyBase    = 4096
)

// Field flags of a key in a page.
const (
	inTitle   = 1
	inHeading = 2
	inBody    = 4
	unigram   = 8 // a character on its own: counted, no positions
)

// tokenizer gathers a page's tokens: each distinct key once, and every
// occurrence as (key number, position), grouped by key when encoded. One
// is reused from page to page (Index.tokenizer), with its tables and
// slices: once grown, tokenising a page allocates nothing.
type tokenizer struct {
	scan  blockScanner // the page's text
	spans []tokSpan    // a block's tokens
	run   []byte       // a key that ends a CJK run ("語$")
	keys  keyTable
	flags []byte // by key
	occ   []occurrence
	// encoding
	start, next []int32
	pos         []uint32
	chars       charTable // CJK characters on their own
	uni         []uni     // by character, in the order they first come
	parts       [][]byte  // the page's entries, by group
}

type occurrence struct {
	key int32
	pos uint32
}

type uni struct {
	char  rune
	flags byte
	count int
}

// charTable numbers a page's CJK characters: a character of the Basic
// Multilingual Plane (almost all) by its code point, through an array
// (a look-up reads one slot, with no hash), the others in a keyTable.
// Like keyTable, reset empties it in constant time.
type charTable struct {
	stamp uint32
	slots []charSlot // by code point below 0x10000
	far   keyTable   // the others
	farID []int32    // far's number → the character's
}

type charSlot struct {
	stamp uint32
	id    int32
}

func (t *charTable) reset() {
	t.stamp++
	if t.stamp == 0 { // after 2^32 resets: no slot may look used
		clear(t.slots)
		t.stamp = 1
	}
	t.far.reset()
	t.farID = t.farID[:0]
}

// id returns the number of c (the UTF-8 of r), or next when c is new.
func (t *charTable) id(r rune, c []byte, next int32) int32 {
	if r < 0x10000 {
		if t.slots == nil {
			t.slots = make([]charSlot, 0x10000)
		}
		s := &t.slots[r]
		if s.stamp != t.stamp {
			*s = charSlot{t.stamp, next}
		}
		return s.id
	}
	i := t.far.id(c)
	if int(i) == len(t.farID) {
		t.farID = append(t.farID, next)
	}
	return t.farID[i]
}

func newTokenizer() *tokenizer {
	return &tokenizer{keys: newKeyTable(), chars: charTable{far: newKeyTable(), stamp: 1}}
}

func (tz *tokenizer) reset(groups int) {
	tz.keys.reset()
	tz.chars.reset()
	tz.flags, tz.occ, tz.uni = tz.flags[:0], tz.occ[:0], tz.uni[:0]
	if cap(tz.parts) < groups {
		tz.parts = make([][]byte, groups)
	}
	tz.parts = tz.parts[:groups]
	for i := range tz.parts {
		tz.parts[i] = tz.parts[i][:0]
	}
}

// add adds the tokens of text (tz.spans).
func (tz *tokenizer) add(text []byte, flag byte) {
	for _, t := range tz.spans {
		key := text[t.off:t.end]
		if t.runEnd {
			tz.run = append(append(tz.run[:0], key...), runEnd)
			key = tz.run
		}
		id := tz.keys.id(key)
		if int(id) == len(tz.flags) {
			tz.flags = append(tz.flags, 0)
		}
		tz.flags[id] |= flag
		tz.occ = append(tz.occ, occurrence{id, t.pos})
	}
}

// read tokenises a page's text, block by block, in the order of Text.
func (tz *tokenizer) read(d Doc, opts Options) {
	sc := &tz.scan
	sc.scan(d.Body, opts.Code)
	body := len(sc.spans)
	sc.cur = append(sc.cur[:0], d.Title...) // (no []byte to allocate)
	sc.add(Title, sc.cur, true)             // empty, a block all the same
	for _, t := range d.Topics {
		sc.cur = append(sc.cur[:0], t...)
		sc.add(Heading, sc.cur, true)
	}
	pos := uint32(0)
	tz.block(sc.spans[body], &pos) // the title
	for _, b := range sc.spans[body+1:] {
		tz.block(b, &pos) // the topics
	}
	for _, b := range sc.spans[:body] {
		if b.field == Heading {
			tz.block(b, &pos)
		}
	}
	for _, b := range sc.spans[:body] {
		if b.field == Body {
			tz.block(b, &pos)
		}
	}
}

// block tokenises one block from position *pos, and moves *pos past it.
func (tz *tokenizer) block(b blockSpan, pos *uint32) {
	flag := byte(inBody)
	switch b.field {
	case Title:
		flag = inTitle
	case Heading:
		flag = inHeading
		*pos = max(*pos, HeadingBase)
	case Body:
		*pos = max(*pos, BodyBase)
	}
	text := tz.scan.text[b.off:b.end]
	tz.spans, *pos = tokenSpans(text, *pos, tz.spans[:0])
	tz.add(text, flag)
	*pos++
}

// Text is the normalised text of a page as the index reads it, block by
// block: the title, each topic and each heading (Heading), then the body.
// A query of CJK characters matches a page exactly when one of its blocks
// contains it.
func Text(d Doc, opts Options) []Block {
	out := []Block{{Title, Normalize(d.Title)}}
	for _, t := range d.Topics {
		out = append(out, Block{Heading, Normalize(t)})
	}
	blocks := Blocks(d.Body, opts.Code)
	for _, b := range blocks {
		if b.Field == Heading {
			out = append(out, b)
		}
	}
	for _, b := range blocks {
		if b.Field == Body {
			out = append(out, b)
		}
	}
	return out
}

// encode writes a page's entries into tz.parts, each in the part of its
// key's group: for each key its flags and positions (as varint deltas),
// and for each CJK character its flags and count (a character occurs
// wherever a bigram starts with it). Keys come in the order they first
// occur, so the same page gives the same bytes.
func (tz *tokenizer) encode(shards, groups int) {
	tz.groupOccurrences()
	for id := range int32(tz.keys.len()) {
		name := tz.keys.key(id)
		ps := tz.pos[tz.start[id]:tz.start[id+1]]
		if r, n := decodeRune(name); IsCJK(r) {
			tz.countChar(r, name[:n], tz.flags[id], len(ps))
		}
		g := shardOf(name, shards) % groups
		b := appendBytes(tz.parts[g], name)
		b = append(b, tz.flags[id])
		size := 0
		last := uint32(0)
		for _, p := range ps {
			size += uvarintLen(uint64(p - last))
			last = p
		}
		b = binary.AppendUvarint(b, uint64(size))
		last = 0
		for _, p := range ps {
			b = binary.AppendUvarint(b, uint64(p-last))
			last = p
		}
		tz.parts[g] = b
	}
	var buf [utf8.UTFMax]byte
	for _, u := range tz.uni {
		c := utf8.AppendRune(buf[:0], u.char)
		g := shardOf(c, shards) % groups
		b := appendBytes(tz.parts[g], c)
		b = append(b, u.flags|unigram)
		tz.parts[g] = binary.AppendUvarint(b, uint64(u.count))
	}
}

// groupOccurrences sorts the occurrences by key (a counting sort, so
// that positions stay in order): key i's are tz.pos[start[i]:start[i+1]].
func (tz *tokenizer) groupOccurrences() {
	n := tz.keys.len()
	tz.start = slices.Grow(tz.start[:0], n+1)[:n+1]
	clear(tz.start)
	for _, o := range tz.occ {
		tz.start[o.key+1]++
	}
	for i := 1; i < len(tz.start); i++ {
		tz.start[i] += tz.start[i-1]
	}
	tz.next = append(tz.next[:0], tz.start[:n]...)
	tz.pos = slices.Grow(tz.pos[:0], len(tz.occ))[:len(tz.occ)]
	for _, o := range tz.occ {
		tz.pos[tz.next[o.key]] = o.pos
		tz.next[o.key]++
	}
}

func (tz *tokenizer) countChar(r rune, c []byte, flags byte, count int) {
	i := tz.chars.id(r, c, int32(len(tz.uni)))
	if int(i) == len(tz.uni) {
		tz.uni = append(tz.uni, uni{char: r})
	}
	tz.uni[i].flags |= flags
	tz.uni[i].count += count
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func appendBytes(b []byte, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// pageReader reads what encode and the index's files wrote; a short or
// damaged input (a cache file cut off) reads as bad.
type pageReader struct {
	b   []byte
	bad bool
}

func (r *pageReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *pageReader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.bad, r.b = true, nil
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *pageReader) byte() byte {
	if len(r.b) == 0 {
		r.bad = true
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}
