package build

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

func testOGFonts(t testing.TB) *ogFontSet {
	t.Helper()
	f, err := loadOGFonts()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The text font must hold what Japanese titles are written with: kana,
// the Jōyō kanji, kanji common in names, full-width forms and Latin.
func TestOGFontCoverage(t *testing.T) {
	fonts := testOGFonts(t)
	samples := map[string]string{
		"hiragana":  "ぁあぃいぅうぇえぉおかがきぎくぐけげこごさざしじすずせぜそぞただちぢっつづてでとどなにぬねのはばぱひびぴふぶぷへべぺほぼぽまみむめもゃやゅゆょよらりるれろゎわゐゑをんゔ",
		"katakana":  "ァアィイゥウェエォオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂッツヅテデトドナニヌネノハバパヒビピフブプヘベペホボポマミムメモャヤュユョヨラリルレロヮワヰヱヲンヴヵヶー・",
		"kanji":     "技術記事初心者向整理改勉強会使用目的参照作成誤含最新情報公式環境構築設定開発運用監視障害対応認証認可暗号鬱薔薇檸檬齟齬",
		"names":     "髙﨑德濵",
		"symbols":   "【】「」『』（）！？、。・…―～〜①②③㈱→←↑↓※〒♪★☆○●◎□■△▲▽▼◇◆",
		"fullwidth": "ＡＢＣａｂｃ０１２",
		"latin":     "ABCXYZabcxyz0189 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~éüñç",
	}
	var buf sfnt.Buffer
	for name, s := range samples {
		var missing []string
		for _, r := range s {
			if i, err := fonts.text.GlyphIndex(&buf, r); err != nil || i == 0 {
				missing = append(missing, string(r))
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: the text font has no glyph for %s", name, strings.Join(missing, " "))
		}
	}
}

func TestOGEmojiRune(t *testing.T) {
	fonts := testOGFonts(t)
	tests := []struct {
		name, emoji string
		want        rune
		ok          bool
	}{
		{"whale", "🐳", '🐳', true},
		{"with variation selector", "❤️", '❤', true},
		{"skin tone dropped", "👍🏽", '👍', true},
		{"sun, a symbol", "☀", '☀', true},
		{"ZWJ sequence", "👨‍💻", 0, false},
		{"flag", "🇯🇵", 0, false},
		{"keycap", "#️⃣", 0, false},
		{"newer than Unicode 9", "🫠", 0, false},
		{"empty", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := ogEmojiRune(fonts, tt.emoji)
			if r != tt.want || ok != tt.ok {
				t.Errorf("ogEmojiRune(%q) = %q, %v; want %q, %v", tt.emoji, r, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestWrapTitle(t *testing.T) {
	fonts := testOGFonts(t)
	tx := newOGText(fonts, 60)
	em := func(n int) fixed.Int26_6 { return fixed.I(60 * n) } // CJK glyphs are 1 em wide
	tests := []struct {
		name  string
		title string
		width fixed.Int26_6
		want  []string
	}{
		{"fits", "短いタイトル", em(10), []string{"短いタイトル"}},
		{"CJK breaks anywhere", "あいうえおかきくけこ", em(4), []string{"あいうえ", "おかきく", "けこ"}},
		{"no line starts with 。", "あいう。えお", em(3), []string{"あい", "う。え", "お"}},
		{"no line starts with ー or small kana", "データベースとキャッシュ", em(3), []string{"データ", "ベース", "と", "キャッ", "シュ"}},
		{"no line ends with 「", "ああ「かぎ」かっこ", em(3), []string{"ああ", "「か", "ぎ」", "かっこ"}},
		{"Latin words stay whole", "Go と Rust の比較", em(4), []string{"Go と", "Rust の", "比較"}},
		{"spaces end lines, never start them", "hello world again", fixed.I(200), []string{"hello", "world", "again"}},
		{"a word longer than a line is cut", "supercalifragilistic", fixed.I(200), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrapTitle(tx, tt.title, tt.width)
			for _, l := range got {
				if w := tx.width(l); w > tt.width {
					t.Errorf("line %q is %v wide, more than %v", l, w, tt.width)
				}
				if strings.HasPrefix(l, " ") || strings.HasSuffix(l, " ") {
					t.Errorf("line %q starts or ends with a space", l)
				}
			}
			if tt.want == nil {
				if strings.Join(got, "") != tt.title || len(got) < 2 {
					t.Errorf("wrapTitle(%q) = %q; want it cut into lines that join back to it", tt.title, got)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("wrapTitle(%q) (-want +got):\n%s", tt.title, diff)
			}
		})
	}
}

func TestLayoutTitle(t *testing.T) {
	fonts := testOGFonts(t)
	maxW := fixed.I(ogWidth - 2*ogPadX)
	long := strings.Repeat("とても長いタイトルです。", 12)
	tests := []struct {
		name      string
		title     string
		height    float64
		wantSize  float64
		wantLines int
		ellipsis  bool
	}{
		{"short: largest size, one line", "Go 入門", 300, ogTitleSizes[0], 1, false},
		{"too long: smallest size, cut", long, 300, ogTitleSizes[len(ogTitleSizes)-1], ogTitleMax, true},
		{"little height: fewer lines", long, 140, ogTitleSizes[len(ogTitleSizes)-1], 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx, lines := layoutTitle(fonts, tt.title, maxW, tt.height)
			if tx.size != tt.wantSize || len(lines) != tt.wantLines {
				t.Errorf("size %v, %d lines %q; want size %v, %d lines", tx.size, len(lines), lines, tt.wantSize, tt.wantLines)
			}
			if got := strings.HasSuffix(lines[len(lines)-1], "…"); got != tt.ellipsis {
				t.Errorf("last line %q ends with … = %v, want %v", lines[len(lines)-1], got, tt.ellipsis)
			}
			for _, l := range lines {
				if tx.width(l) > maxW {
					t.Errorf("line %q is wider than %v", l, maxW)
				}
			}
		})
	}
	// Balanced: two lines of about the same length, not one full line and
	// a lone character.
	tx, lines := layoutTitle(fonts, "【初心者向け】Amazon ECS と EKS について改めて整理してみた", maxW, 260)
	if len(lines) != 2 {
		t.Fatalf("got %d lines %q, want 2", len(lines), lines)
	}
	a, b := tx.width(lines[0]), tx.width(lines[1])
	if d := a - b; d > maxW/4 || d < -maxW/4 {
		t.Errorf("lines %q are unbalanced: %v and %v wide", lines, a, b)
	}
}

// inkPixels counts the pixels of img darker than the card in the box r.
func inkPixels(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c, _, _, _ := img.At(x, y).RGBA()
			if c < 0x8000 {
				n++
			}
		}
	}
	return n
}

func TestDrawOGImage(t *testing.T) {
	fonts := testOGFonts(t)
	card := image.Rect(ogMargin, ogMargin, ogWidth-ogMargin, ogHeight-ogMargin)
	emojiBox := image.Rect(ogWidth/2-ogEmojiSize, ogEmojiTop-10, ogWidth/2+ogEmojiSize, ogEmojiTop+ogEmojiSize+10)
	siteBox := image.Rect(ogMargin, ogSiteBase-ogSiteSize, ogWidth-ogMargin, ogSiteBase+12)
	titleBox := image.Rect(ogMargin, ogEmojiTop+ogEmojiSize+12, ogWidth-ogMargin, ogSiteBase-ogSiteSize-8)

	full := drawOGImage(fonts, ogCard{Title: "日本語のタイトル", Emoji: "🐳", Site: "ブログ"})
	if full.Bounds() != image.Rect(0, 0, ogWidth, ogHeight) {
		t.Fatalf("bounds %v", full.Bounds())
	}
	for name, box := range map[string]image.Rectangle{"emoji": emojiBox, "site name": siteBox, "title": titleBox} {
		if n := inkPixels(full, box); n < 200 {
			t.Errorf("the %s area has %d dark pixels: nothing was drawn there", name, n)
		}
	}
	// Leaving out the emoji (one with no glyph) and the site name leaves
	// their areas empty; the title still shows.
	bare := drawOGImage(fonts, ogCard{Title: "日本語のタイトル", Emoji: "🫠"})
	if n := inkPixels(bare, emojiBox) + inkPixels(bare, siteBox); n != 0 {
		t.Errorf("%d dark pixels where the left-out emoji and site name would be", n)
	}
	if n := inkPixels(bare, card); n < 1000 {
		t.Errorf("only %d dark pixels without emoji: the title is missing", n)
	}
	// Nothing at all to write: an empty card, and no panic.
	if n := inkPixels(drawOGImage(fonts, ogCard{}), card); n != 0 {
		t.Errorf("an empty card has %d dark pixels", n)
	}
}

// The PNG is a palette image within 7/255 of the drawing, with the flat
// colours exact.
func TestEncodeOGImage(t *testing.T) {
	fonts := testOGFonts(t)
	img := drawOGImage(fonts, ogCard{Title: "【初心者向け】Amazon ECS と EKS について改めて整理してみた", Emoji: "🐳", Site: "kiji のブログ"})
	b, err := encodeOGImage(img)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := dec.(*image.Paletted)
	if !ok {
		t.Fatalf("the PNG decodes as %T, want a palette image", dec)
	}
	if p.Bounds() != img.Bounds() {
		t.Fatalf("bounds %v, want %v", p.Bounds(), img.Bounds())
	}
	worst := 0
	for y := 0; y < ogHeight; y++ {
		for x := 0; x < ogWidth; x++ {
			a, c := img.RGBAAt(x, y), p.At(x, y).(color.RGBA)
			for _, d := range []int{int(a.R) - int(c.R), int(a.G) - int(c.G), int(a.B) - int(c.B)} {
				worst = max(worst, d, -d)
			}
		}
	}
	if worst > 7 {
		t.Errorf("a pixel is off by %d/255", worst)
	}
	for _, pt := range []image.Point{{100, 100}, {600, 560}} {
		if got := p.At(pt.X, pt.Y); got != ogCardFill {
			t.Errorf("card pixel %v = %v, want exactly %v", pt, got, ogCardFill)
		}
	}
	if got, want := p.At(5, 5), img.RGBAAt(5, 5); got != want {
		t.Errorf("background pixel = %v, want exactly %v", got, want)
	}
	if got := p.At(0, 0); got != img.RGBAAt(0, 0) {
		t.Errorf("corner pixel = %v", got)
	}
}

func TestOGImageCache(t *testing.T) {
	fonts := testOGFonts(t)
	dir := t.TempDir()
	c := ogCard{Title: "キャッシュ", Emoji: "🐳", Site: "site"}
	first, err := ogImage(dir, c)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "og", ogCacheKey(fonts, c)+".og")
	cached, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("the image was not cached: %v", err)
	}
	if png, ok := decodeOGCache(cached); !ok || !bytes.Equal(png, first) {
		t.Fatal("the cache holds other bytes than were returned")
	}
	// A cached file is served as it is (not redrawn): replace it by another
	// valid PNG and get that back.
	var other bytes.Buffer
	if err := png.Encode(&other, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, encodeOGCache(other.Bytes()), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := ogImage(dir, c); !bytes.Equal(got, other.Bytes()) {
		t.Error("ogImage redrew an image that was in the cache")
	}
	// A torn file is not served: it is redrawn and rewritten.
	if err := os.WriteFile(p, first[:len(first)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := ogImage(dir, c); !bytes.Equal(got, first) {
		t.Error("ogImage served a truncated cache file")
	}
	if b, _ := os.ReadFile(p); !bytes.Equal(b, encodeOGCache(first)) {
		t.Error("the truncated cache file was not rewritten")
	}
	// Every input is in the key.
	keys := map[string]bool{}
	for _, v := range []ogCard{c, {Title: "キャッシュ!", Emoji: "🐳", Site: "site"}, {Title: "キャッシュ", Emoji: "🐋", Site: "site"}, {Title: "キャッシュ", Emoji: "🐳", Site: "site2"}, {Title: "キャッシュ🐳", Site: "site"}} {
		keys[ogCacheKey(fonts, v)] = true
	}
	if len(keys) != 5 {
		t.Errorf("%d distinct cache keys for 5 different cards", len(keys))
	}
	// A cache folder that cannot be written costs a redraw, not the build.
	blocked := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocked, nil, 0o644)
	if got, err := ogImage(blocked, c); err != nil || !bytes.Equal(got, first) {
		t.Errorf("with an unusable cache folder: err %v, same image %v", err, bytes.Equal(got, first))
	}
}

// TestOGImageCacheChecksum: a cached image with a flipped byte (a disk
// error, an edit) keeps its PNG signature and IEND trailer, so only a
// checksum tells; it is drawn again, never published.
func TestOGImageCacheChecksum(t *testing.T) {
	dir := t.TempDir()
	c := ogCard{Title: "チェックサム", Emoji: "🐳", Site: "site"}
	first, err := ogImage(dir, c)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "og", "*"))
	if len(files) != 1 {
		t.Fatalf("%d files in the OG cache, want 1: %v", len(files), files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x20
	if err := os.WriteFile(files[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ogImage(dir, c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, first) {
		t.Error("ogImage served a cache file with a flipped byte")
	}
	if b, _ := os.ReadFile(files[0]); !bytes.Equal(b, encodeOGCache(first)) {
		t.Error("the damaged cache file was not rewritten")
	}
}

func FuzzDrawOGImage(f *testing.F) {
	fonts := testOGFonts(f)
	f.Add("【初心者向け】Amazon ECS と EKS", "🐳", "kiji")
	f.Add(strings.Repeat("W", 300), "👨‍💻", "")
	f.Add(strings.Repeat("長い", 5000), "🐳", strings.Repeat("site ", 2000))
	f.Add("\x00\t\u200b「」", "\ufe0f", "\xff\xfe")
	f.Fuzz(func(t *testing.T, title, emoji, site string) {
		img := drawOGImage(fonts, ogCard{Title: title, Emoji: emoji, Site: site})
		if img.Bounds().Dx() != ogWidth || img.Bounds().Dy() != ogHeight {
			t.Fatalf("bounds %v", img.Bounds())
		}
	})
}

// go test ./site/build -run '^$' -bench OGImage -benchmem
func BenchmarkOGImageDraw(b *testing.B) {
	fonts := testOGFonts(b)
	c := ogCard{Title: "【初心者向け】Amazon ECS と EKS について改めて整理してみた", Emoji: "🐳", Site: "kiji のブログ"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeOGImage(drawOGImage(fonts, c)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOGImageOnlyDraw(b *testing.B) {
	fonts := testOGFonts(b)
	c := ogCard{Title: "【初心者向け】Amazon ECS と EKS について改めて整理してみた", Emoji: "🐳", Site: "kiji のブログ"}
	for b.Loop() {
		drawOGImage(fonts, c)
	}
}

func BenchmarkOGImageCached(b *testing.B) {
	dir := b.TempDir()
	c := ogCard{Title: "【初心者向け】Amazon ECS と EKS について改めて整理してみた", Emoji: "🐳", Site: "kiji のブログ"}
	if _, err := ogImage(dir, c); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ogImage(dir, c); err != nil {
			b.Fatal(err)
		}
	}
}
