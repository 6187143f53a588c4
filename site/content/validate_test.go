package content

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/diag"
)

// badArticle has every front-matter mistake of zenn-cli's validation
// sample (zenn-reference/validation.sample.txt, "bad.md").
const badArticle = "---\n" +
	"title: \"bad\"\n" +
	"emoji: \"🐳🐳\"\n" +
	"type: \"blog\"\n" +
	"tags: [\"x\"]\n" +
	"topics: [\"a\", \"b\", \"C++\", \"d\", \"e\", \"averyveryverylongtopicname\"]\n" +
	"published: \"true\"\n" +
	"published_at: 2023/10/20\n" +
	"publication_name: \"Bad-Name\"\n" +
	"---\n本文\n"

// TestArticleRulesMatchZennCLI: with ZennStrict, kiji reports the
// article of zenn-cli's sample with zenn-cli's rules, severities and
// messages, item-slug included (critical: the slug has 3 characters).
func TestArticleRulesMatchZennCLI(t *testing.T) {
	var l diag.List
	ParseArticle("articles/bad.md", []byte(badArticle), Options{Lang: "ja", ZennStrict: true, Now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, &l)
	// zenn-cli's list, as printed for bad.md ([critical] is an error).
	want := []string{
		"error item-slug: slugの値（bad）が不正です。小文字の半角英数字（a-z0-9）、ハイフン（-）、アンダースコア（_）の12〜50字の組み合わせにしてください",
		"error published-status: published（公開設定）を true か false で指定してください（クオテーション \" で囲まないでください）",
		"error published-at-parse: published_at（公開日時）は `YYYY-MM-DD` または `YYYY-MM-DD hh:mm` のフォーマットで指定してください",
		"error article-type: type（記事のタイプ）に tech もしくは idea を指定してください。技術記事の場合は tech を指定してください",
		"error emoji-format: 絵文字（emoji）を1つだけ指定してください",
		"warning use-tags: tagsではなくtopicsを使ってください",
		"error topic-length: topicsは18字以内にしてください",
		"warning invalid-topic-letters: topicsに記号やスペースを使用することはできません。例えばC++は「cpp」、C#は「csharp」と記載してください",
		"error too-many-topics: topicsは最大5つまで指定できます",
		"error publication-name: Publicationの名前が不正です。小文字の半角英数字（a-z0-9）、アンダースコア（_）の2〜15字の組み合わせにしてください",
	}
	var got []string
	for _, p := range l.Sorted() {
		got = append(got, p.Severity.String()+" "+p.Rule+": "+p.Msg)
	}
	sort.Strings(want)
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestArticlePlatformRules: by default Zenn's platform rules (the number
// and length of topics, the publication name, the slug's length) are
// warnings that say so, at their line; what makes the page wrong for a
// reader stays an error. ZennSlugWarnings adds the slug's length.
func TestArticlePlatformRules(t *testing.T) {
	var l diag.List
	ParseArticle("articles/bad.md", []byte(badArticle), Options{Lang: "ja", ZennSlugWarnings: true, Now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, &l)
	var lines []string
	for _, p := range l.Sorted() {
		lines = append(lines, p.Error())
	}
	sort.Strings(lines)
	const platform = "（Zenn の制限です。kiji はこのままビルドします。zenn-cli と同じくエラーにするには --zenn-strict）"
	wantLines := []string{
		"articles/bad.md:1: warning: slugの値（bad）は Zenn では使えません。Zenn に同期する場合は小文字の半角英数字（a-z0-9）、ハイフン（-）、アンダースコア（_）の12〜50字にしてください（kiji はこのままビルドします）",
		"articles/bad.md:3:8: warning: 絵文字（emoji）を1つだけ指定してください" + platform,
		"articles/bad.md:4:7: warning: type（記事のタイプ）に tech もしくは idea を指定してください。技術記事の場合は tech を指定してください" + platform,
		"articles/bad.md:5:7: warning: tagsではなくtopicsを使ってください",
		"articles/bad.md:6:20: warning: topicsに記号やスペースを使用することはできません。例えばC++は「cpp」、C#は「csharp」と記載してください",
		"articles/bad.md:6:37: warning: topicsは18字以内にしてください" + platform,
		"articles/bad.md:6:9: warning: topicsは最大5つまで指定できます" + platform,
		"articles/bad.md:7:12: published（公開設定）を true か false で指定してください（クオテーション \" で囲まないでください）",
		"articles/bad.md:8:15: published_at（公開日時）は `YYYY-MM-DD` または `YYYY-MM-DD hh:mm` のフォーマットで指定してください",
		"articles/bad.md:9:19: warning: Publicationの名前が不正です。小文字の半角英数字（a-z0-9）、アンダースコア（_）の2〜15字の組み合わせにしてください" + platform,
	}
	if diff := cmp.Diff(wantLines, lines); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestCoverMessages(t *testing.T) {
	var l diag.List
	fsys := mapFS(map[string]string{
		"books/cover-messages/config.yaml": "title: t\nsummary: s\ntopics: [go]\npublished: true\nprice: 0\n",
		"books/cover-messages/cover.png":   pngOf(t, 100, 100, 1024*1024+2048),
	})
	Load(fsys, Options{ZennStrict: true}, &l)
	var msgs []string
	for _, p := range l.Sorted() {
		msgs = append(msgs, p.Msg)
	}
	want := []string{
		"カバー画像の「幅 : 高さ」の比率は「1 : 1.4」にすることをおすすめします（最終的に幅500px・高さ700pxにリサイズされます）。現在の比率は「1 : 1」です",
		"カバー画像のサイズは1MB以内にしてください。現在のサイズ: 1026KB",
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}

// TestSlugsZennRejects: a slug kiji can use as a folder and a URL but
// Zenn rejects (over 50 characters, upper-case letters; both in a public
// Zenn repository of 1120 articles) is a warning and the article is built;
// --zenn-strict makes it zenn-cli's error. A slug kiji cannot use (a dot,
// Japanese: zenn.dev never published the file) is a warning and the
// article is left out, zenn-cli's error with --zenn-strict; two slugs
// that differ only in case conflict (one folder on macOS and Windows).
func TestSlugsZennRejects(t *testing.T) {
	long := "android-compose-compose-accompanist-permissions-2026" // 52
	const article = "---\ntitle: t\nemoji: \"🐳\"\ntype: tech\ntopics: [go]\npublished: true\n---\nx\n"
	for _, tc := range []struct {
		name   string
		files  []string
		strict bool
		want   []string // slugs built
		probs  []string
	}{
		{"long", []string{long}, false, []string{long}, []string{"articles/" + long + ".md:1:0 warning item-slug-zenn"}},
		{"upper case", []string{"compose-graphicsLayer"}, false, []string{"compose-graphicsLayer"}, []string{"articles/compose-graphicsLayer.md:1:0 warning item-slug-zenn"}},
		{"long, strict", []string{long}, true, []string{long}, []string{"articles/" + long + ".md:1:0 error item-slug"}},
		{"over 100", []string{strings.Repeat("a", 101)}, false, nil, []string{"articles/" + strings.Repeat("a", 101) + ".md:1:0 warning item-slug"}},
		{"a dot", []string{"zenn-article.v2"}, false, nil, []string{"articles/zenn-article.v2.md:1:0 warning item-slug"}},
		{"japanese", []string{"日本語の記事"}, false, nil, []string{"articles/日本語の記事.md:1:0 warning item-slug"}},
		{"japanese, strict", []string{"日本語の記事"}, true, nil, []string{"articles/日本語の記事.md:1:0 error item-slug"}},
		{"case conflict", []string{"Compose-article", "compose-article"}, false, []string{"Compose-article"},
			[]string{"articles/Compose-article.md:1:0 warning item-slug-zenn", "articles/compose-article.md:1:0 error slug-conflict"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{}
			for _, f := range tc.files {
				files["articles/"+f+".md"] = article
			}
			var l diag.List
			s := Load(mapFS(files), Options{ZennStrict: tc.strict}, &l)
			var got, probs []string
			for _, a := range s.Articles {
				got = append(got, a.Slug)
			}
			for _, p := range l.Sorted() {
				probs = append(probs, fmt.Sprintf("%s:%d:%d %s %s", p.File, p.Line, p.Col, p.Severity, p.Rule))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("articles (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.probs, probs); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTopicTypePlatform: a topic that is not a non-empty string (an empty
// "" among the topics, in a public Zenn repository; a number) is left out
// with a platform warning and the article is built with its other topics;
// --zenn-strict makes it zenn-cli's error.
func TestTopicTypePlatform(t *testing.T) {
	const src = "---\ntitle: t\nemoji: \"🐳\"\ntype: tech\ntopics: [\"python\", \"\", 2024, \"oss\"]\npublished: true\n---\nx\n"
	for _, tc := range []struct {
		name   string
		strict bool
		want   []string
	}{
		{"default", false, []string{"articles/topic-type-test.md:5:20 warning topic-type", "articles/topic-type-test.md:5:24 warning topic-type"}},
		{"strict", true, []string{"articles/topic-type-test.md:5:20 error topic-type", "articles/topic-type-test.md:5:24 error topic-type"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l diag.List
			a := ParseArticle("articles/topic-type-test.md", []byte(src), Options{ZennStrict: tc.strict}, &l)
			var got []string
			for _, p := range l.Sorted() {
				got = append(got, fmt.Sprintf("%s:%d:%d %s %s", p.File, p.Line, p.Col, p.Severity, p.Rule))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"python", "oss"}, a.Topics); diff != "" {
				t.Errorf("topics (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFieldFormatPlatform: an emoji field that is not one emoji ("λ" in
// two articles of a public Zenn repository, myougatheaxo) and a type that
// is neither tech nor idea, or missing, are platform warnings: the article
// is built without an emoji or a type label, as when emoji is missing;
// --zenn-strict makes each zenn-cli's error.
func TestFieldFormatPlatform(t *testing.T) {
	const emoji = "---\ntitle: t\nemoji: \"λ\"\ntype: tech\ntopics: [go]\npublished: true\n---\nx\n"
	const blog = "---\ntitle: t\nemoji: \"📝\"\ntype: blog\ntopics: [go]\npublished: true\n---\nx\n"
	const none = "---\ntitle: t\nemoji: \"📝\"\ntopics: [go]\npublished: true\n---\nx\n"
	for _, tc := range []struct {
		name, src string
		strict    bool
		want      []string
	}{
		{"emoji", emoji, false, []string{"articles/field-format-test.md:3:8 warning emoji-format"}},
		{"emoji strict", emoji, true, []string{"articles/field-format-test.md:3:8 error emoji-format"}},
		{"type", blog, false, []string{"articles/field-format-test.md:4:7 warning article-type"}},
		{"type strict", blog, true, []string{"articles/field-format-test.md:4:7 error article-type"}},
		{"no type", none, false, []string{"articles/field-format-test.md:1:0 warning article-type"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l diag.List
			a := ParseArticle("articles/field-format-test.md", []byte(tc.src), Options{ZennStrict: tc.strict}, &l)
			var got []string
			for _, p := range l.Sorted() {
				got = append(got, fmt.Sprintf("%s:%d:%d %s %s", p.File, p.Line, p.Col, p.Severity, p.Rule))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if tc.strict {
				return
			}
			if a == nil || (tc.src == emoji && a.Emoji != "") || (tc.src != emoji && a.Type != "") {
				t.Errorf("article = %+v, want one built without the field", a)
			}
		})
	}
}

// TestSlugFieldKijiCannotUse: a slug field (kiji's, not Zenn's) that
// cannot name a page is an error, not a file left out: its author wrote
// it for kiji.
func TestSlugFieldKijiCannotUse(t *testing.T) {
	files := map[string]string{"articles/trav.md": "---\ntitle: t\nemoji: \"🐳\"\ntype: tech\ntopics: [go]\npublished: true\nslug: ../../x\n---\nx\n"}
	var l diag.List
	s := Load(mapFS(files), Options{}, &l)
	var probs []string
	for _, p := range l.Sorted() {
		probs = append(probs, fmt.Sprintf("%s:%d:%d %s %s", p.File, p.Line, p.Col, p.Severity, p.Rule))
	}
	if diff := cmp.Diff([]string{"articles/trav.md:7:7 error slug-field"}, probs); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if len(s.Articles) != 0 {
		t.Errorf("built %d articles; want none", len(s.Articles))
	}
}

// TestTopicsNotAList: topics that are not a list (a string, a number, a
// mapping, "undefined" as a public repository has it) are zenn-cli's
// missing-topics warning, even with --zenn-strict (zenn-cli's topic-type
// skips them), and the article is built without topics.
func TestTopicsNotAList(t *testing.T) {
	for _, tc := range []struct{ name, topics string }{
		{"undefined", "undefined"},
		{"a string", `"react"`},
		{"a number", "2024"},
		{"a mapping", "{a: b}"},
		{"an empty list", "[]"},
		{"null", "null"},
	} {
		for _, strict := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s strict=%v", tc.name, strict), func(t *testing.T) {
				src := "---\ntitle: t\nemoji: \"🐳\"\ntype: tech\ntopics: " + tc.topics + "\npublished: true\n---\nx\n"
				var l diag.List
				a := ParseArticle("articles/topics-not-a-list.md", []byte(src), Options{ZennStrict: strict}, &l)
				var got []string
				for _, p := range l.Sorted() {
					got = append(got, fmt.Sprintf("%s:%d:%d %s %s", p.File, p.Line, p.Col, p.Severity, p.Rule))
				}
				want := []string{"articles/topics-not-a-list.md:5:9 warning missing-topics"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("problems (-want +got):\n%s", diff)
				}
				if len(a.Topics) != 0 {
					t.Errorf("topics %q, want none", a.Topics)
				}
			})
		}
	}
}

// TestFilesZennDoesNotPublish: an article without a published field, or
// a file with no front matter at all (a README.md in articles/, notes
// copied from another blog), is not published by zenn.dev, and the other
// articles are: kiji leaves the file out with a warning (a draft, shown
// with --drafts) instead of failing the site. With --zenn-strict they are
// zenn-cli's errors. Before, both were errors without --zenn-strict.
func TestFilesZennDoesNotPublish(t *testing.T) {
	files := map[string]string{
		"articles/0123456789abcd.md":         "---\ntitle: a\nemoji: \"😺\"\ntype: tech\ntopics: [go]\npublished: true\n---\nbody\n",
		"articles/from-elsewhere.md":         "---\ntitle: b\ntags: [go]\ndate: 2020-01-01\n---\nbody\n",
		"articles/README.md":                 "# My Zenn articles\n",
		"books/book-without-pub/config.yaml": "title: c\nsummary: s\ntopics: [go]\nprice: 0\nchapters: [intro]\n",
		"books/book-without-pub/intro.md":    "---\ntitle: i\n---\n",
	}
	for _, tt := range []struct {
		name             string
		opts             Options
		want             []string
		articles, drafts []string
	}{
		{"default", Options{}, []string{
			"articles/README.md:1:1 warning front-matter-missing",
			"articles/from-elsewhere.md:1:0 warning published-missing",
			"articles/from-elsewhere.md:1:0 warning missing-topics",
			"articles/from-elsewhere.md:1:0 warning article-type",
			"articles/from-elsewhere.md:1:0 warning missing-emoji",
			"articles/from-elsewhere.md:3:7 warning use-tags",
			"books/book-without-pub/config.yaml:0:0 warning missing-book-cover",
			"books/book-without-pub/config.yaml:1:0 warning published-missing",
		}, []string{"0123456789abcd"}, []string{"from-elsewhere"}},
		{"zenn-strict", Options{ZennStrict: true}, []string{
			"articles/README.md:1:1 error front-matter-missing",
			"articles/from-elsewhere.md:1:0 error published-status",
			"articles/from-elsewhere.md:1:0 warning missing-topics",
			"articles/from-elsewhere.md:1:0 error article-type",
			"articles/from-elsewhere.md:1:0 warning missing-emoji",
			"articles/from-elsewhere.md:3:7 warning use-tags",
			"books/book-without-pub/config.yaml:0:0 warning missing-book-cover",
			"books/book-without-pub/config.yaml:1:0 error published-status",
		}, []string{"0123456789abcd"}, []string{"from-elsewhere"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, probs := loadMap(t, files, tt.opts)
			if diff := cmp.Diff(tt.want, probs); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			got := [2][]string{}
			for _, a := range s.Articles {
				got[0] = append(got[0], a.Slug)
			}
			for _, a := range s.Drafts {
				got[1] = append(got[1], a.Slug)
			}
			if diff := cmp.Diff([2][]string{tt.articles, tt.drafts}, got); diff != "" {
				t.Errorf("articles, drafts (-want +got):\n%s", diff)
			}
			if len(s.Books) != 0 || len(s.DraftBooks) != 1 {
				t.Errorf("books %d, draft books %d; want 0 and 1 (no published field: a draft)", len(s.Books), len(s.DraftBooks))
			}
		})
	}
}
