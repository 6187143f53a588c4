package ogimage

import (
	"bytes"
	"hash/adler32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"testing"

	"github.com/kiji-ssg/kiji/site/cputime"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
)

// decode reads a PNG back with image/png, failing the test if it cannot.
func decode(t testing.TB, b []byte) *image.Paletted {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("image/png cannot read the card: %v", err)
	}
	p, ok := img.(*image.Paletted)
	if !ok {
		t.Fatalf("the card decodes as %T, want a palette image", img)
	}
	if p.Bounds() != image.Rect(0, 0, width, height) {
		t.Fatalf("bounds %v, want 1200×630", p.Bounds())
	}
	return p
}

func mustPNG(t testing.TB, c Card) *image.Paletted {
	t.Helper()
	b, err := PNG(c)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, b)
}

// reference paints p the plain way: an RGBA image, each glyph rasterized
// by x/image and composited with draw.Over. The card's PNG must look the
// same.
func reference(t testing.TB, p plan) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.NewUniform(backgrounds[p.bg]), image.Point{}, draw.Src)
	card := image.NewAlpha(img.Bounds())
	fillRoundRect(card, margin, margin, width-margin, height-margin, radius)
	draw.DrawMask(img, img.Bounds(), image.NewUniform(cardWhite), image.Point{}, card, image.Point{}, draw.Over)
	for _, g := range p.glyphs {
		face, err := opentype.NewFace(g.set.font, &opentype.FaceOptions{Size: g.set.size, DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			t.Fatal(err)
		}
		dr, mask, mp, _, ok := face.Glyph(g.dot, g.r)
		if ok {
			draw.DrawMask(img, dr, image.NewUniform(inks[g.ink]), image.Point{}, mask, mp, draw.Over)
		}
	}
	return img
}

var cards = []struct {
	name string
	card Card
}{
	{"Japanese", Card{Title: "【初心者向け】Amazon ECS と EKS について改めて整理してみた", Emoji: "🐳", Site: "kiji のブログ"}},
	{"long", Card{Title: strings.Repeat("とても長いタイトルです。", 12), Emoji: "📦", Site: strings.Repeat("site ", 60)}},
	{"Latin", Card{Title: "Getting started with Lambda on Next.js: a walkthrough of the whole deployment", Emoji: "🔧", Site: "Tech notes"}},
	{"symbol emoji, no site", Card{Title: "晴れの日の Go", Emoji: "☀️"}},
	{"emoji in the title", Card{Title: "🐳 と 🐙 で始める Docker", Emoji: "👨‍💻", Site: "x"}},
	{"touching glyphs", Card{Title: "ffi ffl fj WAVAV /// \\\\\\ ———", Emoji: "🔥", Site: "kerning"}},
}

// The PNG shows what the plain drawing shows: every pixel within 4/255 per
// channel (half a step of the palette's 32 between white and an ink), the flat
// colours exact.
func TestPNGMatchesReference(t *testing.T) {
	fs := testFonts(t)
	for _, tt := range cards {
		t.Run(tt.name, func(t *testing.T) {
			want := reference(t, layout(fs, tt.card))
			got := mustPNG(t, tt.card)
			worst, at := 0, image.Point{}
			for y := range height {
				for x := range width {
					a, c := want.RGBAAt(x, y), got.At(x, y).(color.RGBA)
					for _, d := range []int{int(a.R) - int(c.R), int(a.G) - int(c.G), int(a.B) - int(c.B)} {
						if d < 0 {
							d = -d
						}
						if d > worst {
							worst, at = d, image.Pt(x, y)
						}
					}
				}
			}
			if worst > 4 {
				t.Errorf("pixel %v is %v, the plain drawing %v: off by %d/255", at, got.At(at.X, at.Y), want.RGBAAt(at.X, at.Y), worst)
			}
			bg := backgrounds[layout(fs, tt.card).bg]
			for _, pt := range []struct {
				p    image.Point
				want color.RGBA
			}{{image.Pt(0, 0), bg}, {image.Pt(5, 600), bg}, {image.Pt(100, 100), cardWhite}, {image.Pt(1100, 580), cardWhite}} {
				if c := got.At(pt.p.X, pt.p.Y); c != pt.want {
					t.Errorf("pixel %v = %v, want exactly %v", pt.p, c, pt.want)
				}
			}
		})
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

func TestPNGParts(t *testing.T) {
	card := image.Rect(margin, margin, width-margin, height-margin)
	emojiBox := image.Rect(width/2-emojiSize, emojiTop-10, width/2+emojiSize, emojiTop+emojiSize+10)
	siteBox := image.Rect(margin, siteBase-siteSize, width-margin, siteBase+12)
	titleBox := image.Rect(margin, emojiTop+emojiSize+12, width-margin, siteBase-siteSize-8)

	full := mustPNG(t, Card{Title: "日本語のタイトル", Emoji: "🐳", Site: "ブログ"})
	for name, box := range map[string]image.Rectangle{"emoji": emojiBox, "site name": siteBox, "title": titleBox} {
		if n := inkPixels(full, box); n < 200 {
			t.Errorf("the %s area has %d dark pixels: nothing was drawn there", name, n)
		}
	}
	// Leaving out the emoji (a sequence with no glyph) and the site name
	// leaves their areas empty; the title still shows.
	bare := mustPNG(t, Card{Title: "日本語のタイトル", Emoji: "🐳‍🔥"})
	if n := inkPixels(bare, emojiBox) + inkPixels(bare, siteBox); n != 0 {
		t.Errorf("%d dark pixels where the left-out emoji and site name would be", n)
	}
	if n := inkPixels(bare, card); n < 1000 {
		t.Errorf("only %d dark pixels without emoji: the title is missing", n)
	}
	// Nothing at all to write: an empty card, and no error.
	if n := inkPixels(mustPNG(t, Card{}), card); n != 0 {
		t.Errorf("an empty card has %d dark pixels", n)
	}
}

// Every emoji Zenn's picker offers is drawn, whichever Unicode version
// brought it (Symbola, the emoji font before Noto Emoji, stopped at 9.0 and
// left out 5 of the benchmark corpus's 32): the emoji font has its glyph
// and the card shows it in the emoji's box, centred.
func TestEmojiDrawn(t *testing.T) {
	fs := testFonts(t)
	emojiBox := image.Rect(width/2-emojiSize, emojiTop-10, width/2+emojiSize, emojiTop+emojiSize+10)
	tests := []struct{ name, emoji string }{
		{"Unicode 6.0 whale", "🐳"},
		{"Unicode 1.1 cloud, VS16 after it", "☁️"},
		{"Unicode 7.0", "🛠"},
		{"Unicode 11.0 test tube", "🧪"},
		{"Unicode 11.0 compass", "🧭"},
		{"Unicode 13.0 wood", "🪵"},
		{"Unicode 14.0 melting face", "🫠"},
		{"Unicode 15.0 shaking face", "🫨"},
		{"Unicode 16.0 face with bags under eyes", "🫩"},
		{"skin tone dropped", "👍🏽"},
		{"keycap", "#️⃣"},
		{"flag", "🇯🇵"},
		{"ZWJ sequence", "👨‍💻"},
		{"ZWJ sequence with a skin tone", "🧑🏽‍💻"},
		{"ZWJ sequence with VS16 inside", "🏳️‍🌈"},
		{"Unicode 15.1 ZWJ sequence", "🐦‍🔥"},
	}
	for _, e := range siteCards[:32] {
		tests = append(tests, struct{ name, emoji string }{"benchmark corpus " + e.Emoji, e.Emoji})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := emojiRune(fs, tt.emoji)
			if !ok {
				t.Fatalf("emojiRune(%q) = %q, false: no glyph", tt.emoji, r)
			}
			if g, _ := fs.emojiFace().glyph(r); g != fs.sets[setKey{true, emojiFontSize}] {
				t.Errorf("%q is drawn from the text font, want the emoji font", r)
			}
			img := mustPNG(t, Card{Title: "タイトル", Emoji: tt.emoji, Site: "x"})
			ink := inkBounds(img, emojiBox)
			if n := inkPixels(img, emojiBox); n < 500 {
				t.Fatalf("the emoji area has %d dark pixels: the emoji was not drawn", n)
			}
			if c := ink.Min.Add(ink.Max).Div(2); abs(c.X-width/2) > 1 || abs(c.Y-(emojiTop+emojiSize/2)) > 1 {
				t.Errorf("the emoji's ink %v is centred on %v, want (%d,%d)", ink, c, width/2, emojiTop+emojiSize/2)
			}
			if s := ink.Size(); s.X > emojiSize*5/4 || s.Y > emojiSize {
				t.Errorf("the emoji's ink is %v, larger than its %d px box (a quarter wider at most)", s, emojiSize)
			}
		})
	}
}

// A sequence draws its own glyph, not its first character's.
func TestEmojiSequenceGlyph(t *testing.T) {
	emojiBox := image.Rect(width/2-emojiSize, emojiTop-10, width/2+emojiSize, emojiTop+emojiSize+10)
	for _, tt := range []struct{ name, seq, first string }{
		{"keycap", "#️⃣", "#"},
		{"flag", "🇯🇵", "🇯"},
		{"ZWJ", "👨‍💻", "👨"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			seq := mustPNG(t, Card{Title: "タイトル", Emoji: tt.seq})
			first := mustPNG(t, Card{Title: "タイトル", Emoji: tt.first})
			differ := 0
			for y := emojiBox.Min.Y; y < emojiBox.Max.Y; y++ {
				for x := emojiBox.Min.X; x < emojiBox.Max.X; x++ {
					if seq.ColorIndexAt(x, y) != first.ColorIndexAt(x, y) {
						differ++
					}
				}
			}
			if differ < 500 {
				t.Errorf("%q is drawn as %q: %d pixels of the emoji's box differ", tt.seq, tt.first, differ)
			}
		})
	}
}

// inkBounds is the smallest rectangle holding the pixels of img darker than
// the card in r.
func inkBounds(img image.Image, r image.Rectangle) image.Rectangle {
	var b image.Rectangle
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c, _, _, _ := img.At(x, y).RGBA(); c < 0x8000 {
				b = b.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return b
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Drawing is deterministic: the same card twice, first with its glyphs
// rasterized anew and then from the cache, concurrently with others, gives
// the same bytes.
func TestPNGDeterministic(t *testing.T) {
	c := Card{Title: "決定的な描画 deterministic", Emoji: "🎯", Site: "kiji"}
	first, err := PNG(c)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []byte)
	for i := range 4 {
		go func() {
			other := Card{Title: strings.Repeat("並行", i+1), Emoji: "🐳", Site: "kiji"}
			PNG(other)
			b, _ := PNG(c)
			done <- b
		}()
	}
	for range 4 {
		if b := <-done; !bytes.Equal(b, first) {
			t.Error("the same card gave different bytes")
		}
	}
}

// Any title, emoji and site name give a PNG that image/png reads.
func FuzzPNG(f *testing.F) {
	for _, tt := range cards {
		f.Add(tt.card.Title, tt.card.Emoji, tt.card.Site)
	}
	f.Add(strings.Repeat("W", 300), "👨‍💻", "")
	f.Add(strings.Repeat("長い", 5000), "🐳", strings.Repeat("site ", 2000))
	f.Add("\x00\t\u200b「」", "\ufe0f", "\xff\xfe")
	f.Fuzz(func(t *testing.T, title, emoji, site string) {
		b, err := PNG(Card{Title: title, Emoji: emoji, Site: site})
		if err != nil {
			t.Fatal(err)
		}
		decode(t, b)
	})
}

// go test ./site/ogimage -run '^$' -bench OGImage -benchmem
//
// One card per iteration, its glyphs already rasterized (as for every card
// of a build but the first few).
func BenchmarkOGImage(b *testing.B) {
	c := cards[0].card
	if _, err := PNG(c); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := cputime.Used()
	for b.Loop() {
		if _, err := PNG(c); err != nil {
			b.Fatal(err)
		}
	}
	if used := cputime.Used() - start; used > 0 {
		b.ReportMetric(float64(used.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}

// siteCards are cards like a site's: the titles of the benchmark corpus
// (../shared/bench/gencorpus.go's templates, Japanese and English, 10 to 40
// characters), each with one of its emoji, one site name.
var siteCards = func() []Card {
	titles := []string{
		"Terraform の module を理解する", "EventBridgeで並行処理を最適化して8割高速化した",
		"Getting started with Deno on Docker", "VPCで作る並行処理入門", "OpenTelemetry best practices for deployment",
		"【Kubernetes】CI/CD パイプラインの設定まとめ", "セキュリティ の state file を理解する",
		"How we migrated from Heroku to AWS Lambda", "Next.js×Vercelで実現する監視の自動化",
		"初めてのRust（WebAssembly編）", "Go v1.22 の新機能を試す", "React と Vue を比較してみた",
		"GitHub Actionsでキャッシュ戦略を構築する", "【保存版】PostgreSQLのインデックス設計チートシート",
		"Redis で始める Kafka 運用", "Argo CDの認証基盤でハマった話", "Prometheus入門: メトリクス設計からアラートまで",
		"GraphQLのスキーマ設計をゼロから理解する", "Getting started with Docker on ALB", "Cloud Run と ECS を比較してみた",
	}
	emoji := []string{"🐳", "🚀", "🔥", "✨", "🛠", "📝", "🐹", "☁️", "🔒", "📦", "⚙️", "🧪", "🎉", "💡", "🤖", "🐧",
		"🌐", "📊", "🧰", "🐙", "🦀", "🧩", "🔧", "📚", "⚡", "🏗", "🎯", "🔍", "🐛", "🧭", "🪵", "🗂"}
	var cs []Card
	for i := range 4 * len(emoji) {
		cs = append(cs, Card{Title: titles[i%len(titles)], Emoji: emoji[i%len(emoji)], Site: "bench"})
	}
	return cs
}()

// go test ./site/ogimage -run '^$' -bench SiteCards -benchmem
//
// A site's cards in turn (128 of them, 20 titles and 32 emoji), as a build
// draws them; the glyphs the first of them rasterize are kept for the rest.
func BenchmarkSiteCards(b *testing.B) {
	var n int
	b.ReportAllocs()
	start := cputime.Used()
	for i := 0; b.Loop(); i++ {
		png, err := PNG(siteCards[i%len(siteCards)])
		if err != nil {
			b.Fatal(err)
		}
		n += len(png)
	}
	if used := cputime.Used() - start; used > 0 {
		b.ReportMetric(float64(used.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
	b.ReportMetric(float64(n)/float64(b.N), "bytes/op")
}

// The canvas keeps the Adler-32 of its rows as the glyphs change them:
// the same as summing every byte, for each card and for a blank canvas.
func TestCanvasAdler32(t *testing.T) {
	fs := testFonts(t)
	for _, tt := range append(cards, struct {
		name string
		card Card
	}{"empty", Card{}}) {
		t.Run(tt.name, func(t *testing.T) {
			c := newCanvas()
			defer c.release()
			c.paint(layout(fs, tt.card))
			if got, want := c.adler32(), adler32.Checksum(c.pix); got != want {
				t.Errorf("adler32() = %08x, the rows sum to %08x", got, want)
			}
		})
	}
}

// The PNG holds exactly the canvas's palette indices, whichever rows came
// from the cache of blank runs.
func TestPNGDecodes(t *testing.T) {
	fs := testFonts(t)
	for _, tt := range cards {
		t.Run(tt.name, func(t *testing.T) {
			c := newCanvas()
			defer c.release()
			c.paint(layout(fs, tt.card))
			got := decode(t, c.encode(fs.code()))
			for y := range height {
				if !bytes.Equal(got.Pix[y*got.Stride:y*got.Stride+width], c.pix[y*stride+1:(y+1)*stride]) {
					t.Fatalf("row %d differs from the canvas", y)
				}
			}
		})
	}
}

// A canvas given back is blank again for the next card.
func TestCanvasRelease(t *testing.T) {
	c := newCanvas()
	c.paint(layout(testFonts(t), cards[0].card))
	if bytes.Equal(c.pix, blank()) {
		t.Fatal("painting left the canvas blank")
	}
	c.release()
	if !bytes.Equal(c.pix, blank()) || c.inked != [height]bool{} {
		t.Error("a released canvas is not blank")
	}
}

type onePool struct{ b *png.EncoderBuffer }

func (p *onePool) Get() *png.EncoderBuffer  { return p.b }
func (p *onePool) Put(b *png.EncoderBuffer) { p.b = b }

// go test ./site/ogimage -run '^$' -bench Encode -benchmem
//
// What png.go buys: the same painted card written by image/png at
// BestSpeed (its encoder state kept between cards) and by encode.
func BenchmarkEncode(b *testing.B) {
	c := newCanvas()
	defer c.release()
	c.paint(layout(testFonts(b), cards[0].card))
	b.Run("image-png", func(b *testing.B) {
		img := image.NewPaletted(image.Rect(0, 0, width, height), palettes()[c.bg])
		for y := range height {
			copy(img.Pix[y*img.Stride:], c.pix[y*stride+1:(y+1)*stride])
		}
		enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &onePool{}}
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			if err := enc.Encode(&buf, img); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(buf.Len()), "bytes")
	})
	b.Run("kiji", func(b *testing.B) {
		var n int
		code := testFonts(b).code()
		for b.Loop() {
			n = len(c.encode(code))
		}
		b.ReportMetric(float64(n), "bytes")
	})
}
