package build

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrFolders is wrapped by the error of a build whose output folder
// overlaps a folder it reads: a usage error.
var ErrFolders = errors.New("the output folder overlaps a folder kiji reads")

type foldersError struct{ msg string }

func (e foldersError) Error() string        { return e.msg }
func (e foldersError) Is(target error) bool { return target == ErrFolders }

// checkFolders refuses an output folder that overlaps what a build reads:
// the content folder itself or inside the folders read from it
// (articles/, books/, images/, static/: each build would copy the output
// into itself), inside a theme, or around the content, the themes,
// kiji.yaml or the cache (the project itself: its files would be mixed
// with the site's). An output folder beside those four, inside the
// content folder, is fine: a Zenn repository built where it stands
// (content folder ".") writes public/ next to articles/ and books/.
// Symbolic links are followed, also for folders not made yet.
func checkFolders(o Options) error {
	dest := realPath(o.Dest)
	if dest == realPath(o.Source) {
		return foldersError{fmt.Sprintf("the output folder %s is the content folder; choose another --dest (the default is public/ in the project)", o.Dest)}
	}
	inside := []struct{ what, path string }{{"theme folder", filepath.Join(o.Root, "themes")}}
	for _, d := range contentDirs {
		inside = append(inside, struct{ what, path string }{"content folder", filepath.Join(o.Source, d)})
	}
	for _, f := range inside {
		p := realPath(f.path)
		if dest == p || within(dest, p) {
			return foldersError{fmt.Sprintf("the output folder %s is inside the %s (%s): each build would read the last one's output as its input; choose a --dest outside it (the default is public/ in the project)", o.Dest, f.what, f.path)}
		}
	}
	read := []struct{ what, path string }{
		{"content folder", o.Source},
		{"theme folder", filepath.Join(o.Root, "themes")},
		{"config file", o.Config},
		{"cache folder", o.CacheDir},
	}
	for _, f := range read {
		if within(realPath(f.path), dest) {
			return foldersError{fmt.Sprintf("the %s %s is inside the output folder %s: the site would be mixed with the project's own files; choose a --dest that holds only the site (the default is public/ in the project)", f.what, f.path, o.Dest)}
		}
	}
	return nil
}

// within reports whether p is inside dir (not dir itself).
func within(p, dir string) bool {
	return p != dir && strings.HasPrefix(p, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// realPath is p absolute, with the symbolic links of its longest existing
// part resolved.
func realPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	rest := ""
	for cur := abs; ; cur = filepath.Dir(cur) {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		if _, err := os.Lstat(cur); err == nil {
			return abs // exists but cannot be resolved (a loop): as written
		}
		if filepath.Dir(cur) == cur {
			return abs
		}
		rest = filepath.Join(filepath.Base(cur), rest)
	}
}
