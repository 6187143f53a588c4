// Package mediatype is kiji's one table of how a file of the built site is
// served: its Content-Type and its Cache-Control, chosen by its path. The
// dev server (site/serve) and deploy (site/deploy) both ask it, so a file is
// served the same way in preview and in production; the theme (site/render)
// names its assets with Fingerprint, the one name shape that the table
// caches forever.
//
// Use:
//
//	mediatype.ContentType("assets/app.js")            // "text/javascript; charset=utf-8"
//	mediatype.CacheControl("index.html")              // CacheRevalidate
//	mediatype.Fingerprint("style.css", data)          // "style.1a2b3c4d5e.css"
//	mediatype.CacheControl("assets/style.1a2b3c4d5e.css") // CacheImmutable
//
// To serve a new kind of file, add its extension to contentTypes (text types
// end in "; charset=utf-8"; kiji writes all text as UTF-8) and, if its URL is
// fixed but must show a new deploy at once (like a feed), to the revalidate
// list in CacheControl. A change here changes what deploy uploads: files
// whose headers changed are uploaded again on the next deploy.
//
// The package is a leaf: it imports only the standard library, so any room
// may use it.
package mediatype

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
)

const utf8 = "; charset=utf-8"

// contentTypes maps a lower-case extension to its Content-Type.
var contentTypes = map[string]string{
	".html":        "text/html" + utf8,
	".htm":         "text/html" + utf8,
	".css":         "text/css" + utf8,
	".js":          "text/javascript" + utf8,
	".mjs":         "text/javascript" + utf8,
	".json":        "application/json" + utf8,
	".map":         "application/json" + utf8, // source maps are JSON
	".webmanifest": "application/manifest+json" + utf8,
	".xml":         "application/xml" + utf8,
	".atom":        "application/atom+xml" + utf8,
	".rss":         "application/rss+xml" + utf8,
	".txt":         "text/plain" + utf8,
	".md":          "text/markdown" + utf8,
	".svg":         "image/svg+xml" + utf8, // SVG is XML text; kiji writes it as UTF-8
	".wasm":        "application/wasm",     // binary: no charset
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/x-icon",
	".woff2":       "font/woff2",
	".woff":        "font/woff",
	".ttf":         "font/ttf",
	".otf":         "font/otf",
	".pdf":         "application/pdf",
	".mp4":         "video/mp4",
	".webm":        "video/webm",
	".mp3":         "audio/mpeg",
}

// feedNames are base names that hold an Atom feed although they end in .xml.
var feedNames = map[string]bool{"feed.xml": true, "atom.xml": true}

// ContentType returns the Content-Type header for a file of the built site,
// chosen by its name (a slash path such as "assets/app.js" or a bare name).
// Text types carry "; charset=utf-8"; an unknown extension is
// application/octet-stream.
func ContentType(name string) string {
	base := strings.ToLower(path.Base(strings.ReplaceAll(name, "\\", "/")))
	if feedNames[base] {
		return "application/atom+xml" + utf8
	}
	if t, ok := contentTypes[path.Ext(base)]; ok {
		return t
	}
	return "application/octet-stream"
}

// Cache-Control values. Three classes:
//
//   - Fingerprinted assets (assets/style.3f2a9c1b.css): the name changes
//     whenever the bytes do, so a cached copy can never be stale. Cache it for
//     a year and tell browsers not to revalidate at all.
//   - HTML, feeds, the sitemap and robots.txt: their URLs are fixed and they
//     must show a new deploy at once, so every use revalidates (cheap: a 304
//     with the ETag when nothing changed).
//   - Everything else (images, unfingerprinted CSS/JS, PDFs, fonts): the URL
//     is fixed but the bytes rarely change. A day of caching spares readers
//     re-downloading images on every page while bounding how long a replaced
//     file can stay stale to one day; a deploy that must show a changed image
//     at once renames it (or its CDN entry is invalidated).
const (
	CacheImmutable  = "public, max-age=31536000, immutable"
	CacheRevalidate = "public, max-age=0, must-revalidate"
	CacheDay        = "public, max-age=86400"
)

// CacheControl returns the Cache-Control header for a file of the built
// site, named by its slash path relative to the site root (a leading "/" is
// allowed).
func CacheControl(name string) string {
	p := strings.TrimPrefix(strings.ReplaceAll(name, "\\", "/"), "/")
	base := strings.ToLower(path.Base(p))
	if strings.HasPrefix(p, "assets/") && fingerprinted(base) {
		return CacheImmutable
	}
	switch path.Ext(base) {
	case ".html", ".htm", ".xml", ".atom", ".rss":
		return CacheRevalidate
	}
	switch base {
	case "robots.txt", "feed.json", "sitemap.xml", "sitemap.txt":
		return CacheRevalidate
	}
	return CacheDay
}

// Fingerprint returns the name an asset is published under: name with the
// first 10 hex digits of the SHA-256 of data before its extension
// ("style.css" becomes "style.1a2b3c4d5e.css"). Under assets/ such a name is
// cached for a year (CacheImmutable): new bytes get a new name.
func Fingerprint(name string, data []byte) string {
	h := sha256.Sum256(data)
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(h[:])[:10] + ext
}

// fingerprinted reports whether base looks like name.HASH.ext, HASH being 8
// or more hex digits (Fingerprint writes 10; 8 accepts shorter hashes of
// files a theme fingerprints itself).
func fingerprinted(base string) bool {
	parts := strings.Split(base, ".")
	if len(parts) < 3 || parts[0] == "" || parts[len(parts)-1] == "" {
		return false
	}
	h := parts[len(parts)-2]
	if len(h) < 8 {
		return false
	}
	for _, c := range h {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
