package search

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The cache (in Config.CacheDir, folder search/, or search-dev/ for kiji
// serve) holds, for each group, the entries of every page in it (a file
// named by the group's key: records of a page's number in Heads and its
// entries), and index.gob: the pages' URL, title and
// topics, and each group's key and output files. The build cache
// (state.gob) keeps only the ID of the index.gob it goes with, so a page
// the build does not render again keeps its entries here, and a page
// rendered again replaces them. Nothing is kept in memory from build to
// build.

const cacheVersion = "kiji-search-cache v2"

// cacheIndex is index.gob.
type cacheIndex struct {
	Version         string
	ID              string
	Shards, NGroups int
	Groups          []cachedGroup
	Heads           []pageHead // in URL order
	Rows            string     // the rows file (rows.go); "" for none
	RowPages        int        // the pages it has rows of
	Patched         map[string][]uint64
}

// cachedGroup is a group as the last build wrote it.
type cachedGroup struct {
	Key  string    // hash of what the group's files are made from
	File string    // its entries, in the cache folder ("" for none)
	Out  []outFile // its files in the output
}

type outFile struct{ Path, Hash string }

// readCache reads index.gob; a cache that is not the one the last
// build's state names is not used.
func (ix *Index) readCache() {
	f, err := os.Open(filepath.Join(ix.cache, "index.gob"))
	if err != nil {
		return
	}
	defer f.Close()
	var c cacheIndex
	if err := gob.NewDecoder(bufio.NewReader(f)).Decode(&c); err != nil {
		return
	}
	if c.Version != cacheVersion || c.ID == "" || c.ID != ix.cfg.PrevID || c.Shards != ix.shards || c.NGroups != ix.groups || len(c.Groups) != c.NGroups {
		return
	}
	ix.old = &c
	ix.oldHeads = make(map[string]int, len(c.Heads))
	for i, h := range c.Heads {
		ix.oldHeads[h.URL] = i
	}
}

// writeCache puts the group's records in the cache folder (unless the
// last build left the same file) and returns its name. When the spill
// file holds them all (and no others), it becomes the cache file.
func (ix *Index) writeCache(g int, key string, recs []record, spilledOnly bool) (string, error) {
	if ix.cache == "" || len(recs) == 0 {
		return "", nil
	}
	name := fmt.Sprintf("g%04d-%s.bin", g, key[:16])
	if ix.old != nil && ix.old.Groups[g].File == name {
		return name, nil
	}
	if spilledOnly {
		if err := ix.spillOf(g).take(filepath.Join(ix.cache, name)); err != nil {
			return "", fmt.Errorf("search index: %w", err)
		}
		return name, nil
	}
	size := 0
	for _, rc := range recs {
		size += len(rc.data) + 2*binary.MaxVarintLen32
	}
	b := make([]byte, 0, size)
	for _, rc := range recs {
		b = binary.AppendUvarint(b, uint64(rc.id))
		b = binary.AppendUvarint(b, uint64(len(rc.data)))
		b = append(b, rc.data...)
	}
	if err := os.WriteFile(filepath.Join(ix.cache, name), b, 0o644); err != nil {
		return "", fmt.Errorf("search index: %w", err)
	}
	return name, nil
}

// saveCache writes index.gob (atomically) and removes the group files it
// no longer names; it returns the cache's ID.
func (ix *Index) saveCache(groups []cachedGroup, heads []pageHead, rows *rowPlan) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%d %d\n", ix.shards, ix.groups)
	for _, g := range groups {
		fmt.Fprintf(h, "%s %s\n", g.Key, g.File)
	}
	for _, p := range heads {
		fmt.Fprintf(h, "%q %q %q\n", p.URL, p.Title, p.Topics)
	}
	id := hex.EncodeToString(h.Sum(nil))[:24]
	if ix.cache == "" {
		return id, nil
	}
	c := cacheIndex{Version: cacheVersion, ID: id, Shards: ix.shards, NGroups: ix.groups, Groups: groups, Heads: heads}
	c.Rows, c.Patched = rows.finish(ix)
	c.RowPages = len(heads)
	if err := os.MkdirAll(ix.cache, 0o755); err != nil {
		return "", fmt.Errorf("search index: %w", err)
	}
	tmp, err := os.CreateTemp(ix.cache, "index-*.tmp")
	if err != nil {
		return "", fmt.Errorf("search index: %w", err)
	}
	bw := bufio.NewWriter(tmp)
	err = gob.NewEncoder(bw).Encode(&c)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(ix.cache, "index.gob"))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("search index: %w", err)
	}
	ix.removeStale(groups, c.Rows)
	return id, nil
}

// removeStale removes the cache folder's files that index.gob does not
// name (groups written before, spill files of a build that stopped).
func (ix *Index) removeStale(groups []cachedGroup, rows string) {
	keep := map[string]bool{"index.gob": true, rows: true}
	for _, g := range groups {
		keep[g.File] = true
	}
	ents, _ := os.ReadDir(ix.cache)
	for _, e := range ents {
		n := e.Name()
		if !keep[n] && (strings.HasSuffix(n, ".bin") || strings.HasSuffix(n, ".tmp")) && !ix.ownSpill(n) {
			os.Remove(filepath.Join(ix.cache, n))
		}
	}
}

func (ix *Index) ownSpill(name string) bool {
	for _, s := range ix.spill {
		if s != nil && s.f != nil && filepath.Base(s.f.Name()) == name {
			return true
		}
	}
	return false
}
