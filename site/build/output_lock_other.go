//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package build

import (
	"os"
	"time"
)

// lockFile does nothing where flock is missing.
func lockFile(*os.File) error { return nil }

// ownerGone, without locks, takes a staging folder a day old for left
// behind.
func ownerGone(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && time.Since(fi.ModTime()) > 24*time.Hour
}
