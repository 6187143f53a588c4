//go:build unix

package userfile

import (
	"os"
	"syscall"
)

// openNoBlock opens path for reading without ever blocking (a FIFO opened
// with O_NONBLOCK returns at once) and refuses what the opened file turns
// out to be if it is not a regular file or a folder.
func openNoBlock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() && !fi.IsDir() {
		f.Close()
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	return f, nil
}
