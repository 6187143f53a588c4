package userfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

// fixture makes a folder with a regular file, a FIFO, a symlink to
// /dev/zero, a symlink to the regular file and a subfolder.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.md"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.md"), 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.md", filepath.Join(dir, "link.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// within fails the test if fn does not return within a few seconds (a
// blocked open would otherwise hang the test binary until its timeout).
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return: it blocked", what)
	}
}

func TestReadFile(t *testing.T) {
	dir := fixture(t)
	for _, fsys := range []struct {
		name string
		fs   fs.FS
	}{{"DirFS", DirFS(dir)}, {"os.DirFS", os.DirFS(dir)}} {
		for _, tc := range []struct {
			name, file string
			limit      int64
			want       string // content, or a part of the error message
			err        any
		}{
			{"regular", "a.md", 100, "hello", nil},
			{"symlink to a regular file", "link.md", 100, "hello", nil},
			{"exactly the limit", "a.md", 5, "hello", nil},
			{"over the limit", "a.md", 4, "a.md is 5 bytes, over the limit of 4 bytes", new(*TooLargeError)},
			{"FIFO", "fifo.md", 100, "fifo.md is a named pipe (FIFO), not a regular file", new(*NotRegularError)},
			{"symlink to /dev/zero", "zero.md", 100, "zero.md is a symlink to /dev/zero, which is a device, not a regular file", new(*NotRegularError)},
			{"folder", "sub", 100, "sub is a folder, not a regular file", new(*NotRegularError)},
			{"missing", "nope.md", 100, "", new(*fs.PathError)},
		} {
			t.Run(fsys.name+"/"+tc.name, func(t *testing.T) {
				var b []byte
				var err error
				within(t, "ReadFile", func() { b, err = ReadFile(fsys.fs, tc.file, tc.limit) })
				if tc.err == nil {
					if err != nil || string(b) != tc.want {
						t.Fatalf("ReadFile = %q, %v; want %q", b, err, tc.want)
					}
					return
				}
				if err == nil {
					t.Fatalf("ReadFile = %q, want an error", b)
				}
				if !errors.As(err, tc.err) {
					t.Errorf("error %T (%v) is not a %T", err, err, tc.err)
				}
				if fsys.name == "os.DirFS" && tc.name == "symlink to /dev/zero" {
					return // os.DirFS gives no way to read the link
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q does not say %q", err, tc.want)
				}
			})
		}
	}
}

func TestDirFSOpenNeverBlocks(t *testing.T) {
	dir := fixture(t)
	fsys := DirFS(dir)
	for _, name := range []string{"fifo.md", "zero.md"} {
		var err error
		within(t, "Open("+name+")", func() {
			var f fs.File
			f, err = fsys.Open(name)
			if err == nil {
				f.Close()
			}
		})
		var nr *NotRegularError
		if !errors.As(err, &nr) {
			t.Errorf("Open(%s) = %v, want a *NotRegularError", name, err)
		}
	}
	// Folders and regular files open as with os.DirFS.
	if err := fstest.TestFS(DirFS(t.TempDir())); err != nil {
		t.Error(err)
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil || len(entries) != 5 {
		t.Errorf("ReadDir = %d entries, %v; want 5", len(entries), err)
	}
	f, err := fsys.Open("a.md")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "hello" {
		t.Errorf("read %q", b)
	}
	if _, err := fsys.Open("../a.md"); err == nil {
		t.Error("Open(../a.md) escaped the folder")
	}
}

// A file that is swapped for a FIFO after the check and before the open
// must not block: Open itself never blocks.
func TestOpenOfAFIFONeverBlocks(t *testing.T) {
	dir := fixture(t)
	var err error
	within(t, "Open", func() {
		var f *os.File
		f, err = openNoBlock(filepath.Join(dir, "fifo.md"))
		if err == nil {
			f.Close()
		}
	})
	var nr *NotRegularError
	if !errors.As(err, &nr) {
		t.Errorf("openNoBlock(fifo) = %v, want a *NotRegularError", err)
	}
}

func TestReadFileOfAGrowingFile(t *testing.T) {
	// A file that is larger when read than when checked is cut at the
	// limit and refused, never read whole.
	fsys := growFS{size: 3, real: 1 << 20}
	_, err := ReadFile(fsys, "g", 10)
	var tl *TooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("ReadFile = %v, want a *TooLargeError", err)
	}
}

// growFS says its one file is size bytes and then reads real bytes.
type growFS struct{ size, real int64 }

func (g growFS) Open(name string) (fs.File, error) { return &growFile{g: g}, nil }

type growFile struct {
	g    growFS
	read int64
}

func (f *growFile) Stat() (fs.FileInfo, error) { return growInfo{f.g.size}, nil }
func (f *growFile) Close() error               { return nil }
func (f *growFile) Read(b []byte) (int, error) {
	if f.read >= f.g.real {
		return 0, io.EOF
	}
	n := min(int64(len(b)), f.g.real-f.read)
	f.read += n
	return int(n), nil
}

type growInfo struct{ size int64 }

func (i growInfo) Name() string       { return "g" }
func (i growInfo) Size() int64        { return i.size }
func (i growInfo) Mode() fs.FileMode  { return 0o644 }
func (i growInfo) ModTime() time.Time { return time.Time{} }
func (i growInfo) IsDir() bool        { return false }
func (i growInfo) Sys() any           { return nil }

func TestSizeText(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{5, "5 bytes"}, {10 << 20, "10 MB"}, {15 << 19, "7.5 MB"}, {2048, "2 KB"}, {3 << 30, "3 GB"}} {
		if got := SizeText(tc.n); got != tc.want {
			t.Errorf("SizeText(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
