// Package userfile reads the author's files — articles, chapters, YAML,
// images, theme files — so that no file can hang a build or exhaust its
// memory.
//
// kiji reads only regular files (after following symlinks): opening a
// named pipe (FIFO) blocks until someone writes to it, and a device such as
// /dev/zero never ends. Every read here is bounded by a size limit, so a
// huge file is refused with a message instead of filling memory.
//
//	fsys := userfile.DirFS("content")  // os.DirFS, but Open refuses pipes and devices
//	b, err := userfile.ReadFile(fsys, "articles/a.md", userfile.TextLimit)
//
// DirFS checks a file with Stat before it opens it, opens it without
// blocking (O_NONBLOCK) and checks the opened file again, so a file swapped
// for a FIFO between the check and the open cannot block either. ReadFile
// works on any fs.FS (it checks with fs.Stat first), and DirFS closes the
// race that remains.
//
// The errors say what the file is and what to do: *NotRegularError and
// *TooLargeError; callers report them at the file's path.
package userfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// Default limits of one file.
const (
	// TextLimit bounds a Markdown or YAML file (articles, chapters,
	// config.yaml, kiji.yaml, theme templates): 10 MB, a hundred times the
	// longest real article.
	TextLimit int64 = 10 << 20
	// ImageLimit bounds an image, a static file or a theme asset.
	ImageLimit int64 = 50 << 20
)

// NotRegularError is a path that is not a regular file: a FIFO, a device,
// a socket or a folder where a file was expected.
type NotRegularError struct {
	Path   string
	Mode   fs.FileMode
	Target string // where the symlink at Path points, when it is one
}

func (e *NotRegularError) Error() string { return e.Path + " " + e.Reason() }

// Reason is the message without the path: "is a named pipe (FIFO), …".
func (e *NotRegularError) Reason() string {
	what := kind(e.Mode)
	if e.Target != "" {
		what = "a symlink to " + e.Target + ", which is " + what
	}
	return fmt.Sprintf("is %s, not a regular file: kiji reads only regular files; replace it with the file itself or remove it", what)
}

func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeDevice != 0 || m&fs.ModeCharDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a folder"
	}
	return "a special file (" + m.Type().String() + ")"
}

// TooLargeError is a file over its size limit.
type TooLargeError struct {
	Path  string
	Size  int64 // the size found (at least Limit+1 when it grew while read)
	Limit int64
}

func (e *TooLargeError) Error() string { return e.Path + " " + e.Reason() }

// Reason is the message without the path: "is 12 MB, over the limit of 10 MB for one file".
func (e *TooLargeError) Reason() string {
	size, limit := SizeText(e.Size), SizeText(e.Limit)
	if size == limit {
		size = strconv.FormatInt(e.Size, 10) + " bytes"
	}
	return fmt.Sprintf("is %s, over the limit of %s for one file", size, limit)
}

// Reason returns what is wrong with a file that ReadFile or Open refused
// ("is a named pipe (FIFO), …"), without its path; ok is false for other
// errors.
func Reason(err error) (reason string, ok bool) {
	var nr *NotRegularError
	if errors.As(err, &nr) {
		return nr.Reason(), true
	}
	var tl *TooLargeError
	if errors.As(err, &tl) {
		return tl.Reason(), true
	}
	return "", false
}

// Check returns the error ReadFile would give for a file with info fi
// under limit (limit <= 0: no size limit), without opening it; fi is from
// fs.Stat (symlinks followed).
func Check(fsys fs.FS, name string, fi fs.FileInfo, limit int64) error {
	return check(fsys, name, fi, limit)
}

// SizeText writes n bytes for people: "5 bytes", "2 KB", "7.5 MB".
func SizeText(n int64) string {
	units := []string{"bytes", "KB", "MB", "GB"}
	f, u := float64(n), 0
	for f >= 1024 && u < len(units)-1 && (u > 0 || n >= 1024) {
		f /= 1024
		u++
	}
	if u == 0 {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	return strconv.FormatFloat(float64(int64(f*10+0.5))/10, 'f', -1, 64) + " " + units[u]
}

// ReadFile reads name from fsys: only a regular file of at most limit
// bytes (limit <= 0: TextLimit).
func ReadFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = TextLimit
	}
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if err := check(fsys, name, fi, limit); err != nil {
		return nil, err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := check(fsys, name, fi, limit); err != nil {
		return nil, err
	}
	b, err := readAll(io.LimitReader(f, limit+1), min(fi.Size(), limit)+1)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Path: name, Size: int64(len(b)), Limit: limit}
	}
	return b, nil
}

// readAll reads r to its end into one buffer of size bytes, grown only if
// the file grew (as os.ReadFile does: a huge file is never copied twice).
func readAll(r io.Reader, size int64) ([]byte, error) {
	b := make([]byte, 0, size)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// check refuses what is not a regular file or is over limit.
func check(fsys fs.FS, name string, fi fs.FileInfo, limit int64) error {
	if !fi.Mode().IsRegular() {
		return &NotRegularError{Path: name, Mode: fi.Mode(), Target: linkTarget(fsys, name)}
	}
	if limit > 0 && fi.Size() > limit {
		return &TooLargeError{Path: name, Size: fi.Size(), Limit: limit}
	}
	return nil
}

// linkTarget is where name points when it is a symlink of a DirFS.
func linkTarget(fsys fs.FS, name string) string {
	d, ok := fsys.(dirFS)
	if !ok {
		return ""
	}
	t, err := os.Readlink(d.join(name))
	if err != nil {
		return ""
	}
	return t
}

// DirFS is os.DirFS(dir), except that Open refuses anything but regular
// files and folders, and never blocks.
func DirFS(dir string) fs.FS { return dirFS(dir) }

type dirFS string

var (
	_ fs.StatFS    = dirFS("")
	_ fs.ReadDirFS = dirFS("")
)

func (d dirFS) join(name string) string {
	return strings.TrimSuffix(string(d), "/") + "/" + name
}

func (d dirFS) valid(op, name string) error {
	if !fs.ValidPath(name) || strings.ContainsAny(name, `\:`) && os.PathSeparator == '\\' {
		return &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return nil
}

// Open opens name: a folder, or a regular file (after following symlinks).
func (d dirFS) Open(name string) (fs.File, error) {
	if err := d.valid("open", name); err != nil {
		return nil, err
	}
	full := d.join(name)
	fi, err := os.Stat(full)
	if err != nil {
		return nil, rename(err, name)
	}
	if !fi.Mode().IsRegular() && !fi.IsDir() {
		return nil, &NotRegularError{Path: name, Mode: fi.Mode(), Target: linkTarget(d, name)}
	}
	f, err := openNoBlock(full)
	if err != nil {
		if nr, ok := err.(*NotRegularError); ok {
			nr.Path, nr.Target = name, linkTarget(d, name)
		}
		return nil, rename(err, name)
	}
	return f, nil
}

// Stat is os.Stat (it follows symlinks, as Open does).
func (d dirFS) Stat(name string) (fs.FileInfo, error) {
	if err := d.valid("stat", name); err != nil {
		return nil, err
	}
	fi, err := os.Stat(d.join(name))
	return fi, rename(err, name)
}

// ReadDir is os.ReadDir, sorted by name.
func (d dirFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := d.valid("readdir", name); err != nil {
		return nil, err
	}
	es, err := os.ReadDir(d.join(name))
	return es, rename(err, name)
}

// rename makes a *fs.PathError name the path inside the FS, as os.DirFS does.
func rename(err error, name string) error {
	if pe, ok := err.(*fs.PathError); ok {
		pe.Path = name
	}
	return err
}
