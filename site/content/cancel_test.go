package content

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/kiji-ssg/kiji/site/diag"
)

// A stopped build reads no more files.
func TestLoadStopsWhenCancelled(t *testing.T) {
	fsys := fstest.MapFS{"images/a.png": {Data: []byte("x")}}
	for i := range 50 {
		fsys[fmt.Sprintf("articles/a%02d.md", i)] = &fstest.MapFile{Data: []byte("---\ntitle: \"t\"\nemoji: \"🐳\"\ntype: \"tech\"\ntopics: [\"go\"]\npublished: true\n---\nx\n")}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var l diag.List
	s := Load(fsys, Options{Ctx: ctx}, &l)
	if len(s.Articles) != 0 || len(s.Files) != 0 {
		t.Errorf("a stopped load read %d articles and %d files", len(s.Articles), len(s.Files))
	}
	s = Load(fsys, Options{}, &l)
	if len(s.Articles) != 50 || len(s.Files) != 1 {
		t.Errorf("Load read %d articles and %d files, want 50 and 1", len(s.Articles), len(s.Files))
	}
}
