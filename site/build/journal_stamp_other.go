//go:build !linux && !darwin && !freebsd && !netbsd

package build

import (
	"io/fs"
	"os"
)

// stampsSupported says whether stampOf sees ctimes and inodes here: not
// on this system, where every build is a full one.
const stampsSupported = false

// stampOf is fi's stamp, without ctime or inode.
func stampOf(fi fs.FileInfo) stamp {
	return stamp{Mode: uint32(fi.Mode()), Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
}

// lstamp is the stamp of the file at p, not following a symbolic link.
func lstamp(p string) (stamp, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return stamp{}, err
	}
	return stampOf(fi), nil
}
