package headingid

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/parser"
)

var idRE = regexp.MustCompile(`<h(\d) id="([^"]*)">(?:<span class="zenn-id" id="([^"]*)"></span>)?`)

// TestZennAliases checks which headings get Zenn's id as an alias: h1–h4
// whose Zenn id differs from kiji's, never repeating an id of the page.
func TestZennAliases(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string // "level id alias"
		ids      []string
	}{
		{"punctuation kept", "## 1. 見出し\n", []string{"2 1-見出し 1.-見出し"}, []string{"1-見出し", "1.-見出し"}},
		{"same id, no alias", "## はじめに\n", []string{"2 はじめに "}, []string{"はじめに"}},
		{"h5 has no zenn id", "##### 5. x\n", []string{"5 5-x "}, []string{"5-x"}},
		{"h4 has one", "#### 4. x\n", []string{"4 4-x 4.-x"}, []string{"4-x", "4.-x"}},
		{"duplicates numbered as on zenn", "## A.B\n## a.b\n", []string{"2 ab a.b", "2 ab-1 a.b-1"}, []string{"ab", "ab-1", "a.b", "a.b-1"}},
		{"alias repeating a kiji id is dropped", "## A.B\n## ab\n", []string{"2 ab a.b", "2 ab-1 "}, []string{"ab", "ab-1", "a.b"}},
		{"alias like a footnote id is dropped", "## fn:1\n", []string{"2 fn1 "}, []string{"fn1"}},
		{"empty heading", "## !!!\n", []string{"2 section !!!"}, []string{"section", "!!!"}},
		// Zenn renders HTML as text, so it is part of Zenn's id, except
		// <br> and comments, which Zenn turns into a line break or removes.
		{"raw HTML is text on zenn", "## Model<T> here\n", []string{"2 model-here model&lt;t&gt;-here"}, []string{"model-here", "model<t>-here"}},
		{"br and comments are not", "## a<br>b<!-- c -->d\n", []string{"2 abd "}, []string{"abd"}},
		// markdown-it-anchor joins the text tokens: a line break adds nothing.
		{"lines of a setext heading join", "Line one\nLine two\n---\n", []string{"2 line-one-line-two line-oneline-two"}, []string{"line-one-line-two", "line-oneline-two"}},
		{"escapes and entities are decoded", "## m\\_n &amp; o\n", []string{"2 m_n--o m_n-&amp;-o"}, []string{"m_n--o", "m_n-&-o"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := goldmark.New(goldmark.WithExtensions(&Extender{}))
			pc := parser.NewContext()
			var b bytes.Buffer
			if err := md.Convert([]byte(tc.in), &b, parser.WithContext(pc)); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range idRE.FindAllStringSubmatch(b.String(), -1) {
				got = append(got, m[1]+" "+m[2]+" "+m[3])
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("headings (-want +got):\n%s\n%s", diff, b.String())
			}
			if diff := cmp.Diff(tc.ids, append(From(pc).IDs, From(pc).Aliases...)); diff != "" {
				t.Errorf("IDs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTOCLevels: h1–h3 are listed, depths counted from the shallowest.
func TestTOCLevels(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []Entry
	}{
		{"only h1", "# A\n# B\n", []Entry{{Level: 1, ID: "a", Text: "A"}, {Level: 1, ID: "b", Text: "B"}}},
		{"h1 to h4", "# A\n## B\n### C\n#### D\n", []Entry{{Level: 1, ID: "a", Text: "A"}, {Level: 2, Depth: 1, ID: "b", Text: "B"}, {Level: 3, Depth: 2, ID: "c", Text: "C"}}},
		{"from h2", "## B\n### C\n", []Entry{{Level: 2, ID: "b", Text: "B"}, {Level: 3, Depth: 1, ID: "c", Text: "C"}}},
		{"escapes and entities are decoded", "## 1\\. A &amp; B\n", []Entry{{Level: 2, ID: "1-a--b", Text: "1. A & B"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := goldmark.New(goldmark.WithExtensions(&Extender{}))
			pc := parser.NewContext()
			var b bytes.Buffer
			if err := md.Convert([]byte(tc.in), &b, parser.WithContext(pc)); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, From(pc).TOC); diff != "" {
				t.Errorf("TOC (-want +got):\n%s", diff)
			}
		})
	}
}
