package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// settle waits until the files just written are older than racyWindow,
// so that the next build's stamps can prove them unchanged.
func settle() { time.Sleep(racyWindow + 20*time.Millisecond) }

// shortcut reports whether rep is of a build the journal found up to date.
func shortcut(rep *Report) bool {
	return slices.ContainsFunc(rep.Steps, func(s StepTime) bool { return s.Name == "nothing changed" })
}

// journalSite is cacheSite with a theme of its own, built once and then
// again with nothing changed (the second build is the journal's).
func journalSite(t *testing.T) (root string, build func() *Report) {
	t.Helper()
	if !stampsSupported {
		t.Skip("no ctimes and inodes on this system: every build is a full one")
	}
	root, build = cacheSite(t)
	writeFile(t, filepath.Join(root, "kiji.yaml"), "title: Cache test\nbase_url: https://example.com/\ntheme: mine\n")
	themeBase(t, root, "theme one")
	settle()
	build()
	settle()
	if rep := build(); !shortcut(rep) {
		t.Fatalf("a rebuild with nothing changed did the whole build: %v", rep.Steps)
	}
	return root, build
}

// themeBase gives the theme "mine" the default base template with a
// line saying mark on every page.
func themeBase(t *testing.T, root, mark string) {
	t.Helper()
	base := read(t, filepath.Join("..", "..", "themes", "default", "templates", "base.html"))
	writeFile(t, filepath.Join(root, "themes/mine/templates/base.html"), strings.Replace(base, "</body>", "<i>"+mark+"</i></body>", 1))
}

// sameSizeEdit rewrites the article one.md with other bytes of the same
// size, and gives it back its modification time.
func sameSizeEdit(t *testing.T, root string, mtime func(old time.Time) time.Time) {
	t.Helper()
	p := filepath.Join(root, "content/articles/one.md")
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	old := read(t, p)
	edited := strings.Replace(old, "本文", "変更", 1)
	if len(edited) != len(old) || edited == old {
		t.Fatal("the edit must keep the size")
	}
	if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, fi.ModTime(), mtime(fi.ModTime())); err != nil {
		t.Fatal(err)
	}
}

func TestJournalSeesEveryChange(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, root string)
		rel    string // output file that must show it
		want   string
	}{
		{"edit keeping size and mtime (cp -p, touch -r)", func(t *testing.T, root string) {
			sameSizeEdit(t, root, func(old time.Time) time.Time { return old })
		}, "articles/one/index.html", "変更"},
		{"clock moved backwards: the new mtime is older", func(t *testing.T, root string) {
			sameSizeEdit(t, root, func(old time.Time) time.Time { return old.Add(-time.Hour) })
		}, "articles/one/index.html", "変更"},
		{"file replaced by rename, same size and mtime", func(t *testing.T, root string) {
			p := filepath.Join(root, "content/articles/one.md")
			fi, _ := os.Stat(p)
			old := read(t, p)
			tmp := filepath.Join(root, "content/one.tmp")
			writeFile(t, tmp, strings.Replace(old, "本文", "改名", 1))
			if err := os.Chtimes(tmp, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, p); err != nil {
				t.Fatal(err)
			}
		}, "articles/one/index.html", "改名"},
		{"theme change", func(t *testing.T, root string) {
			themeBase(t, root, "theme two")
		}, "articles/two/index.html", "theme two"},
		{"theme template added beside another (its folder listed again, not its parent)", func(t *testing.T, root string) {
			tmpl := read(t, filepath.Join("..", "..", "themes", "default", "templates", "404.html"))
			writeFile(t, filepath.Join(root, "themes/mine/templates/404.html"), strings.Replace(tmpl, "</main>", "<i>not found, mine</i></main>", 1))
		}, "404.html", "not found, mine"},
		{"image added in new nested folders", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "content/images/deep/er/b.png"), string(tinyPNG))
		}, "images/deep/er/b.png", string(tinyPNG)},
		{"new article", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "content/articles/three.md"), cacheArticle("三つ目"))
		}, "articles/three/index.html", "三つ目"},
		{"kiji.yaml", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "kiji.yaml"), "title: Renamed site\nbase_url: https://example.com/\ntheme: mine\n")
		}, "index.html", "Renamed site"},
		{"output page edited", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "public/articles/two/index.html"), "edited by hand")
		}, "articles/two/index.html", "二つ目の記事"},
		{"output page removed", func(t *testing.T, root string) {
			os.Remove(filepath.Join(root, "public/articles/two/index.html"))
		}, "articles/two/index.html", "二つ目の記事"},
		// With a source changed too, the output is stamped while the
		// sources are read (checkOutputs).
		{"output page edited, and an article", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "content/articles/one.md"), strings.Replace(cacheArticle("一つ目"), "本文", "書き換えた本文", 1))
			writeFile(t, filepath.Join(root, "public/articles/two/index.html"), "edited by hand")
		}, "articles/two/index.html", "二つ目の記事"},
		{"output page removed, and an article", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "content/articles/one.md"), strings.Replace(cacheArticle("一つ目"), "本文", "書き換えた本文", 1))
			os.Remove(filepath.Join(root, "public/articles/two/index.html"))
		}, "articles/two/index.html", "二つ目の記事"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, build := journalSite(t)
			tc.change(t, root)
			rep := build()
			if shortcut(rep) {
				t.Fatal("the build trusted the journal after the change")
			}
			if got := read(t, filepath.Join(root, "public", tc.rel)); !strings.Contains(got, tc.want) {
				t.Errorf("%s does not show the change (%q)", tc.rel, tc.want)
			}
		})
	}
}

func TestJournalReplaysTheReport(t *testing.T) {
	root, build := journalSite(t)
	// A file the user put in the output folder: each build warns about it.
	writeFile(t, filepath.Join(root, "public/CNAME"), "example.com\n")
	full := build()
	if shortcut(full) {
		t.Fatal("a file added to the output folder went unseen")
	}
	settle()
	again := build()
	if !shortcut(again) {
		t.Fatalf("the rebuild did the whole build: %v", again.Steps)
	}
	if len(full.Problems) == 0 {
		t.Fatal("no warning about the file kiji did not write")
	}
	if diff := cmp.Diff(full.Problems, again.Problems); diff != "" {
		t.Errorf("problems (-full +journal):\n%s", diff)
	}
	if again.Articles != full.Articles || again.Unchanged != full.Written+full.Unchanged || again.Written != 0 {
		t.Errorf("report %+v, want the counts of %+v with nothing written", again, full)
	}
	// Another file in a folder of the output: seen, and warned about.
	writeFile(t, filepath.Join(root, "public/articles/extra.txt"), "x")
	if rep := build(); shortcut(rep) || len(rep.Problems) != 2 {
		t.Errorf("after a second file added: shortcut %v, problems %v", shortcut(rep), rep.Problems)
	}
}

// TestJournalScheduledArticleComesDue: the nothing-changed shortcut is
// not taken once a scheduled article has come due, with and without
// --drafts (which builds it as a draft before).
func TestJournalScheduledArticleComesDue(t *testing.T) {
	if !stampsSupported {
		t.Skip("no ctimes and inodes on this system")
	}
	for _, drafts := range []bool{false, true} {
		t.Run(fmt.Sprintf("drafts=%v", drafts), func(t *testing.T) {
			root, _ := cacheSite(t)
			writeFile(t, filepath.Join(root, "content/articles/later.md"), regexp.MustCompile(`published_at: \S+`).ReplaceAllString(cacheArticle("予定"), "published_at: 2030-01-01"))
			settle()
			at := func(now time.Time) *Report {
				rep, err := Build(context.Background(), Options{Root: root, Offline: true, Now: now, Drafts: drafts})
				if err != nil {
					t.Fatal(err)
				}
				return rep
			}
			before := time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)
			at(before)
			settle()
			if rep := at(before); !shortcut(rep) {
				t.Fatalf("the rebuild before the date did the whole build: %v", rep.Steps)
			}
			rep := at(time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC))
			if shortcut(rep) {
				t.Fatal("the journal was trusted once a scheduled article came due")
			}
			if _, err := os.Stat(filepath.Join(root, "public/articles/later/index.html")); err != nil {
				t.Errorf("the article that came due was not built: %v", err)
			}
		})
	}
}

func TestJournalDamagedIsIgnored(t *testing.T) {
	root, build := journalSite(t)
	ms, _ := filepath.Glob(filepath.Join(root, ".kiji-cache", "journal-*.bin"))
	if len(ms) != 1 {
		t.Fatalf("journal files: %v", ms)
	}
	b, _ := os.ReadFile(ms[0])
	b[len(b)/2] ^= 0xff
	os.WriteFile(ms[0], b, 0o644)
	if rep := build(); shortcut(rep) {
		t.Error("a damaged journal was trusted")
	}
}

func FuzzDecodeJournal(f *testing.F) {
	j := &statJournal{Key: "k", Sources: []pathStamp{{Path: "a", stamp: stamp{Size: 3, Ino: 9}}}, Dest: "/d",
		Outs: []pathStamp{{Path: "x", Hash: "h"}}, Report: Report{Articles: 2}}
	f.Add(encodeJournal(j))
	f.Add([]byte(journalHeader))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeJournal(b)
		if err != nil {
			return
		}
		if again, err := decodeJournal(encodeJournal(got)); err != nil || !sameSlice(again.Sources, got.Sources) {
			t.Errorf("a decoded journal does not round-trip: %v", err)
		}
	})
}

// A commit changes no content file, but dates may come from the history.
func TestJournalSeesACommit(t *testing.T) {
	if !stampsSupported {
		t.Skip("no ctimes and inodes on this system")
	}
	root, build := cacheSite(t)
	writeFile(t, filepath.Join(root, ".git/HEAD"), "ref: refs/heads/main\n")
	writeFile(t, filepath.Join(root, ".git/logs/HEAD"), "0 1 a <a@b> 1 +0000\tcommit: one\n")
	writeFile(t, filepath.Join(root, ".git/index"), "DIRC")
	settle()
	build()
	settle()
	if rep := build(); !shortcut(rep) {
		t.Fatalf("a rebuild with nothing changed did the whole build: %v", rep.Steps)
	}
	f, err := os.OpenFile(filepath.Join(root, ".git/logs/HEAD"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("1 2 a <a@b> 2 +0000\tcommit: two\n")
	f.Close()
	if rep := build(); shortcut(rep) {
		t.Error("the journal was trusted after a commit")
	}
}
