package build

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOutputRefusesOverlappingFolders: an output folder inside the
// content (it would copy itself into itself), around it, or around the
// project is refused before anything is written.
func TestOutputRefusesOverlappingFolders(t *testing.T) {
	for _, tc := range []struct {
		name string
		dest func(root string) string
		want string
	}{
		{"inside the images", func(r string) string { return filepath.Join(r, "content/images/out") }, "inside the content folder"},
		{"the content folder", func(r string) string { return filepath.Join(r, "content") }, "content folder"},
		{"around the content", func(r string) string { return filepath.Join(r, "site") }, "inside the output folder"},
		{"the project", func(r string) string { return r }, "inside the output folder"},
		{"inside the theme", func(r string) string { return filepath.Join(r, "themes/mine/out") }, "inside the theme folder"},
		{"a link into the content", func(r string) string {
			l := filepath.Join(r, "out")
			if err := os.Symlink(filepath.Join(r, "content/images"), l); err != nil {
				panic(err)
			}
			return filepath.Join(l, "sub")
		}, "inside the content folder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := outProject(t, 1)
			opts := outOpts(root)
			if tc.name == "around the content" {
				os.Rename(filepath.Join(root, "content"), filepath.Join(root, "site-content"))
				os.MkdirAll(filepath.Join(root, "site"), 0o755)
				os.Rename(filepath.Join(root, "site-content"), filepath.Join(root, "site/content"))
				opts.Source = filepath.Join(root, "site/content")
			}
			opts.Dest = tc.dest(root)
			before := files(t, root)
			_, err := Build(context.Background(), opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Build = %v, want an error saying %q", err, tc.want)
			}
			if !errors.Is(err, ErrFolders) {
				t.Errorf("the error does not wrap ErrFolders: %v", err)
			}
			after := files(t, root)
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("the project changed (-want +got):\n%s", diff)
			}
		})
	}
}
