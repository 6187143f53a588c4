package code

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/markdown/golden"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
)

// newMD is the test setup: GFM plus this extension, as the lead wires it.
func newMD(opts ...Option) goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(extension.GFM, New(opts...)))
}

func render(t testing.TB, md goldmark.Markdown, src string) string {
	t.Helper()
	var b bytes.Buffer
	if err := md.Convert([]byte(src), &b); err != nil {
		t.Fatalf("Convert: %v", err)
	}
	return b.String()
}

// TestGolden renders testdata/*.txtar's input.md and compares with output.html.
// Refresh with: go test ./site/markdown/code -update
func TestGolden(t *testing.T) {
	md := newMD()
	golden.Run(t, "testdata/*.txtar", func(t *testing.T, a *golden.Archive) []golden.Output {
		return []golden.Output{{Name: "output.html", Data: []byte(render(t, md, string(a.Input(t))))}}
	})
}

func TestParseInfo(t *testing.T) {
	tests := []struct {
		name, in string
		want     info
	}{
		{"empty", "", info{}},
		{"spaces", "   ", info{}},
		{"lang", "go", info{Lang: "go"}},
		{"upper case", "GoLang", info{Lang: "golang"}},
		{"lang and file", "js:src/hello.js", info{Lang: "js", File: "src/hello.js"}},
		{"file keeps its case", "Go:Main.GO", info{Lang: "go", File: "Main.GO"}},
		{"file is everything after the first colon", "js:a:b.js", info{Lang: "js", File: "a:b.js"}},
		{"empty file", "js:", info{Lang: "js"}},
		{"file only", ":notes.txt", info{File: "notes.txt"}},
		{"file with spaces", "sh: my script.sh ", info{Lang: "sh", File: "my script.sh"}},
		{"diff lang", "diff ts", info{Lang: "ts", Diff: true}},
		{"lang diff", "ts diff", info{Lang: "ts", Diff: true}},
		{"diff lang file", "diff ts:src/sum.ts", info{Lang: "ts", File: "src/sum.ts", Diff: true}},
		{"lang diff file", "ts diff:src/sum.ts", info{Lang: "ts", File: "src/sum.ts", Diff: true}},
		{"diff alone", "diff", info{Diff: true}},
		{"DIFF upper case", "DIFF Go", info{Lang: "go", Diff: true}},
		{"diff in the file name is not a mode", "go:diff", info{Lang: "go", File: "diff"}},
		{"extra words ignored", "go title=x", info{Lang: "go"}},
		{"several spaces", "diff   js", info{Lang: "js", Diff: true}},
		{"react is jsx", "react", info{Lang: "jsx"}},
		{"React is jsx", "React:App.jsx", info{Lang: "jsx", File: "App.jsx"}},
		{"cwl is yaml", "cwl", info{Lang: "yaml"}},
		{"diff react", "diff react", info{Lang: "jsx", Diff: true}},
		{"mermaid kept", "mermaid", info{Lang: "mermaid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseInfo(tt.in)); diff != "" {
				t.Errorf("parseInfo(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// codeRe captures what is inside <code> of each rendered block.
var codeRe = regexp.MustCompile(`(?s)<pre class="chroma[^"]*" tabindex="0" translate="no"><code>(.*?)</code></pre>`)

var tagRe = regexp.MustCompile(`<[^>]*>`)

// textOf returns the text a browser shows for an HTML fragment with no
// attributes that matter: the tags removed and the references resolved.
func textOf(fragment string) string {
	return html.UnescapeString(tagRe.ReplaceAllString(fragment, ""))
}

func TestBehaviour(t *testing.T) {
	md := newMD()
	tests := []struct {
		name, src string
		check     func(t *testing.T, out string)
	}{
		{"no inline styles", "```go\nfunc main() { fmt.Println(\"hi\") } // c\n```\n\n```diff yaml:a.yml\n-a: 1\n+a: 2\n```\n", func(t *testing.T, out string) {
			if strings.Contains(out, "style=") {
				t.Errorf("output has an inline style:\n%s", out)
			}
			if !strings.Contains(out, `<span class="kd">func</span>`) {
				t.Errorf("Go is not highlighted with classes:\n%s", out)
			}
		}},
		{"text survives highlighting", "```go\npackage main\n\n// <b>&amp;\nvar s = `a\nb`\n```\n", func(t *testing.T, out string) {
			m := codeRe.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no code block in %s", out)
			}
			if got, want := textOf(m[1]), "package main\n\n// <b>&amp;\nvar s = `a\nb`\n"; got != want {
				t.Errorf("text = %q, want %q", got, want)
			}
		}},
		{"diff keeps a multi-line string whole", "```diff go\n var s = `a\n-b\n+c`\n```\n", func(t *testing.T, out string) {
			// The lexer sees the block without prefixes, so lines 2 and 3
			// are still inside the raw string.
			for _, want := range []string{
				`<span class="diff-line diff-remove"><span class="diff-prefix">-</span><span class="s">b`,
				`<span class="diff-line diff-add"><span class="diff-prefix">+</span><span class="s">c`,
			} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %s:\n%s", want, out)
				}
			}
		}},
		{"diff marks from the first character", "```diff\n+a\n>b\n-c\n<d\n e\nf\n\n@@ x @@\n```\n", func(t *testing.T, out string) {
			want := `<pre class="chroma diff" tabindex="0" translate="no"><code>` +
				`<span class="diff-line diff-add"><span class="diff-prefix">+</span>a` + "\n</span>" +
				`<span class="diff-line diff-add"><span class="diff-prefix">&gt;</span>b` + "\n</span>" +
				`<span class="diff-line diff-remove"><span class="diff-prefix">-</span>c` + "\n</span>" +
				`<span class="diff-line diff-remove"><span class="diff-prefix">&lt;</span>d` + "\n</span>" +
				`<span class="diff-line diff-context"><span class="diff-prefix"> </span>e` + "\n</span>" +
				`<span class="diff-line">f` + "\n</span>" +
				`<span class="diff-line">` + "\n</span>" +
				`<span class="diff-line">@@ x @@` + "\n</span>" +
				`</code></pre>`
			if !strings.Contains(out, want) {
				t.Errorf("output lacks\n%s\nin\n%s", want, out)
			}
		}},
		{"CRLF line ends", "```go\r\nx := 1\r\ny := 2\r\n```\r\n", func(t *testing.T, out string) {
			if strings.Contains(out, "\r") {
				t.Errorf("output keeps a CR: %q", out)
			}
			m := codeRe.FindStringSubmatch(out)
			if m == nil || textOf(m[1]) != "x := 1\ny := 2\n" {
				t.Errorf("code text wrong: %q", out)
			}
		}},
		{"info escapes and references", "```js:a\\_b&amp;c.js\nx\n```\n", func(t *testing.T, out string) {
			if !strings.Contains(out, `<div class="code-filename">a_b&amp;c.js</div>`) {
				t.Errorf("file name not unescaped:\n%s", out)
			}
		}},
		{"hostile language name", "```\"><script>x:<img>\nx\n```\n", func(t *testing.T, out string) {
			if strings.Contains(out, "<script") || strings.Contains(out, "<img") {
				t.Errorf("markup from the info string leaked:\n%s", out)
			}
		}},
		{"inside a list item", "- item\n\n  ```go\n  x := 1\n  ```\n", func(t *testing.T, out string) {
			if !strings.Contains(out, "<li>") {
				t.Errorf("no list item:\n%s", out)
			}
			m := codeRe.FindStringSubmatch(out)
			if m == nil || textOf(m[1]) != "x := 1\n" {
				t.Errorf("code text wrong in %s", out)
			}
		}},
		{"tab in a blockquote", "> ```go\n> \tx := 1\n> ```\n", func(t *testing.T, out string) {
			m := codeRe.FindStringSubmatch(out)
			if m == nil || textOf(m[1]) != "\tx := 1\n" {
				t.Errorf("code text wrong in %q", out)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, render(t, md, tt.src))
		})
	}
}

func TestCopyButtonOption(t *testing.T) {
	src := "```go\nx\n```\n"
	if out := render(t, newMD(), src); !strings.Contains(out, `<button type="button" class="copy-code" aria-label="コードをコピー" hidden>`) {
		t.Errorf("default has no copy button:\n%s", out)
	}
	if out := render(t, newMD(WithCopyButton(false)), src); strings.Contains(out, "<button") {
		t.Errorf("WithCopyButton(false) still has a button:\n%s", out)
	}
}

// corpus is a document with many kinds of blocks, used by the concurrency,
// memo and benchmark tests.
func corpus(n int) string {
	var b strings.Builder
	blocks := []string{
		"```go:main.go\npackage main\n\nimport \"fmt\"\n\n// main prints %d.\nfunc main() {\n\tfor i := 0; i < %d; i++ {\n\t\tfmt.Println(\"hello\", i)\n\t}\n}\n```\n",
		"```yaml\n# config %d\nname: kiji\nversion: %d\nitems:\n  - a: 1\n    b: \"two\"\n  - c: [3, 4]\n```\n",
		"```bash\n#!/bin/sh\n# step %d\nset -eu\nfor f in *.md; do\n  echo \"$f\" | wc -c  # %d\ndone\n```\n",
		"```diff ts:src/sum%d.ts\n export function sum(a: number, b: number) {\n-  return a - b;\n+  return a + b; // %d\n }\n```\n",
	}
	for i := range n {
		fmt.Fprintf(&b, "## Block %d\n\ntext\n\n", i)
		fmt.Fprintf(&b, blocks[i%len(blocks)], i, i)
		b.WriteString("\n")
	}
	return b.String()
}

func TestConcurrentAndDeterministic(t *testing.T) {
	src := corpus(40)
	want := render(t, newMD(WithMemo(0)), src)
	md := newMD(WithMemo(16)) // small memo: entries come and go while others read
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 4 {
				var b bytes.Buffer
				if err := md.Convert([]byte(src), &b); err != nil {
					errs <- err.Error()
					return
				}
				if b.String() != want {
					errs <- cmp.Diff(want, b.String())
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent render differs from sequential (-want +got):\n%s", e)
	}
}

func TestMemo(t *testing.T) {
	m := newMemo(4)
	l := lexerFor("go")
	a := highlightMemo(m, l, "x := 1\n", false)
	b := highlightMemo(m, l, "x := 1\n", false)
	if &a[0] != &b[0] {
		t.Errorf("second call did not come from the memo")
	}
	if d := highlightMemo(m, l, "x := 1\n", true); bytes.Equal(d, a) {
		t.Errorf("diff mode shares a memo entry with normal mode: %s", d)
	}
	if p := highlightMemo(m, nil, "x := 1\n", false); bytes.Equal(p, a) {
		t.Errorf("plain text shares a memo entry with Go: %s", p)
	}
	for i := range 100 {
		highlightMemo(m, l, fmt.Sprintf("x := %d\n", i), false)
		if n := m.len(); n > 8 {
			t.Fatalf("memo holds %d entries, want at most 2×4", n)
		}
	}
	if newMemo(0) != nil {
		t.Errorf("newMemo(0) is not nil (memo off)")
	}
	// Byte bound: plain-text blocks of just under a quarter of the limit.
	for i := range 12 {
		big := strings.Repeat("a", memoMaxBytes/4-1000) + fmt.Sprint(i)
		highlightMemo(m, nil, big, false)
		if m.curBytes > memoMaxBytes {
			t.Fatalf("memo generation holds %d bytes, more than %d", m.curBytes, memoMaxBytes)
		}
	}
	// A block over a quarter of the limit is not kept at all.
	before := m.len()
	highlightMemo(m, nil, strings.Repeat("b", memoMaxBytes/4+1), false)
	if m.len() != before {
		t.Errorf("an oversized block went into the memo")
	}
}

func TestLexerCache(t *testing.T) {
	if lexerFor("go") == nil || lexerFor("go") != lexerFor("go") {
		t.Errorf("lexerFor(go) is not one cached lexer")
	}
	if lexerFor("jsx") == nil {
		t.Errorf("no lexer for jsx (the react alias)")
	}
	for _, lang := range []string{"", "no-such-language", "mermaid", "d2", "score", "text", strings.Repeat("g", maxLangLen+1)} {
		if l := lexerFor(lang); l != nil {
			t.Errorf("lexerFor(%q) = %s, want nil (plain text)", lang, l.Config().Name)
		}
	}
	lexerCache.RLock()
	_, long := lexerCache.m[strings.Repeat("g", maxLangLen+1)]
	lexerCache.RUnlock()
	if long {
		t.Errorf("an over-long language name was cached")
	}
	for _, lang := range []string{"go lang", "gö", "*", "a/b", "[x]"} {
		lexerFor(lang)
		lexerCache.RLock()
		_, cached := lexerCache.m[lang]
		lexerCache.RUnlock()
		if cached {
			t.Errorf("%q was looked up and cached; it cannot be a language name", lang)
		}
	}
	// Bound: lower it for the test (each unknown name costs a slow lookup).
	defer func(n int) { maxCachedLexers = n }(maxCachedLexers)
	lexerCache.RLock()
	maxCachedLexers = len(lexerCache.m) + 3
	lexerCache.RUnlock()
	for i := range 6 {
		lexerFor(fmt.Sprintf("nolang%d", i))
	}
	lexerCache.RLock()
	n := len(lexerCache.m)
	lexerCache.RUnlock()
	if n > maxCachedLexers {
		t.Errorf("lexer cache holds %d entries, more than %d", n, maxCachedLexers)
	}
	if lexerFor("nolang5") != nil || lexerFor("c++") == nil {
		t.Errorf("lookups past the cache bound give different answers")
	}
}

// TestTokeniseFallback: when the tokens do not add up to the text (chroma
// reads invalid UTF-8 as U+FFFD), the block is escaped plain text, byte for
// byte.
func TestTokeniseFallback(t *testing.T) {
	huge := strings.Repeat("x := 1\n", maxHighlightBytes/7+1)
	if got, want := string(highlight(lexerFor("go"), huge, false)), html.EscapeString(huge); got != want {
		t.Errorf("a block over maxHighlightBytes is not plain text")
	}

	text := "x := \"\xff<\"\n"
	got := string(highlight(lexerFor("go"), text, false))
	if want := html.EscapeString(text); got != want {
		t.Errorf("highlight = %q, want %q", got, want)
	}
	got = string(highlight(lexerFor("go"), "+"+text, true))
	if textOf(got) != "+"+text {
		t.Errorf("diff text = %q, want %q", textOf(got), "+"+text)
	}
}

// TestNeedsFeature: a document with a code block asks the theme for the
// stylesheet and the copy script; one without does not.
func TestNeedsFeature(t *testing.T) {
	md := newMD()
	tests := []struct {
		name, src string
		want      bool
	}{
		{"fenced", "text\n\n```go\nx\n```\n", true},
		{"indented", "text\n\n    code\n", true},
		{"in a list", "- a\n\n  ```\n  x\n  ```\n", true},
		{"inline code only", "text with `code`\n", false},
		{"none", "# title\n\ntext\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &diag.Doc{File: "a.md", Src: []byte(tt.src), List: &diag.List{}}
			pc := parser.NewContext()
			diag.Attach(pc, d)
			var b bytes.Buffer
			if err := md.Convert([]byte(tt.src), &b, parser.WithContext(pc)); err != nil {
				t.Fatal(err)
			}
			if got := d.Needs(Feature); got != tt.want {
				t.Errorf("Needs(%q) = %v, want %v", Feature, got, tt.want)
			}
			if errs, warns := d.List.Count(); errs+warns != 0 {
				t.Errorf("problems reported: %v", d.List.Sorted())
			}
		})
	}
}
