package build

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

func BenchmarkPNGLevels(b *testing.B) {
	fonts := testOGFonts(b)
	img := drawOGImage(fonts, ogCard{Title: "【初心者向け】Amazon ECS と EKS について改めて整理してみた", Emoji: "🐳", Site: "kiji のブログ"})
	seen := map[color.RGBA]bool{}
	for i := 0; i < len(img.Pix); i += 4 {
		seen[color.RGBA{img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3]}] = true
	}
	b.Logf("%d colours", len(seen))
	for _, lv := range []png.CompressionLevel{png.BestSpeed, png.DefaultCompression} {
		b.Run(string(rune('A'+int(-lv))), func(b *testing.B) {
			var n int
			for b.Loop() {
				var buf bytes.Buffer
				(&png.Encoder{CompressionLevel: lv}).Encode(&buf, img)
				n = buf.Len()
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
	_ = image.Point{}
}
