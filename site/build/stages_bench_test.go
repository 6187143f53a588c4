package build

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiji-ssg/kiji/site/content"
	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/markdown"
	"github.com/kiji-ssg/kiji/site/render"
	defaulttheme "github.com/kiji-ssg/kiji/themes/default"
)

// benchArticle is a mid-sized article: Japanese and English prose, a
// table, a list and three code blocks, like the bench corpus's median.
func benchArticle(i int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: \"記事 %d: Go と Kubernetes\"\nemoji: \"🐳\"\ntype: \"tech\"\ntopics: [\"go\", \"k8s\"]\npublished: true\npublished_at: 2024-01-%02d\n---\n\n", i, i%28+1)
	for s := 0; s < 6; s++ {
		fmt.Fprintf(&b, "## 見出し %d\n\nコンテナオーケストレーションはコントロールプレーンとデータプレーンから成り立っています。Fargate を使うとホストの管理が不要になります。\nThe control plane schedules tasks onto the data plane, and the data plane runs them.\n\n", s)
		b.WriteString("- 項目 A\n- 項目 B `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n")
		if s%2 == 0 {
			fmt.Fprintf(&b, "```go:main.go\npackage main\n\nimport \"fmt\"\n\nfunc main() {\n\tfor i := 0; i < %d; i++ {\n\t\tfmt.Println(\"hello\", i) // greet\n\t}\n}\n```\n\n", s)
		}
	}
	return []byte(b.String())
}

func BenchmarkStageParse(b *testing.B) {
	src := benchArticle(1)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		var l diag.List
		if content.ParseArticle("articles/a.md", src, content.Options{}, &l) == nil {
			b.Fatal(l.Sorted())
		}
	}
}

func BenchmarkStageConvert(b *testing.B) {
	src := benchArticle(1)
	conv := markdown.New(markdown.Options{Extensions: markdown.Kiji(markdown.KijiOptions{Offline: true})})
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := conv.Convert(&diag.Doc{File: "a.md", Src: src, List: &diag.List{}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStageRender(b *testing.B) {
	theme, err := render.LoadThemeLimits("/", render.Limits{}, defaulttheme.FS)
	if err != nil {
		b.Fatal(err)
	}
	theme.AddAsset("code.css", nil)
	theme.AddAsset("copy.js", nil)
	conv := markdown.New(markdown.Options{Extensions: markdown.Kiji(markdown.KijiOptions{Offline: true})})
	mr, err := conv.Convert(&diag.Doc{File: "a.md", Src: benchArticle(1), List: &diag.List{}})
	if err != nil {
		b.Fatal(err)
	}
	page := &render.Page{Site: &render.Site{Title: "bench", Lang: "ja", BasePath: "/", Home: "/"}, Title: "t",
		Article: &render.ArticleView{Summary: render.Summary{Title: "t", Emoji: "🐳"}, Body: template.HTML(mr.HTML)}}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := theme.Execute(&buf, "article", page); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

func BenchmarkStageWrite(b *testing.B) {
	data := bytes.Repeat([]byte("<p>本文</p>\n"), 3000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		b.StopTimer()
		dest := filepath.Join(b.TempDir(), "public")
		o, err := newOutputKnown(dest, "", nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for i := 0; i < 100; i++ {
			if err := o.write(fmt.Sprintf("articles/a%d/index.html", i), data); err != nil {
				b.Fatal(err)
			}
		}
		if err := o.commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild100 is a whole cold build of 100 articles, and a rebuild.
func BenchmarkBuild100(b *testing.B) {
	root := b.TempDir()
	for i := 0; i < 100; i++ {
		p := filepath.Join(root, "content", "articles", fmt.Sprintf("a%03d.md", i))
		writeFileB(b, p, benchArticle(i))
	}
	writeFileB(b, filepath.Join(root, "kiji.yaml"), []byte("base_url: https://example.com/\nog_images: false\n"))
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			dest, cache := filepath.Join(b.TempDir(), "public"), b.TempDir()
			b.StartTimer()
			if _, err := Build(context.Background(), Options{Root: root, Dest: dest, CacheDir: cache, Offline: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("nochange", func(b *testing.B) {
		dest, cache := filepath.Join(b.TempDir(), "public"), b.TempDir()
		opts := Options{Root: root, Dest: dest, CacheDir: cache, Offline: true}
		if _, err := Build(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := Build(context.Background(), opts); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func writeFileB(b *testing.B, p string, data []byte) {
	b.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkBuilderSave is the dev server's rebuild after one article is
// saved, on the corpus KIJI_BENCH_CORPUS names (a content folder, edited
// in place and put back; skipped when unset). KIJI_BENCH_OUT keeps the
// output and cache folders from run to run (else a temp folder: the first
// build is a cold one). KIJI_BENCH_SEARCH=0 turns search off.
//
//	KIJI_BENCH_CORPUS=DIR/content go test ./site/build -run '^$' -bench BuilderSave -benchtime 20x
func BenchmarkBuilderSave(b *testing.B) {
	src := os.Getenv("KIJI_BENCH_CORPUS")
	if src == "" {
		b.Skip("KIJI_BENCH_CORPUS names no content folder")
	}
	out := os.Getenv("KIJI_BENCH_OUT")
	if out == "" {
		out = b.TempDir()
	}
	cfg := filepath.Join(out, "kiji.yaml")
	yaml := "title: bench\nbase_url: https://example.com/\nog_images: false\n"
	if os.Getenv("KIJI_BENCH_SEARCH") == "0" {
		yaml += "search:\n  enabled: false\n"
	}
	writeFileB(b, cfg, []byte(yaml))
	art := filepath.Join(src, "articles", "slug-00500.md")
	orig, err := os.ReadFile(art)
	if err != nil {
		b.Fatal(err)
	}
	defer os.WriteFile(art, orig, 0o644)
	bl := NewBuilder(Options{Root: out, Source: src, Config: cfg, Dest: filepath.Join(out, "public"),
		CacheDir: filepath.Join(out, "cache"), Offline: true, Dev: true})
	defer bl.Close()
	if _, err := bl.Build(context.Background(), nil); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		n++
		writeFileB(b, art, append(append([]byte{}, orig...), fmt.Sprintf("\n\nEdit %d.\n", n)...))
		rep, err := bl.Build(context.Background(), []string{art})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Converted != 1 {
			b.Fatalf("converted %d articles, want 1", rep.Converted)
		}
	}
}
