package markdown

import (
	"bytes"
	"regexp"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// rawHTML renders raw HTML as Zenn does: escaped text, except <br> which
// stays a line break and one-line <!-- comments --> which disappear. With
// trust, HTML passes through (the page's policy, htmlsafe.Trusted, then
// removes what could run script).
type rawHTML struct{ trust bool }

func (r *rawHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindRawHTML, r.inline)
	reg.Register(ast.KindHTMLBlock, r.block)
}

var brRE = regexp.MustCompile(`(?i)^<br\s*/?>$`)
var commentRE = regexp.MustCompile(`^<!--[\s\S]*?-->$`)
var lineCommentRE = regexp.MustCompile(`<!--.*?-->`)

// oneComment reports whether t is one comment, on one line or more: not
// "<!-- a -->text<!-- b -->", whose text shows.
func oneComment(t []byte) bool {
	return commentRE.Match(t) && bytes.Index(t, []byte("-->")) == len(t)-3
}

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
	if oneComment(bytes.TrimSpace(raw)) {
		return ast.WalkSkipChildren, nil
	}
	if r.trust {
		_, _ = w.Write(raw)
		_ = w.WriteByte('\n')
		return ast.WalkSkipChildren, nil
	}
	// Zenn removes the comments within a line, and shows the text around
	// them ("<!-- textlint-disable -->text<!-- textlint-enable -->").
	lines := bytes.Split(raw, []byte("\n"))
	for i := range lines {
		lines[i] = lineCommentRE.ReplaceAll(lines[i], nil)
	}
	if len(bytes.TrimSpace(bytes.Join(lines, nil))) == 0 {
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString("<p>")
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
		_, _ = w.Write(raw)
	default:
		// As on Zenn: entities in the text are read (&mdash; shows —).
		_, _ = w.Write(util.EscapeHTML(util.ResolveEntityNames(util.ResolveNumericReferences(raw))))
	}
}
