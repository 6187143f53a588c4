package gitdates

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// repo is a git repository in a temporary folder whose commits carry
// fixed dates.
type repo struct {
	t   *testing.T
	dir string
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("these tests need git: %v", err)
	}
	r := &repo{t: t, dir: t.TempDir()}
	r.git("", "init", "-q", "-b", "main")
	return r
}

func (r *repo) git(date string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=kiji", "-c", "user.email=kiji@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if date != "" {
		cmd.Env = append(cmd.Env, "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (r *repo) write(p, text string) {
	r.t.Helper()
	full := filepath.Join(r.dir, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *repo) commit(date string, files map[string]string) {
	r.t.Helper()
	for p, text := range files {
		r.write(p, text)
	}
	r.git(date, "add", "-A")
	r.git(date, "commit", "-q", "-m", "at "+date)
}

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// history is three commits under content/ (and one outside it).
func history(t *testing.T) *repo {
	r := newRepo(t)
	r.commit("2020-01-02T03:04:05Z", map[string]string{"content/articles/a.md": "a", "README.md": "x"})
	r.commit("2021-06-01T00:00:00Z", map[string]string{"content/articles/b.md": "b", "content/articles/a.md": "a2"})
	r.commit("2022-03-04T00:00:00Z", map[string]string{"content/articles/日本語 記事.md": "c", "README.md": "y"})
	return r
}

func TestReadHistory(t *testing.T) {
	r := history(t)
	tab, err := Read(context.Background(), filepath.Join(r.dir, "content"))
	if err != nil {
		t.Fatal(err)
	}
	if !tab.Repo || tab.Shallow {
		t.Fatalf("Repo %v Shallow %v; want a full repository", tab.Repo, tab.Shallow)
	}
	want := map[string]Dates{
		"articles/a.md":      {day("2020-01-02T03:04:05Z"), day("2021-06-01T00:00:00Z"), "git"},
		"articles/b.md":      {day("2021-06-01T00:00:00Z"), day("2021-06-01T00:00:00Z"), "git"},
		"articles/日本語 記事.md": {day("2022-03-04T00:00:00Z"), day("2022-03-04T00:00:00Z"), "git"},
	}
	if diff := cmp.Diff(want, tab.files); diff != "" {
		t.Errorf("dates (-want +got):\n%s", diff)
	}
}

func TestOf(t *testing.T) {
	r := history(t)
	r.write("content/articles/a.md", "edited, not committed")
	r.write("content/articles/new.md", "untracked")
	mtime := day("2023-05-05T05:05:05Z")
	for _, p := range []string{"content/articles/a.md", "content/articles/new.md"} {
		if err := os.Chtimes(filepath.Join(r.dir, p), mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	src := filepath.Join(r.dir, "content")
	tab, err := Read(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	fsys := os.DirFS(src)
	tests := []struct {
		name, path string
		want       Dates
	}{
		{"committed", "articles/b.md", Dates{day("2021-06-01T00:00:00Z"), day("2021-06-01T00:00:00Z"), "git"}},
		{"changed since its commit: updated is the file's", "articles/a.md", Dates{day("2020-01-02T03:04:05Z"), mtime, "git"}},
		{"untracked: the file's", "articles/new.md", Dates{mtime, mtime, "file"}},
		{"missing", "articles/none.md", Dates{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tab.Of(fsys, tc.path)); diff != "" {
				t.Errorf("Of(%s) (-want +got):\n%s", tc.path, diff)
			}
		})
	}
}

func TestNoRepository(t *testing.T) {
	dir := t.TempDir()
	mtime := day("2024-02-03T04:05:06Z")
	p := filepath.Join(dir, "a.md")
	if err := os.WriteFile(p, []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	// A folder outside any repository: git must not find the one the
	// tests run in.
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	tab, err := Read(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Repo {
		t.Fatalf("a folder outside git is read as a repository")
	}
	if diff := cmp.Diff(Dates{mtime, mtime, "file"}, tab.Of(os.DirFS(dir), "a.md")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestNoGit(t *testing.T) {
	r := history(t)
	t.Setenv("PATH", t.TempDir()) // no git on it
	tab, err := Read(context.Background(), filepath.Join(r.dir, "content"))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Repo {
		t.Fatalf("without git the folder is read as a repository")
	}
	if d := tab.Of(os.DirFS(filepath.Join(r.dir, "content")), "articles/a.md"); d.From != "file" || d.Published.IsZero() {
		t.Errorf("without git: %+v; want the file's modification time", d)
	}
}

func TestEmptyRepository(t *testing.T) {
	r := newRepo(t)
	r.write("content/a.md", "a")
	tab, err := Read(context.Background(), filepath.Join(r.dir, "content"))
	if err != nil {
		t.Fatalf("a repository without commits: %v", err)
	}
	if d := tab.Of(os.DirFS(filepath.Join(r.dir, "content")), "a.md"); d.From != "file" {
		t.Errorf("a file in a repository without commits: %+v; want the file's dates", d)
	}
}

func TestShallow(t *testing.T) {
	r := history(t)
	clone := filepath.Join(t.TempDir(), "clone")
	r.git("", "clone", "-q", "--depth", "1", "file://"+r.dir, clone)
	tab, err := Read(context.Background(), filepath.Join(clone, "content"))
	if err != nil {
		t.Fatal(err)
	}
	if !tab.Shallow {
		t.Fatalf("a --depth 1 clone is not reported shallow")
	}
	// Every file has the one commit's date: what the build warns about.
	d, _ := tab.Git("articles/a.md")
	if want := day("2022-03-04T00:00:00Z"); !d.Published.Equal(want) {
		t.Errorf("shallow published %v; want the clone's commit %v", d.Published, want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("\x011609459200\x00\narticles/a.md\x00articles/b.md\x00\x011577836800\x00\narticles/a.md\x00"), []byte(" M content/a\x00R  content/b\x00content/c\x00"))
	f.Fuzz(func(t *testing.T, log, status []byte) {
		for p, d := range parseLog(log) {
			if d.Updated.Before(d.Published) || d.Published.Unix() <= 0 {
				t.Fatalf("%q: %+v", p, d)
			}
		}
		parseStatus(status, "content/")
	})
}
