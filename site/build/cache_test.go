package build

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func cacheArticle(title string) string {
	return "---\ntitle: \"" + title + "\"\nemoji: \"🐳\"\ntype: \"tech\"\ntopics: [\"go\"]\npublished: true\npublished_at: 2024-01-0" + string(rune('1'+len(title)%8)) + "\n---\n\n## 見出し\n\n本文 ![](/images/a.png)\n"
}

// cacheSite is a small project in a temp dir.
func cacheSite(t *testing.T) (root string, build func() *Report) {
	root = t.TempDir()
	writeFile(t, filepath.Join(root, "content/articles/one.md"), cacheArticle("一つ目"))
	writeFile(t, filepath.Join(root, "content/articles/two.md"), cacheArticle("二つ目の記事"))
	writeFile(t, filepath.Join(root, "content/images/a.png"), string(tinyPNG))
	writeFile(t, filepath.Join(root, "kiji.yaml"), "title: Cache test\nbase_url: https://example.com/\n")
	return root, func() *Report {
		t.Helper()
		rep, err := Build(context.Background(), Options{Root: root, Offline: true})
		if err != nil {
			t.Fatalf("build: %v", err)
		}
		return rep
	}
}

var tinyPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRebuildNothingChanged(t *testing.T) {
	_, build := cacheSite(t)
	first := build()
	if first.Written == 0 {
		t.Fatal("first build wrote nothing")
	}
	second := build()
	if second.Written != 0 {
		t.Errorf("a rebuild with nothing changed wrote %d files, want 0", second.Written)
	}
	if second.Unchanged != first.Written {
		t.Errorf("unchanged = %d, want %d", second.Unchanged, first.Written)
	}
}

func TestCacheInvalidation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, root string)
		check  func(t *testing.T, pub string)
	}{
		{"article", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "content/articles/one.md"), strings.Replace(cacheArticle("一つ目"), "本文", "書き換えた本文", 1))
		}, func(t *testing.T, pub string) {
			if !strings.Contains(read(t, filepath.Join(pub, "articles/one/index.html")), "書き換えた本文") {
				t.Error("the changed article was not rebuilt")
			}
		}},
		{"article title shows in neighbour and lists", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "content/articles/one.md"), strings.Replace(cacheArticle("一つ目"), "一つ目", "新しい題名", 1))
		}, func(t *testing.T, pub string) {
			for _, p := range []string{"index.html", "articles/two/index.html", "topics/go/index.html"} {
				if !strings.Contains(read(t, filepath.Join(pub, p)), "新しい題名") {
					t.Errorf("%s does not show the new title", p)
				}
			}
		}},
		{"removed article", func(t *testing.T, root string) {
			os.Remove(filepath.Join(root, "content/articles/two.md"))
		}, func(t *testing.T, pub string) {
			if _, err := os.Stat(filepath.Join(pub, "articles/two")); err == nil {
				t.Error("the removed article's page is still there")
			}
			if strings.Contains(read(t, filepath.Join(pub, "index.html")), "二つ目") {
				t.Error("the home page still lists the removed article")
			}
		}},
		{"image", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "content/images/a.png"), string(tinyPNG)+"x")
		}, func(t *testing.T, pub string) {
			if got := read(t, filepath.Join(pub, "images/a.png")); !strings.HasSuffix(got, "x") {
				t.Error("the changed image was not copied")
			}
		}},
		{"template", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "kiji.yaml"), "title: Cache test\nbase_url: https://example.com/\ntheme: mine\n")
			b, _ := os.ReadFile("../../themes/default/templates/article.html")
			writeFile(t, filepath.Join(root, "themes/mine/templates/article.html"), strings.Replace(string(b), `<div class="article-body">`, `<div class="article-body" data-theme="mine">`, 1))
		}, func(t *testing.T, pub string) {
			if !strings.Contains(read(t, filepath.Join(pub, "articles/one/index.html")), `data-theme="mine"`) {
				t.Error("the template change did not reach the article")
			}
		}},
		{"kiji.yaml", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(root, "kiji.yaml"), "title: Renamed site\nbase_url: https://example.com/\n")
		}, func(t *testing.T, pub string) {
			if !strings.Contains(read(t, filepath.Join(pub, "articles/one/index.html")), "Renamed site") {
				t.Error("the config change did not reach the article")
			}
		}},
		{"kiji version", func(t *testing.T, root string) {
			old := Version
			Version = "test-next"
			t.Cleanup(func() { Version = old })
		}, func(t *testing.T, pub string) {}},
		{"corrupt cache", func(t *testing.T, root string) {
			p := filepath.Join(root, ".kiji-cache", "state.gob")
			b := read(t, p)
			writeFile(t, p, b[:len(b)/2])
			// And a page replaced behind kiji's back.
			writeFile(t, filepath.Join(root, "public/articles/one/index.html"), "tampered")
		}, func(t *testing.T, pub string) {
			if strings.Contains(read(t, filepath.Join(pub, "articles/one/index.html")), "tampered") {
				t.Error("a tampered page survived the rebuild")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, build := cacheSite(t)
			build()
			tc.change(t, root)
			rep := build()
			pub := filepath.Join(root, "public")
			tc.check(t, pub)
			if tc.name == "kiji version" && rep.Written == 0 {
				t.Error("a new kiji version rebuilt nothing")
			}
			// The incremental result equals a clean build of the same input.
			clean := filepath.Join(t.TempDir(), "public")
			if _, err := Build(context.Background(), Options{Root: root, Dest: clean, CacheDir: t.TempDir(), Offline: true}); err != nil {
				t.Fatal(err)
			}
			a, b := hashTree(t, pub), hashTree(t, clean)
			for p, h := range b {
				if a[p] != h {
					t.Errorf("%s differs from a clean build", p)
				}
			}
			for p := range a {
				if _, ok := b[p]; !ok {
					t.Errorf("%s is stale: a clean build does not have it", p)
				}
			}
		})
	}
}

func hashTree(t *testing.T, dir string) map[string]string {
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		m[rel] = read(t, p)
		return nil
	})
	return m
}

func TestDecodeStateRejectsDamage(t *testing.T) {
	for _, tc := range []struct{ name, data string }{
		{"empty", ""},
		{"foreign", "hello world"},
		{"header only", stateHeader},
		{"bad checksum", stateHeader + "xxxx\n" + strings.Repeat("0", 2*sumSize)},
		{"truncated", stateHeader + strings.Repeat("x", 80)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := decodeState([]byte(tc.data)); err == nil {
				t.Error("damaged state accepted")
			}
		})
	}
}
