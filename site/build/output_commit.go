package build

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// commitStep, when tests set it, is called before each change commit
// makes to the destination (op is "manifest", "put", "remove" or "swap");
// an error it returns makes that change fail.
var commitStep func(op, rel string) error

func commitHook(op, rel string) error {
	if commitStep == nil {
		return nil
	}
	return commitStep(op, rel)
}

// commit puts the build in place.
//
// A destination that did not exist is the staging folder renamed: all at
// once. An existing one is changed file by file, each file replaced
// atomically, in an order that keeps every page whole at every moment:
//
//  1. a manifest listing the old files and the new ones, so that whatever
//     happens next, the folder's manifest lists every file kiji put there
//     (when no file is new, the manifest in place does);
//  2. the new and changed files that are not pages (stylesheets, images),
//     then the pages that link to them;
//  3. the removal of the files the previous build wrote and this one did
//     not (the old stylesheets last of all);
//  4. the manifest of this build.
//
// If a change fails (a file that cannot be replaced), every change made
// is undone: replaced and removed files were first linked (or copied)
// into the staging folder, and are put back. If the process is killed, the
// next build finds the manifest of step 1 and repairs the folder.
//
// commitFirst may have put some of the files in place already: commit
// puts the rest, and undoes both on failure.
func (o *output) commit() error {
	if o.fresh {
		return o.commitFresh()
	}
	j, err := o.startJournal()
	if err != nil {
		return err
	}
	if err := j.failed(j.run()); err != nil {
		return err
	}
	o.jrn = nil // done: nothing for abort to undo
	o.writeStats()
	o.stg.release()
	return nil
}

// commitFirst puts in place, ahead of commit, the files staged so far
// that first selects and removes the stale ones it selects (steps 1 to 3
// of commit for them), while other files are still being written (the
// search index of a dev build, whose pages are shown before it is done):
// every file but those it does not select must be written by then. The
// final manifest waits for commit. It reports the files it put or
// removed, sorted; on failure, what it did is undone. A fresh destination
// is left to commit.
func (o *output) commitFirst(first func(rel string) bool) ([]string, error) {
	if o.fresh {
		return nil, nil
	}
	j, err := o.startJournal()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, rel := range o.stagedNames() {
		if first(rel) && !j.put[rel] {
			names = append(names, rel)
		}
	}
	if err := j.failed(j.putAll(names)); err != nil {
		return nil, err
	}
	// The stale files it selects go too: a page that linked to them was
	// put in place with the rest.
	var gone []string
	for _, rel := range o.goneNames() {
		if first(rel) {
			gone = append(gone, rel)
		}
	}
	if err := j.failed(j.removeAll(func(rel string) bool { return first(rel) })); err != nil {
		return nil, err
	}
	names = append(names, gone...)
	slices.Sort(names)
	return names, nil
}

// putEarly puts the staged pages names in place, ahead of commitFirst and
// commit, while the rest of the build is still to be written (the pages
// of the articles a dev build changed, shown first); on failure, what it
// did is undone. A fresh destination is left to commit.
func (o *output) putEarly(names []string) error {
	if o.fresh {
		return nil
	}
	j, err := o.startJournal()
	if err != nil {
		return err
	}
	return j.failed(j.putAll(names))
}

// startJournal checks the destination (again: files staged since the
// last call are checked too) and starts the journal of commit, once:
// putEarly, commitFirst and commit share it.
func (o *output) startJournal() (*journal, error) {
	if err := o.checkInTheWay(); err != nil {
		return nil, err
	}
	if o.jrn != nil {
		return o.jrn, nil
	}
	old, err := os.ReadFile(filepath.Join(o.dest, manifestName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading the manifest of %s: %w", o.shown, err)
	}
	o.jrn = &journal{o: o, backup: filepath.Join(o.staging, backupDir), oldManifest: old, put: map[string]bool{}}
	return o.jrn, nil
}

// failed undoes the journal's changes after err (nil: nothing to undo).
func (j *journal) failed(err error) error {
	if err == nil {
		return nil
	}
	err = fmt.Errorf("putting the new output in place: %w", err)
	j.o.jrn = nil // undone here
	if rerr := j.rollback(); rerr != nil {
		return fmt.Errorf("%w; putting the previous output back failed too (%v): build again to repair %s", err, rerr, j.o.shown)
	}
	return fmt.Errorf("%w; %s was left as it was", err, j.o.shown)
}

// backupDir holds, in the staging folder, the files commit replaced or
// removed until it is done (cleanRel keeps output files out of it).
const backupDir = ".kiji-old"

// commitFresh renames the staging folder to the destination.
func (o *output) commitFresh() error {
	o.recordStats(o.staging)
	if err := commitHook("manifest", ""); err != nil {
		return err
	}
	m := o.manifest(nil)
	if err := os.WriteFile(filepath.Join(o.staging, manifestName), m, 0o644); err != nil {
		return err
	}
	o.committed = m
	if err := os.Chmod(o.staging, 0o755); err != nil {
		return err
	}
	if err := commitHook("swap", ""); err != nil {
		return err
	}
	if err := os.Rename(o.staging, o.dest); err != nil {
		return fmt.Errorf("putting the new output in place: %w", err)
	}
	o.writeStats()
	o.stg.unlock() // the folder is the destination now
	return nil
}

// checkInTheWay refuses to replace a file kiji did not write (or a folder
// holding one) with one of this build's files, before anything changes.
func (o *output) checkInTheWay() error {
	if err := o.walkUnknown(); err != nil {
		return err
	}
	var bad []string
	if o.checkNew {
		bad = o.newInTheWay() // journal_outputs.go
	}
	if len(o.unknown) == 0 {
		return inTheWay(bad)
	}
	files, dirs := map[string]bool{}, map[string]bool{}
	for _, u := range o.unknown {
		files[u] = true
		for d := path.Dir(u); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	for _, rel := range o.stagedNames() {
		hit := files[rel] || dirs[rel]
		for d := path.Dir(rel); d != "." && !hit; d = path.Dir(d) {
			hit = files[d]
		}
		if hit {
			bad = append(bad, filepath.Join(o.shown, filepath.FromSlash(rel)))
		}
	}
	return inTheWay(bad)
}

// inTheWay is the error of files kiji did not write where a build writes
// (nil for none).
func inTheWay(bad []string) error {
	if len(bad) == 0 {
		return nil
	}
	bad = slices.Compact(slices.Sorted(slices.Values(bad)))
	return fmt.Errorf("the output folder holds %s, which kiji did not write, where this build writes the site's own; move it away or delete it (kiji writes it from now on)", strings.Join(bad, ", "))
}

// journal makes commit's changes and remembers how to undo them.
type journal struct {
	o           *output
	backup      string
	oldManifest []byte // nil: there was none
	done        []change
	kept        int             // files in the backup folder
	put         map[string]bool // files already put in place or removed (commitFirst)
}

type change struct {
	rel    string
	backup string // where the old file was kept; "": there was none
}

// run makes the changes of commit, steps 1 to 4.
func (j *journal) run() error {
	o := j.o
	left := func(rel string) bool { return !j.put[rel] }
	if err := j.putAll(slices.DeleteFunc(o.stagedNames(), j.isPut)); err != nil {
		return err
	}
	if err := j.removeAll(left); err != nil {
		return err
	}
	o.recordStats(o.dest)
	m := o.manifest(nil)
	if err := j.putManifest(m); err != nil {
		return err
	}
	o.committed = m
	return nil
}

func (j *journal) isPut(rel string) bool { return j.put[rel] }

// removeAll removes the stale files of the destination that which
// selects (step 3 of commit).
func (j *journal) removeAll(which func(rel string) bool) error {
	var gone []string
	for _, rel := range j.o.goneNames() {
		if !which(rel) {
			continue
		}
		if err := j.remove(rel); err != nil {
			return fmt.Errorf("removing %s: %w", rel, err)
		}
		j.put[rel] = true
		gone = append(gone, rel)
	}
	j.o.removeEmptyDirs(gone)
	return nil
}

// putAll puts the staged files names in place (steps 1 and 2 of commit).
func (j *journal) putAll(names []string) error {
	o := j.o
	// With no new name, that manifest is the one in place: not written.
	if slices.ContainsFunc(names, func(rel string) bool { _, ok := o.prev[rel]; return !ok }) {
		if err := j.putManifest(o.manifest(o.prev)); err != nil {
			return err
		}
	}
	for _, pages := range []bool{false, true} {
		for _, rel := range names {
			if strings.HasSuffix(rel, ".html") != pages {
				continue
			}
			if err := j.putFile(rel); err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			j.put[rel] = true
		}
	}
	return nil
}

// putManifest replaces the destination's manifest with b.
func (j *journal) putManifest(b []byte) error {
	if err := commitHook("manifest", ""); err != nil {
		return err
	}
	return j.writeManifest(b)
}

func (j *journal) writeManifest(b []byte) error {
	tmp := filepath.Join(j.o.staging, manifestName)
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(j.o.dest, manifestName))
}

// putFile moves a staged file into place.
func (j *journal) putFile(rel string) error {
	if err := commitHook("put", rel); err != nil {
		return err
	}
	to := filepath.Join(j.o.dest, filepath.FromSlash(rel))
	if err := j.makeParent(rel); err != nil {
		return err
	}
	fi, err := os.Lstat(to)
	if err == nil && fi.IsDir() {
		if err := j.clearDir(rel); err != nil {
			return err
		}
		err = fs.ErrNotExist
	}
	c := change{rel: rel}
	switch {
	case err == nil:
		if c.backup, err = j.keepOld(rel, false); err != nil {
			return err
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if err := moveFile(filepath.Join(j.o.staging, filepath.FromSlash(rel)), to); err != nil {
		if c.backup != "" {
			os.Remove(c.backup)
		}
		return err
	}
	j.done = append(j.done, c)
	return nil
}

// remove moves a stale file of the destination into the backup folder.
func (j *journal) remove(rel string) error {
	if err := commitHook("remove", rel); err != nil {
		return err
	}
	fi, err := os.Lstat(filepath.Join(j.o.dest, filepath.FromSlash(rel)))
	if errors.Is(err, fs.ErrNotExist) || (err == nil && fi.IsDir()) {
		return nil // gone already, or replaced by a folder of the user's
	}
	backup, err := j.keepOld(rel, true)
	if err != nil {
		return err
	}
	j.done = append(j.done, change{rel: rel, backup: backup})
	return nil
}

// keepOld puts the destination's rel in the backup folder, under a
// number (no folders to make): moved there when it is being removed, else
// linked (or, where links are not possible, copied), so that it stays in
// place until it is replaced. It returns where.
func (j *journal) keepOld(rel string, move bool) (string, error) {
	if j.kept == 0 {
		if err := os.Mkdir(j.backup, 0o755); err != nil {
			return "", err
		}
	}
	j.kept++
	from, to := filepath.Join(j.o.dest, filepath.FromSlash(rel)), filepath.Join(j.backup, strconv.Itoa(j.kept))
	var err error
	switch {
	case move:
		err = moveFile(from, to)
	case os.Link(from, to) == nil:
	default:
		err = copyFile(from, to)
	}
	if err != nil {
		return "", err
	}
	return to, nil
}

// makeParent makes the folder rel goes in. A stale file of the previous
// build that stands where a folder must go is removed first.
func (j *journal) makeParent(rel string) error {
	dir := path.Dir(rel)
	if dir == "." {
		return nil
	}
	err := os.MkdirAll(filepath.Join(j.o.dest, filepath.FromSlash(dir)), 0o755)
	if err == nil {
		return nil
	}
	for d := dir; d != "."; d = path.Dir(d) {
		fi, lerr := os.Lstat(filepath.Join(j.o.dest, filepath.FromSlash(d)))
		if lerr != nil || fi.IsDir() {
			continue
		}
		if _, old := j.o.prev[d]; !old || j.o.has(d) {
			return fmt.Errorf("%s is a file kiji did not write, where this build needs a folder: %w", d, err)
		}
		if err := j.remove(d); err != nil {
			return err
		}
		return os.MkdirAll(filepath.Join(j.o.dest, filepath.FromSlash(dir)), 0o755)
	}
	return err
}

// clearDir removes the folder dir of the destination, where this build
// writes a file: its files must be stale files of the previous build.
func (j *journal) clearDir(dir string) error {
	var stale []string
	for rel := range j.o.prev {
		if strings.HasPrefix(rel, dir+"/") && !j.o.has(rel) {
			stale = append(stale, rel)
		}
	}
	sort.Strings(stale)
	for _, rel := range stale {
		if err := j.remove(rel); err != nil {
			return err
		}
	}
	j.o.removeEmptyDirs(stale)
	if err := os.Remove(filepath.Join(j.o.dest, filepath.FromSlash(dir))); err != nil {
		return fmt.Errorf("%s is a folder holding files kiji did not write, where this build writes a file: %w", dir, err)
	}
	return nil
}

// rollback undoes the changes made, last first, and puts the previous
// manifest back.
func (j *journal) rollback() error {
	var errs []error
	for i := len(j.done) - 1; i >= 0; i-- {
		c := j.done[i]
		to := filepath.Join(j.o.dest, filepath.FromSlash(c.rel))
		if c.backup == "" {
			if err := os.Remove(to); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		os.MkdirAll(filepath.Dir(to), 0o755)
		if err := moveFile(c.backup, to); err != nil {
			errs = append(errs, err)
		}
	}
	if err := j.restoreManifest(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (j *journal) restoreManifest() error {
	if j.oldManifest == nil {
		err := os.Remove(filepath.Join(j.o.dest, manifestName))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	return j.writeManifest(j.oldManifest)
}

// moveFile renames from to to; across file systems (a mount point inside
// the destination), it copies and then renames within to's folder.
func moveFile(from, to string) error {
	err := os.Rename(from, to)
	if !errors.Is(err, syscall.EXDEV) {
		return err
	}
	tmp := to + ".kiji-new"
	if err := copyFile(from, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, to); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Remove(from)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// goneNames lists the files of the previous build this one did not
// produce, sorted. The slice is shared: callers do not change it.
func (o *output) goneNames() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.goneOK {
		return o.gone
	}
	var gone []string
	for rel := range o.prev {
		if _, ok := o.files[rel]; !ok {
			gone = append(gone, rel)
		}
	}
	sort.Strings(gone)
	o.gone, o.goneOK = gone, true
	return gone
}

// removeEmptyDirs removes the folders of the destination that removing
// rels left empty, deepest first.
func (o *output) removeEmptyDirs(rels []string) {
	dirs := map[string]bool{}
	for _, rel := range rels {
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	sorted := make([]string, 0, len(dirs))
	for d := range dirs {
		sorted = append(sorted, d)
	}
	sort.Slice(sorted, func(i, k int) bool { return len(sorted[i]) > len(sorted[k]) })
	for _, d := range sorted {
		os.Remove(filepath.Join(o.dest, filepath.FromSlash(d))) // fails, harmlessly, when not empty
	}
}

// manifest is the manifest of this build's files, and of the files of
// prev not among them (the union commit writes first).
func (o *output) manifest(prev map[string]fileState) []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	all := make(map[string]string, len(o.files)+len(prev))
	for n, f := range o.files {
		if f.Hash != "" { // "": claimed, still being written (commitFirst)
			all[n] = f.Hash
		}
	}
	for n, f := range prev {
		all[n] = f.Hash // what is on disk until the new file is in place
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	b := make([]byte, 0, len(names)*(64+40))
	b = append(b, manifestHeader+"\n"...)
	for _, n := range names {
		b = append(append(append(append(b, all[n]...), ' '), n...), '\n')
	}
	return b
}

// writeStats records the files' sizes and mtimes in the cache folder;
// best effort: without them the next build hashes files instead.
func (o *output) writeStats() {
	if o.statsFile == "" {
		return
	}
	o.mu.Lock()
	names := make([]string, 0, len(o.files))
	for n := range o.files {
		names = append(names, n)
	}
	sort.Strings(names)
	st := make([]byte, 0, len(names)*64)
	for _, n := range names {
		f := o.files[n]
		st = strconv.AppendInt(st, f.Size, 10)
		st = append(st, ' ')
		st = strconv.AppendInt(st, f.ModTime, 10)
		st = append(append(append(st, ' '), n...), '\n')
	}
	o.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(o.statsFile), 0o755); err == nil {
		tmp := o.statsFile + ".tmp"
		if os.WriteFile(tmp, st, 0o644) == nil {
			os.Rename(tmp, o.statsFile)
		}
	}
}
