//go:build !unix

package userfile

import "os"

// openNoBlock opens path and refuses what is not a regular file or a
// folder (without FIFOs of the Unix kind, a plain open cannot block here).
func openNoBlock(path string) (*os.File, error) {
	f, err := os.Open(path)
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
