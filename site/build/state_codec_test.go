package build

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/markdown"
)

// TestStateRoundTrip writes a cache with every field set and reads it
// back.
func TestStateRoundTrip(t *testing.T) {
	links := cachedLinks{Source: "content/articles/a.md", Template: "themes/default/templates/article.html",
		IDs: []string{"intro", "setup"}, Attrs: []string{"href", "src"}, Vals: []string{"/articles/b/#x", "/images/a.png"},
		Refs: []markdown.Ref{{Dest: "/articles/b/#x", Line: 3, Col: 5, Written: "./b#x"}, {Dest: "/articles/a/GOY/", Line: 4, Col: 1, Written: "GOY", Label: true}}}
	want := &state{
		Articles: map[string]*articleEntry{
			"articles/a.md": {Key: "k1", Rel: "articles/a/index.html", OutHash: "h1", Minutes: 3, Summary: "概要",
				Problems: []diag.Problem{{File: "content/articles/a.md", Line: 2, Col: 1, Severity: diag.Warning, Rule: "r", Msg: "m"}},
				Links:    links, Pages: "p"},
			"articles/b.md": {Key: "k2", Rel: "articles/b/index.html", OutHash: "h2", Minutes: -1},
		},
		Outs: map[string]*outEntry{
			"index.html": {Key: "lk", OutHash: "lh", Links: &links},
			"feed.xml":   {Key: "fk", OutHash: "fh"},
		},
		Checked:    map[string][]diag.Problem{"articles/a/index.html": {{File: "content/articles/a.md", Line: 4, Col: 2, Severity: diag.Error, Rule: "broken-link", Msg: "m"}}},
		CheckedKey: "ck",
		Targets:    map[string]bool{"articles/b/index.html": true, "images/a.png": true},
		SearchID:   "search-id",
	}
	got, b := saveAndRead(t, want)
	// Links are read when first used: decode them to compare.
	for _, e := range got.Articles {
		e.Links = decodedLinks(t, e.Links)
	}
	for _, e := range got.Outs {
		if e.Links != nil {
			d := decodedLinks(t, *e.Links)
			e.Links = &d
		}
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(state{}), cmpopts.IgnoreFields(state{}, "base"), cmpopts.IgnoreUnexported(cachedLinks{})); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	// Every cut of the file is refused, never misread.
	for i := range len(b) - 1 {
		if _, err := decodeState(b[:i]); err == nil {
			t.Fatalf("a file cut at %d of %d bytes was read", i, len(b))
		}
	}
}

func decodedLinks(t *testing.T, c cachedLinks) cachedLinks {
	t.Helper()
	if c.raw == nil {
		t.Fatal("links read from the cache file have no raw bytes")
	}
	r := &stateReader{journalReader: newReader(c.raw)}
	d := r.links()
	if r.err != nil || len(r.b) != 0 {
		t.Fatalf("links do not decode: %v, %d bytes left", r.err, len(r.b))
	}
	return d
}

// saveAndRead writes st as a build's cache file and decodes it again; it
// returns the file's bytes too.
func saveAndRead(t *testing.T, st *state) (*state, []byte) {
	t.Helper()
	dir := t.TempDir()
	r := &run{opts: Options{CacheDir: dir}, newState: st}
	if err := r.saveState(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "state.gob"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeState(b)
	if err != nil {
		t.Fatalf("decodeState: %v", err)
	}
	return got, b
}

func FuzzDecodePayload(f *testing.F) {
	r := &run{newState: &state{Articles: map[string]*articleEntry{"a": {Key: "k", Links: cachedLinks{IDs: []string{"x"}}}}, Outs: map[string]*outEntry{"o": {Key: "k"}}}}
	dir := f.TempDir()
	r.opts.CacheDir = dir
	if err := r.saveState(); err != nil {
		f.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "state.gob"))
	f.Add(b[len(stateHeader) : len(b)-stateTrailer])
	f.Fuzz(func(t *testing.T, b []byte) {
		decodePayload(b) // must not panic nor hang
	})
}

func FuzzDecodeSnapshot(f *testing.F) {
	f.Add([]byte(snapshotHeader))
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeSnapshot(b) // must not panic nor hang
	})
}

// TestRenderedLinksRoundTrip writes the cache entries of pages this build
// rendered, which point at their links (an article's and a list page's),
// and reads back what pageLinks.cached copies: the file is written from
// the pages without that copy.
func TestRenderedLinksRoundTrip(t *testing.T) {
	li := newLinkIndex()
	page := []byte(`<h2 id="intro">I</h2><a name="old"></a><a href="/articles/b/#x">b</a><img src="/images/a.png"><a href="#intro">i</a><a href="/">home</a>`)
	mr := &markdown.Result{Links: []markdown.Ref{{Dest: "/articles/b/#x", Line: 3, Col: 5, Written: "./b#x"}},
		Images: []markdown.Ref{{Dest: "/images/a.png", Line: 4, Col: 1}}}
	article := li.addPage("articles/a/index.html", "content/articles/a.md", "themes/default/templates/article.html", page, mr)
	list := li.addPage("index.html", "themes/default/templates/home.html", "themes/default/templates/home.html", page, nil)
	st := &state{
		Articles: map[string]*articleEntry{"articles/a.md": {Key: "k", Rel: "articles/a/index.html", OutHash: "h", Links: cachedLinks{memo: article}}},
		Outs:     map[string]*outEntry{"index.html": {Key: "lk", OutHash: "lh", Links: &cachedLinks{memo: list}}},
	}
	got, _ := saveAndRead(t, st)
	for _, c := range []struct {
		name string
		pl   *pageLinks
		got  cachedLinks
	}{
		{"article", article, got.Articles["articles/a.md"].Links},
		{"list page", list, *got.Outs["index.html"].Links},
	} {
		if diff := cmp.Diff(c.pl.cached(), decodedLinks(t, c.got), cmpopts.IgnoreUnexported(cachedLinks{})); diff != "" {
			t.Errorf("%s: links read back (-want +got):\n%s", c.name, diff)
		}
	}
}
