package build

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kiji-ssg/kiji/site/content"
	"github.com/kiji-ssg/kiji/site/diag"
)

// The content snapshot lets a build that must run read only the articles
// that changed. Beside its journal, a one-off build writes
// content-<dest>.bin: each article file as content.Load read it (its
// fields and the problems reported on it), with the journal's SrcAt to
// pair them. The next build takes an article from it, instead of reading
// and parsing the file again, when:
//
//   - the journal is of the same key (kiji, kiji.yaml, options) and its
//     SrcAt is the snapshot's;
//   - every source outside articles/ (images, books, the theme, git's
//     HEAD and index, which date articles) has the stamp it had, taken
//     long enough after it last changed (see racyWindow);
//   - the build time is not before the snapshot's, and no scheduled
//     article has come due since (its Scheduled would change);
//   - the article file has the stamp it had, taken long enough after it
//     last changed.
//
// Anything else reads the file as a cold build does.

const snapshotHeader = "kiji-content v2\n"

// contentSnap is the content snapshot file's contents.
type contentSnap struct {
	SrcAt int64 // the journal's
	Now   int64 // the build time the files were read at (unix ns)
	Due   int64 // the first scheduled article's time (unix ns); 0: none
	Files map[string]content.Prior
	// Raw holds each file's entry as encoded, to be written again as it
	// was read.
	Raw map[string][]byte
}

// priors collects the articles a build read (or took from the snapshot),
// for the snapshot it writes.
type priors struct {
	mu     sync.Mutex
	m      map[string]content.Prior // read and parsed
	known  map[string]*knownArticle // in the snapshot and unchanged
	parsed atomic.Int64             // read and parsed (Report.Parsed)
}

// knownArticle is an article file of the snapshot that has not changed
// since, with its entry as encoded (to be written again as it was read).
type knownArticle struct {
	content.Prior
	raw  []byte
	used atomic.Bool // taken by this build's content.Load
}

// read records an article read and parsed.
func (p *priors) read(path string, pr content.Prior) {
	p.parsed.Add(1)
	p.add(path, pr)
}

func (p *priors) add(path string, pr content.Prior) {
	p.mu.Lock()
	p.m[path] = pr
	p.mu.Unlock()
}

func (r *run) snapshotPath() string {
	return strings.Replace(r.journalPath(), "journal-", "content-", 1)
}

// useSnapshot sets opts to take the articles unchanged since the last
// build from its snapshot, and to collect what this build reads for the
// snapshot it writes (one-off builds only).
func (r *run) useSnapshot(opts *content.Options) {
	jr := r.journal
	if jr == nil || !jr.ok || r.b != nil {
		return
	}
	jr.priors = &priors{m: map[string]content.Prior{}}
	opts.Read = jr.priors.read
	known := r.knownArticles()
	if len(known) == 0 {
		return
	}
	jr.priors.known = known
	opts.Known = func(p string) (content.Prior, bool) {
		k, ok := known[p]
		if !ok {
			return content.Prior{}, false
		}
		k.used.Store(true)
		return k.Prior, true
	}
}

// knownArticles returns the articles of the snapshot that are unchanged
// since it was written, by content path, with their entries as encoded;
// nil when it cannot be trusted.
func (r *run) knownArticles() map[string]*knownArticle {
	jr := r.journal
	prev := jr.prev
	if prev == nil {
		return nil
	}
	snap := readSnapshot(r.snapshotPath())
	now := r.opts.Now.UnixNano()
	if snap == nil || snap.SrcAt != prev.SrcAt || now < snap.Now || (snap.Due != 0 && now >= snap.Due) {
		return nil
	}
	folder := filepath.Join(r.opts.Source, "articles")
	dir := folder + string(filepath.Separator)
	same := jr.unchanged()
	trusted := make(map[string]*knownArticle, len(snap.Files))
	for _, s := range jr.sources {
		name, article := strings.CutPrefix(s.Path, dir)
		switch {
		case s.Path == folder:
			// The folder changes with each article added or removed.
		case !article:
			if !same[s.Path] {
				return nil // what dates the articles may have changed
			}
		case same[s.Path]:
			p := "articles/" + filepath.ToSlash(name)
			if pr, ok := snap.Files[p]; ok {
				trusted[p] = &knownArticle{Prior: pr, raw: snap.Raw[p]}
			}
		}
	}
	return trusted
}

// unchanged returns the sources (by path) whose stamps prove them
// unchanged since the last build's journal; nil without one.
func (jr *journalRun) unchanged() map[string]bool {
	if jr == nil || jr.prev == nil {
		return nil
	}
	if jr.same != nil {
		return jr.same
	}
	prev := jr.prev
	before := make(map[string]stamp, len(prev.Sources))
	for _, s := range prev.Sources {
		if !racy(s.stamp, prev.SrcAt) { // else it may have changed since without its stamp changing
			before[s.Path] = s.stamp
		}
	}
	jr.same = make(map[string]bool, len(jr.sources))
	for _, s := range jr.sources {
		if old, ok := before[s.Path]; ok && old == s.stamp {
			jr.same[s.Path] = true
		}
	}
	return jr.same
}

// hashCopied gives a one-off build's output the hash of each image and
// static file that has not changed since the last build (the hash the
// manifest lists for its copy), so that it is not read again.
func (r *run) hashCopied() {
	same := r.journal.unchanged()
	if len(same) == 0 || r.out.prev == nil {
		return
	}
	prev, src := r.out.prev, r.opts.Source
	r.out.hashOf = func(fsys fs.FS, name string) (string, error) {
		rel := strings.TrimPrefix(name, "static/")
		if st, ok := prev[rel]; ok && st.Hash != "" && same[filepath.Join(src, filepath.FromSlash(name))] {
			return st.Hash, nil
		}
		return hashFile(fsys, name)
	}
}

// writeSnapshot writes the snapshot of the articles this build read,
// paired with the journal it wrote (taken at srcAt).
func (r *run) writeSnapshot(srcAt int64) {
	jr := r.journal
	p := r.snapshotPath()
	os.Remove(p)
	if jr.priors == nil || r.site == nil {
		return
	}
	snap := &contentSnap{SrcAt: srcAt, Now: r.opts.Now.UnixNano(), Files: jr.priors.m, Raw: map[string][]byte{}}
	for p, k := range jr.priors.known {
		if k.used.Load() {
			snap.Files[p], snap.Raw[p] = k.Prior, k.raw
		}
	}
	snap.Due = r.firstDue()
	writeSummed(r.opts.CacheDir, "content-*.tmp", p, encodeSnapshot(snap)) // none is only slower
}

// readSnapshot reads the snapshot at p; nil when there is none or it is
// damaged.
func readSnapshot(p string) *contentSnap {
	b, err := readCacheFile(p)
	if err != nil {
		return nil
	}
	body, ok := splitSummed(b)
	if !ok {
		return nil
	}
	s, err := decodeSnapshot(body)
	if err != nil {
		return nil
	}
	return s
}

var errSnapshot = errors.New("not a kiji content snapshot")

// encodeSnapshot writes the header, SrcAt, Now, Due, then each file: its
// path, whether it has an article, the article's fields, its problems.
func encodeSnapshot(s *contentSnap) []byte {
	size := len(snapshotHeader) + 64 + sumSize
	for p := range s.Files {
		n := 512 // about what an entry takes
		if raw, ok := s.Raw[p]; ok {
			n = len(raw)
		}
		size += len(p) + 8 + n
	}
	b := append(make([]byte, 0, size), snapshotHeader...)
	b = binary.AppendVarint(b, s.SrcAt)
	b = binary.AppendVarint(b, s.Now)
	b = binary.AppendVarint(b, s.Due)
	b = binary.AppendUvarint(b, uint64(len(s.Files)))
	for p, pr := range s.Files {
		b = appendString(b, p)
		if raw, ok := s.Raw[p]; ok {
			b = append(b, raw...)
			continue
		}
		b = appendArticle(b, pr.Article)
		b = binary.AppendUvarint(b, uint64(len(pr.Problems)))
		for _, q := range pr.Problems {
			b = appendString(b, q.File)
			b = binary.AppendVarint(b, int64(q.Line))
			b = binary.AppendVarint(b, int64(q.Col))
			b = binary.AppendVarint(b, int64(q.Severity))
			b = appendString(b, q.Rule)
			b = appendString(b, q.Msg)
		}
	}
	return b
}

func appendArticle(b []byte, a *content.Article) []byte {
	if a == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	for _, s := range []string{a.Path, a.File, a.Slug, a.Title, a.Emoji, a.Type, a.PublishedAt, a.DateFrom, a.Description} {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(a.Topics)))
	for _, t := range a.Topics {
		b = appendString(b, t)
	}
	flags := uint64(0)
	if a.Published {
		flags |= 1
	}
	if a.Scheduled {
		flags |= 2
	}
	b = binary.AppendUvarint(b, flags)
	for _, t := range []time.Time{a.Date, a.Updated} {
		tb, err := t.MarshalBinary() // keeps the zone's offset, which dates are shown in
		if err != nil {
			tb = nil // a zone offset time cannot hold: never from a parsed date
		}
		b = appendString(b, string(tb))
	}
	return append(b, a.Hash[:]...)
}

func decodeSnapshot(body []byte) (*contentSnap, error) {
	if !bytes.HasPrefix(body, []byte(snapshotHeader)) {
		return nil, errSnapshot
	}
	rd := newReader(body[len(snapshotHeader):])
	r := &rd
	s := &contentSnap{SrcAt: r.varint(), Now: r.varint(), Due: r.varint()}
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		return nil, errSnapshot
	}
	s.Files = make(map[string]content.Prior, n)
	s.Raw = make(map[string][]byte, n)
	for range n {
		p := r.string()
		start := r.b
		pr := content.Prior{Article: r.article()}
		np := r.uvarint()
		if np > uint64(len(r.b)) {
			return nil, errSnapshot
		}
		for range np {
			q := diag.Problem{File: r.string(), Line: int(r.varint()), Col: int(r.varint()), Severity: diag.Severity(r.varint())}
			q.Rule, q.Msg = r.string(), r.string()
			pr.Problems = append(pr.Problems, q)
		}
		if r.err != nil {
			return nil, r.err
		}
		s.Files[p] = pr
		s.Raw[p] = start[: len(start)-len(r.b) : len(start)-len(r.b)]
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errSnapshot
	}
	return s, nil
}

// article reads what appendArticle wrote.
func (r *journalReader) article() *content.Article {
	if len(r.b) == 0 || r.b[0] == 0 {
		if len(r.b) > 0 {
			r.b = r.b[1:]
		}
		return nil
	}
	r.b = r.b[1:]
	a := &content.Article{}
	for _, s := range []*string{&a.Path, &a.File, &a.Slug, &a.Title, &a.Emoji, &a.Type, &a.PublishedAt, &a.DateFrom, &a.Description} {
		*s = r.string()
	}
	if nt := r.uvarint(); nt > uint64(len(r.b)) {
		r.err, r.b = errSnapshot, nil
	} else if nt > 0 {
		a.Topics = make([]string, nt)
		for i := range a.Topics {
			a.Topics[i] = r.string()
		}
	}
	flags := r.uvarint()
	a.Published, a.Scheduled = flags&1 != 0, flags&2 != 0
	for _, t := range []*time.Time{&a.Date, &a.Updated} {
		if err := t.UnmarshalBinary([]byte(r.string())); err != nil {
			r.err = errSnapshot
		}
		*t = sharedZone(*t)
	}
	if len(r.b) < len(a.Hash) {
		r.err, r.b = errSnapshot, nil
		return nil
	}
	copy(a.Hash[:], r.b)
	r.b = r.b[len(a.Hash):]
	return a
}

// zones holds one zone of each offset (the zone names are "") the
// snapshot's dates were read in, by offset.
var zones sync.Map

// sharedZone returns t in a zone of zones instead of the one
// time.UnmarshalBinary made for it alone (tens of thousands per
// rebuild): the same offset, the same empty name.
func sharedZone(t time.Time) time.Time {
	loc := t.Location()
	if loc == time.UTC || loc == time.Local {
		return t
	}
	name, off := t.Zone()
	if name != "" {
		return t
	}
	z, ok := zones.Load(off)
	if !ok {
		z, _ = zones.LoadOrStore(off, loc)
	}
	return t.In(z.(*time.Location))
}
