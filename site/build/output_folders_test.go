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
		{"the articles", func(r string) string { return filepath.Join(r, "content/articles") }, "inside the content folder"},
		{"inside the static files", func(r string) string { return filepath.Join(r, "content/static/out") }, "inside the content folder"},
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

// TestDefaultSource: the content folder when none is given.
func TestDefaultSource(t *testing.T) {
	for _, tc := range []struct {
		name string
		dirs []string
		want string
	}{
		{"a kiji project", []string{"content/articles"}, "content"},
		{"a Zenn repository", []string{"articles", "images"}, "."},
		{"a Zenn repository with only books", []string{"books/b"}, "."},
		{"content/ wins over articles/", []string{"content", "articles"}, "content"},
		{"nothing yet", []string{"docs"}, "content"},
		{"a file named articles", nil, "content"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for _, d := range tc.dirs {
				os.MkdirAll(filepath.Join(root, d), 0o755)
			}
			if tc.dirs == nil {
				os.WriteFile(filepath.Join(root, "articles"), nil, 0o644)
			}
			got, _ := filepath.Rel(root, DefaultSource(root))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("DefaultSource (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOutputBesideAZennRepository: a Zenn repository built where it
// stands (content folder = the project) writes public/ beside articles/;
// output inside articles/ or images/ is still refused.
func TestOutputBesideAZennRepository(t *testing.T) {
	root := outProject(t, 2)
	for _, d := range []string{"articles", "images"} {
		if err := os.Rename(filepath.Join(root, "content", d), filepath.Join(root, d)); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(filepath.Join(root, "content"))
	mustBuild(t, outOpts(root))
	rep := mustBuild(t, outOpts(root))
	if rep.Written != 0 {
		t.Errorf("a second build wrote %d files; want 0 (public/ is not content)", rep.Written)
	}
	opts := outOpts(root)
	opts.Dest = filepath.Join(root, "images/site")
	if _, err := Build(context.Background(), opts); !errors.Is(err, ErrFolders) {
		t.Errorf("output inside images/: Build = %v, want ErrFolders", err)
	}
}
