package search

import (
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"sync/atomic"
)

// Rows: which groups a page's entries are in, and with what, without
// reading the groups. A page has entries in nearly every group (its keys
// hash all over), so a rebuild that adds one page again would otherwise
// read every group's cache file (140 MB at 10,000 pages) to find that
// most of the page's records did not change.
//
// The cache keeps a digest of each page's record in each group (0: none):
// the rows file (rows-*.bin), written whole by a build that reads every
// group anyway, by group (page i of group g at (g×pages + i)×8, pages in
// the order of index.gob's Heads); and, in index.gob, the rows of the
// pages added again since (Patched), which a build adds to rather than
// rewriting the file. When the pages are the old ones, a group is the old
// one if each page added again has the digest it had there; only the
// other groups are read. Past fewPatched pages, the next build that reads
// every group writes a new rows file.

const fewPatched = 64

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// digest identifies a record's entries (never 0).
func digest(data []byte) uint64 {
	return uint64(len(data))<<32 | uint64(crc32.Checksum(data, castagnoli)) | 1<<63
}

// rowPlan is what Write knows of the rows before the groups are written.
type rowPlan struct {
	fast bool // the groups may be kept by comparing rows
	// old and next rows of the pages added again (by URL), next filled
	// by the group workers (each its own column).
	old, next map[string][]uint64
	table     *os.File // the new rows file, when one is written
	pages     int
	lost      atomic.Bool // a page added again has no row: keep no rows
}

// planRows prepares Write's rows: with the pages the old ones, a rows
// file that holds them and few pages added again, groups are compared by
// rows; else every group is read and a new rows file written.
func (ix *Index) planRows(gone []string, pages int) *rowPlan {
	p := &rowPlan{}
	if ix.cache == "" {
		return p
	}
	if ix.samePages && ix.old.Rows != "" && ix.old.RowPages == len(ix.old.Heads) && len(ix.old.Patched)+len(gone) <= fewPatched {
		if p.old = ix.oldRows(gone); p.old != nil {
			p.fast, p.next = true, make(map[string][]uint64, len(gone))
			for _, u := range gone {
				p.next[u] = make([]uint64, ix.groups)
			}
			return p
		}
	}
	f, err := os.CreateTemp(ix.cache, "rows-*.tmp")
	if err == nil && f.Truncate(int64(pages*ix.groups)*8) == nil {
		p.table, p.pages = f, pages
	} else if err == nil {
		f.Close()
		os.Remove(f.Name())
	}
	return p
}

// oldRows reads the rows of the pages at urls (nil if the file fails).
func (ix *Index) oldRows(urls []string) map[string][]uint64 {
	f, err := os.Open(filepath.Join(ix.cache, ix.old.Rows))
	if err != nil {
		return nil
	}
	defer f.Close()
	n := len(ix.old.Heads)
	rows := make(map[string][]uint64, len(urls))
	var cell [8]byte
	for _, u := range urls {
		if r, ok := ix.old.Patched[u]; ok && len(r) == ix.groups {
			rows[u] = r
			continue
		}
		r := make([]uint64, ix.groups)
		for g := range r {
			if _, err := f.ReadAt(cell[:], int64(g*n+ix.oldHeads[u])*8); err != nil {
				return nil
			}
			r[g] = binary.LittleEndian.Uint64(cell[:])
		}
		rows[u] = r
	}
	return rows
}

// sameRows reports whether group g's spilled records (in w.spilled) give
// each page added again the digest it had, and notes the new ones (all of
// them: a group found changed is written with them).
func (p *rowPlan) sameRows(g int, ix *Index, w *groupWork) bool {
	var err error
	if w.spilled, err = ix.spillOf(g).contents(w.spilled); err != nil {
		p.lost.Store(true)
		return false
	}
	for _, row := range p.next {
		row[g] = 0
	}
	r := pageReader{b: w.spilled}
	for len(r.b) > 0 {
		slot, data := r.uvarint(), r.bytes()
		url, ok := ix.slotURL(slot)
		row, known := p.next[url]
		ok = ok && known
		if r.bad || !ok {
			p.lost.Store(true)
			return false
		}
		row[g] = digest(data)
	}
	same := true
	for u, row := range p.next {
		same = same && row[g] == p.old[u][g]
	}
	return same
}

// writeColumn writes group g's column of the new rows file: recs are the
// group's records, in page order.
func (p *rowPlan) writeColumn(g int, recs []record, w *groupWork) error {
	if p.table == nil {
		return nil
	}
	col := w.column[:0]
	col = append(col, make([]byte, p.pages*8)...)
	for _, rc := range recs {
		binary.LittleEndian.PutUint64(col[int(rc.id)*8:], digest(rc.data))
	}
	w.column = col
	_, err := p.table.WriteAt(col, int64(g*p.pages)*8)
	return err
}

// finish returns the rows file's name and the patched rows for
// index.gob; a rows file written is closed and renamed to its name.
func (p *rowPlan) finish(ix *Index) (name string, patched map[string][]uint64) {
	if p.table != nil {
		tmp := p.table.Name()
		err := p.table.Close()
		name = filepath.Base(tmp[:len(tmp)-len(".tmp")]) + ".bin"
		if err == nil {
			err = os.Rename(tmp, filepath.Join(ix.cache, name))
		}
		if err != nil {
			os.Remove(tmp)
			return "", nil
		}
		return name, nil
	}
	if !p.fast || p.lost.Load() {
		return "", nil
	}
	patched = make(map[string][]uint64, len(ix.old.Patched)+len(p.next))
	for u, r := range ix.old.Patched {
		patched[u] = r
	}
	for u, r := range p.next {
		patched[u] = r
	}
	return ix.old.Rows, patched
}

// drop removes a rows file that will not be used (Write failed).
func (p *rowPlan) drop() {
	if p.table != nil {
		p.table.Close()
		os.Remove(p.table.Name())
		p.table = nil
	}
}
