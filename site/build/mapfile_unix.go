//go:build unix

package build

import (
	"os"
	"syscall"
)

// readCacheFile returns the bytes of the cache file at p (state.gob, the
// journal, the content snapshot), mapped read-only rather than copied:
// the 19 MB state of a 10,000-article site costs a rebuild a few hundred
// page faults instead of thousands, and no copy. The mapping is never
// undone (the strings decoded from it point into it); kiji replaces these
// files by renaming a new one over them, which leaves a mapping of the
// old one intact. (Truncating one by hand while a build reads it would
// end that build with a fault.) Where the file cannot be mapped, it is
// read.
func readCacheFile(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if n := fi.Size(); n > 0 && n == int64(int(n)) && fi.Mode().IsRegular() {
		if b, err := syscall.Mmap(int(f.Fd()), 0, int(n), syscall.PROT_READ, syscall.MAP_SHARED); err == nil {
			return b, nil
		}
	}
	return os.ReadFile(p)
}
