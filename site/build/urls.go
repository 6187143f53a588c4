package build

import (
	"net/url"
	"path"
	"strings"
)

// basePaths knows where the site is served: the absolute base URL (may be
// empty) and the path part ("/" or "/repo/").
type basePaths struct {
	url  string // "https://example.com/repo/" or ""
	path string // "/repo/"
}

func newBasePaths(base string) (basePaths, error) {
	if base == "" {
		return basePaths{path: "/"}, nil
	}
	u, err := ParseBaseURL(base)
	if err != nil {
		return basePaths{}, err
	}
	b := basePaths{path: u.EscapedPath()}
	if u.Scheme != "" {
		b.url = u.String()
	}
	return b, nil
}

// rel returns the URL of an output folder or file, e.g. "articles/x/" →
// "/repo/articles/x/", with each segment escaped.
func (b basePaths) rel(p string) string {
	return b.path + escapePath(p)
}

// abs returns the absolute URL of p, or the root-relative one when no base
// URL is configured.
func (b basePaths) abs(p string) string {
	if b.url == "" {
		return b.rel(p)
	}
	return strings.TrimSuffix(b.url, "/") + "/" + escapePath(p)
}

func escapePath(p string) string {
	if plainPath(p) {
		return p // nothing to escape: most paths, thousands per build
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// plainPath reports whether p holds only bytes url.PathEscape leaves as
// they are, and slashes.
func plainPath(p string) bool {
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-' || c == '_' || c == '.' || c == '~' || c == '/':
		default:
			return false
		}
	}
	return true
}

func articleDir(slug string) string { return "articles/" + slug + "/" }
func topicDir(slug string) string   { return "topics/" + slug + "/" }

// outputFile maps a URL path under the base path to an output file:
// "articles/x/" → "articles/x/index.html".
func outputFile(p string) string {
	if p == "" || strings.HasSuffix(p, "/") {
		return p + "index.html"
	}
	if path.Ext(p) == "" {
		return p + "/index.html"
	}
	return p
}
