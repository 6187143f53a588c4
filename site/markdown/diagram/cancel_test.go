package diagram

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"oss.terrastruct.com/d2/lib/textmeasure"

	"github.com/kiji-ssg/kiji/site/diag"
)

// A build that is stopped does not wait for D2's layout (which cannot be
// interrupted) and reports nothing about the diagram.
func TestCancelDoesNotWaitForLayout(t *testing.T) {
	x := New(WithTimeout(time.Hour))
	release := make(chan struct{})
	defer close(release)
	x.e.compile = func(context.Context, string, *textmeasure.Ruler, config) (rendered, error) {
		<-release // a layout that takes as long as the test
		return rendered{}, context.Canceled
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	var list diag.List
	src := []byte("```d2\na -> b\n```\n\n```d2\nc -> d\n```\n")
	doc := &diag.Doc{File: "a.md", Src: src, List: &list, Ctx: ctx}
	pc := parser.NewContext()
	diag.Attach(pc, doc)
	done := make(chan struct{})
	go func() {
		defer close(done)
		md := goldmark.New(goldmark.WithExtensions(x))
		root := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
		md.Renderer().Render(&bytes.Buffer{}, src, root)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the conversion waited for the layout after the build was stopped")
	}
	if ps := list.Sorted(); len(ps) > 0 {
		t.Errorf("a stopped build reported %v", ps)
	}
}
