package diagram

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/kiji-ssg/kiji/site/diag"
)

// convert renders src (as the file name file) with GFM and x, and returns
// the HTML and the problems formatted as file:line:col: message.
func convert(t testing.TB, x *Extender, file, src string) (string, []string) {
	t.Helper()
	md := goldmark.New(goldmark.WithExtensions(extension.GFM, x))
	var list diag.List
	doc := &diag.Doc{File: file, Src: []byte(src), List: &list}
	pc := parser.NewContext()
	diag.Attach(pc, doc)
	root := md.Parser().Parse(text.NewReader(doc.Src), parser.WithContext(pc))
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, doc.Src, root); err != nil {
		t.Fatalf("render: %v", err)
	}
	var ps []string
	for _, p := range list.Sorted() {
		ps = append(ps, p.Error())
	}
	return buf.String(), ps
}

func TestScratch(t *testing.T) {
	x := New()
	out, ps := convert(t, x, "a.md", "# t\n\n```d2 title=\"テスト\"\nx: コンテナ -> y: データプレーン\n```\n\n- item\n\n  ```d2\n  a -> b: {\n  ```\n\n```d2\na.shape: foo\nb -> \n```\n")
	t.Log(ps)
	i := strings.Index(out, "<style")
	t.Log(out[:i])
	t.Log(out[len(out)-600:])
}
