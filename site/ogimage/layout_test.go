package ogimage

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

func testFonts(t testing.TB) *fontSet {
	t.Helper()
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// The text font must hold what Japanese titles are written with: kana,
// the Jōyō kanji, kanji common in names, full-width forms and Latin.
func TestFontCoverage(t *testing.T) {
	fs := testFonts(t)
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
			if i, err := fs.text.GlyphIndex(&buf, r); err != nil || i == 0 {
				missing = append(missing, string(r))
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: the text font has no glyph for %s", name, strings.Join(missing, " "))
		}
	}
}

// private stands for a character of the emoji font's private use plane,
// where fonts/subset.sh puts the glyphs of sequences.
const private = -1

func TestEmojiRune(t *testing.T) {
	fs := testFonts(t)
	tests := []struct {
		name, emoji string
		want        rune
		ok          bool
	}{
		{"whale", "🐳", '🐳', true},
		{"with variation selector", "❤️", '❤', true},
		{"skin tone dropped", "👍🏽", '👍', true},
		{"sun, a symbol", "☀", '☀', true},
		{"ZWJ sequence", "👨‍💻", private, true},
		{"ZWJ sequence with a skin tone", "🧑🏽‍💻", private, true},
		{"ZWJ sequence with VS16 inside", "🏳️‍🌈", private, true},
		{"ZWJ sequence the font draws as its first character", "🏃‍♂️", '🏃', true},
		{"ZWJ sequence the font draws as another character", "👩‍❤️‍👨", '💑', true},
		{"flag", "🇯🇵", private, true},
		{"keycap", "#️⃣", private, true},
		{"sequence the font does not have", "🐳‍🔥", 0, false},
		{"two emoji", "🐳🐳", 0, false},
		{"a private use character", "\U000F0000", 0, false},
		{"Unicode 14", "🫠", '🫠', true},
		{"empty", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := emojiRune(fs, tt.emoji)
			if tt.want == private && r >= privateSequences {
				r = private
			}
			if ok != tt.ok || ok && r != tt.want {
				t.Errorf("emojiRune(%q) = %q, %v; want %q, %v", tt.emoji, r, ok, tt.want, tt.ok)
			}
		})
	}
}

// wrapTitle breaks s into lines no wider than maxW, as layoutTitle does.
func wrapTitle(f face, s string, maxW fixed.Int26_6) []string {
	return wrapUnits(f, measureUnits(f, s), maxW)
}

func TestWrapTitle(t *testing.T) {
	f := testFonts(t).face(60)
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
		{"a long word after a short one", "Go supercalifragilisticexpialidocious", fixed.I(300), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrapTitle(f, tt.title, tt.width)
			for _, l := range got {
				if w := f.width(l); w > tt.width {
					t.Errorf("line %q is %v wide, more than %v", l, w, tt.width)
				}
				if strings.HasPrefix(l, " ") || strings.HasSuffix(l, " ") {
					t.Errorf("line %q starts or ends with a space", l)
				}
			}
			if tt.want == nil {
				if strings.ReplaceAll(strings.Join(got, ""), " ", "") != strings.ReplaceAll(tt.title, " ", "") || len(got) < 2 {
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
	fs := testFonts(t)
	maxW := fixed.I(width - 2*padX)
	long := strings.Repeat("とても長いタイトルです。", 12)
	tests := []struct {
		name      string
		title     string
		height    float64
		wantSize  float64
		wantLines int
		ellipsis  bool
	}{
		{"short: largest size, one line", "Go 入門", 300, titleSizes[0], 1, false},
		{"too long: smallest size, cut", long, 300, titleSizes[len(titleSizes)-1], titleMax, true},
		{"little height: fewer lines", long, 140, titleSizes[len(titleSizes)-1], 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, lines := layoutTitle(fs, tt.title, maxW, tt.height)
			if f.size != tt.wantSize || len(lines) != tt.wantLines {
				t.Errorf("size %v, %d lines %q; want size %v, %d lines", f.size, len(lines), lines, tt.wantSize, tt.wantLines)
			}
			if got := strings.HasSuffix(lines[len(lines)-1], "…"); got != tt.ellipsis {
				t.Errorf("last line %q ends with … = %v, want %v", lines[len(lines)-1], got, tt.ellipsis)
			}
			for _, l := range lines {
				if f.width(l) > maxW {
					t.Errorf("line %q is wider than %v", l, maxW)
				}
			}
		})
	}
	// Balanced: two lines of about the same length, not one full line and
	// a lone character.
	f, lines := layoutTitle(fs, "【初心者向け】Amazon ECS と EKS について改めて整理してみた", maxW, 260)
	if len(lines) != 2 {
		t.Fatalf("got %d lines %q, want 2", len(lines), lines)
	}
	a, b := f.width(lines[0]), f.width(lines[1])
	if d := a - b; d > maxW/4 || d < -maxW/4 {
		t.Errorf("lines %q are unbalanced: %v and %v wide", lines, a, b)
	}
}

func TestFitLine(t *testing.T) {
	f := testFonts(t).face(siteSize)
	tests := []struct {
		name string
		s    string
		maxW fixed.Int26_6
		more bool
		want string
	}{
		{"fits", "kiji のブログ", fixed.I(1000), false, "kiji のブログ"},
		{"more text follows", "kiji のブログ", fixed.I(1000), true, "kiji のブログ…"},
		{"cut, space before … dropped", "あい うえお", fixed.I(siteSize * 4), false, "あい…"},
		{"nothing fits", "あいうえお", fixed.I(siteSize), false, "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fitLine(f, tt.s, tt.maxW, tt.more)
			if got != tt.want {
				t.Errorf("fitLine(%q) = %q, want %q", tt.s, got, tt.want)
			}
			if w := f.width(got); w > tt.maxW && got != "…" {
				t.Errorf("%q is %v wide, more than %v", got, w, tt.maxW)
			}
		})
	}
}

func TestPlacedOnQuarterPixels(t *testing.T) {
	p := layout(testFonts(t), Card{Title: "Go の vet と staticcheck を CI で回す", Emoji: "🐳", Site: "kiji のブログ"})
	if len(p.glyphs) < 20 {
		t.Fatalf("%d glyphs placed", len(p.glyphs))
	}
	for _, g := range p.glyphs[1:] { // the first is the emoji, placed exactly
		if g.dot.X%16 != 0 || g.dot.Y%64 != 0 {
			t.Errorf("%q placed at %v: want x on a quarter pixel, y on a whole one", g.r, g.dot)
		}
	}
}

func TestParseSequences(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]rune
		err      string
	}{
		{"comment and lines", "# made by subset.sh\nF0000 23 20E3\n1F3C3 1F3C3 200D 2642\n", map[string]rune{"#\u20e3": 0xF0000, "🏃\u200d♂": '🏃'}, ""},
		{"not hex", "F0000 23 zz\n", nil, "NotoEmoji-Bold.sequences.txt:1: \"zz\" is not a character in hex"},
		{"past U+10FFFF", "F0000 23 110000\n", nil, "NotoEmoji-Bold.sequences.txt:1: \"110000\" is not a character in hex"},
		{"one character", "# x\nF0000 23\n", nil, "NotoEmoji-Bold.sequences.txt:2: want a character and a sequence of at least two"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSequences(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parseSequences: error %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseSequences (-want +got):\n%s", diff)
			}
		})
	}
}

// The embedded table parses, and each of its characters has a glyph in
// the emoji font.
func TestSequencesHaveGlyphs(t *testing.T) {
	fs := testFonts(t)
	if len(fs.sequences) < 700 {
		t.Errorf("%d sequences, want the 721 of fonts/NotoEmoji-Bold.sequences.txt", len(fs.sequences))
	}
	var buf sfnt.Buffer
	for seq, r := range fs.sequences {
		if i, err := fs.emoji.GlyphIndex(&buf, r); err != nil || i == 0 {
			t.Errorf("%q is drawn by %U, which the emoji font has no glyph for", seq, r)
		}
	}
}

func TestCleanTitle(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"spaces collapse", "  a \t b\n", "a b"},
		{"control and format characters", "a\x00b\u200bc", "a b c"},
		{"private use planes, where the emoji font draws sequences", "旗\U000F0000\U0010FFFDです", "旗です"},
		{"private use in the BMP stays (no font has it)", "a\ue000b", "a\ue000b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanTitle(tt.in); got != tt.want {
				t.Errorf("cleanTitle(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
