package build

import (
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
// kiji's and lists each file kiji wrote there with its hash, so the next
// build can leave unchanged files alone and remove exactly the files it no
// longer writes. kiji never writes into a folder without a manifest
// unless the folder is empty, nor into one whose manifest does not parse
// or does not list most of what the folder holds (output_dest.go). Files
// a user adds (a CNAME, say) are kept, and each build says so. Deploy
// leaves the manifest out. The files' sizes and modification times, which
// differ from build to build, are kept in the cache folder instead
// (statsFile), so the output stays byte-identical.
const manifestName = ".kiji-manifest"

const manifestHeader = "kiji-manifest v1"

// fileState is one output file as the manifest records it.
type fileState struct {
	Hash    string // sha256, hex
	Size    int64
	ModTime int64 // unix nanoseconds, as found on disk after the build
}

// output collects a build's files. New or changed files go to a staging
// folder on the destination's file system; files whose bytes did not
// change are left where they are. commit puts the staged files in place
// and removes stale ones only when the build succeeded, so a failed build
// leaves the destination as it was (output_commit.go).
type output struct {
	dest      string // destination folder, symbolic links resolved
	shown     string // destination folder as the user named it
	statsFile string // sizes and mtimes, in the cache folder; "" for none
	stg       staging
	staging   string               // stg.dir
	prev      map[string]fileState // the destination's manifest; nil: none
	fresh     bool                 // the destination does not exist: staging becomes it

	// unknown lists the files in the destination kiji did not write, once
	// walked is closed (nil: no walk); walkErr is the walk's error.
	walked  chan struct{}
	unknown []string
	walkErr error

	// hashOf hashes a source file for copyFrom (default hashFile); a
	// Builder remembers hashes by size and mtime.
	hashOf func(fsys fs.FS, name string) (string, error)
	// knownDest says the destination holds exactly what prev lists (a
	// Builder's previous build committed it, in this process): files are
	// kept without checking them on disk.
	knownDest bool
	// checkNew: the destination was not walked for the files kiji did not
	// write (journal_outputs.go); commit looks where each new file goes.
	checkNew bool

	dirs sync.Map // staging folders known to exist
	jrn  *journal // of commit, once commitFirst or commit started it
	// committed is the manifest commit put in place (for the journal,
	// which hashes it: made again, it costs a sort of every name).
	committed []byte

	mu     sync.Mutex
	files  map[string]fileState // every file of this build
	staged map[string]bool      // files written to staging
	// gone is goneNames, made once for its callers (commit, the journal,
	// the report) while goneOK: a change to files clears it.
	gone   []string
	goneOK bool
	kept   int
}

// newOutputKnown opens the output folder dest for a build. When its files
// are known (a Builder's previous build, in this process), known is taken
// for its manifest and stats, which are not read again; with nil they are
// read from dest.
func newOutputKnown(dest, cacheDir string, known map[string]fileState) (*output, error) {
	return openOutput(dest, cacheDir, known, true)
}

// openOutput is newOutputKnown; walk false leaves the destination
// unwalked for the files kiji did not write (the caller knows them: see
// trustOutput).
func openOutput(dest, cacheDir string, known map[string]fileState, walk bool) (*output, error) {
	dest = filepath.Clean(dest)
	if _, err := os.Stat(dest); err != nil {
		known = nil // gone since: look again
	}
	o := &output{dest: dest, shown: dest, prev: known, files: map[string]fileState{}, staged: map[string]bool{}}
	if known == nil {
		d, err := inspectDest(dest)
		if err != nil {
			return nil, err
		}
		o.dest, o.prev, o.fresh = d.real, d.prev, !d.exists
	} else if real, err := filepath.EvalSymlinks(dest); err == nil {
		o.dest = real
	}
	if cacheDir != "" {
		abs, _ := filepath.Abs(dest)
		sum := sha256.Sum256([]byte(abs))
		o.statsFile = filepath.Join(cacheDir, "output-"+hex.EncodeToString(sum[:8])+".stats")
		if known == nil {
			readStats(o.statsFile, o.prev)
		}
	}
	if known == nil && !o.fresh && walk {
		o.startWalk() // reads prev: after readStats
	}
	parent, prefix := o.dest, "."
	if o.fresh {
		parent, prefix = filepath.Dir(dest), "."+filepath.Base(dest)+"."
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return nil, fmt.Errorf("creating the parent of the output folder: %w", err)
		}
	}
	if known == nil {
		cleanLeftStaging(filepath.Dir(dest), "."+filepath.Base(dest)+".")
	}
	st, err := makeStaging(parent, prefix)
	if err != nil {
		return nil, fmt.Errorf("creating a staging folder in %s: %w", parent, err)
	}
	o.stg, o.staging = st, st.dir
	return o, nil
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
	if c == "." || c == ".." || strings.HasPrefix(c, "../") || c != p {
		return "", fmt.Errorf("the output path %q would leave the output folder", p)
	}
	if strings.HasPrefix(c, ".kiji-") {
		// The manifest, staging folders, backups: kiji's own names.
		return "", fmt.Errorf("the output path %q is reserved for kiji; rename it", p)
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
	o.goneOK = false
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
	buf := hashBufs.Get().(*[32 << 10]byte)
	defer hashBufs.Put(buf)
	// Only f's Read: an *os.File's WriteTo would make a buffer of its own
	// for each file (75 MB of garbage for 2,400 images).
	if _, err := io.CopyBuffer(h, struct{ io.Reader }{f}, buf[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashBufs are hashFile's buffers.
var hashBufs = sync.Pool{New: func() any { return new([32 << 10]byte) }}

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
		o.goneOK = false
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
	o.goneOK = false
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
	o.goneOK = false
	o.mu.Unlock()
	return false
}

// release undoes unchanged(rel, …): rel may be written again.
func (o *output) release(rel string) {
	rel, err := cleanRel(rel)
	if err != nil {
		return
	}
	o.mu.Lock()
	delete(o.files, rel)
	o.goneOK = false
	o.mu.Unlock()
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
	o.goneOK = false
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

// abort removes the staging folder; the destination is left as it was
// (what commitFirst put in place is put back).
func (o *output) abort() {
	if o.jrn != nil {
		o.jrn.rollback()
		o.jrn = nil
	}
	o.stg.release()
}

// stats reports how many files were written and how many kept.
func (o *output) stats() (written, kept int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.staged), o.kept
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
		o.files[rel] = st // a file of files: goneNames stays
	}
	return nil
}

// changed lists the files this build writes or removes, sorted.
func (o *output) changed() []string {
	names := append(o.stagedNames(), o.goneNames()...)
	sort.Strings(names)
	return names
}

// fileNames lists this build's files, in no order.
func (o *output) fileNames() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	names := make([]string, 0, len(o.files))
	for n := range o.files {
		names = append(names, n)
	}
	return names
}
