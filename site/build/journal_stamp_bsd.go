//go:build darwin || freebsd || netbsd

package build

import (
	"io/fs"
	"os"
	"syscall"
)

// stampsSupported says whether stampOf sees ctimes and inodes here.
const stampsSupported = true

// stampOf is fi's stamp.
func stampOf(fi fs.FileInfo) stamp {
	s := stamp{Mode: uint32(fi.Mode()), Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.Ctime = int64(st.Ctimespec.Sec)*1e9 + int64(st.Ctimespec.Nsec)
		s.Ino = uint64(st.Ino)
	}
	return s
}

// lstamp is the stamp of the file at p, not following a symbolic link.
func lstamp(p string) (stamp, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return stamp{}, err
	}
	return stampOf(fi), nil
}
