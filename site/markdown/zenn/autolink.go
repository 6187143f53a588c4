package zenn

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// autoLink renders a linked URL as goldmark does, but shows it as Zenn's
// markdown-it does (normalizeLinkText): https://ja.wikipedia.org/wiki/メル図,
// not …/wiki/%E3%83%A1%E3%83%AB%E5%9B%B3. The href stays as written. A
// URL with a scheme Zenn does not link was made text before (links.go), so
// the dangerous-URL check is goldmark's safe one.
func (r *htmlRenderer) autoLink(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.AutoLink)
	if !entering {
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<a href="`)
	url := util.URLEscape(n.URL(src), false)
	label := n.Label(src)
	if n.AutoLinkType == ast.AutoLinkEmail && !bytes.HasPrefix(bytes.ToLower(url), []byte("mailto:")) {
		_, _ = w.WriteString("mailto:")
	}
	if !html.IsDangerousURL(url) {
		_, _ = w.Write(util.EscapeHTML(url))
	}
	if n.Attributes() != nil {
		_ = w.WriteByte('"')
		html.RenderAttributes(w, n, html.LinkAttributeFilter)
		_ = w.WriteByte('>')
	} else {
		_, _ = w.WriteString(`">`)
	}
	if n.AutoLinkType == ast.AutoLinkURL {
		label = []byte(decodeURLText(string(label)))
	}
	_, _ = w.Write(util.EscapeHTML(label))
	_, _ = w.WriteString(`</a>`)
	return ast.WalkContinue, nil
}

// urlTextKept are the characters mdurl.decode leaves encoded for link text
// (its defaultChars, and % as markdown-it adds).
const urlTextKept = ";/?:@&=+$,#%"

// decodeURLText is mdurl.decode(s, ";/?:@&=+$,#%"): each run of %XX is
// decoded as UTF-8, a kept ASCII character stays encoded (upper-case hex),
// and a byte that starts no valid sequence becomes U+FFFD.
func decodeURLText(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		run := percentRun(s[i:])
		if len(run) == 0 {
			b.WriteByte(s[i])
			i++
			continue
		}
		decodeRun(&b, run)
		i += 3 * len(run)
	}
	return b.String()
}

// percentRun returns the bytes of the %XX sequences at the start of s.
func percentRun(s string) []byte {
	var out []byte
	for len(s) >= 3 && s[0] == '%' {
		v, err := hex.DecodeString(s[1:3])
		if err != nil {
			break
		}
		out = append(out, v[0])
		s = s[3:]
	}
	return out
}

func decodeRun(b *strings.Builder, run []byte) {
	for len(run) > 0 {
		c := run[0]
		if c < 0x80 {
			if strings.IndexByte(urlTextKept, c) >= 0 {
				fmt.Fprintf(b, "%%%02X", c)
			} else {
				b.WriteByte(c)
			}
			run = run[1:]
			continue
		}
		r, size := utf8.DecodeRune(run)
		if r == utf8.RuneError && size <= 1 {
			b.WriteRune(utf8.RuneError)
			run = run[1:]
			continue
		}
		b.WriteRune(r)
		run = run[size:]
	}
}
