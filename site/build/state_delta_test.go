package build

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kiji-ssg/kiji/site/diag"
)

// deltaStates are a cache as a first build leaves it, and as a rebuild
// that kept one article and one list page, changed one of each, removed
// an article and added an article and a page leaves it.
func deltaStates(read *state) (first, next *state) {
	first = &state{
		Articles: map[string]*articleEntry{
			"articles/a.md": {Key: "ka", Rel: "articles/a/index.html", OutHash: "ha", Summary: "a"},
			"articles/b.md": {Key: "kb", Rel: "articles/b/index.html", OutHash: "hb", Links: cachedLinks{IDs: []string{"x"}}},
			"articles/c.md": {Key: "kc", Rel: "articles/c/index.html", OutHash: "hc"},
		},
		Outs:       map[string]*outEntry{"index.html": {Key: "li", OutHash: "hi"}, "feed.xml": {Key: "lf", OutHash: "hf"}},
		Checked:    map[string][]diag.Problem{},
		CheckedKey: "ck1",
		Targets:    map[string]bool{"articles/a/index.html": true},
		SearchID:   "s1",
	}
	if read == nil {
		return first, nil
	}
	next = &state{
		Articles: map[string]*articleEntry{
			"articles/a.md": read.Articles["articles/a.md"], // kept
			"articles/b.md": {Key: "kb2", Rel: "articles/b/index.html", OutHash: "hb2", Minutes: 2, Links: cachedLinks{IDs: []string{"y"}}},
			"articles/d.md": {Key: "kd", Rel: "articles/d/index.html", OutHash: "hd",
				Problems: []diag.Problem{{File: "content/articles/d.md", Line: 1, Col: 2, Severity: diag.Warning, Rule: "r", Msg: "m"}}},
		},
		Outs: map[string]*outEntry{
			"index.html":           read.Outs["index.html"], // kept
			"feed.xml":             {Key: "lf2", OutHash: "hf2"},
			"topics/go/index.html": {Key: "lt", OutHash: "ht", Links: &cachedLinks{Attrs: []string{"href"}, Vals: []string{"/"}}},
		},
		Checked:    map[string][]diag.Problem{"articles/d/index.html": {{File: "content/articles/d.md", Rule: "broken-link", Msg: "m"}}},
		CheckedKey: "ck2",
		Targets:    map[string]bool{"articles/d/index.html": true},
		SearchID:   "s2",
	}
	return first, next
}

// readBack reads the cache in dir with its links decoded, to compare.
func readBack(t *testing.T, dir string) *state {
	t.Helper()
	s := readState(filepath.Join(dir, "state.gob"))
	for _, e := range s.Articles {
		e.Links = decodedLinks(t, e.Links)
	}
	for _, e := range s.Outs {
		if e.Links != nil {
			d := decodedLinks(t, *e.Links)
			e.Links = &d
		}
	}
	return s
}

func diffStates(want, got *state) string {
	return cmp.Diff(want, got, cmp.AllowUnexported(state{}), cmpopts.IgnoreFields(state{}, "base"),
		cmpopts.IgnoreUnexported(cachedLinks{}), cmpopts.EquateEmpty())
}

// replace writes b to p by a rename, as the build does: the cache files
// are mapped in memory, and the strings read from them are their bytes.
func replace(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p+".new", b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(p+".new", p); err != nil {
		t.Fatal(err)
	}
}

// TestStateDelta saves the cache of a rebuild as a delta over the
// state.gob it read, and checks what the next build reads back.
func TestStateDelta(t *testing.T) {
	for _, tc := range []struct {
		name string
		// after changes the cache folder once the rebuild saved; it
		// returns the state the next build must read.
		after     func(t *testing.T, dir string, first, next *state) *state
		wantDelta bool // the rebuild left state.gob as it was
	}{
		{"read back: state.gob and the delta", func(t *testing.T, dir string, _, next *state) *state { return next }, true},
		{"a damaged delta is ignored", func(t *testing.T, dir string, first, _ *state) *state {
			p := filepath.Join(dir, "state.delta")
			b := read(t, p)
			replace(t, p, []byte(b[:len(b)-9]+"x"+b[len(b)-8:]))
			return first
		}, true},
		{"a delta over another state.gob is ignored", func(t *testing.T, dir string, first, _ *state) *state {
			other := &state{Articles: map[string]*articleEntry{"articles/o.md": {Key: "ko"}}, Outs: map[string]*outEntry{},
				Checked: map[string][]diag.Problem{}, Targets: map[string]bool{}}
			delta := read(t, filepath.Join(dir, "state.delta"))
			if err := (&run{opts: Options{CacheDir: dir}, newState: other}).saveState(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, "state.delta")); err == nil {
				t.Error("state.gob written whole left the delta over the last one")
			}
			replace(t, filepath.Join(dir, "state.delta"), []byte(delta))
			return other
		}, true},
		{"the next delta holds every change since state.gob", func(t *testing.T, dir string, _, next *state) *state {
			s := readState(filepath.Join(dir, "state.gob"))
			third := *s
			third.Articles = map[string]*articleEntry{"articles/a.md": s.Articles["articles/a.md"], "articles/b.md": s.Articles["articles/b.md"]}
			if err := (&run{opts: Options{CacheDir: dir}, oldState: s, newState: &third}).saveState(); err != nil {
				t.Fatal(err)
			}
			want := *next
			want.Articles = map[string]*articleEntry{"articles/a.md": next.Articles["articles/a.md"], "articles/b.md": next.Articles["articles/b.md"]}
			return &want
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			first, _ := deltaStates(nil)
			if err := (&run{opts: Options{CacheDir: dir}, newState: first}).saveState(); err != nil {
				t.Fatal(err)
			}
			gob := read(t, filepath.Join(dir, "state.gob"))
			old := maxDelta
			maxDelta = func(int) int { return math.MaxInt }
			t.Cleanup(func() { maxDelta = old })
			s := readState(filepath.Join(dir, "state.gob"))
			_, next := deltaStates(s)
			if err := (&run{opts: Options{CacheDir: dir}, oldState: s, newState: next}).saveState(); err != nil {
				t.Fatal(err)
			}
			if got := read(t, filepath.Join(dir, "state.gob")); (got == gob) != tc.wantDelta {
				t.Errorf("state.gob left as it was: %v, want %v", got == gob, tc.wantDelta)
			}
			want := tc.after(t, dir, first, next)
			if diff := diffStates(want, readBack(t, dir)); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStateDeltaTooLarge: a delta larger than maxDelta is not written;
// state.gob is, whole, and the last delta removed.
func TestStateDeltaTooLarge(t *testing.T) {
	dir := t.TempDir()
	first, _ := deltaStates(nil)
	if err := (&run{opts: Options{CacheDir: dir}, newState: first}).saveState(); err != nil {
		t.Fatal(err)
	}
	gob := read(t, filepath.Join(dir, "state.gob"))
	writeFile(t, filepath.Join(dir, "state.delta"), "a delta of an older state.gob")
	s := readState(filepath.Join(dir, "state.gob"))
	_, next := deltaStates(s)
	old := maxDelta
	maxDelta = func(size int) int { return 10 }
	t.Cleanup(func() { maxDelta = old })
	if err := (&run{opts: Options{CacheDir: dir}, oldState: s, newState: next}).saveState(); err != nil {
		t.Fatal(err)
	}
	if read(t, filepath.Join(dir, "state.gob")) == gob {
		t.Error("state.gob was not written again")
	}
	if _, err := os.Stat(filepath.Join(dir, "state.delta")); err == nil {
		t.Error("the delta is still there")
	}
	if diff := diffStates(next, readBack(t, dir)); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

// FuzzDecodeDelta: no delta panics or hangs its reader.
func FuzzDecodeDelta(f *testing.F) {
	dir := f.TempDir()
	first, _ := deltaStates(nil)
	if err := (&run{opts: Options{CacheDir: dir}, newState: first}).saveState(); err != nil {
		f.Fatal(err)
	}
	s := readState(filepath.Join(dir, "state.gob"))
	_, next := deltaStates(s)
	f.Add((&run{newState: next}).encodeDelta(&stateBase{sum: s.base.sum, size: math.MaxInt, articles: s.base.articles, outs: s.base.outs}))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := &state{Articles: map[string]*articleEntry{}, Outs: map[string]*outEntry{}, base: s.base}
		decodeDelta(appendSum(bytes.Clone(b), b), d) // must not panic nor hang
	})
}
