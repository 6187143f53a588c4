package build

import (
	"io/fs"
	"syscall"
)

// stampsSupported says whether stamps see ctimes and inodes here.
const stampsSupported = true

// lstamp is the stamp of the file at p, not following a symbolic link:
// one system call, nothing allocated (a site's stamps are tens of
// thousands).
func lstamp(p string) (stamp, error) {
	var st syscall.Stat_t
	for {
		err := syscall.Lstat(p, &st)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return stamp{}, &fs.PathError{Op: "lstat", Path: p, Err: err}
		}
		break
	}
	mode := fs.FileMode(st.Mode & 0o777)
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFREG:
	case syscall.S_IFDIR:
		mode |= fs.ModeDir
	case syscall.S_IFLNK:
		mode |= fs.ModeSymlink
	default:
		mode |= fs.ModeIrregular
	}
	return stamp{Mode: uint32(mode), Size: st.Size, Mtime: st.Mtim.Sec*1e9 + st.Mtim.Nsec,
		Ctime: st.Ctim.Sec*1e9 + st.Ctim.Nsec, Ino: st.Ino}, nil
}
