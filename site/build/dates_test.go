package build

import (
	"context"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/diag"
)

// gitSite is a project in a git repository whose commits carry fixed
// dates: an article without published_at added in 2021 and changed in
// 2022, one with published_at, and a book whose second chapter came in
// 2023.
func gitSite(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("this test needs git: %v", err)
	}
	root := testSite(t, map[string]string{"kiji.yaml": "title: \"git\"\n"})
	commit := func(date string, files map[string]string) {
		t.Helper()
		for p, c := range files {
			writeFile(t, filepath.Join(root, filepath.FromSlash(p)), c)
		}
		gitIn(t, root, date, "add", "-A")
		gitIn(t, root, date, "commit", "-q", "-m", "at "+date)
	}
	gitIn(t, root, "", "init", "-q", "-b", "main")
	book := "title: \"本\"\nsummary: \"要約\"\ntopics: [\"go\"]\npublished: true\nprice: 0\nchapters: [one, two]\n"
	commit("2021-04-05T06:07:08Z", map[string]string{
		"content/articles/seed.md":         article("種", true, "", "go"),
		"content/articles/dated.md":        article("日付あり", true, "2020-01-01 09:00", "go"),
		"content/books/gobook/config.yaml": strings.Replace(book, ", two", "", 1),
		"content/books/gobook/one.md":      "---\ntitle: \"一\"\n---\n\n本文。\n",
	})
	commit("2022-02-03T00:00:00Z", map[string]string{"content/articles/seed.md": article("種", true, "", "go") + "\n追記。\n"})
	commit("2023-03-04T00:00:00Z", map[string]string{
		"content/books/gobook/config.yaml": book,
		"content/books/gobook/two.md":      "---\ntitle: \"二\"\n---\n\n本文。\n",
	})
	return root
}

func gitIn(t *testing.T, dir, date string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=kiji", "-c", "user.email=kiji@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if date != "" {
		cmd.Env = append(cmd.Env, "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestDatesFromGit: an article without published_at is published when
// its file was first committed and updated when last changed, in its
// page, the feeds and the sitemap; a book is updated by its new chapter.
func TestDatesFromGit(t *testing.T) {
	root := gitSite(t)
	rep := buildSite(t, Options{Root: root, BaseURL: "https://example.com/"})
	dest := filepath.Join(root, "public")
	page := html.UnescapeString(string(readOut(t, dest, "articles/seed/index.html")))
	if want := `<time datetime="2021-04-05T15:07:08+09:00">2021-04-05</time>`; !strings.Contains(page, want) {
		t.Errorf("the page lacks its git date %s", want)
	}
	if want := `<time datetime="2021-04-05T15:07:08+09:00">2021-04-05</time>`; !strings.Contains(html.UnescapeString(string(readOut(t, dest, "index.html"))), want) {
		t.Errorf("the home page's card lacks %s", want)
	}
	f := parseFeed(t, readOut(t, dest, "feed.xml"))
	type entry struct{ Title, Published, Updated string }
	var got []entry
	for _, e := range f.Entries {
		got = append(got, entry{e.Title, e.Published, e.Updated})
	}
	want := []entry{
		{"本", "2021-04-05T06:07:08Z", "2023-03-04T00:00:00Z"},
		{"種", "2021-04-05T06:07:08Z", "2022-02-03T00:00:00Z"},
		// published_at wins; it was committed later.
		{"日付あり", "2020-01-01T09:00:00+09:00", "2021-04-05T06:07:08Z"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("feed entries (-want +got):\n%s", diff)
	}
	if f.Updated != "2023-03-04T00:00:00Z" {
		t.Errorf("feed updated %s, want the new chapter's commit", f.Updated)
	}
	lastmod := map[string]string{}
	for _, u := range parseSitemap(t, readOut(t, dest, "sitemap.xml")).URLs {
		lastmod[u.Loc] = u.LastMod
	}
	for loc, want := range map[string]string{
		"https://example.com/articles/seed/":    "2022-02-03T00:00:00Z",
		"https://example.com/books/gobook/":     "2023-03-04T00:00:00Z",
		"https://example.com/books/gobook/one/": "2021-04-05T06:07:08Z",
		"https://example.com/":                  "2023-03-04T00:00:00Z", // it lists the book
		"https://example.com/archive/2021/":     "2022-02-03T00:00:00Z",
		"https://example.com/articles/dated/":   "2021-04-05T06:07:08Z",
		"https://example.com/books/gobook/two/": "2023-03-04T00:00:00Z",
		"https://example.com/topics/go/":        "2023-03-04T00:00:00Z",
		"https://example.com/archive/":          "2022-02-03T00:00:00Z",
		"https://example.com/books/":            "2023-03-04T00:00:00Z",
		"https://example.com/archive/2020/":     "2021-04-05T06:07:08Z",
		"https://example.com/topics/":           "2023-03-04T00:00:00Z",
	} {
		if lastmod[loc] != want {
			t.Errorf("sitemap lastmod of %s = %q, want %q", loc, lastmod[loc], want)
		}
	}
	for _, p := range rep.Problems {
		if strings.Contains(p.Msg, "shallow") {
			t.Errorf("a full repository warned: %s", p.Error())
		}
	}
}

// TestDatesShallowClone: a clone of one commit dates every file by that
// commit, and the build says so and what to do.
func TestDatesShallowClone(t *testing.T) {
	root := gitSite(t)
	clone := filepath.Join(t.TempDir(), "clone")
	gitIn(t, root, "", "clone", "-q", "--depth", "1", "file://"+root, clone)
	rep := buildSite(t, Options{Root: clone, BaseURL: "https://example.com/"})
	var warned []string
	for _, p := range rep.Problems {
		if p.Severity == diag.Warning && strings.Contains(p.Msg, "shallow clone") && strings.Contains(p.Msg, "fetch-depth: 0") {
			warned = append(warned, p.Error())
		}
	}
	if len(warned) != 1 {
		t.Errorf("shallow clone warnings %q; want one naming fetch-depth: 0", warned)
	}
	page := string(readOut(t, filepath.Join(clone, "public"), "articles/seed/index.html"))
	if !strings.Contains(page, `>2023-03-04</time>`) {
		t.Errorf("in a clone of one commit the seed is dated by that commit; the page says otherwise")
	}

	// NoGit: dated by the files, no word about git.
	seed := filepath.Join(clone, "content/articles/seed.md")
	if err := os.Chtimes(seed, testFileTime, testFileTime); err != nil {
		t.Fatal(err)
	}
	rep = buildSite(t, Options{Root: clone, BaseURL: "https://example.com/", NoGit: true})
	for _, p := range rep.Problems {
		if strings.Contains(p.Msg, "git") {
			t.Errorf("a NoGit build speaks of git: %s", p.Error())
		}
	}
	if page := string(readOut(t, filepath.Join(clone, "public"), "articles/seed/index.html")); !strings.Contains(page, `>2023-12-01</time>`) {
		t.Errorf("with NoGit the seed is not dated by its file")
	}
}

// TestDatesRebuildAfterEdit: after an article is edited (and not
// committed) the dev server's rebuild writes what a fresh build writes: the
// page, the feed entry's updated date (the file's) and the sitemap.
func TestDatesRebuildAfterEdit(t *testing.T) {
	root := gitSite(t)
	opts := Options{Root: root, Dest: filepath.Join(root, "dev"), CacheDir: filepath.Join(root, "cache"), Offline: true, Dev: true, BaseURL: "https://example.com/"}
	b := NewBuilder(opts)
	defer b.Close()
	if _, err := b.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	seed := filepath.Join(root, "content/articles/seed.md")
	writeFile(t, seed, article("種", true, "", "go")+"\n編集中。\n")
	edited := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(seed, edited, edited); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Build(context.Background(), []string{seed}); err != nil {
		t.Fatal(err)
	}
	fresh := opts
	fresh.Dest, fresh.CacheDir = filepath.Join(root, "fresh"), filepath.Join(root, "fresh-cache")
	buildSite(t, fresh)
	if diff := cmp.Diff(tree(t, fresh.Dest), tree(t, opts.Dest)); diff != "" {
		t.Errorf("output differs (-Build +Builder):\n%s", diff)
	}
	f := parseFeed(t, readOut(t, opts.Dest, "feed.xml"))
	for _, e := range f.Entries {
		if e.Title == "種" && (e.Published != "2021-04-05T06:07:08Z" || e.Updated != "2024-07-01T00:00:00Z") {
			t.Errorf("edited article: published %s updated %s; want its first commit and the edit", e.Published, e.Updated)
		}
	}
}

// TestDatesCommitRedates: an article written but not committed is dated
// by its file; once committed, the next build (with the cache of the
// first) dates it by the commit, though its bytes did not change.
func TestDatesCommitRedates(t *testing.T) {
	root := gitSite(t)
	p := filepath.Join(root, "content/articles/new.md")
	writeFile(t, p, article("新しい", true, "", "go"))
	written := time.Date(2024, 9, 9, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(p, written, written); err != nil {
		t.Fatal(err)
	}
	opts := Options{Root: root, BaseURL: "https://example.com/"}
	buildSite(t, opts)
	page := func() string { return string(readOut(t, filepath.Join(root, "public"), "articles/new/index.html")) }
	if !strings.Contains(page(), ">2024-09-09</time>") {
		t.Fatalf("an uncommitted article is not dated by its file")
	}
	gitIn(t, root, "2024-10-10T00:00:00Z", "add", "-A")
	gitIn(t, root, "2024-10-10T00:00:00Z", "commit", "-q", "-m", "new")
	buildSite(t, opts)
	if !strings.Contains(page(), ">2024-10-10</time>") {
		t.Errorf("after its commit the article is not dated by it")
	}
}
