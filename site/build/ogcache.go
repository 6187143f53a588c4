package build

// The cache of OpenGraph images (site/ogimage draws them): a drawn card is
// kept under CacheDir/og/ by a hash of everything that goes into the
// picture, so that a build whose output folder is new (a fresh checkout
// with a kept .kiji-cache) reads the PNG instead of drawing it again.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kiji-ssg/kiji/site/ogimage"
)

// ogCard is what an article's OpenGraph image shows.
type ogCard = ogimage.Card

// ogCacheKey names the cached PNG of c: everything that changes its pixels
// or its bytes.
func ogCacheKey(c ogCard) (string, error) {
	v, err := ogimage.Version()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, s := range []string{"kiji-og", v, cacheVersion(), c.Title, c.Emoji, c.Site} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ogImage returns the PNG of c, from the cache under cacheDir/og/ when it is
// there, else drawn and stored there. The cache is best effort: a cache
// folder that cannot be written only costs the drawing again next time.
func ogImage(cacheDir string, c ogCard) ([]byte, error) {
	key, err := ogCacheKey(c)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(cacheDir, "og")
	p := filepath.Join(dir, key+".og")
	if b, err := os.ReadFile(p); err == nil {
		if png, ok := decodeOGCache(b); ok {
			return png, nil
		}
	}
	b, err := ogimage.PNG(c)
	if err != nil {
		return nil, err
	}
	writeCacheFile(dir, p, encodeOGCache(b))
	return b, nil
}

// A cached image is one header line, with the image's SHA-256, and the
// PNG: a torn or damaged file (a flipped byte keeps the PNG's signature
// and trailer) fails the checksum and is drawn again.
const ogCacheMagic = "kiji-og-cache v1 "

func encodeOGCache(png []byte) []byte {
	sum := sha256.Sum256(png)
	return append([]byte(ogCacheMagic+hex.EncodeToString(sum[:])+"\n"), png...)
}

// decodeOGCache returns the PNG of a cache file, and whether it is whole.
func decodeOGCache(b []byte) ([]byte, bool) {
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 || !bytes.HasPrefix(b, []byte(ogCacheMagic)) {
		return nil, false
	}
	png := b[nl+1:]
	sum := sha256.Sum256(png)
	return png, string(b[len(ogCacheMagic):nl]) == hex.EncodeToString(sum[:]) && completePNG(png)
}

// completePNG reports whether b starts with the PNG signature and ends with
// an IEND chunk.
func completePNG(b []byte) bool {
	return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) &&
		bytes.HasSuffix(b, []byte("\x00\x00\x00\x00IEND\xaeB`\x82"))
}

// writeCacheFile writes b to p in place. A reader that meets the file half
// written, or a crash that leaves it so, fails its checksum and draws the
// image again; a temporary file and a rename, which cost more than the
// drawing, are not needed. Errors are ignored: see ogImage.
func writeCacheFile(dir, p string, b []byte) {
	if err := os.WriteFile(p, b, 0o644); errors.Is(err, fs.ErrNotExist) && os.MkdirAll(dir, 0o755) == nil {
		os.WriteFile(p, b, 0o644)
	}
}
