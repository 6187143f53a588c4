//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package build

import (
	"os"
	"syscall"
)

// lockFile takes the lock of a staging folder for this process; the
// kernel releases it when the process ends, however it ends.
func lockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// ownerGone reports whether the build that made a staging folder is gone:
// its lock can be taken.
func ownerGone(f *os.File) bool { return lockFile(f) == nil }
