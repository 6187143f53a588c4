package markdown

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// rawHTML renders raw HTML as Zenn does: escaped text, except <br> which
// stays a line break and one-line <!-- comments --> which disappear. With
// trust, HTML passes through with script URLs and event handlers removed.
type rawHTML struct{ trust bool }

func (r *rawHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindRawHTML, r.inline)
	reg.Register(ast.KindHTMLBlock, r.block)
}

var brRE = regexp.MustCompile(`(?i)^<br\s*/?>$`)
var commentRE = regexp.MustCompile(`^<!--[\s\S]*?-->$`)

func (r *rawHTML) inline(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.RawHTML)
	var b bytes.Buffer
	for i := 0; i < n.Segments.Len(); i++ {
		s := n.Segments.At(i)
		b.Write(s.Value(src))
	}
	r.write(w, b.Bytes())
	return ast.WalkSkipChildren, nil
}

func (r *rawHTML) block(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.HTMLBlock)
	var b bytes.Buffer
	for i := 0; i < n.Lines().Len(); i++ {
		s := n.Lines().At(i)
		b.Write(s.Value(src))
	}
	if n.HasClosure() {
		b.Write(n.ClosureLine.Value(src))
	}
	raw := bytes.TrimRight(b.Bytes(), "\n")
	if commentRE.Match(bytes.TrimSpace(raw)) {
		return ast.WalkSkipChildren, nil
	}
	if r.trust {
		_, _ = w.Write(sanitize(raw))
		_ = w.WriteByte('\n')
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString("<p>")
	lines := bytes.Split(raw, []byte("\n"))
	for i, l := range lines {
		if i > 0 {
			_, _ = w.WriteString("<br>\n")
		}
		r.write(w, l)
	}
	_, _ = w.WriteString("</p>\n")
	return ast.WalkSkipChildren, nil
}

func (r *rawHTML) write(w util.BufWriter, raw []byte) {
	t := bytes.TrimSpace(raw)
	switch {
	case brRE.Match(t):
		_, _ = w.WriteString("<br>")
	case commentRE.Match(t) && !bytes.Contains(t, []byte("\n")):
		// One-line comments disappear, as on Zenn.
	case r.trust:
		_, _ = w.Write(sanitize(raw))
	default:
		// As on Zenn: entities in the text are read (&mdash; shows —).
		_, _ = w.Write(util.EscapeHTML(util.ResolveEntityNames(util.ResolveNumericReferences(raw))))
	}
}

// sanitize removes event-handler attributes and script URLs from trusted
// HTML, and drops <script> elements.
func sanitize(raw []byte) []byte {
	z := html.NewTokenizer(bytes.NewReader(raw))
	var out bytes.Buffer
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out.Bytes()
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data == "script" {
				if tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if skip > 0 {
				continue
			}
			kept := tok.Attr[:0]
			for _, a := range tok.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") || (urlAttr[k] && !SafeURL(a.Val)) {
					continue
				}
				kept = append(kept, a)
			}
			tok.Attr = kept
			out.WriteString(tok.String())
		case html.EndTagToken:
			tok := z.Token()
			if tok.Data == "script" {
				if skip > 0 {
					skip--
				}
				continue
			}
			if skip == 0 {
				out.WriteString(tok.String())
			}
		default:
			if skip == 0 {
				out.Write(z.Raw())
			}
		}
	}
}

var urlAttr = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "poster": true, "srcset": true, "xlink:href": true, "data": true, "cite": true, "background": true}

// SafeURL reports whether a URL may be emitted as a link or a source: no
// javascript:, vbscript: or (non-image) data: URL, whatever its spelling.
func SafeURL(u string) bool {
	s := strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, u)
	if dec, err := url.PathUnescape(s); err == nil {
		s = dec
	}
	s = strings.ToLower(s)
	switch {
	case strings.HasPrefix(s, "javascript:"), strings.HasPrefix(s, "vbscript:"):
		return false
	case strings.HasPrefix(s, "data:"):
		return strings.HasPrefix(s, "data:image/png") || strings.HasPrefix(s, "data:image/jpeg") || strings.HasPrefix(s, "data:image/gif") || strings.HasPrefix(s, "data:image/webp")
	}
	return true
}
