package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// zennFixture is site/build's Zenn repository fixture (see its README):
// links as Zenn authors write them, Zenn's platform rules broken, and
// true defects in the files named defect.
const zennFixture = "../../site/build/testdata/zennfixture"

// copyFixture copies the fixture into a project folder: dir/content
// holds the repository, dir/kiji.yaml its kiji.yaml. skipDefects leaves
// out the files with true defects.
func copyFixture(t *testing.T, skipDefects bool) string {
	t.Helper()
	dir := t.TempDir()
	content := filepath.Join(dir, "content")
	if err := os.CopyFS(content, os.DirFS(zennFixture)); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(content, "kiji.yaml"), filepath.Join(dir, "kiji.yaml")); err != nil {
		t.Fatal(err)
	}
	if skipDefects {
		defects, _ := filepath.Glob(filepath.Join(content, "*", "*defect*"))
		deeper, _ := filepath.Glob(filepath.Join(content, "*", "*", "*defect*"))
		for _, f := range append(defects, deeper...) {
			if err := os.RemoveAll(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// TestZennRepositoryBuilds: `kiji build` on a Zenn repository whose only
// problems are Zenn's platform rules exits 0 and prints them as warnings;
// with true defects it exits 1 listing each at file:line with what the
// author likely meant, and its summary names on_broken; --on-broken=warn
// publishes it (exit 0); --zenn-strict gives zenn-cli's errors.
func TestZennRepositoryBuilds(t *testing.T) {
	clean := copyFixture(t, true)
	code, _, stderr := kiji(t, clean, "build", "--offline")
	if code != 0 {
		t.Fatalf("platform rules only: exit %d, want 0:\n%s", code, stderr)
	}
	for _, want := range []string{
		"content/articles/sibling-article.md:5:9: warning: topicsは最大5つまで指定できます",
		"content/articles/long-topic-article.md:5:10: warning: topicsは18字以内にしてください",
		"content/books/fixture-book-one/config.yaml:1: warning: price（本の価格）",
		"content/books/fixture-book-one/config.yaml:8:5: warning: chapters に「first」が2回以上",
		"content/books/fixture-book-one/config.yaml:9:5: warning: chapters に指定されたチャプター（not-written-yet）",
		"0 errors",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("no %q in:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(clean, "public", "articles", "links-from-article", "index.html")); err != nil {
		t.Errorf("the site was not written: %v", err)
	}

	code, _, stderr = kiji(t, clean, "build", "--offline", "--zenn-strict")
	if code != 1 || !strings.Contains(stderr, "content/articles/sibling-article.md:5:9: topicsは最大5つまで指定できます\n") {
		t.Errorf("--zenn-strict: exit %d, want 1 with zenn-cli's error:\n%s", code, stderr)
	}

	broken := copyFixture(t, false)
	code, _, stderr = kiji(t, broken, "build", "--offline")
	if code != 1 {
		t.Fatalf("true defects: exit %d, want 1:\n%s", code, stderr)
	}
	for _, want := range []string{
		"content/articles/defect-broken-links.md:10:32: the link ./sibling-artcle points to /articles/sibling-artcle/, which does not exist; did you mean ./sibling-article?",
		"content/articles/defect-broken-links.md:12:32: the link ./sibling-article#section-tow points to #section-tow, but /articles/sibling-article/ has no heading with that id; did you mean #section-two?",
		"content/articles/defect-broken-links.md:16:1: the image /images/chap_02_bp-function.png does not exist; did you mean /images/chap_02_bp-Function.png?",
		"content/articles/defect-front-matter.md:2:15: front matter is not valid YAML",
		"content/books/fixture-book-two/3.defect.md:5:5: the link ./usgae points to /books/fixture-book-two/usgae/, which does not exist; did you mean ./usage?",
		"content/articles/defect-broken-links.md:18:23: the link (https://example.com) is not a valid URL; did you mean https://example.com?",
		"not built: 6 errors",
		"set on_broken: warn in kiji.yaml (or pass --on-broken=warn)",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("no %q in:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(broken, "public")); err == nil {
		t.Error("a failed build wrote public/")
	}

	code, _, stderr = kiji(t, broken, "build", "--offline", "--on-broken=warn")
	if code != 0 || !strings.Contains(stderr, "did you mean ./usage? (published anyway: on_broken: warn)") {
		t.Errorf("--on-broken=warn: exit %d, want 0 with the defects as warnings:\n%s", code, stderr)
	}
	if code, _, stderr = kiji(t, broken, "build", "--offline", "--on-broken=maybe"); code != 2 {
		t.Errorf("--on-broken=maybe: exit %d, want 2 (usage):\n%s", code, stderr)
	}
}
