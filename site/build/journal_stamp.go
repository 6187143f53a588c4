package build

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// stampTrees stamps every file and folder under roots (a root may be a
// file; a missing one is recorded as missing), in a fixed order: depth
// first, each folder's entries in name order. It reports false when a
// tree cannot be stamped (a symbolic link, an unreadable folder): no
// journal is written then.
//
// A folder is stamped before it is listed, and one whose stamp is the
// one prev recorded, taken long enough after it last changed, is not
// listed again: its entries are prev's (an entry added, removed, renamed
// or replaced changes its folder's mtime and ctime). prev may be nil.
func stampTrees(roots []string, prev *statJournal) ([]pathStamp, bool) {
	t := &treeStamper{}
	if prev != nil {
		t.prev = prev.Sources
		t.known = knownFolders(prev)
		t.out = make([]pathStamp, 0, len(prev.Sources)+16)
	}
	for _, root := range roots {
		st, err := lstamp(root)
		if errors.Is(err, fs.ErrNotExist) {
			t.out = append(t.out, pathStamp{Path: root, stamp: stamp{Missing: true}})
			continue
		}
		if err != nil {
			return nil, false
		}
		t.out = append(t.out, pathStamp{Path: root, stamp: st, stamped: true})
		if fs.FileMode(st.Mode).IsDir() && !t.list(root, st) {
			return nil, false
		}
	}
	ok := stampAll(t.out, func(p string) string { return p })
	return t.out, ok
}

// treeStamper lists trees for stampTrees.
type treeStamper struct {
	out   []pathStamp
	prev  []pathStamp    // the last journal's sources
	known map[string]int // their folders a walk may take as listed, by path
}

// knownFolders returns the folders of j's sources stamped long enough
// after they last changed, by path, with their index in j.Sources.
func knownFolders(j *statJournal) map[string]int {
	m := map[string]int{}
	for i, s := range j.Sources {
		if fs.FileMode(s.Mode).IsDir() && !s.Missing && !racy(s.stamp, j.SrcAt) {
			m[s.Path] = i
		}
	}
	return m
}

// entry is a path under a folder, and whether it is a folder.
type entry struct {
	path string
	dir  bool
}

// knownEntries returns the entries of dir as the last journal listed them, when
// it recorded st as dir's stamp; false otherwise. The sources are in walk
// order: what is under dir follows it.
func (t *treeStamper) knownEntries(dir string, st stamp) ([]entry, bool) {
	i, ok := t.known[dir]
	if !ok || t.prev[i].stamp != st {
		return nil, false
	}
	var entries []entry
	prefix := dir + string(filepath.Separator)
	for _, s := range t.prev[i+1:] {
		rest, under := strings.CutPrefix(s.Path, prefix)
		if !under {
			break
		}
		if !strings.ContainsRune(rest, filepath.Separator) {
			entries = append(entries, entry{s.Path, fs.FileMode(s.Mode).IsDir()})
		}
	}
	return entries, true
}

// list appends the paths under dir, whose stamp is st; a folder among
// them is stamped, then listed in turn.
func (t *treeStamper) list(dir string, st stamp) bool {
	entries, ok := t.knownEntries(dir, st)
	if !ok {
		des, err := os.ReadDir(dir)
		if err != nil {
			return false
		}
		entries = make([]entry, len(des))
		for i, e := range des {
			entries[i] = entry{filepath.Join(dir, e.Name()), e.IsDir()}
		}
	}
	for _, e := range entries {
		if !e.dir {
			t.out = append(t.out, pathStamp{Path: e.path})
			continue
		}
		st, err := lstamp(e.path)
		if err != nil || !fs.FileMode(st.Mode).IsDir() {
			return false // changed while listed: no journal this time
		}
		t.out = append(t.out, pathStamp{Path: e.path, stamp: st, stamped: true})
		if !t.list(e.path, st) {
			return false
		}
	}
	return true
}

// stampAll fills the stamps of ps in parallel, each at where(path); it
// reports false if one is a symbolic link or cannot be stamped.
func stampAll(ps []pathStamp, where func(string) string) bool {
	var next atomic.Int64
	var bad atomic.Bool
	var wg sync.WaitGroup
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !bad.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(ps) {
					return
				}
				if ps[i].Missing || ps[i].stamped {
					continue
				}
				st, err := lstamp(where(ps[i].Path))
				if err != nil || fs.FileMode(st.Mode)&fs.ModeSymlink != 0 {
					bad.Store(true)
					return
				}
				ps[i].stamp = st
			}
		}()
	}
	wg.Wait()
	return !bad.Load()
}

// stampOutputs stamps what a committed build left in the output folder:
// its files (the manifest's), the files kiji did not write, the manifest
// and every folder holding any of them. The stamps of prev (sorted by
// path, as this returns them) whose paths are not touched are taken as
// they are (see keptStamps).
func stampOutputs(o *output, prev []pathStamp, touched map[string]bool) ([]pathStamp, bool) {
	o.mu.Lock()
	rels := make([]string, 0, len(o.files)+len(o.unknown)+1)
	for rel := range o.files {
		rels = append(rels, rel)
	}
	o.mu.Unlock()
	rels = append(rels, o.unknown...)
	rels = append(rels, manifestName)
	dirs := map[string]bool{".": true}
	for _, rel := range rels {
		for d := path.Dir(rel); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	for d := range dirs {
		rels = append(rels, d)
	}
	sort.Strings(rels)
	at := time.Now()
	ps := make([]pathStamp, len(rels))
	if len(prev) == 0 { // nothing kept (a cold build): stamped in place, no copy
		for i, rel := range rels {
			ps[i].Path = rel
		}
		if !stampAll(ps, under(o.dest)) {
			return nil, false
		}
		return ps, hashRacy(o, ps, at)
	}
	var todo []pathStamp
	var at2 []int
	k := 0
	for i, rel := range rels {
		for k < len(prev) && prev[k].Path < rel {
			k++
		}
		if k < len(prev) && prev[k].Path == rel && !touched[rel] {
			ps[i] = prev[k]
			continue
		}
		ps[i].Path = rel
		todo = append(todo, ps[i])
		at2 = append(at2, i)
	}
	if !stampAll(todo, under(o.dest)) {
		return nil, false
	}
	for k, i := range at2 {
		ps[i] = todo[k]
	}
	return ps, hashRacy(o, ps, at)
}

// hashRacy gives each output file of ps stamped within racyWindow of
// at the hash of its bytes; false if one has none known.
func hashRacy(o *output, ps []pathStamp, at time.Time) bool {
	for i := range ps {
		if !racy(ps[i].stamp, at.UnixNano()) || fs.FileMode(ps[i].Mode).IsDir() {
			continue
		}
		switch st, ok := o.files[ps[i].Path]; {
		case ok && st.Hash == "":
			return false
		case ok:
			ps[i].Hash = st.Hash
		case ps[i].Path == manifestName:
			m := o.committed
			if m == nil {
				m = o.manifest(nil)
			}
			sum := sha256.Sum256(m)
			ps[i].Hash = hex.EncodeToString(sum[:])
		}
	}
	return true
}

// under returns the path of an output file, given relative to dest: a
// clean slash-separated path, or ".". (It is filepath.Join without the
// cleaning, which tens of thousands of stamps would pay for.)
func under(dest string) func(rel string) string {
	return func(rel string) string {
		if rel == "." {
			return dest
		}
		return dest + string(filepath.Separator) + filepath.FromSlash(rel)
	}
}

// racy reports whether a file stamped at time at may have changed since
// without its stamp changing.
func racy(s stamp, at int64) bool {
	return !s.Missing && s.Ctime >= at-int64(racyWindow)
}

// outputsUnchanged reports whether the output folder holds what j
// recorded: every stamp equal, a file stamped too soon after it was
// written still of the same bytes, a folder stamped too soon holding
// nothing j does not list.
func outputsUnchanged(j *statJournal, dest string) bool {
	if real, err := filepath.EvalSymlinks(dest); err != nil || real != j.Dest {
		return false
	}
	now := make([]pathStamp, len(j.Outs))
	for i, p := range j.Outs {
		now[i].Path = p.Path
	}
	where := under(j.Dest)
	if !stampAll(now, where) || !sameSlice(j.Outs, now) {
		return false
	}
	var listed map[string]bool
	for _, p := range j.Outs {
		if !racy(p.stamp, j.OutsAt) {
			continue
		}
		if !fs.FileMode(p.Mode).IsDir() {
			// No hash: a file kiji did not write, whose bytes do not matter.
			if p.Hash != "" && hashPath(where(p.Path)) != p.Hash {
				return false
			}
			continue
		}
		if listed == nil {
			listed = make(map[string]bool, len(j.Outs))
			for _, q := range j.Outs {
				listed[q.Path] = true
			}
		}
		if !holdsOnly(where(p.Path), p.Path, listed) {
			return false
		}
	}
	return true
}

// holdsOnly reports whether the folder dir (rel in the output) holds
// only entries listed.
func holdsOnly(dir, rel string, listed map[string]bool) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !listed[path.Join(rel, e.Name())] {
			return false
		}
	}
	return true
}

// hashPath is the hex SHA-256 of the file at p ("" if it cannot be read).
func hashPath(p string) string {
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// trustedSources reports whether every source stamp of j was taken long
// enough after the file last changed to prove it unchanged.
func trustedSources(j *statJournal) bool {
	for _, s := range j.Sources {
		if racy(s.stamp, j.SrcAt) {
			return false
		}
	}
	return true
}
