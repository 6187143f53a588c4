package code

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// benchDoc is a document with n code blocks cycling through Go (with a file
// name), YAML and bash, each block's code distinct.
func benchDoc(n int) []byte {
	blocks := []string{
		"```go:main.go\npackage main\n\nimport \"fmt\"\n\n// main prints %d.\nfunc main() {\n\tfor i := 0; i < %d; i++ {\n\t\tfmt.Println(\"hello\", i)\n\t}\n}\n```\n",
		"```yaml\n# config %d\nname: kiji\nversion: %d\nitems:\n  - a: 1\n    b: \"two\"\n  - c: [3, 4]\n```\n",
		"```bash\n#!/bin/sh\n# step %d\nset -eu\nfor f in *.md; do\n  echo \"$f\" | wc -c  # %d\ndone\n```\n",
	}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "## Section %d\n\nSome text.\n\n", i)
		fmt.Fprintf(&b, blocks[i%len(blocks)], i, i)
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// BenchmarkRender100 converts a document of 100 code blocks (Go, YAML, bash).
//
//	go test ./site/markdown/code -run '^$' -bench . -benchmem
//
// memo-off highlights every block every time (a cold build); memo-on is a
// rebuild of unchanged blocks; goldmark-only is the same document without
// this extension (no highlighting), for scale.
func BenchmarkRender100(b *testing.B) {
	src := benchDoc(100)
	cases := []struct {
		name string
		md   goldmark.Markdown
	}{
		{"memo-off", newMD(WithMemo(0))},
		{"memo-on", newMD()},
		{"goldmark-only", goldmark.New(goldmark.WithExtensions(extension.GFM))},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var out bytes.Buffer
			if err := c.md.Convert(src, &out); err != nil { // warm up: lexers compiled, memo filled
				b.Fatal(err)
			}
			b.SetBytes(int64(len(src)))
			b.ResetTimer()
			cpu := cpuTime()
			for b.Loop() {
				out.Reset()
				if err := c.md.Convert(src, &out); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkRenderDiff100 is BenchmarkRender100 with every block in diff mode.
func BenchmarkRenderDiff100(b *testing.B) {
	src := bytes.ReplaceAll(benchDoc(100), []byte("```go:"), []byte("```diff go:"))
	src = bytes.ReplaceAll(src, []byte("```yaml"), []byte("```diff yaml"))
	src = bytes.ReplaceAll(src, []byte("```bash"), []byte("```bash diff"))
	md := newMD(WithMemo(0))
	var out bytes.Buffer
	_ = md.Convert(src, &out)
	b.SetBytes(int64(len(src)))
	cpu := cpuTime()
	for b.Loop() {
		out.Reset()
		if err := md.Convert(src, &out); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// reportCPU adds cpu-ns/op: CPU time used since start, per iteration (it
// includes the garbage collector's background work).
func reportCPU(b *testing.B, start time.Duration) {
	if end := cpuTime(); end > 0 && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkLexerLookup compares this package's cached lookup with what made
// a build 8× slower: matching a lexer by file name for every block.
func BenchmarkLexerLookup(b *testing.B) {
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			if lexerFor("go") == nil {
				b.Fatal("no lexer")
			}
		}
	})
	b.Run("lexers.Match-per-block", func(b *testing.B) {
		for b.Loop() {
			if lexers.Match("main.go") == nil {
				b.Fatal("no lexer")
			}
		}
	})
}
