package diagram

import (
	"bytes"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/kiji-ssg/kiji/site/diag"
)

// convert renders src (as the file named file) with GFM and x, and returns
// the HTML and the problems, each formatted as file:line:col: message.
func convert(t testing.TB, x *Extender, file, src string) (string, []string) {
	t.Helper()
	html, ps, err := convertErr(x, file, src)
	if err != nil {
		t.Fatalf("render %s: %v", file, err)
	}
	return html, ps
}

func convertErr(x *Extender, file, src string) (string, []string, error) {
	var list diag.List
	doc := &diag.Doc{File: file, Src: []byte(src), List: &list}
	pc := parser.NewContext()
	diag.Attach(pc, doc)
	return convertWith(x, doc, pc)
}

// convertWith renders doc, attached to pc.
func convertWith(x *Extender, doc *diag.Doc, pc parser.Context) (string, []string, error) {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM, x))
	root := md.Parser().Parse(text.NewReader(doc.Src), parser.WithContext(pc))
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, doc.Src, root); err != nil {
		return "", nil, err
	}
	var ps []string
	for _, p := range doc.List.Sorted() {
		ps = append(ps, p.Error())
	}
	return buf.String(), ps, nil
}
