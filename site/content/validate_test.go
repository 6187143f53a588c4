package content

import (
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/diag"
)

// TestArticleRulesMatchZennCLI checks an article with every front-matter
// mistake of zenn-reference/validation.sample.txt ("bad.md"): kiji reports
// the same rules with the same severities (item-slug is a warning in kiji,
// which builds short slugs, and only with ZennSlugWarnings).
func TestArticleRulesMatchZennCLI(t *testing.T) {
	src := "---\n" +
		"title: \"bad\"\n" +
		"emoji: \"🐳🐳\"\n" +
		"type: \"blog\"\n" +
		"tags: [\"x\"]\n" +
		"topics: [\"a\", \"b\", \"C++\", \"d\", \"e\", \"averyveryverylongtopicname\"]\n" +
		"published: \"true\"\n" +
		"published_at: 2023/10/20\n" +
		"publication_name: \"Bad-Name\"\n" +
		"---\n本文\n"
	var l diag.List
	ParseArticle("articles/bad.md", []byte(src), Options{Lang: "ja", ZennSlugWarnings: true, Now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, &l)
	got := map[string]string{}
	var lines []string
	for _, p := range l.Sorted() {
		got[p.Rule] = p.Severity.String()
		lines = append(lines, p.Error())
	}
	want := map[string]string{
		"item-slug-zenn":        "warning",
		"published-status":      "error",
		"published-at-parse":    "error",
		"article-type":          "error",
		"emoji-format":          "error",
		"use-tags":              "warning",
		"topic-length":          "error",
		"invalid-topic-letters": "warning",
		"too-many-topics":       "error",
		"publication-name":      "error",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	sort.Strings(lines)
	wantLines := []string{
		"articles/bad.md:1: warning: slugの値（bad）は Zenn では使えません。Zenn に同期する場合は12〜50字にしてください",
		"articles/bad.md:3:8: 絵文字（emoji）を1つだけ指定してください",
		"articles/bad.md:4:7: type（記事のタイプ）に tech もしくは idea を指定してください。技術記事の場合は tech を指定してください",
		"articles/bad.md:5:7: warning: tagsではなくtopicsを使ってください",
		"articles/bad.md:6:20: warning: topicsに記号やスペースを使用することはできません。例えばC++は「cpp」、C#は「csharp」と記載してください",
		"articles/bad.md:6:37: topicsは18字以内にしてください",
		"articles/bad.md:6:9: topicsは最大5つまで指定できます",
		"articles/bad.md:7:12: published（公開設定）を true か false で指定してください（クオテーション \" で囲まないでください）",
		"articles/bad.md:8:15: published_at（公開日時）は `YYYY-MM-DD` または `YYYY-MM-DD hh:mm` のフォーマットで指定してください",
		"articles/bad.md:9:19: Publicationの名前が不正です。小文字の半角英数字（a-z0-9）、アンダースコア（_）の2〜15字の組み合わせにしてください",
	}
	if diff := cmp.Diff(wantLines, lines); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestCoverMessages(t *testing.T) {
	var l diag.List
	fsys := mapFS(map[string]string{
		"books/covers/config.yaml": "title: t\nsummary: s\ntopics: [go]\npublished: true\nprice: 0\n",
		"books/covers/cover.png":   pngOf(t, 100, 100, 1024*1024+2048),
	})
	Load(fsys, Options{}, &l)
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
