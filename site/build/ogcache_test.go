package build

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func testOGCacheKey(t testing.TB, c ogCard) string {
	t.Helper()
	k, err := ogCacheKey(c)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestOGImageCache(t *testing.T) {
	dir := t.TempDir()
	c := ogCard{Title: "キャッシュ", Emoji: "🐳", Site: "site"}
	first, err := ogImage(dir, c)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "og", testOGCacheKey(t, c)+".og")
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
		keys[testOGCacheKey(t, v)] = true
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
