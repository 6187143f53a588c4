package build

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// manifestName is written into every output folder. It marks the folder as
// kiji's (kiji never replaces a folder without it unless the folder is
// empty) and lists each file with its hash, so the next build can leave
// unchanged files alone. Deploy leaves it out. The files' sizes and
// modification times, which differ from build to build, are kept in the
// cache folder instead (statsFile), so the output stays byte-identical.
const manifestName = ".kiji-manifest"

const manifestHeader = "kiji-manifest v1"

// fileState is one output file as the manifest records it.
type fileState struct {
	Hash    string // sha256, hex
	Size    int64
	ModTime int64 // unix nanoseconds, as found on disk after the build
}

// output collects a build's files. New or changed files go to a staging
// folder beside the destination; files whose bytes did not change are left
// where they are. commit moves the staged files in and removes stale ones
// only when the build succeeded, so a failed build leaves the destination
// as it was.
type output struct {
	dest      string // destination folder
	statsFile string // sizes and mtimes, in the cache folder; "" for none
	staging   string
	prev      map[string]fileState // the destination's manifest; nil: none
	fresh     bool                 // the destination is new or empty: swap whole

	// hashOf hashes a source file for copyFrom (default hashFile); a
	// Builder remembers hashes by size and mtime.
	hashOf func(fsys fs.FS, name string) (string, error)
	// knownDest says the destination holds exactly what prev lists (a
	// Builder's previous build committed it, in this process): files are
	// kept without checking them on disk, and commit removes the files
	// prev lists and this build did not produce without walking the
	// destination.
	knownDest bool
	// lastClean says the previous build's commit finished (no marker left
	// in the cache folder) and its manifest was read: stale files can be
	// found from the manifest alone, without walking the destination.
	lastClean bool

	dirs sync.Map // staging folders known to exist

	mu     sync.Mutex
	files  map[string]fileState // every file of this build
	staged map[string]bool      // files written to staging
	kept   int
}

func newOutput(dest, cacheDir string) (*output, error) {
	return newOutputKnown(dest, cacheDir, nil)
}

// newOutputKnown is newOutput for a destination whose files are known
// (a Builder's previous build, in this process): known is taken for its
// manifest and stats, which are not read again.
func newOutputKnown(dest, cacheDir string, known map[string]fileState) (*output, error) {
	dest = filepath.Clean(dest)
	prev, fresh, clean := known, false, false
	if known == nil {
		var err error
		if prev, fresh, err = readDest(dest); err != nil {
			return nil, err
		}
	}
	statsFile := ""
	if cacheDir != "" {
		abs, _ := filepath.Abs(dest)
		sum := sha256.Sum256([]byte(abs))
		statsFile = filepath.Join(cacheDir, "output-"+hex.EncodeToString(sum[:8])+".stats")
		if known == nil {
			readStats(statsFile, prev)
			_, statErr := os.Stat(statsFile)
			_, markErr := os.Stat(statsFile + ".commit")
			clean = statErr == nil && errors.Is(markErr, fs.ErrNotExist) && len(prev) > 0
		}
	}
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("creating the parent of the output folder: %w", err)
	}
	staging, err := os.MkdirTemp(parent, "."+filepath.Base(dest)+".kiji-tmp-")
	if err != nil {
		return nil, fmt.Errorf("creating the staging folder beside %s: %w", dest, err)
	}
	return &output{dest: dest, statsFile: statsFile, staging: staging, prev: prev, fresh: fresh, lastClean: clean,
		files: map[string]fileState{}, staged: map[string]bool{}}, nil
}

// readDest checks the destination and reads its manifest. It refuses a
// folder kiji did not write. fresh means there is nothing to keep.
func readDest(dest string) (prev map[string]fileState, fresh bool, err error) {
	fi, err := os.Stat(dest)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("checking the output folder: %w", err)
	}
	if !fi.IsDir() {
		return nil, false, fmt.Errorf("the output path %s is a file, not a folder; choose another --dest", dest)
	}
	b, err := os.ReadFile(filepath.Join(dest, manifestName))
	if err == nil {
		// A manifest that cannot be read means every file is rewritten.
		return parseManifest(b), false, nil
	}
	entries, err := os.ReadDir(dest)
	if err != nil {
		return nil, false, fmt.Errorf("reading the output folder: %w", err)
	}
	if len(entries) > 0 {
		return nil, false, fmt.Errorf("the output folder %s holds files kiji did not write (no %s in it); kiji replaces its output folder whole, so choose an empty or new --dest, or delete that folder", dest, manifestName)
	}
	return nil, true, nil
}

// parseManifest reads a manifest; a damaged one gives an empty map.
func parseManifest(b []byte) map[string]fileState {
	m := map[string]fileState{}
	lines := bytes.Split(b, []byte("\n"))
	if len(lines) == 0 || string(lines[0]) != manifestHeader {
		return m
	}
	for _, l := range lines[1:] {
		if len(l) == 0 {
			continue
		}
		h, rel, ok := strings.Cut(string(l), " ")
		if !ok || len(h) != 64 {
			return map[string]fileState{}
		}
		if _, err := cleanRel(rel); err != nil {
			return map[string]fileState{}
		}
		m[rel] = fileState{Hash: h, Size: -1}
	}
	return m
}

// readStats adds the sizes and mtimes recorded by the last build; a
// missing or damaged file leaves them unknown (files are then hashed).
func readStats(name string, m map[string]fileState) {
	b, err := os.ReadFile(name)
	if err != nil || m == nil {
		return
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.SplitN(l, " ", 3)
		if len(f) != 3 {
			continue
		}
		st, ok := m[f[2]]
		if !ok {
			continue
		}
		size, err1 := strconv.ParseInt(f[0], 10, 64)
		mt, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		st.Size, st.ModTime = size, mt
		m[f[2]] = st
	}
}

// cleanRel checks an output path: relative, slash-separated, no "..", so
// nothing is ever written outside the destination.
func cleanRel(p string) (string, error) {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("the output path %q is not allowed", p)
	}
	c := path.Clean(p)
	if c == "." || c == ".." || strings.HasPrefix(c, "../") || c != p || c == manifestName {
		return "", fmt.Errorf("the output path %q would leave the output folder", p)
	}
	return c, nil
}

// claim reserves rel for one writer.
func (o *output) claim(rel string) (string, error) {
	rel, err := cleanRel(rel)
	if err != nil {
		return "", err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, dup := o.files[rel]; dup {
		return "", fmt.Errorf("two files would be written to %s; give one of them another slug or name", rel)
	}
	o.files[rel] = fileState{}
	return rel, nil
}

// write writes one file, unless the destination already holds these bytes.
func (o *output) write(rel string, data []byte) error {
	_, err := o.writeHash(rel, data)
	return err
}

// writeHash is write that also returns the hash of data (hex SHA-256).
func (o *output) writeHash(rel string, data []byte) (string, error) {
	rel, err := o.claim(rel)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	if o.keepIfSame(rel, h) {
		return h, nil
	}
	return h, o.stage(rel, h, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// copyFrom copies a file from fsys, unless the destination already holds
// the same bytes.
func (o *output) copyFrom(rel string, fsys fs.FS, name string) error {
	rel, err := o.claim(rel)
	if err != nil {
		return err
	}
	hashOf := o.hashOf
	if hashOf == nil {
		hashOf = hashFile
	}
	h, err := hashOf(fsys, name)
	if err != nil {
		return err
	}
	if o.keepIfSame(rel, h) {
		return nil
	}
	return o.stage(rel, h, func(w io.Writer) error {
		f, err := fsys.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
}

func hashFile(fsys fs.FS, name string) (string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// keepIfSame keeps the destination's file when the manifest says it has
// hash h and the file on disk is still the one the manifest describes.
func (o *output) keepIfSame(rel, h string) bool {
	if o.fresh {
		return false
	}
	st, ok := o.prev[rel]
	if !ok || st.Hash != h {
		return false
	}
	if o.knownDest && st.Size >= 0 {
		// The Builder's previous build left the file as prev says.
		o.mu.Lock()
		o.files[rel] = st
		o.kept++
		o.mu.Unlock()
		return true
	}
	full := filepath.Join(o.dest, filepath.FromSlash(rel))
	fi, err := os.Lstat(full)
	if err != nil || !fi.Mode().IsRegular() || (st.Size >= 0 && fi.Size() != st.Size) {
		return false
	}
	if st.Size < 0 || fi.ModTime().UnixNano() != st.ModTime {
		// Unknown or changed since: trust only the bytes.
		f, err := os.Open(full)
		if err != nil {
			return false
		}
		hh := sha256.New()
		_, err = io.Copy(hh, f)
		f.Close()
		if err != nil || hex.EncodeToString(hh.Sum(nil)) != h {
			return false
		}
		st.Size, st.ModTime = fi.Size(), fi.ModTime().UnixNano()
	}
	o.mu.Lock()
	o.files[rel] = st
	o.kept++
	o.mu.Unlock()
	return true
}

// unchanged reports whether the destination holds rel with hash h, for
// callers that can skip rendering altogether; it keeps the file if so.
func (o *output) unchanged(rel, h string) bool {
	rel, err := o.claim(rel)
	if err != nil {
		return false
	}
	if o.keepIfSame(rel, h) {
		return true
	}
	o.mu.Lock()
	delete(o.files, rel)
	o.mu.Unlock()
	return false
}

func (o *output) stage(rel, h string, fill func(io.Writer) error) error {
	full := filepath.Join(o.staging, filepath.FromSlash(rel))
	if err := o.mkdir(filepath.Dir(full)); err != nil {
		return err
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	// fill writes whole byte slices or copies a file (which the kernel
	// does file to file): no buffering needed.
	err = fill(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", rel, err)
	}
	o.mu.Lock()
	o.files[rel] = fileState{Hash: h}
	o.staged[rel] = true
	o.mu.Unlock()
	return nil
}

// mkdir makes a folder of the staging tree and its parents. Folders made
// are remembered, and a new one is tried with one mkdir before MkdirAll:
// most pages live in a folder of their own, under one that exists.
func (o *output) mkdir(dir string) error {
	if _, ok := o.dirs.Load(dir); ok {
		return nil
	}
	err := os.Mkdir(dir, 0o755)
	if errors.Is(err, fs.ErrExist) {
		err = nil // a file there makes the file's creation fail
	} else if err != nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return err
	}
	o.dirs.Store(dir, true)
	return nil
}

// has reports whether rel is part of this build's output.
func (o *output) has(rel string) bool {
	o.mu.Lock()
	_, ok := o.files[rel]
	o.mu.Unlock()
	return ok
}

// abort removes the staging folder; the destination is untouched.
func (o *output) abort() { os.RemoveAll(o.staging) }

// stats reports how many files were written and how many kept.
func (o *output) stats() (written, kept int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.staged), o.kept
}

// commit puts the build in place. A new destination is the staging folder
// renamed. An existing one gets each new or changed file renamed into it
// (each file is replaced atomically), then loses the files this build did
// not produce; the manifest is written last. If commit is interrupted, the
// next build sees the old manifest, rewrites what does not match it and
// removes what is stale: it converges.
func (o *output) commit() error {
	if o.fresh {
		if err := o.recordStats(o.staging); err != nil {
			return err
		}
		if err := o.writeManifest(o.staging); err != nil {
			return err
		}
		if err := os.Chmod(o.staging, 0o755); err != nil {
			return err
		}
		if fi, err := os.Stat(o.dest); err == nil && fi.IsDir() {
			os.Remove(o.dest) // empty, checked by readDest
		}
		if err := os.Rename(o.staging, o.dest); err != nil {
			return fmt.Errorf("putting the new output in place: %w", err)
		}
		return nil
	}
	names := o.stagedNames()
	marker := ""
	if o.statsFile != "" && len(names) > 0 {
		// Until the manifest is written, the destination may hold files
		// the manifest does not know: the next build must look.
		marker = o.statsFile + ".commit"
		if err := os.MkdirAll(filepath.Dir(marker), 0o755); err == nil {
			_ = os.WriteFile(marker, nil, 0o644)
		}
	}
	for _, rel := range names {
		from := filepath.Join(o.staging, filepath.FromSlash(rel))
		to := filepath.Join(o.dest, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			// A file stands where a folder must go: it is stale.
			if err := o.clearPath(filepath.Dir(to)); err != nil {
				return err
			}
		}
		if fi, err := os.Lstat(to); err == nil && fi.IsDir() {
			if err := os.RemoveAll(to); err != nil {
				return err
			}
		}
		if err := os.Rename(from, to); err != nil {
			return fmt.Errorf("putting %s in place: %w", rel, err)
		}
	}
	if err := o.recordStats(o.dest); err != nil {
		return err
	}
	o.removeStale()
	if err := o.writeManifest(o.staging); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(o.staging, manifestName), filepath.Join(o.dest, manifestName)); err != nil {
		return err
	}
	if marker != "" {
		os.Remove(marker)
	}
	return os.RemoveAll(o.staging)
}

// clearPath removes files that stand where folders of p must go.
func (o *output) clearPath(p string) error {
	for q := p; strings.HasPrefix(q, o.dest+string(filepath.Separator)); q = filepath.Dir(q) {
		if fi, err := os.Lstat(q); err == nil && !fi.IsDir() {
			if err := os.Remove(q); err != nil {
				return err
			}
			break
		}
	}
	return os.MkdirAll(p, 0o755)
}

func (o *output) stagedNames() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	names := make([]string, 0, len(o.staged))
	for n := range o.staged {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// recordStats fills size and mtime of the staged files as found in dir.
func (o *output) recordStats(dir string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for rel := range o.staged {
		fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		st := o.files[rel]
		st.Size, st.ModTime = fi.Size(), fi.ModTime().UnixNano()
		o.files[rel] = st
	}
	return nil
}

// removeStale deletes what the previous build wrote and this one did not,
// and every file the manifest does not know (left by an interrupted
// build), then empty folders.
func (o *output) removeStale() {
	if o.knownDest || o.lastClean {
		o.removeGone()
		return
	}
	var dirs []string
	filepath.WalkDir(o.dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(o.dest, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." {
				dirs = append(dirs, p)
			}
			return nil
		}
		if rel == manifestName {
			return nil
		}
		if _, ok := o.files[rel]; !ok {
			os.Remove(p)
		}
		return nil
	})
	// Deepest first, so parents empty out.
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
	for _, d := range dirs {
		os.Remove(d) // fails, harmlessly, when not empty
	}
}

func (o *output) writeManifest(dir string) error {
	o.mu.Lock()
	names := make([]string, 0, len(o.files))
	for n := range o.files {
		names = append(names, n)
	}
	sort.Strings(names)
	var b, st bytes.Buffer
	b.WriteString(manifestHeader + "\n")
	for _, n := range names {
		f := o.files[n]
		fmt.Fprintf(&b, "%s %s\n", f.Hash, n)
		fmt.Fprintf(&st, "%d %d %s\n", f.Size, f.ModTime, n)
	}
	o.mu.Unlock()
	if o.statsFile != "" {
		// Best effort: without it the next build hashes files instead.
		if err := os.MkdirAll(filepath.Dir(o.statsFile), 0o755); err == nil {
			tmp := o.statsFile + ".tmp"
			if os.WriteFile(tmp, st.Bytes(), 0o644) == nil {
				os.Rename(tmp, o.statsFile)
			}
		}
	}
	return os.WriteFile(filepath.Join(dir, manifestName), b.Bytes(), 0o644)
}

// create writes one file produced by fill (buffered, so unchanged bytes
// are detected like write's).
func (o *output) create(rel string, fill func(w io.Writer) error) error {
	var b bytes.Buffer
	if err := fill(&b); err != nil {
		return fmt.Errorf("writing %s: %w", rel, err)
	}
	return o.write(rel, b.Bytes())
}

// changed lists the files this build writes or removes, sorted.
func (o *output) changed() []string {
	names := o.stagedNames()
	o.mu.Lock()
	for rel := range o.prev {
		if _, ok := o.files[rel]; !ok {
			names = append(names, rel)
		}
	}
	o.mu.Unlock()
	sort.Strings(names)
	return names
}

// removeGone deletes the files of prev this build did not produce, then
// the folders that leaves empty.
func (o *output) removeGone() {
	dirs := map[string]bool{}
	for rel := range o.prev {
		if _, ok := o.files[rel]; ok {
			continue
		}
		os.Remove(filepath.Join(o.dest, filepath.FromSlash(rel)))
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	sorted := make([]string, 0, len(dirs))
	for d := range dirs {
		sorted = append(sorted, d)
	}
	// Deepest first, so parents empty out.
	sort.Slice(sorted, func(i, j int) bool { return len(sorted[i]) > len(sorted[j]) })
	for _, d := range sorted {
		os.Remove(filepath.Join(o.dest, filepath.FromSlash(d))) // fails, harmlessly, when not empty
	}
}
