package serve

import (
	"io/fs"
	"syscall"
)

// changeStamp is a file's change time (ns) and inode.
func changeStamp(fi fs.FileInfo) (ctime int64, ino uint64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0
	}
	return st.Ctim.Sec*1e9 + st.Ctim.Nsec, st.Ino
}
