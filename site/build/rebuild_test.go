package build

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/render"
)

// rebuildArticle is an article of the rebuild tests: topics as YAML
// items, a day of January 2024, a body.
func rebuildArticle(title, topics string, day int, extra, body string) string {
	return fmt.Sprintf("---\ntitle: %q\nemoji: \"📝\"\ntype: \"tech\"\ntopics: [%s]\npublished: true\npublished_at: 2024-01-%02d\n%s---\n\n%s", title, topics, day, extra, body)
}

// rebuildSite writes a project of seven articles listed two per page,
// linking to each other's headings, with an image.
func rebuildSite(t *testing.T, cfg string) (root string) {
	t.Helper()
	root = t.TempDir()
	for i, name := range []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7"} {
		topics := `"go"`
		if i%2 == 1 {
			topics = `"go", "web"`
		}
		body := fmt.Sprintf("## Setup %s\n\nText of %s ![](/images/a.png)\n\nSee [the first](/articles/a1/#setup-a1).\n", name, name)
		writeFile(t, filepath.Join(root, "content/articles", name+".md"), rebuildArticle("Article "+name, topics, i+1, "", body))
	}
	writeFile(t, filepath.Join(root, "content/images/a.png"), string(tinyPNG))
	writeFile(t, filepath.Join(root, "kiji.yaml"), "title: Rebuild test\nbase_url: https://example.com/\npaginate: 2\n"+cfg)
	return root
}

// editArticle rewrites one article of rebuildSite with old replaced by
// new.
func editArticle(t *testing.T, root, name, old, new string) {
	t.Helper()
	p := filepath.Join(root, "content/articles", name+".md")
	s := read(t, p)
	if !strings.Contains(s, old) {
		t.Fatalf("%s has no %q", p, old)
	}
	writeFile(t, p, strings.Replace(s, old, new, 1))
}

// TestRebuildMatchesColdBuild edits a project step by step, building it
// after each step into the same output and cache folders, and checks
// that each such build writes byte for byte what a cold build of the
// same content writes (in an empty output and cache folder), and reports
// the same problems.
func TestRebuildMatchesColdBuild(t *testing.T) {
	t.Run("on_broken error", func(t *testing.T) { testRebuildMatchesColdBuild(t, "") })
	// Broken links are published: the next builds keep pages whose last
	// check found a problem.
	t.Run("on_broken warn", func(t *testing.T) { testRebuildMatchesColdBuild(t, "on_broken: warn\n") })
	// Each rebuild writes what changed since the first build's state.gob
	// (a site this small always writes the whole file otherwise).
	t.Run("cache written as deltas", func(t *testing.T) {
		old := maxDelta
		maxDelta = func(int) int { return math.MaxInt }
		t.Cleanup(func() { maxDelta = old })
		root := testRebuildMatchesColdBuild(t, "")
		if _, err := os.Stat(filepath.Join(root, "cache", "state.delta")); err != nil {
			t.Errorf("no delta written: %v", err)
		}
	})
}

func testRebuildMatchesColdBuild(t *testing.T, cfg string) (root string) {
	root = rebuildSite(t, cfg)
	art := func(name string) string { return filepath.Join(root, "content/articles", name+".md") }
	steps := []struct {
		name    string
		edit    func(t *testing.T)
		wantErr bool
		parsed  int // article files read again (the others from the snapshot); -1: all
	}{
		{"first build", func(t *testing.T) {}, false, -1},
		{"nothing changed", func(t *testing.T) {}, false, -1},
		{"body edit", func(t *testing.T) { editArticle(t, root, "a3", "Text of a3", "Changed text of a3") }, false, 1},
		{"title edit: lists, neighbours and feeds show it", func(t *testing.T) {
			editArticle(t, root, "a4", `"Article a4"`, `"Renamed a4"`)
		}, false, 1},
		{"topic added", func(t *testing.T) { editArticle(t, root, "a5", `topics: ["go"]`, `topics: ["go", "rust"]`) }, false, 1},
		{"topic removed", func(t *testing.T) { editArticle(t, root, "a2", `topics: ["go", "web"]`, `topics: ["go"]`) }, false, 1},
		{"new article", func(t *testing.T) {
			writeFile(t, art("a8"), rebuildArticle("Article a8", `"web"`, 20, "", "## Setup a8\n\nNew.\n"))
		}, false, 1},
		{"article removed: gone from lists, feeds and sitemap", func(t *testing.T) { os.Remove(art("a6")) }, false, 0},
		{"date changed: the order changes", func(t *testing.T) {
			editArticle(t, root, "a1", "published_at: 2024-01-01", "published_at: 2024-01-25")
		}, false, 1},
		{"unpublished", func(t *testing.T) { editArticle(t, root, "a7", "published: true", "published: false") }, false, 1},
		{"description added", func(t *testing.T) {
			editArticle(t, root, "a3", "published: true\n", "published: true\ndescription: \"About a3\"\n")
		}, false, 1},
		{"a heading of an unchanged page's target renamed: its link breaks", func(t *testing.T) {
			editArticle(t, root, "a1", "## Setup a1", "## Install a1")
		}, true, 1},
		{"heading restored", func(t *testing.T) { editArticle(t, root, "a1", "## Install a1", "## Setup a1") }, false, -1},
		{"edit keeping size and mtime", func(t *testing.T) {
			p := art("a2")
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			editArticle(t, root, "a2", "Text of a2", "Tuxt of a2")
			if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
		}, false, 1},
		{"replaced by a rename", func(t *testing.T) {
			tmp := filepath.Join(root, "content", "a4.tmp")
			writeFile(t, tmp, rebuildArticle("Renamed a4", `"go", "web"`, 4, "", "## Setup a4\n\nRenamed into place.\n"))
			if err := os.Rename(tmp, art("a4")); err != nil {
				t.Fatal(err)
			}
		}, false, 1},
		{"image added", func(t *testing.T) {
			writeFile(t, filepath.Join(root, "content/images/b.png"), string(tinyPNG)+"b")
			editArticle(t, root, "a5", "Text of a5", "Text of a5 ![](/images/b.png)")
		}, false, -1},
		{"image replaced keeping its size and mtime", func(t *testing.T) {
			p := filepath.Join(root, "content/images/b.png")
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, p, string(tinyPNG)+"c")
			if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
		}, false, -1},
		{"link to a missing article", func(t *testing.T) { editArticle(t, root, "a8", "New.", "New, see [gone](/articles/a6/).") }, true, 1},
		{"the missing article is back", func(t *testing.T) {
			writeFile(t, art("a6"), rebuildArticle("Article a6", `"go"`, 6, "", "## Setup a6\n\nBack.\n"))
		}, false, -1},
		{"kiji.yaml", func(t *testing.T) {
			writeFile(t, filepath.Join(root, "kiji.yaml"), "title: Rebuild test\nbase_url: https://example.com/\npaginate: 3\n"+cfg)
		}, false, -1},
		{"clock moved backwards", func(t *testing.T) {
			p := art("a8")
			editArticle(t, root, "a8", "New,", "Newer,")
			old := time.Now().Add(-72 * time.Hour)
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}, false, 1},
	}
	dest, cache := filepath.Join(root, "public"), filepath.Join(root, "cache")
	for i, s := range steps {
		s.edit(t)
		settle() // the files edited can be trusted unchanged by the next build
		rep, err := Build(context.Background(), Options{Root: root, Dest: dest, CacheDir: cache, Offline: true, NoGit: true})
		wantErr := s.wantErr && cfg == ""
		if (err != nil) != wantErr {
			t.Fatalf("step %d (%s): rebuild error = %v, want error: %v", i, s.name, err, wantErr)
		}
		if s.parsed >= 0 && !shortcut(rep) && rep.Parsed != s.parsed {
			t.Errorf("step %d (%s): %d article files read and parsed, want %d", i, s.name, rep.Parsed, s.parsed)
		}
		fresh := t.TempDir()
		want, werr := Build(context.Background(), Options{Root: root, Dest: filepath.Join(fresh, "out"), CacheDir: filepath.Join(fresh, "cache"), Offline: true, NoGit: true})
		if (werr != nil) != wantErr {
			t.Fatalf("step %d (%s): cold build error = %v, want error: %v", i, s.name, werr, wantErr)
		}
		if diff := cmp.Diff(problemStrings(want.Problems), problemStrings(rep.Problems)); diff != "" {
			t.Errorf("step %d (%s): problems differ (-cold +rebuild):\n%s", i, s.name, diff)
		}
		if wantErr {
			continue // neither is published
		}
		if diff := cmp.Diff(tree(t, filepath.Join(fresh, "out")), tree(t, dest)); diff != "" {
			t.Errorf("step %d (%s): output differs (-cold +rebuild):\n%s", i, s.name, diff)
		}
	}
	return root
}

// TestSummaryKeySeesEveryField changes each field of a summary (but its
// card, made from the others) and checks that its key changes: a field
// added to render.Summary and left out of summaryKey fails here.
func TestSummaryKeySeesEveryField(t *testing.T) {
	base := func() *render.Summary {
		return &render.Summary{URL: "/a/", Title: "t", Emoji: "e", DateText: "2024-01-01", DateISO: "2024-01-01T00:00:00+09:00",
			Minutes: 3, ReadingTime: "3 min", Topics: []*render.TopicLink{{URL: "/topics/go/", Name: "go", Count: 2}}}
	}
	k0 := summaryKey(base())
	typ := reflect.TypeOf(render.Summary{})
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Name == "Card" {
			continue
		}
		s := base()
		v := reflect.ValueOf(s).Elem().Field(i)
		switch v.Kind() {
		case reflect.String:
			v.SetString(v.String() + "x")
		case reflect.Int:
			v.SetInt(v.Int() + 1)
		case reflect.Bool:
			v.SetBool(!v.Bool())
		case reflect.Slice:
			s.Topics[0] = &render.TopicLink{URL: "/topics/go/", Name: "go", Count: 3}
		default:
			t.Fatalf("summaryKey: field %s of kind %s is not covered by this test", f.Name, v.Kind())
		}
		if summaryKey(s) == k0 {
			t.Errorf("changing Summary.%s leaves its key as it was", f.Name)
		}
	}
}

func FuzzEscapePath(f *testing.F) {
	for _, s := range []string{"articles/x/", "topics/c++/", "a b/é/", "images/a%20b.png", "~a/_b-.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		segs := strings.Split(p, "/")
		for i, s := range segs {
			segs[i] = url.PathEscape(s)
		}
		if want, got := strings.Join(segs, "/"), escapePath(p); got != want {
			t.Errorf("escapePath(%q) = %q, want %q", p, got, want)
		}
	})
}

// TestRebuildChecksLinksOfWhatChanged checks which pages a rebuild's link
// check looks at: after a body edit, the edited page and none it kept;
// after an edit that renames a heading other pages link to, every page,
// and the links broken in pages that did not change are reported.
func TestRebuildChecksLinksOfWhatChanged(t *testing.T) {
	root := rebuildSite(t, "")
	var checked []string
	pageChecked = func(rel string) { checked = append(checked, rel) }
	t.Cleanup(func() { pageChecked = nil })
	build := func() (*Report, error) {
		checked = nil
		settle()
		return Build(context.Background(), Options{Root: root, Offline: true, NoGit: true})
	}
	if _, err := build(); err != nil {
		t.Fatal(err)
	}
	const kept = "articles/a6/index.html"
	if !slices.Contains(checked, kept) {
		t.Fatalf("a cold build did not check %s: %v", kept, checked)
	}

	editArticle(t, root, "a3", "Text of a3", "Changed text of a3")
	if _, err := build(); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(checked, "articles/a3/index.html") || slices.Contains(checked, kept) {
		t.Errorf("after a body edit of a3, the link check looked at %v; want a3's page and not %s", checked, kept)
	}

	editArticle(t, root, "a1", "## Setup a1", "## Install a1")
	rep, err := build()
	if err == nil {
		t.Fatal("a link to a heading renamed away was not reported")
	}
	if !slices.Contains(checked, kept) {
		t.Errorf("after a heading other pages link to was renamed, the link check did not look at %s: %v", kept, checked)
	}
	var broken []string
	for _, p := range rep.Problems {
		if p.Rule == "broken-link" {
			broken = append(broken, filepath.Base(p.File))
		}
	}
	want := []string{"a1.md", "a2.md", "a3.md", "a4.md", "a5.md", "a6.md", "a7.md"}
	if diff := cmp.Diff(want, broken); diff != "" {
		t.Errorf("broken links reported (-want +got):\n%s", diff)
	}
}

// TestRebuildNeverReplacesAFileItDidNotWrite puts a file of the user's in
// an output folder that was empty at the last build (so that no stamp the
// journal took changes), where the next build writes a new page: the
// build refuses, as a cold build into that folder does.
func TestRebuildNeverReplacesAFileItDidNotWrite(t *testing.T) {
	if !stampsSupported {
		t.Skip("no ctimes and inodes on this system: every build is a full one")
	}
	root := rebuildSite(t, "")
	pub := filepath.Join(root, "public")
	build := func() (*Report, error) {
		settle()
		return Build(context.Background(), Options{Root: root, Offline: true, NoGit: true})
	}
	if _, err := build(); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(pub, "articles", "a9"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := build(); err != nil {
		t.Fatal(err)
	}
	settle()
	mine := filepath.Join(pub, "articles", "a9", "index.html")
	writeFile(t, mine, "my own page\n")
	writeFile(t, filepath.Join(root, "content/articles/a9.md"), rebuildArticle("Article a9", `"go"`, 9, "", "New.\n"))
	_, err := build()
	if err == nil || !strings.Contains(err.Error(), "which kiji did not write") {
		t.Errorf("build error = %v, want one saying the file is not kiji's", err)
	}
	if got := read(t, mine); got != "my own page\n" {
		t.Errorf("the user's file now holds %q", got)
	}
}

// TestBuilderChecksLinksOfWhatChanged is TestRebuildChecksLinksOfWhatChanged
// for the dev server: with search on (its index files change names with
// every build), a body edit that keeps the links checks none of the kept
// pages but the one with a broken link; a page added mends that link.
func TestBuilderChecksLinksOfWhatChanged(t *testing.T) {
	root := rebuildSite(t, "")
	editArticle(t, root, "a2", "Text of a2", "Text of a2, see [later](/articles/a9/)")
	var checked []string
	pageChecked = func(rel string) { checked = append(checked, rel) }
	t.Cleanup(func() { pageChecked = nil })
	b := NewBuilder(Options{Root: root, Offline: true, NoGit: true, Dev: true})
	defer b.Close()
	build := func(changed ...string) *Report {
		checked = nil
		rep, _ := b.Build(context.Background(), changed)
		return rep
	}
	broken := func(rep *Report) []string {
		var out []string
		for _, p := range rep.Problems {
			if p.Rule == "broken-link" {
				out = append(out, filepath.Base(p.File))
			}
		}
		return out
	}
	if got := broken(build()); !slices.Equal(got, []string{"a2.md"}) {
		t.Fatalf("broken links in %v, want in a2.md", got)
	}
	editArticle(t, root, "a3", "Text of a3", "Tuxt of a3") // the image after it stays where it was
	rep := build(filepath.Join(root, "content/articles/a3.md"))
	const kept = "articles/a6/index.html"
	// a3's links are those it had: the Builder reuses their check too.
	// a2's link was broken: files were added (the search index), so it is
	// checked again.
	if !slices.Equal(checked, []string{"articles/a2/index.html"}) {
		t.Errorf("after a body edit of a3, the link check looked at %v; want only a2's page, whose link is broken", checked)
	}
	if got := broken(rep); !slices.Equal(got, []string{"a2.md"}) {
		t.Errorf("after a body edit, broken links in %v, want in a2.md", got)
	}
	p := filepath.Join(root, "content/articles/a9.md")
	writeFile(t, p, rebuildArticle("Article a9", `"go"`, 9, "", "New.\n"))
	if got := broken(build(p)); len(got) != 0 {
		t.Errorf("the page a link pointed to was added, and the link is still reported broken in %v", got)
	}
}
