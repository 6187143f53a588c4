package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/kiji-ssg/kiji/site/diag"
)

// hardSite is a project with an article, an image and a book, built once.
func hardSite(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "content/articles/one.md"), cacheArticle("一つ目"))
	writeFile(t, filepath.Join(root, "content/images/a.png"), string(tinyPNG))
	writeFile(t, filepath.Join(root, "content/books/b/config.yaml"), "title: \"本\"\nsummary: \"要約\"\ntopics: [\"go\"]\npublished: true\nprice: 0\nchapters:\n  - intro\n")
	writeFile(t, filepath.Join(root, "content/books/b/intro.md"), "---\ntitle: \"はじめに\"\n---\n\n本文\n")
	writeFile(t, filepath.Join(root, "kiji.yaml"), "title: Hardening\nbase_url: https://example.com/\n")
	if _, err := Build(context.Background(), Options{Root: root, Offline: true}); err != nil {
		t.Fatalf("the first build failed: %v", err)
	}
	return root
}

// buildWithin builds root and fails the test if the build does not end
// within a generous bound (a blocked open would hang it forever).
func buildWithin(t *testing.T, root string) (*Report, error) {
	t.Helper()
	type result struct {
		rep *Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := Build(context.Background(), Options{Root: root, Offline: true})
		done <- result{rep, err}
	}()
	select {
	case r := <-done:
		return r.rep, r.err
	case <-time.After(30 * time.Second):
		t.Fatal("the build did not end: it hangs")
		return nil, nil
	}
}

func mkfifo(t *testing.T, p string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.Remove(p)
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
}

func symlink(t *testing.T, target, p string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.Remove(p)
	if err := os.Symlink(target, p); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
}

func bigFile(t *testing.T, p string, head string, size int) {
	t.Helper()
	b := make([]byte, size)
	copy(b, head)
	for i := len(head); i < size; i++ {
		b[i] = 'a'
		if i%80 == 79 {
			b[i] = '\n'
		}
	}
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestHostileInputFailsTheBuild: a FIFO, a device or a file over its size
// limit anywhere kiji reads, or YAML whose aliases would expand without
// end, is an error naming the file; the build ends at once and the previous
// output stays as it was.
func TestHostileInputFailsTheBuild(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, root string)
		want  []string // parts of one problem (or of the error)
	}{
		{"FIFO article", func(t *testing.T, root string) {
			mkfifo(t, filepath.Join(root, "content/articles/x.md"))
		}, []string{"content/articles/x.md", "named pipe (FIFO)", "not a regular file"}},
		{"article symlinked to /dev/zero", func(t *testing.T, root string) {
			symlink(t, "/dev/zero", filepath.Join(root, "content/articles/z.md"))
		}, []string{"content/articles/z.md", "a symlink to /dev/zero", "device"}},
		{"FIFO image", func(t *testing.T, root string) {
			mkfifo(t, filepath.Join(root, "content/images/p.png"))
		}, []string{"content/images/p.png", "named pipe (FIFO)"}},
		{"FIFO static file", func(t *testing.T, root string) {
			mkfifo(t, filepath.Join(root, "content/static/robots2.txt"))
		}, []string{"content/static/robots2.txt", "named pipe (FIFO)"}},
		{"FIFO book config", func(t *testing.T, root string) {
			mkfifo(t, filepath.Join(root, "content/books/b/config.yaml"))
		}, []string{"content/books/b/config.yaml", "named pipe (FIFO)"}},
		{"FIFO chapter", func(t *testing.T, root string) {
			mkfifo(t, filepath.Join(root, "content/books/b/intro.md"))
		}, []string{"content/books/b/intro.md", "named pipe (FIFO)"}},
		{"FIFO cover", func(t *testing.T, root string) {
			mkfifo(t, filepath.Join(root, "content/books/b/cover.png"))
		}, []string{"content/books/b/cover.png", "named pipe (FIFO)"}},
		{"FIFO kiji.yaml", func(t *testing.T, root string) {
			mkfifo(t, filepath.Join(root, "kiji.yaml"))
		}, []string{"kiji.yaml", "named pipe (FIFO)"}},
		{"FIFO theme template", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "kiji.yaml"), "title: Hardening\nbase_url: https://example.com/\ntheme: mine\n")
			mkfifo(t, filepath.Join(root, "themes/mine/templates/article.html"))
		}, []string{"templates/article.html", "named pipe (FIFO)"}},
		{"article over 10 MB", func(t *testing.T, root string) {
			bigFile(t, filepath.Join(root, "content/articles/big.md"), cacheArticle("大きい"), 10<<20+1)
		}, []string{"content/articles/big.md", "over the limit of 10 MB", "limits.markdown_mb"}},
		{"article over the limit set in kiji.yaml", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "kiji.yaml"), "title: Hardening\nbase_url: https://example.com/\nlimits:\n  markdown_mb: 0.5\n")
			bigFile(t, filepath.Join(root, "content/articles/big.md"), cacheArticle("大きい"), 600<<10)
		}, []string{"content/articles/big.md", "over the limit of 512 KB", "limits.markdown_mb"}},
		{"image over the limit set in kiji.yaml", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "kiji.yaml"), "title: Hardening\nbase_url: https://example.com/\nlimits:\n  image_mb: 1\n")
			bigFile(t, filepath.Join(root, "content/images/big.png"), "", 1<<20+1)
		}, []string{"content/images/big.png", "over the limit of 1 MB", "limits.image_mb"}},
		{"list nested 10,000 levels deep", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "content/articles/deep.md"), cacheArticle("深い")+strings.Repeat("- ", 10000)+"a\n")
		}, []string{"content/articles/deep.md:13:1:", "10000 levels deep", "limit of 100"}},
		{"indented list 2,000 levels deep (4 MB)", func(t *testing.T, root string) {
			var b strings.Builder
			for i := 0; i < 2000; i++ {
				b.WriteString(strings.Repeat("  ", i) + "- a\n")
			}
			writeFile(t, filepath.Join(root, "content/books/b/intro.md"), "---\ntitle: \"はじめに\"\n---\n\n"+b.String())
		}, []string{"content/books/b/intro.md:105:1:", "101 levels deep", "limit of 100"}},
		{"alias bomb in kiji.yaml", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "kiji.yaml"), "base_url: https://example.com/\nparams:\n"+indent(laughs(9, "x"))+"title: *a8\n")
		}, []string{"kiji.yaml:", "aliases", "10000"}},
		{"alias bomb in front matter", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "content/articles/one.md"), "---\n"+laughs(9, "title")+"---\nbody\n")
		}, []string{"content/articles/one.md:", "aliases", "10000"}},
		{"alias bomb in a book's config.yaml", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "content/books/b/config.yaml"), "summary: \"要約\"\ntopics: [\"go\"]\npublished: true\nprice: 0\n"+laughs(9, "title"))
		}, []string{"content/books/b/config.yaml:", "aliases", "10000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := hardSite(t)
			pub := filepath.Join(root, "public")
			before := hashTree(t, pub)
			tc.setup(t, root)
			rep, err := buildWithin(t, root)
			if err == nil {
				t.Fatal("the build succeeded")
			}
			text := err.Error()
			if rep != nil {
				for _, p := range rep.Problems {
					text += "\n" + p.Error()
				}
			}
			found := false
			for _, line := range strings.Split(text, "\n") {
				ok := true
				for _, w := range tc.want {
					ok = ok && strings.Contains(line, w)
				}
				found = found || ok
			}
			if !found {
				t.Errorf("no problem says all of %q; got:\n%s", tc.want, text)
			}
			if _, ok := diag.AsErrors(err); !ok && !strings.Contains(tc.name, "theme") {
				t.Errorf("the error is not a list of problems: %v", err)
			}
			after := hashTree(t, pub)
			if len(after) != len(before) {
				t.Errorf("the output changed: %d files before, %d after", len(before), len(after))
			}
			for p, h := range before {
				if after[p] != h {
					t.Errorf("%s changed", p)
				}
			}
		})
	}
}

// TestBuilderFIFO: the dev server's rebuild after a FIFO appears (or an
// article is replaced by one) reports it and never blocks.
func TestBuilderFIFO(t *testing.T) {
	root := hardSite(t)
	b := NewBuilder(Options{Root: root, Dest: filepath.Join(root, "dev"), CacheDir: filepath.Join(root, "cache"), Offline: true, Dev: true})
	defer b.Close()
	if _, err := b.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"x.md", "one.md"} {
		p := filepath.Join(root, "content/articles", name)
		mkfifo(t, p)
		done := make(chan error, 1)
		go func() { _, err := b.Build(context.Background(), []string{p}); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "articles/"+name+": this file is a named pipe (FIFO)") {
				t.Errorf("rebuild after %s became a FIFO: %v", name, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("the rebuild after %s became a FIFO did not end", name)
		}
		os.Remove(p)
	}
}

// laughs is a "billion laughs": nine aliases of nine aliases…, 9^levels
// values once expanded, the last level aliased by the field last.
func laughs(levels int, last string) string {
	var b strings.Builder
	b.WriteString(`a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for i := 1; i < levels; i++ {
		p := fmt.Sprintf("*a%d", i-1)
		fmt.Fprintf(&b, "a%d: &a%d [%s%s]\n", i, i, strings.Repeat(p+",", 8), p)
	}
	fmt.Fprintf(&b, "%s: *a%d\n", last, levels-1)
	return b.String()
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ") + "\n"
}

// TestAliasesAcrossKeys: Zenn's parser lets a field repeat an earlier
// field's anchor, and so does kiji, in front matter and kiji.yaml alike.
func TestAliasesAcrossKeys(t *testing.T) {
	root := hardSite(t)
	writeFile(t, filepath.Join(root, "kiji.yaml"), "params:\n  name: &n \"Aliased site\"\nbase_url: https://example.com/\ntitle: *n\n")
	writeFile(t, filepath.Join(root, "content/articles/one.md"), "---\nx: &x \"Aliased title\"\ntitle: *x\nemoji: \"🐳\"\ntype: \"tech\"\ntopics: [\"go\"]\npublished: true\n---\n\nbody\n")
	if _, err := buildWithin(t, root); err != nil {
		t.Fatal(err)
	}
	page := read(t, filepath.Join(root, "public/articles/one/index.html"))
	for _, want := range []string{"<title>Aliased title", "Aliased site"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
}

// TestSlowFormulaRemembered: a formula that ran out of KaTeX's time is not
// tried again when its article is saved again (kiji serve), nor by a later
// build (the cache dir keeps it).
func TestSlowFormulaRemembered(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for KaTeX's 10 s timeout")
	}
	t.Setenv("KIJI_KATEX", "goja") // node renders this formula within the 10 s
	root := hardSite(t)
	p := filepath.Join(root, "content/articles/one.md")
	slow := "$$\n" + strings.Repeat("a+", 20000) + "b\n$$\n"
	writeFile(t, p, cacheArticle("一つ目")+"\n"+slow)
	b := NewBuilder(Options{Root: root, Dest: filepath.Join(root, "dev"), CacheDir: filepath.Join(root, ".kiji-cache"), Offline: true, Dev: true})
	defer b.Close()
	for i, want := range []string{"rendering took longer than 10s", "remembered from an earlier build"} {
		writeFile(t, p, cacheArticle("一つ目")+fmt.Sprintf("\n%d回目の保存\n\n", i)+slow)
		rep, err := b.Build(context.Background(), []string{p})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, pr := range rep.Problems {
			e := pr.Error()
			found = found || strings.Contains(e, "one.md:16:1: warning: KaTeX cannot render this formula: rendering took longer than 10s") && strings.Contains(e, want)
		}
		if !found {
			t.Errorf("save %d: no warning at the formula saying %q: %v", i, want, rep.Problems)
		}
	}
	memos, _ := filepath.Glob(filepath.Join(root, ".kiji-cache/math/*"))
	if len(memos) != 1 {
		t.Errorf("%d formulas remembered in .kiji-cache/math, want 1", len(memos))
	}
}

// FuzzLoadConfig: any kiji.yaml gives a config or problems with a message,
// never a panic or a hang (aliases are bounded).
func FuzzLoadConfig(f *testing.F) {
	for _, s := range []string{
		"title: T\nbase_url: https://example.com/\n",
		"params:\n  a: &a [x, x]\ntitle: *a\n",
		"params:\n" + indent(laughs(6, "x")) + "title: *a5\n",
		"limits:\n  markdown_mb: -1\n",
		"limits: {markdown_mb: 0.001, image_mb: 1e9}\n",
		"theme: ../x\n",
		"- a\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			var l diag.List
			c, _ := LoadConfig(fstest.MapFS{"kiji.yaml": {Data: b}}, "kiji.yaml", "kiji.yaml", &l)
			for _, p := range l.Sorted() {
				if p.Msg == "" {
					t.Errorf("problem without a message: %+v", p)
				}
			}
			if text, image := c.Limits.bytes(); text <= 0 || image <= 0 {
				t.Errorf("limits %d, %d", text, image)
			}
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("LoadConfig hangs on %q", b)
		}
	})
}
