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
//	search/index.html         the search page (theme template "search")
//	search/meta.json          the current index: its folder, shard count
//	search/HASH/k/N.json      key shards: for each key (a bigram, a
//	                          character or a word) its pages, as base64
//	                          varints: page delta, then positions length
//	                          (or count) << 3 | fields
//	search/HASH/pos.bin       the positions of every key in every page,
//	                          varint deltas; read with HTTP Range requests,
//	                          only for the pages being checked
//	search/HASH/d/N.json      URL, title and topics of 64 pages each
//
// A key goes to the shard FNV-1a(shard key) mod shards, where the shard
// key is the key itself for CJK and the first two letters of a word (so
// a prefix of two letters or more reads one shard). A query reads
// meta.json, the shards of its keys, the byte ranges of pos.bin it must
// check, and the page lists of the results it shows. HASH changes with
// the content, so a browser never mixes two builds' files.
//
// # Cost
//
// Tokenising happens while each page is rendered (in parallel), and what
// it produces is kept in the build cache: an unchanged page is not read
// again. Writing the index merges the pages' tokens; see the benchmark in
// scripts/searchbench.sh for figures.
package search

import (
	"encoding/binary"
	"slices"
	"strings"
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

// pageTokens gathers a page's tokens: each distinct key once, and every
// occurrence as (key index, position), grouped by key when encoded.
type pageTokens struct {
	ids   map[string]int32
	keys  []string
	flags []byte
	occ   []occurrence
}

type occurrence struct {
	key int32
	pos uint32
}

func (pt *pageTokens) add(toks []token, flag byte) {
	for _, t := range toks {
		id, ok := pt.ids[t.key]
		if !ok {
			id = int32(len(pt.keys))
			pt.ids[t.key] = id
			pt.keys = append(pt.keys, t.key)
			pt.flags = append(pt.flags, 0)
		}
		pt.flags[id] |= flag
		pt.occ = append(pt.occ, occurrence{id, t.pos})
	}
}

// Tokens reads a page into the form the index is made from (and the
// build cache keeps): its URL, title and topics, and for each key the
// fields it occurs in and its positions.
func Tokens(d Doc, opts Options) []byte {
	pt := pageTokens{ids: make(map[string]int32, 1024)}
	var toks []token
	pos := uint32(0)
	for _, b := range Text(d, opts) {
		flag := byte(inBody)
		switch b.Field {
		case Title:
			flag = inTitle
		case Heading:
			flag = inHeading
			pos = max(pos, HeadingBase)
		case Body:
			pos = max(pos, BodyBase)
		}
		toks, pos = tokenize(b.Text, pos, toks[:0])
		pt.add(toks, flag)
		pos++
	}
	return pt.encode(d)
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

// encode writes a page's tokens: URL, title and topics, then for each
// key its flags and positions (as varint deltas), and for each CJK
// character its flags and count (a character occurs wherever a bigram
// starts with it).
func (pt *pageTokens) encode(d Doc) []byte {
	// Group the occurrences by key (counting sort: positions stay in order).
	start := make([]int32, len(pt.keys)+1)
	for _, o := range pt.occ {
		start[o.key+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	pos := make([]uint32, len(pt.occ))
	next := slices.Clone(start[:len(pt.keys)])
	for _, o := range pt.occ {
		pos[next[o.key]] = o.pos
		next[o.key]++
	}
	type uni struct {
		flags byte
		count int
	}
	unis := map[string]uni{}
	b := make([]byte, 0, 64+len(pt.keys)*8+len(pt.occ)*2)
	b = appendString(b, d.URL)
	b = appendString(b, d.Title)
	b = binary.AppendUvarint(b, uint64(len(d.Topics)))
	for _, t := range d.Topics {
		b = appendString(b, t)
	}
	b = binary.AppendUvarint(b, uint64(len(pt.keys)))
	var deltas []byte
	for id, name := range pt.keys {
		ps := pos[start[id]:start[id+1]]
		if r, n := utf8.DecodeRuneInString(name); IsCJK(r) {
			u := unis[name[:n]]
			unis[name[:n]] = uni{u.flags | pt.flags[id], u.count + len(ps)}
		}
		b = appendString(b, name)
		b = append(b, pt.flags[id])
		deltas = deltas[:0]
		last := uint32(0)
		for _, p := range ps {
			deltas = binary.AppendUvarint(deltas, uint64(p-last))
			last = p
		}
		b = binary.AppendUvarint(b, uint64(len(deltas)))
		b = append(b, deltas...)
	}
	b = binary.AppendUvarint(b, uint64(len(unis)))
	for c, u := range unis {
		b = appendString(b, c)
		b = append(b, u.flags|unigram)
		b = binary.AppendUvarint(b, uint64(u.count))
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// pageReader reads what encodePage wrote; a short or damaged input
// (a cache file cut off) reads as empty.
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

// pageHead is a page's URL, title and topics.
type pageHead struct {
	URL, Title string
	Topics     []string
}

func (r *pageReader) head() pageHead {
	h := pageHead{URL: string(r.bytes()), Title: string(r.bytes())}
	n := r.uvarint()
	for i := uint64(0); i < n && !r.bad; i++ {
		h.Topics = append(h.Topics, string(r.bytes()))
	}
	return h
}

// PageURL returns the URL a page's tokens were made for ("" if they
// cannot be read).
func PageURL(tokens []byte) string {
	r := pageReader{b: tokens}
	u := string(r.bytes())
	if r.bad {
		return ""
	}
	return strings.Clone(u)
}
