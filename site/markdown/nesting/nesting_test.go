package nesting

import (
	"fmt"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"

	"github.com/kiji-ssg/kiji/site/diag"
)

func indented(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(strings.Repeat("  ", i) + "- a\n")
	}
	return b.String()
}

func TestCheckDepth(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		line      int // 0: no problem
		depth     int
	}{
		{"indented list, depth 100", indented(100), 0, 0},
		{"indented list, depth 2,000", "# x\n\n" + indented(2000), 103, 101},
		{"one line of 10,000 dashes", "- " + strings.Repeat("- ", 9999) + "a\n", 1, 10000},
		{"ordered", strings.Repeat("1. ", 150) + "a\n", 1, 150},
		{"quotes", "a\n\n" + strings.Repeat(">", 10000) + " a\n", 3, 10000},
		{"spaced quotes", strings.Repeat("> ", 101) + "a\n", 1, 101},
		{"lists in quotes", strings.Repeat("- > ", 60) + "a\n", 1, 120},
		{"footnote definitions", strings.Repeat("[^a]: ", 200) + "a\n", 1, 200},
		{"tabs", strings.Repeat("\t", 51) + "- a\n", 1, 103},
		{"depth 100 on every line", strings.Repeat(strings.Repeat("- ", 100)+"a\n", 1000), 0, 0},
		{"a long thematic break", strings.Repeat("* ", 500) + "\n", 0, 0},
		{"a thematic break after list markers", "- - " + strings.Repeat("* ", 500) + "\n", 0, 0},
		{"a long line of dashes", strings.Repeat("-", 10000) + "\n", 0, 0},
		{"deep indentation of plain text", strings.Repeat(" ", 1000) + "text\n", 0, 0},
		{"CRLF", strings.Repeat("- ", 101) + "a\r\n", 1, 101},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Check([]byte(tc.src))
			if tc.line == 0 {
				if p != nil {
					t.Fatalf("Check = %+v, want no problem", p)
				}
				return
			}
			if p == nil {
				t.Fatal("Check found no problem")
			}
			d := &diag.Doc{Src: []byte(tc.src)}
			if line, _ := d.Pos(p.Offset); line != tc.line {
				t.Errorf("problem at line %d, want %d", line, tc.line)
			}
			want := fmt.Sprintf("nests lists, quotes or footnotes %d levels deep", tc.depth)
			if !strings.Contains(p.Msg, want) || !strings.Contains(p.Msg, "limit of 100") {
				t.Errorf("message %q does not say %q and the limit", p.Msg, want)
			}
		})
	}
}

func convert(t *testing.T, src string) (*diag.List, string) {
	t.Helper()
	md := goldmark.New(goldmark.WithExtensions(extension.Table, &Extender{}))
	l := &diag.List{}
	pc := parser.NewContext()
	doc := &diag.Doc{File: "a.md", Src: []byte(src), List: l}
	diag.Attach(pc, doc)
	if p := Check([]byte(src)); p != nil { // as package markdown does
		doc.Errorf(p.Offset, "%s", p.Msg)
		return l, ""
	}
	var b strings.Builder
	if err := md.Convert([]byte(src), &b, parser.WithContext(pc)); err != nil {
		t.Fatal(err)
	}
	return l, b.String()
}

func TestBrackets(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		line      int // 0: no problem
	}{
		{"link openers in one paragraph", "intro\n\n" + strings.Repeat("[a](", 100000) + "\n", 3},
		{"nested brackets", strings.Repeat("[", 50000) + "a" + strings.Repeat("]", 50000) + "\n", 1},
		{"code spans that never close", strings.Repeat("`` a ", 20000) + "\n", 1},
		{"link openers over many lines", strings.Repeat("[a](\n", 30000), 1},
		{"a setext heading", strings.Repeat("[a](\n", 30000) + "===\n", 1},
		{"a heading", "# " + strings.Repeat("[a](", 100000) + "\n", 1},
		{"the worst paragraph is reported", "a\n\n" + strings.Repeat("[", 20000) + "a" + strings.Repeat("]", 20000) + "\n\n" + strings.Repeat("[", 15000) + "\n", 3},
		{"5,000 links in a list", strings.Repeat("- [link](https://example.com/) text\n", 5000), 0},
		{"5,000 links in paragraphs", strings.Repeat("See [link](https://example.com/) and [b](/c).\n\n", 5000), 0},
		{"a table of 1,000 rows with links", "| a | b |\n| - | - |\n" + strings.Repeat("| [x](/y) | [z](/w) `c` |\n", 1000), 0},
		{"a code block full of brackets", "```json\n" + strings.Repeat("[[1, 2], [3, 4]],\n", 20000) + "```\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := convert(t, tc.src)
			ps := l.Sorted()
			if tc.line == 0 {
				if len(ps) > 0 {
					t.Fatalf("problems: %v", ps)
				}
				return
			}
			if len(ps) != 1 {
				t.Fatalf("got %d problems, want 1: %v", len(ps), ps)
			}
			if ps[0].Line != tc.line || !strings.Contains(ps[0].Msg, "split") {
				t.Errorf("problem %v, want one at line %d saying to split", ps[0], tc.line)
			}
		})
	}
}

// The guard gives the same answer every time and leaves normal text alone.
func TestNormalTextUnchanged(t *testing.T) {
	src := "# T\n\nA [link](/x) and `code`.\n\n- [a](/b)\n  - [c](/d)\n\n> quote [e](/f)\n\n| a | b |\n| - | - |\n| [x](/y) | z |\n"
	l, got := convert(t, src)
	md := goldmark.New(goldmark.WithExtensions(extension.Table))
	var want strings.Builder
	md.Convert([]byte(src), &want)
	if got != want.String() || len(l.Sorted()) > 0 {
		t.Errorf("the guard changed normal text:\n%s\nwant:\n%s\nproblems %v", got, want.String(), l.Sorted())
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", "- a\n", "> > a\n", "  - a\n    - b\n", "* * *\n", "1. 2) 3. a", "[^a]: [^b]: c", "\t- \t> x", "-\n-", "---"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p := Check([]byte(src))
		if p != nil && (p.Offset < 0 || p.Offset > len(src) || p.Msg == "") {
			t.Fatalf("bad problem %+v", p)
		}
		convert(t, src)
	})
}

func BenchmarkCheck(b *testing.B) {
	src := []byte(strings.Repeat("## 見出し\n\n本文の段落です。[リンク](https://example.com/) と `code`。\n\n- 項目\n  - 入れ子\n\n> 引用\n\n```go\nfunc main() {}\n```\n\n", 2000))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Check(src)
	}
}
