package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/diag"
)

// tree maps every file under dir to its hash.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sum := sha256.Sum256(b)
		m[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:8])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func builderArticle(title, topics, body string) string {
	return "---\ntitle: \"" + title + "\"\nemoji: \"📝\"\ntype: \"tech\"\ntopics: [" + topics + "]\npublished: true\npublished_at: 2024-02-0" + string(rune('1'+len(title)%8)) + "\n---\n\n" + body
}

// TestBuilderMatchesBuild edits a project step by step and checks after
// each step that the Builder's incremental build writes byte for byte
// what a fresh one-off build writes, and reports the same problems.
func TestBuilderMatchesBuild(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "content")
	art := func(name string) string { return filepath.Join(src, "articles", name) }
	writeFile(t, art("alpha.md"), builderArticle("Alpha", `"go"`, "## Intro\n\nText ![](/images/a.png)\n\nSee [beta](/articles/beta/#setup).\n"))
	writeFile(t, art("beta.md"), builderArticle("Beta article", `"go", "web"`, "## Setup\n\nBody.\n\n```go\nfunc main() {}\n```\n"))
	writeFile(t, art("gamma.md"), builderArticle("Gamma", `"web"`, "Plain.\n"))
	writeFile(t, filepath.Join(src, "images/a.png"), string(tinyPNG))
	writeFile(t, filepath.Join(root, "kiji.yaml"), "title: Builder test\ntheme: mine\n")
	writeFile(t, filepath.Join(root, "themes/mine/assets/extra.css"), "p { color: red }\n")

	opts := Options{Root: root, Dest: filepath.Join(root, "dev"), CacheDir: filepath.Join(root, "cache"), Offline: true, Dev: true}
	b := NewBuilder(opts)
	defer b.Close()

	steps := []struct {
		name    string
		edit    func() []string // returns the paths it touched
		wantErr bool
		fast    bool // the content is not read again in full
	}{
		{"first build", func() []string { return nil }, false, false},
		{"body edit", func() []string {
			writeFile(t, art("alpha.md"), builderArticle("Alpha", `"go"`, "## Intro\n\nText changed ![](/images/a.png)\n\nSee [beta](/articles/beta/#setup).\n"))
			return []string{art("alpha.md")}
		}, false, true},
		{"title edit: neighbours and lists change", func() []string {
			writeFile(t, art("gamma.md"), builderArticle("Gamma renamed", `"web"`, "Plain.\n"))
			return []string{art("gamma.md")}
		}, false, true},
		{"description added: the feeds show it", func() []string {
			writeFile(t, art("gamma.md"), strings.Replace(builderArticle("Gamma renamed", `"web"`, "Plain.\n"), "published: true\n", "published: true\ndescription: \"About gamma\"\n", 1))
			return []string{art("gamma.md")}
		}, false, true},
		{"heading renamed: a link breaks", func() []string {
			writeFile(t, art("beta.md"), builderArticle("Beta article", `"go", "web"`, "## Install\n\nBody.\n"))
			return []string{art("beta.md")}
		}, true, true},
		{"heading restored", func() []string {
			writeFile(t, art("beta.md"), builderArticle("Beta article", `"go", "web"`, "## Setup\n\nBody again.\n"))
			return []string{art("beta.md")}
		}, false, true},
		// The author is typing: the preview keeps the article as last
		// read (a one-off build leaves it out), with the problem.
		{"bad front matter", func() []string {
			writeFile(t, art("gamma.md"), "---\ntitle: [oops\n---\nx\n")
			return []string{art("gamma.md")}
		}, true, true},
		{"front matter fixed", func() []string {
			writeFile(t, art("gamma.md"), builderArticle("Gamma", `"web"`, "Plain, fixed.\n"))
			return []string{art("gamma.md")}
		}, false, true},
		{"editor temp files only", func() []string {
			writeFile(t, art(".alpha.md.swp"), "junk")
			writeFile(t, art("alpha.md~"), "junk")
			return []string{art(".alpha.md.swp"), art("alpha.md~"), art("4913")}
		}, false, true},
		{"vim backup rename and write", func() []string {
			os.Rename(art("alpha.md"), art("alpha.md.bak~"))
			writeFile(t, art("alpha.md"), builderArticle("Alpha", `"go"`, "## Intro\n\nVim wrote this ![](/images/a.png)\n\nSee [beta](/articles/beta/#setup).\n"))
			os.Remove(art("alpha.md.bak~"))
			return []string{art("alpha.md"), art("alpha.md.bak~")}
		}, false, true},
		{"topics change", func() []string {
			writeFile(t, art("gamma.md"), builderArticle("Gamma", `"web", "rust"`, "Plain, fixed.\n"))
			return []string{art("gamma.md")}
		}, false, false},
		{"new article", func() []string {
			writeFile(t, art("delta.md"), builderArticle("Delta", `"go"`, "New.\n"))
			return []string{art("delta.md")}
		}, false, false},
		{"article deleted", func() []string {
			os.Remove(art("delta.md"))
			return []string{art("delta.md")}
		}, false, false},
		// The pages are published with the error: the new page stays.
		{"new article with a broken link", func() []string {
			writeFile(t, art("epsilon.md"), builderArticle("Epsilon", `"go"`, "See [nothing](/articles/nothing/).\n"))
			return []string{art("epsilon.md")}
		}, true, false},
		{"its link mended", func() []string {
			writeFile(t, art("epsilon.md"), builderArticle("Epsilon", `"go"`, "See [beta](/articles/beta/).\n"))
			return []string{art("epsilon.md")}
		}, false, true},
		{"image replaced", func() []string {
			p := filepath.Join(src, "images/a.png")
			writeFile(t, p, string(tinyPNG)+"trailing")
			return []string{p}
		}, false, false},
		{"theme stylesheet", func() []string {
			p := filepath.Join(root, "themes/mine/assets/style.css")
			writeFile(t, p, "body { background: #fee }\n")
			return []string{p}
		}, false, true},
		{"kiji.yaml", func() []string {
			p := filepath.Join(root, "kiji.yaml")
			writeFile(t, p, "title: Builder test, renamed\ntheme: mine\n")
			return []string{p}
		}, false, false},
		{"nothing named, something changed", func() []string {
			writeFile(t, art("beta.md"), builderArticle("Beta article", `"go", "web"`, "## Setup\n\nUnannounced.\n"))
			return nil
		}, false, false},
	}
	for i, s := range steps {
		changed := s.edit()
		// The dev server's way: the pages are shown before the search
		// index is done. They must be as the whole build leaves them.
		// An edit of Markdown alone shows the changed pages first, then
		// the rest (two calls); others show all but the index at once.
		var shownTree map[string]string
		var shown *Report
		var calls []shownCall
		rep, err := b.BuildShown(context.Background(), changed, func(r *Report) {
			shown, shownTree = r, tree(t, opts.Dest)
			calls = append(calls, shownCall{slices.Clone(r.Changed), shownTree})
		})
		if len(calls) > 0 {
			shown = &Report{Problems: shown.Problems, Changed: nil}
			for _, c := range calls {
				shown.Changed = append(shown.Changed, c.changed...)
			}
			slices.Sort(shown.Changed)
		}
		checkChangedFirst(t, i, s.name, calls, changed, s.fast, s.wantErr)
		if (err != nil) != s.wantErr {
			t.Fatalf("step %d (%s): Builder.Build error = %v, want error: %v", i, s.name, err, s.wantErr)
		}
		if b.reused != s.fast {
			t.Errorf("step %d (%s): content reused = %v, want %v", i, s.name, b.reused, s.fast)
		}
		fresh := t.TempDir()
		want, werr := Build(context.Background(), Options{Root: root, Dest: filepath.Join(fresh, "out"), CacheDir: filepath.Join(fresh, "cache"), Offline: true, Dev: true})
		if (werr != nil) != s.wantErr {
			t.Fatalf("step %d (%s): Build error = %v, want error: %v", i, s.name, werr, s.wantErr)
		}
		if diff := cmp.Diff(problemStrings(want.Problems), problemStrings(rep.Problems)); diff != "" {
			t.Errorf("step %d (%s): problems differ (-Build +Builder):\n%s", i, s.name, diff)
		}
		if s.wantErr {
			// A dev build publishes what it could render: the pages are
			// there, with the last good version of the broken article.
			if !rep.Published {
				t.Errorf("step %d (%s): the dev build did not publish its pages", i, s.name)
			}
			if _, err := os.Stat(filepath.Join(opts.Dest, "articles", "gamma", "index.html")); err != nil {
				t.Errorf("step %d (%s): the article whose front matter broke is gone from the preview: %v", i, s.name, err)
			}
			if diff := cmp.Diff(shownWithout(shownTree), shownWithout(tree(t, opts.Dest))); shown != nil && diff != "" {
				t.Errorf("step %d (%s): the output shown was not kept (-shown +after the build):\n%s", i, s.name, diff)
			}
			continue
		}
		wantTree := tree(t, filepath.Join(fresh, "out"))
		if diff := cmp.Diff(wantTree, tree(t, opts.Dest)); diff != "" {
			t.Errorf("step %d (%s): output differs (-Build +Builder):\n%s", i, s.name, diff)
		}
		if shown == nil {
			if i > 0 {
				t.Errorf("step %d (%s): the pages were not shown before the search index was done", i, s.name)
			}
			continue
		}
		if diff := cmp.Diff(shownWithout(wantTree), shownWithout(shownTree)); diff != "" {
			t.Errorf("step %d (%s): the output shown differs (-Build +Builder), the search index's data aside:\n%s", i, s.name, diff)
		}
		if diff := cmp.Diff(problemStrings(rep.Problems), problemStrings(shown.Problems)); diff != "" {
			t.Errorf("step %d (%s): problems shown differ from the build's (-build +shown):\n%s", i, s.name, diff)
		}
		if diff := cmp.Diff(withoutSearch(rep.Changed), withoutSearch(shown.Changed)); diff != "" {
			t.Errorf("step %d (%s): files shown differ from the build's changes (-build +shown), the search index aside:\n%s", i, s.name, diff)
		}
	}
}

// shownCall is one call of BuildShown's shown: the files it names, and
// the output as it was then.
type shownCall struct {
	changed []string
	tree    map[string]string
}

// checkChangedFirst checks the first of calls (a build's shown calls): a
// build whose changes (paths) are Markdown files it reads alone (fast)
// shows their pages first, alone, as they end (a build with errors may
// have no page to show); any other shows everything at once.
func checkChangedFirst(t *testing.T, i int, name string, calls []shownCall, paths []string, fast, errs bool) {
	t.Helper()
	md := len(paths) > 0 && fast
	for _, p := range paths {
		md = md && strings.HasSuffix(p, ".md")
	}
	if !md {
		if len(calls) > 1 {
			t.Errorf("step %d (%s): shown %d times (%v first); want once, as a change not of Markdown alone may need new stylesheets or images", i, name, len(calls), calls[0].changed)
		}
		return
	}
	if len(calls) < 2 && !errs {
		t.Errorf("step %d (%s): a Markdown edit was shown in %d call(s); want its pages first, then the rest", i, name, len(calls))
		return
	}
	if len(calls) < 2 {
		return
	}
	for _, rel := range calls[0].changed {
		if !strings.HasPrefix(rel, "articles/") || !strings.HasSuffix(rel, "/index.html") {
			t.Errorf("step %d (%s): shown first %s; want the edited articles' pages only", i, name, rel)
		}
		if got, want := calls[0].tree[rel], calls[len(calls)-1].tree[rel]; got != want {
			t.Errorf("step %d (%s): %s shown first is not the page the build ends with", i, name, rel)
		}
	}
}

// shownWithout leaves out of a tree what a Builder's build puts in
// place after it showed the pages: the search index's data, the manifest.
func shownWithout(m map[string]string) map[string]string {
	out := map[string]string{}
	for rel, h := range m {
		if rel != manifestName && !strings.HasPrefix(rel, ".kiji-tmp-") && (!strings.HasPrefix(rel, "search/") || rel == "search/index.html") {
			out[rel] = h
		}
	}
	return out
}

func problemStrings(ps []diag.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Error())
	}
	return out
}

// TestBuilderRebuildsOnlyWhatChanged checks that a body edit writes the
// article's page and the feeds that quote its summary, nothing else, and
// that Report.Changed says so.
func TestBuilderRebuildsOnlyWhatChanged(t *testing.T) {
	root := t.TempDir()
	a := filepath.Join(root, "content/articles/one.md")
	writeFile(t, a, builderArticle("One", `"go"`, "First.\n"))
	writeFile(t, filepath.Join(root, "content/articles/two.md"), builderArticle("Two two", `"go"`, "Second.\n"))
	b := NewBuilder(Options{Root: root, Dest: filepath.Join(root, "dev"), CacheDir: filepath.Join(root, "cache"), Offline: true, Dev: true})
	defer b.Close()
	if _, err := b.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, a, builderArticle("One", `"go"`, "First, edited.\n"))
	// Saved a minute later: the article's updated date is the file's, in
	// the feeds and the sitemap.
	later := fi.ModTime().Add(time.Minute)
	if err := os.Chtimes(a, later, later); err != nil {
		t.Fatal(err)
	}
	rep, err := b.Build(context.Background(), []string{a})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"articles/one/index.html", "feed.xml", "sitemap.xml", "topics/go/feed.xml"}, withoutSearch(rep.Changed)); diff != "" {
		t.Errorf("Changed (-want +got):\n%s", diff)
	}
	if !b.listsSame {
		t.Error("the list pages were keyed again, though no article's summary changed")
	}
	if !slices.Contains(rep.Changed, "search/meta.json") {
		t.Errorf("Changed %v: the search index does not follow the edit", rep.Changed)
	}
	if !strings.Contains(read(t, filepath.Join(root, "dev/articles/one/index.html")), "First, edited.") {
		t.Error("the page does not show the edit")
	}
	rep, err = b.Build(context.Background(), []string{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Written != 0 || len(rep.Changed) != 0 {
		t.Errorf("a build with nothing changed wrote %d files (%v)", rep.Written, rep.Changed)
	}
}

// TestBuilderCacheOnDisk checks that Close writes the dev cache, apart
// from a real build's.
func TestBuilderCacheOnDisk(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "content/articles/one.md"), builderArticle("One", `"go"`, "First.\n"))
	cache := filepath.Join(root, "cache")
	b := NewBuilder(Options{Root: root, Dest: filepath.Join(root, "dev"), CacheDir: cache, Offline: true, Dev: true})
	if _, err := b.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cache, "state-dev.gob")); err != nil {
		t.Errorf("no dev cache after Close: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cache, "state.gob")); err == nil {
		t.Error("a dev build wrote the cache of real builds")
	}
	// A new Builder (a restarted server) renders nothing again.
	b2 := NewBuilder(Options{Root: root, Dest: filepath.Join(root, "dev"), CacheDir: cache, Offline: true, Dev: true})
	defer b2.Close()
	rep, err := b2.Build(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Written != 0 {
		t.Errorf("a restarted Builder wrote %d files (%v), want 0", rep.Written, rep.Changed)
	}
}

// TestBuilderSeesRewriteKeepingSizeAndMtime rewrites an image in place
// with other bytes of the same size and puts its modification time back
// (cp -p, rsync -a): the watcher names the file, and the Builder must
// copy the new bytes, not trust its memo of the old hash.
func TestBuilderSeesRewriteKeepingSizeAndMtime(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "content/articles/one.md"), builderArticle("One", `"go"`, "![](/images/a.png)\n"))
	img := filepath.Join(root, "content/images/a.png")
	writeFile(t, img, string(tinyPNG))
	b := NewBuilder(Options{Root: root, Dest: filepath.Join(root, "dev"), CacheDir: filepath.Join(root, "cache"), Offline: true, Dev: true})
	defer b.Close()
	if _, err := b.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(img)
	if err != nil {
		t.Fatal(err)
	}
	other := []byte(string(tinyPNG))
	other[len(other)-20] ^= 0xff // same size, other bytes
	if err := os.WriteFile(img, other, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(img, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Build(context.Background(), []string{img}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(root, "dev/images/a.png")); got != string(other) {
		t.Error("the output still holds the image's old bytes")
	}
}

// A second dev server keeps the list pages the first one left: its cache
// on disk has them, and its first build takes them from there.
func TestBuilderKeepsListsAcrossRuns(t *testing.T) {
	root, _ := cacheSite(t)
	opts := Options{Root: root, Offline: true, Dev: true}
	first := NewBuilder(opts)
	if _, err := first.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	disk := readState(filepath.Join(root, ".kiji-cache", "state-dev.gob"))
	var lists []string
	for rel := range disk.Outs {
		lists = append(lists, rel)
	}
	if disk.Outs["index.html"] == nil {
		t.Fatalf("the dev server's cache on disk has no home page; it has %v", lists)
	}
	second := NewBuilder(opts)
	defer second.Close()
	if _, err := second.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"index.html", "topics/index.html", "topics/go/index.html"} {
		e := second.outs[rel]
		// An entry taken from the cache has its links read (memo); one
		// of a page rendered again has them only as written.
		if e == nil || e.Links == nil || e.Links.memo == nil {
			t.Errorf("%s was rendered again by the second server's first build", rel)
		}
	}
}

// withoutSearch leaves the search index's files out of a list of output
// files: they change with any page's text.
func withoutSearch(files []string) []string {
	var out []string
	for _, f := range files {
		if !strings.HasPrefix(f, "search/") {
			out = append(out, f)
		}
	}
	return out
}

// searchFiles counts the files of the search index written (new names:
// the index's folder is named by its content; meta.json) in a list of
// changed files, the old index's removed files aside.
func searchFiles(changed []string) int {
	return (len(changed) - len(withoutSearch(changed)) + 1) / 2
}
