package build

import (
	"bytes"
	"encoding/binary"
	"errors"
	"maps"
	"os"
	"sort"
	"strconv"
	"strings"
)

// A one-off rebuild that changed a few pages does not write state.gob
// again (19 MB for 10,000 articles, tens of milliseconds): it writes what
// changed since that file, in state.delta beside it (state-dev.delta
// beside state-dev.gob):
//
//	kiji-state-delta v1\n  <the checksum ending state.gob, hex> <its size>\n
//	count, then per article changed since: path, 0 (removed) or 1 and its entry
//	count, then per output file changed since: path, 0 (removed) or 1 and its entry
//	the link check's key and results, by page (whole, as in state.gob:
//	  see state_codec.go)
//	count, then per link target added or removed since: path, 1 or 0
//	the search index's cache ID
//	<checksum of all before it> (checksum.go)
//
// The cache is state.gob with the delta applied. Each delta holds every
// change since state.gob was written (it replaces the last delta), so a
// delta is read only with the file it names by its checksum and size: one left
// from before state.gob was written again is ignored, as is a damaged
// one, and the cache is then state.gob alone: an older cache, as when a
// build is stopped before its cache is written, which costs pages
// rendered again, never a wrong page (an entry is used only when its key
// and its page's hash on disk still match). Once the delta would
// be larger than an eighth of state.gob, state.gob is written whole and
// the delta removed (first: see saveState).

const stateDeltaHeader = "kiji-state-delta v1\n"

// stateBase is the state.gob a state was read from, for the delta the
// next build writes against it.
type stateBase struct {
	sum  string // the hex checksum ending the file
	size int
	// The file's entries, before any delta: an entry of the next state
	// that is one of these (the same pointer) is unchanged since.
	articles map[string]*articleEntry
	outs     map[string]*outEntry
	targets  map[string]bool // the file's link targets
}

// deltaPath is the delta of statePath.
func deltaPath(statePath string) string {
	return strings.TrimSuffix(statePath, ".gob") + ".delta"
}

// maxDelta is the largest delta written against a state.gob of size
// bytes (a variable for the tests).
var maxDelta = func(size int) int { return size / 8 }

// readDelta applies the delta at p, if any, to s as read from its base
// file; a delta that is damaged or of another base is ignored.
func readDelta(p string, s *state) {
	b, err := readCacheFile(p)
	if err != nil || s.base == nil {
		return
	}
	d := &state{Articles: maps.Clone(s.Articles), Outs: maps.Clone(s.Outs), base: s.base}
	if decodeDelta(b, d) == nil {
		*s = *d
	}
}

// decodeDelta applies the delta b to d (a copy of its base).
func decodeDelta(b []byte, d *state) error {
	body, ok := splitSummed(b)
	head := deltaHead(d.base)
	if !ok || !bytes.HasPrefix(body, []byte(head)) {
		return errState
	}
	r := &stateReader{journalReader: newReader(body[len(head):])}
	applyChanges(r, d.Articles, r.entry)
	applyChanges(r, d.Outs, r.out)
	r.checkedPages(d)
	d.Targets = maps.Clone(d.base.targets)
	applyChanges(r, d.Targets, func() bool { return true })
	d.SearchID = r.string()
	if r.err != nil || len(r.b) != 0 {
		return errState
	}
	return nil
}

// applyChanges reads a count of changes to m, each a path and then 1 and
// its new value (read), or 0 when it was removed.
func applyChanges[V any](r *stateReader, m map[string]V, read func() V) {
	for range r.count() {
		p := r.str()
		if r.flag() {
			m[p] = read()
		} else {
			delete(m, p)
		}
	}
}

// deltaHead is the start of a delta over base: a delta names the file
// it was written against.
func deltaHead(base *stateBase) string {
	return stateDeltaHeader + base.sum + " " + strconv.Itoa(base.size) + "\n"
}

// flag reads a byte that is 0 or 1.
func (r *stateReader) flag() bool {
	if len(r.b) == 0 || r.b[0] > 1 {
		r.err, r.b = errState, nil
		return false
	}
	v := r.b[0] == 1
	r.b = r.b[1:]
	return v
}

// encodeDelta returns the delta of r.newState against base, or nil when
// it would be larger than maxDelta.
func (r *run) encodeDelta(base *stateBase) []byte {
	limit := maxDelta(base.size)
	ns := r.newState
	b := []byte(deltaHead(base))
	arts := changedPaths(ns.Articles, base.articles)
	b = binary.AppendUvarint(b, uint64(len(arts)))
	for _, p := range arts {
		b = appendString(b, p)
		e, ok := ns.Articles[p]
		if !ok {
			b = append(b, 0)
			continue
		}
		b = appendEntry(append(b, 1), e)
		if len(b) > limit {
			return nil
		}
	}
	outs := changedPaths(ns.Outs, base.outs)
	b = binary.AppendUvarint(b, uint64(len(outs)))
	for _, p := range outs {
		b = appendString(b, p)
		if e, ok := ns.Outs[p]; ok {
			b = appendOut(append(b, 1), e)
		} else {
			b = append(b, 0)
		}
	}
	b = appendCheckedPages(b, ns)
	targets := changedTargets(ns.Targets, base.targets)
	b = binary.AppendUvarint(b, uint64(len(targets)))
	for _, p := range targets {
		b = appendString(b, p)
		if ns.Targets[p] {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	b = appendString(b, ns.SearchID)
	if len(b) > limit {
		return nil
	}
	return b
}

// changedPaths returns, sorted, the paths whose entry in next is not the
// one in base (added or replaced) or that next no longer has.
func changedPaths[E any](next, base map[string]*E) []string {
	var ps []string
	for p, e := range next {
		if base[p] != e {
			ps = append(ps, p)
		}
	}
	for p := range base {
		if _, ok := next[p]; !ok {
			ps = append(ps, p)
		}
	}
	sort.Strings(ps)
	return ps
}

// changedTargets returns, sorted, the link targets added to base or
// removed from it.
func changedTargets(next, base map[string]bool) []string {
	var ps []string
	for p := range next {
		if !base[p] {
			ps = append(ps, p)
		}
	}
	for p := range base {
		if !next[p] {
			ps = append(ps, p)
		}
	}
	sort.Strings(ps)
	return ps
}

// saveDelta writes the delta of r.newState against the state.gob the
// build read; false when there is none to write against or it would be
// too large (state.gob is then written whole).
func (r *run) saveDelta() (bool, error) {
	if r.b != nil || r.oldState == nil || r.oldState.base == nil {
		return false, nil
	}
	d := r.encodeDelta(r.oldState.base)
	if d == nil {
		return false, nil
	}
	return true, writeSummed(r.opts.CacheDir, "state-*.tmp", deltaPath(r.statePath()), d)
}

// removeDelta removes the delta before state.gob is written whole: a
// build stopped in between leaves the older state.gob alone, never a
// delta over a state.gob it was not written against.
func (r *run) removeDelta() error {
	err := os.Remove(deltaPath(r.statePath()))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
