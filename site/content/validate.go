package content

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kiji-ssg/kiji/site/diag"
)

// Messages in the two languages kiji speaks. The Japanese ones are
// zenn-cli's own, so authors see what they already know.
type message struct{ ja, en string }

var messages = map[string]message{
	"missing-title":         {"title（タイトル）を文字列で入力してください", "title is missing: add a title as a string"},
	"title-length":          {"タイトルは70字以内にしてください", "the title is longer than 70 characters; shorten it"},
	"published-status":      {"published（公開設定）を true か false で指定してください（クオテーション \" で囲まないでください）", "published must be true or false, without quotes"},
	"published-at-parse":    {"published_at（公開日時）は `YYYY-MM-DD` または `YYYY-MM-DD hh:mm` のフォーマットで指定してください", "published_at must be written as YYYY-MM-DD or YYYY-MM-DD hh:mm"},
	"published-at-schedule": {"published_at（公開日時）に未来の日時を指定する場合は、published（公開設定）に true を指定してください", "published_at is in the future: set published: true to schedule the article"},
	"article-type":          {"type（記事のタイプ）に tech もしくは idea を指定してください。技術記事の場合は tech を指定してください", "type must be tech or idea (tech for a technical article)"},
	"emoji-format":          {"絵文字（emoji）を1つだけ指定してください", "emoji must be exactly one emoji"},
	"missing-emoji":         {"アイキャッチとなる emoji（絵文字）を指定してください", "emoji is missing: add one emoji, e.g. emoji: \"🐳\""},
	"missing-topics":        {"topics（記事に関連する言語や技術）を配列で指定してください。例）[\"react\", \"javascript\"]", "topics is missing: list the article's topics, e.g. [\"react\", \"javascript\"]"},
	"use-tags":              {"tagsではなくtopicsを使ってください", "use topics instead of tags"},
	"topic-length":          {"topicsは18字以内にしてください", "a topic is longer than 18 characters; shorten it"},
	"invalid-topic-letters": {"topicsに記号やスペースを使用することはできません。例えばC++は「cpp」、C#は「csharp」と記載してください", "topics cannot contain symbols or spaces: write C++ as cpp and C# as csharp"},
	"too-many-topics":       {"topicsは最大5つまで指定できます", "at most 5 topics are allowed; remove some"},
	"topic-type":            {"topicsは全て文字列で指定してください", "every topic must be a non-empty string"},
	"publication-name":      {"Publicationの名前が不正です。小文字の半角英数字（a-z0-9）、アンダースコア（_）の2〜15字の組み合わせにしてください", "publication_name must be 2–15 characters of a-z, 0-9 and _"},
	"item-slug":             {"slugの値（%s）はページの URL に使えないため、このファイルは公開しません（Zenn でも公開されません）。公開するには、ファイル名（または slug）を小文字の半角英数字（a-z0-9）、ハイフン（-）、アンダースコア（_）の12〜50字にしてください", "the slug %q cannot name a page (Zenn rejects it too), so this file is left out of the site; to publish it, rename the file (or set slug) to 12–50 lower-case letters a-z, digits, - and _"},
	"published-missing":     {"published（公開設定）がないため、下書きとして扱い公開しません（Zenn でも公開されません）。公開するには published: true を書いてください", "there is no published field, so this is a draft and left out of the site (zenn.dev does not publish it either); add published: true to publish it"},
	"front-matter-missing":  {"フロントマターがないため、このファイルは公開しません（Zenn でも公開されません）。公開するにはファイルの先頭に --- で囲んだ title, emoji, type, topics, published: true を書いてください", "the file has no front matter, so it is left out of the site (zenn.dev does not publish it either); to publish it, start the file with --- lines holding title, emoji, type, topics and published: true"},
	"item-slug-zenn":        {"slugの値（%s）は Zenn では使えません。Zenn に同期する場合は小文字の半角英数字（a-z0-9）、ハイフン（-）、アンダースコア（_）の12〜50字にしてください（kiji はこのままビルドします）", "the slug %q is not one Zenn allows (12–50 lower-case letters a-z, digits, - and _): Zenn would reject it (kiji builds it)"},
	"item-slug-zenn-cli":    {"slugの値（%s）が不正です。小文字の半角英数字（a-z0-9）、ハイフン（-）、アンダースコア（_）の12〜50字の組み合わせにしてください", "the slug %q is not allowed on Zenn: use 12–50 lower-case letters a-z, digits, - and _"},
	"slug-field":            {"slugの値（%s）が不正です。小文字の半角英数字（a-z0-9）、ハイフン（-）、アンダースコア（_）の100字以内の組み合わせにしてください", "the slug %q is not allowed: use at most 100 lower-case letters a-z, digits, - and _"},
	"slug-conflict":         {"slug（%s）が %s と重複しています。どちらかのファイル名か slug を変えてください", "the slug %q is also used by %s; rename one file or set a different slug"},
	"description-type":      {"description は文字列で指定してください", "description must be a string"},

	"draft-suffix": {"（下書きのため、このビルドでは警告として扱います）", " (in a draft left out of this build, so only a warning)"},
	"platform-suffix": {"（Zenn の制限です。kiji はこのままビルドします。zenn-cli と同じくエラーにするには --zenn-strict）",
		" (a limit of zenn.dev: kiji builds it anyway; --zenn-strict makes it an error, as zenn-cli does)"},

	// Books and chapters (zenn-model validateBook / validateBookChapter).
	"book-summary":            {"summary（本の説明）の記載は必須です", "summary is missing: describe the book in a sentence or two"},
	"book-price-type":         {"price（本の価格）を半角数字で指定してください（クオテーション \" で囲まないでください）", "price must be a number without quotes (0 for a free book)"},
	"book-price-range":        {"price（本の価格）を有料にする場合、200〜5000の間で指定してください", "price must be 0 (free) or between 200 and 5000"},
	"book-price-fraction":     {"price（本の価格）は100円単位で指定してください", "price must be a multiple of 100"},
	"missing-book-cover":      {"本のカバー画像（cover.pngもしくはcover.jpg）を「/books/%s」ディレクトリに配置してください", "the book has no cover image: add cover.png or cover.jpg to books/%s"},
	"book-cover-size":         {"カバー画像のサイズは1MB以内にしてください。現在のサイズ: %dKB", "the cover image is %dKB: make it 1MB or smaller"},
	"book-cover-aspect-ratio": {"カバー画像の「幅 : 高さ」の比率は「1 : 1.4」にすることをおすすめします（最終的に幅500px・高さ700pxにリサイズされます）。現在の比率は「1 : %s」です", "the cover's width : height is 1 : %s; 1 : 1.4 is recommended (Zenn resizes it to 500×700)"},
	"book-cover-unreadable":   {"カバー画像を読み込めませんでした。PNG・JPEG・WebP・GIF のいずれかで保存し直してください", "the cover image cannot be decoded: save it again as PNG, JPEG, WebP or GIF"},
	"book-chapter-slugs":      {"config.yamlの chapters の指定に誤りがあります", "chapters in config.yaml must be a list of chapter slugs, e.g. [intro, setup]"},
	"book-chapters-format":    {"chapters に指定する文字列には拡張子（.md）を含めないでください。ファイル名が example.md であれば example とのみ記載してください", "chapters entries must not end in .md: for example.md write example"},
	"book-no-config":          {"本のフォルダに config.yaml がないため、この本は作られません。config.yaml を追加するか、フォルダを削除してください", "this book folder has no config.yaml, so no book is built from it; add config.yaml or remove the folder"},
	"chapter-item-slug":       {"チャプターのslugの値（%s）が不正です。小文字の半角英数字（a-z0-9）、ハイフン（-）、アンダースコア（_）の1〜50字の組み合わせにしてください", "the chapter slug %q is not allowed: use 1–50 lower-case letters a-z, digits, - and _"},
	"chapter-free-type":       {"free（無料公開設定）には true もしくは falseのみを指定してください", "free must be true or false, without quotes"},
	"chapter-missing":         {"chapters に指定されたチャプター（%s）のファイル %s がありません（Zenn と同じく、この指定を除いて本を作ります）。ファイルを作成するか、chapters から削除してください", "the chapter %q listed in chapters has no file %s (the book is built without it, as on Zenn); create the file or remove it from chapters"},
	"chapter-duplicate":       {"chapters に「%s」が2回以上指定されています（Zenn と同じく、2回目以降を除いて本を作ります）。1つにしてください", "the chapter %q is listed more than once in chapters (the book is built with the first, as on Zenn); keep one"},
	"chapter-unlisted":        {"このファイルは config.yaml の chapters に含まれていないため、本に含まれません（Zenn でも無視されます）。含める場合は chapters に「%s」を追加してください", "this file is not listed in chapters of config.yaml, so it is left out of the book (Zenn ignores it too); add %q to chapters to include it"},
	"chapter-unnumbered":      {"このファイルは本に含まれません。チャプターのファイル名を「1.%s.md」のように番号から始めるか、config.yaml の chapters で順番を指定してください", "this file is left out of the book: name chapter files n.slug.md (e.g. 1.%s.md) or list them in chapters of config.yaml"},
	"chapter-slug-conflict":   {"チャプターのslug（%s）が %s と重複しています。どちらかのファイル名を変えてください", "the chapter slug %q is also used by %s; rename one of the files"},
}

func (s *Site) msg(lang, rule string, args ...any) string {
	m, ok := messages[rule]
	if !ok {
		return rule
	}
	t := m.ja
	if !strings.HasPrefix(lang, "ja") {
		t = m.en
	}
	if len(args) > 0 {
		return fmt.Sprintf(t, args...)
	}
	return t
}

var (
	slugRE        = regexp.MustCompile(`^[0-9a-z_-]{1,50}$`)
	pageSlugRE    = regexp.MustCompile(`^[0-9A-Za-z_-]{1,100}$`)
	zennSlugRE    = regexp.MustCompile(`^[0-9a-z_-]{12,50}$`)
	publicationRE = regexp.MustCompile(`^[0-9a-z_]{2,15}$`)
	publishedAtRE = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})( (\d{2}):(\d{2}))?$`)
	topicSymbolRE = regexp.MustCompile("[ !-/:-@\\[-`{-~]")
)

// ValidSlug reports whether s may name an output folder.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// ParsePublishedAt parses Zenn's YYYY-MM-DD[ hh:mm] in the given zone.
func ParsePublishedAt(s string, loc *time.Location) (time.Time, bool) {
	m := publishedAtRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, false
	}
	layout, v := "2006-01-02", m[1]+"-"+m[2]+"-"+m[3]
	if m[4] != "" {
		layout, v = "2006-01-02 15:04", v+" "+m[5]+":"+m[6]
	}
	t, err := time.ParseInLocation(layout, v, loc)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// validate checks one article's front matter with Zenn's rules and fills
// its fields. Problems go to l with the severities zenn-cli uses.
func (s *Site) validate(a *Article, l *diag.List) {
	fm := a.Front
	c := s.checker(a.File, fm, l)
	errAt := c.errAt

	a.Title = c.title(fm)
	a.Emoji = c.emoji(fm)
	a.Type = c.articleType(fm)
	a.Topics = c.topics(fm)
	a.Published = c.published(fm)
	s.validatePublishedAt(a, c)

	if f, ok := fm.Get("publication_name"); ok {
		if p, ok := f.Value.(string); !ok || !publicationRE.MatchString(p) {
			c.platform(f, "publication-name")
		}
	}
	if f, ok := fm.Get("description"); ok && f.Value != nil {
		if d, ok := f.Value.(string); ok {
			a.Description = strings.TrimSpace(d)
		} else {
			errAt(f, "description-type")
		}
	}

	// slug: the file name, or the slug field (kiji's, not Zenn's: one kiji
	// cannot use is an error, not a file zenn.dev left out).
	f, field := fm.Get("slug")
	if !field {
		f = Field{Line: 1, Col: 0}
	} else if v, ok := f.Value.(string); ok {
		a.Slug = v
	} else {
		a.Slug = fmt.Sprint(f.Value)
	}
	if field && !pageSlugRE.MatchString(a.Slug) {
		c.errAt(f, "slug-field", a.Slug)
		a.Slug = ""
	} else if !c.slug(f, a.Slug) {
		a.Slug = ""
	}
}

// emoji returns the article's emoji: one emoji, else a problem and "".
// Not one emoji is a platform rule: the page is built without one, as
// when emoji is missing.
func (c *fileChecker) emoji(fm *FrontMatter) string {
	f, ok := fm.Get("emoji")
	if !ok || f.Value == nil || f.Value == "" {
		if !ok {
			f = c.top
		}
		c.warnAt(f, "missing-emoji")
		return ""
	}
	e, ok := f.Value.(string)
	if !ok || !isOneEmoji(e) {
		c.platform(f, "emoji-format")
		return ""
	}
	return e
}

// articleType returns the article's type: tech or idea, else a platform
// problem and "" (the page is built without a type label).
func (c *fileChecker) articleType(fm *FrontMatter) string {
	f, ok := fm.Get("type")
	if !ok {
		c.platform(c.top, "article-type")
		return ""
	}
	if t, _ := f.Value.(string); t == "tech" || t == "idea" {
		return t
	}
	c.platform(f, "article-type")
	return ""
}

// validatePublishedAt reads published_at into the article's date; a date
// to come schedules a published article (an unpublished one is a problem).
func (s *Site) validatePublishedAt(a *Article, c *fileChecker) {
	f, ok := a.Front.Get("published_at")
	if !ok || f.Value == nil {
		return
	}
	str := fmt.Sprint(f.Value)
	t, ok := ParsePublishedAt(str, s.opts.Location)
	if !ok {
		c.errAt(f, "published-at-parse")
		return
	}
	a.PublishedAt = strings.TrimSpace(str)
	a.Date = t
	if t.After(s.opts.Now) {
		if !a.Published {
			c.errAt(f, "published-at-schedule")
		}
		a.Scheduled = true
	}
}

// slug checks an article's or a book's slug: kiji needs 1–100
// characters of [0-9A-Za-z_-] to name a folder and a URL; Zenn needs
// 12–50 of [0-9a-z_-], a platform rule reported as zenn-cli does with
// ZennStrict, else as a warning: always for upper-case letters or over 50
// characters, with ZennSlugWarnings for a short slug (common on sites
// that are not Zenn's). A slug kiji cannot use (a file named in Japanese,
// with a dot) is one Zenn rejects too, so zenn.dev never published the
// file: it is left out with a warning (zenn-cli's error with ZennStrict),
// not a failed site. It reports whether kiji can use the slug.
func (c *fileChecker) slug(f Field, slug string) bool {
	strict := c.s.opts.ZennStrict
	switch {
	case !pageSlugRE.MatchString(slug) && strict:
		c.errAt(f, "item-slug-zenn-cli", slug)
	case !pageSlugRE.MatchString(slug):
		c.warnAt(f, "item-slug", slug)
	case zennSlugRE.MatchString(slug):
	case strict:
		c.errAt(f, "item-slug-zenn-cli", slug)
	case !slugRE.MatchString(slug) || c.s.opts.ZennSlugWarnings:
		c.warnAt(f, "item-slug-zenn", slug)
	}
	return pageSlugRE.MatchString(slug)
}

// fileChecker reports the problems of one file (an article, a book's
// config.yaml, a chapter) with zenn-cli's rule names and severities. The
// rules shared by articles and books (title, topics, published) live here.
type fileChecker struct {
	s    *Site
	file string
	l    *diag.List
	top  Field // where a missing field is reported: the front matter's first line
}

func (s *Site) checker(file string, fm *FrontMatter, l *diag.List) *fileChecker {
	top := Field{Line: 1}
	if fm != nil && fm.Line > 0 {
		top.Line = fm.Line
	}
	return &fileChecker{s: s, file: file, l: l, top: top}
}

func (c *fileChecker) report(f Field, sev diag.Severity, rule string, args ...any) {
	name := rule
	if rule == "item-slug-zenn-cli" {
		name = "item-slug" // zenn-cli's rule, with its own message
	}
	c.l.Add(diag.Problem{File: c.file, Line: f.Line, Col: f.Col, Severity: sev, Rule: name, Msg: c.s.msg(c.s.opts.Lang, rule, args...)})
}

// platform reports one of Zenn's platform rules: a limit of zenn.dev (the
// number and length of topics, the length of a title, a book's price,
// a cover's size, a publication's name, a chapter's free flag; a topic
// that is not a non-empty string, an emoji that is not one emoji and a
// type that is neither tech nor idea, each left out of the page) that
// says nothing about whether the page reads well. zenn-cli blocks on
// each; kiji warns and builds, unless Options.ZennStrict asks for
// zenn-cli's verdict.
func (c *fileChecker) platform(f Field, rule string, args ...any) {
	if c.s.opts.ZennStrict {
		c.errAt(f, rule, args...)
		return
	}
	c.l.Add(diag.Problem{File: c.file, Line: f.Line, Col: f.Col, Severity: diag.Warning, Rule: rule,
		Msg: c.s.msg(c.s.opts.Lang, rule, args...) + c.s.msg(c.s.opts.Lang, "platform-suffix")})
}

func (c *fileChecker) errAt(f Field, rule string, args ...any) {
	c.report(f, diag.Error, rule, args...)
}

func (c *fileChecker) warnAt(f Field, rule string, args ...any) {
	c.report(f, diag.Warning, rule, args...)
}

// item returns the position of the i-th item of a sequence field (the
// field's own position when unknown).
func (f Field) item(i int) Field {
	if i < len(f.Items) {
		return Field{Key: f.Key, Line: f.Items[i].Line, Col: f.Items[i].Col}
	}
	return f
}

// title checks title (missing-title, title-length) and returns it.
func (c *fileChecker) title(fm *FrontMatter) string {
	f, ok := fm.Get("title")
	if !ok {
		c.errAt(c.top, "missing-title")
		return ""
	}
	t, ok := f.Value.(string)
	if !ok || strings.TrimSpace(t) == "" {
		c.errAt(f, "missing-title")
		return ""
	}
	if utf8.RuneCountInString(t) > 70 {
		c.platform(f, "title-length")
	}
	return t
}

// topics checks topics (and a tags field) with Zenn's topic rules and
// returns the topics that are strings.
func (c *fileChecker) topics(fm *FrontMatter) []string {
	if f, ok := fm.Get("tags"); ok {
		c.warnAt(f, "use-tags")
	} else if f, ok := fm.Get("tag"); ok {
		c.warnAt(f, "use-tags")
	}
	f, ok := fm.Get("topics")
	if !ok {
		c.warnAt(c.top, "missing-topics")
		return nil
	}
	list, ok := f.Value.([]any)
	if !ok || len(list) == 0 {
		// zenn-cli's topic-type checks the items of a list only.
		c.warnAt(f, "missing-topics")
		return nil
	}
	if len(list) > 5 {
		c.platform(f, "too-many-topics")
	}
	var out []string
	for i, t := range list {
		ts, ok := t.(string)
		if !ok || strings.TrimSpace(ts) == "" {
			c.platform(f.item(i), "topic-type") // left out
			continue
		}
		if utf8.RuneCountInString(ts) > 18 {
			c.platform(f.item(i), "topic-length")
		}
		if topicSymbolRE.MatchString(ts) {
			c.warnAt(f.item(i), "invalid-topic-letters")
		}
		out = append(out, ts)
	}
	return out
}

// published checks published (published-status) and returns it. Without
// the field the file is a draft: zenn.dev does not publish it (zenn-cli's
// published-status error), so it is left out, not a failed site.
func (c *fileChecker) published(fm *FrontMatter) bool {
	f, ok := fm.Get("published")
	if !ok && c.s.opts.ZennStrict {
		c.errAt(c.top, "published-status")
	} else if !ok {
		c.warnAt(c.top, "published-missing")
	}
	if !ok {
		return false
	}
	b, ok := f.Value.(bool)
	if !ok {
		c.errAt(f, "published-status")
	}
	return b
}

// isOneEmoji reports whether s is exactly one emoji grapheme: one pictograph,
// possibly with variation selectors, skin tones, keycaps, tags and ZWJ joins,
// or one regional-indicator flag.
func isOneEmoji(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	rs := []rune(s)
	// Flags: exactly two regional indicators.
	if len(rs) == 2 && isRegional(rs[0]) && isRegional(rs[1]) {
		return true
	}
	// Keycap: [0-9#*] FE0F? 20E3
	if (rs[0] >= '0' && rs[0] <= '9') || rs[0] == '#' || rs[0] == '*' {
		rest := rs[1:]
		if len(rest) > 0 && rest[0] == 0xFE0F {
			rest = rest[1:]
		}
		return len(rest) == 1 && rest[0] == 0x20E3
	}
	base := 0
	expectBase := true
	for _, r := range rs {
		switch {
		case expectBase:
			if !isPictograph(r) {
				return false
			}
			base++
			expectBase = false
		case r == 0x200D: // ZWJ
			expectBase = true
		case r == 0xFE0F || r == 0xFE0E || (r >= 0x1F3FB && r <= 0x1F3FF) || (r >= 0xE0020 && r <= 0xE007F) || r == 0x20E3:
		default:
			return false
		}
	}
	return base >= 1 && !expectBase
}

func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

func isPictograph(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF:
		return true
	case r >= 0x2600 && r <= 0x27BF:
		return true
	case r >= 0x2300 && r <= 0x23FF:
		return true
	case r >= 0x2B00 && r <= 0x2BFF:
		return true
	case r >= 0x2190 && r <= 0x21FF, r >= 0x2900 && r <= 0x297F:
		return true
	case r == 0x00A9 || r == 0x00AE || r == 0x203C || r == 0x2049 || r == 0x2122 || r == 0x2139 || r == 0x3030 || r == 0x303D || r == 0x3297 || r == 0x3299:
		return true
	case r >= 0x25A0 && r <= 0x25FF:
		return true
	}
	return false
}

// zennRules are zenn-cli's rules (zenn-model's validators), as opposed
// to kiji's own checks (front-matter syntax, slug conflicts, chapter
// files).
var zennRules = map[string]bool{
	"item-slug": true, "missing-title": true, "title-length": true, "published-status": true,
	"published-at-parse": true, "published-at-schedule": true, "article-type": true,
	"emoji-format": true, "missing-emoji": true, "missing-topics": true, "use-tags": true,
	"topic-length": true, "invalid-topic-letters": true, "too-many-topics": true, "topic-type": true,
	"publication-name": true, "book-summary": true, "book-price-type": true, "book-price-range": true,
	"book-price-fraction": true, "missing-book-cover": true, "book-cover-size": true,
	"book-cover-aspect-ratio": true, "book-chapter-slugs": true, "book-chapters-format": true,
	"chapter-item-slug": true, "chapter-free-type": true,
}

// ZennRule reports whether rule names one of zenn-cli's rules.
func ZennRule(rule string) bool { return zennRules[rule] }
