package htmlsafe_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/kiji-ssg/kiji/site/cputime"
	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/htmlsafe"
	"github.com/kiji-ssg/kiji/site/markdown"
	"github.com/kiji-ssg/kiji/site/markdown/zenn"
)

// seedHTML is the seed article as the converter writes it (D2 diagrams,
// score tables and charts, code, tables): the HTML a page policy reads.
func seedHTML(tb testing.TB) []byte {
	tb.Helper()
	src, err := os.ReadFile("../../content/articles/ecs-vs-eks.md")
	if err != nil {
		tb.Fatal(err)
	}
	c := markdown.New(markdown.Options{Extensions: markdown.Kiji(markdown.KijiOptions{Offline: true})})
	res, err := c.Convert(&diag.Doc{File: "ecs-vs-eks.md", Src: src, List: &diag.List{}})
	if err != nil {
		tb.Fatal(err)
	}
	return res.HTML
}

// codeMarkdown is a mid-sized article of prose, lists, tables and
// highlighted code (most of a typical page's tags are chroma's spans).
func codeMarkdown() string {
	var b strings.Builder
	for s := 0; s < 8; s++ {
		fmt.Fprintf(&b, "## 見出し %d\n\nコンテナオーケストレーションは [コントロールプレーン](/articles/x/) とデータプレーンから成り立っています。\nThe control plane schedules **tasks** onto the data plane.\n\n", s)
		b.WriteString("- 項目 A\n- 項目 B `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n")
		fmt.Fprintf(&b, "```go:main.go\npackage main\n\nimport \"fmt\"\n\n// main greets.\nfunc main() {\n\tfor i := 0; i < %d; i++ {\n\t\tfmt.Println(\"hello\", i) // greet\n\t}\n}\n```\n\n", s)
	}
	return b.String()
}

func codeHTML(tb testing.TB) []byte {
	tb.Helper()
	c := markdown.New(markdown.Options{Extensions: markdown.Kiji(markdown.KijiOptions{Offline: true})})
	res, err := c.Convert(&diag.Doc{File: "code.md", Src: []byte(codeMarkdown()), List: &diag.List{}})
	if err != nil {
		tb.Fatal(err)
	}
	return res.HTML
}

// BenchmarkSanitize measures the policy on whole pages, in wall time
// (ns/op, MB/s) and in CPU time (cpu-ns/op), which a busy machine
// does not inflate:
//
//	go test ./site/htmlsafe -run '^$' -bench Sanitize -benchmem
func BenchmarkSanitize(b *testing.B) {
	for _, page := range []struct {
		name string
		html func(testing.TB) []byte
	}{{"seed", seedHTML}, {"code", codeHTML}} {
		b.Run(page.name, func(b *testing.B) {
			html := page.html(b)
			p := htmlsafe.Safe(zenn.IframeHosts...)
			dst := make([]byte, 0, len(html))
			b.SetBytes(int64(len(html)))
			b.ReportAllocs()
			cpu := cputime.Used()
			for b.Loop() {
				dst = p.Sanitize(dst[:0], html, nil)
			}
			if end := cputime.Used(); end > 0 {
				b.ReportMetric(float64(end-cpu)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

// BenchmarkConvert is the whole conversion of the same pages, of which
// Sanitize is a part:
//
//	go test ./site/htmlsafe -run '^$' -bench 'Sanitize|Convert' -benchmem
func BenchmarkConvert(b *testing.B) {
	seed, err := os.ReadFile("../../content/articles/ecs-vs-eks.md")
	if err != nil {
		b.Fatal(err)
	}
	for _, page := range []struct {
		name string
		src  []byte
	}{{"seed", seed}, {"code", []byte(codeMarkdown())}} {
		b.Run(page.name, func(b *testing.B) {
			c := markdown.New(markdown.Options{Extensions: markdown.Kiji(markdown.KijiOptions{Offline: true})})
			b.ReportAllocs()
			cpu := cputime.Used()
			for b.Loop() {
				if _, err := c.Convert(&diag.Doc{File: "a.md", Src: page.src, List: &diag.List{}}); err != nil {
					b.Fatal(err)
				}
			}
			if end := cputime.Used(); end > 0 {
				b.ReportMetric(float64(end-cpu)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
