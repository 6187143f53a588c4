package code

import (
	"bufio"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kiji-ssg/kiji/site/markdown/code/fastchroma"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/util"
)

// A closed stop channel stops a lexer within its next thousand steps, and
// what was cut short is not remembered.
func TestStopCutsLexingShort(t *testing.T) {
	stop := make(chan struct{})
	close(stop)
	long := strings.Repeat("abc ", 16<<10) + "\n" // HCL rescans this line: seconds
	f, ok := fastBehind.Load(lexerFor("hcl"))
	if !ok {
		t.Fatal("no fast HCL lexer")
	}
	it, err := f.(*fastchroma.Lexer).WithStop(stop).Tokenise(nil, long)
	if err != nil {
		t.Fatal(err)
	}
	var got any
	func() {
		defer func() { got = recover() }()
		for range 5000 {
			it()
		}
	}()
	if err, _ := got.(error); !errors.Is(err, fastchroma.ErrCancelled) {
		t.Fatalf("lexing went on after stop (recovered %v)", got)
	}
	m := newMemo(4)
	highlightMemoStop(stop, m, lexerFor("hcl"), long, false)
	highlightMemoStop(stop, m, lexerFor("go"), "x := 1\n", true)
	if n := m.len(); n != 0 {
		t.Errorf("the memo kept %d blocks highlighted after stop", n)
	}
}

// The renderer stops at the first code block once the writer's context is
// done, with the context's error.
func TestRendererStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	md := goldmark.New(goldmark.WithExtensions(New()))
	var b strings.Builder
	w := &ctxWriter{BufWriter: newBufWriter(&b), ctx: ctx}
	err := md.Convert([]byte("```go\nx := 1\n```\n"), w)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Convert = %v, want context.Canceled", err)
	}
}

type ctxWriter struct {
	util.BufWriter
	ctx context.Context
}

func (w *ctxWriter) Context() context.Context { return w.ctx }

func newBufWriter(b *strings.Builder) util.BufWriter { return bufio.NewWriter(b) }
