//go:build darwin || freebsd || netbsd

package build

import (
	"io/fs"
	"syscall"
)

// stampsSupported says whether stampOf sees ctimes and inodes here.
const stampsSupported = true

// stampOf is fi's stamp.
func stampOf(fi fs.FileInfo) stamp {
	s := stamp{Mode: uint32(fi.Mode()), Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.Ctime = st.Ctimespec.Sec*1e9 + st.Ctimespec.Nsec
		s.Ino = uint64(st.Ino)
	}
	return s
}
