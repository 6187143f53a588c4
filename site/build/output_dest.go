package build

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kiji-ssg/kiji/site/diag"
)

// destInfo is what a build finds in its output folder before it starts.
type destInfo struct {
	real   string               // the folder, symbolic links resolved
	exists bool                 // the folder exists (it may be empty)
	prev   map[string]fileState // its manifest; nil: none
}

// inspectDest checks the output folder and reads its manifest. kiji
// writes only into a folder that does not exist, is empty, or is its own:
// the folder's .kiji-manifest parses and lists most of what the folder
// holds. Anything else is refused with an error that says what to do.
func inspectDest(dest string) (destInfo, error) {
	d := destInfo{real: dest}
	fi, err := os.Lstat(dest)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("checking the output folder: %w", err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		// Build into the folder the link points to; the link stays.
		real, err := filepath.EvalSymlinks(dest)
		if err != nil {
			target, _ := os.Readlink(dest)
			return d, fmt.Errorf("the output folder %s is a symbolic link to %s, which does not exist; create that folder or choose another --dest: %w", dest, target, err)
		}
		d.real = real
		if fi, err = os.Stat(real); err != nil {
			return d, fmt.Errorf("checking the output folder: %w", err)
		}
	}
	if !fi.IsDir() {
		return d, fmt.Errorf("the output path %s is a file, not a folder; choose another --dest", dest)
	}
	d.exists = true
	cleanLeftStaging(d.real, ".")
	b, err := os.ReadFile(filepath.Join(d.real, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return d, checkEmpty(dest, d.real)
	}
	if err != nil {
		return d, notKijis(dest, fmt.Sprintf("its %s cannot be read (%v)", manifestName, err))
	}
	prev, err := parseManifest(b)
	if err != nil {
		return d, notKijis(dest, fmt.Sprintf("its %s %v", manifestName, err))
	}
	d.prev = prev
	return d, checkListed(dest, d.real, prev)
}

// checkListed refuses a folder whose manifest does not list most of what
// the folder holds at its top: a manifest planted in a folder of other
// files, or copied from elsewhere. (The files deeper down are compared
// with the manifest while the build runs: see output.walk.)
func checkListed(dest, real string, prev map[string]fileState) error {
	entries, err := os.ReadDir(real)
	if err != nil {
		return fmt.Errorf("reading the output folder: %w", err)
	}
	tops := map[string]bool{}
	for rel := range prev {
		top, _, _ := strings.Cut(rel, "/")
		tops[top] = true
	}
	listed, n := 0, 0
	for _, e := range entries {
		if e.Name() == manifestName || isStagingName(e.Name(), ".") {
			continue
		}
		n++
		if tops[e.Name()] {
			listed++
		}
	}
	if n > 0 && (listed == 0 || n-listed > listed) {
		return notKijis(dest, fmt.Sprintf("its %s lists %d of the %d files and folders in it", manifestName, listed, n))
	}
	return nil
}

// checkEmpty accepts a folder without a manifest only if it holds no
// files (empty folders, such as mount points for images, are fine).
func checkEmpty(dest, real string) error {
	errFound := errors.New("found")
	first := ""
	err := filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case p == real:
			return nil
		case filepath.Dir(p) == real && isStagingName(d.Name(), "."):
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		case d.IsDir():
			return nil
		}
		first = p
		return errFound
	})
	if err == errFound {
		return fmt.Errorf("the output folder %s holds files kiji did not write (%s, for one; there is no %s in it); kiji writes only into a folder it made, so choose an empty or new --dest, or delete that folder", dest, first, manifestName)
	}
	if err != nil {
		return fmt.Errorf("reading the output folder: %w", err)
	}
	return nil
}

func notKijis(dest, why string) error {
	return fmt.Errorf("the output folder %s is not one kiji wrote: %s; kiji writes only into a folder it made, so choose an empty or new --dest (or, if %s is an old output of kiji's that you do not need, delete it)", dest, why, dest)
}

// parseManifest reads a manifest: a header line, then one line per file,
// "sha256-hex path". Anything else is an error: a file kiji did not write.
func parseManifest(b []byte) (map[string]fileState, error) {
	if len(b) == 0 {
		return nil, errors.New("is empty")
	}
	lines := bytes.Split(b, []byte("\n"))
	if string(lines[0]) != manifestHeader {
		return nil, fmt.Errorf("does not start with %q", manifestHeader)
	}
	if len(lines[len(lines)-1]) != 0 {
		return nil, errors.New("is cut short (no newline at its end)")
	}
	m := make(map[string]fileState, len(lines))
	for i, l := range lines[1 : len(lines)-1] {
		h, rel, ok := strings.Cut(string(l), " ")
		if !ok || !isHexHash(h) {
			return nil, fmt.Errorf("line %d is not \"hash path\"", i+2)
		}
		if _, err := cleanRel(rel); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+2, err)
		}
		if _, dup := m[rel]; dup {
			return nil, fmt.Errorf("line %d lists %s again", i+2, rel)
		}
		m[rel] = fileState{Hash: h, Size: -1}
	}
	return m, nil
}

func isHexHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for _, c := range h {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// walkDest lists the files of the folder its manifest does not list (the
// manifest and kiji's staging folders left out), and counts the others.
func walkDest(real string, prev map[string]fileState) (listed int, unknown []string, err error) {
	err = filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == real {
			return nil
		}
		rel := filepath.ToSlash(p[len(real)+1:])
		if !strings.Contains(rel, "/") && (rel == manifestName || isStagingName(rel, ".")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if _, ok := prev[rel]; ok {
			listed++
		} else {
			unknown = append(unknown, rel)
		}
		return nil
	})
	sort.Strings(unknown)
	return listed, unknown, err
}

// maxKeptWarnings is how many kept files a build names one by one.
const maxKeptWarnings = 10

// warnUnknown says which files of the output folder kiji did not write:
// it keeps them (a CNAME, say), but they are not part of the site's
// source, so a build elsewhere (CI) will not have them.
func (o *output) warnUnknown(probs *diag.List, source string) {
	if o.walkUnknown() != nil {
		return // commit reports it
	}
	var kept []string
	for _, rel := range o.unknown {
		if !o.has(rel) { // else commit refuses to replace it
			kept = append(kept, rel)
		}
	}
	for i, rel := range kept {
		if i == maxKeptWarnings {
			probs.Warnf(filepath.ToSlash(o.shown), 0, 0, "and %d more files kiji did not write are kept", len(kept)-i)
			return
		}
		probs.Warnf(filepath.ToSlash(filepath.Join(o.shown, filepath.FromSlash(rel))), 0, 0,
			"kiji did not write this file and keeps it; to publish it with the site wherever it is built, move it to %s",
			filepath.ToSlash(filepath.Join(source, "static", filepath.FromSlash(rel))))
	}
}

// startWalk lists, in the background, the files of the destination its
// manifest does not list: the files a user added, which are kept.
func (o *output) startWalk() {
	o.walked = make(chan struct{})
	go func() {
		defer close(o.walked)
		_, o.unknown, o.walkErr = walkDest(o.dest, o.prev)
	}()
}

// walkUnknown waits for the walk and returns its error.
func (o *output) walkUnknown() error {
	if o.walked == nil {
		return nil
	}
	<-o.walked
	if o.walkErr != nil {
		return fmt.Errorf("reading the output folder %s: %w", o.shown, o.walkErr)
	}
	return nil
}
