package mediatype

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestContentType(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"html", "index.html", "text/html; charset=utf-8"},
		{"html in folder", "articles/hello/index.html", "text/html; charset=utf-8"},
		{"upper-case extension", "PAGE.HTML", "text/html; charset=utf-8"},
		{"css", "assets/style.3f2a9c1b.css", "text/css; charset=utf-8"},
		{"js", "assets/app.js", "text/javascript; charset=utf-8"},
		{"mjs", "assets/mod.mjs", "text/javascript; charset=utf-8"},
		{"svg", "images/logo.svg", "image/svg+xml; charset=utf-8"},
		{"json", "search.json", "application/json; charset=utf-8"},
		{"xml", "sitemap.xml", "application/xml; charset=utf-8"},
		{"atom extension", "articles.atom", "application/atom+xml; charset=utf-8"},
		{"feed.xml is atom", "feed.xml", "application/atom+xml; charset=utf-8"},
		{"nested feed.xml is atom", "topics/go/feed.xml", "application/atom+xml; charset=utf-8"},
		{"wasm has no charset", "assets/d2.wasm", "application/wasm"},
		{"webp", "a.webp", "image/webp"},
		{"avif", "a.avif", "image/avif"},
		{"woff2", "assets/font.woff2", "font/woff2"},
		{"png", "a.png", "image/png"},
		{"jpg", "a.jpg", "image/jpeg"},
		{"jpeg", "a.jpeg", "image/jpeg"},
		{"gif", "a.gif", "image/gif"},
		{"ico", "favicon.ico", "image/x-icon"},
		{"txt", "robots.txt", "text/plain; charset=utf-8"},
		{"pdf", "slides.pdf", "application/pdf"},
		{"source map", "assets/app.js.map", "application/json; charset=utf-8"},
		{"webmanifest", "site.webmanifest", "application/manifest+json; charset=utf-8"},
		{"leading slash", "/index.html", "text/html; charset=utf-8"},
		{"unknown", "data.bin", "application/octet-stream"},
		{"no extension", "CNAME", "application/octet-stream"},
		{"dot file", ".nojekyll", "application/octet-stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ContentType(tt.file)); diff != "" {
				t.Errorf("ContentType(%q) (-want +got):\n%s", tt.file, diff)
			}
		})
	}
}

func TestCacheControl(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"fingerprinted css", "assets/style.3f2a9c1b.css", CacheImmutable},
		{"fingerprinted js, leading slash", "/assets/app.0123456789abcdef.js", CacheImmutable},
		{"fingerprinted nested in assets", "assets/fonts/inter.deadbeef.woff2", CacheImmutable},
		{"fingerprint with extra name dots", "assets/app.min.3f2a9c1b.js", CacheImmutable},
		{"hash too short", "assets/style.3f2a9c1.css", CacheDay},
		{"hash not hex", "assets/style.3f2a9c1z.css", CacheDay},
		{"no hash", "assets/style.css", CacheDay},
		{"hash but not under assets", "images/photo.3f2a9c1b.png", CacheDay},
		{"assets only as a substring", "myassets/style.3f2a9c1b.css", CacheDay},
		{"hash is the extension", "assets/style.3f2a9c1b", CacheDay},
		{"root index", "index.html", CacheRevalidate},
		{"page", "articles/hello/index.html", CacheRevalidate},
		{"404", "404.html", CacheRevalidate},
		{"feed", "feed.xml", CacheRevalidate},
		{"atom", "articles.atom", CacheRevalidate},
		{"sitemap", "sitemap.xml", CacheRevalidate},
		{"robots", "robots.txt", CacheRevalidate},
		{"image", "images/photo.png", CacheDay},
		{"other text", "humans.txt", CacheDay},
		{"pdf", "slides.pdf", CacheDay},
		{"favicon", "favicon.ico", CacheDay},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, CacheControl(tt.file)); diff != "" {
				t.Errorf("CacheControl(%q) (-want +got):\n%s", tt.file, diff)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	tests := []struct {
		name, file string
		data       []byte
		want       string
	}{
		// the hashes are the first 10 digits of `printf DATA | sha256sum`
		{"css", "style.css", []byte("body{}"), "style.7c98040a54.css"},
		{"dotted name", "app.min.js", []byte("x"), "app.min.2d711642b7.js"},
		{"no extension", "LICENSE", []byte(""), "LICENSE.e3b0c44298"},
		{"folder kept", "fonts/a.woff2", []byte("f"), "fonts/a.252f10c836.woff2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Fingerprint(tt.file, tt.data)); diff != "" {
				t.Errorf("Fingerprint(%q) (-want +got):\n%s", tt.file, diff)
			}
		})
	}
}

// TestFingerprintIsImmutable holds the contract between the two halves of
// the package: every asset named by Fingerprint is cached forever, and a
// change of its bytes changes its name.
func TestFingerprintIsImmutable(t *testing.T) {
	for _, name := range []string{"style.css", "app.min.js", "fonts/inter.woff2", "logo.svg"} {
		a := "assets/" + Fingerprint(name, []byte("one"))
		b := "assets/" + Fingerprint(name, []byte("two"))
		if a == b {
			t.Errorf("Fingerprint(%q) is %s for two different contents", name, a)
		}
		if got := CacheControl(a); got != CacheImmutable {
			t.Errorf("CacheControl(%q) = %q, want %q", a, got, CacheImmutable)
		}
	}
}
