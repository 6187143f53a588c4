package zenn

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/yuin/goldmark/parser"

	"github.com/kiji-ssg/kiji/site/diag"
)

// A stopped build does not wait for a link card's fetch.
func TestCardCancel(t *testing.T) {
	s := newSite(t)
	z := New(WithHTTPClient(s.Client()), WithFetchTimeout(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	src := []byte("@[card](" + s.URL + "/slow)\n")
	doc := &diag.Doc{File: "input.md", Src: src, List: &diag.List{}, Ctx: ctx}
	pc := parser.NewContext()
	diag.Attach(pc, doc)
	done := make(chan struct{})
	go func() {
		defer close(done)
		newMD(z).Convert(src, &bytes.Buffer{}, parser.WithContext(pc))
	}()
	select {
	case <-done:
	case <-time.After(8 * time.Second): // the server answers after 10 s
		t.Fatal("the conversion waited for the fetch after the build was stopped")
	}
}
