package build

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A build writes its files into a staging folder on the file system of
// the output folder, so that each can be renamed into place: beside the
// output folder when it does not exist yet (the staging folder then
// becomes it), inside it otherwise (it may be a mount point, or a link to
// another file system). The staging folder NAME has a lock file NAME.lock
// beside it, locked while the build runs. A build that is killed leaves
// both; the next build removes a staging folder whose lock it can take
// (its owner is gone), and never a folder without one.
const stagingInfix = "kiji-tmp-"

// staging is a build's staging folder and its lock.
type staging struct {
	dir  string
	lock *os.File
}

// makeStaging creates a staging folder in parent, named prefix +
// "kiji-tmp-" + digits, with its lock taken.
func makeStaging(parent, prefix string) (staging, error) {
	for range 100 {
		var b [4]byte
		rand.Read(b[:])
		dir := filepath.Join(parent, prefix+stagingInfix+strconv.FormatUint(uint64(binary.BigEndian.Uint32(b[:])), 10))
		f, err := os.OpenFile(dir+".lock", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return staging{}, err
		}
		if err := lockFile(f); err != nil {
			// Another build's clean-up holds it for a moment: another name.
			f.Close()
			os.Remove(dir + ".lock")
			continue
		}
		if err := os.Mkdir(dir, 0o755); err != nil {
			f.Close()
			os.Remove(dir + ".lock")
			if errors.Is(err, fs.ErrExist) {
				continue
			}
			return staging{}, err
		}
		return staging{dir: dir, lock: f}, nil
	}
	return staging{}, fmt.Errorf("no free staging folder name in %s", parent)
}

// release removes the staging folder (whatever is left in it) and its
// lock.
func (s staging) release() {
	if s.dir == "" {
		return
	}
	os.RemoveAll(s.dir)
	os.Remove(s.dir + ".lock")
	if s.lock != nil {
		s.lock.Close()
	}
}

// unlock removes the lock of a staging folder that became the
// destination.
func (s staging) unlock() {
	os.Remove(s.dir + ".lock")
	if s.lock != nil {
		s.lock.Close()
	}
}

// isStagingName reports whether name is one a staging folder (or its
// lock) made with prefix gets.
func isStagingName(name, prefix string) bool {
	rest, ok := strings.CutPrefix(name, prefix+stagingInfix)
	if !ok {
		return false
	}
	rest = strings.TrimSuffix(rest, ".lock")
	if rest == "" {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// cleanLeftStaging removes the staging folders in parent that builds
// which were killed left behind.
func cleanLeftStaging(parent, prefix string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".lock") || !isStagingName(name, prefix) || !e.Type().IsRegular() {
			continue
		}
		lock := filepath.Join(parent, name)
		f, err := os.OpenFile(lock, os.O_RDWR, 0)
		if err != nil {
			continue
		}
		if ownerGone(f) {
			dir := strings.TrimSuffix(lock, ".lock")
			if fi, err := os.Lstat(dir); err == nil && fi.IsDir() {
				os.RemoveAll(dir)
			}
			os.Remove(lock)
		}
		f.Close()
	}
}
