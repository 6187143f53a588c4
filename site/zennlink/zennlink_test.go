package zennlink

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// repo is a small repository: two articles (one whose front matter sets
// a slug other than its file name), a book with a plain and a numbered
// chapter, and a second book.
func repo(user string) *Index {
	ix := NewIndex(user)
	ix.AddArticle("articles/aaaaaaaaaaaa.md", "aaaaaaaaaaaa")
	ix.AddArticle("articles/bbbbbbbbbbbb.md", "bbbbbbbbbbbb")
	ix.AddArticle("articles/old-name.md", "new-slug")
	ix.AddBook("mybook")
	ix.AddChapter("mybook", "books/mybook/one.md", "one")
	ix.AddChapter("mybook", "books/mybook/2.two.md", "two")
	ix.AddBook("other")
	ix.AddChapter("other", "books/other/intro.md", "intro")
	return ix
}

var (
	inArticle = From{Path: "articles/aaaaaaaaaaaa.md", Slug: "aaaaaaaaaaaa"}
	inChapter = From{Path: "books/mybook/one.md", Slug: "one", Book: "mybook"}
)

func TestResolve(t *testing.T) {
	art := func(slug, suffix string, known bool) Target {
		return Target{Kind: Article, Slug: slug, Suffix: suffix, Known: known}
	}
	chap := func(book, slug, suffix string, known bool) Target {
		return Target{Kind: Chapter, Book: book, Slug: slug, Suffix: suffix, Known: known}
	}
	zdev := func(p, suffix string) Target { return Target{Kind: OnZennDev, Path: p, Suffix: suffix} }
	none := Target{}
	tests := []struct {
		name string
		from From
		dest string
		want Target
		ok   bool
	}{
		// In an article, as on zenn.dev (/USER/articles/SLUG).
		{"sibling", inArticle, "./bbbbbbbbbbbb", art("bbbbbbbbbbbb", "", true), true},
		{"bare sibling", inArticle, "bbbbbbbbbbbb", art("bbbbbbbbbbbb", "", true), true},
		{"through articles", inArticle, "../articles/bbbbbbbbbbbb", art("bbbbbbbbbbbb", "", true), true},
		{"with fragment", inArticle, "./bbbbbbbbbbbb#見出し", art("bbbbbbbbbbbb", "#見出し", true), true},
		{"with query and fragment", inArticle, "bbbbbbbbbbbb?x=1#a", art("bbbbbbbbbbbb", "?x=1#a", true), true},
		{"trailing slash", inArticle, "./bbbbbbbbbbbb/", art("bbbbbbbbbbbb", "", true), true},
		{"itself", inArticle, "./aaaaaaaaaaaa#top", art("aaaaaaaaaaaa", "#top", true), true},
		{"unknown article still resolves", inArticle, "./nothere", art("nothere", "", false), true},
		{"slug written as the file name", inArticle, "./old-name", art("new-slug", "", true), true},
		{"article to a book", inArticle, "../books/mybook", Target{Kind: Book, Book: "mybook", Known: true}, true},
		{"article to a chapter", inArticle, "../books/mybook/viewer/one#x", chap("mybook", "one", "#x", true), true},
		{"article to the author's page", inArticle, "../", Target{Kind: Home, Known: true}, true},
		// Written for GitHub: the Markdown file.
		{"md sibling", inArticle, "./bbbbbbbbbbbb.md", art("bbbbbbbbbbbb", "", true), true},
		{"md through articles", inArticle, "../articles/bbbbbbbbbbbb.md#a", art("bbbbbbbbbbbb", "#a", true), true},
		{"md file whose slug differs", inArticle, "old-name.md", art("new-slug", "", true), true},
		{"md to a chapter file", inArticle, "../books/mybook/2.two.md", chap("mybook", "two", "", true), true},
		{"md unknown", inArticle, "./gone.md", art("gone", "", false), true},

		// In a chapter (/USER/books/BOOK/viewer/CHAPTER).
		{"chapter sibling", inChapter, "./two", chap("mybook", "two", "", true), true},
		{"bare chapter", inChapter, "two#a", chap("mybook", "two", "#a", true), true},
		{"numbered chapter name", inChapter, "./2.two", chap("mybook", "two", "", true), true},
		{"chapter md", inChapter, "./2.two.md", chap("mybook", "two", "", true), true},
		{"chapter md named by its slug", inChapter, "./two.md", chap("mybook", "two", "", true), true},
		{"the book", inChapter, "../", Target{Kind: Book, Book: "mybook", Known: true}, true},
		{"the book by name", inChapter, "../../mybook", Target{Kind: Book, Book: "mybook", Known: true}, true},
		{"another book's chapter", inChapter, "../../other/viewer/intro#s", chap("other", "intro", "#s", true), true},
		{"another book", inChapter, "../../other", Target{Kind: Book, Book: "other", Known: true}, true},
		{"chapter to article", inChapter, "../../../articles/bbbbbbbbbbbb", art("bbbbbbbbbbbb", "", true), true},
		{"chapter md to article", inChapter, "../../articles/bbbbbbbbbbbb.md", art("bbbbbbbbbbbb", "", true), true},
		{"unknown chapter", inChapter, "./three", chap("mybook", "three", "", false), true},
		{"unknown numbered chapter loses its number", inChapter, "./3.three", chap("mybook", "three", "", false), true},
		{"unknown book", inChapter, "../../nobook/viewer/x", chap("nobook", "x", "", false), true},

		// Left as written.
		{"fragment", inArticle, "#見出し", none, false},
		{"query", inArticle, "?a=1", none, false},
		{"empty", inArticle, "", none, false},
		{"root relative", inArticle, "/articles/bbbbbbbbbbbb/", none, false},
		{"image", inArticle, "/images/a.png", none, false},
		{"scheme", inArticle, "https://example.com/x", none, false},
		{"mailto", inArticle, "mailto:a@example.com", none, false},
		{"protocol relative", inArticle, "//example.com/x", none, false},
		{"file beside the page", inArticle, "./og.png", none, false},
		{"a kiji-style link", inArticle, "../bbbbbbbbbbbb/", none, false},
		{"kiji-style from a chapter", inChapter, "../two/", none, false},
		{"above the user", inArticle, "../../x", none, false},
		{"a deeper path", inArticle, "./a/b", none, false},
		{"zenn.dev without zenn_user", inArticle, "https://zenn.dev/me/articles/bbbbbbbbbbbb", none, false},
		{"a user's name, not a page", inArticle, "/me", none, false},
		{"a path of kiji's site", inArticle, "/topics/articles/x", none, false},
		{"a file under a user's name", inArticle, "/me/articles/x.png", none, false},
		{"not a page of zenn.dev", inArticle, "/me/likes/x", none, false},

		// Written from zenn.dev's root, as on zenn.dev: without zenn_user,
		// a link to zenn.dev.
		{"own article on zenn.dev", inArticle, "/me/articles/bbbbbbbbbbbb", zdev("/me/articles/bbbbbbbbbbbb", ""), true},
		{"someone's article", inArticle, "/you/articles/73007f5e24f5fe#a", zdev("/you/articles/73007f5e24f5fe", "#a"), true},
		{"a chapter on zenn.dev", inChapter, "/me/books/mybook/viewer/two", zdev("/me/books/mybook/viewer/two", ""), true},
		{"a book on zenn.dev", inChapter, "/me/books/mybook/", zdev("/me/books/mybook/", ""), true},
		{"a scrap", inArticle, "/me/scraps/abc?x=1", zdev("/me/scraps/abc", "?x=1"), true},
		{"not a page of the book", inChapter, "../../mybook/viewer", none, false},
		{"readme", inArticle, "../README.md", none, false},
	}
	ix := repo("")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ix.Resolve(tc.from, tc.dest)
			if ok != tc.ok {
				t.Fatalf("Resolve(%q) ok = %v, want %v (%+v)", tc.dest, ok, tc.ok, got)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Resolve(%q) (-want +got):\n%s", tc.dest, diff)
			}
		})
	}
}

// TestResolveZennUser: with the author's Zenn name, links to their pages
// on zenn.dev that the repository has become links to the site; the
// others stay links to zenn.dev.
func TestResolveZennUser(t *testing.T) {
	tests := []struct {
		name string
		dest string
		want Target
		ok   bool
	}{
		{"article", "https://zenn.dev/me/articles/bbbbbbbbbbbb", Target{Kind: Article, Slug: "bbbbbbbbbbbb", Known: true}, true},
		{"article with fragment", "https://zenn.dev/me/articles/bbbbbbbbbbbb#はじめに", Target{Kind: Article, Slug: "bbbbbbbbbbbb", Suffix: "#はじめに", Known: true}, true},
		{"http and case", "http://Zenn.dev/ME/articles/bbbbbbbbbbbb", Target{Kind: Article, Slug: "bbbbbbbbbbbb", Known: true}, true},
		{"book", "https://zenn.dev/me/books/mybook", Target{Kind: Book, Book: "mybook", Known: true}, true},
		{"chapter", "https://zenn.dev/me/books/mybook/viewer/2.two", Target{Kind: Chapter, Book: "mybook", Slug: "two", Known: true}, true},
		{"profile", "https://zenn.dev/me", Target{Kind: Home, Known: true}, true},
		{"as written on zenn.dev", "/me/articles/bbbbbbbbbbbb", Target{Kind: Article, Slug: "bbbbbbbbbbbb", Known: true}, true},
		{"not in the repository", "https://zenn.dev/me/articles/elsewhere", Target{}, false},
		{"someone else", "https://zenn.dev/you/articles/bbbbbbbbbbbb", Target{}, false},
		{"a scrap", "https://zenn.dev/me/scraps/abc", Target{}, false},
		{"as written on zenn.dev, not in the repository", "/me/articles/elsewhere#x", Target{Kind: OnZennDev, Path: "/me/articles/elsewhere", Suffix: "#x"}, true},
		{"someone else, as written on zenn.dev", "/you/articles/bbbbbbbbbbbb", Target{Kind: OnZennDev, Path: "/you/articles/bbbbbbbbbbbb"}, true},
		{"another host", "https://example.com/me/articles/bbbbbbbbbbbb", Target{}, false},
		{"a user whose name starts the same", "https://zenn.dev/meme/articles/bbbbbbbbbbbb", Target{}, false},
	}
	ix := repo("Me")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ix.Resolve(inArticle, tc.dest)
			if ok != tc.ok {
				t.Fatalf("Resolve(%q) ok = %v, want %v (%+v)", tc.dest, ok, tc.ok, got)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Resolve(%q) (-want +got):\n%s", tc.dest, diff)
			}
		})
	}
}

// FuzzResolve: any link, from an article or a chapter, resolves without
// a panic to a page with a clean slug (never a path that leaves its
// folder), or is left alone.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"./x", "x#y", "../articles/x.md", "../../b/viewer/1.c", "https://zenn.dev/me/books/b", "/me/articles/x", "%2e%2e/x", "../", "./a/../../b"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	ix := repo("me")
	f.Fuzz(func(t *testing.T, dest string, chapter bool) {
		from := inArticle
		if chapter {
			from = inChapter
		}
		got, ok := ix.Resolve(from, dest)
		if !ok {
			if got != (Target{}) {
				t.Fatalf("Resolve(%q) not ok but %+v", dest, got)
			}
			return
		}
		for _, s := range []string{got.Slug, got.Book} {
			if s == "." || s == ".." || containsAny(s, "/\x00") {
				t.Fatalf("Resolve(%q) = %+v: a slug that is not one segment", dest, got)
			}
		}
		if got.Kind < Home || got.Kind > OnZennDev {
			t.Fatalf("Resolve(%q): kind %d", dest, got.Kind)
		}
		if got.Kind == OnZennDev && (!strings.HasPrefix(got.Path, "/") || strings.HasPrefix(got.Path, "//") || strings.Contains(got.Path, "/.") || dest != got.Path+got.Suffix) {
			t.Fatalf("Resolve(%q) = %+v: not a path of zenn.dev as written", dest, got)
		}
	})
}

func containsAny(s, chars string) bool {
	for _, c := range chars {
		for _, d := range s {
			if c == d {
				return true
			}
		}
	}
	return false
}
