package code

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

// FuzzInfo checks parseInfo and the rendering of one block with any info
// string and any code: no panic, the same bytes twice, the code's text
// unchanged by highlighting and diff marking, and no markup from the info
// string or the code getting out.
func FuzzInfo(f *testing.F) {
	for _, s := range [][2]string{
		{"go", "package main\n"},
		{"js:src/hello.js", "export const a = 1;\n"},
		{"diff ts:src/sum.ts", " a\n-b\n+c\n"},
		{"ts diff", "<d\n>e\n"},
		{"react", "<App />\n"},
		{"", "plain <script>alert(1)</script>\n"},
		{"\"><img src=x>", "x"},
		{"diff", "+\n-\n \n\n"},
		{"yaml:a:b", "a: 1"},
		{"go", "\xff\xfe\n"},
		{"bash", "echo \"$(( 1 + 2 ))\" <<EOF\nx\nEOF\n"},
	} {
		f.Add(s[0], s[1])
	}
	r := &nodeRenderer{e: New(WithMemo(0))}
	f.Fuzz(func(t *testing.T, infoStr, code string) {
		in := parseInfo(infoStr)
		if in.Lang != strings.ToLower(in.Lang) && aliases[in.Lang] == "" {
			t.Fatalf("language %q is not lower-cased", in.Lang)
		}
		if strings.ContainsAny(in.Lang, " \t\n") {
			t.Fatalf("language %q has spaces", in.Lang)
		}
		code = strings.ReplaceAll(code, "\r", "") // as codeText does
		var a, b bytes.Buffer
		wa, wb := bufio.NewWriter(&a), bufio.NewWriter(&b)
		r.write(wa, in, code)
		r.write(wb, in, code)
		_ = wa.Flush()
		_ = wb.Flush()
		if a.String() != b.String() {
			t.Fatalf("not deterministic:\n%s\n%s", a.String(), b.String())
		}
		out := a.String()
		m := codeRe.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no <pre><code> in %q", out)
		}
		if got := textOf(m[1]); got != code {
			t.Fatalf("code text changed:\n got %q\nwant %q", got, code)
		}
		// Outside the code, the only elements are ours.
		rest := strings.Replace(out, m[0], "", 1)
		for _, tag := range tagRe.FindAllString(rest, -1) {
			switch {
			case strings.HasPrefix(tag, `<div class="code-block"`),
				tag == `<div class="code-filename">`, tag == `</div>`,
				strings.HasPrefix(tag, `<button `), tag == `</button>`:
			default:
				t.Fatalf("unexpected tag %q in %q", tag, out)
			}
		}
		// Inside the code, only spans (chroma's and the diff marks).
		for _, tag := range tagRe.FindAllString(m[1], -1) {
			if !strings.HasPrefix(tag, `<span class="`) && tag != `</span>` {
				t.Fatalf("unexpected tag %q in code %q", tag, m[1])
			}
		}
	})
}

// FuzzMarkdown runs whole documents through goldmark with the extension:
// no panic, and the same bytes twice.
func FuzzMarkdown(f *testing.F) {
	f.Add(corpus(4))
	f.Add("```diff go:x.go\n+a\n```\n    indented\n")
	f.Add("- ```js\n  x\n  ```\n> ```\n> y\n")
	f.Add("~~~ diff\r\n-\r\n~~~\r\n")
	md := newMD(WithMemo(64))
	f.Fuzz(func(t *testing.T, src string) {
		var a, b bytes.Buffer
		if err := md.Convert([]byte(src), &a); err != nil {
			t.Fatal(err)
		}
		if err := md.Convert([]byte(src), &b); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Fatalf("not deterministic for %q", src)
		}
	})
}

// FuzzWriteTokens lexes any text in the languages of technical articles
// with the lexers highlighting uses (fastchroma's, whose tokens are
// chroma's: fastchroma.FuzzMatchesChroma): writeTokens writes what
// chroma's formatter writes for them.
func FuzzWriteTokens(f *testing.F) {
	langs := []string{"go", "yaml", "bash", "json", "typescript", "docker", "hcl", "python", "html", "sql", "rust", "diff"}
	f.Add(uint8(0), "package main\n\nfunc main() { fmt.Println(`x`) }\n")
	f.Add(uint8(2), "echo \"$(ls)\" <<EOF\nx\nEOF\n")
	f.Add(uint8(8), "<script>var a = 1 < 2;</script><style>p{}</style>\n")
	f.Add(uint8(1), "a: [1, \"two\"]\nb: |\n  x\n\v\u3000\x00\n\n")
	f.Fuzz(func(t *testing.T, li uint8, text string) {
		if len(text) > 4096 {
			return
		}
		tokens, ok := tokenise(lexerFor(langs[int(li)%len(langs)]), text)
		if !ok {
			return // shown as plain text
		}
		var b bytes.Buffer
		writeTokens(&b, tokens)
		if want := chromaHTML(t, tokens); b.String() != want {
			t.Fatalf("writeTokens:\n got %q\nwant %q", b.String(), want)
		}
	})
}
