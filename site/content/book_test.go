package content

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/diag"
)

// pngOf returns a w×h PNG, padded with trailing bytes up to pad bytes (a
// decoder reads only the header, so the padding changes only the size).
func pngOf(t testing.TB, w, h, pad int) string {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	for b.Len() < pad {
		b.WriteByte(0)
	}
	return b.String()
}

func loadMap(t testing.TB, files map[string]string, opts Options) (*Site, []string) {
	t.Helper()
	fsys := mapFS(files)
	if opts.Now.IsZero() {
		opts.Now = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	var l diag.List
	s := Load(fsys, opts, &l)
	return s, problemLines(l.Sorted())
}

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for p, s := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(s)}
	}
	return fsys
}

// problemLines formats problems as "file:line:col severity rule".
func problemLines(ps []diag.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s:%d:%d %s %s", p.File, p.Line, p.Col, p.Severity, p.Rule))
	}
	return out
}

func chapterList(b *Book) []string {
	var out []string
	for _, c := range b.Chapters {
		out = append(out, fmt.Sprintf("%d %s %s %q free=%v", c.Number, c.Slug, c.Path, c.Title, c.Free))
	}
	return out
}

const goodConfig = `title: "Go の本"
summary: "Go を学ぶ本"
topics: ["go"]
published: true
price: 0
chapters:
  - intro
  - setup
`

func chapter(title string) string { return "---\ntitle: \"" + title + "\"\n---\n\n本文\n" }

func TestLoadBooks(t *testing.T) {
	cover := pngOf(t, 50, 70, 0)
	tests := []struct {
		name     string
		files    map[string]string
		opts     Options
		books    []string            // slugs of the books built
		chapters map[string][]string // book slug → chapterList
		problems []string
	}{
		{
			name: "config chapters, cover, unlisted file",
			files: map[string]string{
				"books/go-book/config.yaml": goodConfig,
				"books/go-book/intro.md":    chapter("はじめに"),
				"books/go-book/setup.md":    "---\ntitle: 準備\nfree: true\n---\n",
				"books/go-book/extra.md":    chapter("おまけ"),
				"books/go-book/cover.png":   cover,
				"books/.keep":               "",
			},
			books: []string{"go-book"},
			chapters: map[string][]string{"go-book": {
				`1 intro books/go-book/intro.md "はじめに" free=false`,
				`2 setup books/go-book/setup.md "準備" free=true`,
			}},
			problems: []string{"books/go-book/extra.md:0:0 warning chapter-unlisted"},
		},
		{
			name: "numbered files without chapters, config.yml",
			files: map[string]string{
				"books/num/config.yml": strings.Replace(goodConfig, "chapters:\n  - intro\n  - setup\n", "", 1),
				"books/num/2.setup.md": chapter("二"),
				"books/num/1.intro.md": chapter("一"),
				"books/num/10.end.md":  chapter("十"),
				"books/num/notes.md":   chapter("メモ"),
				"books/num/a.b.md":     chapter("x"),
				"books/num/cover.jpg":  "not a jpeg",
			},
			books: []string{"num"},
			chapters: map[string][]string{"num": {
				`1 intro books/num/1.intro.md "一" free=false`,
				`2 setup books/num/2.setup.md "二" free=false`,
				`3 end books/num/10.end.md "十" free=false`,
			}},
			problems: []string{
				"books/num/a.b.md:0:0 warning chapter-unnumbered",
				"books/num/cover.jpg:0:0 warning book-cover-unreadable",
				"books/num/notes.md:0:0 warning chapter-unnumbered",
			},
		},
		{
			name: "chapters list problems point at their line",
			files: map[string]string{
				"books/bad-list/config.yaml": "title: t\nsummary: s\ntopics: [go]\npublished: true\nprice: 0\nchapters:\n  - intro\n  - gone\n  - setup.md\n  - 3\n  - intro\n  - ../../etc\n",
				"books/bad-list/intro.md":    chapter("a"),
				"books/bad-list/setup.md":    chapter("b"),
				"books/bad-list/cover.png":   cover,
			},
			books:    []string{"bad-list"},
			chapters: map[string][]string{"bad-list": {`1 intro books/bad-list/intro.md "a" free=false`}},
			problems: []string{
				"books/bad-list/config.yaml:8:5 warning chapter-missing",
				"books/bad-list/config.yaml:9:5 error book-chapters-format",
				"books/bad-list/config.yaml:10:5 error book-chapter-slugs",
				"books/bad-list/config.yaml:11:5 warning chapter-duplicate",
				"books/bad-list/config.yaml:12:5 error chapter-item-slug",
			},
		},
		{
			name: "chapters is not a list",
			files: map[string]string{
				"books/not-list/config.yaml": "title: t\nsummary: s\ntopics: [go]\npublished: true\nprice: 0\nchapters: intro\n",
				"books/not-list/1.intro.md":  chapter("a"),
				"books/not-list/cover.png":   cover,
			},
			books:    []string{"not-list"},
			chapters: map[string][]string{"not-list": {`1 intro books/not-list/1.intro.md "a" free=false`}},
			problems: []string{"books/not-list/config.yaml:6:11 error book-chapter-slugs"},
		},
		{
			name: "book fields with Zenn's rules",
			files: map[string]string{
				"books/fields/config.yaml": "title: \"\"\ntags: [a]\ntopics: [a, b, \"C++\", d, e, f, \"とても長いトピックの名前なので十八文字を超えます\"]\npublished: \"true\"\nprice: \"500\"\n",
				"books/fields/1.a.md":      chapter("a"),
			},
			// published: "true" is not a boolean, so the book is not published.
			problems: []string{
				"books/fields/config.yaml:0:0 warning missing-book-cover",
				"books/fields/config.yaml:1:0 error book-summary",
				"books/fields/config.yaml:1:8 error missing-title",
				"books/fields/config.yaml:2:7 warning use-tags",
				"books/fields/config.yaml:3:9 warning too-many-topics",
				"books/fields/config.yaml:3:16 warning invalid-topic-letters",
				"books/fields/config.yaml:3:32 warning topic-length",
				"books/fields/config.yaml:4:12 error published-status",
				"books/fields/config.yaml:5:8 warning book-price-type",
			},
		},
		{
			name: "book fields with Zenn's rules, strict",
			opts: Options{ZennStrict: true},
			files: map[string]string{
				"books/fields/config.yaml": "title: \"\"\ntags: [a]\ntopics: [a, b, \"C++\", d, e, f, \"とても長いトピックの名前なので十八文字を超えます\"]\npublished: \"true\"\nprice: \"500\"\n",
				"books/fields/1.a.md":      chapter("a"),
			},
			// published: "true" is not a boolean, so the book is not published.
			problems: []string{
				"books/fields/config.yaml:0:0 error item-slug", // zenn-cli: a slug of 12–50 characters
				"books/fields/config.yaml:0:0 warning missing-book-cover",
				"books/fields/config.yaml:1:0 error book-summary",
				"books/fields/config.yaml:1:8 error missing-title",
				"books/fields/config.yaml:2:7 warning use-tags",
				"books/fields/config.yaml:3:9 error too-many-topics",
				"books/fields/config.yaml:3:16 warning invalid-topic-letters",
				"books/fields/config.yaml:3:32 error topic-length",
				"books/fields/config.yaml:4:12 error published-status",
				"books/fields/config.yaml:5:8 error book-price-type",
			},
		},
		{
			name: "price range and fraction, missing price",
			files: map[string]string{
				"books/p150/config.yaml":       "title: t\nsummary: s\ntopics: [go]\npublished: true\nprice: 150\n",
				"books/p250/config.yaml":       "title: t\nsummary: s\ntopics: [go]\npublished: true\nprice: 250\n",
				"books/p6000/config.yaml":      "title: t\nsummary: s\ntopics: [go]\npublished: true\nprice: 6000\n",
				"books/p500/config.yaml":       "title: t\nsummary: s\ntopics: [go]\npublished: true\nprice: 500\n",
				"books/noprice/config.yaml":    "title: t\nsummary: s\ntopics: [go]\npublished: true\n",
				"books/p150/cover.png":         cover,
				"books/p250/cover.png":         cover,
				"books/p6000/cover.png":        cover,
				"books/p500/cover.png":         cover,
				"books/noprice/cover.webp":     "RIFF",
				"books/noprice/cover.png/x.md": "a folder named like a cover is not one",
			},
			books: []string{"noprice", "p150", "p250", "p500", "p6000"},
			problems: []string{
				"books/noprice/config.yaml:1:0 warning book-price-type",
				"books/noprice/cover.webp:0:0 warning book-cover-unreadable",
				"books/p150/config.yaml:5:8 warning book-price-fraction",
				"books/p150/config.yaml:5:8 warning book-price-range",
				"books/p250/config.yaml:5:8 warning book-price-fraction",
				"books/p6000/config.yaml:5:8 warning book-price-range",
			},
		},
		{
			name: "price range and fraction, missing price, strict",
			opts: Options{ZennStrict: true},
			files: map[string]string{
				"books/p150/config.yaml":       "title: t\nsummary: s\ntopics: [go]\npublished: true\nprice: 150\n",
				"books/p250/config.yaml":       "title: t\nsummary: s\ntopics: [go]\npublished: true\nprice: 250\n",
				"books/p6000/config.yaml":      "title: t\nsummary: s\ntopics: [go]\npublished: true\nprice: 6000\n",
				"books/p500/config.yaml":       "title: t\nsummary: s\ntopics: [go]\npublished: true\nprice: 500\n",
				"books/noprice/config.yaml":    "title: t\nsummary: s\ntopics: [go]\npublished: true\n",
				"books/p150/cover.png":         cover,
				"books/p250/cover.png":         cover,
				"books/p6000/cover.png":        cover,
				"books/p500/cover.png":         cover,
				"books/noprice/cover.webp":     "RIFF",
				"books/noprice/cover.png/x.md": "a folder named like a cover is not one",
			},
			books: []string{"noprice", "p150", "p250", "p500", "p6000"},
			problems: []string{
				"books/noprice/config.yaml:0:0 error item-slug",
				"books/noprice/config.yaml:1:0 error book-price-type",
				"books/noprice/cover.webp:0:0 warning book-cover-unreadable",
				"books/p150/config.yaml:0:0 error item-slug",
				"books/p150/config.yaml:5:8 error book-price-fraction",
				"books/p150/config.yaml:5:8 error book-price-range",
				"books/p250/config.yaml:0:0 error item-slug",
				"books/p250/config.yaml:5:8 error book-price-fraction",
				"books/p500/config.yaml:0:0 error item-slug",
				"books/p6000/config.yaml:0:0 error item-slug",
				"books/p6000/config.yaml:5:8 error book-price-range",
			},
		},
		{
			name: "cover too large and not 1:1.4",
			files: map[string]string{
				"books/covers/config.yaml": "title: t\nsummary: s\ntopics: [go]\npublished: true\nprice: 0\n",
				"books/covers/cover.png":   pngOf(t, 100, 100, 1024*1024+2048),
			},
			books: []string{"covers"},
			problems: []string{
				"books/covers/cover.png:0:0 warning book-cover-aspect-ratio",
				"books/covers/cover.png:0:0 warning book-cover-size",
			},
		},
		{
			name: "chapter front matter",
			files: map[string]string{
				"books/ch/config.yaml": "title: t\nsummary: s\ntopics: [go]\npublished: true\nprice: 0\nchapters: [a, b, c, d, e]\n",
				"books/ch/cover.png":   cover,
				"books/ch/a.md":        "---\ntitle: A\nfree: \"yes\"\n---\n",
				"books/ch/b.md":        "# no front matter\n",
				"books/ch/c.md":        "---\ntitle: [1\n---\n",
				"books/ch/d.md":        "---\ntitle: D\n",
				"books/ch/e.md":        "---\ntitle: " + strings.Repeat("長", 71) + "\n---\n",
			},
			books: []string{"ch"},
			chapters: map[string][]string{"ch": {
				`1 a books/ch/a.md "A" free=false`,
				`2 b books/ch/b.md "" free=false`,
				`3 e books/ch/e.md "` + strings.Repeat("長", 71) + `" free=false`,
			}},
			problems: []string{
				"books/ch/a.md:3:7 warning chapter-free-type",
				"books/ch/b.md:1:0 error missing-title",
				"books/ch/c.md:2:8 error front-matter",
				"books/ch/d.md:1:1 error front-matter",
				"books/ch/e.md:2:8 warning title-length",
			},
		},
		{
			name: "numbered chapter slugs: invalid and duplicate",
			files: map[string]string{
				"books/dup/config.yaml": "title: t\nsummary: s\ntopics: [go]\npublished: true\nprice: 0\nchapters: []\n",
				"books/dup/cover.png":   cover,
				"books/dup/1.intro.md":  chapter("a"),
				"books/dup/2.intro.md":  chapter("b"),
				"books/dup/3.Intro.md":  chapter("c"),
			},
			books:    []string{"dup"},
			chapters: map[string][]string{"dup": {`1 intro books/dup/1.intro.md "a" free=false`}},
			problems: []string{
				"books/dup/2.intro.md:1:0 error chapter-slug-conflict",
				"books/dup/3.Intro.md:1:0 error chapter-item-slug",
			},
		},
		{
			name: "broken configs and folders",
			files: map[string]string{
				"books/syntax/config.yaml":   "title: t\nsummary: [oops\n",
				"books/control/config.yaml":  strings.Replace(goodConfig, "Go の本", "Go \x01の本", 1),
				"books/control/intro.md":     chapter("a"),
				"books/control/setup.md":     chapter("b"),
				"books/scalar/config.yaml":   "just a string\n",
				"books/noconf/1.a.md":        chapter("a"),
				"books/Bad Slug/config.yaml": goodConfig,
			},
			books: []string{"control"}, // a control character is left out, with a warning
			problems: []string{
				"books/Bad Slug/config.yaml:0:0 warning item-slug",
				"books/control/config.yaml:0:0 warning missing-book-cover",
				"books/control/config.yaml:1:12 warning front-matter-control",
				"books/noconf:0:0 warning book-no-config",
				"books/scalar/config.yaml:1:1 error config",
				"books/syntax/config.yaml:2:10 error config",
			},
		},
		{
			name: "unpublished book is left out",
			files: map[string]string{
				"books/draft/config.yaml": strings.Replace(goodConfig, "published: true", "published: false", 1),
				"books/draft/intro.md":    chapter("a"),
				"books/draft/setup.md":    chapter("b"),
				"books/draft/cover.png":   cover,
			},
		},
		{
			name: "unpublished book with drafts",
			opts: Options{Drafts: true},
			files: map[string]string{
				"books/draft/config.yaml": strings.Replace(goodConfig, "published: true", "published: false", 1),
				"books/draft/intro.md":    chapter("a"),
				"books/draft/setup.md":    chapter("b"),
				"books/draft/cover.png":   cover,
			},
			books: []string{"draft"},
			chapters: map[string][]string{"draft": {
				`1 intro books/draft/intro.md "a" free=false`,
				`2 setup books/draft/setup.md "b" free=false`,
			}},
		},
		{
			name: "zenn slug length warning",
			opts: Options{ZennSlugWarnings: true},
			files: map[string]string{
				"books/short/config.yaml": goodConfig,
				"books/short/intro.md":    chapter("a"),
				"books/short/setup.md":    chapter("b"),
				"books/short/cover.png":   cover,
			},
			books: []string{"short"},
			chapters: map[string][]string{"short": {
				`1 intro books/short/intro.md "a" free=false`,
				`2 setup books/short/setup.md "b" free=false`,
			}},
			problems: []string{"books/short/config.yaml:0:0 warning item-slug-zenn"},
		},
		{
			name: "zenn slug length, strict",
			opts: Options{ZennStrict: true},
			files: map[string]string{
				"books/short/config.yaml":            goodConfig,
				"books/short/intro.md":               chapter("a"),
				"books/short/setup.md":               chapter("b"),
				"books/short/cover.png":              cover,
				"books/long-enough-slug/config.yaml": goodConfig,
				"books/long-enough-slug/intro.md":    chapter("a"),
				"books/long-enough-slug/setup.md":    chapter("b"),
				"books/long-enough-slug/cover.png":   cover,
			},
			books: []string{"long-enough-slug", "short"},
			chapters: map[string][]string{"short": {
				`1 intro books/short/intro.md "a" free=false`,
				`2 setup books/short/setup.md "b" free=false`,
			}},
			problems: []string{"books/short/config.yaml:0:0 error item-slug"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, probs := loadMap(t, tt.files, tt.opts)
			var slugs []string
			for _, b := range s.Books {
				slugs = append(slugs, b.Slug)
			}
			if diff := cmp.Diff(tt.books, slugs); diff != "" {
				t.Errorf("books (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.problems, probs); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			for slug, want := range tt.chapters {
				for _, b := range s.Books {
					if b.Slug == slug {
						if diff := cmp.Diff(want, chapterList(b)); diff != "" {
							t.Errorf("chapters of %s (-want +got):\n%s", slug, diff)
						}
					}
				}
			}
		})
	}
}

func TestBookFieldsAndTopics(t *testing.T) {
	s, probs := loadMap(t, map[string]string{
		"books/go-book/config.yaml":   goodConfig,
		"books/go-book/intro.md":      chapter("はじめに"),
		"books/go-book/setup.md":      chapter("準備"),
		"books/go-book/cover.png":     pngOf(t, 500, 700, 0),
		"articles/go-article-0001.md": "---\ntitle: a\nemoji: \"🐳\"\ntype: tech\ntopics: [Go]\npublished: true\n---\n",
		"books/hidden/config.yaml":    strings.Replace(goodConfig, "published: true", "published: false", 1),
		"books/hidden/intro.md":       chapter("a"),
		"books/hidden/setup.md":       chapter("b"),
		"books/hidden/cover.png":      pngOf(t, 500, 700, 0),
	}, Options{Root: "content"})
	if len(probs) > 0 {
		t.Fatalf("unexpected problems: %v", probs)
	}
	if len(s.Books) != 1 || len(s.DraftBooks) != 1 || s.DraftBooks[0].Slug != "hidden" {
		t.Fatalf("books = %d, draft books = %d; want 1 and 1 (hidden)", len(s.Books), len(s.DraftBooks))
	}
	b := s.Books[0]
	got := fmt.Sprintf("%s|%s|%s|%v|%v|%d|%s|%dx%d|%s", b.Title, b.Summary, b.File, b.Topics, b.Published, b.Price, b.Cover, b.CoverWidth, b.CoverHeight, b.Chapters[0].File)
	want := "Go の本|Go を学ぶ本|content/books/go-book/config.yaml|[go]|true|0|books/go-book/cover.png|500x700|content/books/go-book/intro.md"
	if got != want {
		t.Errorf("book = %s\nwant   %s", got, want)
	}
	if b.Chapters[1].Book != b || b.Chapters[1].Number != 2 {
		t.Errorf("chapter 2 does not point back to its book or has number %d", b.Chapters[1].Number)
	}
	// The body keeps the file's lines: line 5 of the chapter is "本文".
	if lines := strings.Split(string(b.Chapters[0].Body), "\n"); len(lines) < 5 || lines[4] != "本文" || strings.TrimSpace(lines[1]) != "" {
		t.Errorf("chapter body does not keep the file's lines: %q", b.Chapters[0].Body)
	}
	// The topic "go" holds the article (written "Go") and the book.
	var found bool
	for _, tp := range s.Topics {
		if tp.Slug == "go" {
			found = true
			if len(tp.Articles) != 1 || len(tp.Books) != 1 || tp.Books[0] != b {
				t.Errorf("topic go has %d articles and %d books; want 1 and 1", len(tp.Articles), len(tp.Books))
			}
		}
	}
	if !found {
		t.Errorf("no topic go in %v", s.Topics)
	}
}

func TestBookMessagesInEnglish(t *testing.T) {
	_, ja := loadMessages(t, "ja")
	_, en := loadMessages(t, "en")
	want := map[string]string{
		"book-summary":       "summary（本の説明）の記載は必須です",
		"missing-book-cover": "本のカバー画像（cover.pngもしくはcover.jpg）を「/books/en-book」ディレクトリに配置してください",
		"chapter-missing":    "chapters に指定されたチャプター（gone）のファイル content/books/en-book/gone.md がありません（Zenn と同じく、この指定を除いて本を作ります）。ファイルを作成するか、chapters から削除してください",
	}
	for rule, msg := range want {
		if ja[rule] != msg {
			t.Errorf("ja %s = %q, want %q", rule, ja[rule], msg)
		}
		if en[rule] == "" || en[rule] == ja[rule] || strings.ContainsAny(en[rule], "本説明") {
			t.Errorf("en %s = %q: want an English message", rule, en[rule])
		}
	}
	if !strings.Contains(en["chapter-missing"], `"gone"`) || !strings.Contains(en["chapter-missing"], "content/books/en-book/gone.md") {
		t.Errorf("en chapter-missing does not name the chapter and its file: %q", en["chapter-missing"])
	}
}

func loadMessages(t *testing.T, lang string) (*Site, map[string]string) {
	fsys := fstest.MapFS{
		"books/en-book/config.yaml": {Data: []byte("title: t\ntopics: [go]\npublished: true\nprice: 0\nchapters: [gone]\n")},
	}
	var l diag.List
	s := Load(fsys, Options{Root: "content", Lang: lang}, &l)
	m := map[string]string{}
	for _, p := range l.Sorted() {
		m[p.Rule] = p.Msg
	}
	return s, m
}

// TestDraftProblemsAreWarnings: a draft left out of the build (published:
// false) does not fail it; its problems become warnings. With drafts, they
// are errors again. A published field that is not a boolean stays an error.
func TestDraftProblemsAreWarnings(t *testing.T) {
	files := map[string]string{
		// What zenn new:article and zenn new:book write.
		"articles/0123456789abcd.md":       "---\ntitle: \"\"\nemoji: \"😺\"\ntype: \"tech\" # tech: 技術記事 / idea: アイデア\ntopics: []\npublished: false\n---\n",
		"books/0123456789abcd/config.yaml": "title: \"\"\nsummary: \"\"\ntopics: []\npublished: false\nprice: 0 # 有料の場合200〜5000\nchapters:\n  - example1\n  - example2\n",
		"books/0123456789abcd/example1.md": "---\ntitle: \"\"\n---\n",
		"books/0123456789abcd/example2.md": "---\ntitle: \"\"\n---\n",
		"articles/quoted-published.md":     "---\ntitle: a\nemoji: \"😺\"\ntype: tech\ntopics: [go]\npublished: \"false\"\n---\n",
	}
	_, probs := loadMap(t, files, Options{})
	want := []string{
		"articles/0123456789abcd.md:2:8 warning missing-title",
		"articles/0123456789abcd.md:5:9 warning missing-topics",
		"articles/quoted-published.md:6:12 error published-status",
		"books/0123456789abcd/config.yaml:0:0 warning missing-book-cover",
		"books/0123456789abcd/config.yaml:1:8 warning missing-title",
		"books/0123456789abcd/config.yaml:2:10 warning book-summary",
		"books/0123456789abcd/config.yaml:3:9 warning missing-topics",
		"books/0123456789abcd/example1.md:2:8 warning missing-title",
		"books/0123456789abcd/example2.md:2:8 warning missing-title",
	}
	if diff := cmp.Diff(want, probs); diff != "" {
		t.Errorf("without drafts (-want +got):\n%s", diff)
	}
	_, probs = loadMap(t, files, Options{Drafts: true})
	var errs int
	for _, p := range probs {
		if strings.Contains(p, " error ") {
			errs++
		}
	}
	if errs != 6 {
		t.Errorf("with drafts: %d errors, want 6: %q", errs, probs)
	}
}
