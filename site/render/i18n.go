package render

import (
	"fmt"
	"strings"
)

var words = map[string][2]string{ // key: {ja, en}
	"skip":         {"本文へスキップ", "Skip to content"},
	"sitenav":      {"サイト", "Site"},
	"articles":     {"記事", "Articles"},
	"topics":       {"トピック", "Topics"},
	"books":        {"本", "Books"},
	"toc":          {"目次", "Contents"},
	"prevnext":     {"前後の記事", "More articles"},
	"prev":         {"← 前の記事", "← Previous"},
	"next":         {"次の記事 →", "Next →"},
	"prevchapter":  {"← 前のチャプター", "← Previous chapter"},
	"nextchapter":  {"次のチャプター →", "Next chapter →"},
	"draft":        {"下書き", "draft"},
	"readingtime":  {"約%d分で読めます", "%d min read"},
	"chapters":     {"%d チャプター", "%d chapters"},
	"noarticles":   {"まだ記事がありません。", "No articles yet."},
	"notfound":     {"お探しのページは見つかりませんでした。", "The page you are looking for does not exist."},
	"backhome":     {"トップページへ戻る", "Back to the home page"},
	"anchor":       {"この見出しへのリンク", "Link to this heading"},
	"copy":         {"コードをコピー", "Copy code"},
	"tech":         {"技術", "Tech"},
	"idea":         {"アイデア", "Idea"},
	"alltopics":    {"すべてのトピック", "All topics"},
	"topicof":      {"「%s」の記事", "Articles about %s"},
	"latest":       {"新着記事", "Latest articles"},
	"chapterno":    {"チャプター %d", "Chapter %d"},
	"chapternav":   {"前後のチャプター", "More chapters"},
	"chapterlist":  {"チャプター", "Chapters"},
	"backtobook":   {"本の目次へ戻る", "Back to the book's contents"},
	"startreading": {"読み始める", "Start reading"},
	"book":         {"本", "Book"},
	"pagination":   {"ページ", "Pages"},
	"prevpage":     {"← 前のページ", "← Previous page"},
	"nextpage":     {"次のページ →", "Next page →"},
	"pageof":       {"%d / %d ページ", "page %d of %d"},
	"archive":      {"アーカイブ", "Archive"},
	"archiveyear":  {"%d年の記事", "Articles of %d"},
	"month":        {"%[1]d年%[3]d月", "%[2]s %[1]d"},
	"articlecount": {"%d 件", "%d"},
	"search":       {"検索", "Search"},
	"searchall":    {"すべての結果を見る →", "All results →"},
	"searchnone":   {"見つかりませんでした", "Nothing found"},
	"searchcount":  {"%d 件", "%d results"},
	"searchabout":  {"約 %d 件", "About %d results"},
	"searchmore":   {"もっと見る", "More results"},
	"searchnojs":   {"検索には JavaScript が必要です。", "Search needs JavaScript."},
	"searchhint":   {"記事を検索（/）", "Search (/)"},
}

// Translate returns the theme's word for key in lang ("ja…" or other), with
// args formatted in.
func Translate(lang, key string, args ...any) string {
	w, ok := words[key]
	if !ok {
		return key
	}
	s := w[1]
	if lang == "" || strings.HasPrefix(lang, "ja") {
		s = w[0]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
