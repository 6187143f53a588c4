package content

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/diag"
)

func TestDatesFromFiles(t *testing.T) {
	at := func(s string) time.Time {
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	art := func(extra string) string {
		return "---\ntitle: \"t\"\nemoji: \"📝\"\ntype: \"tech\"\ntopics: [\"go\"]\npublished: true\n" + extra + "---\nbody\n"
	}
	fsys := fstest.MapFS{
		"articles/dated.md":   {Data: []byte(art("published_at: 2020-01-02 09:00\n")), ModTime: at("2024-06-01T00:00:00Z")},
		"articles/undated.md": {Data: []byte(art("")), ModTime: at("2023-03-03T03:03:03Z")},
		"articles/no-time.md": {Data: []byte(art(""))},
		"books/b/config.yaml": {Data: []byte("title: \"本\"\nsummary: \"s\"\ntopics: [\"go\"]\npublished: true\nprice: 0\nchapters: [one, two]\n"), ModTime: at("2022-01-01T00:00:00Z")},
		"books/b/one.md":      {Data: []byte("---\ntitle: \"1\"\n---\n"), ModTime: at("2022-02-01T00:00:00Z")},
		"books/b/two.md":      {Data: []byte("---\ntitle: \"2\"\n---\n"), ModTime: at("2024-05-01T00:00:00Z")},
	}
	var l diag.List
	s := Load(fsys, Options{Now: at("2025-01-01T00:00:00Z")}, &l)
	type dates struct {
		Slug          string
		Date, Updated time.Time
		From          string
	}
	var got []dates
	for _, a := range s.Articles {
		got = append(got, dates{a.Slug, a.Date.UTC(), a.Updated.UTC(), a.DateFrom})
	}
	want := []dates{
		{"undated", at("2023-03-03T03:03:03Z"), at("2023-03-03T03:03:03Z"), DateFromFile},
		// published_at wins; the newer file time is when it changed.
		{"dated", at("2020-01-02T00:00:00Z"), at("2024-06-01T00:00:00Z"), DateFromFrontMatter},
		// Nothing known: no date (never 1970), listed last.
		{"no-time", time.Time{}, time.Time{}, ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("article dates (-want +got):\n%s", diff)
	}
	if len(s.Books) != 1 {
		t.Fatalf("books: %d, problems %v", len(s.Books), l.Sorted())
	}
	b := s.Books[0]
	if diff := cmp.Diff([]time.Time{at("2022-01-01T00:00:00Z"), at("2024-05-01T00:00:00Z"), at("2024-05-01T00:00:00Z")},
		[]time.Time{b.Date.UTC(), b.Updated.UTC(), b.Chapters[1].Updated.UTC()}); diff != "" {
		t.Errorf("book published, updated, last chapter's updated (-want +got):\n%s", diff)
	}
}
