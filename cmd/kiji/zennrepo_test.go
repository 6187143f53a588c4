package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// zennRepo is a Zenn repository as zenn-cli makes it: articles/, books/
// and images/ at its top, no content/ folder, no kiji.yaml.
func zennRepo(t *testing.T) string {
	t.Helper()
	src := site(t, map[string]string{"good-article-one.md": goodArticle})
	dir := t.TempDir()
	for _, d := range []string{"articles", "images"} {
		if err := os.Rename(filepath.Join(src, "content", d), filepath.Join(dir, d)); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(dir, "books"), 0o755)
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("# my zenn content\n"), 0o644)
	return dir
}

// TestZennRepositoryWhereItStands: `kiji build`, with no flags, in a Zenn
// repository builds it (public/ beside articles/), a second build reads
// nothing of public/ or .kiji-cache/ as content, and `kiji new article`
// writes into its articles/. Before, the build failed: no content folder.
func TestZennRepositoryWhereItStands(t *testing.T) {
	dir := zennRepo(t)
	for i, want := range []string{"files written", "(0 files written"} {
		code, stdout, stderr := kiji(t, dir, "build", "--offline")
		if code != 0 || !strings.Contains(stdout+stderr, want) {
			t.Fatalf("build %d: exit %d, want a summary with %q\n%s%s", i+1, code, want, stdout, stderr)
		}
	}
	for _, p := range []string{"public/articles/good-article-one/index.html", "public/images/a.png"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("after the build: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "public/README.md")); err == nil {
		t.Error("the repository's README.md was copied into the site")
	}
	code, stdout, stderr := kiji(t, dir, "new", "article", "another-article-2")
	if code != 0 || !strings.Contains(stdout, filepath.Join("articles", "another-article-2.md")) {
		t.Fatalf("new article: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "articles", "another-article-2.md")); err != nil {
		t.Errorf("kiji new article did not write into the repository's articles/: %v", err)
	}
}

// TestNoContentFolderSaysWhatToDo: with neither content/ nor a Zenn
// layout, the error names the three ways out.
func TestNoContentFolderSaysWhatToDo(t *testing.T) {
	code, _, stderr := kiji(t, t.TempDir(), "build", "--offline")
	for _, want := range []string{"content folder content does not exist", "kiji new article", "Zenn repository", "--source DIR"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if code != 1 && code != 2 {
		t.Errorf("exit %d, want 1 or 2", code)
	}
}
