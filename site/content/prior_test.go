package content

import (
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kiji-ssg/kiji/site/diag"
)

// TestLoadTakesKnownArticles loads a folder reporting what it read
// (Options.Read), then loads it again with those articles known
// (Options.Known) from a folder where their files hold other bytes: the
// site is the same, so the known files were not read, and a file not
// known is read.
func TestLoadTakesKnownArticles(t *testing.T) {
	art := func(title, topics, date string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("---\ntitle: \"" + title + "\"\nemoji: \"📝\"\ntype: \"tech\"\ntopics: [" + topics + "]\npublished: true\npublished_at: " + date + "\n---\n\nBody.\n")}
	}
	fsys := fstest.MapFS{
		"articles/a.md":     art("A", `"go"`, "2024-01-01"),
		"articles/b.md":     art("B", `"go", "web"`, "2024-01-02"),
		"articles/draft.md": {Data: []byte("---\ntitle: \"\"\nemoji: \"📝\"\ntype: \"tech\"\ntopics: []\npublished: false\n---\n")},
		"articles/late.md":  art("Late", `"web"`, "2030-01-01"),
	}
	opts := Options{Root: "content", LeaveBodies: true, Now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	read := map[string]Prior{}
	first := opts
	first.Read = func(p string, pr Prior) {
		mu.Lock()
		read[p] = pr
		mu.Unlock()
	}
	var l1 diag.List
	want := Load(fsys, first, &l1)
	if len(read) != 4 {
		t.Fatalf("Read was told of %d files, want 4", len(read))
	}

	changed := fstest.MapFS{}
	for p := range fsys {
		changed[p] = &fstest.MapFile{Data: []byte("not read")}
	}
	changed["articles/c.md"] = art("C", `"rust"`, "2024-01-03")
	second := opts
	second.Known = func(p string) (Prior, bool) {
		pr, ok := read[p]
		return pr, ok
	}
	var l2 diag.List
	got := Load(changed, second, &l2)

	if diff := cmp.Diff(append([]string{"C"}, titles(want.Articles)...), titles(got.Articles)); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
	opt := cmpopts.IgnoreUnexported(Site{}, Article{})
	if diff := cmp.Diff(want.Drafts, got.Drafts, opt); diff != "" {
		t.Errorf("drafts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.Articles, got.Articles[1:], opt); diff != "" {
		t.Errorf("known articles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(l1.Sorted(), l2.Sorted()); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	for _, a := range got.Articles {
		if a.limit == 0 {
			t.Errorf("%s: no size limit to read its body again with", a.Path)
		}
	}
}

func titles(as []*Article) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Title)
	}
	return out
}
