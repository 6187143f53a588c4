package htmlsafe

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// text is an attribute value or a style sheet: the checks below read both
// strings and byte slices, so that the sanitizer converts nothing.
type text interface{ ~string | ~[]byte }

// safeURL reports whether a URL may be emitted as a link or a source: no
// javascript:, vbscript: or (non-image) data: URL, whatever its spelling
// (case, spaces and control characters anywhere, percent-encoding).
func safeURL[T text](u T) bool {
	if !maybeScheme(u) {
		return true
	}
	s := urlHead(u, 40)
	switch {
	case scriptPrefix(s):
		return false
	case strings.HasPrefix(s, "data:"):
		for _, t := range []string{"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"} {
			if strings.HasPrefix(s[5:], t) {
				return true
			}
		}
		return false
	}
	return true
}

// maybeScheme is the fast path: a value without ':' or '%' has no scheme.
func maybeScheme[T text](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' || s[i] == '%' {
			return true
		}
	}
	return false
}

// urlHead is the start of u (at most n bytes) as a browser reads its
// scheme, and more: spaces and control characters removed everywhere,
// %XX decoded, in lower case.
func urlHead[T text](u T, n int) string {
	var b [64]byte
	out := b[:0]
	for i := 0; i < len(u) && len(out) < n; i++ {
		c := u[i]
		if c == '%' && i+2 < len(u) && isHex(u[i+1]) && isHex(u[i+2]) {
			c = hexVal(u[i+1])<<4 | hexVal(u[i+2])
			i += 2
		}
		if c <= ' ' || c == 0x7f {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}

func scriptPrefix(s string) bool {
	return strings.HasPrefix(s, "javascript:") || strings.HasPrefix(s, "vbscript:") || strings.HasPrefix(s, "livescript:")
}

// parts calls f with each part of v separated by one of the bytes of sep,
// and stops at the first false.
func parts[T text](v T, sep string, f func(T) bool) bool {
	start := 0
	for i := 0; i <= len(v); i++ {
		if i == len(v) || strings.IndexByte(sep, v[i]) >= 0 {
			if !f(v[start:i]) {
				return false
			}
			start = i + 1
		}
	}
	return true
}

// scriptScheme reports whether an attribute value, or any of its parts
// separated by ; or , (lists, SVG animation values), is a script URL.
func scriptScheme[T text](v T) bool {
	if !maybeScheme(v) {
		return false
	}
	return !parts(v, ";,", func(p T) bool { return !scriptPrefix(urlHead(p, 12)) })
}

// listSafe checks a ;-separated list of values (SVG animation values).
func listSafe[T text](v T) bool {
	return parts(v, ";", safeURL[T])
}

// srcsetSafe checks each URL of a srcset ("a.png 1x, b.png 2x").
func srcsetSafe[T text](v T) bool {
	if !maybeScheme(v) {
		return true
	}
	return parts(v, ",", func(c T) bool {
		i := 0
		for i < len(c) && c[i] <= ' ' {
			i++
		}
		j := i
		for j < len(c) && c[j] > ' ' {
			j++
		}
		return safeURL(c[i:j])
	}) && !scriptScheme(v)
}

// localRef reports whether a URL is a reference inside the page (#id).
func localRef[T text](v T) bool {
	i := 0
	for i < len(v) && v[i] <= ' ' {
		i++
	}
	return i < len(v) && v[i] == '#'
}

// CSSSafe reports whether a style sheet or style attribute is free of
// script: no javascript: (or vbscript:) URL, no data: URL other than an
// image or a font, no expression(), behavior or -moz-binding, however the
// CSS is spelled (escapes, comments, case, spaces).
func CSSSafe(css string) bool { return cssSafe([]byte(css)) }

func cssSafe(css []byte) bool {
	if bytes.IndexByte(css, '\\') >= 0 {
		return normCSSSafe(normCSS(css))
	}
	// Without escapes, each of these needs a ':' or a '(' right after an
	// identifier: look at those only (a style sheet is mostly fonts in
	// base64, which has neither).
	for i := bytes.IndexByte(css, ':'); i >= 0; {
		id := identBefore(css, i, true)
		if hasSuffixFold(id, "script") || equalFold(id, "behavior") || equalFold(id, "-moz-binding") {
			return false
		}
		j := bytes.IndexByte(css[i+1:], ':')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	for i := bytes.IndexByte(css, '('); i >= 0; {
		id := identBefore(css, i, false)
		if equalFold(id, "expression") || equalFold(id, "url") && !cssURLSafe(css[i+1:]) {
			return false
		}
		j := bytes.IndexByte(css[i+1:], '(')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return true
}

// identBefore is the identifier (letters, digits, - and _; at most 16
// bytes) that ends at css[i]; with space, spaces before css[i] are skipped.
func identBefore(css []byte, i int, space bool) []byte {
	for space && i > 0 && css[i-1] <= ' ' {
		i--
	}
	j := i
	for j > 0 && i-j < 16 {
		c := css[j-1]
		if l := c | 0x20; !('a' <= l && l <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			break
		}
		j--
	}
	return css[j:i]
}

func equalFold(b []byte, s string) bool { return len(b) == len(s) && bytes.EqualFold(b, []byte(s)) }

func hasSuffixFold(b []byte, s string) bool {
	return len(b) >= len(s) && bytes.EqualFold(b[len(b)-len(s):], []byte(s))
}

// cssURLSafe checks the URL of a url( whose content starts s.
func cssURLSafe(s []byte) bool {
	for len(s) > 0 && (s[0] <= ' ' || s[0] == '"' || s[0] == '\'') {
		s = s[1:]
	}
	u := urlHead(s, 40)
	if strings.HasPrefix(u, "data:") {
		return cssDataOK(u[5:])
	}
	return !scriptPrefix(u)
}

// cssDataOK: the media types a data: URL in CSS may have.
func cssDataOK(t string) bool {
	for _, p := range []string{"image/", "font/", "application/font-", "application/x-font-", "application/vnd.ms-fontobject"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// normCSSSafe is cssSafe on CSS spelled by normCSS.
func normCSSSafe(n []byte) bool {
	for _, bad := range []string{"javascript:", "vbscript:", "livescript:", "expression(", "-moz-binding"} {
		if bytes.Contains(n, []byte(bad)) {
			return false
		}
	}
	for i := 0; ; {
		j := bytes.Index(n[i:], []byte("behavior:"))
		if j < 0 {
			break
		}
		if i += j; i == 0 || n[i-1] == ';' || n[i-1] == '{' || n[i-1] == '}' {
			return false
		}
		i++
	}
	for rest := n; ; {
		i := bytes.Index(rest, []byte("url("))
		if i < 0 {
			return true
		}
		rest = rest[i+4:]
		if !cssURLSafe(rest) {
			return false
		}
	}
}

// normCSS is css with escapes decoded, comments and whitespace removed, in
// lower case: spelled so that a simple search finds what matters.
func normCSS(css []byte) []byte {
	b := make([]byte, 0, len(css))
	for i := 0; i < len(css); {
		c := css[i]
		switch {
		case c == '/' && i+1 < len(css) && css[i+1] == '*':
			end := bytes.Index(css[i+2:], []byte("*/"))
			if end < 0 {
				return b
			}
			i += 2 + end + 2
		case c == '\\':
			r, n := cssEscape(css[i+1:])
			if r >= 0 {
				b = append(b, strings.ToLower(string(r))...)
			}
			i += 1 + n
		case c <= ' ' || c == 0x7f:
			i++
		default:
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			i++
		}
	}
	return b
}

// cssEscape decodes the escape after a backslash: up to six hex digits and
// one optional whitespace, or one character. It returns the rune (-1 for
// an escaped newline, which is nothing) and how many bytes it used.
func cssEscape(s []byte) (rune, int) {
	n, v := 0, rune(0)
	for n < len(s) && n < 6 && isHex(s[n]) {
		v = v*16 + rune(hexVal(s[n]))
		n++
	}
	if n == 0 {
		if len(s) == 0 {
			return 0xFFFD, 0
		}
		if s[0] == '\n' || s[0] == '\r' || s[0] == '\f' {
			return -1, 1
		}
		r, size := utf8.DecodeRune(s)
		return r, size
	}
	if n < len(s) && (s[n] == ' ' || s[n] == '\t' || s[n] == '\n' || s[n] == '\r' || s[n] == '\f') {
		n++
	}
	if v == 0 || v > 0x10FFFF || v >= 0xD800 && v <= 0xDFFF {
		v = 0xFFFD
	}
	return v, n
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func hexVal(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
