package build

import (
	"encoding/binary"
	"errors"
	"sort"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/markdown"
)

// The payload of state.gob (see cache.go) is written by hand, as the
// journal is: unsigned varints and length-prefixed strings, no
// reflection. A rebuild of a site of 10,000 articles decodes it in a
// tenth of the time gob took; the strings it reads are parts of the
// file's bytes, never copies.
//
//	count, then per article: path, entry
//	count, then per output file (list pages, feeds, images): path, key,
//	  output hash, links (or none)
//	the link check's key, count, then per page with problems: path,
//	  problems; the links' targets (count, paths)
//	the search index's cache ID (package search keeps the pages' tokens)
//
// An entry is its key, output path, output hash, minutes, summary,
// problems, links and pages key.

var errState = errors.New("the cache file is damaged")

func appendInt(b []byte, v int) []byte { return binary.AppendVarint(b, int64(v)) }

func appendBool(b []byte, v bool) []byte {
	if v {
		return binary.AppendUvarint(b, 1)
	}
	return binary.AppendUvarint(b, 0)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

func appendEntry(b []byte, e *articleEntry) []byte {
	b = appendString(b, e.Key)
	b = appendString(b, e.Rel)
	b = appendString(b, e.OutHash)
	b = appendInt(b, e.Minutes)
	b = appendString(b, e.Summary)
	b = appendProblems(b, e.Problems)
	b = appendLinks(b, &e.Links)
	return appendString(b, e.Pages)
}

func appendProblems(b []byte, ps []diag.Problem) []byte {
	b = binary.AppendUvarint(b, uint64(len(ps)))
	for _, p := range ps {
		b = appendString(b, p.File)
		b = appendInt(b, p.Line)
		b = appendInt(b, p.Col)
		b = appendInt(b, int(p.Severity))
		b = appendString(b, p.Rule)
		b = appendString(b, p.Msg)
	}
	return b
}

func appendLinks(b []byte, c *cachedLinks) []byte {
	if c.raw != nil {
		return append(b, c.raw...) // as read: never decoded
	}
	if c.Source == "" && c.memo != nil {
		return appendPageLinks(b, c.memo) // a page this build rendered
	}
	b = appendString(b, c.Source)
	b = appendString(b, c.Template)
	b = appendStrings(b, c.IDs)
	b = appendStrings(b, c.Attrs)
	b = appendStrings(b, c.Vals)
	return appendRefs(b, c.Refs)
}

func appendRefs(b []byte, refs []markdown.Ref) []byte {
	b = binary.AppendUvarint(b, uint64(len(refs)))
	for _, r := range refs {
		b = appendString(b, r.Dest)
		b = appendInt(b, r.Line)
		b = appendInt(b, r.Col)
		b = appendString(b, r.Written)
		b = appendBool(b, r.Label)
	}
	return b
}

// appendPageLinks encodes pl as appendLinks encodes pl.cached(), without
// making it: the cache is written while the output is put in place, where
// a build's memory peaks, and a copy of every page's links (25 MB at
// 10,000 articles, made one page after another) was garbage at once.
func appendPageLinks(b []byte, pl *pageLinks) []byte {
	pl.load()
	if pl.from != nil && pl.from.raw != nil {
		return append(b, pl.from.raw...)
	}
	b = appendString(b, pl.source)
	b = appendString(b, pl.template)
	b = appendStrings(b, pl.ids)
	b = binary.AppendUvarint(b, uint64(len(pl.links)))
	for _, l := range pl.links {
		b = appendString(b, l.attr())
	}
	b = binary.AppendUvarint(b, uint64(len(pl.links)))
	for _, l := range pl.links {
		b = appendString(b, l.val())
	}
	return appendRefs(b, pl.refs)
}

func appendOut(b []byte, e *outEntry) []byte {
	b = appendString(b, e.Key)
	b = appendString(b, e.OutHash)
	if e.Links == nil {
		return append(b, 0)
	}
	return appendLinks(append(b, 1), e.Links)
}

// appendChecked writes the link check's key and problems, by page, and
// the targets.
func appendChecked(b []byte, s *state) []byte {
	b = appendCheckedPages(b, s)
	targets := make([]string, 0, len(s.Targets))
	for t := range s.Targets {
		targets = append(targets, t)
	}
	sort.Strings(targets)
	return appendStrings(b, targets)
}

// appendCheckedPages writes the link check's key and problems, by page.
func appendCheckedPages(b []byte, s *state) []byte {
	b = appendString(b, s.CheckedKey)
	pages := make([]string, 0, len(s.Checked))
	for p := range s.Checked {
		pages = append(pages, p)
	}
	sort.Strings(pages)
	b = binary.AppendUvarint(b, uint64(len(pages)))
	for _, p := range pages {
		b = appendProblems(appendString(b, p), s.Checked[p])
	}
	return b
}

// stateReader reads the payload.
type stateReader struct {
	journalReader
}

// str reads a string (a part of the file's bytes, never a copy).
func (r *stateReader) str() string {
	s := r.string()
	if r.err != nil {
		r.err = errState
	}
	return s
}

// count reads a number of items, each taking at least a byte.
func (r *stateReader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err, r.b = errState, nil
		return 0
	}
	return int(n)
}

func (r *stateReader) strings() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = r.str()
	}
	return ss
}

func (r *stateReader) entry() *articleEntry {
	e := &articleEntry{Key: r.string(), Rel: r.string(), OutHash: r.string(), Minutes: int(r.varint()), Summary: r.string()}
	e.Problems = r.problems()
	e.Links = r.rawLinks()
	e.Pages = r.str()
	return e
}

func (r *stateReader) problems() []diag.Problem {
	n := r.count()
	if n == 0 {
		return nil
	}
	ps := make([]diag.Problem, n)
	for i := range ps {
		ps[i] = diag.Problem{File: r.str(), Line: int(r.varint()), Col: int(r.varint()), Severity: diag.Severity(r.varint())}
		ps[i].Rule, ps[i].Msg = r.str(), r.str()
	}
	return ps
}

func (r *stateReader) links() cachedLinks {
	c := cachedLinks{Source: r.str(), Template: r.str(), IDs: r.strings(), Attrs: r.strings(), Vals: r.strings()}
	if n := r.count(); n > 0 {
		c.Refs = make([]markdown.Ref, n)
		for i := range c.Refs {
			c.Refs[i] = markdown.Ref{Dest: r.str(), Line: int(r.varint()), Col: int(r.varint()), Written: r.str(), Label: r.uvarint() == 1}
		}
	}
	return c
}

// rawLinks skips over encoded links, returning them undecoded (see
// cachedLinks).
func (r *stateReader) rawLinks() cachedLinks {
	start := r.b
	r.skip(2)
	for range 3 {
		r.skip(r.count())
	}
	for range r.count() {
		r.skip(1)
		r.varint()
		r.varint()
		r.skip(1)
		r.uvarint()
	}
	if r.err != nil {
		return cachedLinks{}
	}
	return cachedLinks{raw: start[: len(start)-len(r.b) : len(start)-len(r.b)]}
}

// skip passes over n strings.
func (r *stateReader) skip(n int) {
	for range n {
		l := r.uvarint()
		if l > uint64(len(r.b)) {
			r.err, r.b = errState, nil
			return
		}
		r.b = r.b[l:]
	}
}

func (r *stateReader) out() *outEntry {
	e := &outEntry{Key: r.string(), OutHash: r.string()}
	if len(r.b) == 0 {
		r.err = errState
		return e
	}
	has := r.b[0]
	r.b = r.b[1:]
	if has == 1 {
		c := r.rawLinks()
		e.Links = &c
	}
	return e
}

// checkedPages reads the link check's key and problems, by page.
func (r *stateReader) checkedPages(s *state) {
	s.CheckedKey = r.str()
	n := r.count()
	s.Checked = make(map[string][]diag.Problem, n)
	for range n {
		p := r.str()
		s.Checked[p] = r.problems()
	}
}

// decodePayload reads what writeState wrote after the header.
func decodePayload(b []byte) (*state, error) {
	r := &stateReader{journalReader: newReader(b)}
	n := r.count()
	s := &state{Articles: make(map[string]*articleEntry, n), Outs: map[string]*outEntry{}}
	for range n {
		p := r.string()
		s.Articles[p] = r.entry()
	}
	n = r.count()
	for range n {
		p := r.string()
		s.Outs[p] = r.out()
	}
	r.checked(s)
	if r.err != nil || len(r.b) != 0 {
		return nil, errState
	}
	return s, nil
}

// checked reads the end of the payload into s: the link check's key,
// results and targets, and the search index's cache ID.
func (r *stateReader) checked(s *state) {
	r.checkedPages(s)
	n := r.count()
	s.Targets = make(map[string]bool, n)
	for range n {
		s.Targets[r.str()] = true
	}
	s.SearchID = r.string()
}
