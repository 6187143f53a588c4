package build

import (
	"bufio"
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
	"strings"
	"sync"
)

// manifestName is written into every output folder. It marks the folder as
// kiji's (kiji never replaces a folder without it unless the folder is
// empty) and lists each file with its hash, so a later build can leave
// unchanged files alone. Deploy leaves it out.
const manifestName = ".kiji-manifest"

// output collects a build's files in a staging folder beside the
// destination; commit swaps it in only when the build succeeded.
type output struct {
	dest    string // destination folder
	staging string

	mu    sync.Mutex
	files map[string]string // output path → sha256 hex
}

func newOutput(dest string) (*output, error) {
	dest = filepath.Clean(dest)
	if err := checkDest(dest); err != nil {
		return nil, err
	}
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("creating the parent of the output folder: %w", err)
	}
	staging, err := os.MkdirTemp(parent, "."+filepath.Base(dest)+".kiji-tmp-")
	if err != nil {
		return nil, fmt.Errorf("creating the staging folder beside %s: %w", dest, err)
	}
	return &output{dest: dest, staging: staging, files: map[string]string{}}, nil
}

// checkDest refuses to replace a folder kiji did not write.
func checkDest(dest string) error {
	fi, err := os.Stat(dest)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking the output folder: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("the output path %s is a file, not a folder; choose another --dest", dest)
	}
	if _, err := os.Stat(filepath.Join(dest, manifestName)); err == nil {
		return nil
	}
	entries, err := os.ReadDir(dest)
	if err != nil {
		return fmt.Errorf("reading the output folder: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("the output folder %s holds files kiji did not write (no %s in it); kiji replaces its output folder whole, so choose an empty or new --dest, or delete that folder", dest, manifestName)
	}
	return nil
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
	return c, nil
}

// write writes one file.
func (o *output) write(rel string, data []byte) error {
	return o.create(rel, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// create writes one file with a function.
func (o *output) create(rel string, fill func(w io.Writer) error) error {
	rel, err := cleanRel(rel)
	if err != nil {
		return err
	}
	o.mu.Lock()
	if _, dup := o.files[rel]; dup {
		o.mu.Unlock()
		return fmt.Errorf("two pages would be written to %s; give one of them another slug", rel)
	}
	o.files[rel] = ""
	o.mu.Unlock()
	full := filepath.Join(o.staging, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 64<<10)
	err = fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", rel, err)
	}
	o.mu.Lock()
	o.files[rel] = hex.EncodeToString(h.Sum(nil))
	o.mu.Unlock()
	return nil
}

// has reports whether rel was written.
func (o *output) has(rel string) bool {
	o.mu.Lock()
	_, ok := o.files[rel]
	o.mu.Unlock()
	return ok
}

// abort removes the staging folder; the destination is untouched.
func (o *output) abort() { os.RemoveAll(o.staging) }

// commit writes the manifest and swaps the staging folder in place of the
// destination. The old output is moved aside first and removed last, so at
// every moment either the old or the new site is complete on disk.
func (o *output) commit() error {
	names := make([]string, 0, len(o.files))
	for n := range o.files {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s  %s\n", o.files[n], n)
	}
	if err := os.WriteFile(filepath.Join(o.staging, manifestName), []byte(b.String()), 0o644); err != nil {
		return err
	}
	if err := os.Chmod(o.staging, 0o755); err != nil {
		return err
	}
	old := ""
	if _, err := os.Stat(o.dest); err == nil {
		old = o.staging + "-old"
		if err := os.Rename(o.dest, old); err != nil {
			return fmt.Errorf("moving the previous output aside: %w", err)
		}
	}
	if err := os.Rename(o.staging, o.dest); err != nil {
		if old != "" {
			_ = os.Rename(old, o.dest)
		}
		return fmt.Errorf("putting the new output in place: %w", err)
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}
